"""Factories for tests: each makes a valid object, commits it and returns it."""

import itertools
from datetime import date, timedelta

from sqlalchemy import select, update

from gachi.auth.models import Role, User
from gachi.auth.passwords import hash_password
from gachi.auth.two_factor import code_for
from gachi.complexes.districts import District
from gachi.complexes.models import Cohort, Complex, Household, InvitationCode, Participation, Tenure
from gachi.complexes.stages import Stage
from gachi.coordinators.models import Placement
from gachi.core.time import seoul_today, utcnow
from gachi.districts.models import DistrictCover, DistrictOffice
from gachi.enterprises.models import Enterprise, LegalForm
from gachi.extensions import db

PASSWORD = "correct horse battery"
# Staff must sign in with a second factor; test staff share this known TOTP secret.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_counter = itertools.count(1)
_password_hash = {}


def _next():
    return next(_counter)


def _saved(obj):
    db.session.add(obj)
    db.session.commit()
    return obj


def _hashed(password):
    if password not in _password_hash:
        _password_hash[password] = hash_password(password)
    return _password_hash[password]


def cohort(name=None, year=2018, **fields):
    return _saved(Cohort(name=name or f"{year} 시범사업 {_next()}", year=year, **fields))


def complex_(name=None, district=District.MAPO, tenure=Tenure.MIXED, **fields):
    fields.setdefault("household_count", 600)
    return _saved(
        Complex(name=name or f"테스트단지 {_next()}", district=district, tenure=tenure, **fields)
    )


def household(complex_obj=None, building="101", unit=None):
    complex_obj = complex_obj or complex_()
    return _saved(
        Household(complex=complex_obj, building=building, unit=unit or str(100 + _next()))
    )


def invitation(household_obj=None, code=None):
    household_obj = household_obj or household()
    return _saved(InvitationCode(household=household_obj, code=code or f"TEST{_next():04d}"))


def user(role=Role.STAFF, username=None, password=PASSWORD, **fields):
    number = _next()
    return _saved(
        User(
            username=username or f"{role.value}{number}",
            display_name=fields.pop("display_name", f"{role.label} {number}"),
            password_hash=_hashed(password),
            role=role,
            **fields,
        )
    )


def staff(admin=False, two_factor=True, **fields):
    """Center staff, with two-factor sign-in on (TOTP_SECRET) unless `two_factor=False`."""
    if two_factor:
        fields.setdefault("totp_secret", TOTP_SECRET)
        fields.setdefault("two_factor_since", utcnow())
    return user(Role.STAFF, is_admin=admin, **fields)


def totp_code(username):
    """A code the second sign-in step accepts now for `username`.

    A code works once per 30 seconds, and tests sign the same person in several times
    within that, so the account's last used step is forgotten first."""
    account = db.session.scalar(select(User).where(User.username == username))
    secret = account.totp_secret
    db.session.execute(update(User).where(User.id == account.id).values(totp_last_step=None))
    # Nothing is read after the commit: outside a request a read would begin a writing
    # transaction on SQLite and hold the lock while a live server waits for it.
    db.session.commit()
    return code_for(secret)


def resident(complex_obj=None, household_obj=None, **fields):
    household_obj = household_obj or household(complex_obj)
    return user(Role.RESIDENT, household_id=household_obj.id, **fields)


def district_account(*districts, may_place_coordinators=False, **fields):
    """A district support organisation's account covering `districts` (default: Mapo)."""
    person = user(Role.DISTRICT, **fields)
    office = DistrictOffice(user_id=person.id, may_place_coordinators=may_place_coordinators)
    office.covers = [DistrictCover(district=d) for d in districts or (District.MAPO,)]
    return _saved(office).user


def coordinator(complex_obj=None, starts_on=None, ends_on=None, **fields):
    """A coordinator, placed at `complex_obj` from `starts_on` (default: a month ago)."""
    person = user(Role.COORDINATOR, **fields)
    if complex_obj is not None:
        placement(person, complex_obj, starts_on=starts_on, ends_on=ends_on)
    return person


def placement(person, complex_obj, starts_on=None, ends_on=None):
    return _saved(
        Placement(
            coordinator_id=person.id,
            complex_id=complex_obj.id,
            starts_on=starts_on or seoul_today() - timedelta(days=30),
            ends_on=ends_on,
        )
    )


def enterprise(name=None, legal_form=LegalForm.SOCIAL_ENTERPRISE, **fields):
    return _saved(Enterprise(name=name or f"기업 {_next()}", legal_form=legal_form, **fields))


def partner(enterprise_obj=None, **fields):
    enterprise_obj = enterprise_obj or enterprise()
    return user(Role.PARTNER, enterprise_id=enterprise_obj.id, **fields)


def participation(complex_obj=None, cohort_obj=None, stage=Stage.RECRUITING):
    return _saved(
        Participation(complex=complex_obj or complex_(), cohort=cohort_obj or cohort(), stage=stage)
    )


def today():
    return seoul_today()


def days_ago(days):
    return seoul_today() - timedelta(days=days)


def on(year, month, day):
    return date(year, month, day)


def category(code="care"):
    from sqlalchemy import select

    from gachi.proposals.models import Category

    return db.session.scalars(select(Category).where(Category.code == code)).one()


def problem(participation_obj=None, title=None, category_code="care", state=None, **fields):
    from gachi.proposals.models import Problem, ProblemState

    return _saved(
        Problem(
            participation=participation_obj or participation(),
            title=title or f"문제 {_next()}",
            category=category(category_code),
            state=state or ProblemState.PROPOSED,
            **fields,
        )
    )
