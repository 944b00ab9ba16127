"""A programme's schedule as the sessions it means: days in a range on given weekdays,
in a time window, with single days skipped (holidays) or moved.

Pure functions of plain values, so the rules can be read and tested on their own.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from gachi.core.time import SEOUL

# Longer than any pilot programme (13 weeks), short enough to stop a typo making thousands.
MAX_SCHEDULE_DAYS = 366


@dataclass(frozen=True)
class PlannedSession:
    """One session the schedule asks for: the day it was scheduled for, and when it is."""

    schedule_day: date
    starts_at: datetime
    ends_at: datetime


def seoul_moment(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=SEOUL)


def scheduled_days(starts_on: date, ends_on: date, weekdays) -> list[date]:
    """Every day from `starts_on` to `ends_on` (inclusive) whose weekday (0 = Monday) is in
    `weekdays`."""
    wanted = set(weekdays)
    span = (ends_on - starts_on).days
    return [
        day
        for day in (starts_on + timedelta(days=offset) for offset in range(span + 1))
        if day.weekday() in wanted
    ]


def planned_sessions(starts_on, ends_on, weekdays, start_time, end_time, exceptions=None):
    """The sessions of a schedule. `exceptions` maps a scheduled day to None (skipped) or to
    the day it moves to; the moved session keeps its schedule day, so it is still known
    as the same session. Sorted by start."""
    exceptions = exceptions or {}
    sessions = []
    for day in scheduled_days(starts_on, ends_on, weekdays):
        if day in exceptions and exceptions[day] is None:
            continue
        held_on = exceptions.get(day) or day
        sessions.append(
            PlannedSession(day, seoul_moment(held_on, start_time), seoul_moment(held_on, end_time))
        )
    return sorted(sessions, key=lambda planned: planned.starts_at)


def weekday_digits(weekdays) -> str:
    """The stored form of a set of weekdays: "01234" for Monday to Friday."""
    return "".join(str(day) for day in sorted(set(weekdays)))
