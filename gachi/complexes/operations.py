"""The verbs that change cohorts, complexes, households and participations."""

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from gachi.complexes.household_lists import MAX_HOUSEHOLDS, ListedLine
from gachi.complexes.models import (
    DEFAULT_LEAD_HOURS,
    LEAD_TIME_FIELDS,
    LONGEST_LEAD_HOURS,
    Cohort,
    Complex,
    Household,
    InvitationCode,
    Participation,
    ReminderLeadTimes,
    StageMove,
)
from gachi.complexes.stages import ALLOWED_MOVES, Stage, gate, unmet_gate_states
from gachi.coordinators.models import Placement
from gachi.core.audit import log_change
from gachi.core.codes import new_code
from gachi.core.db import rows_matched
from gachi.core.enums import LabelledEnum
from gachi.core.errors import Conflict, DomainError, GateNotMet, NotAllowed
from gachi.core.time import seoul_today, utcnow
from gachi.extensions import db


@gate(Stage.PROBLEM_WORKSHOP, needs=_l("A coordinator placed at the complex"))
def coordinator_is_placed(participation, now):
    placed = db.session.scalar(
        select(
            exists().where(
                Placement.complex_id == participation.complex_id,
                Placement.is_active_on(seoul_today()),
            )
        )
    )
    return None if placed else _l("No coordinator is placed at this complex.")


def move_stage(participation, target: Stage, *, actor, note="", override_reason="", now=None):
    """Move `participation` to `target` if the move is allowed and its gates are met.

    While a gate is unmet the move is refused with what is missing; staff may move anyway
    with `override_reason`, a written reason recorded on the move with the unmet gates.
    The UPDATE is conditional on the stage we checked, so two people moving the same
    participation at once cannot both succeed.
    """
    source = participation.stage
    if target not in ALLOWED_MOVES[source]:
        raise GateNotMet(
            _l("A participation cannot move from %(source)s to %(target)s."),
            source=source.label,
            target=target.label,
        )
    if target is Stage.CLOSED and participation.closing_is_early:
        if not participation.can_close_early(actor):
            raise NotAllowed(_l("Only center staff can close a participation early."))
        if not note.strip():
            raise GateNotMet(_l("Closing a participation early needs a note saying why."))
    moved_at = now or utcnow()
    unmet = unmet_gate_states(participation, target, moved_at)
    override_reason = override_reason.strip()
    if unmet and override_reason and not participation.can_override_gates(actor):
        raise NotAllowed(
            _l("Only center staff can move a complex on while something it needs is missing.")
        )
    if unmet and not override_reason:
        raise GateNotMet(" ".join(str(state.missing) for state in unmet))
    if not unmet:
        override_reason = ""
    result = db.session.execute(
        update(Participation)
        .where(Participation.id == participation.id, Participation.stage == source)
        .values(stage=target, stage_changed_at=moved_at)
        .execution_options(synchronize_session=False)
    )
    if rows_matched(result) != 1:
        raise Conflict()
    db.session.refresh(participation)
    db.session.add(
        StageMove(
            participation_id=participation.id,
            from_stage=source,
            to_stage=target,
            moved_by_id=actor.id,
            moved_at=moved_at,
            note="\n".join(text for text in (note.strip(), override_reason) if text),
        )
    )
    after = {"stage": target.value, "note": note}
    if unmet:
        after |= {
            "override_reason": override_reason,
            "unmet_gates": ", ".join(state.name for state in unmet),
            "missing": " ".join(str(state.missing) for state in unmet),
        }
    log_change(
        "stage.move",
        participation,
        actor=actor,
        complex_id=participation.complex_id,
        before={"stage": source.value},
        after=after,
    )
    return participation


# Cohorts and complexes ----------------------------------------------------------------


def _apply_changes(obj, fields):
    """Set `fields` on `obj`; return (before, after) of the values that changed."""
    before, after = {}, {}
    for name, value in fields.items():
        old = getattr(obj, name)
        if old != value:
            before[name], after[name] = old, value
            setattr(obj, name, value)
    return before, after


def _flush_unique(obj, message, **params):
    """Flush `obj` in a savepoint: a unique constraint that trips becomes a Conflict."""
    try:
        with db.session.begin_nested():
            db.session.add(obj)
    except IntegrityError:
        raise Conflict(message, **params) from None


def _check_period(starts_on, ends_on):
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(_l("The end date cannot be before the start date."))


def create_cohort(*, name, year, starts_on=None, ends_on=None, description="", actor):
    _check_period(starts_on, ends_on)
    cohort = Cohort(
        name=name, year=year, starts_on=starts_on, ends_on=ends_on, description=description
    )
    _flush_unique(cohort, _l("There is already a cohort called %(name)s."), name=name)
    log_change(
        "cohort.create",
        cohort,
        actor=actor,
        after={"name": name, "year": year, "starts_on": starts_on, "ends_on": ends_on},
    )
    return cohort


def update_cohort(cohort, *, actor, **fields):
    _check_period(fields.get("starts_on", cohort.starts_on), fields.get("ends_on", cohort.ends_on))
    before, after = _apply_changes(cohort, fields)
    if after:
        _flush_unique(cohort, _l("There is already a cohort called %(name)s."), name=cohort.name)
        log_change("cohort.update", cohort, actor=actor, before=before, after=after)
    return cohort


def recruit_complex(cohort, complex_, *, actor):
    """Take `complex_` into `cohort`; it starts in the recruiting stage.

    The unique constraint on (cohort, complex) is the guard, so two people recruiting
    the same complex at once get one participation and a clear message.
    """
    participation = Participation(
        cohort_id=cohort.id, complex_id=complex_.id, stage=Stage.RECRUITING
    )
    _flush_unique(
        participation,
        _l("%(complex)s is already taking part in this cohort."),
        complex=complex_.name,
    )
    log_change(
        "participation.recruit",
        participation,
        actor=actor,
        complex_id=complex_.id,
        after={"cohort_id": cohort.id, "stage": Stage.RECRUITING.value},
    )
    return participation


def create_complex(*, actor, **fields):
    complex_ = Complex(**fields)
    db.session.add(complex_)
    db.session.flush()
    log_change("complex.create", complex_, actor=actor, complex_id=complex_.id, after=fields)
    return complex_


def update_complex(complex_, *, actor, **fields):
    before, after = _apply_changes(complex_, fields)
    if after:
        log_change(
            "complex.update",
            complex_,
            actor=actor,
            complex_id=complex_.id,
            before=before,
            after=after,
        )
    return complex_


# Households ---------------------------------------------------------------------------

MAX_HOUSEHOLDS_AT_ONCE = 5000

# "101 1203", "101동 1203호", "101-1203", "가동 3호": the building, then the unit.
_HOUSEHOLD_LINE = re.compile(
    r"^(?P<building>[0-9A-Z가-힣]{1,20}?)(?:\s*동\s*|\s*-\s*|\s+)(?P<unit>[0-9A-Z]{1,20})\s*호?$"
)


@dataclass
class LineProblem:
    number: int
    text: str
    reason: str


class HouseholdLinesRefused(DomainError):
    """Some lines of a list of households can't be added, so none is: the list is fixed
    and sent again whole."""

    code = "household_lines_refused"
    status = 422
    default_message = _l("Nothing was added: fix the lines below and send the list again.")

    def __init__(self, problems):
        super().__init__()
        self.problems = problems


def parse_household_line(text):
    """(building, unit) from one line such as "101동 1203호", or None."""
    text = unicodedata.normalize("NFKC", text).strip().upper()
    match = _HOUSEHOLD_LINE.match(text)
    return (match["building"], match["unit"]) if match else None


def _read_household_lines(lines, problems):
    """The well-formed lines as {(building, unit): (number, text)}; the rest go to problems."""
    wanted = {}
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        key = parse_household_line(text)
        if key is None:
            reason = _l("Write the building and the unit, such as 101 1203 or 101동 1203호.")
        elif key in wanted:
            reason = _l("The same household is on line %(line)s.", line=wanted[key][0])
        else:
            wanted[key] = (number, text)
            continue
        problems.append(LineProblem(number, text, str(reason)))
    return wanted


def _listed_already(complex_, wanted):
    if not wanted:
        return set()
    return set(
        db.session.execute(
            select(Household.building, Household.unit).where(
                Household.complex_id == complex_.id,
                Household.building.in_({building for building, _unit in wanted}),
            )
        ).tuples()
    )


def add_households(complex_, lines, *, actor):
    """A household for every "동 호" line, all or none: a line that can't be read, or names
    a household listed already or on an earlier line, refuses the whole list
    (HouseholdLinesRefused names each such line and why), so a list sent again after
    fixing adds each household once.

    The unique constraint on (complex, building, unit) guards against someone adding
    the same ones at once. The caller commits.
    """
    if len(lines) > MAX_HOUSEHOLDS_AT_ONCE:
        raise DomainError(
            _l("Add at most %(count)s households at a time."), count=MAX_HOUSEHOLDS_AT_ONCE
        )
    problems = []
    wanted = _read_household_lines(lines, problems)
    existing = _listed_already(complex_, wanted)
    problems += [
        LineProblem(number, text, str(_l("This household is already listed.")))
        for key, (number, text) in wanted.items()
        if key in existing
    ]
    if problems:
        raise HouseholdLinesRefused(sorted(problems, key=lambda problem: problem.number))
    return _insert_households(complex_, list(wanted), actor=actor) if wanted else []


def _insert_households(complex_, keys, *, actor, **noted):
    """Insert the households `keys` ((building, unit) pairs) in one go, with one audit
    entry; the unique constraint turns someone adding the same ones at once into a
    Conflict for the whole list."""
    added = [
        Household(complex_id=complex_.id, building=building, unit=unit) for building, unit in keys
    ]
    try:
        with db.session.begin_nested():
            db.session.add_all(added)
    except IntegrityError:
        raise Conflict(
            _l("Someone added some of these households at the same time. Please try again.")
        ) from None
    log_change(
        "households.add",
        complex_,
        actor=actor,
        complex_id=complex_.id,
        after={"count": len(added), **noted},
    )
    return added


# Households in bulk: a range or the management office's file ---------------------------
# household_lists reads the range or the file; the preview says what becomes of each line;
# the confirm writes the new ones, all in one transaction.


class Fate(LabelledEnum):
    NEW = ("new", _l("New household"))
    LISTED = ("listed", _l("Listed already"))
    DUPLICATE = ("duplicate", _l("Twice in the list"))
    UNREADABLE = ("unreadable", _l("Can't be read"))


@dataclass(frozen=True)
class PreviewLine:
    line: ListedLine
    fate: Fate
    note: str = ""


@dataclass(frozen=True)
class HouseholdPreview:
    lines: list[PreviewLine]

    @property
    def new_keys(self):
        return [entry.line.key for entry in self.lines if entry.fate is Fate.NEW]

    def count(self, fate):
        return sum(1 for entry in self.lines if entry.fate is fate)

    @property
    def counts(self):
        return {fate: self.count(fate) for fate in Fate}


def preview_households(complex_, listed):
    """What adding `listed` (household_lists.ListedLine) to `complex_` would do, line by
    line: new, listed already, the same household as an earlier line, or unreadable (with
    the reason). Reads only."""
    existing = _listed_already(complex_, {line.key for line in listed if line.reason is None})
    first_line = {}
    lines = []
    for line in listed:
        if line.reason is not None:
            lines.append(PreviewLine(line, Fate.UNREADABLE, line.reason))
        elif line.key in first_line:
            note = str(_l("The same household is on line %(line)s.", line=first_line[line.key]))
            lines.append(PreviewLine(line, Fate.DUPLICATE, note))
        else:
            first_line[line.key] = line.number
            fate = Fate.LISTED if line.key in existing else Fate.NEW
            lines.append(PreviewLine(line, fate))
    return HouseholdPreview(lines)


def add_household_list(complex_, keys, *, actor, make_codes=True):
    """Add the households `keys` ((building, unit) pairs from a preview) that aren't
    listed yet, in one go, and a code for each new one when `make_codes`. Returns
    (households added, how many were listed already).

    One that someone else added since the preview is left out; one added at this very
    moment trips the unique constraint on (complex, building, unit) and the whole list is
    refused (Conflict): sent again, it adds the rest. The caller commits."""
    wanted = list(dict.fromkeys(keys))
    if len(wanted) > MAX_HOUSEHOLDS:
        raise DomainError(_l("Add at most %(count)s households at a time."), count=MAX_HOUSEHOLDS)
    existing = _listed_already(complex_, wanted)
    new = [key for key in wanted if key not in existing]
    if not new:
        raise DomainError(_l("Every household in this list is already listed."))
    added = _insert_households(complex_, new, actor=actor, listed_already=len(wanted) - len(new))
    if make_codes:
        _make_codes(complex_, [household.id for household in added], actor=actor)
    return added, len(wanted) - len(added)


# Invitation codes ---------------------------------------------------------------------
# The partial unique index (one live code per household) is the guard: an insert that
# loses a race fails in its savepoint, and the winner's code stands.


def _live_code(household_id):
    return db.session.scalar(
        select(InvitationCode).where(
            InvitationCode.household_id == household_id, InvitationCode.revoked_at.is_(None)
        )
    )


def _insert_code(household_id, actor):
    """A new live code for the household, or None if it has one already."""
    for _attempt in range(3):  # a second try only if two random codes collided
        if _live_code(household_id) is not None:
            return None
        code = InvitationCode(household_id=household_id, code=new_code(), created_by_id=actor.id)
        try:
            with db.session.begin_nested():
                db.session.add(code)
        except IntegrityError:
            continue
        return code
    raise Conflict()


def issue_code(household, *, actor):
    """The household's live code, made now if it has none."""
    code = _insert_code(household.id, actor)
    if code is None:
        return _live_code(household.id)
    log_change(
        "code.issue",
        code,
        actor=actor,
        complex_id=household.complex_id,
        after={"household_id": household.id},
    )
    return code


def generate_codes(complex_, *, actor):
    """A live code for every household of `complex_` that has none; returns how many."""
    households = db.session.scalars(
        select(Household.id)
        .where(
            Household.complex_id == complex_.id,
            ~exists().where(
                InvitationCode.household_id == Household.id, InvitationCode.revoked_at.is_(None)
            ),
        )
        .order_by(Household.id)
    ).all()
    return _make_codes(complex_, households, actor=actor)


def _make_codes(complex_, household_ids, *, actor):
    """A live code for each of `household_ids` (households of `complex_` with none)."""
    if not household_ids:
        return 0
    codes = [
        InvitationCode(household_id=household_id, code=new_code(), created_by_id=actor.id)
        for household_id in household_ids
    ]
    try:
        with db.session.begin_nested():
            db.session.add_all(codes)
        count = len(codes)
    except IntegrityError:
        # Someone generated codes at the same moment: go one by one, keeping theirs.
        count = sum(1 for household_id in household_ids if _insert_code(household_id, actor))
    log_change(
        "codes.generate", complex_, actor=actor, complex_id=complex_.id, after={"count": count}
    )
    return count


def _revoke(code, actor):
    result = db.session.execute(
        update(InvitationCode)
        .where(InvitationCode.id == code.id, InvitationCode.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(_l("This code has already been revoked."))
    db.session.refresh(code)


def revoke_code(code, *, actor):
    """The code stops working; the household has no live code until a new one is made."""
    _revoke(code, actor)
    log_change(
        "code.revoke",
        code,
        actor=actor,
        complex_id=code.household.complex_id,
        after={"household_id": code.household_id},
    )
    return code


def regenerate_code(household, *, actor):
    """Revoke the household's live code (if any) and make a new one."""
    old = _live_code(household.id)
    if old is not None:
        _revoke(old, actor)
    code = InvitationCode(household_id=household.id, code=new_code(), created_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(code)
    except IntegrityError:
        raise Conflict(
            _l(
                "This household's code was changed by someone else just now. "
                "Please reload the page and try again."
            )
        ) from None
    log_change(
        "code.regenerate",
        code,
        actor=actor,
        complex_id=household.complex_id,
        before={"code_id": old.id if old else None},
        after={"household_id": household.id},
    )
    return code


# Reminder lead times ------------------------------------------------------------------


def set_reminder_lead_times(complex_, *, actor, **hours):
    """Set how many hours ahead the complex's people are reminded (LEAD_TIME_FIELDS, each
    1 to LONGEST_LEAD_HOURS), audited as what changed."""
    for name, value in hours.items():
        if name not in LEAD_TIME_FIELDS:
            raise TypeError(name)
        if not isinstance(value, int) or not 1 <= value <= LONGEST_LEAD_HOURS:
            raise DomainError(
                _l("A reminder is sent between 1 and %(hours)s hours ahead."),
                hours=LONGEST_LEAD_HOURS,
            )
    settings = db.session.get(ReminderLeadTimes, complex_.id)
    if settings is None:
        settings = ReminderLeadTimes(
            complex_id=complex_.id, **dict.fromkeys(LEAD_TIME_FIELDS, DEFAULT_LEAD_HOURS)
        )
        db.session.add(settings)
    before, after = _apply_changes(settings, hours)
    if after:
        log_change(
            "complex.reminder_lead_times",
            complex_,
            actor=actor,
            complex_id=complex_.id,
            before=before,
            after=after,
        )
    return settings
