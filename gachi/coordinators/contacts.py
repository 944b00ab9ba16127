"""Who residents call: the coordinators placed at a complex, with their phone numbers.

A module of its own, not coordinators/queries.py: the pages that tell residents to call
(a resident's home, a session, a booking) read it, and that module reads the areas above.
"""

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from gachi.auth.models import User
from gachi.coordinators.models import Placement
from gachi.extensions import db


@dataclass(frozen=True)
class CoordinatorContact:
    """What residents are told of a coordinator: a name to ask for and a number to call."""

    name: str
    phone: str | None

    @property
    def tel_href(self) -> str | None:
        return tel_href(self.phone)


def tel_href(phone: str | None) -> str | None:
    """A `tel:` address a phone dials at a tap: digits and a leading +, nothing else."""
    if not phone:
        return None
    digits = re.sub(r"[^\d+]", "", phone)
    digits = digits[:1] + digits[1:].replace("+", "")
    return f"tel:{digits}" if any(c.isdigit() for c in digits) else None


def coordinator_contacts(complex_id: int, day: date) -> list[CoordinatorContact]:
    """The coordinators placed at the complex on `day`, with their phone (None if unset)."""
    rows = db.session.execute(
        select(User.display_name, User.phone)
        .join(Placement, Placement.coordinator_id == User.id)
        .where(
            Placement.complex_id == complex_id,
            Placement.is_active_on(day),
            User.active.is_(True),
        )
        .distinct()
        .order_by(User.display_name, User.phone)
    )
    return [CoordinatorContact(name, phone or None) for name, phone in rows]
