"""What the scheduler calls for workshops: remind the complex's residents before one.

Workshops take no sign-ups (attendance is checked in at the door), so every active
resident account of the complex is reminded, its lead time ahead (`workshop_hours`),
each once (a row in sent_reminders)."""

from datetime import timedelta

from sqlalchemy import select

from gachi.complexes.models import LONGEST_LEAD_HOURS, lead_hours
from gachi.complexes.queries import resident_ids
from gachi.core.time import seoul_label
from gachi.extensions import db
from gachi.notifications.models import N_, NotificationKind
from gachi.notifications.operations import send_reminder
from gachi.workshops.models import Workshop


def remind_workshops(now):
    """Remind the residents of each complex whose workshop begins within its lead time.
    Returns how many were reminded."""
    workshops = db.session.scalars(
        select(Workshop)
        .where(
            Workshop.held_at > now,
            Workshop.held_at <= now + timedelta(hours=LONGEST_LEAD_HOURS),
        )
        .order_by(Workshop.id)
    ).all()
    hours = lead_hours({workshop.participation.complex_id for workshop in workshops})
    sent = 0
    for workshop in workshops:
        complex_id = workshop.participation.complex_id
        if workshop.held_at > now + timedelta(hours=hours[complex_id]["workshop_hours"]):
            continue
        sent += send_reminder(
            "workshop",
            workshop.id,
            [row.id for row in resident_ids(complex_id)],
            now,
            N_("Reminder: a residents' workshop is held on %(when)s at %(place)s."),
            kind=NotificationKind.WORKSHOPS,
            link=f"/workshops/{workshop.id}",
            when=seoul_label(workshop.held_at),
            place=workshop.place or "-",
        )
    return sent
