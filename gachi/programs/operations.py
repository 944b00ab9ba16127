"""The verbs of programmes: create and edit them, set their schedule (which generates the
sessions), skip or move a day, and add one-off events. A session's own verbs (capacity,
cancelling) are in gachi/programs/sessions/operations.py."""

import hashlib
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from gachi.complexes.stages import Stage
from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError
from gachi.core.time import DateOutsideWindow, to_seoul, utcnow, within_window
from gachi.extensions import db
from gachi.matching.models import AGREED_STATES, Match
from gachi.matching.queries import MATCHABLE_PROBLEM_STATES
from gachi.programs import recurrence
from gachi.programs.bookings.models import Booking, BookingStatus
from gachi.programs.models import Program, ProgramEnterprise, ScheduleException
from gachi.programs.rosters.models import RosterEntry
from gachi.programs.sessions.models import ProgramSession, SessionState
from gachi.programs.sessions.operations import cancel_session

# Programmes are planned from the planning stage and added while they run.
PROGRAM_STAGES = (Stage.PLANNING, Stage.RUNNING)
PROGRAM_FIELDS = (
    "title",
    "description",
    "venue",
    "audience",
    "fee",
    "capacity_kind",
    "default_capacity",
    "residents_may_book",
    "booking_opens_days",
    "booking_closes_hours",
    "cancel_hours",
    "max_party_size",
    "waiting_list",
    "is_public",
    "reminder_hours",
)


def _check_stage(participation):
    if participation.stage not in PROGRAM_STAGES:
        raise DomainError(
            _l("Programmes are planned from the planning stage on, not at %(stage)s."),
            stage=participation.stage.label,
        )


def _check_problem(participation, problem):
    if (
        problem.participation_id != participation.id
        or problem.state not in MATCHABLE_PROBLEM_STATES
    ):
        raise DomainError(
            _l("A programme answers a problem the residents of this complex selected.")
        )


def _check_enterprises(problem, enterprises):
    agreed = set(
        db.session.scalars(
            select(Match.enterprise_id).where(
                Match.problem_id == problem.id, Match.state.in_(AGREED_STATES)
            )
        )
    )
    if any(enterprise.id not in agreed for enterprise in enterprises):
        raise DomainError(
            _l("Only enterprises that accepted the work on this problem can deliver the programme.")
        )


def _check_rules(values):
    if values.get("fee", 0) < 0:
        raise DomainError(_l("The fee cannot be negative."))
    if values.get("default_capacity", 1) < 1 or values.get("max_party_size", 1) < 1:
        raise DomainError(_l("Capacity and party size must be at least 1."))


def create_program(participation, *, problem, enterprises=(), actor, source="app", **values):
    """A programme of `participation` for a selected `problem`, delivered by `enterprises`."""
    _check_stage(participation)
    _check_problem(participation, problem)
    _check_enterprises(problem, enterprises)
    _check_rules(values)
    program = Program(
        participation_id=participation.id,
        problem_id=problem.id,
        created_by_id=actor.id if actor else None,
        source=source,
        **{name: values[name] for name in PROGRAM_FIELDS if name in values},
    )
    program.enterprise_links = [
        ProgramEnterprise(enterprise_id=enterprise.id) for enterprise in enterprises
    ]
    db.session.add(program)
    db.session.flush()
    log_change(
        "program.create",
        program,
        actor=actor,
        complex_id=participation.complex_id,
        after={
            "title": program.title,
            "problem_id": problem.id,
            "enterprises": ",".join(str(e.id) for e in enterprises),
        },
    )
    return program


def update_program(program, *, enterprises=None, actor, **values):
    """Change the programme's details and booking rules (sessions keep their capacity)."""
    _check_stage(program.participation)
    _check_rules(values)
    before = {name: getattr(program, name) for name in values if name in PROGRAM_FIELDS}
    for name in before:
        setattr(program, name, values[name])
    if enterprises is not None:
        _check_enterprises(program.problem, enterprises)
        program.enterprise_links = [
            ProgramEnterprise(enterprise_id=enterprise.id) for enterprise in enterprises
        ]
    log_change(
        "program.update",
        program,
        actor=actor,
        complex_id=program.complex_id,
        before=before,
        after={name: getattr(program, name) for name in before},
    )
    return program


# The schedule --------------------------------------------------------------------------


@dataclass
class ScheduleChange:
    """What applying a schedule did. `kept` are sessions it would have removed or moved,
    left as they were because they have begun or people have booked them or are on
    their roster."""

    created: int = 0
    removed: int = 0
    moved: int = 0
    kept: list = field(default_factory=list)
    holidays: list = field(default_factory=list)  # recurrence.ScheduledHoliday

    @property
    def skipped_holidays(self):
        return [holiday for holiday in self.holidays if not holiday.held]


@dataclass(frozen=True)
class SessionLine:
    """A session as the coordinator is shown it before a change: when, and how many
    bookings it holds (active ones; `any_bookings` counts cancelled ones too)."""

    session_id: int
    starts_at: object
    ends_at: object
    bookings: int
    any_bookings: int


@dataclass
class SchedulePlan:
    """What applying the schedule would do, worked out before anything is written."""

    to_create: list = field(default_factory=list)  # PlannedSession
    to_move: list = field(default_factory=list)  # (ProgramSession, PlannedSession)
    to_remove: list = field(default_factory=list)  # SessionLine
    kept: list = field(default_factory=list)  # SessionLine
    kept_sessions: list = field(default_factory=list)  # ProgramSession

    @property
    def removal_token(self):
        """Names the sessions to remove: what the coordinator saw is what gets removed."""
        ids = ",".join(
            str(line.session_id)
            for line in sorted(self.to_remove, key=lambda removal: removal.session_id)
        )
        return hashlib.sha256(ids.encode()).hexdigest()[:16]


@dataclass
class SchedulePreview:
    """What saving a schedule would do, shown before anything is written: every session
    of the schedule, the public holidays on its days (skipped unless held), and the plan
    of what changes among the sessions that exist."""

    sessions: list  # recurrence.PlannedSession
    holidays: list  # recurrence.ScheduledHoliday
    plan: SchedulePlan

    @property
    def skipped_holidays(self):
        return [holiday for holiday in self.holidays if not holiday.held]


class RemovalsToConfirm(Conflict):
    """The schedule would remove sessions the coordinator has not seen and agreed to."""

    code = "removals_to_confirm"
    default_message = _l("This change removes sessions: check them and confirm.")

    def __init__(self, plan):
        super().__init__()
        self.plan = plan


def _check_schedule(starts_on, ends_on, weekdays, start_time, end_time):
    if not (starts_on and ends_on and start_time and end_time):
        raise DomainError(_l("Give the first and last day and the start and end times."))
    if not (within_window(starts_on) and within_window(ends_on)):
        raise DateOutsideWindow()
    if ends_on < starts_on:
        raise DomainError(_l("The last day comes before the first day."))
    if (ends_on - starts_on).days >= recurrence.MAX_SCHEDULE_DAYS:
        raise DomainError(_l("A schedule can cover at most a year."))
    if end_time <= start_time:
        raise DomainError(_l("The end time must come after the start time."))
    if not weekdays or not set(weekdays) <= set(range(7)):
        raise DomainError(_l("Choose at least one weekday."))


def set_schedule(
    program,
    *,
    starts_on,
    ends_on,
    weekdays,
    start_time,
    end_time,
    actor,
    held_holidays=None,
    confirmed=None,
    now=None,
):
    """Set the programme's schedule and bring its generated sessions in line with it.
    Public holidays on its days are skipped, except the days in `held_holidays` (None:
    those held before stay held). Sessions it would remove are removed only when
    `confirmed` is the plan's removal_token (the coordinator saw them); else
    RemovalsToConfirm, nothing written."""
    _check_stage(program.participation)
    _check_schedule(starts_on, ends_on, weekdays, start_time, end_time)
    before = {
        "starts_on": program.starts_on,
        "ends_on": program.ends_on,
        "weekdays": program.weekdays,
        "start_time": program.start_time,
        "end_time": program.end_time,
    }
    # In a savepoint: when the coordinator has removals to confirm, the new schedule is
    # undone with it and nothing is written until they do.
    with db.session.begin_nested():
        holidays = _write_schedule(
            program, starts_on, ends_on, weekdays, start_time, end_time, held_holidays
        )
        change = apply_schedule(program, actor=actor, confirmed=confirmed, now=now)
    change.holidays = holidays
    log_change(
        "program.schedule",
        program,
        actor=actor,
        complex_id=program.complex_id,
        before=before,
        after={
            "starts_on": starts_on,
            "ends_on": ends_on,
            "weekdays": program.weekdays,
            "start_time": start_time,
            "end_time": end_time,
            "created": change.created,
            "removed": change.removed,
            "kept": len(change.kept),
            "holidays_skipped": ",".join(h.day.isoformat() for h in change.skipped_holidays),
            "holidays_held": ",".join(h.day.isoformat() for h in holidays if h.held),
        },
    )
    return change


def preview_schedule(
    program, *, starts_on, ends_on, weekdays, start_time, end_time, held_holidays=None, now=None
):
    """What set_schedule would do with these values, worked out and undone: nothing is
    written. The same checks refuse the same mistakes."""
    _check_stage(program.participation)
    _check_schedule(starts_on, ends_on, weekdays, start_time, end_time)
    savepoint = db.session.begin_nested()
    try:
        holidays = _write_schedule(
            program, starts_on, ends_on, weekdays, start_time, end_time, held_holidays
        )
        plan = plan_schedule(program, now=now)
        sessions = _planned_sessions(program)
    finally:
        savepoint.rollback()
    return SchedulePreview(sessions=sessions, holidays=holidays, plan=plan)


def _write_schedule(program, starts_on, ends_on, weekdays, start_time, end_time, held_holidays):
    program.starts_on, program.ends_on = starts_on, ends_on
    program.weekdays = recurrence.weekday_digits(weekdays)
    program.start_time, program.end_time = start_time, end_time
    return _settle_holidays(program, held_holidays)


def _settle_holidays(program, held_holidays):
    """Write the public holidays on the schedule's days as its exceptions: each skipped
    (noted with its name) unless held, that is kept on its own day. A held day that is no
    public holiday of the schedule is ignored (a tick left from dates since changed)."""
    current = {exception.day: exception for exception in program.exceptions}
    holidays = recurrence.holidays_on_schedule(
        program.starts_on,
        program.ends_on,
        program.weekday_numbers,
        {day: exception.moved_to for day, exception in current.items()},
        held=None if held_holidays is None else set(held_holidays),
    )
    for holiday in holidays:
        exception = current.get(holiday.day)
        if exception is None:
            exception = ScheduleException(program_id=program.id, day=holiday.day)
            program.exceptions.append(exception)
        if holiday.held:
            exception.moved_to, exception.note = holiday.day, holiday.name
        else:
            exception.moved_to, exception.note = None, exception.note or holiday.name
    return holidays


def add_exception(program, *, day, moved_to=None, note="", actor, now=None):
    """Skip `day` (a holiday), or move its session to `moved_to`. Naming the day confirms
    the removal of its session (and of nothing else)."""
    _check_stage(program.participation)
    if program.starts_on is None:
        raise DomainError(_l("Set the schedule first."))
    if not within_window(day) or (moved_to is not None and not within_window(moved_to)):
        raise DateOutsideWindow()
    if day not in recurrence.scheduled_days(
        program.starts_on, program.ends_on, program.weekday_numbers
    ):
        raise DomainError(_l("%(day)s is not a day of this schedule."), day=day.isoformat())
    if moved_to == day:
        moved_to = None
    exception = db.session.scalar(
        select(ScheduleException).where(
            ScheduleException.program_id == program.id, ScheduleException.day == day
        )
    )
    if exception is None:
        exception = ScheduleException(program_id=program.id, day=day)
        program.exceptions.append(exception)
    exception.moved_to, exception.note = moved_to, note
    plan = plan_schedule(program, now=now)
    named = {s.id for s in _generated_sessions(program) if s.schedule_day == day}
    confirmed = (
        plan.removal_token if {line.session_id for line in plan.to_remove} <= named else None
    )
    change = apply_schedule(program, actor=actor, confirmed=confirmed, now=now)
    log_change(
        "program.exception",
        program,
        actor=actor,
        complex_id=program.complex_id,
        after={"day": day, "moved_to": moved_to, "note": note, "kept": len(change.kept)},
    )
    return change


def _booking_counts(session_ids):
    """{session id: (active bookings, all bookings)}: one GROUP BY."""
    if not session_ids:
        return {}
    active = func.sum(case((Booking.status != BookingStatus.CANCELLED, 1), else_=0))
    return {
        session_id: (int(live or 0), total)
        for session_id, live, total in db.session.execute(
            select(Booking.session_id, active, func.count(Booking.id))
            .where(Booking.session_id.in_(session_ids))
            .group_by(Booking.session_id)
        )
    }


def _rostered(session_ids):
    if not session_ids:
        return set()
    return set(
        db.session.scalars(
            select(RosterEntry.session_id).distinct().where(RosterEntry.session_id.in_(session_ids))
        )
    )


def _generated_sessions(program):
    return db.session.scalars(
        select(ProgramSession).where(
            ProgramSession.program_id == program.id,
            ProgramSession.schedule_day.is_not(None),
            ProgramSession.state == SessionState.SCHEDULED,
        )
    ).all()


def _planned_sessions(program):
    db.session.flush()
    return recurrence.planned_sessions(
        program.starts_on,
        program.ends_on,
        program.weekday_numbers,
        program.start_time,
        program.end_time,
        {exception.day: exception.moved_to for exception in program.exceptions},
    )


def plan_schedule(program, *, now=None):
    """What bringing the generated sessions in line with the schedule would do. Sessions
    that have begun, one-off events, and sessions people are booked on or rostered for
    are never removed or moved: they are kept."""
    now = now or utcnow()
    planned = {p.schedule_day: p for p in _planned_sessions(program)}
    existing = _generated_sessions(program)
    counts = _booking_counts([s.id for s in existing])
    rostered = _rostered([s.id for s in existing])
    plan = SchedulePlan()
    for program_session in sorted(existing, key=lambda s: s.starts_at):
        wanted = planned.pop(program_session.schedule_day, None)
        if wanted and (program_session.starts_at, program_session.ends_at) == (
            wanted.starts_at,
            wanted.ends_at,
        ):
            continue
        live, total = counts.get(program_session.id, (0, 0))
        line = SessionLine(
            program_session.id, program_session.starts_at, program_session.ends_at, live, total
        )
        if program_session.starts_at <= now or live or program_session.id in rostered:
            plan.kept.append(line)
            plan.kept_sessions.append(program_session)
        elif wanted:
            plan.to_move.append((program_session, wanted))
        else:
            plan.to_remove.append(line)
    plan.to_create = [wanted for wanted in planned.values() if wanted.starts_at > now]
    return plan


def apply_schedule(program, *, actor=None, confirmed=None, now=None):
    """Carry out plan_schedule. Removing needs `confirmed` to be the plan's removal_token;
    a removed session that ever had bookings is cancelled rather than deleted, so the
    cancelled bookings stay on record."""
    plan = plan_schedule(program, now=now)
    if plan.to_remove and confirmed != plan.removal_token:
        raise RemovalsToConfirm(plan)
    for program_session, wanted in plan.to_move:
        program_session.starts_at, program_session.ends_at = wanted.starts_at, wanted.ends_at
    for line in plan.to_remove:
        program_session = db.session.get(ProgramSession, line.session_id)
        if line.any_bookings:
            cancel_session(program_session, reason="schedule", actor=actor, now=now)
        else:
            db.session.delete(program_session)
    for wanted in plan.to_create:
        db.session.add(
            ProgramSession(
                program_id=program.id,
                schedule_day=wanted.schedule_day,
                starts_at=wanted.starts_at,
                ends_at=wanted.ends_at,
                capacity=program.default_capacity,
            )
        )
    db.session.flush()
    return ScheduleChange(
        created=len(plan.to_create),
        removed=len(plan.to_remove),
        moved=len(plan.to_move),
        kept=plan.kept_sessions,
    )


def add_session(program, *, starts_at, ends_at, capacity, title="", volunteers_needed=0, actor):
    """A one-off event outside the schedule (e.g. the tree adoption day)."""
    _check_stage(program.participation)
    if not (within_window(to_seoul(starts_at)) and within_window(to_seoul(ends_at))):
        raise DateOutsideWindow()
    if ends_at <= starts_at:
        raise DomainError(_l("The end time must come after the start time."))
    if capacity < 1:
        raise DomainError(_l("Capacity must be at least 1."))
    program_session = ProgramSession(
        program_id=program.id,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        volunteers_needed=volunteers_needed,
    )
    db.session.add(program_session)
    db.session.flush()
    log_change(
        "session.add",
        program_session,
        actor=actor,
        complex_id=program.complex_id,
        after={"program_id": program.id, "starts_at": starts_at, "capacity": capacity},
    )
    return program_session
