"""The verbs of people: find or make the person a coordinator writes down, record their
consent, and tie them to the account they join with later."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.people.models import CONSENT_VERSION, ERASED_NAME, Person
from gachi.people.phones import normalise_phone


class PhoneNeeded(DomainError):
    field = "phone"
    default_message = _l("Write the phone number the notices should go to.")


def find_person(household, *, phone=None, name=""):
    """The household's person with this phone number; without a number, the one of this
    name who gave none. None when there is nobody to find again."""
    phone = normalise_phone(phone)
    if phone is not None:
        return db.session.scalar(
            select(Person).where(Person.household_id == household.id, Person.phone == phone)
        )
    if not name.strip():
        return None
    return db.session.scalar(
        select(Person)
        .where(
            Person.household_id == household.id,
            Person.name == name.strip(),
            Person.erased_at.is_(None),
        )
        .order_by(Person.phone.is_not(None), Person.id)
        .limit(1)
    )


def person_for(household, *, name, phone=None, consent=False, actor, now=None):
    """The person of `household` a coordinator writes down (a phone booking, a walk-in,
    paper feedback): found again by household and phone, or by name when no number is
    given; made when new. A number given for someone known only by name is added to them.
    Consent to notices at the number is recorded with its date and wording's version."""
    now = now or utcnow()
    name = name.strip()
    phone = normalise_phone(phone)
    if consent and phone is None:
        raise PhoneNeeded()
    person = find_person(household, phone=phone, name=name)
    if person is None and phone is not None:
        known = find_person(household, name=name)
        if known is not None and known.phone is None:
            person = known
            person.phone = phone
    if person is None:
        if not name:
            raise DomainError(_l("Write the person's name."))
        person = Person(
            complex_id=household.complex_id,
            household_id=household.id,
            name=name,
            phone=phone,
            created_by_id=actor.id if actor is not None else None,
        )
        try:
            with db.session.begin_nested():
                db.session.add(person)
        except IntegrityError:
            # The same number written down for this household at the same moment.
            person = find_person(household, phone=phone, name=name)
            if person is None:
                raise
    if consent and person.consent_at is None:
        person.consent_at, person.consent_version = now, CONSENT_VERSION
    db.session.flush()
    return person


def update_contact(person, *, phone=None, consent=False, now=None):
    """The coordinator chose a person written down before and gave a number: it becomes
    theirs (refused if another person of the household has it), with their consent."""
    now = now or utcnow()
    phone = normalise_phone(phone)
    if consent and phone is None and person.phone is None:
        raise PhoneNeeded()
    if phone is not None and phone != person.phone:
        if find_person(person.household, phone=phone) is not None:
            raise Conflict(_l("Another person of this household has that number."))
        person.phone = phone
        person.consent_at = person.consent_version = None  # consent was to the old number
    if consent and person.consent_at is None:
        person.consent_at, person.consent_version = now, CONSENT_VERSION
    db.session.flush()
    return person


def link_joined_account(user, *, phone=None):
    """`user` just joined with their household's code: the person of that household
    without an account who has their phone number (or, without one, their name) becomes
    theirs, so what they did before counts as the account's. Returns the person or None."""
    if user.household_id is None:
        return None
    phone = normalise_phone(phone)
    if phone is not None:
        matches = Person.phone == phone
    else:
        matches = Person.name == user.display_name.strip()
    person = db.session.scalar(
        select(Person)
        .where(
            Person.household_id == user.household_id,
            Person.user_id.is_(None),
            Person.erased_at.is_(None),
            matches,
        )
        .order_by(Person.id)
        .limit(1)
    )
    if person is None:
        return None
    linked = db.session.execute(
        update(Person)
        .where(Person.id == person.id, Person.user_id.is_(None))
        .values(user_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if linked.rowcount != 1:
        return None
    db.session.refresh(person)
    log_change(
        "person.link",
        person,
        actor=user,
        complex_id=person.complex_id,
        after={"user_id": user.id},
    )
    return person


def erase_person_fields(person, now):
    """What a person's erasure removes from their own row (the rest is gachi.privacy's)."""
    person.name = ERASED_NAME
    person.phone = None
    person.consent_at = None
    person.consent_version = None
    person.erased_at = now
