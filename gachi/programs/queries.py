"""The reads behind the programme pages: a participation's programmes, a complex's."""

from sqlalchemy import func, select

from gachi.complexes.models import Participation
from gachi.extensions import db
from gachi.programs.models import Program
from gachi.programs.sessions.models import ProgramSession, SessionState


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
