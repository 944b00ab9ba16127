"""Time: stored in UTC, shown and reasoned about in Asia/Seoul."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every one we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def seoul_today() -> date:
    return datetime.now(SEOUL).date()


def to_seoul(moment: datetime) -> datetime:
    return as_aware(moment).astimezone(SEOUL)
