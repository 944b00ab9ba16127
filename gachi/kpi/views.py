"""The center's board, a complex's results, targets and actuals, and the exports.

The pages that show figures only read them, as the last refresh computed them (the
board says when); the pages that change figures by hand refresh the cohort once their
change is committed (`_refreshing_figures`), so the board shows it at once.
"""

from dataclasses import replace
from functools import wraps

from flask import (
    Blueprint,
    abort,
    flash,
    get_template_attribute,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from gachi.bizmodels.queries import model_rows
from gachi.complexes.districts import in_city_order
from gachi.complexes.models import Cohort, Participation
from gachi.core import spreadsheets
from gachi.core.access import load_for, require, staff_required
from gachi.core.forms import options
from gachi.core.handlers import operating, unit_of_work
from gachi.core.routing import LARGEST_ID
from gachi.districts.queries import offices_by_district
from gachi.evaluations.queries import evaluation_for
from gachi.extensions import db
from gachi.kpi import charts, drilldown, exports, queries, tables
from gachi.kpi.board_cache import figures_cache
from gachi.kpi.forms import BoardFilterForm, ImportActualsForm, KpiForm, figures_form
from gachi.kpi.models import Kpi
from gachi.kpi.operations import create_kpi, import_actuals, set_figures
from gachi.kpi.refresh import refresh_after_change
from gachi.programs.models import Program
from gachi.proposals.queries import category_choices

bp = Blueprint("kpi", __name__)

MAX_CSV_BYTES = 1_000_000
BOARD_PARTS = "kpi/_board_figures.html"


def _filter_form():
    form = BoardFilterForm(formdata=request.args)
    form.category.choices = options([("", _("All categories")), *category_choices()])
    if not form.validate():
        abort(400)
    return form


@bp.route("/staff/cohorts/<int:cohort_id>/board")
@staff_required
def board(cohort_id):
    cohort = load_for(current_user, Cohort, cohort_id)
    form = _filter_form()
    filters, page = form.filters(), form.page.data or 1
    board = queries.cohort_board(cohort.id, filters)  # targets and hand entries as they stand
    filter_args = {key: value for key, value in request.args.items() if key != "page"}
    # The same for every staff member until the next refresh: rendered once per worker.
    figures = figures_cache().get(
        cohort.id,
        board.as_of,
        (tuple(board.kpis), tuple(sorted(filter_args.items())), page, str(get_locale())),
        lambda: _board_figures(cohort, board, filters, filter_args, page),
    )
    if figures is None:
        abort(404)
    # The filters' options: the same for every staff member and query string too.
    filter_form = figures_cache().get(
        cohort.id,
        board.as_of,
        (
            "filters",
            str(get_locale()),
            tuple((choice.value, str(choice.label)) for choice in form.category.choices),
            tuple(form.data[name] for name in ("district", "category", "stage")),
        ),
        lambda: get_template_attribute(BOARD_PARTS, "filter_form")(form, cohort),
    )
    return render_template(
        "kpi/board.html",
        cohort=cohort,
        form=form,
        board=board,
        tables=[tables.kpi_table(board), tables.model_table(model_rows(cohort.id))],
        figures=figures,
        filter_form=filter_form,
        filter_args=filter_args,
        achievement=charts.achievement((figure.kpi.name, figure.rate) for figure in board.figures),
    )


def _board_figures(cohort, board, filters, filter_args, page):
    """The board's parts read from the figures computed ahead, rendered ({part: HTML}),
    or None when the page is past the last."""
    count = queries.complex_count(cohort.id, filters)
    last_page = max(1, -(-count // queries.COMPLEXES_PER_PAGE))
    if page > last_page:
        return None
    complexes = queries.rollup(cohort.id, board.kpis, "complex", filters, page=page)
    link = lambda row: url_for(".participation_results", participation_id=row.participation_id)  # noqa: E731
    board_charts = charts.board_charts(board, complexes)
    districts = queries.rollup(cohort.id, board.kpis, "district", filters)
    rollups = [
        tables.district_table(board.kpis, districts),
        tables.comparison_table(board, districts, offices_by_district()),
        tables.category_table(
            board.kpis, queries.rollup(cohort.id, board.kpis, "category", filters)
        ),
    ]
    template = BOARD_PARTS
    return {
        "activity_chart": get_template_attribute(template, "activity_chart")(board_charts),
        "activity": get_template_attribute(template, "activity_section")(board_charts),
        "rollups": get_template_attribute(template, "rollup_tables")(rollups, filter_args, cohort),
        "complexes": get_template_attribute(template, "complexes_section")(
            board_charts,
            tables.complex_table(board.kpis, complexes, link=link),
            filter_args,
            cohort,
            page,
            last_page,
        ),
    }


@bp.route("/staff/cohorts/<int:cohort_id>/board/<name>.<kind>")
@staff_required
def export(cohort_id, name, kind):
    cohort = load_for(current_user, Cohort, cohort_id)
    if name not in tables.BOARD_TABLES or kind not in ("csv", "xlsx"):
        abort(404)
    filters = _filter_form().filters()
    with force_locale("ko"):
        table = tables.board_table(cohort.id, name, filters, korean=True)
    filename = f"cohort-{cohort.id}-{name}.{kind}"
    if kind == "csv":
        return spreadsheets.csv_stream_response(exports.table_rows(table), filename)
    return spreadsheets.xlsx_response(exports.table_rows(table), filename, sheet_title=name)


# A district support organisation's board ------------------------------------------------


def _district_filters(office):
    """The board's filters on a district account's board: a district among its own,
    and always only the complexes of its districts."""
    form = BoardFilterForm(formdata=request.args)
    form.category.choices = options([("", _("All categories")), *category_choices()])
    form.district.choices = options(
        [
            ("", _("All our districts")),
            *((d.value, d.label) for d in in_city_order(office.districts)),
        ]
    )
    if not form.validate():
        abort(400)
    return form, replace(form.filters(), within=office.districts)


@bp.route("/district/cohorts/<int:cohort_id>/board")
@login_required
def district_board(cohort_id):
    """The center's board for a cohort, narrowed to the account's districts and rolled up
    for them: the same queries as the center's, filtered, so as many whatever the size."""
    cohort = load_for(current_user, Cohort, cohort_id, permission="can_view_board")
    office = current_user.district_office
    if office is None:
        abort(404)
    form, filters = _district_filters(office)
    page = form.page.data or 1
    board = queries.held_to_shares_only(queries.cohort_board(cohort.id, filters))
    count = queries.complex_count(cohort.id, filters)
    last_page = max(1, -(-count // queries.COMPLEXES_PER_PAGE))
    if page > last_page:
        abort(404)
    complexes = queries.rollup(cohort.id, board.kpis, "complex", filters, page=page)
    link = lambda row: url_for(".participation_results", participation_id=row.participation_id)  # noqa: E731
    page_tables = [
        tables.kpi_table(board),
        tables.district_table(
            board.kpis, queries.rollup(cohort.id, board.kpis, "district", filters)
        ),
        tables.category_table(
            board.kpis, queries.rollup(cohort.id, board.kpis, "category", filters)
        ),
        tables.complex_table(board.kpis, complexes, link=link),
    ]
    return render_template(
        "kpi/district_board.html",
        cohort=cohort,
        districts=in_city_order(office.districts),
        form=form,
        board=board,
        tables=page_tables,
        page=page,
        last_page=last_page,
        complex_count=count,
        filter_args={key: value for key, value in request.args.items() if key != "page"},
        charts=charts.board_charts(board, complexes),
    )


@bp.route("/district/cohorts/<int:cohort_id>/board/<name>.<kind>")
@login_required
def district_export(cohort_id, name, kind):
    cohort = load_for(current_user, Cohort, cohort_id, permission="can_view_board")
    office = current_user.district_office
    if office is None or name not in tables.DISTRICT_BOARD_TABLES or kind not in ("csv", "xlsx"):
        abort(404)
    _form, filters = _district_filters(office)
    with force_locale("ko"):
        table = tables.board_table(cohort.id, name, filters, korean=True)
    filename = f"cohort-{cohort.id}-districts-{name}.{kind}"
    if kind == "csv":
        return spreadsheets.csv_response(exports.table_rows(table), filename)
    return spreadsheets.xlsx_response(exports.table_rows(table), filename, sheet_title=name)


@bp.route("/participations/<int:participation_id>/results")
@login_required
def participation_results(participation_id):
    """A complex's figures: its coordinator and staff, and its residents (aggregates only)."""
    participation = load_for(current_user, Participation, participation_id)
    board = queries.participation_board(participation)
    programmes = drilldown.programme_lines(participation.id)
    return render_template(
        "kpi/participation_results.html",
        participation=participation,
        board=board,
        table=tables.kpi_table(board),
        programmes=programmes,
        attendance=charts.attendance_per_programme(programmes),
        evaluation=_evaluation_of(participation),
    )


@bp.route("/programs/<int:program_id>/results")
@login_required
def program_results(program_id):
    """A programme's sessions with their bookings, attendance and ratings (no names)."""
    program = load_for(current_user, Program, program_id)
    return render_template(
        "kpi/program_results.html", program=program, sessions=drilldown.session_lines(program.id)
    )


def _evaluation_of(participation):
    return evaluation_for(participation.id) if participation.can_manage(current_user) else None


# Targets and actuals ------------------------------------------------------------------


def _complex_in(cohort):
    """The ?complex_id= of a complex taking part in `cohort`, or None for the cohort."""
    raw = request.args.get("complex_id", "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) > LARGEST_ID:  # "²".isdigit() too
        abort(404)
    participation = db.session.scalars(
        select(Participation).where(
            Participation.cohort_id == cohort.id, Participation.complex_id == int(raw)
        )
    ).one_or_none()
    return participation.complex if participation is not None else abort(404)


def _refreshing_figures(view):
    """Around the unit of work of a page that changes a cohort's figures by hand: once
    its change is committed, the cohort's figures are refreshed (a GET only reads)."""

    @wraps(view)
    def handle(cohort_id):
        response = make_response(view(cohort_id))
        if request.method == "POST" and response.status_code < 400:
            refresh_after_change(cohort_id)
        return response

    return handle


def _figures_page(cohort, kind):
    """Targets (all KPIs) or actuals (the KPIs entered by hand) for the cohort or a complex."""
    require(cohort.can_manage(current_user))
    complex_ = _complex_in(cohort)
    complex_id = complex_.id if complex_ else None
    kpis = [
        kpi
        for kpi in db.session.scalars(select(Kpi).where(Kpi.active).order_by(Kpi.position))
        if kind == "targets" or kpi.is_manual
    ]
    current = (
        queries.targets(cohort.id, complex_id)
        if kind == "targets"
        else queries.entries(cohort.id, complex_id)
    )
    form = figures_form(kpis, current, lambda kpi: f"{kpi.name} ({kpi.unit})")

    def page(status):
        return render_template(
            "kpi/figures_form.html",
            cohort=cohort,
            complex=complex_,
            form=form,
            kind=kind,
            import_form=ImportActualsForm(),
        ), status

    if not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    with operating(page, form=form):
        set_figures(
            cohort,
            {kpi: field.data for kpi, field in form.kpi_fields},
            kind=kind,
            complex_id=complex_id,
            actor=current_user,
        )
    flash(_("The figures were saved."), "success")
    return redirect(request.full_path)


@bp.route("/staff/cohorts/<int:cohort_id>/targets", methods=["GET", "POST"])
@staff_required
@unit_of_work
def targets(cohort_id):
    return _figures_page(load_for(current_user, Cohort, cohort_id), "targets")


@bp.route("/staff/cohorts/<int:cohort_id>/actuals", methods=["GET", "POST"])
@staff_required
@_refreshing_figures
@unit_of_work
def actuals(cohort_id):
    return _figures_page(load_for(current_user, Cohort, cohort_id), "actuals")


@bp.route("/staff/cohorts/<int:cohort_id>/actuals/import", methods=["POST"])
@staff_required
@_refreshing_figures
@unit_of_work
def import_csv(cohort_id):
    cohort = load_for(current_user, Cohort, cohort_id, permission="can_manage")
    form = ImportActualsForm()
    if not form.validate_on_submit():
        return _refused_upload(cohort, _("Choose a CSV file to upload."))
    raw = form.file.data.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        return _refused_upload(cohort, _("The file is too large (at most 1 MB)."))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _refused_upload(
            cohort, _("The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.")
        )
    with operating():
        result = import_actuals(cohort, text, actor=current_user)
    if result.problems:  # nothing was saved; the 400 rolls back all the same
        return render_template(
            "kpi/import_problems.html", cohort=cohort, problems=result.problems
        ), 400
    flash(_("%(count)s figures were saved.", count=result.saved), "success")
    return redirect(url_for(".actuals", cohort_id=cohort.id)), 303


def _refused_upload(cohort, message):
    """A file that cannot be read at all: one problem, no line number, a 400."""
    return render_template(
        "kpi/import_problems.html", cohort=cohort, problems=[("—", message)]
    ), 400


# KPI definitions ----------------------------------------------------------------------


@bp.route("/staff/kpis")
@staff_required
def kpi_list():
    kpis = db.session.scalars(select(Kpi).order_by(Kpi.position, Kpi.id)).all()
    return render_template("kpi/kpi_list.html", kpis=kpis)


@bp.route("/staff/kpis/new", methods=["GET", "POST"])
@staff_required
@unit_of_work
def kpi_new():
    form = KpiForm()

    def page(status):
        # The one refusal is a code taken already: said beside the code field.
        form.code.errors = [*form.code.errors, *form.form_errors]
        return render_template("kpi/kpi_form.html", form=form), status

    if not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    with operating(page, form=form):
        kpi = create_kpi(**form.kpi_fields(), actor=current_user)
    flash(_("The indicator %(name)s was added.", name=kpi.name), "success")
    return redirect(url_for(".kpi_list"))
