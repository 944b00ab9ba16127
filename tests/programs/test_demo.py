"""The pilot's programmes in the demo: the report's facts, invented activity marked demo,
and something the demo's residents can book today."""

from datetime import time

from sqlalchemy import func, select

from gachi.auth.models import User
from gachi.core.time import SEOUL, utcnow
from gachi.extensions import db
from gachi.programs.bookings.models import Booking
from gachi.programs.bookings.operations import book_seat
from gachi.programs.feedback.models import ChangeTopic
from gachi.programs.feedback.queries import feedback_summary
from gachi.programs.models import CapacityKind, Program
from gachi.programs.sessions.models import ProgramSession
from gachi.programs.sessions.queries import upcoming_sessions_of_complex


def program_named(title):
    return db.session.scalars(select(Program).where(Program.title == title)).one()


def test_the_childcare_room_ran_weekday_afternoons_for_four_weeks(demo):
    room = program_named("공동 아이돌봄")
    sessions = room.sessions
    assert len(sessions) == 20 and room.fee == 0 and room.venue == "세미나실(100m²)"
    first = sessions[0].starts_at.astimezone(SEOUL)
    assert (first.date().isoformat(), first.time()) == ("2018-11-12", time(14))
    assert sessions[-1].ends_at.astimezone(SEOUL).date().isoformat() == "2018-12-07"
    assert [e.name for e in room.enterprises] == ["YMCA서울아가야"]


def test_the_top_feedback_at_eungam_is_longer_hours(demo):
    summary = feedback_summary(program_named("공동 아이돌봄").id)
    assert summary.top_topic is ChangeTopic.LONGER_HOURS and summary.responses >= 5


def test_the_tree_event_handed_out_exactly_240(demo):
    trees = program_named("반려나무 입양 행사")
    assert trees.capacity_kind is CapacityKind.STOCK
    program_session = trees.sessions[0]
    handed = db.session.scalar(
        select(func.sum(Booking.party_size)).where(Booking.session_id == program_session.id)
    )
    assert program_session.capacity == program_session.seats_taken == handed == 240


def test_invented_activity_is_marked_demo(demo):
    assert set(db.session.scalars(select(Booking.source))) == {"demo"}
    invented = program_named("가상 기구 운동 체험 교실 (demo)")
    assert invented.source == "demo"
    assert {p.source for p in db.session.scalars(select(Program)) if p.id != invented.id} == {
        "report"
    }


def test_a_demo_resident_can_book_a_session_today(demo):
    resident = db.session.scalars(
        select(User).where(User.username == "resident.cheongnyangni")
    ).one()
    upcoming = upcoming_sessions_of_complex(resident.complex_id, utcnow())
    assert upcoming
    program_session = db.session.get(ProgramSession, upcoming[0].program_session.id)
    assert book_seat(program_session, actor=resident, resident=resident).status.value == "confirmed"
