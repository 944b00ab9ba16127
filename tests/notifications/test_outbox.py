"""The outbox: every message to an address is written in the transaction that causes it and
sent by the scheduler, at most once, through a real SMTP server and a stand-in for SOLAPI
running on 127.0.0.1 in this process."""

import logging
import threading
from datetime import datetime, time, timedelta

from sqlalchemy import select

from gachi.core.time import SEOUL, seoul_today
from gachi.extensions import db
from gachi.notifications.channels import OUTBOX_ID_FIELD, send
from gachi.notifications.jobs import claim, send_outbox
from gachi.notifications.models import (
    N_,
    Channel,
    NotificationKind,
    OutboxMessage,
    OutboxStatus,
)
from gachi.notifications.operations import save_preferences, set_consent
from gachi.notifications.outbox import opt_out_link, queue_message, rendered
from gachi.programs.bookings.jobs import send_reminders
from gachi.programs.bookings.operations import book_seat
from gachi.scheduler import run_job
from tests.conftest import post_form
from tests.programs.helpers import program_scene

PLACE = N_("A place came free: your booking for %(program)s on %(when)s is confirmed.")
PLACE_PARAMS = {"program": "공동 아이돌봄", "when": "12월 12일 14:00"}


def seoul(day_offset, hour, minute=0):
    """A fixed Seoul moment `day_offset` days after today, as UTC: after every message's
    queueing time, and never near the quiet hours' edges unless the test says so."""
    day = seoul_today() + timedelta(days=day_offset)
    return datetime.combine(day, time(hour, minute), tzinfo=SEOUL)


def queue(channel, address, *, urgent=False, **fields):
    fields.setdefault("language", "ko")
    message = queue_message(
        channel=channel,
        address=address,
        message=PLACE,
        params=PLACE_PARAMS,
        link="/sessions/9",
        kind=NotificationKind.BOOKINGS,
        urgent=urgent,
        **fields,
    ).id
    db.session.commit()  # and no transaction left open, holding SQLite's write lock
    return message


def status_of(message_id):
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def numbers_sent(standin):
    return [message["to"] for body in standin.received for message in body["messages"]]


def test_a_phone_booking_reminder_goes_by_text_through_the_job_the_day_before(app, make, solapi):
    scene = program_scene(make)
    scene.resident.phone = "010-2222-3333"
    save_preferences(
        scene.resident, {NotificationKind.REMINDERS: (True, False, True, False)}, actor=None
    )
    set_consent(scene.resident, True)
    book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    db.session.commit()
    send_reminders(scene.program_session.starts_at - timedelta(hours=20))
    db.session.commit()
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.status is OutboxStatus.QUEUED and solapi.received == []  # nothing yet

    assert run_job("outbox.send", seoul(1, 10)) == "done"

    assert numbers_sent(solapi) == ["01022223333"]
    [sent] = solapi.received[0]["messages"]
    assert sent["from"] == "021234567" and sent["text"].startswith("미리 알림: 공동 아이돌봄")
    assert f"http://localhost:5000/sessions/{scene.program_session.id}" in sent["text"]
    message = status_of(message.id)
    assert message.status is OutboxStatus.SENT and message.provider_message_id.startswith("M4V")


def test_an_email_is_in_the_recipients_language_with_absolute_links(app, make, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://gachi.seoul.example/")
    korean = queue(Channel.EMAIL, "seojin@example.org")
    english = queue(Channel.EMAIL, "minho@example.org", language="en")

    assert send_outbox(seoul(1, 10)) == "sent 2"

    by_address = {message["To"]: message for message in smtp.messages}
    korean_body = by_address["seojin@example.org"].get_content()
    english_body = by_address["minho@example.org"].get_content()
    assert by_address["seojin@example.org"]["Subject"] == "같이살림: 새 알림이 있습니다"
    assert "자리가 났습니다. 12월 12일 14:00 공동 아이돌봄 예약이 확정되었습니다." in korean_body
    assert "A place came free: your booking for 공동 아이돌봄" in english_body
    for body in (korean_body, english_body):
        assert "https://gachi.seoul.example/sessions/9" in body
        assert "https://gachi.seoul.example/notices/stop?t=" in body
    assert {status_of(korean).status, status_of(english).status} == {OutboxStatus.SENT}


def test_two_schedulers_at_once_send_each_message_once(app, make, smtp, solapi):
    ids = [queue(Channel.EMAIL, f"person{n}@example.org") for n in range(8)]
    ids += [queue(Channel.SMS, f"010-5555-00{n:02d}") for n in range(8)]
    moment = seoul(1, 10)
    start = threading.Barrier(2, timeout=30)
    errors = []

    def scheduler():
        with app.app_context():
            try:
                start.wait()
                send_outbox(moment)
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    db.session.commit()
    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(message["To"] for message in smtp.messages) == sorted(
        f"person{n}@example.org" for n in range(8)
    )
    assert sorted(numbers_sent(solapi)) == [f"0105555{n:04d}" for n in range(8)]
    assert {status_of(message_id).status for message_id in ids} == {OutboxStatus.SENT}


def die_while_sending(message_id, moment, *, handed_over):
    """What a sender killed mid-send leaves: `send_started_at` committed and, if
    `handed_over`, the message at the provider, but no outcome recorded."""
    db.session.execute(
        OutboxMessage.__table__.update()
        .where(OutboxMessage.id == message_id)
        .values(send_started_at=moment)
    )
    db.session.commit()
    if handed_over:
        row = db.session.get(OutboxMessage, message_id)
        send(row, *rendered(row))
    db.session.expire_all()


def test_a_sender_killed_mid_send_sends_every_text_exactly_once(app, make, solapi):
    ids = [queue(Channel.SMS, f"010-7777-00{n:02d}") for n in range(4)]
    moment = seoul(1, 10)
    # The first scheduler claims all four. It hands the first over and dies before
    # recording it, or it dies just before handing the second over (the send had
    # started as far as the outbox knows); the other two were never tried.
    assert claim(Channel.SMS, moment) == ids
    die_while_sending(ids[0], moment, handed_over=True)
    die_while_sending(ids[1], moment, handed_over=False)
    assert numbers_sent(solapi) == ["01077770000"]
    carried = solapi.received[0]["messages"][0]["customFields"]
    assert carried == {OUTBOX_ID_FIELD: str(ids[0])}

    # Restarted before the claims lapse: nothing is taken from the dead sender yet.
    assert send_outbox(moment + timedelta(minutes=5)) == "nothing due"
    assert solapi.lookups == []
    # Past the timeout: the provider is asked about the two in doubt. It has the first,
    # which is marked sent with its id and not sent again; the second it never got, so
    # it is sent now, with the two never tried.
    later = moment + timedelta(minutes=11)
    summary = send_outbox(later)
    assert summary == "sent 3; stalled: 1 found sent, 3 queued again"
    assert [lookup["to"] for lookup in solapi.lookups] == ["01077770000", "01077770001"]
    assert sorted(numbers_sent(solapi)) == [f"0107777000{n}" for n in range(4)]
    found = status_of(ids[0])
    assert found.status is OutboxStatus.SENT
    assert found.provider_message_id == next(iter(solapi.stored))
    assert all(status_of(i).status is OutboxStatus.SENT for i in ids)
    assert status_of(ids[1]).attempts == 1  # the send that never happened is not counted
    assert send_outbox(later + timedelta(minutes=30)) == "nothing due"
    assert len(numbers_sent(solapi)) == 4


def test_a_text_in_doubt_waits_for_its_provider_then_fails_as_unknown(app, make, solapi):
    first, second = queue(Channel.KAKAO, "010-7777-0100"), queue(Channel.SMS, "010-7777-0101")
    moment = seoul(1, 10)
    assert claim(Channel.KAKAO, moment) == [first]
    assert claim(Channel.SMS, moment) == [second]
    die_while_sending(first, moment, handed_over=False)
    die_while_sending(second, moment, handed_over=False)

    # The provider cannot be asked: both stay in doubt, neither is sent nor failed.
    solapi.list_answers = [(503, "ServiceUnavailable"), (401, "InvalidApiKey")]
    assert send_outbox(moment + timedelta(minutes=11)) == "nothing due; stalled: 2 still in doubt"
    assert status_of(first).status is OutboxStatus.SENDING
    assert numbers_sent(solapi) == []

    # Back up within the day: the one it never got is sent once.
    solapi.list_answers = [(503, "ServiceUnavailable")]
    summary = send_outbox(moment + timedelta(hours=2))
    assert summary == "sent 1; stalled: 1 queued again, 1 still in doubt"
    assert numbers_sent(solapi) == ["01077770101"]

    # Still unreachable a day after the claim: failed as unknown, never sent.
    solapi.list_answers = [(503, "ServiceUnavailable")]
    assert send_outbox(moment + timedelta(hours=24, minutes=1)) == (
        "nothing due; stalled: 1 failed as unknown"
    )
    lost = status_of(first)
    assert lost.status is OutboxStatus.FAILED and lost.reason.startswith("unknown")
    assert numbers_sent(solapi) == ["01077770101"]


def test_the_provider_is_read_page_by_page_for_a_text_in_doubt(app, make, solapi, monkeypatch):
    monkeypatch.setattr("gachi.notifications.channels.LOOKUP_PAGE_SIZE", 2)
    # Four texts to one number went out; the fifth's sender died mid-send.
    ids = [queue(Channel.SMS, "010-7777-0200", dedupe_key=f"page-{n}") for n in range(4)]
    moment = seoul(1, 10)
    assert send_outbox(moment) == "sent 4"
    ids.append(queue(Channel.SMS, "010-7777-0200", dedupe_key="page-4"))
    assert claim(Channel.SMS, moment + timedelta(minutes=2)) == [ids[4]]
    die_while_sending(ids[4], moment + timedelta(minutes=2), handed_over=True)

    summary = send_outbox(moment + timedelta(minutes=13))
    assert summary == "nothing due; stalled: 1 found sent"
    assert [lookup.get("startKey") for lookup in solapi.lookups] == [
        None,
        "M4V00030",
        "M4V00050",
    ]
    assert status_of(ids[4]).provider_message_id == "M4V00050"
    assert len(numbers_sent(solapi)) == 5


def test_an_email_in_doubt_is_never_sent_twice(app, make, smtp):
    message = queue(Channel.EMAIL, "parent@example.org")
    moment = seoul(1, 10)
    assert claim(Channel.EMAIL, moment) == [message]
    die_while_sending(message, moment, handed_over=True)
    assert len(smtp.messages) == 1
    # Its Message-ID names the outbox message, so a copy sent by hand is recognisable.
    assert smtp.messages[0]["Message-ID"].startswith(f"<gachi-outbox-{message}@")

    summary = send_outbox(moment + timedelta(minutes=11))
    assert summary == "nothing due; stalled: 1 failed as unknown"
    lost = status_of(message)
    assert lost.status is OutboxStatus.FAILED and lost.reason.startswith("unknown")
    assert send_outbox(moment + timedelta(minutes=40)) == "nothing due"
    assert len(smtp.messages) == 1


def test_texts_wait_out_the_quiet_hours_unless_urgent(app, make, solapi):
    ordinary = queue(Channel.SMS, "010-1111-2222")
    urgent = queue(Channel.KAKAO, "010-3333-4444", urgent=True)
    email_too = queue(Channel.EMAIL, "night@example.org")

    send_outbox(seoul(1, 22, 30))
    assert numbers_sent(solapi) == ["01033334444"]
    assert status_of(ordinary).status is OutboxStatus.QUEUED
    assert status_of(email_too).status is OutboxStatus.SKIPPED  # e-mail has no quiet hours
    send_outbox(seoul(2, 7, 59))
    assert status_of(ordinary).status is OutboxStatus.QUEUED
    send_outbox(seoul(2, 8, 0))
    assert numbers_sent(solapi) == ["01033334444", "01011112222"]
    assert status_of(urgent).status is OutboxStatus.SENT


def test_a_channel_sends_no_more_than_its_rate_per_minute(app, make, solapi, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_RATE_PER_MINUTE", {"email": 60, "sms": 2, "kakao": 2})
    for n in range(5):
        queue(Channel.SMS, f"010-8888-00{n:02d}")
    moment = seoul(1, 10)
    send_outbox(moment)
    assert len(numbers_sent(solapi)) == 2
    send_outbox(moment + timedelta(seconds=30))
    assert len(numbers_sent(solapi)) == 2  # the same minute
    send_outbox(moment + timedelta(seconds=61))
    send_outbox(moment + timedelta(seconds=122))
    assert len(numbers_sent(solapi)) == 5


def test_a_deferred_email_is_retried_with_back_off_and_given_up_after_the_cap(
    app, make, smtp, monkeypatch
):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    deferred = queue(Channel.EMAIL, "busy@example.org")
    smtp.refuse = ["451 4.3.0 try again later"]
    moment = seoul(1, 10)
    send_outbox(moment)
    message = status_of(deferred)
    assert (message.status, message.attempts) == (OutboxStatus.QUEUED, 1)
    assert message.next_attempt_at == moment + timedelta(minutes=1)
    send_outbox(moment + timedelta(seconds=30))
    assert smtp.messages == []  # not due yet
    send_outbox(moment + timedelta(minutes=1))
    assert [m["To"] for m in smtp.messages] == ["busy@example.org"]

    hopeless = queue(Channel.EMAIL, "full@example.org")
    smtp.refuse = ["452 4.2.2 mailbox full"] * 3
    for minutes in (10, 11, 13):  # waits of 1 and 2 minutes between the three attempts
        send_outbox(moment + timedelta(minutes=minutes))
    message = status_of(hopeless)
    assert message.status is OutboxStatus.FAILED and message.attempts == 3
    assert message.reason.startswith("gave up after 3 attempts")


def test_a_provider_refusal_fails_the_message_without_retrying(app, make, smtp, solapi):
    refused = queue(Channel.EMAIL, "nobody@example.org")
    smtp.refuse = ["550 5.1.1 no such user"]
    solapi.answers = [(400, "InvalidApiKey")]
    text = queue(Channel.SMS, "010-4444-5555")
    send_outbox(seoul(1, 10))
    assert status_of(refused).status is OutboxStatus.FAILED
    assert "550" in status_of(refused).reason
    assert status_of(text).status is OutboxStatus.FAILED
    assert "InvalidApiKey" in status_of(text).reason
    send_outbox(seoul(1, 11))
    assert smtp.messages == [] and len(solapi.received) == 1


def test_a_provider_out_of_reach_is_tried_again(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "SOLAPI_API_KEY", "test-key")
    monkeypatch.setitem(app.config, "SOLAPI_API_SECRET", "test-secret")
    monkeypatch.setitem(app.config, "SOLAPI_BASE_URL", "http://127.0.0.1:9")  # nothing there
    message_id = queue(Channel.SMS, "010-4444-5555")
    send_outbox(seoul(1, 10))
    message = status_of(message_id)
    assert message.status is OutboxStatus.QUEUED and "not reached" in message.reason


def test_kakao_goes_as_alimtalk_falling_back_to_a_text_as_the_provider_does(
    app, make, solapi, monkeypatch
):
    queue(Channel.KAKAO, "010-6666-7777")
    send_outbox(seoul(1, 10))
    [sent] = solapi.received[0]["messages"]
    assert sent["type"] == "ATA" and sent["text"].startswith("자리가 났습니다")
    options = sent["kakaoOptions"]
    assert (options["pfId"], options["templateId"], options["disableSms"]) == (
        "KA01PF-gachi",
        "KA01TP-notice",
        False,
    )
    assert options["variables"]["#{link}"] == "http://localhost:5000/sessions/9"

    monkeypatch.setitem(app.config, "SOLAPI_KAKAO_TEMPLATE_ID", None)
    queue(Channel.KAKAO, "010-6666-8888")
    send_outbox(seoul(1, 11))
    [plain] = solapi.received[1]["messages"]
    assert "kakaoOptions" not in plain and plain.get("type") is None


def test_without_providers_messages_are_logged_and_kept(app, make, caplog):
    email = queue(Channel.EMAIL, "seojin@example.org")
    text = queue(Channel.SMS, "010-1234-5678")
    with caplog.at_level(logging.INFO, logger="gachi.notifications.channels"):
        send_outbox(seoul(1, 10))
    assert "no SMTP configured" in caplog.text and "no SOLAPI key configured" in caplog.text
    assert status_of(email).status is OutboxStatus.SKIPPED
    assert status_of(text).reason == "not sent: no text provider configured"


def test_the_same_notice_to_the_same_address_is_queued_once(app, make):
    key = "session-cancelled:9:01012345678"
    first = queue(Channel.SMS, "010-1234-5678", dedupe_key=key)
    again = queue(Channel.SMS, "01012345678", dedupe_key=key)
    assert first == again
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_the_link_in_a_message_stops_the_channel_without_signing_in(app, client, make, solapi):
    before = queue(Channel.SMS, "010-1234-5678")
    link = opt_out_link(Channel.SMS, "01012345678")
    page = client.get(link.removeprefix("http://localhost:5000"))
    assert page.status_code == 200 and "010****5678" in page.get_data(as_text=True)
    token = link.partition("?t=")[2]
    response = post_form(client, "/notices/stop", {"token": token})
    assert response.status_code == 200
    assert status_of(before).status is OutboxStatus.SKIPPED
    after = queue(Channel.SMS, "010-1234-5678")
    assert status_of(after).reason == "opted out"
    send_outbox(seoul(1, 10))
    assert solapi.received == []
    assert client.get("/notices/stop?t=forged").status_code == 404
    assert post_form(client, "/notices/stop", {"token": "forged"}).status_code == 400
