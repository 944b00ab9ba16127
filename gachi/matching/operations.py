"""The verbs of matching: suggest, offer, answer, start, complete, withdraw and rate.

Every state change is a conditional UPDATE on the state we checked, so two answers at
once cannot both win; each is logged and told to the people on the other side.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from gachi.auth.models import Role, User
from gachi.complexes.stages import Stage, gate
from gachi.coordinators.models import Placement
from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.core.time import seoul_today, utcnow
from gachi.extensions import db
from gachi.matching.models import AGREED_STATES, Match, MatchState, Rating
from gachi.matching.queries import MATCHABLE_PROBLEM_STATES
from gachi.notifications.models import N_
from gachi.notifications.operations import notify
from gachi.proposals.models import Problem

# While a complex works on solutions, plans and runs them, offers may be made.
OFFER_STAGES = (Stage.SOLUTION_WORKSHOP, Stage.PLANNING, Stage.RUNNING)


@gate(Stage.PLANNING, needs=_l("An enterprise that accepted a match"))
def a_match_is_accepted(participation, now):
    agreed = db.session.scalar(
        select(
            exists().where(
                Match.problem_id == Problem.id,
                Problem.participation_id == participation.id,
                Problem.state.in_(MATCHABLE_PROBLEM_STATES),
                Match.state.in_(AGREED_STATES),
            )
        )
    )
    return None if agreed else _l("No enterprise has accepted a match for a selected problem yet.")


def match_link(match):
    return f"/matches/{match.id}"


def _partner_ids(enterprise_id):
    return db.session.scalars(
        select(User.id).where(User.enterprise_id == enterprise_id, User.role == Role.PARTNER)
    ).all()


def has_partner_account(enterprise):
    """Whether someone of `enterprise` can sign in and answer an offer."""
    return db.session.scalar(
        select(
            exists().where(
                User.enterprise_id == enterprise.id,
                User.role == Role.PARTNER,
                User.active.is_(True),
            )
        )
    )


class NoPartnerAccount(DomainError):
    """An offer to an enterprise nobody can answer for: a partner account comes first."""

    code = "no_partner_account"
    status = 409
    default_message = _l(
        "%(enterprise)s has no partner account yet, so nobody could answer the offer. "
        "Ask the center to make one first; you can keep the enterprise on the shortlist."
    )

    def __init__(self, enterprise):
        super().__init__(enterprise=enterprise.name)
        self.enterprise_id = enterprise.id


def _admin_ids():
    return db.session.scalars(
        select(User.id).where(User.role == Role.STAFF, User.is_admin.is_(True))
    ).all()


def partner_account_link(enterprise):
    """The account form, ready for a partner of `enterprise` (staff admins only)."""
    return f"/staff/accounts/new?role=partner&enterprise_id={enterprise.id}"


def ask_for_partner_account(problem, enterprise, *, actor):
    """The coordinator asks the center's account admins to make a partner account."""
    _check_problem_open_for_offers(problem)
    if has_partner_account(enterprise):
        raise Conflict(
            _l("%(enterprise)s already has a partner account: you can offer it the work."),
            enterprise=enterprise.name,
        )
    notify(
        _admin_ids(),
        N_(
            "%(coordinator)s of %(complex)s asks for a partner account for %(enterprise)s, "
            "to offer it work on “%(problem)s”."
        ),
        link=partner_account_link(enterprise),
        coordinator=actor.display_name,
        complex=problem.participation.complex.name,
        enterprise=enterprise.name,
        problem=problem.title,
    )


def _coordinator_ids(complex_id):
    """Whoever is placed at the complex today: the work follows the complex, not the person."""
    return db.session.scalars(
        select(Placement.coordinator_id).where(
            Placement.complex_id == complex_id, Placement.is_active_on(seoul_today())
        )
    ).all()


def _check_problem_open_for_offers(problem):
    if problem.state not in MATCHABLE_PROBLEM_STATES:
        raise DomainError(_l("Only a problem the residents selected can be matched."))
    if problem.participation.stage not in OFFER_STAGES:
        raise DomainError(
            _l(
                "Enterprises can be offered work from the solution workshop on, "
                "not while the complex is at the stage %(stage)s."
            ),
            stage=problem.participation.stage.label,
        )


def _insert_match(problem, enterprise, state, *, actor, **values):
    match = Match(
        problem_id=problem.id,
        enterprise_id=enterprise.id,
        state=state,
        created_by_id=actor.id,
        **values,
    )
    try:
        with db.session.begin_nested():
            db.session.add(match)
    except IntegrityError:
        raise Conflict(
            _l("%(enterprise)s already has an open match for this problem."),
            enterprise=enterprise.name,
        ) from None
    return match


def _move(match, target, *, actor, note=None, **values):
    """Move `match` to `target` if allowed, as one UPDATE conditional on its state."""
    source = match.state
    if not match.can_move_to(target):
        raise Conflict(
            _l("A match that is %(source)s cannot become %(target)s."),
            source=source.label,
            target=target.label,
        )
    result = db.session.execute(
        update(Match)
        .where(Match.id == match.id, Match.state == source)
        .values(state=target, state_changed_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(_l("Someone changed this match just now. Please reload the page."))
    db.session.refresh(match)
    after = {"state": target.value} | ({"note": note} if note else {})
    log_change(
        f"match.{target.value}",
        match,
        actor=actor,
        complex_id=match.complex_id,
        before={"state": source.value},
        after=after,
    )
    return match


def suggest_match(problem, enterprise, *, actor):
    """Keep `enterprise` on the problem's shortlist, to offer it the work later."""
    _check_problem_open_for_offers(problem)
    match = _insert_match(problem, enterprise, MatchState.SUGGESTED, actor=actor)
    log_change(
        "match.suggested",
        match,
        actor=actor,
        complex_id=match.complex_id,
        after={"problem_id": problem.id, "enterprise_id": enterprise.id},
    )
    return match


def offer_match(problem, enterprise, *, message, actor):
    """Offer the work to `enterprise`, from its suggestion if there is one.

    Refused (NoPartnerAccount) while the enterprise has no active partner account: the
    offer would wait for an answer nobody can give.

    The partial unique index keeps one open match per problem and enterprise; a
    declined or withdrawn one does not count, so the work can be offered again.
    """
    _check_problem_open_for_offers(problem)
    if not message.strip():
        raise DomainError(_l("Write a message with the offer: what the residents need."))
    if not has_partner_account(enterprise):
        raise NoPartnerAccount(enterprise)
    suggested = db.session.scalar(
        select(Match).where(
            Match.problem_id == problem.id,
            Match.enterprise_id == enterprise.id,
            Match.state == MatchState.SUGGESTED,
        )
    )
    values = {"offer_message": message, "offered_by_id": actor.id, "offered_at": utcnow()}
    if suggested is not None:
        match = _move(suggested, MatchState.OFFERED, actor=actor, **values)
    else:
        match = _insert_match(problem, enterprise, MatchState.OFFERED, actor=actor, **values)
        log_change(
            "match.offered",
            match,
            actor=actor,
            complex_id=match.complex_id,
            after={"problem_id": problem.id, "enterprise_id": enterprise.id},
        )
    notify(
        _partner_ids(enterprise.id),
        N_("%(complex)s offers %(enterprise)s work on “%(problem)s”."),
        link=match_link(match),
        complex=problem.participation.complex.name,
        enterprise=enterprise.name,
        problem=problem.title,
    )
    return match


def _tell_coordinators(match, message):
    notify(
        _coordinator_ids(match.complex_id),
        message,
        link=match_link(match),
        enterprise=match.enterprise.name,
        problem=match.problem.title,
    )


def accept_match(match, *, note="", actor):
    if not match.can_answer(actor):
        raise NotAllowed(_l("Only the enterprise the offer was made to can answer it."))
    _move(
        match,
        MatchState.ACCEPTED,
        actor=actor,
        note=note,
        answer_note=note,
        answered_by_id=actor.id,
        answered_at=utcnow(),
    )
    _tell_coordinators(match, N_("%(enterprise)s accepted the offer for “%(problem)s”."))
    return match


def decline_match(match, *, reason, actor):
    if not match.can_answer(actor):
        raise NotAllowed(_l("Only the enterprise the offer was made to can answer it."))
    if not reason.strip():
        raise DomainError(
            _l("Say why the enterprise declines, so the coordinator can find another.")
        )
    _move(
        match,
        MatchState.DECLINED,
        actor=actor,
        note=reason,
        answer_note=reason,
        answered_by_id=actor.id,
        answered_at=utcnow(),
    )
    _tell_coordinators(
        match,
        N_(
            "%(enterprise)s declined the offer for “%(problem)s”. "
            "You can offer the work to another enterprise."
        ),
    )
    return match


def start_match(match, *, actor):
    """The accepted work begins: the match is active."""
    _move(match, MatchState.ACTIVE, actor=actor)
    notify(
        _partner_ids(match.enterprise_id),
        N_("The work on “%(problem)s” has started."),
        link=match_link(match),
        problem=match.problem.title,
    )
    return match


def complete_match(match, *, actor):
    _move(match, MatchState.COMPLETED, actor=actor)
    notify(
        _partner_ids(match.enterprise_id),
        N_("The work on “%(problem)s” is completed. Thank you."),
        link=match_link(match),
        problem=match.problem.title,
    )
    return match


def withdraw_match(match, *, reason, actor):
    """The complex takes back a suggestion or an offer (before the work starts)."""
    if not reason.strip():
        raise DomainError(_l("Say why the offer is withdrawn."))
    was_offered = match.state is not MatchState.SUGGESTED
    _move(match, MatchState.WITHDRAWN, actor=actor, note=reason)
    if was_offered:
        notify(
            _partner_ids(match.enterprise_id),
            N_("The offer for “%(problem)s” was withdrawn."),
            link=match_link(match),
            problem=match.problem.title,
        )
    return match


def rate_match(match, *, score, comment="", actor):
    """After completion the coordinator rates the enterprise; later suggestions use it."""
    if not match.is_ratable:
        raise DomainError(_l("A match can be rated once its work is completed."))
    if not 1 <= score <= 5:
        raise DomainError(_l("Give a rating from 1 to 5."))
    rating = Rating(match_id=match.id, score=score, comment=comment, rated_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(rating)
    except IntegrityError:
        raise Conflict(_l("This match has already been rated.")) from None
    log_change(
        "match.rate", match, actor=actor, complex_id=match.complex_id, after={"score": score}
    )
    return rating
