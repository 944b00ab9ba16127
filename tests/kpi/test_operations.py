"""Setting targets, entering figures by hand and reading them from a CSV file."""

import unicodedata
from decimal import Decimal

import pytest

from gachi.core.audit import AuditEntry
from gachi.core.errors import Conflict, DomainError
from gachi.extensions import db
from gachi.kpi.models import Direction, Kpi, KpiEntry, KpiTarget
from gachi.kpi.operations import create_kpi, enter_actual, import_actuals, set_target


def _kpi(code):
    return db.session.query(Kpi).filter_by(code=code).one()


def _newsletters(staff):
    kpi = create_kpi(
        code="newsletters",
        name_ko="소식지",
        name_en="Newsletters",
        unit_ko="건",
        unit_en="issues",
        direction=Direction.HIGHER,
        actor=staff,
    )
    db.session.commit()
    return kpi


def test_a_target_is_set_changed_and_removed_with_an_audit_trail(make):
    staff, cohort = make.staff(), make.cohort()
    set_target(_kpi("problems"), cohort, Decimal(5), actor=staff)
    set_target(_kpi("problems"), cohort, Decimal(6), actor=staff)
    db.session.commit()
    assert db.session.query(KpiTarget).one().value == 6
    set_target(_kpi("problems"), cohort, None, actor=staff)
    db.session.commit()
    assert db.session.query(KpiTarget).count() == 0
    assert db.session.query(AuditEntry).filter_by(action="kpi.target").count() == 3


def test_a_negative_target_is_refused(make):
    with pytest.raises(DomainError):
        set_target(_kpi("problems"), make.cohort(), Decimal(-1), actor=make.staff())


def test_a_computed_kpi_cannot_be_entered_by_hand(make):
    with pytest.raises(DomainError):
        enter_actual(_kpi("problems"), make.cohort(), Decimal(3), actor=make.staff())


def test_two_kpis_cannot_share_a_code(make):
    staff = make.staff()
    _newsletters(staff)
    with pytest.raises(Conflict):
        _newsletters(staff)


def test_a_csv_file_is_saved_whole_or_not_at_all(make):
    staff, cohort = make.staff(), make.cohort()
    taking_part = make.participation(make.complex_(), cohort)
    _newsletters(staff)
    refused = import_actuals(
        cohort,
        "kpi,complex_id,value\nnewsletters,,3\nnewsletters,999,2\nproblems,,4\nnewsletters,,x\n",
        actor=staff,
    )
    assert [number for number, _message in refused.problems] == [3, 4, 5]
    assert db.session.query(KpiEntry).count() == 0
    saved = import_actuals(
        cohort,
        f"\ufeffkpi,complex_id,value,note\nnewsletters,,3,\n"
        f'newsletters,{taking_part.complex_id},"1,200",월간\n',
        actor=staff,
    )
    db.session.commit()
    assert saved.saved == 2
    assert sorted(entry.value for entry in db.session.query(KpiEntry)) == [3, 1200]


def test_a_file_without_the_columns_is_refused(make):
    with pytest.raises(DomainError):
        import_actuals(make.cohort(), "name;amount\nx;1\n", actor=make.staff())


@pytest.mark.parametrize(
    "line, problem",
    [
        ("newsletters,²,3,", "This complex is not taking part in the cohort."),  # "²".isdigit()
        (
            "newsletters,,3,a\x00b",
            "Control characters are not allowed.",
        ),  # NUL: PostgreSQL refuses it
    ],
)
def test_a_csv_line_with_a_hostile_cell_is_refused_not_a_crash(make, line, problem):
    staff, cohort = make.staff(), make.cohort()
    _newsletters(staff)
    refused = import_actuals(cohort, f"kpi,complex_id,value,note\n{line}\n", actor=staff)
    assert refused.problems == [(2, problem)]


def test_a_note_from_a_csv_file_is_stored_nfc(make):
    staff, cohort = make.staff(), make.cohort()
    _newsletters(staff)
    decomposed = unicodedata.normalize("NFD", "월간 소식지")
    assert (
        import_actuals(cohort, f"kpi,value,note\nnewsletters,3,{decomposed}\n", actor=staff).saved
        == 1
    )
    assert db.session.query(KpiEntry).one().note == "월간 소식지"
