"""The audit log: one entry per change that matters (who, what, when, before/after)."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gachi.core.time import utcnow
from gachi.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 index=True)
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[int | None]
    complex_id: Mapped[int | None] = mapped_column(index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)


class AuditSubject(db.Model):
    """A person an entry is about: the people a page showed, so that each can see in
    their own data export who looked at them, and an admin can find every view of them."""
    __tablename__ = "audit_entry_subjects"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("audit_entries.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


def _jsonable(values):
    if values is None:
        return None
    return {key: (value if isinstance(value, (int, float, bool, type(None))) else str(value))
            for key, value in values.items()}


def log_change(action, obj, *, actor, before=None, after=None, complex_id=None):
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


def log_personal_data_view(subject, *, actor):
    """Staff opened a page showing `subject`'s contact details (DESIGN: privacy)."""
    return log_change("personal_data.view", subject, actor=actor)
