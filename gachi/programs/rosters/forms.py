"""Forms for a session's roster."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

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


class ShiftForm(BaseForm):
    """A volunteer shift inside the session: its times on the session's day (Seoul)."""

    starts_at = TimeField(_l("Shift starts"), validators=[InputRequired()])
    ends_at = TimeField(_l("Shift ends"), validators=[InputRequired()])
    needed = IntegerField(
        _l("Volunteers needed"), validators=[InputRequired(), NumberRange(min=1, max=100)]
    )


class StatementForm(BaseForm):
    """The period of a statement of hours (Seoul dates, both included)."""

    class Meta:
        csrf = False

    since = DateField(_l("From"), validators=[InputRequired()])
    until = DateField(_l("To"), validators=[InputRequired()])

    def validate_until(self, field):
        if self.since.data and field.data and field.data < self.since.data:
            raise ValidationError(_l("The end of the period must not be before its start."))
