"""The reads behind the notice board, a resident's home and the sending of a notice."""

from datetime import date

from sqlalchemy import or_, select

from gachi.auth.models import Role, User
from gachi.complexes.models import Household
from gachi.extensions import db
from gachi.notices.models import Notice

# Besides every pinned notice, how many of the latest a resident's home page shows.
RECENT_ON_HOME = 3


def _current(complex_id: int, today: date):
    return select(Notice).where(
        Notice.complex_id == complex_id,
        Notice.removed_at.is_(None),
        or_(Notice.expires_on.is_(None), Notice.expires_on >= today),
    )


def board(complex_id: int, today: date) -> list[Notice]:
    """The notices on the board on `today`: pinned first, then the newest first."""
    return list(
        db.session.scalars(
            _current(complex_id, today).order_by(
                Notice.pinned.desc(), Notice.created_at.desc(), Notice.id.desc()
            )
        )
    )


def home_notices(complex_id: int, today: date, recent=RECENT_ON_HOME) -> list[Notice]:
    """Every pinned notice and the `recent` latest others, in the board's order."""
    notices = board(complex_id, today)
    pinned = [notice for notice in notices if notice.pinned]
    return pinned + [notice for notice in notices if not notice.pinned][:recent]


def past_notices(complex_id: int, today: date) -> list[Notice]:
    """Notices whose last day has gone (for the coordinator's list), newest first."""
    return list(
        db.session.scalars(
            select(Notice)
            .where(
                Notice.complex_id == complex_id,
                Notice.removed_at.is_(None),
                Notice.expires_on < today,
            )
            .order_by(Notice.created_at.desc(), Notice.id.desc())
        )
    )


def resident_ids_of(complex_id: int) -> list[int]:
    """Every active resident account of the complex."""
    return list(
        db.session.scalars(
            select(User.id)
            .join(Household, User.household_id == Household.id)
            .where(
                Household.complex_id == complex_id,
                User.role == Role.RESIDENT,
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )
