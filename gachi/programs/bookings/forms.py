"""Forms for bookings: online, by phone, walk-ins, check-in by code."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from gachi.core.forms import BaseForm, options
from gachi.people.models import CONSENT_WORDING
from gachi.programs.bookings.models import Attendance


class SomeoneWithoutAccount(BaseForm):
    """Someone without an account, found again by household and phone (gachi/people)."""

    person_id = SelectField(_l("Or someone written down before"), coerce=int, default=0)
    household_id = SelectField(_l("Their household (동/호)"), coerce=int, default=0)
    phone = StringField(_l("Their phone number"), validators=[Length(max=20)])
    consent = BooleanField(CONSENT_WORDING)


class BookForm(BaseForm):
    party_size = IntegerField(
        _l("How many places"), default=1, validators=[InputRequired(), NumberRange(min=1, max=100)]
    )
    dependants = StringField(
        _l("Who comes (e.g. your child's name and age)"), validators=[Length(max=300)]
    )
    request_key = HiddenField(validators=[DataRequired(), Length(max=64)])


class PhoneBookingForm(SomeoneWithoutAccount):
    resident_id = SelectField(_l("Registered resident"), coerce=int, default=0)
    name = StringField(
        _l("Or the name of someone without an account"), validators=[Length(max=100)]
    )
    party_size = IntegerField(
        _l("How many places"), default=1, validators=[InputRequired(), NumberRange(min=1, max=100)]
    )
    dependants = StringField(_l("Who comes"), validators=[Length(max=300)])
    request_key = HiddenField(validators=[DataRequired(), Length(max=64)])


class WalkInForm(SomeoneWithoutAccount):
    resident_id = SelectField(_l("Registered resident"), coerce=int, default=0)
    name = StringField(_l("Or their name"), validators=[Length(max=100)])
    party_size = IntegerField(
        _l("How many places (or items)"),
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=100)],
    )


class CodeForm(BaseForm):
    code = StringField(_l("Booking code"), validators=[DataRequired(), Length(max=20)])


class CorrectAttendanceForm(BaseForm):
    attendance = SelectField(
        _l("What really happened"), choices=options(Attendance.choices()), coerce=Attendance
    )
    # Required by the operation (correct_attendance), which says so next to this field.
    reason = StringField(
        _l("Why it is corrected (e.g. signed the paper list but was missed at the door)"),
        validators=[Length(max=300)],
    )

    @classmethod
    def the_other(cls, recorded):
        """A blank form offering the answer other than the one `recorded`."""
        other = next(value for value in Attendance if value is not recorded)
        return cls(formdata=None, attendance=other)
