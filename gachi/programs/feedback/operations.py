"""The verb of feedback: someone who attended a session says what they thought."""

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.programs.feedback.models import Feedback
from gachi.programs.feedback.queries import attended, person_attended


def give_feedback(
    program_session,
    *,
    resident,
    rating,
    change_topic,
    comment="",
    change_note="",
    actor,
    now=None,
    source="app",
):
    """A rating from 1 to 5, a comment and what should change; once per person and session."""
    if resident.id != actor.id or not program_session.can_give_feedback(resident):
        raise NotAllowed()
    if not program_session.accepts_feedback(now or utcnow()):
        raise DomainError(_l("Feedback can be given once the session has begun."))
    if not attended(program_session, resident):
        raise NotAllowed(_l("Only people who attended this session can give feedback on it."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError(_l("Give a rating from 1 to 5."))
    feedback = Feedback(
        session_id=program_session.id,
        user_id=resident.id,
        rating=rating,
        comment=comment,
        change_topic=change_topic,
        change_note=change_note,
        source=source,
    )
    try:
        with db.session.begin_nested():
            db.session.add(feedback)
    except IntegrityError:
        raise Conflict(_l("You have already given feedback on this session. Thank you!")) from None
    log_change(
        "feedback.give",
        feedback,
        actor=actor,
        complex_id=program_session.program.complex_id,
        after={
            "session_id": program_session.id,
            "rating": rating,
            "change_topic": change_topic.value,
        },
    )
    return feedback


def enter_paper_feedback(
    program_session,
    *,
    person,
    rating,
    change_topic,
    comment="",
    change_note="",
    actor,
    now=None,
):
    """Feedback a person without an account gave on paper, entered by the coordinator:
    the same rules as online (after the session began, from someone who attended it,
    once per person and session)."""
    if not program_session.can_manage(actor):
        raise NotAllowed()
    if not program_session.accepts_feedback(now or utcnow()):
        raise DomainError(_l("Feedback can be given once the session has begun."))
    if person.complex_id != program_session.program.complex_id or not person_attended(
        program_session, person
    ):
        raise DomainError(_l("Only people who attended this session can give feedback on it."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError(_l("Give a rating from 1 to 5."))
    feedback = Feedback(
        session_id=program_session.id,
        user_id=person.user_id,
        person_id=person.id,
        rating=rating,
        comment=comment,
        change_topic=change_topic,
        change_note=change_note,
        source="paper",
    )
    try:
        with db.session.begin_nested():
            db.session.add(feedback)
    except IntegrityError:
        raise Conflict(
            _l("%(name)s has already given feedback on this session."), name=person.name
        ) from None
    log_change(
        "feedback.paper",
        feedback,
        actor=actor,
        complex_id=program_session.program.complex_id,
        after={
            "session_id": program_session.id,
            "person_id": person.id,
            "rating": rating,
            "change_topic": change_topic.value,
        },
    )
    return feedback
