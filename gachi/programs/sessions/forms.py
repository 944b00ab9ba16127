"""Forms of a session's coordinator: its places, cancelling it."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange

from gachi.core.forms import BaseForm


class CapacityForm(BaseForm):
    capacity = IntegerField(
        _l("Places (or items in stock)"),
        validators=[InputRequired(), NumberRange(min=0, max=10000)],
    )


class CancelSessionForm(BaseForm):
    reason = StringField(_l("Why it is cancelled"), validators=[Length(max=200)])
