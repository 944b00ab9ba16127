"""Figures computed ahead: every KPI per complex and its roll-ups, kept up by a refresh.

The board, the exports and the API read `kpi_rollups`/`kpi_figures` (a few small
indexed reads whatever the size of the city) instead of computing every measure on
every request. `refresh(cohort_id)`:

1. claims the cohort with a conditional UPDATE of `kpi_refreshes.claimed_at`, so only
   one refresh at a time works on a cohort (a claim older than CLAIM_LIFETIME is
   taken to be a crashed refresh's, and can be taken over);
2. reads, in a deferred (read-only) transaction on SQLite so that votes and bookings
   go on meanwhile: which complexes changed since the last refresh (database triggers
   note every written row's parent in `kpi_changes`; sessions that began or ended since
   then count too), then one GROUP BY per measure over those complexes only (residents
   and households share one pass over the activity tables), the figures entered by
   hand and the weekly activity. Every complex is read anew the first time, when a KPI
   itself changed, and once every FULL_EVERY (which also catches what no trigger
   notes: an account's household or role);
3. adds the complexes' numerators and denominators up by district, by category and
   for the cohort (sums of numerators and of denominators, never averages);
4. writes, in one short transaction, only the rows that differ from what is stored,
   with the "as of" time (the moment the reading began), and frees the claim.

Who refreshes: the scheduler's `refresh_all` every 30 seconds (gachi/scheduler.py,
"kpi.refresh"); the KPI pages that change figures by hand, once their change is
committed (`refresh_after_change`); and the commands that load data (`flask gachi
seed-demo`). A read never does: the board, its exports and the API show what is stored,
with the time it was computed (`KpiRefresh.computed_at`), however old it is.

A SQLite batch migration that copies a watched table drops its triggers: such a
migration must create them again (see migrations/versions/0008_kpi_rollups.py).
"""

import json
import logging
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask import g, has_request_context
from sqlalchemy import bindparam, case, delete, exists, func, insert, or_, select, union, update
from sqlalchemy.exc import IntegrityError

from gachi.ballots.models import Ballot
from gachi.complexes.models import Cohort, Complex, Participation
from gachi.core.db import reading_only
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.kpi.board_cache import figures_cache
from gachi.kpi.charts import activity_by_participation
from gachi.kpi.measures import MEASURES, among, in_cohort, people_counts
from gachi.kpi.models import (
    CATEGORY,
    COHORT,
    COMPLEX,
    DISTRICT,
    Kpi,
    KpiChange,
    KpiEntry,
    KpiFigure,
    KpiRefresh,
    KpiRollup,
    Method,
    exact_number,
)
from gachi.plans.models import BudgetLine, ExecutionPlan
from gachi.programs.models import Program
from gachi.programs.sessions.models import ProgramSession
from gachi.proposals.models import Problem, ProblemState
from gachi.workshops.models import Workshop

log = logging.getLogger(__name__)

CHOSEN_STATES = (ProblemState.SELECTED, ProblemState.IN_PROGRESS, ProblemState.RESOLVED)
# Changes the triggers do not note (an account's household or role) show by this.
FULL_EVERY = timedelta(hours=1)
CLAIM_LIFETIME = timedelta(minutes=10)
# Read together in one pass (measures.people_counts), not one query each.
PEOPLE = ("residents", "households", "household_share")


# Claims -------------------------------------------------------------------------------


@contextmanager
def _write_transaction():
    """The block in a transaction of its own that writes, committed at the end: the read
    transaction in hand ends first, and on SQLite the block begins IMMEDIATE even within
    a request whose edge has committed already (refresh_after_change)."""
    in_request = has_request_context()
    previous = g.get("sqlite_writes", False) if in_request else None
    db.session.commit()
    if in_request:
        g.sqlite_writes = True
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        if in_request:
            g.sqlite_writes = previous


def _claim(cohort_id, now) -> bool:
    """Take the cohort's refresh claim; False if another refresh holds it."""
    with _write_transaction():
        if db.session.get(KpiRefresh, cohort_id) is None:
            try:
                with db.session.begin_nested():
                    db.session.add(KpiRefresh(cohort_id=cohort_id))
            except IntegrityError:
                pass  # another refresh made the row first; the UPDATE below decides
        claimed = db.session.execute(
            update(KpiRefresh)
            .where(
                KpiRefresh.cohort_id == cohort_id,
                or_(KpiRefresh.claimed_at.is_(None), KpiRefresh.claimed_at < now - CLAIM_LIFETIME),
            )
            .values(claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        return claimed.rowcount == 1


def _release(cohort_id):
    with _write_transaction():
        db.session.execute(
            update(KpiRefresh)
            .where(KpiRefresh.cohort_id == cohort_id)
            .values(claimed_at=None)
            .execution_options(synchronize_session=False)
        )


# Reading ------------------------------------------------------------------------------


@dataclass
class Computed:
    """What one refresh read: per roll-up line (scope, key) its attributes and figures."""

    lines: dict  # (scope, key) -> {"participation_id", "district", "category_id", "complex_count", "activity"}
    figures: dict  # (scope, key) -> {kpi_id: (numerator, denominator)}
    activity: list  # the cohort's [[week, acts], ...]
    recomputed: int  # complexes whose figures were read anew


def _kpis():
    """(id, method, measure) of every active KPI the board can show."""
    return [
        (kpi_id, method, measure)
        for kpi_id, method, measure in db.session.execute(
            select(Kpi.id, Kpi.method, Kpi.measure).where(Kpi.active.is_(True))
        )
        if method is Method.MANUAL or measure in MEASURES
    ]


def _per_participation(scope, kpis, participations):
    """{participation_id: {kpi_id: (numerator, denominator)}} for the participations in
    `scope`: one GROUP BY per measure (residents and households share one)."""
    values = defaultdict(dict)
    wanted = {measure: kpi_id for kpi_id, method, measure in kpis if method is Method.COMPUTED}
    if any(key in wanted for key in PEOPLE):
        households = {}
        for participation_id, residents, homes in db.session.execute(people_counts(scope)):
            households[participation_id] = homes
            if "residents" in wanted:
                values[participation_id][wanted["residents"]] = (residents, 0)
            if "households" in wanted:
                values[participation_id][wanted["households"]] = (homes, 0)
        if "household_share" in wanted:  # over the complexes whose households are known
            for participation_id, facts in participations.items():
                if facts["household_count"] is not None:
                    values[participation_id][wanted["household_share"]] = (
                        households.get(participation_id, 0),
                        facts["household_count"],
                    )
    for key, kpi_id in wanted.items():
        if key in PEOPLE:
            continue
        figures = MEASURES[key].build(scope)
        for participation_id, numerator, denominator in db.session.execute(
            select(figures.c.participation_id, figures.c.num, figures.c.den)
        ):
            values[participation_id][kpi_id] = (numerator, denominator)
    manual = [kpi_id for kpi_id, method, _measure in kpis if method is Method.MANUAL]
    if manual:
        for participation_id, kpi_id, value in db.session.execute(
            select(Participation.id, KpiEntry.kpi_id, KpiEntry.value)
            .join(
                KpiEntry,
                (KpiEntry.complex_id == Participation.complex_id)
                & (KpiEntry.cohort_id == Participation.cohort_id),
            )
            .where(Participation.id.in_(scope), KpiEntry.kpi_id.in_(manual))
        ):
            values[participation_id][kpi_id] = (value, 0)
    return values


def main_category():
    """Each participation's problem category: that of its earliest chosen problem.

    A complex working on two problems still counts once, under the first chosen, so
    the category roll-up adds up to the cohort; complexes with no chosen problem yet
    are a row of their own."""
    first = (
        select(Problem.participation_id, func.min(Problem.id).label("problem_id"))
        .where(Problem.state.in_(CHOSEN_STATES))
        .group_by(Problem.participation_id)
        .subquery()
    )
    return (
        select(first.c.participation_id, Problem.category_id)
        .join(Problem, Problem.id == first.c.problem_id)
        .subquery()
    )


def _participations(cohort_id):
    """{participation_id: its district, household count and main problem category}."""
    category = main_category()
    return {
        participation_id: {
            "district": district,
            "household_count": household_count,
            "category_id": category_id,
        }
        for participation_id, district, household_count, category_id in db.session.execute(
            select(
                Participation.id, Complex.district, Complex.household_count, category.c.category_id
            )
            .join(Complex, Complex.id == Participation.complex_id)
            .outerjoin(category, category.c.participation_id == Participation.id)
            .where(Participation.cohort_id == cohort_id)
        )
    }


def _changed(cohort_id, after_id, up_to_id, since, now):
    """The cohort's participations whose figures may have changed: those whose rows the
    triggers noted in kpi_changes (after_id, up_to_id], and those with a session that
    began or ended in (since, now] (sessions held, volunteers). None when a KPI itself
    changed: then every complex is recomputed."""
    noted = select(KpiChange.ref).where(KpiChange.id > after_id, KpiChange.id <= up_to_id)
    if db.session.scalar(
        select(
            exists().where(
                KpiChange.id > after_id, KpiChange.id <= up_to_id, KpiChange.kind == "kpi"
            )
        )
    ):
        return None

    def of(kind):
        return noted.where(KpiChange.kind == kind)

    def sessions(where):
        return (
            select(Program.participation_id)
            .join(ProgramSession, ProgramSession.program_id == Program.id)
            .where(where)
        )

    changed = union(
        select(Participation.id).where(Participation.id.in_(of("participation"))),
        select(Participation.id).where(Participation.complex_id.in_(of("complex"))),
        select(Problem.participation_id).where(Problem.id.in_(of("problem"))),
        select(Ballot.participation_id).where(Ballot.id.in_(of("ballot"))),
        select(Workshop.participation_id).where(Workshop.id.in_(of("workshop"))),
        select(Program.participation_id).where(Program.id.in_(of("program"))),
        sessions(ProgramSession.id.in_(of("session"))),
        select(ExecutionPlan.participation_id).where(ExecutionPlan.id.in_(of("plan"))),
        select(ExecutionPlan.participation_id)
        .join(BudgetLine, BudgetLine.plan_id == ExecutionPlan.id)
        .where(BudgetLine.id.in_(of("budget_line"))),
        sessions(
            or_(
                ProgramSession.starts_at.between(since, now),
                ProgramSession.ends_at.between(since, now),
            )
        ),
    ).subquery()
    return set(
        db.session.scalars(
            select(Participation.id).where(
                Participation.cohort_id == cohort_id, Participation.id.in_(select(changed.c[0]))
            )
        )
    )


def _add(total, figures):
    """Add one complex's figures into a roll-up line's: numerators and denominators."""
    for kpi_id, (numerator, denominator) in figures.items():
        total_num, total_den = total.get(kpi_id, (None, Decimal(0)))
        if numerator is not None:
            total_num = numerator if total_num is None else total_num + numerator
        total[kpi_id] = (total_num, total_den + denominator)


def compute(cohort_id, stored_rollups=None, stored_figures=None, changed=None) -> Computed:
    """Read the cohort's figures and add them up (no writing). With `changed` (a set of
    participation ids), only those complexes (and any without stored figures) are read
    anew; the others' figures are taken from what is stored."""
    stored_rollups, stored_figures = stored_rollups or {}, stored_figures or {}
    kpis = _kpis()
    participations = _participations(cohort_id)
    if changed is None:
        todo, scope = set(participations), in_cohort(cohort_id)
    else:
        todo = {
            participation_id
            for participation_id in participations
            if participation_id in changed or (COMPLEX, str(participation_id)) not in stored_rollups
        }
        scope = among(sorted(todo))
    fresh, weeks = {}, defaultdict(dict)
    if todo:
        fresh = _per_participation(
            scope,
            kpis,
            {participation_id: participations[participation_id] for participation_id in todo},
        )
        for participation_id, week, acts in activity_by_participation(scope):
            weeks[participation_id][str(week)] = acts
    kept = defaultdict(dict)
    for (rollup_id, kpi_id), value in stored_figures.items():
        kept[rollup_id][kpi_id] = value
    lines, figures, activity = {}, defaultdict(dict), defaultdict(int)

    def line(scope, key, **attributes):
        if (scope, key) not in lines:
            lines[(scope, key)] = {
                "participation_id": None,
                "district": None,
                "category_id": None,
                "complex_count": 0,
                "activity": None,
                **attributes,
            }
        lines[(scope, key)]["complex_count"] += 1
        return figures[(scope, key)]

    for participation_id, facts in participations.items():
        if participation_id in todo:
            own = {
                kpi_id: (exact_number(numerator), exact_number(denominator) or Decimal(0))
                for kpi_id, (numerator, denominator) in fresh.get(participation_id, {}).items()
            }
            own_weeks = weeks.get(participation_id, {})
        else:
            rollup_id, attributes = stored_rollups[(COMPLEX, str(participation_id))]
            own = dict(kept.get(rollup_id, {}))
            own_weeks = json.loads(attributes["activity"] or "{}")
        for week, acts in own_weeks.items():
            activity[week] += acts
        district, category_id = facts["district"], facts["category_id"]
        line(
            COMPLEX,
            str(participation_id),
            participation_id=participation_id,
            district=district,
            category_id=category_id,
            activity=json.dumps(own_weeks, sort_keys=True),
        ).update(own)
        _add(line(COHORT, ""), own)
        _add(line(DISTRICT, district.value, district=district), own)
        _add(
            line(
                CATEGORY, "" if category_id is None else str(category_id), category_id=category_id
            ),
            own,
        )
    if (COHORT, "") not in lines:  # no complexes yet: the cohort's line, nothing counted
        lines[(COHORT, "")] = {
            "participation_id": None,
            "district": None,
            "category_id": None,
            "complex_count": 0,
            "activity": None,
        }
    return Computed(
        lines, dict(figures), [[week, activity[week]] for week in sorted(activity)], len(todo)
    )


# Writing ------------------------------------------------------------------------------


def _stored(cohort_id):
    """What is stored: {(scope, key): (rollup id, attributes)} and
    {(rollup id, kpi id): (numerator, denominator)}."""
    rollups = {
        (scope, key): (
            rollup_id,
            {
                "participation_id": participation_id,
                "district": district,
                "category_id": category_id,
                "complex_count": complex_count,
                "activity": activity,
            },
        )
        for rollup_id, scope, key, participation_id, district, category_id, complex_count, activity in db.session.execute(
            select(
                KpiRollup.id,
                KpiRollup.scope,
                KpiRollup.key,
                KpiRollup.participation_id,
                KpiRollup.district,
                KpiRollup.category_id,
                KpiRollup.complex_count,
                KpiRollup.activity,
            ).where(KpiRollup.cohort_id == cohort_id)
        )
    }
    figures = {
        (rollup_id, kpi_id): (exact_number(numerator), exact_number(denominator))
        for rollup_id, kpi_id, numerator, denominator in db.session.execute(
            select(
                KpiFigure.rollup_id, KpiFigure.kpi_id, KpiFigure.numerator, KpiFigure.denominator
            )
            .join(KpiRollup, KpiRollup.id == KpiFigure.rollup_id)
            .where(KpiRollup.cohort_id == cohort_id)
        )
    }
    return rollups, figures


def _write(cohort_id, computed, stored_rollups, stored_figures) -> int:
    """Bring the stored rows to `computed`, touching only those that differ. Returns the
    number of rows written."""
    written = 0
    gone = [
        rollup_id
        for line, (rollup_id, _attributes) in stored_rollups.items()
        if line not in computed.lines
    ]
    if gone:
        db.session.execute(delete(KpiRollup).where(KpiRollup.id.in_(gone)))
    new = [
        {"cohort_id": cohort_id, "scope": scope, "key": key, **attributes}
        for (scope, key), attributes in computed.lines.items()
        if (scope, key) not in stored_rollups
    ]
    if new:
        db.session.execute(insert(KpiRollup), new)
    moved = [
        (stored_rollups[line][0], attributes)
        for line, attributes in computed.lines.items()
        if line in stored_rollups and stored_rollups[line][1] != attributes
    ]
    for rollup_id, attributes in moved:
        db.session.execute(
            update(KpiRollup)
            .where(KpiRollup.id == rollup_id)
            .values(**attributes)
            .execution_options(synchronize_session=False)
        )
    written += len(gone) + len(new) + len(moved)
    ids = {line: rollup_id for line, (rollup_id, _attributes) in stored_rollups.items()}
    if new:
        ids.update(
            {
                (scope, key): rollup_id
                for rollup_id, scope, key in db.session.execute(
                    select(KpiRollup.id, KpiRollup.scope, KpiRollup.key).where(
                        KpiRollup.cohort_id == cohort_id
                    )
                )
            }
        )
    wanted = {
        (ids[line], kpi_id): value
        for line, values in computed.figures.items()
        for kpi_id, value in values.items()
    }
    gone = set(gone)
    removed = [pair for pair in stored_figures if pair not in wanted and pair[0] not in gone]
    for rollup_id, kpi_id in removed:
        db.session.execute(
            delete(KpiFigure).where(KpiFigure.rollup_id == rollup_id, KpiFigure.kpi_id == kpi_id)
        )
    added = [
        {
            "rollup_id": rollup_id,
            "kpi_id": kpi_id,
            "numerator": numerator,
            "denominator": denominator,
        }
        for (rollup_id, kpi_id), (numerator, denominator) in wanted.items()
        if (rollup_id, kpi_id) not in stored_figures
    ]
    if added:
        db.session.execute(insert(KpiFigure), added)
    changed = [
        {"r": rollup_id, "k": kpi_id, "n": numerator, "d": denominator}
        for (rollup_id, kpi_id), (numerator, denominator) in wanted.items()
        if (rollup_id, kpi_id) in stored_figures
        and stored_figures[(rollup_id, kpi_id)] != (numerator, denominator)
    ]
    if changed:
        table = KpiFigure.__table__
        db.session.execute(
            update(table)
            .where(table.c.rollup_id == bindparam("r"), table.c.kpi_id == bindparam("k"))
            .values(numerator=bindparam("n"), denominator=bindparam("d")),
            changed,
        )
    return written + len(removed) + len(added) + len(changed)


# The operation -------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    cohort_id: int
    done: bool  # False: another refresh had the claim
    seconds: float = 0.0
    written: int = 0  # rows written
    recomputed: int = 0  # complexes read anew
    full: bool = False


def refresh(cohort_id, now=None, full=False) -> Outcome:
    """Recompute a cohort's figures unless another refresh is at it: the complexes whose
    data changed since the last refresh, or every one (`full`, the first time, when a
    KPI changed, and once every FULL_EVERY). Commits: the claim, then the figures in one
    short transaction (whatever the caller had is committed)."""
    now = now or utcnow()
    if not _claim(cohort_id, now):
        return Outcome(cohort_id, False)
    started = time.perf_counter()
    try:
        with reading_only():
            read_at = utcnow()
            state = db.session.get(KpiRefresh, cohort_id)
            db.session.refresh(state)
            last_change = db.session.scalar(select(func.max(KpiChange.id))) or 0
            full = (
                full
                or state.full_at is None
                or state.computed_at is None
                or state.full_at < read_at - FULL_EVERY
            )
            changed = (
                None
                if full
                else _changed(cohort_id, state.change_id, last_change, state.computed_at, read_at)
            )
            full = changed is None
            stored_rollups, stored_figures = _stored(cohort_id)
            computed = compute(cohort_id, stored_rollups, stored_figures, changed)
            db.session.commit()  # ends the read transaction
        with _write_transaction():
            written = _write(cohort_id, computed, stored_rollups, stored_figures)
            seconds = time.perf_counter() - started
            done = {
                "computed_at": read_at,
                "claimed_at": None,
                "seconds": seconds,
                "recomputed": computed.recomputed,
                "change_id": last_change,
                "activity": json.dumps(computed.activity),
                # a hand-entered figure changed while reading: refresh again
                "changed_at": case(
                    (KpiRefresh.changed_at > read_at, KpiRefresh.changed_at), else_=None
                ),
            }
            if full:
                done["full_at"] = read_at
            db.session.execute(
                update(KpiRefresh)
                .where(KpiRefresh.cohort_id == cohort_id)
                .values(**done)
                .execution_options(synchronize_session=False)
            )
            # What every cohort has read is no longer needed.
            db.session.execute(
                delete(KpiChange).where(
                    KpiChange.id <= select(func.min(KpiRefresh.change_id)).scalar_subquery()
                )
            )
    except BaseException:
        log.exception("KPI refresh of cohort %s failed", cohort_id)
        db.session.rollback()
        _release(cohort_id)
        raise
    db.session.expire_all()
    figures_cache().forget(cohort_id)  # this worker's board at once; others by computed_at
    return Outcome(cohort_id, True, seconds, written, computed.recomputed, full)


def refresh_after_change(cohort_id):
    """After a change to a cohort's figures was committed (a figure entered by hand): the
    board shows it at once. Should the refresh fail or another be at work, the change
    stays marked (`mark_changed`) and the scheduler's next run takes it."""
    try:
        refresh(cohort_id)
    except Exception:  # logged by refresh(); what was committed stays committed
        db.session.rollback()


def mark_changed(cohort_id):
    """A figure entered by hand changed: the cohort's computed figures are behind it
    until the next refresh (the trigger on kpi_entries tells that refresh which complex
    to read anew). In the caller's transaction."""
    db.session.execute(
        update(KpiRefresh)
        .where(KpiRefresh.cohort_id == cohort_id)
        .values(changed_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def refresh_all(now=None):
    """The scheduler's job (every 30 seconds): refresh every cohort. Returns a line for
    job_runs.detail: each cohort's seconds, or "busy" when another refresh had it."""
    done = []
    for cohort_id in db.session.scalars(select(Cohort.id).order_by(Cohort.id)).all():
        outcome = refresh(cohort_id, now)
        done.append(
            f"{cohort_id}:{outcome.recomputed}/{outcome.seconds:.1f}s"
            if outcome.done
            else f"{cohort_id}:busy"
        )
    return " ".join(done)
