"""The reads behind the audit log page, its file and a person's own data export."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select

from gachi.auth.models import Role, User
from gachi.complexes.models import Complex
from gachi.core.audit import AuditEntry, AuditSubject
from gachi.core.pagination import Page
from gachi.core.time import SEOUL
from gachi.extensions import db

ENTRIES_PER_PAGE = 50
# The file holds at most this many entries, the newest; narrow the filters for older ones.
EXPORT_LIMIT = 20_000


@dataclass(frozen=True)
class AuditFilters:
    person: str | None = None  # a user name, or part of a name: who acted or whom it is about
    action: str | None = None
    complex_name: str | None = None
    since: date | None = None  # Seoul days, both ends included
    until: date | None = None


@dataclass
class AuditRow:
    entry: AuditEntry
    actor_name: str | None
    actor_role: Role | None
    complex_name: str | None
    subjects: list = field(default_factory=list)  # (display name, role), by name


def _seoul_midnight(day):
    return datetime.combine(day, time(), tzinfo=SEOUL)


def _people_matching(person):
    needle = person.lower()
    return select(User.id).where(
        or_(
            func.lower(User.username) == needle,
            func.lower(User.display_name).contains(needle, autoescape=True),
        )
    )


def _conditions(filters):
    conditions = []
    if filters.person:
        people = _people_matching(filters.person)
        about = select(AuditSubject.entry_id).where(AuditSubject.user_id.in_(people))
        conditions.append(or_(AuditEntry.actor_id.in_(people), AuditEntry.id.in_(about)))
    if filters.action:
        conditions.append(AuditEntry.action == filters.action)
    if filters.complex_name:
        conditions.append(
            AuditEntry.complex_id.in_(
                select(Complex.id).where(
                    Complex.name.contains(filters.complex_name, autoescape=True)
                )
            )
        )
    if filters.since:
        conditions.append(AuditEntry.created_at >= _seoul_midnight(filters.since))
    if filters.until:
        conditions.append(
            AuditEntry.created_at < _seoul_midnight(filters.until + timedelta(days=1))
        )
    return conditions


def _rows(conditions, *, limit, offset=0):
    rows = db.session.execute(
        select(AuditEntry, User.display_name, User.role, Complex.name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .outerjoin(Complex, Complex.id == AuditEntry.complex_id)
        .where(*conditions)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [AuditRow(*row) for row in rows]


def _with_subjects(rows):
    """The people each entry is about, in one query for all the rows."""
    by_id = {row.entry.id: row for row in rows}
    if by_id:
        for entry_id, name, role in db.session.execute(
            select(AuditSubject.entry_id, User.display_name, User.role)
            .join(User, User.id == AuditSubject.user_id)
            .where(AuditSubject.entry_id.in_(by_id))
            .order_by(AuditSubject.entry_id, User.display_name, User.id)
        ):
            by_id[entry_id].subjects.append((name, role))
    return rows


def entry_page(filters: AuditFilters, *, page=1, per_page=ENTRIES_PER_PAGE) -> Page:
    """One page of entries, newest first; three queries whatever the log holds (the count,
    the page with each actor and complex, and the people the page's entries are about)."""
    conditions = _conditions(filters)
    total = db.session.execute(select(func.count(AuditEntry.id)).where(*conditions)).scalar_one()
    rows = _rows(conditions, limit=per_page, offset=(page - 1) * per_page)
    return Page(rows=_with_subjects(rows), number=page, total=total, per_page=per_page)


def export_rows(filters: AuditFilters):
    """Every matching entry for the file, newest first, at most EXPORT_LIMIT."""
    return _with_subjects(_rows(_conditions(filters), limit=EXPORT_LIMIT))


def entries_about(user_id):
    """The entries naming `user_id` as a person shown, newest first, for their own export."""
    about = select(AuditSubject.entry_id).where(AuditSubject.user_id == user_id)
    return _rows([AuditEntry.id.in_(about)], limit=None)
