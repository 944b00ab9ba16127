"""Forms for programmes, their schedule, skipped and moved days, and one-off events."""

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from gachi.core.forms import BaseForm, options
from gachi.programs.models import CapacityKind
from gachi.programs.operations import PROGRAM_FIELDS

WEEKDAY_CHOICES = [
    (0, _l("Monday")),
    (1, _l("Tuesday")),
    (2, _l("Wednesday")),
    (3, _l("Thursday")),
    (4, _l("Friday")),
    (5, _l("Saturday")),
    (6, _l("Sunday")),
]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def as_day(value):
    """A day sent as 2026-12-25 (a checkbox's value) or given as a date."""
    return value if isinstance(value, date) else date.fromisoformat(value)


class DaysField(CheckboxesField):
    """Ticked days. The days offered depend on the dates sent with them, so a day not
    offered is let through here and judged by the operation."""

    def __init__(self, *args, **kwargs):
        super().__init__(
            *args,
            coerce=as_day,
            validate_choice=False,
            invalid_value_message=_l("Tick days from the list."),
            **kwargs,
        )


class ProgramForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    problem_id = SelectField(_l("Problem it answers"), coerce=int)
    enterprise_ids = CheckboxesField(_l("Delivered by"), coerce=int)
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    venue = StringField(_l("Venue"), validators=[Length(max=200)])
    audience = StringField(
        _l("Audience (e.g. pre-school children, aged 55+)"), validators=[Length(max=200)]
    )
    fee = IntegerField(
        _l("Fee in won (0 for free)"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=10_000_000)],
    )
    capacity_kind = SelectField(
        _l("What a session offers"), choices=options(CapacityKind.choices()), coerce=CapacityKind
    )
    default_capacity = IntegerField(
        _l("Places (or items in stock) per session"),
        default=10,
        validators=[InputRequired(), NumberRange(min=1, max=10000)],
    )
    residents_may_book = BooleanField(
        _l("Residents book online (otherwise only by phone)"), default=True
    )
    booking_opens_days = IntegerField(
        _l("Bookings open this many days before a session"),
        default=30,
        validators=[InputRequired(), NumberRange(min=0, max=365)],
    )
    booking_closes_hours = IntegerField(
        _l("Bookings close this many hours before a session"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=720)],
    )
    cancel_hours = IntegerField(
        _l("Residents cancel until this many hours before a session"),
        default=2,
        validators=[InputRequired(), NumberRange(min=0, max=720)],
    )
    max_party_size = IntegerField(
        _l("Most places one booking may take"),
        default=4,
        validators=[InputRequired(), NumberRange(min=1, max=100)],
    )
    waiting_list = BooleanField(_l("Keep a waiting list when a session is full"), default=True)
    is_public = BooleanField(_l("Show in the complex's public calendar"), default=True)
    reminder_hours = IntegerField(
        _l("Remind people this many hours before (empty: no reminders)"),
        default=24,
        validators=[Optional(), NumberRange(min=1, max=168)],
    )

    RULES = PROGRAM_FIELDS  # the fields create_program and update take

    def program_values(self):
        values = {name: self[name].data for name in self.RULES}
        values["description"] = values["description"] or ""
        values["venue"], values["audience"] = values["venue"] or "", values["audience"] or ""
        return values


class ScheduleForm(BaseForm):
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    weekdays = CheckboxesField(_l("Weekdays"), choices=options(WEEKDAY_CHOICES), coerce=int)
    start_time = TimeField(_l("From (Seoul time)"), validators=[InputRequired()])
    end_time = TimeField(_l("Until"), validators=[InputRequired()])
    # The public holidays on the schedule's days (choices set by the view): ticked, held.
    held_holidays = DaysField(_l("Public holidays: no session unless you tick the day"))
    preview = SubmitField(_l("Preview"))
    # Set by the confirmation step: names the sessions the coordinator agreed to remove.
    confirmed = HiddenField(validators=[Length(max=64)])


class ExceptionForm(BaseForm):
    day = DateField(_l("Scheduled day"), validators=[InputRequired()])
    moved_to = DateField(_l("Move it to (empty: skip the day)"), validators=[Optional()])
    note = StringField(_l("Why (e.g. a public holiday)"), validators=[Length(max=200)])


class OneOffForm(BaseForm):
    title = StringField(_l("Title of the event"), validators=[Length(max=120)])
    starts_at = DateTimeLocalField(
        _l("Starts (Seoul time)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    capacity = IntegerField(
        _l("Places (or items in stock)"),
        validators=[InputRequired(), NumberRange(min=1, max=10000)],
    )
