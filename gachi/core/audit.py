"""The audit log: one entry per change that matters (who, what, when, before/after), and
one per view of other people's personal data (who looked, at what, whom it showed)."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask import Response, make_response
from flask.typing import ResponseReturnValue
from sqlalchemy import JSON, ForeignKey, String, insert
from sqlalchemy.orm import Mapped, mapped_column

from gachi.core.handlers import read_that_writes
from gachi.core.time import utcnow
from gachi.extensions import Model, db


class AuditEntry(Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[int | None]
    complex_id: Mapped[int | None] = mapped_column(index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)


class AuditSubject(Model):
    """A person an entry is about: the people a page showed, so that each can see in
    their own data export who looked at them, and an admin can find every view of them."""

    __tablename__ = "audit_entry_subjects"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("audit_entries.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


def _jsonable(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {
        key: (value if isinstance(value, (int, float, bool, type(None))) else str(value))
        for key, value in values.items()
    }


def log_change(
    action: str,
    obj: Any,
    *,
    actor: Any,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    complex_id: int | None = None,
) -> AuditEntry:
    """Record `action` on `obj` by `actor` (None for the system)."""
    db.session.flush()
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        complex_id=complex_id,
        before=_jsonable(before),
        after=_jsonable(after),
    )
    db.session.add(entry)
    return entry


# Rows per INSERT of subjects: one statement for any page a person reads (a roster of
# 200 is 400 parameters), well under SQLite's and PostgreSQL's limits on parameters.
SUBJECTS_PER_STATEMENT = 1000


def no_store(response: ResponseReturnValue) -> Response:
    """A page or file with personal data is kept by no browser, proxy or shared computer."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def _object_of(about: Any) -> tuple[str, int | None]:
    """(object_type, object_id) of a model object, or of a model class for a list."""
    if isinstance(about, type):
        return about.__name__, None
    return type(about).__name__, about.id


def personal_data_shown(
    response: ResponseReturnValue,
    action: str,
    about: Any,
    *,
    actor: Any,
    complex_id: int | None = None,
    subject_ids: Iterable[int | None] = (),
    after: Mapping[str, Any] | None = None,
) -> Response:
    """`response` (a rendered page, a file, an API answer) shows other people's personal data
    to `actor`: write one audit entry, naming the people shown, and mark it no-store.

    `about` is the object the page is of (a session, a complex) or a model class for a list
    of them; `subject_ids` are the users shown (None, a person without an account, is
    skipped). A page that shows nobody but the actor writes nothing; one without named
    people (a list of households) passes no ids and is logged. The caller renders first,
    so nothing loaded is read again after the commit.
    """
    response = no_store(response)
    shown = {user_id for user_id in subject_ids if user_id is not None}
    if shown and shown <= {actor.id}:
        return response  # one's own data only: nothing to log
    subject_ids = sorted(shown - {actor.id})
    # A read that writes, on purpose (DESIGN: "staff access to personal data is logged"):
    # a GET commits its audit entry. On SQLite the write takes the lock as every POST
    # does, only for these inserts.
    with read_that_writes():
        _insert_entry(actor, action, about, complex_id, subject_ids, after)
    return response


def _insert_entry(
    actor: Any,
    action: str,
    about: Any,
    complex_id: int | None,
    subject_ids: list[int],
    after: Mapping[str, Any] | None,
) -> None:
    object_type, object_id = _object_of(about)
    values = dict(
        actor_id=actor.id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        complex_id=complex_id,
    )
    if after is not None:
        values["after"] = _jsonable(after)
    entry_id = db.session.execute(
        insert(AuditEntry).values(**values).returning(AuditEntry.id)
    ).scalar_one()
    for start in range(0, len(subject_ids), SUBJECTS_PER_STATEMENT):
        db.session.execute(
            insert(AuditSubject).values(
                [
                    {"entry_id": entry_id, "user_id": user_id}
                    for user_id in subject_ids[start : start + SUBJECTS_PER_STATEMENT]
                ]
            )
        )
