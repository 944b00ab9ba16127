"""Volunteer shifts and hours, instructors on the roster, feedback from those who came
and its summary per programme."""

from datetime import timedelta

import pytest

from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.programs.bookings.models import BookingChannel
from gachi.programs.bookings.operations import book_seat, check_in
from gachi.programs.feedback.models import ChangeTopic
from gachi.programs.feedback.operations import give_feedback
from gachi.programs.feedback.queries import feedback_summary
from gachi.programs.rosters.models import RosterRole
from gachi.programs.rosters.operations import (
    add_to_roster,
    check_in_volunteer,
    remove_from_roster,
    set_volunteers_needed,
    volunteer_for,
)
from gachi.programs.rosters.queries import session_roster, volunteer_hours
from gachi.programs.sessions.queries import program_sessions
from tests.programs.helpers import add_session, days_ahead, program_scene


def test_a_resident_volunteers_once_and_a_short_shift_is_flagged(make):
    scene = program_scene(make)
    set_volunteers_needed(scene.program_session, count=2, actor=scene.coordinator)
    volunteer_for(scene.program_session, resident=scene.resident, actor=scene.resident)
    db.session.commit()
    with pytest.raises(Conflict, match="already on this session's roster"):
        volunteer_for(scene.program_session, resident=scene.resident, actor=scene.resident)
    row = program_sessions(scene.program.id)[0]
    assert (row.volunteers, row.understaffed) == (1, True)
    add_to_roster(
        scene.program_session,
        role=RosterRole.VOLUNTEER,
        name="이웃 자원봉사자",
        actor=scene.coordinator,
    )
    assert program_sessions(scene.program.id)[0].understaffed is False


def test_a_resident_of_another_complex_cannot_volunteer(make):
    scene = program_scene(make)
    stranger = make.resident(make.complex_())
    with pytest.raises(NotAllowed):
        volunteer_for(scene.program_session, resident=stranger, actor=stranger)


def test_volunteer_hours_add_up_per_person_and_complex_for_the_shifts_attended(make):
    scene = program_scene(make)
    past = [add_session(scene.program, days_ahead(-days)) for days in (1, 2)]
    came = [
        add_to_roster(
            program_session, role=RosterRole.VOLUNTEER, user=scene.resident, actor=scene.coordinator
        )
        for program_session in past
    ]
    came.append(
        add_to_roster(
            past[0], role=RosterRole.VOLUNTEER, name="김자원", minutes=90, actor=scene.coordinator
        )
    )
    # Another written the same way is not taken for the same person; not checked in: none.
    add_to_roster(
        past[1], role=RosterRole.VOLUNTEER, name="김자원", minutes=90, actor=scene.coordinator
    )
    add_to_roster(past[0], role=RosterRole.INSTRUCTOR, name="마술 강사", actor=scene.coordinator)
    volunteer_for(
        scene.program_session, resident=scene.resident, actor=scene.resident
    )  # not yet held
    for entry in came:
        check_in_volunteer(entry, actor=scene.coordinator)
    db.session.commit()
    hours = volunteer_hours(scene.participation.complex_id, utcnow())
    assert [(h.name, h.shifts, h.hours) for h in hours] == [("박서진", 2, 8.0), ("김자원", 1, 1.5)]


def test_a_volunteer_leaves_a_shift_before_it_begins(make):
    scene = program_scene(make)
    entry = volunteer_for(scene.program_session, resident=scene.resident, actor=scene.resident)
    remove_from_roster(entry, actor=scene.resident)
    assert session_roster(scene.program_session.id) == []


def _attended(scene, program_session, resident):
    booking = book_seat(
        program_session, actor=scene.coordinator, resident=resident, channel=BookingChannel.PHONE
    )
    check_in(booking, actor=scene.coordinator)
    return booking


def test_only_those_who_attended_give_feedback_once(make):
    scene = program_scene(make)
    program_session = add_session(scene.program, utcnow() + timedelta(minutes=30))
    _attended(scene, program_session, scene.resident)
    later = program_session.starts_at + timedelta(hours=1)
    give_feedback(
        program_session,
        resident=scene.resident,
        rating=5,
        change_topic=ChangeTopic.LONGER_HOURS,
        change_note="19~20시까지 연장해 주세요",
        actor=scene.resident,
        now=later,
    )
    with pytest.raises(Conflict):
        give_feedback(
            program_session,
            resident=scene.resident,
            rating=4,
            change_topic=ChangeTopic.NOTHING,
            actor=scene.resident,
            now=later,
        )
    db.session.rollback()
    absent = make.resident(scene.participation.complex)
    with pytest.raises(NotAllowed, match="attended"):
        give_feedback(
            program_session,
            resident=absent,
            rating=3,
            change_topic=ChangeTopic.NOTHING,
            actor=absent,
            now=later,
        )
    with pytest.raises(DomainError, match="once the session has begun"):
        give_feedback(
            program_session,
            resident=scene.resident,
            rating=3,
            change_topic=ChangeTopic.NOTHING,
            actor=scene.resident,
            now=program_session.starts_at - timedelta(minutes=5),
        )


def test_the_summary_counts_who_asked_for_longer_hours(make):
    scene = program_scene(make)
    program_session = add_session(scene.program, utcnow() + timedelta(minutes=30))
    later = program_session.starts_at + timedelta(hours=1)
    answers = [(5, ChangeTopic.LONGER_HOURS), (4, ChangeTopic.LONGER_HOURS), (3, ChangeTopic.PLACE)]
    for rating, topic in answers:
        resident = make.resident(scene.participation.complex)
        _attended(scene, program_session, resident)
        give_feedback(
            program_session,
            resident=resident,
            rating=rating,
            change_topic=topic,
            comment="좋았어요",
            actor=resident,
            now=later,
        )
    db.session.commit()
    summary = feedback_summary(scene.program.id)
    assert (summary.responses, summary.average) == (3, 4.0)
    assert summary.by_topic[ChangeTopic.LONGER_HOURS] == 2
    assert summary.top_topic is ChangeTopic.LONGER_HOURS
    assert summary.by_rating[5] == 1 and len(summary.comments) == 3
