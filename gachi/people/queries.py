"""Reads about people: a household's people for the forms, and whom to contact about a
booking (whether its holder has an account or is a person without one)."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from gachi.extensions import db
from gachi.people.models import Person


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str | None  # digits, e.g. "01012345678"
    language: str
    user_id: int | None
    person_id: int | None
    # A person without an account agreed to text notices at `phone` (an account's own
    # preferences decide for it: None).
    texts_agreed: bool | None = None


def household_people(household_id):
    """The household's people, not erased, in the order they were written down."""
    return db.session.scalars(
        select(Person)
        .where(Person.household_id == household_id, Person.erased_at.is_(None))
        .order_by(Person.id)
    ).all()


def complex_people(complex_id):
    """A complex's people without an account (for the forms that offer them)."""
    return db.session.scalars(
        select(Person)
        .where(
            Person.complex_id == complex_id,
            Person.erased_at.is_(None),
            Person.user_id.is_(None),
        )
        .options(joinedload(Person.household))
        .order_by(Person.household_id, Person.name, Person.id)
    ).all()


def people_of_complex(complex_id):
    """Every person written down in a complex, with their household and account."""
    return db.session.scalars(
        select(Person)
        .where(Person.complex_id == complex_id)
        .options(joinedload(Person.household), joinedload(Person.user))
        .order_by(Person.household_id, Person.name, Person.id)
    ).all()


def _account_phone(user):
    if getattr(user, "phone", None):
        return user.phone
    return db.session.scalar(
        select(Person.phone)
        .where(Person.user_id == user.id, Person.phone.is_not(None))
        .order_by(Person.id)
        .limit(1)
    )


def contact_for(*, user=None, person=None, name=""):
    """Whom to tell, and at which number: the account (its phone, or that of the person
    it joined as), else the person without an account; None when nobody can be reached
    by name (a name written without a household)."""
    if user is None and person is not None and person.user is not None:
        user = person.user
    if user is not None:
        return Contact(
            name=user.display_name,
            phone=_account_phone(user),
            language=getattr(user, "language", None) or "ko",
            user_id=user.id,
            person_id=person.id if person is not None else None,
        )
    if person is not None and not person.is_erased:
        return Contact(
            name=person.name,
            phone=person.phone,
            language="ko",
            user_id=None,
            person_id=person.id,
            texts_agreed=person.has_consented,
        )
    return None


def contact_for_booking(booking):
    """The contact for a booking (a programme session's), account or person."""
    return contact_for(user=booking.user, person=booking.person)
