"""The base form: every text in is NFC-normalised, length-checked and control-free."""
import re
import unicodedata
from functools import cache

from babel.support import Translations
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.i18n import messages_path
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


def _with_text_rules(unbound_field):
    """A copy of a text field's UnboundField with the filters (NFC, strip) and a length
    limit added. An UnboundField belongs to its form class and every instance of the form
    binds it again, so it is left as it is (adding to it each time would pile up the
    filters request after request) and the copy is made once and kept on it."""
    prepared = unbound_field.__dict__.get("_with_text_rules")
    if prepared is None:
        kwargs = dict(unbound_field.kwargs)
        for position, name in enumerate(("label", "validators")):  # UnboundField(label, validators)
            if len(unbound_field.args) > position:
                kwargs.setdefault(name, unbound_field.args[position])
        filters = [normalise_text, *kwargs.get("filters", ())]
        if unbound_field.field_class not in (TextAreaField, PasswordField):
            filters.append(strip_text)
        validators = list(kwargs.get("validators") or [])
        if not any(isinstance(v, Length) and v.max != -1 for v in validators):
            validators.append(Length(max=DEFAULT_MAX_LENGTH.get(unbound_field.field_class, 200)))
        kwargs.update(filters=filters, validators=validators)
        prepared = unbound_field._with_text_rules = UnboundField(unbound_field.field_class, **kwargs)
    return prepared


@cache
def _wtforms_messages(locale):
    """WTForms' own messages ("Not a valid choice.") in `locale`, read once per process.
    Flask-WTF would read and parse the catalogue anew in every request that makes a form."""
    return Translations.load(messages_path(), [locale], domain="wtforms")


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _wtforms_messages(str(get_locale()))

        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, StringField):
                unbound_field = _with_text_rules(unbound_field)
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
