"""One complex's whole pilot year, played through the pages in a real browser, in Korean.

The database starts nearly empty: a cohort, a member of staff, a coordinator not yet
placed anywhere, and a verified enterprise with its partner account. Everything else
happens on the pages, each person in their own browser: staff add and recruit the
complex, place the coordinator and print the invitation slips; three residents join
with their codes, propose and support problems; the coordinator holds the workshop,
shortlists, opens a ballot, enters the paper tally and confirms the selection; the
partner accepts the offered work; the plan, budget and a weekly programme are written;
residents book, the coordinator takes attendance, a resident rates the session; the
evaluation is signed off and the center's board shows what all this adds up to.

Two things happen in-process, rather than waiting for them: once booked, the first
session (tomorrow afternoon) is moved to earlier today, to have been held; and before
the board is read, its figures are refreshed (the scheduler does so every 30 seconds).

The key pages are saved, 1280 pixels wide, to tests/screenshots/pilot-year/; with
GACHI_README_SCREENSHOTS=1 (`make screenshots`) to docs/screenshots/ instead, the
pictures of the README's "The pilot year in pictures".
"""

import os
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from gachi.complexes.districts import District
from gachi.complexes.models import Participation
from gachi.complexes.stages import Stage
from gachi.core.time import SEOUL, utcnow
from gachi.extensions import db
from gachi.kpi.models import Kpi
from gachi.kpi.refresh import refresh
from gachi.programs import recurrence
from gachi.programs.bookings.models import Attendance, Booking
from gachi.programs.sessions.models import ProgramSession
from tests.browser.conftest import sign_in_in_browser
from tests.factories import PASSWORD
from tests.matching.helpers import serving

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("GACHI_README_SCREENSHOTS")
    else ROOT / "tests" / "screenshots" / "pilot-year"
)
DESKTOP = {"width": 1280, "height": 900}
HOUSEHOLDS = ["101 101", "101 102", "101 103", "102 101", "102 102", "102 103"]
RESIDENTS = [("박서진", "seojin"), ("김민지", "minji"), ("이영수", "youngsoo")]
TARGETS = {
    "residents": "5",
    "problems": "2",
    "turnout": "30",
    "bookings": "4",
    "attendance_rate": "80",
    "satisfaction": "4",
    "execution_rate": "90",
}
CARE, WASTE = "아이 돌봄(육아)", "음식물 쓰레기 냄새"


@pytest.fixture
def start(make):
    """The nearly empty database the year starts from."""
    year = seoul_now().year
    cohort = make.cohort(name=f"{year} 같이살림", year=year)
    staff = make.staff(username="center", display_name="공동체지원센터 김담당")
    coordinator = make.coordinator(username="hongkwon", display_name="정홍권")
    enterprise = serving(
        make,
        make.enterprise(name="YMCA서울아가야", verified=True),
        categories=("care",),
        districts=(District.EUNPYEONG,),
    )
    partner = make.partner(enterprise, username="agaya", display_name="아가야 담당자")
    kpis = {kpi.code: kpi for kpi in db.session.scalars(select(Kpi))}
    names = {
        "kpi_ids": {code: kpi.id for code, kpi in kpis.items()},
        "kpi_names": {code: kpi.name_ko for code, kpi in kpis.items()},
        "cohort": cohort.id,
        "staff": staff.username,
        "coordinator_id": coordinator.id,
        "coordinator": coordinator.username,
        "partner": partner.username,
    }
    db.session.commit()  # end the test's (SQLite write) transaction before the browser comes
    return names


class Person:
    """One person's browser (a context of their own), on a desktop screen, in Korean."""

    def __init__(self, browser, base_url):
        self.context = browser.new_context(viewport=DESKTOP, locale="ko-KR")
        self.page = self.context.new_page()
        self.base_url = base_url

    def sign_in(self, username, password=PASSWORD):
        sign_in_in_browser(self.page, self.base_url, username, password)
        return self

    def go(self, path):
        response = self.page.goto(self.base_url + path)
        assert response.ok, f"{path}: {response.status}\n{self.main_text()}"
        return self

    def send(self, form="main form[method=post]"):
        """Submit a form and wait for the page after it, which must not be an error."""
        with self.page.expect_navigation() as navigation:
            self.page.locator(form).locator("button[type=submit]").first.click()
        response = navigation.value
        assert response.ok and self.page.locator(".flash-error").count() == 0, (
            f"{self.page.url}: {response.status}\n{self.main_text()}"
        )
        return self

    def move_stage(self):
        return self.send("form.move-stage")

    def choose(self, select, text):
        """Pick the option of `select` whose label has `text` in it."""
        option = self.page.locator(f"{select} option", has_text=text).first
        self.page.select_option(select, option.get_attribute("value"))
        return self

    def fill(self, selector, value):
        self.page.fill(selector, value)
        return self

    def main_text(self):
        return self.page.locator("main").inner_text()

    def number_in_url(self, pattern):
        return int(re.search(pattern, self.page.url).group(1))

    def numbers_in_links(self, pattern):
        """The ids in the page's links that match `pattern`, in the page's order."""
        links = self.page.locator("main a[href]").evaluate_all("links => links.map(a => a.href)")
        return [int(match.group(1)) for match in map(re.compile(pattern).search, links) if match]

    def screenshot(self, name, down_to=None):
        """The whole page, or when it is long, the top of it down to the `down_to` element."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        clip = None
        if down_to:
            box = self.page.locator(down_to).first.bounding_box()
            clip = {
                "x": 0,
                "y": 0,
                "width": DESKTOP["width"],
                "height": box["y"] + box["height"] + 24,
            }
        self.page.screenshot(path=str(SCREENSHOTS / name), full_page=True, clip=clip)


def seoul_now():
    return utcnow().astimezone(SEOUL)


def minute(moment: datetime):
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_a_complex_plays_its_whole_pilot_year_in_the_browser(browser, live_server, start):
    people = []

    def person():
        people.append(Person(browser, live_server))
        return people[-1]

    try:
        play_the_year(person, start)
    finally:
        for each in people:
            each.context.close()


def play_the_year(person, start):
    # Staff add the complex and recruit it into the cohort, and set the year's targets.
    staff = person().sign_in(start["staff"])
    staff.go("/staff/complexes/new")
    staff.fill("input[name=name]", "응암동 H아파트").fill(
        "input[name=address]", "서울 은평구 응암로 1"
    )
    staff.page.select_option("select[name=district]", "eunpyeong")
    staff.fill("input[name=household_count]", str(len(HOUSEHOLDS))).fill(
        "input[name=resident_count]", "20"
    )
    staff.page.select_option("select[name=tenure]", "rental")
    staff.send()
    complex_id = staff.number_in_url(r"/complexes/(\d+)")
    staff.go(f"/staff/cohorts/{start['cohort']}")
    staff.page.select_option("select[name=complex_id]", str(complex_id))
    staff.send("form[action$='/participations']")
    assert "응암동 H아파트" in staff.page.locator("table").inner_text()
    staff.screenshot("01-staff-recruit.png")
    [participation_id] = staff.numbers_in_links(r"/participations/(\d+)$")
    staff.go(f"/staff/cohorts/{start['cohort']}/targets")
    for code, target in TARGETS.items():
        staff.fill(f"input[name=kpi_{start['kpi_ids'][code]}]", target)
    staff.send()

    # The workshops cannot begin before a coordinator is placed at the complex: the page
    # says what is missing instead of offering the move.
    staff.go(f"/participations/{participation_id}")
    assert staff.page.locator("ul.stage-gates li.missing").count() == 1
    assert staff.page.locator("form.move-stage").count() == 0
    staff.go(f"/staff/coordinators/{start['coordinator_id']}")
    staff.page.select_option("select[name=complex_id]", str(complex_id))
    staff.fill("input[name=starts_on]", seoul_now().date().isoformat())
    staff.send("form[action$='/placements']")

    # Households and their invitation codes, printed on slips; then the first workshop stage.
    staff.go(f"/complexes/{complex_id}/households")
    staff.fill("textarea[name=lines]", "\n".join(HOUSEHOLDS))
    staff.send("form[action$='/households']")
    staff.send("form[action$='/codes/generate']")
    staff.go(f"/complexes/{complex_id}/codes/print")
    codes = staff.page.locator(".slip .code").all_inner_texts()
    assert len(codes) == len(HOUSEHOLDS)
    staff.screenshot("02-codes.png", down_to=".slip:nth-child(4)")
    staff.go(f"/participations/{participation_id}").move_stage()

    # Residents join with the codes on their slips.
    residents = []
    for (name, username), code in zip(RESIDENTS, codes, strict=False):
        resident = person()
        resident.go("/join")
        resident.fill("input[name=code]", code).fill("input[name=display_name]", name)
        resident.fill("input[name=username]", username).fill("input[name=password]", PASSWORD)
        resident.fill("input[name=confirm]", PASSWORD)
        resident.page.check("input[name=consent]")
        if not residents:
            resident.screenshot("03-join.png")
        resident.send()
        residents.append(resident)
    seojin, minji, youngsoo = residents

    # They propose problems and support each other's.
    for resident, title, category, description in (
        (seojin, CARE, "돌봄", "맞벌이라 오후에 아이를 맡길 곳이 없어요."),
        (youngsoo, WASTE, "쓰레기·자원순환", "여름마다 음식물 쓰레기통 냄새가 심해요."),
    ):
        resident.go(f"/participations/{participation_id}/problems")
        resident.fill("input[name=title]", title).fill("textarea[name=description]", description)
        resident.page.select_option("select[name=category]", label=category)
        resident.send(f"form[action$='/participations/{participation_id}/problems']")
    care_id = seojin.number_in_url(r"/problems/(\d+)")
    for resident in (minji, youngsoo):
        resident.go(f"/problems/{care_id}").send("form[action$='/support']")
    minji.go(f"/participations/{participation_id}/problems")
    minji.screenshot("04-problems.png")

    # The coordinator holds the first workshop, checks people in, shortlists both problems.
    coordinator = person().sign_in(start["coordinator"])
    coordinator.go(f"/participations/{participation_id}/workshops/new")
    coordinator.page.select_option("select[name=round]", "problems")
    coordinator.fill("input[name=held_at]", minute(seoul_now() - timedelta(hours=2)))
    coordinator.fill("input[name=place]", "관리동 세미나실").fill(
        "input[name=facilitator]", "정홍권"
    )
    coordinator.fill("textarea[name=agenda]", "우리 단지의 생활문제 찾기")
    coordinator.send()
    for name, _username in RESIDENTS:
        coordinator.choose("select[name=resident_id]", name)
        coordinator.send("form[action$='/attendances']")
    coordinator.fill("input[name=count]", "5").send("form[action$='/walk-ins']")
    coordinator.screenshot("05-workshop.png")
    coordinator.go(f"/participations/{participation_id}/problems")
    for _ in range(2):
        coordinator.send("form[action$='/state']")

    # A ballot open from now for three days; the residents vote online.
    coordinator.go(f"/participations/{participation_id}/ballots/new")
    opens = seoul_now() - timedelta(minutes=5)
    coordinator.fill("input[name=title]", "1차 워크숍 투표")
    coordinator.fill("input[name=opens_at]", minute(opens))
    coordinator.fill("input[name=closes_at]", minute(opens + timedelta(days=3)))
    coordinator.send()
    ballot_id = coordinator.number_in_url(r"/ballots/(\d+)")
    for resident, choice in ((seojin, CARE), (minji, CARE), (youngsoo, WASTE)):
        resident.go(f"/ballots/{ballot_id}")
        resident.page.get_by_label(choice).check()
        if resident is minji:
            minji.screenshot("06-ballot.png")
        resident.send("form.ballot-paper")

    # The paper ballots from the room, then close and confirm.
    coordinator.go(f"/ballots/{ballot_id}/paper")
    coordinator.fill("input[name=ballot_count]", "4")
    coordinator.page.get_by_label(CARE).fill("3")
    coordinator.page.get_by_label(WASTE).fill("1")
    coordinator.fill("textarea[name=note]", "세미나실 현장 투표, 정홍권 집계")
    coordinator.send()
    coordinator.go(f"/ballots/{ballot_id}")
    with coordinator.page.expect_navigation():
        coordinator.page.click(f"a[href$='/ballots/{ballot_id}/close']")
    coordinator.send("form[action$='/close']")  # on the page that asks to confirm
    coordinator.send("form[action$='/confirm']")
    rows = coordinator.page.locator("table.results tbody tr").all_inner_texts()
    assert re.search(rf"1\s+{re.escape(CARE)}\s+2\s+3\s+5", rows[0]), rows
    assert re.search(rf"2\s+{re.escape(WASTE)}\s+1\s+1\s+2", rows[1]), rows
    coordinator.screenshot("07-ballot-results.png")

    # Solution workshop: the work is offered to the enterprise, whose partner accepts it.
    coordinator.go(f"/participations/{participation_id}").move_stage()
    coordinator.go(f"/problems/{care_id}/suggestions")
    card = coordinator.page.locator("li.card", has_text="YMCA서울아가야")
    card.locator("textarea[name=message]").fill("평일 오후 공동 아이돌봄 공간을 함께 꾸며 주세요.")
    coordinator.send("li.card:has-text('YMCA서울아가야') form")
    partner = person().sign_in(start["partner"])
    partner.go("/partner/offers")
    with partner.page.expect_navigation():
        partner.page.get_by_role("link", name=CARE).first.click()
    partner.page.check("input[name=decision][value=accept]")
    partner.fill("textarea[name=note]", "11월부터 주 1회 돌봄 교사를 보내겠습니다.")
    partner.send("form[action$='/answer']")
    partner.screenshot("08-partner-accepts.png")

    # The second workshop, with the enterprise: planning cannot begin before it is held.
    coordinator.go(f"/participations/{participation_id}/workshops/new")
    coordinator.page.select_option("select[name=round]", "solutions")
    coordinator.fill("input[name=held_at]", minute(seoul_now() - timedelta(hours=1)))
    coordinator.fill("input[name=place]", "관리동 세미나실").fill(
        "input[name=facilitator]", "정홍권"
    )
    coordinator.fill("textarea[name=agenda]", "공동 아이돌봄 방안 설계")
    coordinator.send()
    coordinator.fill("input[name=count]", "6").send("form[action$='/walk-ins']")

    # Planning: goals, a budget line and what was spent.
    coordinator.go(f"/participations/{participation_id}").move_stage()
    coordinator.go(f"/participations/{participation_id}/plan")
    coordinator.fill("textarea[name=goals]", "맞벌이 가정의 미취학 아동을 평일 오후에 함께 돌본다.")
    coordinator.send("form[action$='/plan/goals']")
    coordinator.page.select_option("select[name=category]", "equipment")
    coordinator.fill("input[name=description]", "매트와 놀이도구")
    coordinator.fill("form[action$='/plan/lines'] input[name=amount]", "1,800,000")
    coordinator.send("form[action$='/plan/lines']")
    coordinator.fill("input[name=spent_on]", seoul_now().date().isoformat())
    coordinator.fill("form[action$='/plan/spending'] input[name=amount]", "1,720,000")
    coordinator.fill("input[name=payee]", "YMCA서울아가야")
    coordinator.send("form[action$='/plan/spending']")
    assert "95.6%" in coordinator.page.locator("table.budget").inner_text()
    coordinator.screenshot("09-plan.png", down_to="main table >> nth=1")

    # A weekly programme from tomorrow (or the first day after it that is, like the same
    # day a week later, no public holiday), for two weeks; then the complex is running.
    coordinator.go(f"/participations/{participation_id}/programs/new")
    coordinator.fill("input[name=title]", "공동 아이돌봄")
    coordinator.page.select_option("select[name=problem_id]", label=CARE)
    coordinator.page.get_by_label("YMCA서울아가야").check()
    coordinator.fill("input[name=venue]", "관리동 세미나실").fill(
        "input[name=audience]", "미취학 아동"
    )
    coordinator.fill("input[name=default_capacity]", "8")
    coordinator.send()
    program_id = coordinator.number_in_url(r"/programs/(\d+)")
    first_day = seoul_now().date() + timedelta(days=1)
    while recurrence.public_holidays(first_day, first_day + timedelta(days=7)).keys() & {
        first_day,
        first_day + timedelta(days=7),
    }:
        first_day += timedelta(days=1)
    coordinator.fill("input[name=starts_on]", first_day.isoformat())
    coordinator.fill("input[name=ends_on]", (first_day + timedelta(days=13)).isoformat())
    coordinator.page.check(f"input[name=weekdays][value='{first_day.weekday()}']")
    coordinator.fill("input[name=start_time]", "15:00").fill("input[name=end_time]", "18:00")
    coordinator.send("form[action$='/schedule']")
    sessions = coordinator.numbers_in_links(r"/sessions/(\d+)$")
    assert len(sessions) == 2
    coordinator.screenshot("10-programme.png", down_to="main table")
    coordinator.go(f"/participations/{participation_id}").move_stage()

    # Two residents book the first session.
    seojin.go(f"/sessions/{sessions[0]}")
    seojin.fill("input[name=party_size]", "2").fill("input[name=dependants]", "민준, 4세")
    seojin.send(f"form[action$='/sessions/{sessions[0]}/book']")
    seojin.screenshot("11-booking.png")
    minji.go(f"/sessions/{sessions[0]}")
    minji.fill("input[name=dependants]", "서연, 5세")
    minji.send(f"form[action$='/sessions/{sessions[0]}/book']")

    # The day comes (the session is moved to earlier today rather than waited for): the
    # coordinator checks one in; the other did not come.
    now = utcnow()
    db.session.execute(
        update(ProgramSession)
        .where(ProgramSession.id == sessions[0])
        .values(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(minutes=5))
    )
    db.session.commit()
    coordinator.go(f"/sessions/{sessions[0]}")
    for name, action in (("박서진", "/check-in"), ("김민지", "/no-show")):
        row = f"table.bookings tr:has-text('{name}') form[action$='{action}']"
        coordinator.send(row)
    coordinator.screenshot("12-attendance.png", down_to="table.bookings")

    # The resident who came rates the session.
    seojin.go(f"/sessions/{sessions[0]}")
    seojin.page.check("input[name=rating][value='5']")
    seojin.page.select_option("select[name=change_topic]", "longer_hours")
    seojin.fill("textarea[name=change_note]", "저녁 7시까지 열어 주세요")
    seojin.send(f"form[action$='/sessions/{sessions[0]}/feedback']")
    coordinator.go(f"/programs/{program_id}/feedback")
    coordinator.screenshot("13-feedback.png")

    # Evaluation: the coordinator's draft, the center's sign-off.
    coordinator.go(f"/participations/{participation_id}").move_stage()
    coordinator.go(f"/participations/{participation_id}/evaluation")
    coordinator.fill(
        "textarea[name=what_happened]",
        "주민 3명이 문제를 찾고 투표해 공동 아이돌봄을 시작했다. 첫 회기에 아이 2명이 왔다.",
    )
    coordinator.fill("textarea[name=residents_said]", "저녁까지 열어 달라는 의견")
    coordinator.fill("textarea[name=what_to_change]", "운영 시간을 19시까지 늘린다.")
    coordinator.send(f"form[action$='/participations/{participation_id}/evaluation']")
    staff.go(f"/participations/{participation_id}/evaluation")
    staff.page.select_option("select[name=decision]", "continue")
    staff.fill("textarea[name=note]", "내년에도 이어 간다.")
    staff.send("form[action$='/evaluation/sign']")
    staff.screenshot("14-evaluation.png")

    # The center's board shows what the year added up to.
    refresh(start["cohort"])
    staff.go(f"/staff/cohorts/{start['cohort']}/board")
    staff.screenshot("15-board.png", down_to="#table-kpis")
    names = start["kpi_names"]
    actuals, achieved = {}, {}
    for row in staff.page.locator("#table-kpis tbody tr").all():
        name, _unit, _target, actual, rate, _trend = row.locator("th, td").all_inner_texts()
        actuals[name], achieved[name] = actual, rate
    expected = {
        "complexes": "1",
        "residents": "3",
        "households": "3",
        "household_share": "50",
        "problems": "2",
        "ballots_cast": "7",
        "turnout": "35",
        "enterprises": "1",
        "matches": "1",
        "sessions_planned": "2",
        "sessions_held": "1",
        "bookings": "2",
        "attendance_rate": "50",
        "no_show_rate": "50",
        "participants": "1",
        "satisfaction": "5",
        "execution_rate": "95.6",
    }
    assert {code: actuals[names[code]] for code in expected} == expected, actuals
    # Against the targets set at the start: 3 of 5 residents, 35% turnout of 30%, …
    assert {code: achieved[names[code]] for code in TARGETS} == {
        "residents": "60",
        "problems": "100",
        "turnout": "117",
        "bookings": "50",
        "attendance_rate": "63",
        "satisfaction": "125",
        "execution_rate": "106",
    }, achieved

    db.session.expire_all()
    attendance = {
        booking.who: booking.attendance for booking in db.session.scalars(select(Booking))
    }
    assert attendance == {"박서진": Attendance.ATTENDED, "김민지": Attendance.NO_SHOW}
    assert db.session.get(Participation, participation_id).stage is Stage.EVALUATION
