"""Issue 15's acceptance: people without accounts are reached too. A phone booking with a
number is reminded by text the day before; a session the coordinator cancels tells
everyone booked, account or not, once, even with two schedulers sending at once."""

import threading
from datetime import datetime, time, timedelta

from sqlalchemy import select

from gachi.core.time import SEOUL
from gachi.extensions import db
from gachi.notifications.models import NotificationKind, OutboxMessage, OutboxStatus
from gachi.notifications.operations import save_preferences, set_consent
from gachi.programs.bookings.jobs import send_reminders
from gachi.programs.bookings.models import BookingChannel
from gachi.programs.bookings.operations import book_seat
from gachi.programs.sessions.operations import cancel_session
from gachi.scheduler import run_job
from tests.programs.helpers import program_scene


def at_ten_in_seoul(moment):
    """10:00 in Seoul on `moment`'s Seoul day: outside the texts' quiet hours."""
    day = moment.astimezone(SEOUL).date()
    return datetime.combine(day, time(10), tzinfo=SEOUL)


def numbers_sent(standin):
    return [message["to"] for body in standin.received for message in body["messages"]]


def a_grandmother_booked_by_phone(scene, make, *, consent=True):
    household = make.household(scene.participation.complex, building="103", unit="502")
    return book_seat(
        scene.program_session,
        actor=scene.coordinator,
        name="김순자",
        household=household,
        phone="010-4321-8765",
        consent=consent,
        channel=BookingChannel.PHONE,
    )


def test_a_phone_booking_is_reminded_by_text_the_day_before(app, make, solapi):
    scene = program_scene(make)
    a_grandmother_booked_by_phone(scene, make)
    db.session.commit()
    the_day_before = scene.program_session.starts_at - timedelta(hours=20)

    assert send_reminders(the_day_before) == 1
    db.session.commit()
    assert run_job("outbox.send", at_ten_in_seoul(the_day_before)) == "done"

    assert numbers_sent(solapi) == ["01043218765"]
    [text] = solapi.received[0]["messages"]
    assert text["text"].startswith("미리 알림: 공동 아이돌봄")
    # Run again the same day: the booking was reminded once, and the text sent once.
    assert send_reminders(the_day_before + timedelta(minutes=15)) == 0
    db.session.commit()
    run_job("outbox.send", at_ten_in_seoul(the_day_before) + timedelta(minutes=1))
    assert numbers_sent(solapi) == ["01043218765"]


def test_a_phone_booking_without_consent_gets_no_text(app, make, solapi):
    scene = program_scene(make)
    a_grandmother_booked_by_phone(scene, make, consent=False)
    db.session.commit()
    send_reminders(scene.program_session.starts_at - timedelta(hours=20))
    db.session.commit()
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_a_cancelled_session_tells_everyone_booked_once_with_two_schedulers(app, make, solapi):
    scene = program_scene(make)
    scene.resident.phone = "010-2222-3333"
    save_preferences(
        scene.resident, {NotificationKind.BOOKINGS: (True, False, True, False)}, actor=None
    )
    set_consent(scene.resident, True)
    book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    a_grandmother_booked_by_phone(scene, make)
    db.session.commit()

    cancel_session(scene.program_session, reason="강사 사정", actor=scene.coordinator)
    db.session.commit()
    queued = db.session.scalars(select(OutboxMessage)).all()
    assert sorted(message.address for message in queued) == ["01022223333", "01043218765"]
    moment = at_ten_in_seoul(scene.program_session.starts_at - timedelta(days=1))
    # Nothing left open here: outside a request SQLite's every transaction takes the
    # write lock, and would hold it against the two senders.
    db.session.commit()
    start = threading.Barrier(2, timeout=30)
    errors = []

    def scheduler():
        with app.app_context():
            try:
                start.wait()
                run_job("outbox.send", moment)
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(numbers_sent(solapi)) == ["01022223333", "01043218765"]
    db.session.expire_all()
    assert {message.status for message in db.session.scalars(select(OutboxMessage))} == {
        OutboxStatus.SENT
    }
    texts = [message["text"] for body in solapi.received for message in body["messages"]]
    assert all("취소" in text for text in texts)
