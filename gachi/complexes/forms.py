"""Forms for cohorts, complexes, households, codes and stage moves."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from gachi.complexes.districts import District
from gachi.complexes.models import LONGEST_LEAD_HOURS, Tenure
from gachi.complexes.stages import Stage
from gachi.core.forms import BaseForm, finite_number, options


def _int_or_none(value):
    if value in (None, ""):
        return None
    return int(value)


class CohortForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date cannot be before the start date."))

    def cohort_fields(self):
        return {
            "name": self.name.data,
            "year": self.year.data,
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "description": self.description.data or "",
        }


class RecruitForm(BaseForm):
    """Take a complex into a cohort; the view fills in the complexes."""

    complex_id = SelectField(_l("Complex"), coerce=int, validators=[InputRequired()])


class ComplexForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    district = SelectField(_l("District"), choices=options(District.choices()), coerce=District)
    address = StringField(_l("Address"), validators=[Length(max=200)])
    household_count = IntegerField(
        _l("Households"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    resident_count = IntegerField(
        _l("Residents"), validators=[Optional(), NumberRange(min=0, max=1000000)]
    )
    elderly_share = DecimalField(
        _l("Residents aged 65 or over (%)"),
        places=1,
        validators=[Optional(), finite_number, NumberRange(min=0, max=100)],
    )
    tenure = SelectField(_l("Tenure"), choices=options(Tenure.choices()), coerce=Tenure)
    built_year = IntegerField(
        _l("Year built"), validators=[Optional(), NumberRange(min=1900, max=2100)]
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])

    def complex_fields(self):
        return {
            name: getattr(self, name).data
            for name in (
                "name",
                "district",
                "address",
                "household_count",
                "resident_count",
                "elderly_share",
                "tenure",
                "built_year",
                "description",
            )
        } | {"address": self.address.data or "", "description": self.description.data or ""}


class ComplexFilterForm(BaseForm):
    """The filters of the complex list, read from the query string."""

    class Meta:
        csrf = False

    name = StringField(_l("Name contains"), validators=[Optional(), Length(max=100)])
    district = SelectField(
        _l("District"),
        default="",
        choices=options([("", _l("All districts")), *District.choices()]),
    )
    cohort = SelectField(_l("Cohort"), coerce=_int_or_none)
    stage = SelectField(
        _l("Stage"), default="", choices=options([("", _l("Any stage")), *Stage.choices()])
    )
    tenure = SelectField(
        _l("Tenure"), default="", choices=options([("", _l("Any tenure")), *Tenure.choices()])
    )
    page = IntegerField(
        _l("Page"), default=1, validators=[Optional(), NumberRange(min=1, max=100000)]
    )

    def filters(self):
        return {
            "cohort_id": self.cohort.data,
            "district": self.district.data or None,
            "stage": self.stage.data or None,
            "tenure": self.tenure.data or None,
            "name": self.name.data or None,
        }


class CohortFilterForm(BaseForm):
    """The filters of a cohort's list of complexes, read from the query string."""

    class Meta:
        csrf = False

    name = StringField(_l("Name contains"), validators=[Optional(), Length(max=100)])
    district = SelectField(
        _l("District"),
        default="",
        choices=options([("", _l("All districts")), *District.choices()]),
    )
    stage = SelectField(
        _l("Stage"), default="", choices=options([("", _l("Any stage")), *Stage.choices()])
    )
    page = IntegerField(
        _l("Page"), default=1, validators=[Optional(), NumberRange(min=1, max=100000)]
    )

    def filters(self):
        return {
            "district": self.district.data or None,
            "stage": self.stage.data or None,
            "name": self.name.data or None,
        }


class HouseholdLinesForm(BaseForm):
    lines = TextAreaField(
        _l("Households, one a line"),
        validators=[DataRequired(), Length(max=100000)],
    )


RETURN_PAGES = options([("participation", "participation"), ("complex", "complex")])


class MoveStageForm(BaseForm):
    target = SelectField(_l("Move to"), choices=options(Stage.choices()))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    override_reason = TextAreaField(_l("Why move on anyway?"), validators=[Length(max=2000)])
    return_to = SelectField(choices=RETURN_PAGES, default="participation")


class HouseholdRangeForm(BaseForm):
    """Buildings × floors × units on a floor, less the exceptions (household_lists)."""

    buildings = StringField(_l("Buildings (동)"), validators=[DataRequired(), Length(max=200)])
    floors = StringField(_l("Floors (층)"), validators=[DataRequired(), Length(max=200)])
    lines = StringField(
        _l("Units on each floor (호)"), validators=[DataRequired(), Length(max=200)]
    )
    exceptions = TextAreaField(_l("Units to leave out"), validators=[Length(max=20000)])


class HouseholdFileForm(BaseForm):
    file = FileField(
        _l("The list as an Excel (.xlsx) or CSV file"),
        validators=[FileRequired(_l("Choose a file (.xlsx or .csv)."))],
    )


class HouseholdListConfirmForm(BaseForm):
    """The list the preview showed, signed (household_lists.seal)."""

    households = HiddenField(validators=[DataRequired(), Length(max=2_000_000)])
    make_codes = BooleanField(_l("Make an invitation code for each new household"), default=True)


def _lead_hours_field(label):
    return IntegerField(
        label,
        validators=[
            InputRequired(message=_l("Give the hours as a whole number.")),
            NumberRange(
                min=1,
                max=LONGEST_LEAD_HOURS,
                message=_l("Give between %(min)s and %(max)s hours."),
            ),
        ],
    )


class ReminderLeadTimesForm(BaseForm):
    """How many hours ahead the complex's people are reminded."""

    ballot_hours = _lead_hours_field(_l("Hours before a ballot closes"))
    workshop_hours = _lead_hours_field(_l("Hours before a workshop"))
    shift_hours = _lead_hours_field(_l("Hours before a volunteer shift"))

    def lead_times(self):
        return {
            "ballot_hours": self.ballot_hours.data,
            "workshop_hours": self.workshop_hours.data,
            "shift_hours": self.shift_hours.data,
        }
