"""Forms for workshops: the plan and minutes, check-in, walk-ins and attachments."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from gachi.core.forms import BaseForm, options
from gachi.core.time import seoul_to_utc
from gachi.workshops.models import WorkshopRound


class WorkshopForm(BaseForm):
    round = SelectField(
        _l("Workshop"), choices=options(WorkshopRound.choices()), coerce=WorkshopRound
    )
    held_at = DateTimeLocalField(
        _l("Date and time (Seoul)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    place = StringField(_l("Venue"), validators=[Length(max=200)])
    facilitator = StringField(_l("Facilitator"), validators=[Length(max=100)])
    agenda = TextAreaField(_l("Agenda"), validators=[Length(max=5000)])
    minutes = TextAreaField(_l("Minutes"), validators=[Length(max=20000)])

    def workshop_fields(self):
        return {
            "round": self.round.data,
            "held_at": seoul_to_utc(self.held_at.data),
            "place": self.place.data or "",
            "facilitator": self.facilitator.data or "",
            "agenda": self.agenda.data or "",
            "minutes": self.minutes.data or "",
        }


class CheckInForm(BaseForm):
    """Either a registered resident, or a name (and household) for someone without an account."""

    resident_id = SelectField(_l("Registered resident"), coerce=int, default=0)
    name = StringField(
        _l("Or the name of someone without an account"), validators=[Length(max=100)]
    )
    household_id = SelectField(_l("Their household (if known)"), coerce=int, default=0)


class WalkInForm(BaseForm):
    count = IntegerField(
        _l("Unregistered walk-ins"), validators=[InputRequired(), NumberRange(min=0, max=10000)]
    )


class AttachmentForm(BaseForm):
    file = FileField(_l("Photo (JPG, PNG) or PDF, at most 5 MB"), validators=[FileRequired()])
