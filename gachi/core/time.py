"""Time: stored in UTC, shown and reasoned about in Asia/Seoul; and the one window of
dates the app accepts."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from gachi.core.errors import DomainError

SEOUL = ZoneInfo("Asia/Seoul")

# Every date and datetime typed into the app falls in this window (Seoul's calendar).
# Year 1 overflowed on the way to UTC (a 500) and 1900 wiped a programme's future
# sessions; nothing this programme plans or records lies outside it.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
OUTSIDE_WINDOW = _l("Enter a date from %(earliest)s to %(latest)s.")


class DateOutsideWindow(DomainError):
    code = "date_outside_window"
    status = 400

    def __init__(self) -> None:
        super().__init__(OUTSIDE_WINDOW, **window_bounds())


def window_bounds() -> dict[str, str]:
    return {"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()}


def within_window(value: date) -> bool:
    """`value`, a date or a Seoul wall-clock datetime, lies in the window."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def seoul_to_utc(moment: datetime) -> datetime:
    """A time typed on a page is Seoul time; one outside the window is refused."""
    if not within_window(moment):
        raise DateOutsideWindow()
    return moment.replace(tzinfo=SEOUL)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every one we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def seoul_today() -> date:
    return datetime.now(SEOUL).date()


def to_seoul(moment: datetime) -> datetime:
    return as_aware(moment).astimezone(SEOUL)


def seoul_label(moment: datetime) -> str:
    """A time for a notification's text, the same in every language: 2018-11-12 14:00."""
    return to_seoul(moment).strftime("%Y-%m-%d %H:%M")
