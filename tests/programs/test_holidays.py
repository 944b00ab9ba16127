"""Public holidays in a generated schedule: skipped by default (lunar and substitute
holidays too), listed before saving and after, and a day the coordinator keeps is held."""

import re
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from gachi.core.time import SEOUL
from gachi.extensions import db
from gachi.programs import operations, recurrence
from gachi.programs.models import Program, ScheduleException
from gachi.programs.operations import add_exception, preview_schedule, set_schedule
from gachi.programs.sessions.models import ProgramSession
from tests.conftest import post_form, sign_in
from tests.programs.helpers import program_scene

WEEKDAYS = range(5)
BEFORE_CHRISTMAS = datetime(2026, 12, 1, tzinfo=SEOUL)
# A 4-week Monday-to-Friday programme over Christmas and New Year.
FOUR_WEEKS = {
    "starts_on": date(2026, 12, 21),
    "ends_on": date(2027, 1, 15),
    "weekdays": WEEKDAYS,
    "start_time": time(10),
    "end_time": time(12),
}
CHRISTMAS, NEW_YEAR = date(2026, 12, 25), date(2027, 1, 1)


def session_days(program):
    return [
        s.starts_at.astimezone(SEOUL).date()
        for s in db.session.scalars(
            select(ProgramSession)
            .where(ProgramSession.program_id == program.id)
            .order_by(ProgramSession.starts_at)
        )
        if s.schedule_day
    ]


def holiday_days(holidays):
    return [(holiday.day, holiday.name) for holiday in holidays]


def test_lunar_and_substitute_holidays_are_known():
    # 추석 2026 falls on Thursday and Friday; 개천절 (Saturday 3 October) is made up on Monday.
    autumn = recurrence.holidays_on_schedule(date(2026, 9, 21), date(2026, 10, 9), WEEKDAYS)
    assert holiday_days(autumn) == [
        (date(2026, 9, 24), "추석 전날"),
        (date(2026, 9, 25), "추석"),
        (date(2026, 10, 5), "개천절 대체 휴일"),
        (date(2026, 10, 9), "한글날"),
    ]
    # 설날 2027 begins on a Saturday and its Sunday is made up on Tuesday.
    seollal = recurrence.holidays_on_schedule(date(2027, 2, 1), date(2027, 2, 12), WEEKDAYS)
    assert holiday_days(seollal) == [
        (date(2027, 2, 8), "설날 다음날"),
        (date(2027, 2, 9), "설날 대체 휴일"),
    ]
    # A weekend programme meets the Saturday and Sunday of 설날 instead.
    weekend = recurrence.holidays_on_schedule(date(2027, 2, 1), date(2027, 2, 12), (5, 6))
    assert holiday_days(weekend) == [(date(2027, 2, 6), "설날 전날"), (date(2027, 2, 7), "설날")]
    english = recurrence.public_holidays(date(2026, 9, 25), date(2026, 9, 25), "en_US")
    assert english == {date(2026, 9, 25): "Chuseok"}


def test_a_chuseok_and_a_substitute_holiday_get_no_session(make):
    scene = program_scene(make)
    change = set_schedule(
        scene.program,
        **{**FOUR_WEEKS, "starts_on": date(2026, 9, 21), "ends_on": date(2026, 10, 9)},
        actor=scene.coordinator,
        now=datetime(2026, 9, 1, tzinfo=SEOUL),
    )
    db.session.commit()
    days = session_days(scene.program)
    assert change.created == len(days) == 15 - 4
    assert not {date(2026, 9, 24), date(2026, 9, 25), date(2026, 10, 5)} & set(days)


def test_a_four_week_weekday_programme_skips_christmas_and_new_year(make):
    scene = program_scene(make)
    change = set_schedule(
        scene.program, **FOUR_WEEKS, actor=scene.coordinator, now=BEFORE_CHRISTMAS
    )
    db.session.commit()
    assert change.created == 20 - 2
    assert holiday_days(change.skipped_holidays) == [
        (CHRISTMAS, "기독탄신일"),
        (NEW_YEAR, "신정연휴"),
    ]
    days = session_days(scene.program)
    assert CHRISTMAS not in days and NEW_YEAR not in days and len(days) == 18
    notes = {e.day: (e.moved_to, e.note) for e in scene.program.exceptions}
    assert notes == {CHRISTMAS: (None, "기독탄신일"), NEW_YEAR: (None, "신정연휴")}


def test_the_preview_lists_the_skipped_holidays_and_writes_nothing(make):
    scene = program_scene(make)
    before = session_days(scene.program)
    preview = preview_schedule(scene.program, **FOUR_WEEKS, now=BEFORE_CHRISTMAS)
    db.session.commit()
    assert holiday_days(preview.skipped_holidays) == [
        (CHRISTMAS, "기독탄신일"),
        (NEW_YEAR, "신정연휴"),
    ]
    assert len(preview.sessions) == len(preview.plan.to_create) == 18
    db.session.expire_all()
    program = db.session.get(Program, scene.program.id)
    assert program.starts_on is None and session_days(program) == before
    assert db.session.scalar(select(func.count(ScheduleException.id))) == 0


def test_a_kept_holiday_is_held_and_can_be_skipped_again(make):
    scene = program_scene(make)
    set_schedule(scene.program, **FOUR_WEEKS, actor=scene.coordinator, now=BEFORE_CHRISTMAS)
    change = set_schedule(
        scene.program,
        **FOUR_WEEKS,
        held_holidays=[CHRISTMAS],
        actor=scene.coordinator,
        now=BEFORE_CHRISTMAS,
    )
    db.session.commit()
    assert change.created == 1
    assert holiday_days(change.skipped_holidays) == [(NEW_YEAR, "신정연휴")]
    assert CHRISTMAS in session_days(scene.program)

    # Saving the schedule again without saying otherwise keeps it held.
    again = set_schedule(scene.program, **FOUR_WEEKS, actor=scene.coordinator, now=BEFORE_CHRISTMAS)
    assert again.created == again.removed == 0
    # The usual way to skip a day still works on it.
    skipped = add_exception(
        scene.program,
        day=CHRISTMAS,
        note="센터 휴관",
        actor=scene.coordinator,
        now=BEFORE_CHRISTMAS,
    )
    db.session.commit()
    assert skipped.removed == 1 and CHRISTMAS not in session_days(scene.program)


def test_the_skip_days_input_still_skips_and_moves_other_days(make):
    scene = program_scene(make)
    set_schedule(scene.program, **FOUR_WEEKS, actor=scene.coordinator, now=BEFORE_CHRISTMAS)
    skipped = add_exception(
        scene.program, day=date(2026, 12, 24), actor=scene.coordinator, now=BEFORE_CHRISTMAS
    )
    moved = add_exception(
        scene.program,
        day=date(2026, 12, 31),
        moved_to=date(2026, 12, 26),
        actor=scene.coordinator,
        now=BEFORE_CHRISTMAS,
    )
    db.session.commit()
    assert (skipped.removed, moved.moved) == (1, 1)
    days = session_days(scene.program)
    assert date(2026, 12, 24) not in days and date(2026, 12, 26) in days and len(days) == 17


SCHEDULE_FORM = {
    "starts_on": "2026-12-21",
    "ends_on": "2027-01-15",
    "weekdays": ["0", "1", "2", "3", "4"],
    "start_time": "10:00",
    "end_time": "12:00",
}


HOLIDAY_BOX = re.compile(
    r'<input (checked )?id="[^"]+" name="held_holidays" type="checkbox" value="([^"]+)"'
)


def holidays_offered(page):
    """The public holidays the schedule form offers: {day: ticked (held)}."""
    return {day: bool(checked) for checked, day in HOLIDAY_BOX.findall(page)}


@pytest.fixture
def before_christmas(monkeypatch):
    """The coordinator plans on 1 December 2026, whatever the machine's clock says."""
    monkeypatch.setattr(operations, "utcnow", lambda: BEFORE_CHRISTMAS.astimezone(UTC))


def test_a_coordinator_previews_ticks_christmas_back_in_and_saves(
    korean_client, make, before_christmas
):
    scene = program_scene(make)
    sign_in(korean_client, scene.coordinator)
    schedule = f"/programs/{scene.program.id}/schedule"
    before = session_days(scene.program)

    shown = post_form(korean_client, schedule, {**SCHEDULE_FORM, "preview": "미리 보기"})
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "2026. 12. 25. (금) 기독탄신일" in page and "2027. 1. 1. (금) 신정연휴" in page
    assert holidays_offered(page) == {"2026-12-25": False, "2027-01-01": False}
    db.session.expire_all()
    assert session_days(scene.program) == before

    saved = post_form(korean_client, schedule, {**SCHEDULE_FORM, "held_holidays": ["2026-12-25"]})
    assert saved.status_code == 302
    days = session_days(db.session.get(Program, scene.program.id))
    assert CHRISTMAS in days and NEW_YEAR not in days and len(days) == len(before) + 19
    page = korean_client.get(saved.location).get_data(as_text=True)
    assert "신정연휴" in page  # the flash says it had no session
    assert holidays_offered(page) == {"2026-12-25": True, "2027-01-01": False}


def test_saving_straight_away_skips_the_holidays_and_says_which(client, make, before_christmas):
    scene = program_scene(make)
    sign_in(client, scene.coordinator)
    saved = post_form(client, f"/programs/{scene.program.id}/schedule", SCHEDULE_FORM)
    assert saved.status_code == 302
    page = client.get(saved.location).get_data(as_text=True)
    assert "No sessions on these public holidays" in page
    assert "Christmas Day" in page and "New Year&#39;s Day" in page
    assert CHRISTMAS not in session_days(db.session.get(Program, scene.program.id))


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"held_holidays": ["크리스마스"]}, "목록에 있는 날짜만 고를 수 있습니다."),
        ({"end_time": "09:00"}, "끝나는 시간은 시작 시간보다 뒤여야 합니다."),
    ],
)
def test_a_bad_schedule_is_refused_in_korean_and_writes_nothing(
    korean_client, make, before_christmas, bad, message
):
    scene = program_scene(make)
    sign_in(korean_client, scene.coordinator)
    before = session_days(scene.program)
    for preview in ({}, {"preview": "미리 보기"}):
        response = post_form(
            korean_client,
            f"/programs/{scene.program.id}/schedule",
            {**SCHEDULE_FORM, **bad, **preview},
        )
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Program, scene.program.id).starts_on is None
    assert session_days(scene.program) == before
    assert db.session.scalar(select(func.count(ScheduleException.id))) == 0
