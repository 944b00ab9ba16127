"""The pilot's moments: Seoul wall-clock times in 2018, as the operations take them."""

from datetime import date, datetime, time

from gachi.core.time import SEOUL


def seoul(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """`hour`:`minute` in Seoul on `day` (10:00 by default: a plausible working hour)."""
    return datetime.combine(day, time(hour, minute), tzinfo=SEOUL)
