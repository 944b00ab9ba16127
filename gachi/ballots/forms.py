"""Forms for opening a ballot, voting, receipts, paper ballots and tallies, ties."""

import json

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
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
from wtforms.widgets import CheckboxInput, ListWidget

from gachi.ballots.models import Eligibility, Method, TieRule
from gachi.core.forms import BaseForm, options
from gachi.core.time import seoul_to_utc


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OpenBallotForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    problems = CheckboxesField(_l("Shortlisted problems on the ballot"), coerce=int)
    method = SelectField(_l("How people vote"), choices=options(Method.choices()), coerce=Method)
    max_choices = IntegerField(
        _l("N: choices (approval) or dots (dot voting) per voter"),
        default=1,
        validators=[Optional(), NumberRange(min=1, max=30)],
    )
    max_per_option = IntegerField(
        _l("M: most dots on one option"),
        default=1,
        validators=[Optional(), NumberRange(min=1, max=30)],
    )
    eligibility = SelectField(
        _l("Who votes"), choices=options(Eligibility.choices()), coerce=Eligibility
    )
    opens_at = DateTimeLocalField(
        _l("Opens at"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    closes_at = DateTimeLocalField(
        _l("Closes at"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    seats = IntegerField(
        _l("How many problems to pick"),
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=29)],
    )
    quorum_percent = IntegerField(
        _l("Quorum: minimum turnout in percent (optional)"),
        validators=[Optional(), NumberRange(min=1, max=100)],
    )
    tie_rule = SelectField(_l("If options tie"), choices=options(TieRule.choices()), coerce=TieRule)

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The ballot must close after it opens."))

    def ballot_fields(self):
        return {
            "title": self.title.data,
            "method": self.method.data,
            "max_choices": self.max_choices.data or 1,
            "max_per_option": self.max_per_option.data or 1,
            "eligibility": self.eligibility.data,
            "opens_at": seoul_to_utc(self.opens_at.data),
            "closes_at": seoul_to_utc(self.closes_at.data),
            "seats": self.seats.data,
            "quorum_percent": self.quorum_percent.data,
            "tie_rule": self.tie_rule.data,
        }


class VoteForm(BaseForm):
    receipt = StringField(
        _l("Your receipt code (to change your vote)"), validators=[Optional(), Length(max=40)]
    )

    def __init__(self, ballot, **kwargs):
        super().__init__(**kwargs)
        self.ballot = ballot


class SingleVoteForm(VoteForm):
    choice = RadioField(
        _l("Choose one"), coerce=int, validators=[InputRequired(_l("Choose one option."))]
    )

    def chosen(self):
        """{option id: points}"""
        return {self.choice.data: 1}


class ApprovalVoteForm(VoteForm):
    choices = CheckboxesField(coerce=int)

    def chosen(self):
        return dict.fromkeys(self.choices.data, 1)


def _dots_form(ballot):
    """Dots: a number field per option, so the class is made for the ballot."""

    class DotsVoteForm(VoteForm):
        def chosen(self):
            return {
                option.id: self[f"dots_{option.id}"].data
                for option in ballot.options
                if self[f"dots_{option.id}"].data
            }

    for option in ballot.options:
        setattr(
            DotsVoteForm,
            f"dots_{option.id}",
            IntegerField(
                option.problem.title,
                default=0,
                validators=[Optional(), NumberRange(min=0, max=ballot.max_per_option)],
            ),
        )
    return DotsVoteForm(ballot)


def _rank_number(value):
    """A select's value as a place number; "" (not ranked) as None."""
    if value in ("", None):
        return None
    return int(value)


def _rank_choices(option_count):
    return options(
        [("", _l("Not ranked")), *((str(n), str(n)) for n in range(1, option_count + 1))]
    )


def _ranked_form(ballot):
    """Ranked: a place number (1 to the number of options, or none) per option, so the
    class is made for the ballot. Each select's label names its problem, then "rank"."""

    class RankedVoteForm(VoteForm):
        def chosen(self):
            """{option id: place} of the options given a place."""
            return {
                option.id: self[f"rank_{option.id}"].data
                for option in ballot.options
                if self[f"rank_{option.id}"].data is not None
            }

    choices = _rank_choices(len(ballot.options))
    for option in ballot.options:
        setattr(
            RankedVoteForm,
            f"rank_{option.id}",
            SelectField(
                _l("%(title)s, rank", title=option.problem.title),
                choices=choices,
                coerce=_rank_number,
                default="",
            ),
        )
    return RankedVoteForm(ballot)


def vote_form(ballot):
    """The ballot paper: one radio, checkboxes, or a number of dots per option. Single
    and approval forms are classes made once; only the options are the ballot's."""
    if ballot.is_ranked:
        return _ranked_form(ballot)
    if ballot.uses_dots:
        return _dots_form(ballot)
    choices = options([(option.id, option.problem.title) for option in ballot.options])
    if ballot.is_single_choice:
        form = SingleVoteForm(ballot)
        form.choice.choices = choices
    else:
        form = ApprovalVoteForm(ballot)
        form.choices.choices = choices
        form.choices.label.text = _l("Choose up to %(count)s", count=ballot.max_choices)
    return form


class ReceiptForm(BaseForm):
    receipt = StringField(_l("Receipt code"), validators=[DataRequired(), Length(max=40)])


class PaperVoterForm(BaseForm):
    user_id = SelectField(
        _l("Resident handed a paper ballot"), coerce=int, validators=[InputRequired()]
    )


def paper_tally_form(ballot, current=None):
    class PaperTallyForm(BaseForm):
        ballot_count = IntegerField(
            _l("Paper ballots cast"), validators=[InputRequired(), NumberRange(min=0, max=100000)]
        )
        note = TextAreaField(
            _l("Note (who counted, anything to know)"), validators=[Length(max=2000)]
        )

        def votes(self):
            return {option.id: self[f"votes_{option.id}"].data or 0 for option in ballot.options}

    lines = {line.option_id: line.votes for line in current.lines} if current else {}
    for option in ballot.options:
        setattr(
            PaperTallyForm,
            f"votes_{option.id}",
            IntegerField(
                option.problem.title,
                default=lines.get(option.id, 0),
                validators=[InputRequired(), NumberRange(min=0, max=1000000)],
            ),
        )
    return PaperTallyForm(ballot_count=current.ballot_count if current else None)


# Rows for distinct rankings beyond those entered so far; saving gives room for more.
EXTRA_RANKING_ROWS = 5


def ranked_paper_tally_form(ballot, current=None):
    """A ranked ballot's paper count: rows of "these place numbers → this many papers",
    one row per way the papers were numbered, with empty rows to fill (no script)."""
    entered = json.loads(current.rankings) if current is not None and current.rankings else {}
    rows = [
        ({int(o): place for place, o in enumerate(text.split(">"), start=1)}, ballots)
        for text, ballots in sorted(entered.items(), key=lambda item: -item[1])
    ]
    rows += [({}, None)] * EXTRA_RANKING_ROWS
    option_count = len(ballot.options)

    class RankedPaperTallyForm(BaseForm):
        note = TextAreaField(
            _l("Note (who counted, anything to know)"), validators=[Length(max=2000)]
        )
        row_numbers = range(1, len(rows) + 1)

        def rankings(self):
            """[({option id: place}, papers), ...] of the rows filled in."""
            filled = []
            for row in self.row_numbers:
                places = {
                    option.id: self[f"r{row}_{option.id}"].data
                    for option in ballot.options
                    if self[f"r{row}_{option.id}"].data is not None
                }
                papers = self[f"r{row}_count"].data
                if places or papers:
                    filled.append((places, papers or 0))
            return filled

        def validate(self, extra_validators=None):
            valid = super().validate(extra_validators)
            for row in self.row_numbers:
                numbered = any(
                    self[f"r{row}_{option.id}"].data is not None for option in ballot.options
                )
                if numbered and not self[f"r{row}_count"].data:
                    self[f"r{row}_count"].errors.append(
                        _l("Enter how many papers were numbered this way.")
                    )
                    valid = False
            return valid

    for row, (places, papers) in enumerate(rows, start=1):
        for option in ballot.options:
            setattr(
                RankedPaperTallyForm,
                f"r{row}_{option.id}",
                IntegerField(
                    _l("Row %(row)s: %(title)s, rank", row=row, title=option.problem.title),
                    default=places.get(option.id),
                    validators=[Optional(), NumberRange(min=1, max=option_count)],
                ),
            )
        setattr(
            RankedPaperTallyForm,
            f"r{row}_count",
            IntegerField(
                _l("Row %(row)s: papers numbered this way", row=row),
                default=papers,
                validators=[Optional(), NumberRange(min=0, max=1000000)],
            ),
        )
    return RankedPaperTallyForm()


class TieForm(BaseForm):
    option_id = SelectField(_l("Which option goes ahead"), coerce=int, validators=[InputRequired()])
    note = TextAreaField(_l("How it was decided"), validators=[DataRequired(), Length(max=2000)])


class PaperHouseholdForm(BaseForm):
    """A household (동/호) of the list marked as having voted on paper."""

    household_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])


class PaperHouseholdRemovalForm(BaseForm):
    reason = StringField(
        _l("Why the paper mark is removed"), validators=[DataRequired(), Length(max=500)]
    )
