"""The numbers behind the board's charts. The page draws them with the vendored
Chart.js when JavaScript runs; the same numbers are always in a table beside them.
The PDF reports draw the same charts as SVG on the server (svg.py)."""

from dataclasses import dataclass

from sqlalchemy import func, select, union_all

from gachi.complexes.models import Participation
from gachi.extensions import db
from gachi.programs.bookings.models import Attendance, Booking
from gachi.programs.models import Program
from gachi.programs.sessions.models import ProgramSession
from gachi.proposals.models import Problem, ProblemSupport
from gachi.workshops.models import Workshop, WorkshopAttendance


@dataclass(frozen=True)
class Chart:
    key: str
    kind: str  # "bar" or "line"
    labels: list
    values: list  # numbers, None for no data
    unit: str = ""

    def data(self):
        return {
            "kind": self.kind,
            "labels": [str(label) for label in self.labels],
            "values": [None if value is None else float(value) for value in self.values],
            "unit": self.unit,
        }


def week_start(moment):
    """The Monday (Seoul) of a stored UTC moment, as YYYY-MM-DD, on either database."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(
            func.date_trunc("week", func.timezone("Asia/Seoul", moment)), "YYYY-MM-DD"
        )
    return func.date(moment, "+9 hours", "weekday 0", "-6 days")


def activity_per_week(cohort_id):
    """[(week, acts)]: problems proposed, supports given, workshop check-ins and session
    attendances (by the session's start) per week in the cohort's complexes. One GROUP BY."""
    cohort = select(Participation.id).where(Participation.cohort_id == cohort_id)
    acts = union_all(
        select(Problem.created_at.label("at")).where(Problem.participation_id.in_(cohort)),
        select(ProblemSupport.created_at)
        .join(Problem, Problem.id == ProblemSupport.problem_id)
        .where(Problem.participation_id.in_(cohort)),
        select(WorkshopAttendance.checked_in_at)
        .join(Workshop, Workshop.id == WorkshopAttendance.workshop_id)
        .where(Workshop.participation_id.in_(cohort)),
        select(ProgramSession.starts_at)
        .join(Booking, Booking.session_id == ProgramSession.id)
        .join(Program, Program.id == ProgramSession.program_id)
        .where(Program.participation_id.in_(cohort), Booking.attendance == Attendance.ATTENDED),
    ).subquery()
    week = week_start(acts.c.at).label("week")
    return db.session.execute(select(week, func.count()).group_by(week).order_by(week)).all()


def activity_by_participation(scope):
    """[(participation_id, week, acts)] for the participations in `scope` (a SELECT of
    their ids): what activity_per_week adds up, kept per complex by the refresh."""
    acts = union_all(
        select(Problem.participation_id, Problem.created_at.label("at")).where(
            Problem.participation_id.in_(scope)
        ),
        select(Problem.participation_id, ProblemSupport.created_at)
        .join(Problem, Problem.id == ProblemSupport.problem_id)
        .where(Problem.participation_id.in_(scope)),
        select(Workshop.participation_id, WorkshopAttendance.checked_in_at)
        .join(Workshop, Workshop.id == WorkshopAttendance.workshop_id)
        .where(Workshop.participation_id.in_(scope)),
        select(Program.participation_id, ProgramSession.starts_at)
        .join(Booking, Booking.session_id == ProgramSession.id)
        .join(Program, Program.id == ProgramSession.program_id)
        .where(Program.participation_id.in_(scope), Booking.attendance == Attendance.ATTENDED),
    ).subquery()
    week = week_start(acts.c.at).label("week")
    return db.session.execute(
        select(acts.c.participation_id, week, func.count()).group_by(acts.c.participation_id, week)
    ).all()


def achievement(named_rates):
    """The achievement rate per indicator, from [(name, rate)]; one without a rate
    (no target, or nothing to divide) is left out."""
    measured = [(name, rate) for name, rate in named_rates if rate is not None]
    return Chart(
        "achievement",
        "bar",
        [name for name, _rate in measured],
        [rate for _name, rate in measured],
        "%",
    )


def turnout(rows):
    """Turnout per roll-up row (a complex or a district) that has the turnout KPI."""
    measured = [
        (row.label, row.figures["turnout"].actual) for row in rows if "turnout" in row.figures
    ]
    return Chart(
        "turnout",
        "bar",
        [label for label, _value in measured],
        [value for _label, value in measured],
        "%",
    )


def activity(board):
    """Participation per week, as the last refresh computed it."""
    weeks = board.activity
    return Chart(
        "activity", "line", [week for week, _count in weeks], [count for _week, count in weeks]
    )


def board_charts(board, complexes):
    """The board's charts; the weekly activity is the one the last refresh computed."""
    return {
        "achievement": achievement((figure.kpi.name, figure.rate) for figure in board.figures),
        "activity": activity(board),
        "turnout": turnout(complexes),
    }


def attendance_per_programme(lines):
    """Attendance rate per programme of a complex (drilldown.programme_lines)."""
    measured = [line for line in lines if line.attendance_rate is not None]
    return Chart(
        "attendance",
        "bar",
        [line.label for line in measured],
        [line.attendance_rate for line in measured],
        "%",
    )
