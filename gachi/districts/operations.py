"""The center makes district accounts and sets what each covers and may do."""

from flask_babel import lazy_gettext as _l

from gachi.auth.models import Role
from gachi.auth.operations import create_account
from gachi.complexes.districts import in_city_order
from gachi.core.audit import log_change
from gachi.core.errors import DomainError, NotAllowed
from gachi.districts.models import DistrictCover, DistrictOffice
from gachi.extensions import db


class NoDistrict(DomainError):
    code = "no_district"
    field = "districts"
    default_message = _l("Choose at least one district.")


def _listed(districts):
    """The districts as the audit log keeps them: their values, comma-separated."""
    return ",".join(district.value for district in districts)


def _require_manager(actor):
    # The rule does not depend on which office: ask it of a blank one.
    if not DistrictOffice().can_manage(actor):
        raise NotAllowed()


def create_district_account(
    username,
    display_name,
    password,
    *,
    districts,
    may_place_coordinators=False,
    actor,
):
    """A staff admin makes the account of a district support organisation with the
    districts it covers; it signs in with the temporary password."""
    _require_manager(actor)
    districts = in_city_order(districts)
    if not districts:
        raise NoDistrict()
    user = create_account(Role.DISTRICT, username, display_name, password, actor=actor)
    office = DistrictOffice(user_id=user.id, may_place_coordinators=bool(may_place_coordinators))
    office.covers = [DistrictCover(district=district) for district in districts]
    db.session.add(office)
    log_change(
        "district_office.create",
        user,
        actor=actor,
        after={
            "districts": _listed(districts),
            "may_place_coordinators": office.may_place_coordinators,
        },
    )
    return office


def update_district_office(office, *, districts, may_place_coordinators, actor):
    """Change the districts an organisation covers, or whether it may place
    coordinators there. Its pages follow at its next request."""
    _require_manager(actor)
    districts = in_city_order(districts)
    if not districts:
        raise NoDistrict()
    before = {
        "districts": _listed(in_city_order(office.districts)),
        "may_place_coordinators": office.may_place_coordinators,
    }
    after = {
        "districts": _listed(districts),
        "may_place_coordinators": bool(may_place_coordinators),
    }
    if before == after:
        return office
    kept = {cover.district: cover for cover in office.covers}
    office.covers = [
        kept.get(district) or DistrictCover(district=district) for district in districts
    ]
    office.may_place_coordinators = bool(may_place_coordinators)
    changed = [name for name in after if before[name] != after[name]]
    log_change(
        "district_office.update",
        office.user,
        actor=actor,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    return office
