"""The reads behind the programme pages: a participation's programmes, a complex's."""

from sqlalchemy import func, select

from gachi.complexes.models import Participation
from gachi.enterprises.models import Enterprise
from gachi.extensions import db
from gachi.matching.models import AGREED_STATES, Match
from gachi.matching.queries import MATCHABLE_PROBLEM_STATES
from gachi.programs.models import Program
from gachi.programs.sessions.models import ProgramSession, SessionState
from gachi.proposals.models import Problem


def participation_programs(participation_id):
    """The participation's programmes with their number of live sessions, by title."""
    live = func.count(ProgramSession.id).filter(ProgramSession.state == SessionState.SCHEDULED)
    return db.session.execute(
        select(Program, live.label("session_count"))
        .outerjoin(ProgramSession, ProgramSession.program_id == Program.id)
        .where(Program.participation_id == participation_id)
        .group_by(Program.id)
        .order_by(Program.title, Program.id)
    ).all()


def complex_programs(complex_id):
    """Programmes in the complex's participations, for its residents' page."""
    return db.session.scalars(
        select(Program)
        .join(Participation, Participation.id == Program.participation_id)
        .where(Participation.complex_id == complex_id)
        .order_by(Program.title, Program.id)
    ).all()


def problem_choices(participation_id):
    """(id, title) of the problems a programme of the participation may answer."""
    return db.session.execute(
        select(Problem.id, Problem.title)
        .where(
            Problem.participation_id == participation_id,
            Problem.state.in_(MATCHABLE_PROBLEM_STATES),
        )
        .order_by(Problem.title)
    ).all()


def enterprise_choices(participation_id):
    """(id, name) of the enterprises that accepted work on one of its problems."""
    return db.session.execute(
        select(Enterprise.id, Enterprise.name)
        .join(Match, Match.enterprise_id == Enterprise.id)
        .join(Problem, Problem.id == Match.problem_id)
        .where(Problem.participation_id == participation_id, Match.state.in_(AGREED_STATES))
        .distinct()
        .order_by(Enterprise.name)
    ).all()
