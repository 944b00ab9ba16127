"""The verbs that change problems: propose, edit, support, comment, move, merge."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, select, update
from sqlalchemy.exc import IntegrityError

from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.proposals.models import (
    PROBLEM_MOVES,
    Problem,
    ProblemComment,
    ProblemState,
    ProblemSupport,
)


def propose_problem(
    participation, *, title, category, description="", actor, on_behalf_of=None, now=None
):
    """A resident raises a problem, or a coordinator types in what was said in the room
    (`on_behalf_of` is then the resident who said it, or None for someone unregistered)."""
    if not participation.accepts_problems:
        raise DomainError(_l("Problems can be proposed only until the first workshop is over."))
    if not category.active:
        raise DomainError(_l("Choose one of the listed categories."))
    if actor.is_resident:
        proposed_by_id, entered_by_id = actor.id, None
    else:
        if on_behalf_of is not None and on_behalf_of.complex_id != participation.complex_id:
            raise DomainError(_l("Choose a resident of this complex."))
        proposed_by_id, entered_by_id = (on_behalf_of.id if on_behalf_of else None), actor.id
    problem = Problem(
        participation_id=participation.id,
        title=title,
        description=description,
        category_id=category.id,
        state=ProblemState.PROPOSED,
        proposed_by_id=proposed_by_id,
        entered_by_id=entered_by_id,
        created_at=now or utcnow(),
    )
    db.session.add(problem)
    db.session.flush()
    log_change(
        "problem.propose",
        problem,
        actor=actor,
        complex_id=participation.complex_id,
        after={"title": title, "category": category.code, "entered_by": entered_by_id},
    )
    return problem


def edit_problem(problem, *, title, category, description, actor):
    before = {
        "title": problem.title,
        "category_id": problem.category_id,
        "description": problem.description,
    }
    problem.title, problem.category_id, problem.description = title, category.id, description
    problem.updated_at = utcnow()
    after = {"title": title, "category_id": category.id, "description": description}
    log_change(
        "problem.edit",
        problem,
        actor=actor,
        complex_id=problem.participation.complex_id,
        before=before,
        after=after,
    )
    return problem


def move_problem(problem, target: ProblemState, *, actor):
    """Move a problem to `target` if the state map allows it; the UPDATE is conditional
    on the state we checked, so two coordinators cannot both move it."""
    source = problem.state
    if target not in PROBLEM_MOVES[source]:
        raise DomainError(
            _l("A problem cannot go from %(source)s to %(target)s."),
            source=source.label,
            target=target.label,
        )
    _set_state(problem, source, target)
    log_change(
        "problem.state",
        problem,
        actor=actor,
        complex_id=problem.participation.complex_id,
        before={"state": source.value},
        after={"state": target.value},
    )
    return problem


def _set_state(problem, source, target, **values):
    result = db.session.execute(
        update(Problem)
        .where(Problem.id == problem.id, Problem.state == source)
        .values(state=target, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict()
    db.session.refresh(problem)


def support_problem(problem, *, actor):
    """ "Me too": one per resident; pressing twice keeps one."""
    if not problem.can_support(actor):
        raise NotAllowed(_l("Support can be added only to proposed or shortlisted problems."))
    if _supports(problem.id, actor.id):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(ProblemSupport(problem_id=problem.id, user_id=actor.id))
    except IntegrityError:
        return False  # the same resident pressed twice at once: one support stands
    return True


def withdraw_support(problem, *, actor):
    if not problem.can_support(actor):
        raise NotAllowed(_l("Support can be changed only on proposed or shortlisted problems."))
    db.session.execute(
        delete(ProblemSupport).where(
            ProblemSupport.problem_id == problem.id, ProblemSupport.user_id == actor.id
        )
    )


def _supports(problem_id, user_id):
    return db.session.scalar(
        select(
            exists().where(
                ProblemSupport.problem_id == problem_id, ProblemSupport.user_id == user_id
            )
        )
    )


def add_comment(problem, *, body, actor):
    if not problem.can_comment(actor):
        raise NotAllowed(_l("This problem was merged into another; comment there."))
    comment = ProblemComment(problem_id=problem.id, author_id=actor.id, body=body)
    db.session.add(comment)
    db.session.flush()
    return comment


def merge_problems(duplicate, into, *, actor):
    """`duplicate` joins `into`: its supports (without counting anyone twice) and its
    comments follow, and it is marked merged."""
    if duplicate.id == into.id or duplicate.participation_id != into.participation_id:
        raise DomainError(_l("Choose another problem of the same complex to merge into."))
    if into.state is ProblemState.MERGED or not duplicate.is_mergeable:
        raise DomainError(_l("Only proposed or shortlisted problems can be merged."))
    already = select(ProblemSupport.user_id).where(ProblemSupport.problem_id == into.id)
    moved = db.session.execute(
        update(ProblemSupport)
        .where(ProblemSupport.problem_id == duplicate.id, ProblemSupport.user_id.not_in(already))
        .values(problem_id=into.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(delete(ProblemSupport).where(ProblemSupport.problem_id == duplicate.id))
    db.session.execute(
        update(ProblemComment)
        .where(ProblemComment.problem_id == duplicate.id)
        .values(problem_id=into.id)
        .execution_options(synchronize_session=False)
    )
    _set_state(duplicate, duplicate.state, ProblemState.MERGED, merged_into_id=into.id)
    log_change(
        "problem.merge",
        duplicate,
        actor=actor,
        complex_id=duplicate.participation.complex_id,
        after={"into": into.id, "supports_moved": moved},
    )
    return into
