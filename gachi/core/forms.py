"""The base form: every text in is NFC-normalised, length-checked and control-free."""
import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, StopValidation

# C0 and C1 controls and DEL; a textarea may also hold tab and line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")

DEFAULT_MAX_LENGTH = {StringField: 200, TextAreaField: 5000}


def normalise_text(value):
    """Korean typed on some phones arrives decomposed (NFD); store one form."""
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value)
    return value


def strip_text(value):
    return value.strip() if isinstance(value, str) else value


def options(pairs):
    """(value, label) pairs, e.g. `LabelledEnum.choices()`, as WTForms select choices."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def finite_number(form, field):
    """NaN and Infinity parse as decimals; they are no amount or share of anything."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(_l("Enter a number."))


def _move_positional_arguments(unbound_field):
    """UnboundField(label, validators, ...): make both keywords so we can add to them."""
    for position, name in enumerate(("label", "validators")):
        if len(unbound_field.args) > position:
            unbound_field.kwargs.setdefault(name, unbound_field.args[position])
    unbound_field.args = ()


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, StringField):
                _move_positional_arguments(unbound_field)
                filters = [normalise_text, *unbound_field.kwargs.get("filters", ())]
                if unbound_field.field_class not in (TextAreaField, PasswordField):
                    filters.append(strip_text)
                unbound_field.kwargs["filters"] = filters
                validators = list(unbound_field.kwargs.get("validators") or [])
                if not any(isinstance(v, Length) and v.max != -1 for v in validators):
                    limit = DEFAULT_MAX_LENGTH.get(unbound_field.field_class, 200)
                    validators.append(Length(max=limit))
                unbound_field.kwargs["validators"] = validators
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in self:
            if not isinstance(field, StringField) or not isinstance(field.data, str):
                continue
            pattern = _CONTROL if isinstance(field, TextAreaField) else _CONTROL_IN_LINE
            if pattern.search(field.data):
                field.errors = [*field.errors, _l("Control characters are not allowed.")]
                valid = False
        return valid
