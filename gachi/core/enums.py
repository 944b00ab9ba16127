"""Enums whose members carry a translatable label, stored by value with a CHECK."""

import enum

import sqlalchemy as sa
from flask_babel.speaklater import LazyString


class LabelledEnum(str, enum.Enum):
    """`Member = ("value", _l("Label"))`; stored as its value."""

    label: LazyString | str  # set on each member by __new__ (an annotation is no member)

    def __new__(cls, value: str, label: LazyString | str | None = None) -> "LabelledEnum":
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label if label is not None else value
        return member

    def __str__(self) -> str:
        return self.value

    @classmethod
    def choices(cls) -> list[tuple[str, LazyString | str]]:
        return [(member.value, member.label) for member in cls]


def enum_column_type(enum_class: type[LabelledEnum], name: str) -> sa.Enum:
    """A VARCHAR holding the enum's value, mirrored by a named CHECK constraint."""
    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
        length=max(len(member.value) for member in enum_class),
    )
