"""Ballots: the list, opening one, the ballot paper and receipt, paper ballots and
tallies, closing, the tie decision, confirming, results and their export.

No page or export says who chose what: results are sums, and the roll is shown as
counts, except on the coordinator's paper roll of a per-household ballot, which lists
the households of a 동 with whether each voted (on paper or online), never how.
"""

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gachi.auth.models import User
from gachi.ballots import queries
from gachi.ballots.box import points_of
from gachi.ballots.forms import (
    OpenBallotForm,
    PaperHouseholdForm,
    PaperHouseholdRemovalForm,
    PaperVoterForm,
    ReceiptForm,
    TieForm,
    paper_tally_form,
    ranked_paper_tally_form,
    vote_form,
)
from gachi.ballots.models import Ballot, BallotOption, Channel
from gachi.ballots.operations import (
    cast_vote,
    change_vote,
    choices_for_receipt,
    close_ballot,
    confirm_selection,
    hand_paper_ballot,
    mark_household_on_paper,
    marking_for_receipt,
    open_ballot,
    record_paper_tally,
    record_ranked_paper_tally,
    record_tie_decision,
    unmark_household_on_paper,
)
from gachi.ballots.receipts import (
    format_receipt,
    is_well_formed,
    new_receipt,
    normalise_code,
    receipt_qr_data_uri,
)
from gachi.complexes.models import Household, Participation
from gachi.complexes.queries import latest_participation
from gachi.core.access import load_for, require
from gachi.core.audit import no_store
from gachi.core.errors import Conflict
from gachi.core.forms import ConfirmForm, options
from gachi.core.handlers import operating, unit_of_work
from gachi.core.spreadsheets import csv_response
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.proposals.models import Problem, ProblemState

bp = Blueprint("ballots", __name__)

RECEIPT_COOKIE_DAYS = 180
# The session key that carries a new receipt from the vote's POST to the GET showing it.
NEW_RECEIPT = "new_receipt"


def _receipt_cookie(ballot):
    return f"ballot_receipt_{ballot.id}"


def _set_receipt_cookie(response, ballot, receipt):
    """The receipt stays on the resident's device, readable only by this ballot's pages."""
    response.set_cookie(
        _receipt_cookie(ballot),
        normalise_code(receipt),
        max_age=RECEIPT_COOKIE_DAYS * 86400,
        path=f"/ballots/{ballot.id}",
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def _device_receipt(ballot):
    receipt = request.cookies.get(_receipt_cookie(ballot), "")
    return receipt if is_well_formed(receipt) else None


def _load(ballot_id):
    """The ballot in the user's scope. Its stored state may lag behind the clock: pages
    ask `ballot.state_at(now)` and its predicates, and write nothing down."""
    return load_for(current_user, Ballot, ballot_id, options=queries.WITH_SCOPE_AND_OPTIONS)


@bp.route("/my/ballots")
@login_required
def my_ballots():
    if not current_user.is_resident:
        abort(404)
    participation = latest_participation(current_user.complex_id)
    if participation is None:
        flash(_("Your complex is not taking part in a cohort yet."), "warning")
        return redirect(url_for("public.my_complex"))
    return redirect(url_for(".ballot_list", participation_id=participation.id))


@bp.route("/participations/<int:participation_id>/ballots")
@login_required
def ballot_list(participation_id):
    participation = load_for(current_user, Participation, participation_id)
    return render_template(
        "ballots/ballot_list.html",
        participation=participation,
        lines=queries.participation_ballots(participation.id),
        now=utcnow(),
        manages=participation.can_manage(current_user),
    )


def _open_form(participation):
    form = OpenBallotForm()
    shortlisted = queries.shortlisted_problems(participation.id)
    form.problems.choices = options([(problem.id, problem.title) for problem in shortlisted])
    if not form.is_submitted():
        form.problems.data = [problem.id for problem in shortlisted]
    return form


def _open_page(participation, form, status):
    return render_template(
        "ballots/ballot_form.html", participation=participation, form=form
    ), status


@bp.route("/participations/<int:participation_id>/ballots/new", methods=["GET", "POST"])
@login_required
@unit_of_work
def ballot_new(participation_id):
    participation = load_for(current_user, Participation, participation_id, permission="can_manage")
    form = _open_form(participation)
    if not form.validate_on_submit():
        return _open_page(participation, form, 400 if form.is_submitted() else 200)
    problems = [db.session.get(Problem, problem_id) for problem_id in form.problems.data]
    with operating(lambda status: _open_page(participation, form, status), form=form):
        ballot = open_ballot(
            participation, problems=problems, actor=current_user, **form.ballot_fields()
        )
    flash(_("The ballot was set up: %(title)s", title=ballot.title), "success")
    return redirect(url_for(".ballot_detail", ballot_id=ballot.id))


def _ballot_page(ballot, *, form=None, error=None, status=200):
    now = utcnow()
    manages = ballot.can_manage(current_user)
    channel = queries.voted_channel(ballot, current_user) if ballot.can_vote(current_user) else None
    # On a per-household ballot the roll may hold another member of the household.
    voted_myself = channel is not None and (
        not ballot.per_household or queries.voted_by(ballot, current_user)
    )
    receipt = _device_receipt(ballot) if channel is Channel.ONLINE else None
    my_marking = marking_for_receipt(ballot, receipt, current_user) if receipt else None
    my_choices = points_of(my_marking) if my_marking else None
    results = (
        queries.ballot_results(ballot)
        if (manages or ballot.can_see_results(current_user, now))
        else None
    )
    paper_form = PaperVoterForm()
    paper_form.user_id.choices = options(queries.paper_ballot_candidates(ballot)) if manages else []
    tie_form = TieForm()
    if results and results.tied_at_cut_ids:
        tie_form.option_id.choices = options(
            [
                (o.option_id, o.title)
                for o in results.options
                if o.option_id in results.tied_at_cut_ids
            ]
        )
    # A household marked on paper from the coordinator's list (no member's account).
    household_marked = (
        channel is Channel.PAPER
        and ballot.per_household
        and not voted_myself
        and queries.marked_without_account(ballot, current_user.household_id)
    )
    return render_template(
        "ballots/ballot_detail.html",
        ballot=ballot,
        paper_roll=_paper_roll(ballot) if manages and ballot.per_household else None,
        household_marked=household_marked,
        now=now,
        state=ballot.state_at(now),
        manages=manages,
        can_vote=ballot.can_vote(current_user),
        channel=channel,
        on_paper=channel is Channel.PAPER,
        voted_myself=voted_myself,
        my_choices=my_choices,
        # How many ballots in the box are marked as the voter's (theirs among them).
        marked_alike=queries.counted_markings(ballot.id).get(my_marking, 0) if my_marking else None,
        form=form or _ballot_paper(ballot, my_choices),
        receipt_form=ReceiptForm(),
        error=error,
        results=results,
        paper_form=paper_form,
        tie_form=tie_form,
        show_results=ballot.can_see_results(current_user, now),
        titles={option.id: option.problem.title for option in ballot.options},
    ), status


@dataclass
class PaperRoll:
    """The coordinator's household list for one 동 (chosen with ?dong=, no JavaScript)."""

    buildings: list
    building: str | None
    households: list
    marked: list


def _paper_roll(ballot):
    buildings = queries.household_buildings(ballot.participation.complex_id)
    building = request.args.get("dong", "").strip().removesuffix("동")
    if building not in buildings:
        building = buildings[0] if buildings else None
    return PaperRoll(
        buildings=buildings,
        building=building,
        households=queries.household_roll(ballot, building) if building else [],
        marked=queries.households_on_paper(ballot),
    )


def _ballot_paper(ballot, my_choices):
    """The ballot paper; on a ranked ballot, to change a vote, with the ranking given."""
    form = vote_form(ballot)
    if ballot.is_ranked and my_choices:
        for place, option_id in enumerate(my_choices, start=1):
            form[f"rank_{option_id}"].data = place
    return form


@bp.route("/ballots/<int:ballot_id>")
@login_required
def ballot_detail(ballot_id):
    return _ballot_page(_load(ballot_id))


def _refusal_page(ballot, form, *, ballot_paper=None):
    """The ballot page with what `operating()` put on `form`: the reason it was refused
    (and the ballot paper as it was filled in, when it was a vote)."""
    return lambda status: _ballot_page(
        ballot, form=ballot_paper, error=" ".join(form.form_errors), status=status
    )


@bp.route("/ballots/<int:ballot_id>/vote", methods=["POST"])
@login_required
@unit_of_work
def ballot_vote(ballot_id):
    ballot = _load(ballot_id)
    require(ballot.can_vote(current_user))
    form = vote_form(ballot)
    if not form.validate_on_submit():
        return _ballot_page(
            ballot, form=form, error=_("Check your choices and try again."), status=400
        )
    device_receipt = _device_receipt(ballot)  # no cookie, no need to ask the roll
    receipt = form.receipt.data or (
        device_receipt
        if device_receipt and queries.voted_channel(ballot, current_user) is Channel.ONLINE
        else None
    )
    # Post/redirect/get: the write renders nothing. The answer is made first, from what is
    # loaded, so that the write lock is held for the writing only; the edge sends it only
    # once the commit succeeded.
    fresh_receipt = None if receipt else new_receipt()
    answer = _set_receipt_cookie(
        redirect(url_for(".ballot_detail", ballot_id=ballot_id))
        if receipt
        else redirect(url_for(".ballot_new_receipt", ballot_id=ballot_id), code=303),
        ballot,
        receipt or fresh_receipt,
    )
    with operating(_refusal_page(ballot, form, ballot_paper=form), form=form):
        if receipt:
            change_vote(ballot, voter=current_user, receipt=receipt, choices=form.chosen())
        else:
            cast_vote(ballot, voter=current_user, choices=form.chosen(), receipt=fresh_receipt)
    if receipt:
        flash(_("Your vote was changed."), "success")
    else:
        _keep_for_one_read(ballot, fresh_receipt)
    return answer


def _keep_for_one_read(ballot, receipt):
    """The new receipt rides to the next GET in the session cookie, like a flash: the
    database keeps only its hash (gachi/ballots/box.py). The cookie is the voter's own,
    signed, sent over the same channel as the device's receipt cookie set beside it, and
    the receipt leaves it when the page is shown (ballot_new_receipt)."""
    session[NEW_RECEIPT] = {"ballot": ballot.id, "code": receipt}


@bp.route("/ballots/<int:ballot_id>/receipt")
@login_required
def ballot_new_receipt(ballot_id):
    """The receipt of the vote just cast, shown once: taken out of the session here. It
    is shown only if the roll holds this voter's vote under it (a vote whose commit failed
    has none), and never kept by a browser cache."""
    ballot = _load(ballot_id)
    kept = session.get(NEW_RECEIPT)
    if not isinstance(kept, dict) or kept.get("ballot") != ballot.id:
        return redirect(url_for(".ballot_detail", ballot_id=ballot.id))
    session.pop(NEW_RECEIPT)
    receipt = str(kept.get("code", ""))
    marking = (
        marking_for_receipt(ballot, receipt, current_user) if is_well_formed(receipt) else None
    )
    if marking is None:
        return redirect(url_for(".ballot_detail", ballot_id=ballot.id))
    return no_store(
        render_template(
            "ballots/receipt.html",
            ballot=ballot,
            receipt=format_receipt(receipt),
            receipt_qr=receipt_qr_data_uri(receipt),
            ranking=_ranking_titles(ballot, marking),
        )
    )


def _ranking_titles(ballot, marking):
    """A ranked vote's problems in the order given (for the receipt page), else None."""
    if not ballot.is_ranked:
        return None
    titles = {option.id: option.problem.title for option in ballot.options}
    return [titles[int(option_id)] for option_id in marking.split(">")]


@bp.route("/ballots/<int:ballot_id>/receipt", methods=["POST"])
@login_required
@unit_of_work
def ballot_receipt(ballot_id):
    """A receipt typed back in (another device, a cleared browser) is kept on this device
    (a cookie: nothing is written in the database)."""
    ballot = _load(ballot_id)
    require(ballot.can_vote(current_user))
    form = ReceiptForm()
    if (
        not form.validate_on_submit()
        or choices_for_receipt(ballot, form.receipt.data, current_user) is None
    ):
        return _ballot_page(
            ballot,
            error=_(
                "This receipt does not match a vote in this ballot. Check the code you wrote down."
            ),
            status=400,
        )
    flash(_("Your receipt was recognised. Your vote is shown below."), "success")
    return _set_receipt_cookie(
        redirect(url_for(".ballot_detail", ballot_id=ballot.id)), ballot, form.receipt.data
    )


def _managed(ballot_id):
    ballot = _load(ballot_id)
    require(ballot.can_manage(current_user))
    return ballot


def _confirmed():
    """A button with nothing to read but its CSRF token; the form carries a refusal."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    return form


@bp.route("/ballots/<int:ballot_id>/paper-voters", methods=["POST"])
@login_required
@unit_of_work
def ballot_paper_voter(ballot_id):
    ballot = _managed(ballot_id)
    form = PaperVoterForm()
    form.user_id.choices = options(queries.paper_ballot_candidates(ballot))
    if not form.validate_on_submit():
        return _ballot_page(ballot, error=_("Choose a checked-in resident."), status=400)
    resident = db.session.get(User, form.user_id.data)
    with operating(_refusal_page(ballot, form), form=form):
        hand_paper_ballot(ballot, resident=resident, actor=current_user)
    flash(
        _("%(name)s has a paper ballot and cannot vote online.", name=resident.display_name),
        "success",
    )
    return redirect(url_for(".ballot_detail", ballot_id=ballot.id))


def _household_of(ballot, household_id):
    """A household of the ballot's complex, or 404."""
    household = db.session.get(Household, household_id)
    if household is None or household.complex_id != ballot.participation.complex_id:
        abort(404)
    return household


def _back_to_the_roll(ballot, household):
    return redirect(
        url_for(
            ".ballot_detail", ballot_id=ballot.id, dong=household.building, _anchor="paper-roll"
        )
    )


@bp.route("/ballots/<int:ballot_id>/paper-households", methods=["POST"])
@login_required
@unit_of_work
def ballot_paper_household(ballot_id):
    """The coordinator marks a household of the list as having voted on paper."""
    ballot = _managed(ballot_id)
    form = PaperHouseholdForm()
    if not form.validate_on_submit():
        return _ballot_page(ballot, error=_("Choose a household from the list."), status=400)
    household = _household_of(ballot, form.household_id.data)
    with operating(_refusal_page(ballot, form), form=form):
        mark_household_on_paper(ballot, household=household, actor=current_user)
    flash(
        _(
            "%(household)s is marked as having voted on paper and cannot vote online.",
            household=household.label,
        ),
        "success",
    )
    return _back_to_the_roll(ballot, household)


@bp.route("/ballots/<int:ballot_id>/paper-households/<int:household_id>/remove", methods=["POST"])
@login_required
@unit_of_work
def ballot_paper_household_remove(ballot_id, household_id):
    """A correction: the paper mark is removed, with the reason, in the audit log."""
    ballot = _managed(ballot_id)
    household = _household_of(ballot, household_id)
    form = PaperHouseholdRemovalForm()
    if not form.validate_on_submit():
        return _ballot_page(
            ballot, error=_("Write down why the paper mark is removed."), status=400
        )
    with operating(_refusal_page(ballot, form), form=form):
        unmark_household_on_paper(
            ballot, household=household, reason=form.reason.data, actor=current_user
        )
    flash(_("The paper mark of %(household)s was removed.", household=household.label), "success")
    return _back_to_the_roll(ballot, household)


def _ranked_paper_tally(ballot):
    """A ranked ballot's paper tally: the papers entered by how they were numbered."""
    form = ranked_paper_tally_form(ballot, queries.current_paper_tally(ballot.id))
    if not form.validate_on_submit():
        return _paper_tally_page(ballot, form, 400 if form.is_submitted() else 200)
    with operating(lambda status: _paper_tally_page(ballot, form, status), form=form):
        record_ranked_paper_tally(
            ballot, rankings=form.rankings(), note=form.note.data or "", actor=current_user
        )
    flash(_("The paper tally was saved."), "success")
    return redirect(url_for(".ballot_detail", ballot_id=ballot.id))


def _paper_tally_page(ballot, form, status):
    return render_template(
        "ballots/paper_tally.html",
        ballot=ballot,
        form=form,
        history=queries.paper_tally_history(ballot.id),
        handed=queries.paper_voter_count(ballot.id),
    ), status


@bp.route("/ballots/<int:ballot_id>/paper", methods=["GET", "POST"])
@login_required
@unit_of_work
def ballot_paper_tally(ballot_id):
    ballot = _managed(ballot_id)
    if ballot.is_ranked:
        return _ranked_paper_tally(ballot)
    form = paper_tally_form(ballot, queries.current_paper_tally(ballot.id))
    if not form.validate_on_submit():
        return _paper_tally_page(ballot, form, 400 if form.is_submitted() else 200)
    with operating(lambda status: _paper_tally_page(ballot, form, status), form=form):
        record_paper_tally(
            ballot,
            ballot_count=form.ballot_count.data,
            votes=form.votes(),
            note=form.note.data or "",
            actor=current_user,
        )
    flash(_("The paper tally was saved."), "success")
    return redirect(url_for(".ballot_detail", ballot_id=ballot.id))


@bp.route("/ballots/<int:ballot_id>/close")
@login_required
def ballot_close_ask(ballot_id):
    """Closing cannot be undone: this page says so, and its button posts the close."""
    ballot = _managed(ballot_id)
    if not ballot.is_open_at(utcnow()):
        raise Conflict(_("Only an open ballot can be closed."))
    return render_template("ballots/close.html", ballot=ballot, form=ConfirmForm())


@bp.route("/ballots/<int:ballot_id>/close", methods=["POST"])
@login_required
@unit_of_work
def ballot_close(ballot_id):
    ballot = _managed(ballot_id)
    form = _confirmed()
    with operating(_refusal_page(ballot, form), form=form):
        close_ballot(ballot, actor=current_user)
    flash(_("The ballot is closed."), "success")
    return redirect(url_for(".ballot_detail", ballot_id=ballot.id))


@bp.route("/ballots/<int:ballot_id>/tie", methods=["POST"])
@login_required
@unit_of_work
def ballot_tie(ballot_id):
    ballot = _managed(ballot_id)
    form = TieForm()
    results = queries.ballot_results(ballot)
    form.option_id.choices = options(
        [(o.option_id, o.title) for o in results.options if o.option_id in results.tied_at_cut_ids]
    )
    if not form.validate_on_submit():
        return _ballot_page(
            ballot,
            error=_("Choose the option that goes ahead and say how it was decided."),
            status=400,
        )
    with operating(_refusal_page(ballot, form), form=form):
        record_tie_decision(
            ballot,
            option=db.session.get(BallotOption, form.option_id.data),
            note=form.note.data,
            actor=current_user,
        )
    flash(_("The decision on the tie was recorded."), "success")
    return redirect(url_for(".ballot_detail", ballot_id=ballot.id))


@bp.route("/ballots/<int:ballot_id>/confirm", methods=["POST"])
@login_required
@unit_of_work
def ballot_confirm(ballot_id):
    ballot = _managed(ballot_id)
    form = _confirmed()
    with operating(_refusal_page(ballot, form), form=form):
        confirm_selection(ballot, actor=current_user)
    flash(_("The selected problems are confirmed."), "success")
    return redirect(url_for(".ballot_detail", ballot_id=ballot.id))


@bp.route("/ballots/<int:ballot_id>/results.csv")
@login_required
def ballot_results_csv(ballot_id):
    ballot = _load(ballot_id)
    require(ballot.can_see_results(current_user, utcnow()))
    results = queries.ballot_results(ballot)
    if results.ranked is not None:
        rows = [
            [
                _("Rank"),
                _("Problem"),
                _("First choices online"),
                _("First choices on paper"),
                _("First choices in total"),
                _("Selected"),
            ]
        ]
    else:
        rows = [[_("Rank"), _("Problem"), _("Online"), _("Paper"), _("Total"), _("Selected")]]
    rows += [
        [
            option.rank,
            option.title,
            option.online,
            option.paper,
            option.total,
            _("Yes") if option.problem_state is ProblemState.SELECTED else "",
        ]
        for option in results.options
    ]
    rows += [
        [],
        [_("Online voters"), results.online_voters],
        [_("Paper ballots"), results.paper_ballots],
        [_("Eligible"), results.eligible],
        [_("Turnout (%)"), results.turnout_percent],
        [_("Result valid"), _("Yes") if results.quorum_met else _("No")],
    ]
    if results.ranked is not None:
        rows += _ranked_csv_rows(ballot, results.ranked)
    return csv_response(rows, f"ballot-{ballot.id}-results.csv")


def _ranked_csv_rows(ballot, count):
    """The ranked count's own figures: the rounds (IRV), the points (Borda) or the
    pairwise table and strongest paths (Schulze), and the tie rule applied."""
    titles = {option.id: option.problem.title for option in ballot.options}
    rows = [
        [],
        [_("Counting method"), ballot.method.label],
        [_("Tie rule applied"), ballot.tie_rule.label],
    ]
    if count.rounds:
        rows += [[], [_("Round"), _("Problem"), _("Votes"), _("Outcome")]]
        for round_ in count.rounds:
            for option_id, votes in round_.counts.items():
                outcome = (
                    _("Elected")
                    if round_.elected == option_id
                    else _("Eliminated")
                    if option_id in round_.eliminated
                    else ""
                )
                rows.append([round_.number, titles[option_id], votes, outcome])
            rows.append([round_.number, _("Exhausted ballots"), round_.exhausted, ""])
    if count.points:
        rows += [[], [_("Problem"), _("Borda points")]]
        rows += [[titles[o], count.points[o]] for o in count.order]
    for caption, table in (
        (_("Pairwise preferences"), count.pairwise),
        (_("Strongest paths"), count.strongest),
    ):
        if table:
            rows += [[], [caption, *(titles[o] for o in count.order)]]
            rows += [
                [titles[a], *("" if a == b else table[a][b] for b in count.order)]
                for a in count.order
            ]
    return rows
