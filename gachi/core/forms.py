"""The base form: every text in is NFC-normalised, length-checked and control-free;
every date and datetime within the window of gachi.core.time."""

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from functools import cache
from typing import Any

from babel.support import Translations
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeField, PasswordField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.i18n import messages_path
from wtforms.validators import Length, StopValidation

from gachi.core.time import OUTSIDE_WINDOW, window_bounds, within_window

# C0 and C1 controls and DEL; a textarea may also hold tab and line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")

DEFAULT_MAX_LENGTH = {StringField: 200, TextAreaField: 5000}


def normalise_text(value: object) -> object:
    """Korean typed on some phones arrives decomposed (NFD); store one form."""
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value)
    return value


def strip_text(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs, e.g. `LabelledEnum.choices()`, as WTForms select choices."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def finite_number(form: Any, field: Any) -> None:
    """NaN and Infinity parse as decimals; they are no amount or share of anything."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(_l("Enter a number."))


def within_date_window(form: Any, field: Any) -> None:
    """Every date and datetime field: only the window of gachi.core.time."""
    if isinstance(field.data, date) and not within_window(field.data):
        raise StopValidation(OUTSIDE_WINDOW % window_bounds())


def _is_date_field(field_class):
    # DateField and DateTimeLocalField are DateTimeFields; so is TimeField, which holds no day.
    return issubclass(field_class, DateTimeField) and not issubclass(field_class, TimeField)


def _prepared(unbound_field, key, prepare):
    """A copy of an UnboundField with rules added, made once and kept on it. An
    UnboundField belongs to its form class and every instance of the form binds it again,
    so it is left as it is (adding to it each time would pile the rules up request after
    request)."""
    prepared = unbound_field.__dict__.get(key)
    if prepared is None:
        kwargs = dict(unbound_field.kwargs)
        for position, name in enumerate(("label", "validators")):  # UnboundField(label, validators)
            if len(unbound_field.args) > position:
                kwargs.setdefault(name, unbound_field.args[position])
        prepare(unbound_field.field_class, kwargs)
        prepared = UnboundField(unbound_field.field_class, **kwargs)
        setattr(unbound_field, key, prepared)
    return prepared


def _add_date_window(_field_class, kwargs):
    kwargs["validators"] = [*(kwargs.get("validators") or []), within_date_window]


def _add_text_rules(field_class, kwargs):
    """The filters (NFC, strip) and a length limit."""
    filters = [normalise_text, *kwargs.get("filters", ())]
    if field_class not in (TextAreaField, PasswordField):
        filters.append(strip_text)
    validators = list(kwargs.get("validators") or [])
    if not any(isinstance(v, Length) and v.max != -1 for v in validators):
        validators.append(Length(max=DEFAULT_MAX_LENGTH.get(field_class, 200)))
    kwargs.update(filters=filters, validators=validators)


@cache
def _wtforms_messages(locale):
    """WTForms' own messages ("Not a valid choice.") in `locale`, read once per process.
    Flask-WTF would read and parse the catalogue anew in every request that makes a form."""
    return Translations.load(messages_path(), [locale], domain="wtforms")


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form: Any) -> Translations:
            return _wtforms_messages(str(get_locale()))

        def bind_field(
            self, form: Any, unbound_field: UnboundField, options: dict[str, Any]
        ) -> Any:
            if issubclass(unbound_field.field_class, StringField):
                unbound_field = _prepared(unbound_field, "_with_text_rules", _add_text_rules)
            elif _is_date_field(unbound_field.field_class):
                unbound_field = _prepared(unbound_field, "_with_date_window", _add_date_window)
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if not isinstance(field, StringField) or not isinstance(field.data, str):
                continue
            pattern = _CONTROL if isinstance(field, TextAreaField) else _CONTROL_IN_LINE
            if pattern.search(field.data):
                field.errors = [*field.errors, _l("Control characters are not allowed.")]
                valid = False
        return valid


class ConfirmForm(BaseForm):
    """A button that only needs its CSRF token (generate a code, support, withdraw, ...)."""
