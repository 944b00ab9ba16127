"""Forms for proposing, discussing and sorting problems."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from gachi.core.forms import BaseForm, options
from gachi.proposals.models import ProblemState


class ProblemForm(BaseForm):
    title = StringField(_l("Problem, in a few words"), validators=[DataRequired(), Length(max=120)])
    category = SelectField(_l("Kind of problem"), coerce=int, validators=[InputRequired()])
    description = TextAreaField(
        _l("What happens, and who it affects"), validators=[Length(max=5000)]
    )


class ProblemEntryForm(ProblemForm):
    """The coordinator types in what someone said in the room."""

    on_behalf_of = SelectField(_l("Who raised it"), coerce=int, default=0)


class CommentForm(BaseForm):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=2000)])


class ProblemStateForm(BaseForm):
    target = SelectField(
        _l("New state"), choices=options(ProblemState.choices()), coerce=ProblemState
    )


class MergeForm(BaseForm):
    into = SelectField(_l("Merge into"), coerce=int, validators=[InputRequired()])
