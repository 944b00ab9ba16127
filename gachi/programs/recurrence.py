"""A programme's schedule as the sessions it means: days in a range on given weekdays,
in a time window, with single days skipped (holidays) or moved, and Korea's public
holidays (from the `holidays` package: lunar and substitute holidays included).

Pure functions of plain values, so the rules can be read and tested on their own.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

import holidays

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
    the day it moves to (itself: held as usual, e.g. a public holiday kept); the moved
    session keeps its schedule day, so it is still known as the same session. Sorted by
    start."""
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


# Public holidays ------------------------------------------------------------------------

# The languages the `holidays` package names Korean holidays in; Korean is its own.
HOLIDAY_LANGUAGES = ("ko", "en_US")


@dataclass(frozen=True)
class ScheduledHoliday:
    """A public holiday that falls on a day of a schedule: skipped, unless `held`."""

    day: date
    name: str
    held: bool = False


@cache
def _holidays_of_year(year: int, language: str) -> dict[date, str]:
    return dict(holidays.country_holidays("KR", years=year, language=language))


def public_holidays(starts_on: date, ends_on: date, language: str = "ko") -> dict[date, str]:
    """Korea's public holidays from `starts_on` to `ends_on` (inclusive), by day, named in
    `language` (Korean unless "en_US"): 설날 and 추석 with the days either side, and the
    substitute holidays (대체 휴일) the law adds."""
    language = language if language in HOLIDAY_LANGUAGES else "ko"
    return {
        day: name
        for year in range(starts_on.year, ends_on.year + 1)
        for day, name in sorted(_holidays_of_year(year, language).items())
        if starts_on <= day <= ends_on
    }


def holidays_on_schedule(
    starts_on, ends_on, weekdays, exceptions=None, held=None, language="ko"
) -> list[ScheduledHoliday]:
    """The public holidays that fall on the schedule's days, in order. Each is skipped
    unless held: `held` names the days to hold, or, when None, the `exceptions` do (a day
    mapped to itself). A day the exceptions move elsewhere is not listed: it is moved."""
    exceptions = exceptions or {}
    wanted = set(weekdays)
    listed = []
    for day, name in public_holidays(starts_on, ends_on, language).items():
        if day.weekday() not in wanted or exceptions.get(day) not in (None, day):
            continue
        is_held = day in held if held is not None else exceptions.get(day) == day
        listed.append(ScheduledHoliday(day, name, is_held))
    return listed
