"""The reports as documents: a complex's evaluation report and the center's report,
downloaded as PDFs made on the server, with the figures' as-of time on every page."""

import re
from decimal import Decimal

import pytest
from flask_babel import force_locale

from gachi.complexes.stages import Stage
from gachi.core import pdf
from gachi.core.time import seoul_label, utcnow
from gachi.evaluations import reports
from gachi.evaluations.models import Evaluation
from gachi.evaluations.operations import draft_evaluation
from gachi.extensions import db
from gachi.kpi.models import Kpi, KpiRefresh, KpiTarget
from gachi.kpi.refresh import refresh_all
from tests.conftest import sign_in
from tests.kpi.helpers import known_cohort


@pytest.fixture
def scene(make):
    scene = known_cohort(make)
    scene.mapo.stage = Stage.EVALUATION
    problems = db.session.query(Kpi).filter_by(code="problems").one()
    db.session.add_all(
        [
            # Mapo's own target: 3 problems hoped for; 2 counted (one merged away).
            KpiTarget(
                kpi_id=problems.id,
                cohort_id=scene.cohort.id,
                complex_id=scene.mapo.complex_id,
                value=Decimal(3),
            ),
            # The cohort's: 6 hoped for; Mapo's 2 and Eunpyeong's 1 counted.
            KpiTarget(kpi_id=problems.id, cohort_id=scene.cohort.id, value=Decimal(6)),
        ]
    )
    db.session.commit()
    refresh_all()  # the center's figures, as the scheduler's job computes them
    return scene


def _drafted(scene):
    evaluation = draft_evaluation(
        scene.mapo,
        actor=scene.coordinator,
        what_happened="4주 동안 아이돌봄을 운영했다.",
        residents_said="시간이 짧았다.",
        what_to_change="토요일에도 열자.",
    )
    db.session.commit()
    return evaluation


def in_korean(render, *args, **kwargs):
    """A report as a reader who never chose a language gets it."""
    with force_locale("ko"):
        return render(*args, **kwargs)


def _plain(fragment):
    return re.sub(r"<[^>]+>", "", fragment).strip()


def _headers(html):
    """The column headers of the report's first table, the 목표/실적/달성률 one."""
    table = html[html.index("<table>") : html.index("</table>")]
    return [_plain(cell) for cell in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table)]


def _cells(html, indicator):
    """The cells after an indicator's name in the 목표/실적/달성률 table."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        name = re.search(r'<th scope="row">(.*?)</th>', row)
        if name and _plain(name.group(1)) == indicator:
            return [_plain(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
    raise AssertionError(f"no row for {indicator}")


def test_the_coordinator_downloads_the_evaluation_report_as_a_pdf(korean_client, scene):
    _drafted(scene)
    sign_in(korean_client, scene.coordinator)
    evaluation_page = korean_client.get(f"/participations/{scene.mapo.id}/evaluation")
    assert f'href="/participations/{scene.mapo.id}/evaluation.pdf"' in evaluation_page.get_data(
        as_text=True
    )
    assert "PDF로 내려받기" in evaluation_page.get_data(as_text=True)

    response = korean_client.get(f"/participations/{scene.mapo.id}/evaluation.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"


def test_staff_download_the_centers_report_from_the_board(korean_client, scene):
    sign_in(korean_client, scene.staff)
    board = korean_client.get(f"/staff/cohorts/{scene.cohort.id}/board").get_data(as_text=True)
    assert f'href="/staff/cohorts/{scene.cohort.id}/report.pdf"' in board

    response = korean_client.get(f"/staff/cohorts/{scene.cohort.id}/report.pdf")

    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_only_who_may_open_the_printable_report_gets_the_pdf(app, scene, make):
    evaluation_pdf = f"/participations/{scene.mapo.id}/evaluation.pdf"
    cohort_pdf = f"/staff/cohorts/{scene.cohort.id}/report.pdf"

    def browser(user=None):
        client = app.test_client()
        if user is not None:
            sign_in(client, user)
        return client

    assert browser().get(evaluation_pdf).status_code == 302  # signed out: to sign in

    mapo_resident = browser(scene.resident)  # sees Mapo, may not manage it
    assert mapo_resident.get(evaluation_pdf).status_code == 403
    assert mapo_resident.get(f"/participations/{scene.mapo.id}/report").status_code == 403
    assert mapo_resident.get(cohort_pdf).status_code == 403

    stranger = browser(make.resident(scene.eunpyeong.complex))  # another complex's
    assert stranger.get(evaluation_pdf).status_code == 404
    assert stranger.get(f"/participations/{scene.mapo.id}/report").status_code == 404

    coordinator = browser(scene.coordinator)  # Mapo's: not the center's, not Eunpyeong's
    assert coordinator.get(cohort_pdf).status_code == 403
    eunpyeong_pdf = f"/participations/{scene.eunpyeong.id}/evaluation.pdf"
    assert coordinator.get(eunpyeong_pdf).status_code == 404


def test_the_evaluation_report_holds_the_target_table_the_as_of_time_and_charts(scene):
    evaluation = _drafted(scene)

    html = in_korean(reports.complex_report_html, scene.mapo, now=utcnow())

    assert "평가 보고서" in html
    assert _headers(html) == ["지표", "단위", "목표", "실적", "달성률 (%)", "추이"]
    # The frozen figures, with the board's rate and arrow: 2 of 3 is 67%, below target.
    assert _cells(html, "제안된 생활문제") == ["건", "3", "2", "67", "↘"]
    # The snapshot's time in Seoul, in the body and in every page's margin.
    as_of = f"{seoul_label(evaluation.snapshot_at)} 기준 수치"
    assert html.count(as_of) == 2
    assert f'content: "{as_of}  ·  " counter(page)' in html
    # The charts, drawn on the server: achievement per indicator with its 100% line,
    # attendance per programme.
    assert html.count("<svg") == 2
    assert 'aria-label="지표별 달성률 (%)"' in html and ">67%</text>" in html
    assert "아이돌봄" in html
    # The coordinator's text.
    assert "4주 동안 아이돌봄을 운영했다." in html and "토요일에도 열자." in html


def test_before_an_evaluation_the_report_shows_the_figures_as_they_stand(scene):
    assert db.session.query(Evaluation).count() == 0
    now = utcnow()

    html = in_korean(reports.complex_report_html, scene.mapo, now=now)

    assert f"{seoul_label(now)} 기준 수치" in html
    assert "평가가 아직 작성되지 않았습니다." in html
    assert "달성률 (%)" in html and "<svg" in html


def test_the_centers_report_says_when_the_last_refresh_computed_its_figures(scene):
    computed_at = db.session.get(KpiRefresh, scene.cohort.id).computed_at

    html = in_korean(reports.cohort_report_html, scene.cohort, now=utcnow())

    as_of = f"{seoul_label(computed_at)} 기준 수치"
    assert html.count(as_of) == 2  # the heading and the margin of every page
    assert _headers(html) == ["지표", "단위", "목표", "실적", "달성률 (%)", "추이"]
    # Mapo's 2 problems and Eunpyeong's 1 against the cohort's 6: 50%.
    assert _cells(html, "제안된 생활문제") == ["건", "6", "3", "50", "↘"]
    # Achievement, participation per week and turnout per district.
    assert html.count("<svg") == 3
    assert "자치구별 투표율 (%)" in html and "마포구" in html and "은평구" in html


def test_a_centers_report_before_any_refresh_says_so(scene, make):
    cohort = make.cohort(name="2027 사업", year=2027)

    html = in_korean(reports.cohort_report_html, cohort, now=utcnow())

    assert html.count("수치 계산 전") == 2
    assert "<svg" not in html  # nothing to draw yet
    assert "아직 보여 줄 자료가 없습니다." in html


def test_without_pango_the_download_answers_503_in_korean(korean_client, scene, monkeypatch):
    def missing(_html):
        raise pdf.PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "pdf_bytes", missing)
    sign_in(korean_client, scene.staff)

    for path in (
        f"/participations/{scene.mapo.id}/evaluation.pdf",
        f"/staff/cohorts/{scene.cohort.id}/report.pdf",
    ):
        response = korean_client.get(path)
        assert response.status_code == 503
        assert response.mimetype == "text/html"
        assert "지금은 이 서버에서 PDF를 만들 수 없습니다." in response.get_data(as_text=True)
