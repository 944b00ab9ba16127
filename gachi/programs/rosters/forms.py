"""Forms for a session's roster."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange

from gachi.core.forms import BaseForm, options
from gachi.programs.rosters.models import RosterRole


class RosterForm(BaseForm):
    role = SelectField(_l("Role"), choices=options(RosterRole.choices()), coerce=RosterRole)
    resident_id = SelectField(_l("Registered resident"), coerce=int, default=0)
    name = StringField(_l("Or a name"), validators=[Length(max=100)])


class VolunteersNeededForm(BaseForm):
    count = IntegerField(
        _l("Volunteers needed"), validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
