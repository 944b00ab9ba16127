"""Issue 17's acceptance line, on the demo: "A district account of 은평구 sees 응암동 H and
gets 404 on 아현동 P"."""

from sqlalchemy import select

from gachi.auth.models import User
from gachi.complexes.models import Complex, Participation
from gachi.demo import DEMO_PASSWORD
from gachi.extensions import db
from gachi.kpi.refresh import refresh_all
from gachi.programs.models import Program
from tests.conftest import sign_in


def _complex(name):
    return db.session.scalars(select(Complex).where(Complex.name == name)).one()


def _pages_of(complex_):
    participation = db.session.scalars(
        select(Participation).where(Participation.complex_id == complex_.id)
    ).one()
    pages = [
        f"/complexes/{complex_.id}",
        f"/participations/{participation.id}",
        f"/participations/{participation.id}/results",
    ]
    program = db.session.scalars(
        select(Program).where(Program.participation_id == participation.id)
    ).first()
    if program is not None:
        pages += [f"/programs/{program.id}", f"/programs/{program.id}/results"]
    return pages


def test_eunpyeongs_support_organisation_sees_eungam_h_and_not_ahyeon_p(client, demo):
    office = db.session.scalars(select(User).where(User.username == "district.eunpyeong")).one()
    eungam, ahyeon = _complex("응암동 H아파트"), _complex("아현동 P아파트")

    sign_in(client, office, password=DEMO_PASSWORD)
    home = client.get("/home", follow_redirects=True)
    text = home.get_data(as_text=True)
    assert home.request.path == "/district"
    assert "응암동 H아파트" in text and "아현동 P아파트" not in text

    for path in _pages_of(eungam):
        assert client.get(path).status_code == 200, path
    assert len(_pages_of(ahyeon)) == 5  # 아현동 P ran programmes: all its pages are asked
    for path in _pages_of(ahyeon):
        assert client.get(path).status_code == 404, path

    refresh_all()  # the board's figures, as the scheduler's job computes them
    board = client.get(f"/district/cohorts/{demo.cohort.id}/board").get_data(as_text=True)
    assert "응암동 H아파트" in board and "아현동 P아파트" not in board
