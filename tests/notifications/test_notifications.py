"""Notifications: each person chooses which kinds come in the app, by e-mail, text or
KakaoTalk; what leaves the app is queued in the outbox in the same transaction."""

from sqlalchemy import func, select

from gachi.extensions import db
from gachi.notifications.models import (
    N_,
    Channel,
    Notification,
    NotificationKind,
    OutboxMessage,
    OutboxStatus,
)
from gachi.notifications.operations import notify, preferences_of, save_preferences, set_consent
from tests.conftest import post_form, sign_in


def notifications_of(user):
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user.id)
    )


def outbox_of(user):
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == user.id).order_by(OutboxMessage.id)
    ).all()


def test_by_default_everything_comes_in_the_app_and_nothing_by_email(make):
    resident = make.resident(email="seojin@example.org", phone="010-1234-5678")
    notify([resident.id], N_("A place came free."), kind=NotificationKind.BOOKINGS)
    db.session.commit()
    assert notifications_of(resident) == 1 and outbox_of(resident) == []


def test_an_email_is_queued_in_the_transaction_and_gone_with_a_rollback(make):
    resident = make.resident(email="seojin@example.org")
    save_preferences(resident, {NotificationKind.REMINDERS: (False, True)}, actor=resident)
    db.session.commit()
    notify([resident.id], N_("A place came free."), kind=NotificationKind.REMINDERS, link="/x")
    db.session.rollback()
    assert outbox_of(resident) == []  # rolled back: nobody will be e-mailed
    notify([resident.id], N_("A place came free."), kind=NotificationKind.REMINDERS, link="/s/1")
    db.session.commit()
    [queued] = outbox_of(resident)
    assert (queued.channel, queued.address, queued.status) == (
        Channel.EMAIL,
        "seojin@example.org",
        OutboxStatus.QUEUED,
    )
    assert queued.link == "http://localhost:5000/s/1" and queued.language == "ko"
    assert notifications_of(resident) == 0  # in-app turned off for reminders


def test_texts_go_only_to_people_who_consented(make):
    resident = make.resident(phone="010-1234-5678")
    save_preferences(
        resident, {NotificationKind.BOOKINGS: (True, False, True, True)}, actor=resident
    )
    notify([resident.id], N_("A place came free."), kind=NotificationKind.BOOKINGS)
    assert outbox_of(resident) == []
    set_consent(resident, True)
    notify([resident.id], N_("A place came free."), kind=NotificationKind.BOOKINGS)
    db.session.commit()
    assert [(m.channel, m.address) for m in outbox_of(resident)] == [
        (Channel.SMS, "01012345678"),
        (Channel.KAKAO, "01012345678"),
    ]
    assert outbox_of(resident)[0].complex_id == resident.household.complex_id


def test_a_resident_chooses_their_notifications_on_the_page(client, make):
    resident = make.resident(email="seojin@example.org")
    sign_in(client, resident)
    page = client.get("/notifications/preferences")
    assert page.status_code == 200 and "Reminders the day before a session" in page.get_data(
        as_text=True
    )
    response = post_form(
        client,
        "/notifications/preferences",
        {"in_app_bookings": "y", "email_bookings": "y", "in_app_reminders": "y"},
    )
    assert response.status_code == 302
    choices = preferences_of(resident)
    assert choices[NotificationKind.BOOKINGS] == (True, True, False, False)
    assert choices[NotificationKind.SHIFTS] == (False, False, False, False)


def test_the_inbox_shows_the_unread_count_and_marks_read(client, make):
    resident = make.resident()
    notify([resident.id], N_("A place came free."), kind=NotificationKind.BOOKINGS)
    db.session.commit()
    sign_in(client, resident)
    assert 'aria-label="1 unread"' in client.get("/notifications").get_data(as_text=True)
    post_form(client, "/notifications/read")
    assert 'aria-label="1 unread"' not in client.get("/notifications").get_data(as_text=True)
