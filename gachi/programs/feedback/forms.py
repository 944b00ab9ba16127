"""The feedback form."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    RadioField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length

from gachi.core.forms import BaseForm, options
from gachi.programs.feedback.models import ChangeTopic


class FeedbackForm(BaseForm):
    rating = RadioField(
        _l("How was it? (1 poor – 5 very good)"),
        coerce=int,
        choices=options([(5, "5"), (4, "4"), (3, "3"), (2, "2"), (1, "1")]),
        validators=[InputRequired()],
    )
    change_topic = SelectField(
        _l("What should change"), choices=options(ChangeTopic.choices()), coerce=ChangeTopic
    )
    change_note = TextAreaField(
        _l("Tell us more about what should change"), validators=[Length(max=2000)]
    )
    comment = TextAreaField(_l("Anything else"), validators=[Length(max=2000)])


class PaperFeedbackForm(FeedbackForm):
    """Feedback given on paper by someone without an account, entered by the coordinator."""

    person_id = SelectField(_l("Who gave it"), coerce=int, validators=[InputRequired()])
