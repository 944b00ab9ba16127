"""Forms for the execution plan: goals, budget lines, spending entries."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import TextInput

from gachi.core.forms import BaseForm, options
from gachi.plans.models import BudgetCategory
from gachi.plans.operations import MAX_AMOUNT

_WON = re.compile(r"^\d{1,12}$")


class WonField(Field):
    """Whole won, as people write them: "1,200,000", "1 200 000" or "1200000원"."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, render_kw={"inputmode": "numeric"}, **kwargs)

    def _value(self):
        return (
            self.raw_data[0] if self.raw_data else ("" if self.data is None else f"{self.data:,}")
        )

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        digits = re.sub(r"[,\s]|원$", "", valuelist[0].strip())
        if not _WON.match(digits):
            raise ValueError(_l("Enter the amount in whole won, such as 1,200,000."))
        self.data = int(digits)

    def pre_validate(self, form):
        if self.data is not None and self.data > MAX_AMOUNT:
            raise ValidationError(_l("This amount is too large; check the number of zeros."))


class GoalsForm(BaseForm):
    goals = TextAreaField(_l("Goals"), validators=[Length(max=5000)])


class BudgetLineForm(BaseForm):
    category = SelectField(
        _l("Budget category"), choices=options(BudgetCategory.choices()), coerce=BudgetCategory
    )
    description = StringField(_l("What it pays for"), validators=[DataRequired(), Length(max=200)])
    amount = WonField(_l("Budget (won)"), validators=[InputRequired()])


class SpendingForm(BaseForm):
    """The view fills in the budget lines."""

    budget_line_id = SelectField(_l("Budget line"), coerce=int, validators=[InputRequired()])
    spent_on = DateField(_l("Date"), validators=[InputRequired()])
    amount = WonField(_l("Amount spent (won)"), validators=[InputRequired()])
    payee = StringField(_l("Paid to"), validators=[DataRequired(), Length(max=120)])
    receipt_note = TextAreaField(_l("Receipt note"), validators=[Length(max=2000)])
    over_budget_reason = TextAreaField(
        _l("Reason, if this goes over the line's budget"), validators=[Length(max=2000)]
    )

    def validate_amount(self, field):
        if field.data is not None and field.data <= 0:
            raise ValidationError(_l("Enter an amount above zero."))
