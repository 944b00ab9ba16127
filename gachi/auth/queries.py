"""The reads behind the account admin pages."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from gachi.auth.models import User
from gachi.complexes.models import Household
from gachi.enterprises.models import Enterprise
from gachi.extensions import db

ACCOUNTS_PER_PAGE = 50


def account_page(*, role=None, search=None, page=1):
    """One page of accounts, by user name; three queries whatever the page holds
    (count, rows, and one each for households with complexes and enterprises)."""
    query = (
        select(User)
        .options(
            selectinload(User.household).selectinload(Household.complex),
            selectinload(User.enterprise),
        )
        .order_by(User.username)
    )
    if role is not None:
        query = query.where(User.role == role)
    if search:
        needle = search.lower()
        query = query.where(
            or_(
                User.username.contains(needle, autoescape=True),
                func.lower(User.display_name).contains(needle, autoescape=True),
            )
        )
    return db.paginate(query, page=page, per_page=ACCOUNTS_PER_PAGE, error_out=False)


def enterprises_by_name():
    return db.session.scalars(select(Enterprise).order_by(Enterprise.name)).all()
