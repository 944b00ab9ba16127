from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from gachi.core.forms import BaseForm


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class PublishForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    category = SelectField(_l("Problem category"), coerce=_int_or_none, validators=[DataRequired()])
    summary = TextAreaField(_l("What it is and why it worked"), validators=[Length(max=5000)])
    audience = StringField(_l("Who it is for"), validators=[Length(max=200)])
    schedule_shape = TextAreaField(_l("Schedule shape"), validators=[Length(max=2000)])

    def model_fields(self):
        return {
            "title": self.title.data,
            "category_id": self.category.data,
            "summary": self.summary.data,
            "audience": self.audience.data,
            "schedule_shape": self.schedule_shape.data,
        }


class AdoptForm(BaseForm):
    participation = SelectField(_l("Adopt it in"), coerce=_int_or_none, validators=[DataRequired()])
