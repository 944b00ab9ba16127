from datetime import time
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from gachi.bizmodels.models import Basis
from gachi.bizmodels.operations import RecipeLine
from gachi.bizmodels.recipes import Event
from gachi.complexes.models import Tenure
from gachi.core.forms import BaseForm, finite_number, options
from gachi.plans.models import BudgetCategory

WEEKDAY_CHOICES = [
    (0, _l("Monday")),
    (1, _l("Tuesday")),
    (2, _l("Wednesday")),
    (3, _l("Thursday")),
    (4, _l("Friday")),
    (5, _l("Saturday")),
    (6, _l("Sunday")),
]
SEPARATOR = "|"


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RecipeError(ValueError):
    pass


def _parts(line, count, number):
    parts = [part.strip() for part in line.split(SEPARATOR)]
    if len(parts) != count:
        raise RecipeError(
            _l("Line %(number)s: give %(count)s parts separated by |.", number=number, count=count)
        )
    return parts


def _whole(value, number):
    try:
        return int(value.replace(",", ""))
    except ValueError:
        raise RecipeError(
            _l("Line %(number)s: %(value)s is not a whole number.", number=number, value=value)
        ) from None


def _clock(value, number):
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise RecipeError(_l("Line %(number)s: write times as 14:00.", number=number)) from None


def _lines_of(text):
    return [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]


def parse_budget(text) -> list[RecipeLine]:
    """`category | basis | amount | description`, one line each."""
    categories = {member.value for member in BudgetCategory}
    bases = {member.value for member in Basis}
    lines = []
    for number, line in _lines_of(text):
        category, basis, amount, description = _parts(line, 4, number)
        if category not in categories or basis not in bases:
            raise RecipeError(_l("Line %(number)s: unknown category or basis.", number=number))
        lines.append(
            RecipeLine(BudgetCategory(category), description, _whole(amount, number), Basis(basis))
        )
    return lines


def parse_events(text) -> list[Event]:
    """`day offset | 14:00-18:00 | title`, one event each (offset 0 is the first day)."""
    events = []
    for number, line in _lines_of(text):
        offset, window, title = _parts(line, 3, number)
        if "-" not in window:
            raise RecipeError(_l("Line %(number)s: write times as 14:00.", number=number))
        start, end = window.split("-", 1)
        events.append(
            Event(
                title,
                _whole(offset, number),
                _clock(start.strip(), number),
                _clock(end.strip(), number),
            )
        )
    return events


def parse_targets(text, kpi_ids) -> dict[int, Decimal]:
    """`KPI code | value`, one target each; `kpi_ids` maps codes to ids."""
    targets = {}
    for number, line in _lines_of(text):
        code, value = _parts(line, 2, number)
        if code not in kpi_ids:
            raise RecipeError(
                _l("Line %(number)s: no KPI has the code %(code)s.", number=number, code=code)
            )
        try:
            amount = Decimal(value.replace(",", ""))
        except InvalidOperation:
            raise RecipeError(
                _l("Line %(number)s: %(value)s is not a number.", number=number, value=value)
            ) from None
        if not amount.is_finite():
            raise RecipeError(
                _l("Line %(number)s: %(value)s is not a number.", number=number, value=value)
            )
        targets[kpi_ids[code]] = amount
    return targets


class PublishForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    category = SelectField(_l("Problem category"), coerce=_int_or_none, validators=[DataRequired()])
    summary = TextAreaField(_l("What it is and why it worked"), validators=[Length(max=5000)])
    audience = StringField(_l("Who it is for"), validators=[Length(max=200)])
    schedule_shape = TextAreaField(_l("Schedule shape"), validators=[Length(max=2000)])
    weeks = IntegerField(_l("Weeks"), validators=[Optional(), NumberRange(min=1, max=52)])
    weekdays = CheckboxesField(_l("Weekdays"), choices=options(WEEKDAY_CHOICES), coerce=int)
    start_time = TimeField(_l("From (Seoul time)"), validators=[Optional()])
    end_time = TimeField(_l("Until"), validators=[Optional()])
    participants = IntegerField(
        _l("Participants a run is planned for"),
        validators=[Optional(), NumberRange(min=0, max=100_000)],
    )
    budget = TextAreaField(_l("Budget lines"), validators=[Length(max=5000)])
    events = TextAreaField(_l("One-off events"), validators=[Length(max=2000)])
    targets = TextAreaField(_l("KPI targets"), validators=[Length(max=2000)])
    enterprise_categories = CheckboxesField(_l("Categories the enterprises work in"), coerce=int)

    def recipe_fields(self, kpi_ids):
        """The recipe's values, or None with the field's error set."""
        values = {}
        for name, parse in (
            ("lines", lambda: parse_budget(self.budget.data or "")),
            ("events", lambda: parse_events(self.events.data or "")),
            ("targets", lambda: parse_targets(self.targets.data or "", kpi_ids)),
        ):
            try:
                values[name] = parse()
            except RecipeError as error:
                field = {"lines": self.budget, "events": self.events, "targets": self.targets}[name]
                field.errors = [*field.errors, str(error.args[0])]
                return None
        return values

    def model_fields(self):
        return {
            "title": self.title.data,
            "category_id": self.category.data,
            "summary": self.summary.data,
            "audience": self.audience.data,
            "schedule_shape": self.schedule_shape.data,
            "weeks": self.weeks.data,
            "weekdays": self.weekdays.data or [],
            "start_time": self.start_time.data,
            "end_time": self.end_time.data,
            "participants": self.participants.data,
            "enterprise_category_ids": self.enterprise_categories.data or [],
        }


class AdoptForm(BaseForm):
    participation = SelectField(_l("Adopt it in"), coerce=_int_or_none, validators=[DataRequired()])
    starts_on = DateField(_l("First day"), validators=[Optional()])


SIZES = {
    "small": (0, 299),
    "medium": (300, 999),
    "large": (1000, None),
}
SIZE_CHOICES = [
    ("", _l("Any size")),
    ("small", _l("Under 300 households")),
    ("medium", _l("300 to 999 households")),
    ("large", _l("1,000 households or more")),
]
# A complex whose residents are 20% or more aged 65 or over is ageing (고령사회 threshold).
AGEING_SHARE = 20
AGE_CHOICES = [
    ("", _l("Any age profile")),
    ("ageing", _l("Aged 65+: a fifth or more")),
    ("younger", _l("Aged 65+: under a fifth")),
]


class CatalogueFilterForm(BaseForm):
    class Meta:
        csrf = False

    category = SelectField(_l("Problem category"), coerce=_int_or_none, validators=[Optional()])
    size = SelectField(
        _l("Size of the complex"), choices=options(SIZE_CHOICES), validators=[Optional()]
    )
    tenure = SelectField(_l("Tenure"), validators=[Optional()])
    age = SelectField(_l("Age profile"), choices=options(AGE_CHOICES), validators=[Optional()])
    participation = IntegerField(validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenure.choices = options([("", _l("Any tenure")), *Tenure.choices()])


def draft_form(adoption, formdata=None):
    """The draft's form: its schedule and one field per budget line and target."""

    class DraftForm(BaseForm):
        title = StringField(_l("Programme title"), validators=[DataRequired(), Length(max=120)])
        starts_on = DateField(_l("First day"), validators=[InputRequired()])
        start_time = TimeField(_l("From (Seoul time)"), validators=[InputRequired()])
        end_time = TimeField(_l("Until"), validators=[InputRequired()])
        expected_participants = IntegerField(
            _l("Expected participants"), validators=[Optional(), NumberRange(min=0, max=100_000)]
        )

    for line in adoption.lines:
        setattr(
            DraftForm,
            f"line_{line.id}_description",
            StringField(_l("Budget line"), validators=[DataRequired(), Length(max=200)]),
        )
        setattr(
            DraftForm,
            f"line_{line.id}_amount",
            IntegerField(
                _l("Budget (won)"),
                validators=[InputRequired(), NumberRange(min=0, max=10_000_000_000)],
            ),
        )
    for target in adoption.targets:
        setattr(
            DraftForm,
            f"target_{target.kpi_id}",
            DecimalField(
                target.kpi.name,
                validators=[InputRequired(), NumberRange(min=0, max=10**12), finite_number],
            ),
        )
    data = {
        "title": adoption.title,
        "starts_on": adoption.starts_on,
        "start_time": adoption.start_time,
        "end_time": adoption.end_time,
        "expected_participants": adoption.expected_participants,
    }
    for line in adoption.lines:
        data[f"line_{line.id}_description"] = line.description
        data[f"line_{line.id}_amount"] = line.amount
    for target in adoption.targets:
        data[f"target_{target.kpi_id}"] = target.value
    form = DraftForm(formdata=formdata, data=data) if formdata is not None else DraftForm(data=data)
    return form


def draft_values(form, adoption):
    return {
        "title": form.title.data,
        "starts_on": form.starts_on.data,
        "start_time": form.start_time.data,
        "end_time": form.end_time.data,
        "expected_participants": form.expected_participants.data,
        "lines": {
            line.id: (
                form[f"line_{line.id}_description"].data,
                form[f"line_{line.id}_amount"].data,
            )
            for line in adoption.lines
        },
        "targets": {
            target.kpi_id: form[f"target_{target.kpi_id}"].data for target in adoption.targets
        },
    }


def weekday_names(numbers):
    """ "Monday, Tuesday, …" for weekday numbers (0 = Monday)."""
    return ", ".join(str(label) for number, label in WEEKDAY_CHOICES if number in numbers)
