"""The verbs that place coordinators at complexes and end their placements."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from gachi.auth.models import User
from gachi.coordinators.models import Placement
from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.extensions import db
from gachi.notifications.models import N_
from gachi.notifications.operations import notify


def _overlapping_placements(complex_id, starts_on, ends_on):
    """Placements at `complex_id` sharing a day with [starts_on, ends_on] (None: open-ended)."""
    conditions = [
        Placement.complex_id == complex_id,
        or_(Placement.ends_on.is_(None), Placement.ends_on >= starts_on),
    ]
    if ends_on is not None:
        conditions.append(Placement.starts_on <= ends_on)
    return db.session.execute(
        select(Placement.coordinator_id, User.display_name)
        .join(User, User.id == Placement.coordinator_id)
        .where(*conditions)
    ).all()


def place_coordinator(
    coordinator, complex_, *, starts_on, ends_on=None, allow_overlap=False, note="", actor
):
    """Grant `coordinator` the complex from `starts_on` to `ends_on` (inclusive; None: open).

    The same coordinator twice at once at one complex is refused; a second coordinator at
    the same time only when the center says so (`allow_overlap`). `actor` is staff, or a
    district account the center allows to place coordinators in its districts.
    """
    if not complex_.can_place_coordinators(actor):
        raise NotAllowed(_l("You may not place coordinators at this complex."))
    if not coordinator.is_coordinator:
        raise DomainError(_l("Only coordinator accounts can be placed at a complex."))
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_l("A placement cannot end before it starts."))
    overlapping = _overlapping_placements(complex_.id, starts_on, ends_on)
    if any(row.coordinator_id == coordinator.id for row in overlapping):
        raise Conflict(
            _l("%(name)s is already placed at this complex for part of this period."),
            name=coordinator.display_name,
        )
    if overlapping and not allow_overlap:
        raise Conflict(
            _l(
                "%(name)s is already placed at this complex for part of this period. "
                "Tick “Allow two coordinators at once” to place a second coordinator."
            ),
            name=overlapping[0].display_name,
        )
    placement = Placement(
        coordinator_id=coordinator.id,
        complex_id=complex_.id,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
        created_by_id=actor.id,
    )
    db.session.add(placement)
    log_change(
        "placement.create",
        placement,
        actor=actor,
        complex_id=complex_.id,
        after={
            "coordinator_id": coordinator.id,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "allow_overlap": allow_overlap,
        },
    )
    return placement


def end_placement(placement, *, ends_on, actor):
    """The placement's last day becomes `ends_on`; the row stays as the record."""
    if ends_on < placement.starts_on:
        raise DomainError(
            _l("A placement cannot end before it starts (%(date)s)."),
            date=placement.starts_on.isoformat(),
        )
    if placement.ends_on is not None and placement.ends_on <= ends_on:
        raise Conflict(
            _l("This placement already ends on %(date)s."), date=placement.ends_on.isoformat()
        )
    before = placement.ends_on
    placement.ends_on = ends_on
    log_change(
        "placement.end",
        placement,
        actor=actor,
        complex_id=placement.complex_id,
        before={"ends_on": before},
        after={"ends_on": ends_on},
    )
    return placement


def hand_over_placement(placement, successor, *, first_day, allow_overlap=False, note="", actor):
    """The coordinator of `placement` leaves; `successor` takes the complex from `first_day`.

    The leaving placement ends the day before; the successor's runs to the old end (if
    any). Open offers, plans and the rest belong to the complex, not the person, so
    they need no moving: the successor sees them from `first_day`, and is told so.
    """
    if successor.id == placement.coordinator_id:
        raise DomainError(_l("Choose another coordinator to take over."))
    last_day = first_day - timedelta(days=1)
    if last_day < placement.starts_on:
        raise DomainError(
            _l("The handover must come after the placement's first day (%(date)s)."),
            date=placement.starts_on.isoformat(),
        )
    if placement.ends_on is not None and placement.ends_on < first_day:
        raise Conflict(
            _l("This placement already ends on %(date)s."), date=placement.ends_on.isoformat()
        )
    old_end = placement.ends_on
    end_placement(placement, ends_on=last_day, actor=actor)
    successor_placement = place_coordinator(
        successor,
        placement.complex,
        starts_on=first_day,
        ends_on=old_end,
        allow_overlap=allow_overlap,
        note=note,
        actor=actor,
    )
    log_change(
        "placement.handover",
        successor_placement,
        actor=actor,
        complex_id=placement.complex_id,
        before={"coordinator_id": placement.coordinator_id},
        after={"coordinator_id": successor.id, "first_day": first_day},
    )
    notify(
        [successor.id],
        N_("You look after %(complex)s from %(date)s. Its open work is on your list of complexes."),
        link="/my/complexes",
        complex=placement.complex.name,
        date=first_day.isoformat(),
    )
    return successor_placement
