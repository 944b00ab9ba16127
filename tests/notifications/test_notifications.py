"""Notifications: each person chooses which kinds come in the app and by e-mail; e-mail
goes through SMTP only after the change commits, and is logged when SMTP is not set up."""

import logging

from sqlalchemy import func, select

from gachi.extensions import db
from gachi.notifications import mail
from gachi.notifications.models import N_, Notification, NotificationKind
from gachi.notifications.operations import notify, preferences_of, save_preferences
from tests.conftest import post_form, sign_in


def notifications_of(user):
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user.id)
    )


def test_by_default_everything_comes_in_the_app_and_nothing_by_email(make, monkeypatch):
    sent = []
    monkeypatch.setattr(mail, "send_email", lambda *args: sent.append(args))
    resident = make.resident(email="seojin@example.org")
    notify([resident.id], N_("A place came free."), kind=NotificationKind.BOOKINGS)
    db.session.commit()
    assert notifications_of(resident) == 1 and sent == []


def test_an_email_is_sent_only_after_the_commit(make, monkeypatch):
    sent = []
    monkeypatch.setattr(mail, "send_email", lambda to, subject, body: sent.append((to, body)))
    resident = make.resident(email="seojin@example.org")
    save_preferences(resident, {NotificationKind.REMINDERS: (False, True)}, actor=resident)
    db.session.commit()
    notify(
        [resident.id],
        N_("Reminder: %(program)s begins on %(when)s at %(place)s. Your booking code is %(code)s."),
        kind=NotificationKind.REMINDERS,
        link="/sessions/1",
        program="공동 아이돌봄",
        when="2018-11-12 14:00",
        place="세미나실",
        code="ABCD2345",
    )
    assert sent == []
    db.session.rollback()
    assert sent == []  # rolled back: nobody e-mailed
    notify([resident.id], N_("A place came free."), kind=NotificationKind.REMINDERS)
    db.session.commit()
    assert [to for to, _body in sent] == ["seojin@example.org"]
    assert notifications_of(resident) == 0  # in-app turned off for reminders


def test_without_smtp_the_email_is_logged(app, caplog):
    with caplog.at_level(logging.INFO, logger="gachi.notifications.mail"):
        assert mail.send_email("a@example.org", "subject", "body") is False
    assert "no SMTP configured" in caplog.text


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
    assert choices[NotificationKind.BOOKINGS] == (True, True)
    assert choices[NotificationKind.SHIFTS] == (False, False)


def test_the_inbox_shows_the_unread_count_and_marks_read(client, make):
    resident = make.resident()
    notify([resident.id], N_("A place came free."), kind=NotificationKind.BOOKINGS)
    db.session.commit()
    sign_in(client, resident)
    assert 'aria-label="1 unread"' in client.get("/notifications").get_data(as_text=True)
    post_form(client, "/notifications/read")
    assert 'aria-label="1 unread"' not in client.get("/notifications").get_data(as_text=True)


def test_a_savepoint_inside_the_transaction_sends_nothing_yet(make, monkeypatch):
    sent = []
    monkeypatch.setattr(mail, "send_email", lambda to, subject, body: sent.append(to))
    resident = make.resident(email="seojin@example.org")
    save_preferences(resident, {NotificationKind.BOOKINGS: (True, True)}, actor=resident)
    db.session.commit()
    notify([resident.id], N_("A place came free."), kind=NotificationKind.BOOKINGS)
    with db.session.begin_nested():
        pass
    try:
        with db.session.begin_nested():
            raise ValueError("a savepoint rolled back")
    except ValueError:
        pass
    assert sent == []
    db.session.commit()
    assert sent == ["seojin@example.org"]


def test_with_smtp_configured_the_email_goes_to_the_server(app, monkeypatch):
    delivered = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            delivered.append((host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            delivered.append("tls")

        def login(self, user, password):
            delivered.append(user)

        def send_message(self, message):
            delivered.append((message["To"], message["Subject"]))

    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "gachi")
    assert mail.send_email("a@example.org", "subject", "body") is True
    assert delivered == [("smtp.example.org", 587), "tls", "gachi", ("a@example.org", "subject")]
