"""A recipe's arithmetic, on plain values: the days a run covers, the participants a
complex can expect, a budget line scaled to it, and the sessions a draft means.

The scaling rule. A complex that adopts a recipe expects the recipe's participants,
scaled by its households against the source complex's households when both are known
(rounded to the nearest whole person), else the recipe's participants as they are. A
fixed line is copied; a per-participant line is its amount times those participants; a
per-household line is its amount times the complex's households (none when the complex's
household count is not recorded: the coordinator fills the line in by hand).
"""

from dataclasses import dataclass
from datetime import date, time, timedelta

from gachi.bizmodels.models import Basis
from gachi.programs import recurrence


def last_day(starts_on: date, weeks: int) -> date:
    """The last day of a run of `weeks` weeks from `starts_on`."""
    return starts_on + timedelta(days=7 * weeks - 1)


def expected_participants(participants, source_households, households) -> int:
    if not participants:
        return 0
    if source_households and households:
        return max(
            1, int((participants * households + source_households // 2) // source_households)
        )
    return participants


def scaled_amount(amount: int, basis: Basis, participants: int, households: int | None) -> int:
    if basis is Basis.PER_PARTICIPANT:
        return amount * participants
    if basis is Basis.PER_HOUSEHOLD:
        return amount * (households or 0)
    return amount


@dataclass(frozen=True)
class DraftSession:
    """A session the draft will make: from the weekly schedule, or a one-off event."""

    planned: recurrence.PlannedSession
    title: str = ""


@dataclass(frozen=True)
class DraftSchedule:
    sessions: list[DraftSession]
    skipped: list[recurrence.ScheduledHoliday]
    ends_on: date


@dataclass(frozen=True)
class Event:
    title: str
    day_offset: int
    start_time: time
    end_time: time


def draft_schedule(starts_on, weeks, weekdays, start_time, end_time, events=(), language="ko"):
    """The sessions of a run from `starts_on`: the weekdays of `weeks` weeks in the time
    window, Korea's public holidays skipped, and each one-off event on its offset day."""
    ends_on = last_day(starts_on, weeks)
    skipped = recurrence.holidays_on_schedule(starts_on, ends_on, weekdays, language=language)
    planned = recurrence.planned_sessions(
        starts_on,
        ends_on,
        weekdays,
        start_time,
        end_time,
        {holiday.day: None for holiday in skipped},
    )
    sessions = [DraftSession(one) for one in planned]
    for event in events:
        day = starts_on + timedelta(days=event.day_offset)
        sessions.append(
            DraftSession(
                recurrence.PlannedSession(
                    day,
                    recurrence.seoul_moment(day, event.start_time),
                    recurrence.seoul_moment(day, event.end_time),
                ),
                event.title,
            )
        )
    sessions.sort(key=lambda session: session.planned.starts_at)
    return DraftSchedule(sessions, skipped, ends_on)
