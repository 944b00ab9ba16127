"""The read-only JSON API under /api/v1/: cohorts, complexes, KPIs and results.

Public by decision (see README.md): it gives aggregate figures and the names of
complexes, which the public overview shows already; never a person, a household or
anything a resident wrote. Every figure comes from gachi.kpi.queries, as on the board:
a cohort's figures as computed by the last refresh ("computed_at"), a complex's own
results as they stand.
"""

from decimal import Decimal

from flask import Blueprint, abort, jsonify, request, url_for
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from gachi.complexes.models import Cohort, Participation
from gachi.extensions import db
from gachi.kpi import queries

API_PREFIX = "/api/"
bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50


@bp.errorhandler(HTTPException)
def json_error(error):
    """Also answers URLs under /api/ that match no route (gachi.core.errors_views)."""
    return jsonify({"error": {"status": error.code, "message": error.description}}), error.code


def _number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _positive_arg(name, default, maximum):
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        abort(400, description=f"{name} must be a whole number from 1 to {maximum}.")
    return int(raw)


def _paging():
    return (
        _positive_arg("page", 1, 1_000_000),
        _positive_arg("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE),
    )


def _page(items, page, per_page, total, endpoint, more=None, **args):
    has_next = page * per_page < total
    return jsonify(
        {
            **(more or {}),
            "items": items,
            "page": page,
            "per_page": per_page,
            "total": total,
            "next": url_for(endpoint, page=page + 1, per_page=per_page, **args)
            if has_next
            else None,
        }
    )


def _moment(value):
    """When the figures were computed, ISO 8601 in UTC (None: not computed yet)."""
    return value.isoformat() if value is not None else None


def _kpi(kpi):
    return {
        "code": kpi.code,
        "name_ko": kpi.name_ko,
        "name_en": kpi.name_en,
        "unit_ko": kpi.unit_ko,
        "unit_en": kpi.unit_en,
        "direction": kpi.direction.value,
        "method": kpi.method.value,
        "definition_ko": kpi.definition_ko,
        "definition_en": kpi.definition_en,
    }


def _figure(figure):
    return {
        "code": figure.kpi.code,
        "target": _number(figure.target),
        "actual": _number(figure.actual),
        "rate": figure.rate,
        "arrow": figure.arrow,
        "numerator": _number(figure.numerator),
        "denominator": _number(figure.denominator),
    }


def _figures(row, kpis):
    return [_figure(row.figures[kpi.code]) for kpi in kpis]


def _cohort(cohort_id):
    return db.session.get(Cohort, cohort_id) or abort(404, description="No such cohort.")


@bp.route("/kpis")
def kpis():
    return jsonify({"items": [_kpi(kpi) for kpi in queries.active_kpis()]})


@bp.route("/cohorts")
def cohorts():
    page, per_page = _paging()
    total = db.session.scalar(select(func.count(Cohort.id)))
    rows = db.session.execute(
        select(Cohort, func.count(Participation.id))
        .outerjoin(Participation, Participation.cohort_id == Cohort.id)
        .group_by(Cohort.id)
        .order_by(Cohort.year.desc(), Cohort.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [
        {
            "id": cohort.id,
            "name": cohort.name,
            "year": cohort.year,
            "starts_on": cohort.starts_on.isoformat() if cohort.starts_on else None,
            "ends_on": cohort.ends_on.isoformat() if cohort.ends_on else None,
            "complex_count": count,
            "results": url_for(".cohort_results", cohort_id=cohort.id),
        }
        for cohort, count in rows
    ]
    return _page(items, page, per_page, total, ".cohorts")


@bp.route("/cohorts/<int:cohort_id>/results")
def cohort_results(cohort_id):
    """The cohort's figures (by=district|category for a roll-up)."""
    cohort = _cohort(cohort_id)
    by = request.args.get("by")
    if by not in (None, "district", "category"):
        abort(400, description="by must be district or category.")
    board = queries.cohort_board(cohort.id)
    body = {
        "cohort": {"id": cohort.id, "name": cohort.name},
        "computed_at": _moment(board.as_of),
        "complex_count": board.totals.complex_count,
        "figures": [_figure(figure) for figure in board.figures],
    }
    if by is not None:
        body["by"] = by
        body["rows"] = [
            {
                "key": row.key.value if by == "district" else row.key,
                "label": row.label,
                "complex_count": row.complex_count,
                "figures": _figures(row, board.kpis),
            }
            for row in queries.rollup(cohort.id, board.kpis, by)
        ]
    return jsonify(body)


@bp.route("/cohorts/<int:cohort_id>/complexes")
def cohort_complexes(cohort_id):
    """A page of the cohort's complexes with each one's figures (no targets: those are
    set per complex and shown by the complex's own results)."""
    cohort = _cohort(cohort_id)
    page, per_page = _paging()
    state = queries.figures_state(cohort.id)
    kpis = queries.active_kpis()
    rows = queries.rollup(cohort.id, kpis, "complex", page=page, per_page=per_page)
    items = [
        {
            "participation_id": row.participation_id,
            "name": row.label,
            "district": row.district.value,
            "stage": row.stage.value,
            "figures": _figures(row, kpis),
        }
        for row in rows
    ]
    return _page(
        items,
        page,
        per_page,
        queries.complex_count(cohort.id),
        ".cohort_complexes",
        more={"computed_at": _moment(state.computed_at if state else None)},
        cohort_id=cohort.id,
    )


@bp.route("/participations/<int:participation_id>/results")
def participation_results(participation_id):
    participation = db.session.get(Participation, participation_id) or abort(
        404, description="No such participation."
    )
    board = queries.participation_board(participation)
    return jsonify(
        {
            "participation_id": participation.id,
            "cohort_id": participation.cohort_id,
            "complex": participation.complex.name,
            "district": participation.complex.district.value,
            "stage": participation.stage.value,
            "figures": [_figure(figure) for figure in board.figures],
        }
    )
