"""Reading back what a page wrote to the audit log."""

from dataclasses import dataclass

from sqlalchemy import func, select

from gachi.core.audit import AuditEntry, AuditSubject
from gachi.extensions import db


@dataclass
class Logged:
    response: object
    entries: list

    @property
    def entry(self):
        assert len(self.entries) == 1, [entry.action for entry in self.entries]
        return self.entries[0]

    @property
    def subject_ids(self):
        return set(
            db.session.scalars(
                select(AuditSubject.user_id).where(AuditSubject.entry_id == self.entry.id)
            )
        )


def last_entry_id():
    return db.session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))


def get_logged(client, path, status=200):
    """GET `path` and return the response with the audit entries the request wrote."""
    before = last_entry_id()
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    db.session.expire_all()
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.id > before).order_by(AuditEntry.id)
    ).all()
    return Logged(response, entries)
