"""Who is signed in: session versions, idle and absolute lifetimes.

Flask's cookie session cannot be revoked on the server, so the id the cookie
holds is "<user id>:<session version>". Logout and a password change bump the
version, and every copied session or remember-me cookie stops matching.

Lifetimes (config.py): a session ends after SESSION_IDLE_LIFETIME without a
request, and SESSION_ABSOLUTE_LIFETIME after sign-in however active. With
"remember me", the remember cookie (REMEMBER_COOKIE_DURATION) then starts a new
session, until it too expires or the version changes.

Two-factor sign-in: after a right password, an account with a second factor is not
signed in (no Flask-Login user, no remember cookie). The session holds only a pending
sign-in, bound to that account and its session version, for PENDING_LIFETIME; the
second step (two_factor_views.second_step) turns it into a session.

A password shorter than today's rule: only at sign-in do we hold the plaintext, so
that is when a staff member's short password is noticed (operations.
must_renew_password). The session then carries RENEW_PASSWORD, and the gate
(views.renew_short_password_first) lets them only change it or sign out.
"""

from datetime import timedelta

from flask import current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin, current_user, login_user
from sqlalchemy.orm import joinedload

from gachi.auth.models import Role, User
from gachi.core.time import utcnow
from gachi.extensions import db, login_manager

LOGIN_AT = "login_at"
SEEN_AT = "seen_at"
PENDING = "two_factor_pending"
PENDING_LIFETIME = timedelta(minutes=5)
RENEW_PASSWORD = "renew_password"
# What the page header needs to draw a signed-in visitor, kept in the signed session
# so that a page drawn without the database (the 503) still shows them signed in.
HEADER = "header"
_FLASK_LOGIN_KEYS = ("_user_id", "_fresh", "_id")


def parse_session_token(token):
    user_id, _, version = str(token).partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None, None
    return int(user_id), int(version)


def _expired():
    now = utcnow().timestamp()
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        return False  # signing in right now, or restored from the remember cookie
    idle = current_app.config["SESSION_IDLE_LIFETIME"].total_seconds()
    absolute = current_app.config["SESSION_ABSOLUTE_LIFETIME"].total_seconds()
    return now - seen_at > idle or now - login_at > absolute


def _end_this_session():
    for key in (LOGIN_AT, SEEN_AT, PENDING, RENEW_PASSWORD, HEADER, *_FLASK_LOGIN_KEYS):
        session.pop(key, None)


@login_manager.user_loader
def load_user(token):
    user_id, version = parse_session_token(token)
    if user_id is None:
        return None
    # With the household: a resident's complex (every permission check asks) costs no query.
    user = db.session.get(User, user_id, options=[joinedload(User.household)])
    if user is None or not user.active or user.session_version != version:
        return None
    if _expired():
        _end_this_session()
        return None
    return user


def start_session(user, *, remember=False, renew_password=False):
    """Sign `user` in on this browser (after a password check or a password change);
    with `renew_password`, they must choose a new password before anything else."""
    _end_this_session()
    login_user(user, remember=remember, duration=current_app.config["REMEMBER_COOKIE_DURATION"])
    session.permanent = True
    now = utcnow().timestamp()
    session[LOGIN_AT] = now
    session[SEEN_AT] = now
    _keep_header(user)
    if renew_password:
        session[RENEW_PASSWORD] = True


def password_renewal_due():
    """True while the signed-in user was asked to choose a longer password."""
    return bool(session.get(RENEW_PASSWORD))


class SessionVisitor(AnonymousUserMixin):
    """The signed-in visitor as their session cookie shows them, for the page header
    only while the database is away: never for a permission (it checks no password,
    session version or lifetime). A session from before HEADER was kept has no role,
    and the header then shows the links every signed-in person has."""

    id = None

    def __init__(self, header):
        self.role = header.get("role")
        self.is_admin = bool(header.get("admin"))

    is_authenticated = True
    is_anonymous = False
    is_staff = property(lambda self: self.role == Role.STAFF.value)
    is_coordinator = property(lambda self: self.role == Role.COORDINATOR.value)
    is_resident = property(lambda self: self.role == Role.RESIDENT.value)
    is_partner = property(lambda self: self.role == Role.PARTNER.value)
    is_district = property(lambda self: self.role == Role.DISTRICT.value)


def visitor_from_session():
    """Who the session says is signed in (a SessionVisitor), or None; reads no database."""
    if session.get("_user_id") is None:
        return None
    header = session.get(HEADER)
    return SessionVisitor(header if isinstance(header, dict) else {})


def _keep_header(user):
    header = {"role": user.role.value, "admin": user.is_admin}
    if session.get(HEADER) != header:  # the cookie is written only when it changes
        session[HEADER] = header


def start_pending_sign_in(user, *, remember, next_url, renew_password=False):
    """The password was right; the second step decides (nobody is signed in yet)."""
    _end_this_session()
    session[PENDING] = {
        "user": user.id,
        "version": user.session_version,
        "at": utcnow().timestamp(),
        "remember": bool(remember),
        "next": next_url,
        "renew_password": bool(renew_password),
    }


def pending_sign_in():
    """(user, pending) for a live pending sign-in on this browser, else (None, None)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None, None
    user = db.session.get(User, pending.get("user") or 0)
    age = utcnow().timestamp() - pending.get("at", 0)
    if (
        user is None
        or not user.active
        or not user.has_two_factor
        or user.session_version != pending.get("version")
        or not 0 <= age <= PENDING_LIFETIME.total_seconds()
    ):
        session.pop(PENDING, None)
        return None, None
    return user, pending


def register(app):
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the session version does this job

    @app.before_request
    def keep_session_alive():
        if current_user.is_authenticated:
            _keep_header(current_user)  # also after remember-me, or a role change
            now = utcnow().timestamp()
            session.setdefault(LOGIN_AT, now)
            # Write the cookie at most once a minute, not on every request.
            if now - session.get(SEEN_AT, 0) > timedelta(minutes=1).total_seconds():
                session[SEEN_AT] = now
