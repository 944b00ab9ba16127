"""The reads behind feedback: who may give it, and a programme's summary."""

from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, select

from gachi.complexes.models import Household
from gachi.extensions import db
from gachi.people.models import Person
from gachi.programs.bookings.models import Attendance, Booking, BookingStatus
from gachi.programs.feedback.models import ChangeTopic, Feedback
from gachi.programs.models import Program
from gachi.programs.sessions.models import ProgramSession

COMMENTS_SHOWN = 30


@dataclass
class FeedbackSummary:
    responses: int = 0
    average: float | None = None
    by_rating: dict = field(default_factory=dict)
    by_topic: dict = field(default_factory=dict)
    comments: list = field(default_factory=list)

    @property
    def top_topic(self):
        """The change most asked for (ties: the order of ChangeTopic), not counting "nothing"."""
        asked = [
            (count, -list(ChangeTopic).index(topic), topic)
            for topic, count in self.by_topic.items()
            if topic is not ChangeTopic.NOTHING and count
        ]
        return max(asked)[2] if asked else None


def feedback_summary(program_id):
    """Responses, the average rating, counts per rating and per "what should change", and
    the latest comments. Each is one GROUP BY over the programme's sessions."""
    of_program = and_(
        Feedback.session_id == ProgramSession.id, ProgramSession.program_id == program_id
    )
    summary = FeedbackSummary(
        by_rating=dict.fromkeys(range(5, 0, -1), 0), by_topic=dict.fromkeys(ChangeTopic, 0)
    )
    for rating, count in db.session.execute(
        select(Feedback.rating, func.count(Feedback.id)).where(of_program).group_by(Feedback.rating)
    ):
        summary.by_rating[rating] = count
    for topic, count in db.session.execute(
        select(Feedback.change_topic, func.count(Feedback.id))
        .where(of_program)
        .group_by(Feedback.change_topic)
    ):
        summary.by_topic[topic] = count
    summary.responses = sum(summary.by_rating.values())
    if summary.responses:
        summary.average = round(
            sum(r * n for r, n in summary.by_rating.items()) / summary.responses, 1
        )
    summary.comments = db.session.execute(
        select(Feedback, ProgramSession.starts_at)
        .where(of_program)
        .where((Feedback.comment != "") | (Feedback.change_note != ""))
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        .limit(COMMENTS_SHOWN)
    ).all()
    return summary


def programs_with_feedback_counts(participation_id):
    return dict(
        db.session.execute(
            select(Program.id, func.count(Feedback.id))
            .join(ProgramSession, ProgramSession.program_id == Program.id)
            .join(Feedback, Feedback.session_id == ProgramSession.id)
            .where(Program.participation_id == participation_id)
            .group_by(Program.id)
        ).all()
    )


def attended(program_session, user):
    """`user` was checked in at the session (they may give feedback on it)."""
    return db.session.scalar(
        select(
            exists().where(
                Booking.session_id == program_session.id,
                Booking.user_id == user.id,
                Booking.status == BookingStatus.CONFIRMED,
                Booking.attendance == Attendance.ATTENDED,
            )
        )
    )


def person_attended(program_session, person):
    """The person (without an account) was checked in at the session."""
    return db.session.scalar(
        select(
            exists().where(
                Booking.session_id == program_session.id,
                Booking.person_id == person.id,
                Booking.status == BookingStatus.CONFIRMED,
                Booking.attendance == Attendance.ATTENDED,
            )
        )
    )


def paper_feedback_choices(program_session):
    """(person id, "name · 101동 101호") for the people without an account who attended
    the session and have not given feedback on it yet."""
    rows = db.session.execute(
        select(Person.id, Person.name, Household.building, Household.unit)
        .join(Booking, Booking.person_id == Person.id)
        .join(Household, Household.id == Person.household_id)
        .where(
            Booking.session_id == program_session.id,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.attendance == Attendance.ATTENDED,
            Person.erased_at.is_(None),
            ~exists().where(
                Feedback.session_id == program_session.id, Feedback.person_id == Person.id
            ),
        )
        .distinct()
        .order_by(Household.building, Household.unit, Person.name)
    ).all()
    return [(row.id, f"{row.name} · {row.building}동 {row.unit}호") for row in rows]


def has_given_feedback(program_session, user):
    """`user` gave their (one) feedback on the session already."""
    return db.session.scalar(
        select(
            exists().where(Feedback.session_id == program_session.id, Feedback.user_id == user.id)
        )
    )
