"""Everything the app holds about one person, as plain values ready for JSON.

Each area's rows are read through its own models. Ballots show only whether the person is
on the roll: the choices are stored under a random id and nothing links them to anyone.
"""

from sqlalchemy import select

from gachi.audit.actions import label_of
from gachi.audit.queries import entries_about
from gachi.auth.models import PrivacyConsent
from gachi.ballots.models import Ballot, BallotVoter
from gachi.extensions import db
from gachi.notifications.models import Notification, NotificationPreference
from gachi.people.models import Person
from gachi.programs.bookings.models import Booking
from gachi.programs.calendar.models import CalendarToken
from gachi.programs.feedback.models import Feedback
from gachi.programs.rosters.models import RosterEntry
from gachi.proposals.models import Problem, ProblemComment, ProblemSupport
from gachi.workshops.models import WorkshopAttendance


def _when(moment):
    return moment.isoformat() if moment is not None else None


def _value(enum_member):
    return enum_member.value if enum_member is not None else None


def _account(user):
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": _value(user.role),
        "phone": user.phone,
        "email": user.email,
        "active": user.active,
        "created_at": _when(user.created_at),
        "last_login_at": _when(user.last_login_at),
        "password_changed_at": _when(user.password_changed_at),
    }


def _household(user):
    household = user.household
    if household is None:
        return None
    return {
        "building": household.building,
        "unit": household.unit,
        "complex": {"id": household.complex_id, "name": household.complex.name},
    }


def _session(session):
    return {
        "id": session.id,
        "title": session.display_title,
        "starts_at": _when(session.starts_at),
        "ends_at": _when(session.ends_at),
        "state": _value(session.state),
    }


def _problems(user):
    problems = db.session.scalars(
        select(Problem).where(Problem.proposed_by_id == user.id).order_by(Problem.id)
    )
    return [
        {
            "id": problem.id,
            "title": problem.title,
            "description": problem.description,
            "state": _value(problem.state),
            "created_at": _when(problem.created_at),
        }
        for problem in problems
    ]


def _comments(user):
    comments = db.session.scalars(
        select(ProblemComment)
        .where(ProblemComment.author_id == user.id)
        .order_by(ProblemComment.id)
    )
    return [
        {
            "problem_id": comment.problem_id,
            "body": comment.body,
            "created_at": _when(comment.created_at),
        }
        for comment in comments
    ]


def _supports(user):
    supports = db.session.scalars(
        select(ProblemSupport).where(ProblemSupport.user_id == user.id).order_by(ProblemSupport.id)
    )
    return [
        {"problem_id": support.problem_id, "created_at": _when(support.created_at)}
        for support in supports
    ]


def _check_ins(user):
    attendances = db.session.scalars(
        select(WorkshopAttendance)
        .where(WorkshopAttendance.user_id == user.id)
        .order_by(WorkshopAttendance.id)
    )
    return [
        {
            "workshop_id": attendance.workshop_id,
            "round": _value(attendance.workshop.round),
            "held_at": _when(attendance.workshop.held_at),
            "place": attendance.workshop.place,
            "checked_in_at": _when(attendance.checked_in_at),
        }
        for attendance in attendances
    ]


def _bookings(user):
    bookings = db.session.scalars(
        select(Booking).where(Booking.user_id == user.id).order_by(Booking.id)
    )
    return [
        {
            "code": booking.code,
            "status": _value(booking.status),
            "party_size": booking.party_size,
            "dependants": booking.dependants,
            "channel": _value(booking.channel),
            "attendance": _value(booking.attendance),
            "created_at": _when(booking.created_at),
            "cancelled_at": _when(booking.cancelled_at),
            "session": _session(booking.program_session),
        }
        for booking in bookings
    ]


def _shifts(user):
    entries = db.session.scalars(
        select(RosterEntry).where(RosterEntry.user_id == user.id).order_by(RosterEntry.id)
    )
    return [
        {
            "role": _value(entry.role),
            "minutes": entry.minutes,
            "session": _session(entry.program_session),
        }
        for entry in entries
    ]


def _feedback(user):
    answers = db.session.scalars(
        select(Feedback).where(Feedback.user_id == user.id).order_by(Feedback.id)
    )
    return [
        {
            "rating": answer.rating,
            "comment": answer.comment,
            "change_topic": _value(answer.change_topic),
            "change_note": answer.change_note,
            "created_at": _when(answer.created_at),
            "session": _session(answer.program_session),
        }
        for answer in answers
    ]


def _notifications(user):
    notices = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    return [
        {
            "text": notice.text,
            "link": notice.link,
            "created_at": _when(notice.created_at),
            "read_at": _when(notice.read_at),
        }
        for notice in notices
    ]


def _preferences(user):
    preferences = db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id)
    )
    return [
        {
            "kind": _value(preference.kind),
            "in_app": preference.in_app,
            "by_email": preference.by_email,
            "by_sms": preference.by_sms,
            "by_kakao": preference.by_kakao,
        }
        for preference in preferences
    ]


def _consents(user):
    """Which versions of the privacy notice they agreed to, and when."""
    consents = db.session.scalars(
        select(PrivacyConsent).where(PrivacyConsent.user_id == user.id).order_by(PrivacyConsent.id)
    )
    return [
        {"version": consent.version, "agreed_at": _when(consent.agreed_at)} for consent in consents
    ]


def _calendar_links(user):
    """Which links exist, never their tokens: the file may be kept somewhere less safe."""
    links = db.session.scalars(
        select(CalendarToken).where(CalendarToken.user_id == user.id).order_by(CalendarToken.id)
    )
    return [
        {
            "kind": _value(link.kind),
            "complex_id": link.complex_id,
            "created_at": _when(link.created_at),
            "revoked_at": _when(link.revoked_at),
        }
        for link in links
    ]


def _ballots_voted(user):
    rows = db.session.execute(
        select(Ballot.id, Ballot.title, BallotVoter.channel)
        .join(BallotVoter, BallotVoter.ballot_id == Ballot.id)
        .where(BallotVoter.user_id == user.id)
        .order_by(Ballot.id)
    )
    return [
        {"ballot_id": ballot_id, "title": title, "channel": _value(channel)}
        for ballot_id, title, channel in rows
    ]


def _looked_at(user):
    """Who saw this person's data, as the app names people (their name and role), and what."""
    return [
        {
            "when": _when(row.entry.created_at),
            "who": row.actor_name,
            "role": str(row.actor_role.label) if row.actor_role else None,
            "what": str(label_of(row.entry.action)),
            "complex": row.complex_name,
        }
        for row in entries_about(user.id)
    ]


def _person(person):
    return {
        "name": person.name,
        "household": person.household.label,
        "phone": person.phone,
        "consent_at": _when(person.consent_at),
        "consent_version": person.consent_version,
        "written_down_at": _when(person.created_at),
        "erased_at": _when(person.erased_at),
    }


def _as_person(user):
    """Who the coordinator had written down before they joined (gachi/people)."""
    people = db.session.scalars(select(Person).where(Person.user_id == user.id).order_by(Person.id))
    return [_person(person) for person in people]


def person_data(person) -> dict:
    """What the app holds about a person without an account, for staff to hand over."""
    bookings = db.session.scalars(
        select(Booking).where(Booking.person_id == person.id).order_by(Booking.id)
    )
    check_ins = db.session.scalars(
        select(WorkshopAttendance)
        .where(WorkshopAttendance.person_id == person.id)
        .order_by(WorkshopAttendance.id)
    )
    feedback = db.session.scalars(
        select(Feedback).where(Feedback.person_id == person.id).order_by(Feedback.id)
    )
    return {
        "person": _person(person),
        "bookings": [
            {
                "code": booking.code,
                "status": _value(booking.status),
                "party_size": booking.party_size,
                "dependants": booking.dependants,
                "channel": _value(booking.channel),
                "attendance": _value(booking.attendance),
                "created_at": _when(booking.created_at),
                "session": _session(booking.program_session),
            }
            for booking in bookings
        ],
        "workshop_check_ins": [
            {
                "workshop_id": attendance.workshop_id,
                "held_at": _when(attendance.workshop.held_at),
                "checked_in_at": _when(attendance.checked_in_at),
            }
            for attendance in check_ins
        ],
        "feedback": [
            {
                "rating": item.rating,
                "comment": item.comment,
                "change_topic": _value(item.change_topic),
                "change_note": item.change_note,
                "created_at": _when(item.created_at),
                "session": _session(item.program_session),
            }
            for item in feedback
        ],
    }


def personal_data(user) -> dict:
    """The download: the account (never the password hash) and every row that names `user`."""
    return {
        "account": _account(user),
        "household": _household(user),
        "written_down_before_joining": _as_person(user),
        "problems_proposed": _problems(user),
        "comments": _comments(user),
        "supports": _supports(user),
        "workshop_check_ins": _check_ins(user),
        "bookings": _bookings(user),
        "roster_shifts": _shifts(user),
        "feedback": _feedback(user),
        "notifications": _notifications(user),
        "notification_preferences": _preferences(user),
        "calendar_links": _calendar_links(user),
        "privacy_consents": _consents(user),
        "ballots_voted_in": _ballots_voted(user),
        "seen_by_others": _looked_at(user),
    }
