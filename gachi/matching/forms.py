"""Forms for offering work, answering offers, and rating an enterprise."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from gachi.core.forms import BaseForm, options
from gachi.core.routing import LARGEST_ID


class OfferForm(BaseForm):
    """Offer the work to an enterprise, or keep it on the shortlist for later."""

    enterprise_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=LARGEST_ID)])
    action = SelectField(
        choices=options([("offer", _l("Offer")), ("suggest", _l("Shortlist"))]), default="offer"
    )
    message = TextAreaField(_l("Message to the enterprise"), validators=[Length(max=2000)])


class AnswerForm(BaseForm):
    decision = RadioField(
        _l("Your answer"),
        validators=[InputRequired()],
        choices=options(
            [
                ("accept", _l("We accept this offer")),
                ("decline", _l("We decline this offer")),
            ]
        ),
    )
    note = TextAreaField(
        _l("Note (a reason is needed when declining)"), validators=[Length(max=2000)]
    )


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class RatingForm(BaseForm):
    score = SelectField(
        _l("Rating"),
        coerce=int,
        choices=options([(score, str(score)) for score in (5, 4, 3, 2, 1)]),
        validators=[InputRequired()],
    )
    comment = TextAreaField(_l("Comment for other complexes"), validators=[Length(max=2000)])
