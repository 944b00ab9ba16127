"""The audit log's filters, read from the query string."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from gachi.audit.actions import action_choices
from gachi.audit.queries import AuditFilters
from gachi.core.forms import BaseForm, options


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    person = StringField(_l("Person (name or user name)"), validators=[Optional(), Length(max=64)])
    action = SelectField(_l("What"), default="", validators=[Optional()])
    complex_name = StringField(
        _l("Complex name contains"), validators=[Optional(), Length(max=100)]
    )
    since = DateField(_l("From day"), validators=[Optional()])
    until = DateField(_l("To day"), validators=[Optional()])
    page = IntegerField(
        _l("Page"), default=1, validators=[Optional(), NumberRange(min=1, max=100000)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = options([("", _l("Everything")), *action_choices()])

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The last day comes before the first."))

    def filters(self):
        return AuditFilters(
            person=self.person.data or None,
            action=self.action.data or None,
            complex_name=self.complex_name.data or None,
            since=self.since.data,
            until=self.until.data,
        )
