"""When attendance is taken: the one window shared by programme sessions, workshops and
volunteer shifts. It opens `ATTENDANCE_OPENS_BEFORE` before the start (people arrive
early) and closes `ATTENDANCE_CLOSES_AFTER` after the end (a paper list typed in later),
both in config.py. Outside it nobody is checked in: a check-in days ahead was once
accepted, counted on the board and frozen at sign-off as if the resident had come.

The models ask `is_open` for their `takes_attendance(now)` predicates; the operations
raise `refusal(...)` when it says no, so the page and the rule cannot drift apart."""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from gachi.core.errors import DomainError
from gachi.core.time import seoul_label


class AttendanceClosed(DomainError):
    code = "attendance_closed"
    status = 409


def opens_at(starts_at: datetime) -> datetime:
    before: timedelta = current_app.config["ATTENDANCE_OPENS_BEFORE"]
    return starts_at - before


def closes_at(ends_at: datetime) -> datetime:
    after: timedelta = current_app.config["ATTENDANCE_CLOSES_AFTER"]
    return ends_at + after


def is_open(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    return opens_at(starts_at) <= now < closes_at(ends_at)


def refusal(starts_at: datetime, ends_at: datetime, now: datetime) -> AttendanceClosed:
    """The reason `is_open` said no at `now`, for the person at the door."""
    if now < opens_at(starts_at):
        return AttendanceClosed(
            _l("Check-in opens on %(when)s."),
            when=seoul_label(opens_at(starts_at)),
        )
    return AttendanceClosed(
        _l("Attendance could be recorded until %(when)s."),
        when=seoul_label(closes_at(ends_at)),
    )
