"""The verbs that change accounts: signing in, joining, passwords, account admin."""

import re
import unicodedata
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from gachi.auth.common_passwords import is_common_password
from gachi.auth.models import Role, User
from gachi.auth.passwords import hash_password, needs_rehash, verify_password
from gachi.complexes.models import InvitationCode
from gachi.core.audit import log_change
from gachi.core.codes import normalise_code
from gachi.core.db import rows_matched
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.core.time import utcnow
from gachi.extensions import db

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,29}$")
USERNAME_RULE = _l(
    "A user name has 3 to 30 letters (a–z), digits, dots, hyphens or underscores, "
    "and starts with a letter or digit."
)
STAFF_CREATED_ROLES = (Role.COORDINATOR, Role.PARTNER, Role.STAFF)
# Made with their districts by gachi/districts (create_district_account), not by the
# account form.
DISTRICT_ROLES = (Role.DISTRICT,)


class AccountError(DomainError):
    """A broken account rule; `field` names the form field the message belongs to."""


class PasswordRejected(AccountError):
    code = "password_rejected"
    field = "password"


class WrongSecret(AccountError):
    """Something only the right person knows was wrong (a password, a code): the sign-in
    throttle counts it."""


class SignInFailed(WrongSecret):
    code = "sign_in_failed"
    status = 401
    default_message = _l("The user name or the password is not right. Please try again.")


class AccountTurnedOff(AccountError):
    code = "account_turned_off"
    status = 403
    default_message = _l(
        "This account is turned off. Please ask your coordinator or the center to turn it on."
    )


class WrongPassword(WrongSecret):
    code = "wrong_password"
    field = "current_password"
    default_message = _l("Your current password is not right.")


class InvalidCode(WrongSecret):
    code = "invalid_code"
    field = "code"
    default_message = _l(
        "This code is not valid. Check the slip from your coordinator, or ask them for a new code."
    )


class UsernameTaken(AccountError, Conflict):
    code = "username_taken"
    field = "username"
    default_message = _l("This user name is already taken. Please choose another.")


class InvalidUsername(AccountError):
    code = "invalid_username"
    field = "username"
    default_message = USERNAME_RULE


class EnterpriseRequired(AccountError):
    code = "enterprise_required"
    field = "enterprise_id"
    default_message = _l("Choose the enterprise this partner works for.")


class AccountChangeRefused(AccountError, NotAllowed):
    code = "account_change_refused"


def normalise_username(username: str) -> str:
    """User names are case-insensitive: stored, compared and throttled lower-case."""
    return unicodedata.normalize("NFC", username or "").strip().lower()


def check_new_password(password: str, *, username: str) -> None:
    """Length and the common-password list, never composition (NIST SP 800-63B)."""
    shortest = current_app.config["PASSWORD_MIN_LENGTH"]
    longest = current_app.config["PASSWORD_MAX_LENGTH"]
    if len(password) < shortest:
        raise PasswordRejected(
            _l("A password needs at least %(count)s characters."), count=shortest
        )
    if len(password) > longest:
        raise PasswordRejected(
            _l("A password can have at most %(count)s characters."), count=longest
        )
    if is_common_password(password):
        raise PasswordRejected(
            _l(
                "This password is one of the most common ones and easy to guess. "
                "Please choose another."
            )
        )
    if password.lower() == normalise_username(username):
        raise PasswordRejected(_l("Your password must not be your user name."))


def must_renew_password(user, password: str) -> bool:
    """Staff whose password (typed now, at sign-in) is shorter than today's rule must
    choose a new one before they go on; other accounts keep theirs (ASVS 2.1.1 asks
    new passwords to be longer, it does not lock residents out)."""
    return user.is_staff and len(password) < current_app.config["PASSWORD_MIN_LENGTH"]


@cache
def _dummy_hash(time_cost, memory_kib):
    return hash_password("not anyone's password")


def authenticate(username: str, password: str):
    """The user whose password this is, or None (active or not: the caller decides).

    An unknown name costs as much time as a known one, so timing does not tell
    which names exist.
    """
    user = db.session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        config = current_app.config
        verify_password(
            _dummy_hash(config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_KIB"]),
            password,
        )
        return None
    return user if verify_password(user.password_hash, password) else None


def sign_in(username: str, password: str) -> User:
    """The user whose password this is, their sign-in stamped. A wrong name or password is
    refused before an account turned off, so a guess learns nothing about the account."""
    user = authenticate(username, password)
    if user is None:
        raise SignInFailed()
    if not user.active:
        raise AccountTurnedOff()
    record_sign_in(user, password)
    return user


def record_sign_in(user, password: str) -> None:
    """Stamp the sign-in and, while we hold the password, upgrade an old hash."""
    user.last_login_at = utcnow()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)


def end_all_sessions(user) -> None:
    """Every session and remember-me cookie of `user` stops working (atomic bump)."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(user, ["session_version"])


def _set_password(user, password: str, *, chosen_by_user: bool) -> None:
    user.password_hash = hash_password(password)
    # None marks a temporary password that staff gave out.
    user.password_changed_at = utcnow() if chosen_by_user else None
    db.session.flush()
    end_all_sessions(user)


def change_password(user, current: str, new: str, actor) -> None:
    if not verify_password(user.password_hash, current):
        raise WrongPassword()
    check_new_password(new, username=user.username)
    _set_password(user, new, chosen_by_user=True)
    log_change("account.password_change", user, actor=actor)


def _live_code(code: str):
    return db.session.scalar(
        select(InvitationCode).where(
            InvitationCode.code == normalise_code(code), InvitationCode.revoked_at.is_(None)
        )
    )


def _add_user(user) -> None:
    """Insert `user`; the unique constraint, not the earlier check, is the real guard."""
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        raise UsernameTaken() from None


def _check_username_free(username: str) -> None:
    if not USERNAME_PATTERN.match(username):
        raise InvalidUsername()
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UsernameTaken()


def join_household(code: str, username: str, display_name: str, password: str):
    """A resident joins the household whose live code this is; returns the new user.

    The code alone decides the household (and so the complex).
    """
    username = normalise_username(username)
    check_new_password(password, username=username)
    invitation = _live_code(code)
    if invitation is None:
        raise InvalidCode()
    _check_username_free(username)
    user = User(
        username=username,
        display_name=display_name,
        role=Role.RESIDENT,
        household_id=invitation.household_id,
        password_hash=hash_password(password),
        password_changed_at=utcnow(),
    )
    _add_user(user)
    counted = db.session.execute(
        update(InvitationCode)
        .where(InvitationCode.id == invitation.id, InvitationCode.revoked_at.is_(None))
        .values(use_count=InvitationCode.use_count + 1)
        .execution_options(synchronize_session=False)
    )
    if rows_matched(counted) != 1:
        raise InvalidCode()  # revoked while we were working
    log_change(
        "account.join",
        user,
        actor=user,
        complex_id=invitation.household.complex_id,
        after={
            "username": username,
            "household_id": invitation.household_id,
            "invitation_code_id": invitation.id,
        },
    )
    return user


def create_account(
    role: Role,
    username: str,
    display_name: str,
    password: str,
    *,
    actor,
    enterprise=None,
    is_admin=False,
    phone=None,
    email=None,
):
    """Staff create a coordinator, enterprise partner or staff account.

    Residents are not made here: they join with their household's code.
    """
    if role not in STAFF_CREATED_ROLES + DISTRICT_ROLES:
        raise AccountChangeRefused(_l("Residents join with their household's invitation code."))
    if role is Role.PARTNER and enterprise is None:
        raise EnterpriseRequired()
    username = normalise_username(username)
    _check_username_free(username)
    check_new_password(password, username=username)
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        is_admin=bool(is_admin) and role is Role.STAFF,
        enterprise_id=enterprise.id if role is Role.PARTNER else None,
        phone=phone or None,
        email=email or None,
        password_hash=hash_password(password),
    )
    _add_user(user)
    log_change(
        "account.create",
        user,
        actor=actor,
        after={
            "username": username,
            "role": role.value,
            "is_admin": user.is_admin,
            "enterprise_id": user.enterprise_id,
            "display_name": display_name,
        },
    )
    return user


# Personal data is recorded as changed, not copied into the audit log.
_PRIVATE_FIELDS = frozenset({"phone", "email"})


def update_account(user, *, actor, display_name, phone, email, active, is_admin):
    """Change an account's details and flags; `actor` cannot lock themselves out."""
    if user.id == actor.id and not active:
        raise AccountChangeRefused(_l("You cannot turn off your own account."))
    if user.id == actor.id and user.is_admin and not is_admin:
        raise AccountChangeRefused(_l("You cannot remove your own admin right."))
    wanted = {
        "display_name": display_name,
        "phone": phone or None,
        "email": email or None,
        "active": bool(active),
        "is_admin": bool(is_admin) and user.is_staff,
    }
    changed = {name: value for name, value in wanted.items() if getattr(user, name) != value}
    if not changed:
        return user
    before = {name: getattr(user, name) for name in changed}
    for name, value in changed.items():
        setattr(user, name, value)
    if changed.get("active") is False:
        end_all_sessions(user)
    log_change(
        "account.update",
        user,
        actor=actor,
        before={k: ("…" if k in _PRIVATE_FIELDS else v) for k, v in before.items()},
        after={k: ("…" if k in _PRIVATE_FIELDS else v) for k, v in changed.items()},
    )
    return user


def reset_password(user, password: str, *, actor) -> None:
    """Staff give `user` a temporary password; every session of theirs ends."""
    if user.id == actor.id:
        raise AccountChangeRefused(_l("Change your own password on the Account page."))
    check_new_password(password, username=user.username)
    _set_password(user, password, chosen_by_user=False)
    log_change("account.password_reset", user, actor=actor)
