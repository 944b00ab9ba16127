from sqlalchemy import select, func

from gachi.complexes.models import Cohort
from gachi.extensions import db
from gachi.kpi.queries import cohort_board
from gachi.kpi.refresh import refresh
from gachi.people.models import Person


def test_print(demo):
    cohort = db.session.scalars(select(Cohort)).one()
    refresh(cohort.id)
    for figure in cohort_board(cohort.id).figures:
        print("FIG", figure.kpi.code, figure.actual)
    print("PEOPLE", db.session.scalar(select(func.count(Person.id))))
