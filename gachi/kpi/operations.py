"""The verbs that change KPIs: add one entered by hand, set targets, enter actuals.

Actuals entered by hand (one by one or from a CSV file) mark the cohort's computed
figures as changed; the page that entered them refreshes the figures once the change is
committed, and the scheduler's refresh otherwise (targets are read as they stand, never
computed ahead)."""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gachi.complexes.models import Participation
from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.kpi.models import Kpi, KpiEntry, KpiTarget, Method
from gachi.kpi.refresh import mark_changed

MAX_VALUE = Decimal("99999999999999")
MAX_CSV_ROWS = 5000


def _flush(obj, message):
    try:
        with db.session.begin_nested():
            db.session.add(obj)
    except IntegrityError:
        raise Conflict(message) from None


def create_kpi(
    *,
    code,
    name_ko,
    name_en,
    unit_ko,
    unit_en,
    direction,
    definition_ko="",
    definition_en="",
    actor,
):
    """A KPI entered by hand (computed ones come with the app)."""
    position = db.session.scalar(select(Kpi.position).order_by(Kpi.position.desc()).limit(1)) or 0
    kpi = Kpi(
        code=code,
        name_ko=name_ko,
        name_en=name_en,
        unit_ko=unit_ko,
        unit_en=unit_en,
        direction=direction,
        definition_ko=definition_ko,
        definition_en=definition_en,
        method=Method.MANUAL,
        position=position + 10,
    )
    _flush(kpi, _l("There is already an indicator with this code."))
    log_change("kpi.create", kpi, actor=actor, after={"code": code, "name_ko": name_ko})
    return kpi


def _check_value(value):
    if value is not None and not (0 <= value <= MAX_VALUE):
        raise DomainError(_l("Enter a number from 0 up to %(max)s."), max=f"{MAX_VALUE:,}")


def _scoped(model, kpi, cohort, complex_id):
    where = model.complex_id.is_(None) if complex_id is None else model.complex_id == complex_id
    return db.session.scalar(
        select(model).where(model.kpi_id == kpi.id, model.cohort_id == cohort.id, where)
    )


def set_target(kpi, cohort, value, *, complex_id=None, actor):
    """Set (or, with None, remove) the target of `kpi` for the cohort or one complex."""
    _check_value(value)
    target = _scoped(KpiTarget, kpi, cohort, complex_id)
    before = target.value if target is not None else None
    if value is None:
        if target is not None:
            db.session.delete(target)
    elif target is None:
        target = KpiTarget(
            kpi_id=kpi.id,
            cohort_id=cohort.id,
            complex_id=complex_id,
            value=value,
            set_by_id=actor.id,
        )
        _flush(target, _l("Someone set this target at the same time. Please reload."))
    else:
        target.value, target.set_by_id, target.set_at = value, actor.id, utcnow()
    if before != value:
        log_change(
            "kpi.target",
            kpi,
            actor=actor,
            complex_id=complex_id,
            before={"value": before},
            after={"value": value, "cohort_id": cohort.id},
        )


def enter_actual(kpi, cohort, value, *, complex_id=None, note="", actor):
    """Record (or, with None, remove) the actual of a KPI entered by hand."""
    if not kpi.is_manual:
        raise DomainError(
            _l("%(name)s is computed from the app's data; it cannot be entered by hand."),
            name=kpi.name,
        )
    _check_value(value)
    entry = _scoped(KpiEntry, kpi, cohort, complex_id)
    before = entry.value if entry is not None else None
    if value is None:
        if entry is not None:
            db.session.delete(entry)
    elif entry is None:
        entry = KpiEntry(
            kpi_id=kpi.id,
            cohort_id=cohort.id,
            complex_id=complex_id,
            value=value,
            note=note,
            entered_by_id=actor.id,
        )
        _flush(entry, _l("Someone entered this figure at the same time. Please reload."))
    else:
        entry.value, entry.note, entry.entered_by_id, entry.entered_at = (
            value,
            note,
            actor.id,
            utcnow(),
        )
    if before != value:
        log_change(
            "kpi.actual",
            kpi,
            actor=actor,
            complex_id=complex_id,
            before={"value": before},
            after={"value": value, "cohort_id": cohort.id},
        )


def set_figures(cohort, values, *, kind, complex_id=None, actor):
    """Targets (kind "targets") or hand-entered actuals ("actuals") for several KPIs at
    once: `values` maps each KPI to its number, None to remove it."""
    change = set_target if kind == "targets" else enter_actual
    for kpi, value in values.items():
        change(kpi, cohort, value, complex_id=complex_id, actor=actor)
    if kind == "actuals":
        mark_changed(cohort.id)


@dataclass
class ImportResult:
    saved: int = 0
    problems: list = field(default_factory=list)  # (line number, message)


def _read_rows(text):
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or not {"kpi", "value"} <= {
        name.strip() for name in reader.fieldnames
    }:
        raise DomainError(
            _l(
                "The file needs the columns kpi, value and, for one complex, "
                "complex_id (a note column is optional)."
            )
        )
    rows = list(reader)
    if len(rows) > MAX_CSV_ROWS:
        raise DomainError(_l("Send at most %(count)s lines at a time."), count=MAX_CSV_ROWS)
    return rows


# C0 and C1 controls and DEL, as forms refuse them (gachi.core.forms); NUL can't be stored.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _parse_line(row, kpis, complexes):
    """(kpi, complex_id, value, note) or the reason the line cannot be read."""
    row = {
        key.strip(): unicodedata.normalize("NFC", value or "").strip()
        for key, value in row.items()
        if key
    }
    if any(_CONTROL.search(value) for value in row.values()):
        return _l("Control characters are not allowed.")
    kpi = kpis.get(row.get("kpi", ""))
    if kpi is None or not kpi.is_manual:
        return _l("No indicator entered by hand has this code.")
    complex_id = row.get("complex_id") or None
    if complex_id is not None:
        if not (complex_id.isascii() and complex_id.isdigit()) or int(complex_id) not in complexes:
            return _l("This complex is not taking part in the cohort.")
        complex_id = int(complex_id)
    try:
        value = Decimal(row.get("value", "").replace(",", ""))
    except InvalidOperation:
        return _l("The value is not a number.")
    if not value.is_finite() or not 0 <= value <= MAX_VALUE:
        return _l("The value is not a number.")
    return kpi, complex_id, value, row.get("note", "")[:500]


def import_actuals(cohort, text, *, actor) -> ImportResult:
    """Actuals from a CSV file (kpi, complex_id, value, note). Nothing is saved unless
    every line can be read: the problems are reported by line number."""
    rows = _read_rows(text)
    kpis = {kpi.code: kpi for kpi in db.session.scalars(select(Kpi))}
    complexes = set(
        db.session.scalars(
            select(Participation.complex_id).where(Participation.cohort_id == cohort.id)
        )
    )
    result, parsed = ImportResult(), []
    for number, row in enumerate(rows, start=2):
        line = _parse_line(row, kpis, complexes)
        if isinstance(line, tuple):
            parsed.append(line)
        else:
            result.problems.append((number, str(line)))
    if result.problems:
        return result
    for kpi, complex_id, value, note in parsed:
        enter_actual(kpi, cohort, value, complex_id=complex_id, note=note, actor=actor)
        result.saved += 1
    mark_changed(cohort.id)
    return result
