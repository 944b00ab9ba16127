"""A running complex with a programme and one session a few days ahead."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from gachi.complexes.stages import Stage
from gachi.core.time import SEOUL
from gachi.extensions import db
from gachi.matching.models import Match, MatchState
from gachi.programs import recurrence
from gachi.programs.models import CapacityKind, Program, ProgramEnterprise
from gachi.programs.sessions.models import ProgramSession
from tests.matching.helpers import matching_scene


@dataclass
class ProgramScene:
    participation: object
    coordinator: object
    problem: object
    enterprise: object
    partner: object
    program: object
    program_session: object
    resident: object


def seoul(day, hour=14, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=SEOUL)


def days_ahead(days, hour=14):
    return seoul((datetime.now(SEOUL) + timedelta(days=days)).date(), hour)


def a_day_without_holidays_ahead(weeks=1):
    """The first day a week or more ahead from which `weeks` weeks hold no public holiday:
    a schedule there makes every day it asks for, and stays within a month whatever
    today is (bookings open 30 days ahead)."""
    day = (datetime.now(SEOUL) + timedelta(days=7)).date()
    while recurrence.public_holidays(day, day + timedelta(weeks=weeks, days=-1)):
        day += timedelta(days=1)
    return day


def add_session(program, starts_at, *, capacity=None, hours=4, **fields):
    """A session; it needs a few volunteers unless told (its whole-session shift opens
    when the first one signs up)."""
    fields.setdefault("volunteers_needed", 4)
    program_session = ProgramSession(
        program_id=program.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        capacity=program.default_capacity if capacity is None else capacity,
        **fields,
    )
    db.session.add(program_session)
    db.session.commit()
    return program_session


def program_scene(
    make, *, stage=Stage.RUNNING, capacity=10, starts_at=None, kind=CapacityKind.SEATS, **rules
):
    scene = matching_scene(make, stage=stage)
    db.session.add(
        Match(
            problem_id=scene.problem.id, enterprise_id=scene.enterprise.id, state=MatchState.ACTIVE
        )
    )
    program = Program(
        participation_id=scene.participation.id,
        problem_id=scene.problem.id,
        title="공동 아이돌봄",
        venue="세미나실(100m²)",
        audience="미취학 아동",
        default_capacity=capacity,
        capacity_kind=kind,
        **rules,
    )
    program.enterprise_links = [ProgramEnterprise(enterprise_id=scene.enterprise.id)]
    db.session.add(program)
    db.session.commit()
    program_session = add_session(program, starts_at or days_ahead(3))
    resident = make.resident(scene.participation.complex, display_name="박서진")
    return ProgramScene(
        scene.participation,
        scene.coordinator,
        scene.problem,
        scene.enterprise,
        scene.partner,
        program,
        program_session,
        resident,
    )
