"""The reads behind the workshop pages."""

from sqlalchemy import select

from gachi.auth.models import Role, User
from gachi.complexes.models import Household
from gachi.extensions import db
from gachi.workshops.models import Workshop, WorkshopAttendance


def participation_workshops(participation_id):
    return db.session.scalars(
        select(Workshop)
        .where(Workshop.participation_id == participation_id)
        .order_by(Workshop.held_at, Workshop.id)
    ).all()


def residents_not_checked_in(workshop):
    """(id, "name · 동 호") of the complex's residents not yet checked in."""
    checked_in = select(WorkshopAttendance.user_id).where(
        WorkshopAttendance.workshop_id == workshop.id, WorkshopAttendance.user_id.is_not(None)
    )
    rows = db.session.execute(
        select(User.id, User.display_name, Household.building, Household.unit)
        .join(Household, User.household_id == Household.id)
        .where(
            Household.complex_id == workshop.participation.complex_id,
            User.role == Role.RESIDENT,
            User.active.is_(True),
            User.id.not_in(checked_in),
        )
        .order_by(User.display_name, User.id)
    ).all()
    return [(row.id, f"{row.display_name} · {row.building}동 {row.unit}호") for row in rows]


def household_choices(complex_id):
    rows = db.session.execute(
        select(Household.id, Household.building, Household.unit)
        .where(Household.complex_id == complex_id)
        .order_by(Household.building, Household.unit)
    ).all()
    return [(row.id, f"{row.building}동 {row.unit}호") for row in rows]
