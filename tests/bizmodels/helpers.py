"""Dates for recipe stories: computed from Korea's holiday calendar, never the clock's day."""

from datetime import date, timedelta

from gachi.programs.recurrence import public_holidays


def monday_without_holidays(after: date, weeks: int = 4) -> date:
    """The first Monday after `after` whose `weeks` weeks hold no public holiday."""
    day = after + timedelta(days=7 - after.weekday())
    while public_holidays(day, day + timedelta(days=7 * weeks - 1)):
        day += timedelta(days=7)
    return day
