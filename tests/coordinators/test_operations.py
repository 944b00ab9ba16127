"""Placing coordinators at complexes and ending their placements."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gachi.coordinators.models import Placement
from gachi.coordinators.operations import end_placement, place_coordinator
from gachi.core.audit import AuditEntry
from gachi.core.errors import Conflict, DomainError
from gachi.extensions import db


def placements():
    return db.session.scalar(select(func.count(Placement.id)))


def test_staff_places_a_coordinator_and_the_audit_log_says_so(make):
    complex_, coordinator, staff = make.complex_(), make.coordinator(), make.staff()

    placement = place_coordinator(coordinator, complex_, starts_on=make.today(), actor=staff)
    db.session.commit()

    assert complex_.can_manage(coordinator)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "placement.create"))
    assert (entry.object_id, entry.complex_id, entry.actor_id) == (
        placement.id,
        complex_.id,
        staff.id,
    )


def test_a_placement_cannot_end_before_it_starts(make):
    with pytest.raises(DomainError, match="cannot end before it starts"):
        place_coordinator(
            make.coordinator(),
            make.complex_(),
            starts_on=make.today(),
            ends_on=make.days_ago(1),
            actor=make.staff(),
        )


def test_only_coordinator_accounts_are_placed(make):
    complex_ = make.complex_()
    with pytest.raises(DomainError, match="Only coordinator accounts"):
        place_coordinator(
            make.resident(complex_), complex_, starts_on=make.today(), actor=make.staff()
        )


@pytest.mark.parametrize(("starts", "ends"), [(-10, None), (-100, -30), (5, 10)])
def test_the_same_coordinator_twice_at_once_at_one_complex_is_refused_even_with_overlap_allowed(
    make, starts, ends
):
    complex_ = make.complex_()
    coordinator = make.coordinator(
        complex_, starts_on=make.days_ago(60), ends_on=make.today() + timedelta(days=7)
    )
    day = make.today()

    with pytest.raises(Conflict, match="already placed at this complex"):
        place_coordinator(
            coordinator,
            complex_,
            starts_on=day + timedelta(days=starts),
            ends_on=None if ends is None else day + timedelta(days=ends),
            allow_overlap=True,
            actor=make.staff(),
        )
    assert placements() == 1


def test_the_same_coordinator_may_come_back_after_the_placement_ended(make):
    complex_ = make.complex_()
    coordinator = make.coordinator(complex_, starts_on=make.days_ago(60), ends_on=make.days_ago(1))

    place_coordinator(coordinator, complex_, starts_on=make.today(), actor=make.staff())

    assert placements() == 2


def test_a_second_coordinator_at_the_same_time_needs_the_overlap_tick(make):
    complex_ = make.complex_()
    make.coordinator(complex_, display_name="박경화")
    second, staff = make.coordinator(), make.staff()

    with pytest.raises(Conflict, match="박경화 is already placed at this complex"):
        place_coordinator(second, complex_, starts_on=make.today(), actor=staff)
    place_coordinator(second, complex_, starts_on=make.today(), allow_overlap=True, actor=staff)

    assert placements() == 2


def test_a_second_coordinator_after_the_first_one_ends_needs_no_tick(make):
    complex_ = make.complex_()
    make.coordinator(complex_, ends_on=make.days_ago(1))

    place_coordinator(make.coordinator(), complex_, starts_on=make.today(), actor=make.staff())

    assert placements() == 2


def test_ending_a_placement_keeps_the_row_and_ends_the_access(make):
    complex_ = make.complex_()
    coordinator = make.coordinator(complex_)
    placement = db.session.scalar(select(Placement))

    end_placement(placement, ends_on=make.days_ago(1), actor=make.staff())
    db.session.commit()

    assert placements() == 1
    assert placement.ends_on == make.days_ago(1)
    db.session.expire_all()
    assert not complex_.can_manage(db.session.get(type(coordinator), coordinator.id))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "placement.end"))
    assert entry.before == {"ends_on": None} and entry.complex_id == complex_.id


def test_a_placement_cannot_be_ended_before_its_first_day(make):
    make.coordinator(make.complex_(), starts_on=make.today())
    placement = db.session.scalar(select(Placement))

    with pytest.raises(DomainError):
        end_placement(placement, ends_on=make.days_ago(1), actor=make.staff())


def test_an_ended_placement_is_not_lengthened_by_ending_it_again(make):
    make.coordinator(make.complex_(), ends_on=make.days_ago(3))
    placement = db.session.scalar(select(Placement))

    with pytest.raises(Conflict, match="already ends on"):
        end_placement(placement, ends_on=make.today(), actor=make.staff())
