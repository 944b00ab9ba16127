"""Notifications: each person chooses which kinds come in the app, by e-mail, text or
KakaoTalk; what leaves the app is queued in the outbox in the same transaction."""

from sqlalchemy import func, select

from gachi.extensions import db
from gachi.notifications.models import (
    N_,
    NOTICE_CONSENT_VERSION,
    Channel,
    Notification,
    NotificationKind,
    OutboxMessage,
    OutboxStatus,
)
from gachi.notifications.operations import (
    current_consent,
    notify,
    preferences_of,
    save_preferences,
    set_consent,
)
from gachi.notifications.outbox import queue_message
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


def test_a_resident_sets_phone_language_consent_and_text_reminders_on_their_profile(client, make):
    resident = make.resident()
    sign_in(client, resident)
    assert client.get("/my/profile").status_code == 200
    response = post_form(
        client,
        "/my/profile",
        {
            "phone": "010-2345-6789",
            "email": "",
            "language": "en",
            "consent": "y",
            "in_app_reminders": "y",
            "sms_reminders": "y",
            "kakao_notices": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (resident.phone, resident.email, resident.language) == ("010-2345-6789", None, "en")
    assert preferences_of(resident)[NotificationKind.REMINDERS] == (True, False, True, False)
    consent = current_consent(resident)
    assert consent.wording_version == NOTICE_CONSENT_VERSION and consent.given_at is not None
    page = client.get("/my/profile").get_data(as_text=True)
    assert "You agreed on" in page

    notify([resident.id], N_("A place came free."), kind=NotificationKind.REMINDERS)
    db.session.commit()
    [text] = outbox_of(resident)
    assert (text.channel, text.address, text.language) == (Channel.SMS, "01023456789", "en")

    post_form(client, "/my/profile", {"phone": "010-2345-6789", "language": "en"})
    assert current_consent(resident) is None  # withdrawn: no more texts
    notify([resident.id], N_("A place came free."), kind=NotificationKind.REMINDERS)
    db.session.commit()
    assert len(outbox_of(resident)) == 1


def test_a_bad_phone_number_or_language_is_refused_with_a_message(client, make):
    resident = make.resident()
    sign_in(client, resident)
    response = post_form(client, "/my/profile", {"phone": "call me", "language": "ko"})
    assert response.status_code == 400
    assert "Write a phone number like 010-1234-5678." in response.get_data(as_text=True)
    assert post_form(client, "/my/profile", {"language": "fr"}).status_code == 400


def test_coordinators_see_their_complexs_messages_and_why_staff_see_all(app, make):
    complex_a, complex_b = make.complex_(), make.complex_()
    coordinator = make.coordinator(complex_a)
    for complex_obj, address in ((complex_a, "010-1111-0000"), (complex_b, "010-2222-0000")):
        queue_message(
            channel=Channel.SMS,
            address=address,
            message=N_("A place came free."),
            complex_id=complex_obj.id,
        )
    db.session.commit()

    def outbox_page_for(user):
        client = app.test_client()
        sign_in(client, user)
        return client.get("/notifications/outbox")

    page = outbox_page_for(coordinator).get_data(as_text=True)
    assert "010****0000" in page and page.count("010****0000") == 1
    assert "발송 대기" in page  # the page in Korean, the default
    assert outbox_page_for(make.staff()).get_data(as_text=True).count("010****0000") == 2
    assert outbox_page_for(make.resident(complex_a)).status_code == 403
