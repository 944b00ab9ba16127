"""The reads behind the account admin pages."""

from weakref import WeakKeyDictionary

from sqlalchemy import or_, select
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
    if search and search.strip():
        query = query.where(_matching(search.strip()))
    return db.paginate(query, page=page, per_page=ACCOUNTS_PER_PAGE, error_out=False)


# Account search ---------------------------------------------------------------------------
# By index, never a scan (migration 0015): with PostgreSQL's trigram indexes a part of a
# name or user name is found anywhere in it; elsewhere (SQLite, or PostgreSQL without
# pg_trgm) names are found by their beginning. User names are stored lower-cased.

_finds_anywhere: WeakKeyDictionary = WeakKeyDictionary()


def search_finds_anywhere():
    """Does the account search find a part in the middle of a name (trigram indexes)?
    Asked of the database once per process, on a connection of its own."""
    engine = db.engine
    if engine not in _finds_anywhere:
        found = False
        if engine.dialect.name == "postgresql":
            connection = engine.raw_connection()
            try:
                cursor = connection.cursor()
                cursor.execute(
                    "SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam"
                    " WHERE c.oid = to_regclass('ix_users_display_name_search')"
                )
                found = cursor.fetchone() == ("gin",)
                connection.rollback()
            finally:
                connection.close()
        _finds_anywhere[engine] = found
    return _finds_anywhere[engine]


def _escaped(needle):
    return needle.replace("/", "//").replace("%", "/%").replace("_", "/_")


# A trigram index finds nothing shorter than three letters inside a name (it would be
# read whole, or the table scanned): shorter needles are looked for at the beginning.
TRIGRAM = 3


def _matching(search):
    # The pattern is one bound value (not `? || '%'`): SQLite uses an index for LIKE only
    # when its right side is a literal or a parameter.
    needle = _escaped(search)
    if not search_finds_anywhere():
        # SQLite compares with NOCASE; PostgreSQL's btree fallback only as typed.
        return or_(
            User.username.like(f"{needle.lower()}%", escape="/"),
            User.display_name.like(f"{needle}%", escape="/"),
        )
    pattern = f"%{needle}%" if len(search) >= TRIGRAM else f"{needle}%"
    return or_(
        User.username.like(pattern.lower(), escape="/"),
        User.display_name.ilike(pattern, escape="/"),
    )


def residents_of(complex_id):
    """The residents of a complex with their households, by building, unit and name."""
    return db.session.scalars(
        select(User)
        .join(Household, User.household_id == Household.id)
        .options(selectinload(User.household))
        .where(Household.complex_id == complex_id)
        .order_by(Household.building, Household.unit, User.display_name)
    ).all()


def enterprises_by_name():
    return db.session.scalars(select(Enterprise).order_by(Enterprise.name)).all()
