"""The verbs of the complexes area, called as the views, the CLI and the scheduler call them."""

from datetime import date

import pytest
from sqlalchemy import func, select

from gachi.auth.models import User
from gachi.complexes.districts import District
from gachi.complexes.models import (
    Complex,
    Household,
    InvitationCode,
    Participation,
    StageMove,
    Tenure,
)
from gachi.complexes.operations import (
    HouseholdLinesRefused,
    add_households,
    create_cohort,
    create_complex,
    generate_codes,
    issue_code,
    move_stage,
    parse_household_line,
    recruit_complex,
    regenerate_code,
    revoke_code,
    update_cohort,
    update_complex,
)
from gachi.complexes.stages import Stage
from gachi.core.audit import AuditEntry
from gachi.core.codes import ALPHABET, format_code, new_code, normalise_code
from gachi.core.errors import Conflict, DomainError, GateNotMet
from gachi.extensions import db
from tests.core.test_database import run_together


def count(model, *conditions):
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def live_codes(household_id):
    return db.session.scalars(
        select(InvitationCode).where(
            InvitationCode.household_id == household_id, InvitationCode.revoked_at.is_(None)
        )
    ).all()


# Codes --------------------------------------------------------------------------------


def test_new_codes_are_eight_unambiguous_characters():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 8
        assert set(code) <= set(ALPHABET)
    assert not set("0O1IL") & set(ALPHABET)


@pytest.mark.parametrize(
    "typed",
    ["ABCD-EFGH", "abcd-efgh", " abcd efgh ", "ABCD–EFGH", "ＡＢＣＤ－ＥＦＧＨ", "AB CD-EF GH"],
)
def test_a_typed_code_is_normalised_to_the_stored_form(typed):
    assert normalise_code(typed) == "ABCDEFGH"


def test_codes_are_shown_in_two_halves():
    assert format_code("ABCDEFGH") == "ABCD-EFGH"
    assert normalise_code(format_code("ABCDEFGH")) == "ABCDEFGH"


# Cohorts, complexes, recruiting -------------------------------------------------------


def test_staff_creates_a_cohort_and_the_audit_log_says_so(make):
    staff = make.staff()
    cohort = create_cohort(
        name="2018 시범사업",
        year=2018,
        starts_on=date(2018, 8, 1),
        ends_on=date(2018, 12, 31),
        actor=staff,
    )
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cohort.create"))
    assert entry.object_id == cohort.id and entry.actor_id == staff.id


def test_a_second_cohort_with_the_same_name_is_refused(make):
    make.cohort(name="2018 시범사업")
    with pytest.raises(Conflict, match="already a cohort"):
        create_cohort(name="2018 시범사업", year=2018, actor=make.staff())


def test_a_cohort_cannot_end_before_it_starts(make):
    cohort = make.cohort()
    with pytest.raises(DomainError):
        update_cohort(
            cohort, starts_on=date(2018, 12, 1), ends_on=date(2018, 8, 1), actor=make.staff()
        )


def test_recruiting_the_same_complex_twice_is_refused_and_leaves_one_participation(make):
    cohort, complex_, staff = make.cohort(), make.complex_(name="전농동 R아파트"), make.staff()
    recruit_complex(cohort, complex_, actor=staff)
    db.session.commit()

    with pytest.raises(Conflict, match="전농동 R아파트 is already taking part"):
        recruit_complex(cohort, complex_, actor=staff)
    db.session.rollback()

    assert count(Participation) == 1
    assert db.session.scalar(select(Participation.stage)) is Stage.RECRUITING


def test_complex_changes_are_audited_with_before_and_after(make):
    staff = make.staff()
    complex_ = create_complex(
        name="청량리 H아파트",
        district=District.DONGDAEMUN,
        address="",
        household_count=610,
        resident_count=1266,
        elderly_share=None,
        tenure=Tenure.OWNER,
        built_year=1997,
        description="",
        actor=staff,
    )
    update_complex(complex_, household_count=611, name="청량리 H아파트", actor=staff)
    db.session.commit()

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "complex.update"))
    assert entry.before == {"household_count": 610}
    assert entry.after == {"household_count": 611}
    assert entry.complex_id == complex_.id


# Stage moves --------------------------------------------------------------------------


def test_moving_to_the_problem_workshop_without_a_coordinator_is_refused_and_nothing_changes(make):
    participation = make.participation()

    with pytest.raises(GateNotMet, match=r"No coordinator is placed at this complex\."):
        move_stage(participation, Stage.PROBLEM_WORKSHOP, actor=make.staff())
    db.session.rollback()

    assert db.session.get(Participation, participation.id).stage is Stage.RECRUITING
    assert count(StageMove) == 0


def test_the_move_goes_ahead_once_a_coordinator_is_placed(make):
    participation = make.participation()
    coordinator = make.coordinator(participation.complex)

    move_stage(participation, Stage.PROBLEM_WORKSHOP, actor=coordinator)
    db.session.commit()

    assert participation.stage is Stage.PROBLEM_WORKSHOP
    assert count(StageMove) == 1


# Households ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("101 1203", ("101", "1203")),
        ("101동 1203호", ("101", "1203")),
        ("101동1203호", ("101", "1203")),
        ("  101   1203  ", ("101", "1203")),
        ("101-1203", ("101", "1203")),
        ("가동 3호", ("가", "3")),
        ("a동 b102호", ("A", "B102")),
        ("１０１ １２０３", ("101", "1203")),
    ],
)
def test_household_lines_people_write_are_understood(line, expected):
    assert parse_household_line(line) == expected


@pytest.mark.parametrize("line", ["1011203", "101", "101동", "동 호", "101 1203 5", "101 12;03"])
def test_household_lines_that_are_not_a_building_and_unit_are_not_guessed(line):
    assert parse_household_line(line) is None


def test_bulk_add_with_a_bad_or_duplicate_line_adds_nothing_and_names_each_line(make):
    complex_ = make.complex_()
    make.household(complex_, building="101", unit="101")
    lines = ["101 1203", "", "아무거나", "101동 1203호", "101 101", "102동 305호"]

    with pytest.raises(HouseholdLinesRefused) as refused:
        add_households(complex_, lines, actor=make.staff())
    db.session.rollback()

    assert refused.value.status == 422
    assert [(p.number, p.text) for p in refused.value.problems] == [
        (3, "아무거나"),
        (4, "101동 1203호"),
        (5, "101 101"),
    ]
    assert "line 1" in refused.value.problems[1].reason
    assert "already listed" in refused.value.problems[2].reason
    assert count(Household, Household.complex_id == complex_.id) == 1
    assert count(AuditEntry, AuditEntry.action == "households.add") == 0


def test_bulk_add_of_good_lines_adds_them_all_with_one_audit_entry(make):
    complex_ = make.complex_()

    added = add_households(complex_, ["101 1203", "", "102동 305호"], actor=make.staff())
    db.session.commit()

    assert [(h.building, h.unit) for h in added] == [("101", "1203"), ("102", "305")]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "households.add"))
    assert entry.after == {"count": 2} and entry.complex_id == complex_.id


def test_a_household_of_another_complex_is_no_duplicate(make):
    make.household(make.complex_(), building="101", unit="1203")
    complex_ = make.complex_()

    added = add_households(complex_, ["101 1203"], actor=make.staff())

    assert len(added) == 1


# Invitation codes ---------------------------------------------------------------------


def test_generating_codes_twice_leaves_one_live_code_per_household(make):
    complex_ = make.complex_()
    households = [make.household(complex_) for _ in range(3)]
    staff = make.staff()

    assert generate_codes(complex_, actor=staff) == 3
    assert generate_codes(complex_, actor=staff) == 0
    db.session.commit()

    for household in households:
        [code] = live_codes(household.id)
        assert code.code == normalise_code(code.code) and len(code.code) == 8


def test_issuing_a_code_for_a_household_that_has_one_returns_it(make):
    household = make.household()
    existing = make.invitation(household)

    assert issue_code(household, actor=make.staff()).id == existing.id
    assert count(InvitationCode) == 1


def test_regenerating_a_code_revokes_the_old_one(make):
    household = make.household()
    old = make.invitation(household)
    staff = make.staff()

    new = regenerate_code(household, actor=staff)
    db.session.commit()

    db.session.refresh(old)
    assert old.revoked_at is not None and old.revoked_by_id == staff.id
    assert live_codes(household.id) == [new]
    assert new.code != old.code


def test_a_revoked_code_cannot_be_revoked_again(make):
    code = make.invitation()
    staff = make.staff()
    revoke_code(code, actor=staff)
    db.session.commit()

    with pytest.raises(Conflict):
        revoke_code(code, actor=staff)


def test_every_code_action_is_audited_with_the_complex_and_without_the_code(make):
    complex_ = make.complex_()
    household = make.household(complex_)
    staff = make.staff()
    generate_codes(complex_, actor=staff)
    code = regenerate_code(household, actor=staff)
    revoke_code(code, actor=staff)
    issue_code(household, actor=staff)
    db.session.commit()

    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.like("code%")).order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == [
        "codes.generate",
        "code.regenerate",
        "code.revoke",
        "code.issue",
    ]
    assert {e.complex_id for e in entries} == {complex_.id}
    stored_codes = set(db.session.scalars(select(InvitationCode.code)))
    for entry in entries:
        assert not stored_codes & set(map(str, (entry.after or {}).values()))


def test_two_people_generating_codes_at_the_same_moment_leave_one_live_code(app, make):
    complex_ = make.complex_()
    household_id = make.household(complex_).id
    complex_id, staff_id = complex_.id, make.staff().id

    def generate(_index):
        count_made = generate_codes(
            db.session.get(Complex, complex_id), actor=db.session.get(User, staff_id)
        )
        db.session.commit()
        return count_made

    results = run_together(app, 2, generate)

    assert sorted(results) == [0, 1], results
    assert len(live_codes(household_id)) == 1


def test_two_requests_issuing_one_households_code_at_once_agree_on_one_code(app, make):
    household_id = make.household().id
    staff_id = make.staff().id

    def issue(_index):
        code = issue_code(
            db.session.get(Household, household_id), actor=db.session.get(User, staff_id)
        )
        db.session.commit()
        return code.code

    results = run_together(app, 4, issue)

    assert all(isinstance(result, str) for result in results), results
    assert len(set(results)) == 1
    assert [code.code for code in live_codes(household_id)] == results[:1]
