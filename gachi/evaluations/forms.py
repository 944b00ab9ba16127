"""Forms of the evaluation: the coordinator's draft and the staff sign-off."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length

from gachi.core.forms import BaseForm, options
from gachi.evaluations.models import Decision


class DraftForm(BaseForm):
    what_happened = TextAreaField(
        _l("What happened"), validators=[DataRequired(), Length(max=5000)]
    )
    residents_said = TextAreaField(_l("What residents said"), validators=[Length(max=5000)])
    what_to_change = TextAreaField(_l("What to change"), validators=[Length(max=5000)])

    def texts(self):
        return {
            name: getattr(self, name).data or ""
            for name in ("what_happened", "residents_said", "what_to_change")
        }


class SignForm(BaseForm):
    decision = SelectField(_l("Decision for next year"), choices=options(Decision.choices()))
    organisers = SelectMultipleField(
        _l("Resident organisers (when handing over)"), coerce=int, validate_choice=True
    )
    note = TextAreaField(_l("Note on the decision"), validators=[Length(max=2000)])
