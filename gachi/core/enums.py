"""Enums whose members carry a translatable label, stored by value with a CHECK."""

import enum

import sqlalchemy as sa


class LabelledEnum(str, enum.Enum):
    """`Member = ("value", _l("Label"))`; stored as its value."""

    def __new__(cls, value, label=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label if label is not None else value
        return member

    def __str__(self):
        return self.value

    @classmethod
    def choices(cls):
        return [(member.value, member.label) for member in cls]


def enum_column_type(enum_class, name):
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
