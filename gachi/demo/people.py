"""The demo's people: center staff, coordinators, enterprise partners and residents.

Staff create the accounts (residents join with their household's code), all with the
demo's published password, taken as chosen by their holders so the demo never asks
for a new one at sign-in. The first administrator is the one account
no operation makes: an installation starts with it.
"""

import secrets

from gachi.auth.models import Role, User
from gachi.auth.operations import create_account, join_household, update_account
from gachi.auth.passwords import hash_password
from gachi.complexes.districts import District
from gachi.core.time import utcnow
from gachi.districts.operations import create_district_account
from gachi.extensions import db

DEMO_PASSWORD = "gachi-demo-2018"
# Staff must sign in with a second factor: the demo staff share this published key
# (add it to an authenticator app, or `flask gachi totp-code center` in development).
DEMO_TOTP_SECRET = "GACHIDEMOGACHIDEMOGACHIDEMOSEOUL"

STAFF = (
    ("center", "센터 관리자", True),
    ("staff", "센터 담당자", False),
)

# (username, display name, source, the complexes they are placed at)
COORDINATORS = (
    ("coord.park", "박경화", "report", ("ahyeon",)),
    ("coord.jung", "정홍권", "report", ("eungam",)),
    ("coord.lee", "이창래", "report", ("cheongnyangni",)),
    ("coord.han", "한서윤", "demo", ("jeonnong",)),
    ("coord.oh", "오민재", "demo", ("sanggye", "gayang", "jeongneung", "sillim", "munjeong")),
)

# (username, organisation, district values, may place coordinators): an invented account
# of Eunpyeong-gu's support organisation, which the center allows to place coordinators.
DISTRICT_OFFICES = (("district.eunpyeong", "은평구 사회적경제지원센터", ("eunpyeong",), True),)

# (username, display name, complex key): invented residents in the report's complexes.
RESIDENTS = (
    ("resident.ahyeon", "김나래", "ahyeon"),
    ("resident.jeonnong", "이도윤", "jeonnong"),
    ("resident.eungam", "박서진", "eungam"),
    ("resident.cheongnyangni", "최영순", "cheongnyangni"),
)

# (username, display name, enterprise name)
PARTNERS = (
    ("partner.treeplanet", "트리플래닛 담당자", "트리플래닛"),
    ("partner.healthbridge", "헬스브릿지 담당자", "헬스브릿지"),
)


def demo_usernames() -> list[str]:
    """Every demo account, in the order `flask gachi demo-logins` prints them."""
    groups = (STAFF, COORDINATORS, DISTRICT_OFFICES, RESIDENTS, PARTNERS)
    return [row[0] for group in groups for row in group]


def add_staff():
    """The center's administrator, then the colleague they make an account for; both
    sign in with the published second-factor key."""
    center = User(
        username="center",
        display_name=STAFF[0][1],
        role=Role.STAFF,
        is_admin=True,
        password_hash=hash_password(DEMO_PASSWORD),
        password_changed_at=utcnow(),
        source="demo",
    )
    db.session.add(center)
    db.session.flush()
    staff = [center]
    for username, name, is_admin in STAFF[1:]:
        staff.append(_account(Role.STAFF, username, name, actor=center, is_admin=is_admin))
    for user in staff:
        # Enrolling would claim the current code; the demo's key is published instead.
        user.totp_secret, user.two_factor_since = DEMO_TOTP_SECRET, utcnow()
    return staff


def add_coordinators(*, actor):
    return [
        _account(Role.COORDINATOR, username, name, actor=actor, source=source)
        for username, name, source, _keys in COORDINATORS
    ]


def add_district_offices(*, actor):
    """The center makes the district accounts with their districts."""
    accounts = []
    for username, name, districts, may_place in DISTRICT_OFFICES:
        office = create_district_account(
            username,
            name,
            DEMO_PASSWORD,
            districts=[District(value) for value in districts],
            may_place_coordinators=may_place,
            actor=actor,
        )
        office.user.password_changed_at, office.user.source = utcnow(), "demo"
        accounts.append(office.user)
    return accounts


def add_partners(enterprises, *, actor):
    return [
        _account(Role.PARTNER, username, name, actor=actor, enterprise=enterprises[enterprise])
        for username, name, enterprise in PARTNERS
    ]


def add_residents(places):
    """Each demo resident joins with the code of the first household of their complex."""
    residents = []
    for username, name, key in RESIDENTS:
        place = places[key]
        resident = join_household(place.code_of(0), username, name, DEMO_PASSWORD)
        resident.source = "demo"
        residents.append(resident)
    return residents


def _account(role, username, name, *, actor, source="demo", **fields):
    """Staff make the account. Its password counts as one its holder chose (as if they
    had changed the temporary one to the demo's), so the demo never asks for a new one;
    written here rather than through change_password, which would hash it twice more."""
    user = create_account(role, username, name, DEMO_PASSWORD, actor=actor, **fields)
    user.password_changed_at, user.source = utcnow(), source
    return user


class StandIns:
    """Invented people who acted in 2018 and sign in no more: residents who voted online,
    an enterprise's partner who answered an offer. Their accounts are made as anyone's
    are, then turned off by the center; their password is random and never shown."""

    def __init__(self, center):
        self.center = center
        self.password = secrets.token_urlsafe(24)

    def resident(self, code, username, name):
        user = join_household(code, username, name, self.password)
        user.source = "demo"
        return user

    def partner(self, enterprise, username, name):
        user = create_account(
            Role.PARTNER, username, name, self.password, actor=self.center, enterprise=enterprise
        )
        user.source = "demo"
        return user

    def retire(self, user):
        update_account(
            user,
            actor=self.center,
            display_name=user.display_name,
            phone=user.phone,
            email=user.email,
            active=False,
            is_admin=False,
        )
