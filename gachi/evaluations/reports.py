"""The reports as documents: a complex's evaluation report and the center's report for
a cohort, as the HTML that WeasyPrint makes a PDF of (gachi/core/pdf.py).

Each says on every page when its figures stand (the PDF's margin, `as_of_label`): a
signed or drafted evaluation's frozen snapshot, else a complex's figures as computed
now; for the center, the time the last refresh computed the cohort's figures
(gachi/kpi/refresh.py). The 목표/실적/달성률 table is the board's (kpi/tables.py), its
rate and arrow the board's rule (kpi/achievement.py); the charts are the board's,
drawn as SVG on the server (kpi/svg.py).
"""

from datetime import datetime

from flask import render_template
from flask_babel import gettext as _

from gachi.core.time import seoul_label
from gachi.evaluations import queries
from gachi.kpi import charts, drilldown, svg, tables
from gachi.kpi import queries as kpi_queries
from gachi.kpi.achievement import achievement_rate, arrow
from gachi.plans.queries import plan_figures, plan_for


def as_of_label(moment: datetime | None) -> str:
    """The line at the foot of every page: when the figures stand, in Seoul time."""
    if moment is None:
        return _("Figures not computed yet")
    return _("Figures as of %(time)s", time=seoul_label(moment))


def _frozen_lines(evaluation) -> list[tables.TargetLine]:
    """The evaluation's frozen figures, rated by the board's rule."""
    return [
        tables.TargetLine(
            figure.name,
            figure.unit,
            figure.target,
            figure.actual,
            achievement_rate(figure.actual, figure.target, figure.direction),
            arrow(figure.actual, figure.target, figure.direction),
        )
        for figure in evaluation.figures
    ]


def complex_report_html(participation, now: datetime) -> str:
    """A complex's evaluation report: its figures against its targets (as the evaluation
    froze them, or as they stand at `now` before there is one), its charts, its budget,
    the coordinator's text and the decision once signed."""
    evaluation = queries.evaluation_for(participation.id)
    if evaluation is not None:
        lines, as_of = _frozen_lines(evaluation), evaluation.snapshot_at
    else:
        lines, as_of = tables.board_lines(kpi_queries.participation_board(participation)), now
    programmes = drilldown.programme_lines(participation.id)
    plan = plan_for(participation.id)
    return render_template(
        "evaluations/complex_report_pdf.html",
        participation=participation,
        evaluation=evaluation,
        table=tables.target_table(lines),
        plan=plan_figures(plan.id) if plan else None,
        achievement=charts.achievement((line.indicator, line.rate) for line in lines),
        attendance=charts.attendance_per_programme(programmes),
        draw=svg.draw,
        as_of_label=as_of_label(as_of),
        made_at=seoul_label(now),
    )


def cohort_report_html(cohort, now: datetime) -> str:
    """The center's report for a cohort: its figures as the last refresh computed them,
    against its targets; the board's charts; budget; districts; the decisions signed."""
    board = kpi_queries.cohort_board(cohort.id)
    districts = kpi_queries.rollup(cohort.id, board.kpis, "district")
    return render_template(
        "evaluations/cohort_report_pdf.html",
        cohort=cohort,
        board=board,
        table=tables.kpi_table(board),
        districts=tables.district_table(board.kpis, districts),
        budget=board.totals.figures.get("execution_rate"),
        evaluations=queries.signed_evaluations(cohort.id),
        achievement=charts.achievement((figure.kpi.name, figure.rate) for figure in board.figures),
        activity=charts.activity(board),
        turnout=charts.turnout(districts),
        draw=svg.draw,
        as_of_label=as_of_label(board.as_of),
        made_at=seoul_label(now),
    )
