"""The verbs that change accounts: signing in, joining, passwords, account admin, and
getting back in (a one-time code from the coordinator, or a link by e-mail)."""

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import timedelta
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from gachi.auth.common_passwords import is_common_password
from gachi.auth.models import PasswordResetCode, PrivacyConsent, Role, User
from gachi.auth.passwords import hash_password, needs_rehash, verify_password
from gachi.auth.phones import phone_key
from gachi.complexes.models import InvitationCode
from gachi.core.audit import log_change
from gachi.core.codes import ALPHABET, normalise_code
from gachi.core.db import rows_matched
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.notifications.models import N_
from gachi.notifications.outbox import queue_message
from gachi.people.operations import link_joined_account
from gachi.people.phones import format_phone, normalise_phone

# Korean (Hangul syllables) or Latin letters, digits, dots, hyphens, underscores; at least
# one letter, so that no user name can be read as a phone number at sign-in.
USERNAME_PATTERN = re.compile(
    r"^(?=.*[a-z\uac00-\ud7a3])[a-z0-9\uac00-\ud7a3][a-z0-9\uac00-\ud7a3._-]{1,29}$"
)
USERNAME_RULE = _l(
    "A user name has 2 to 30 Korean or Latin letters, digits, dots, hyphens or "
    "underscores, with at least one letter, and starts with a letter or digit."
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


class SharedPhone(AccountError, Conflict):
    """Sign-in by a phone number that several accounts have (a couple's one phone)."""

    code = "shared_phone"
    field = "username"
    default_message = _l(
        "More than one account has this phone number. Please sign in with your user name."
    )


class InvalidResetCode(WrongSecret):
    code = "invalid_reset_code"
    field = "code"
    default_message = _l(
        "This code does not work for this account: it may be mistyped, used already or "
        "older than a day. Please ask your coordinator for a new one."
    )


class ResetLinkDead(AccountError):
    code = "reset_link_dead"
    default_message = _l(
        "This link does not work any more: it was used already, or it is too old. "
        "Please ask for a new one."
    )


def normalise_username(username: str) -> str:
    """User names are case-insensitive: stored, compared and throttled in one form, NFC
    (a Korean name typed as separate jamo is the same name) and case-folded."""
    return unicodedata.normalize("NFC", username or "").strip().casefold()


def sign_in_key(account: str) -> str:
    """What the sign-in throttle counts an attempt under: a phone number in one form
    (010-1234-5678 and 01012345678 are one key), else the user name as normalised."""
    account = normalise_username(account)
    if USERNAME_PATTERN.match(account):
        return account
    key = phone_key(account)
    return f"tel:{key}" if key else account


def accounts_for(account: str) -> list[User]:
    """The accounts `account` names: the one with this user name, else every account
    with this phone number."""
    account = normalise_username(account)
    user = db.session.scalar(select(User).where(User.username == account))
    if user is not None:
        return [user]
    key = phone_key(account)
    if key is None:
        return []
    return list(db.session.scalars(select(User).where(User.phone_key == key).order_by(User.id)))


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


def _spend_a_password_check(password: str) -> None:
    """As long as checking a real password takes, so timing does not tell which names
    exist."""
    config = current_app.config
    verify_password(
        _dummy_hash(config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_KIB"]),
        password,
    )


def authenticate(account: str, password: str):
    """The user whose password this is, or None (active or not: the caller decides).
    `account` is a user name or a phone number on the account.

    A phone number several accounts share signs nobody in: with the right password of one
    of them, SharedPhone asks for the user name (a wrong password is just wrong, so a
    guess learns nothing about who shares a phone).
    """
    candidates = accounts_for(account)
    if not candidates:
        _spend_a_password_check(password)
        return None
    matching = [user for user in candidates if verify_password(user.password_hash, password)]
    if len(candidates) > 1 and matching:
        raise SharedPhone()
    return matching[0] if matching else None


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


def record_consent(user, version: str) -> PrivacyConsent:
    """`user` agreed to version `version` of the privacy notice, now."""
    consent = PrivacyConsent(user_id=user.id, version=version, agreed_at=utcnow())
    db.session.add(consent)
    return consent


def join_household(
    code: str,
    username: str,
    display_name: str,
    password: str,
    *,
    phone: str | None = None,
    email: str | None = None,
    privacy_notice: str | None = None,
):
    """A resident joins the household whose live code this is; returns the new user.

    The code alone decides the household (and so the complex). `privacy_notice` is the
    version of the notice they agreed to (the join form requires it). A person of that
    household without an account who has this phone number (or, without one, this name)
    becomes the account's (gachi/people): what they did by phone or at the door counts as
    theirs.
    """
    username = normalise_username(username)
    phone = normalise_phone(phone)
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
        phone=format_phone(phone) if phone else None,
        email=email or None,
        password_hash=hash_password(password),
        password_changed_at=utcnow(),
    )
    _add_user(user)
    if privacy_notice is not None:
        record_consent(user, privacy_notice)
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
            "privacy_notice": privacy_notice,
        },
    )
    link_joined_account(user, phone=phone)
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


# Getting back in: a one-time code from the coordinator ---------------------------------
# A resident who forgot their password and has no e-mail asks their coordinator, who
# hands over a code (shown once, on paper or read out). The code is kept only as a keyed
# digest, works once, for a day, and only for the account it was made for; a new code
# ends the older ones. Guessing one is throttled like a password (views.checking_a_secret).

RESET_CODE_LENGTH = 10  # from 31 letters and digits: about 50 bits
RESET_CODE_LIFETIME = timedelta(hours=24)


def format_reset_code(code: str) -> str:
    """XXXXX-XXXXX, to read out or copy onto a slip."""
    half = RESET_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def reset_code_digest(code: str) -> str:
    """The stored form: an HMAC under SECRET_KEY, so a copy of the table alone cannot be
    searched for the codes."""
    key = current_app.secret_key
    assert key is not None  # the app does not start without one (config.check_secret_key)
    secret = key.encode() if isinstance(key, str) else key
    return hmac.new(secret, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def issue_reset_code(user, *, actor, now=None) -> str:
    """A new one-time code for `user`, returned once in plain; earlier codes end."""
    if not user.can_issue_reset_code(actor):
        raise AccountChangeRefused(
            _l("Only this resident's coordinator or the center can give them a code.")
        )
    now = now or utcnow()
    db.session.execute(
        update(PasswordResetCode)
        .where(
            PasswordResetCode.user_id == user.id,
            PasswordResetCode.used_at.is_(None),
            PasswordResetCode.ended_at.is_(None),
        )
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    code = "".join(secrets.choice(ALPHABET) for _ in range(RESET_CODE_LENGTH))
    row = PasswordResetCode(
        user_id=user.id,
        code_hash=reset_code_digest(code),
        issued_by_id=actor.id,
        created_at=now,
        expires_at=now + RESET_CODE_LIFETIME,
    )
    db.session.add(row)
    db.session.flush()
    log_change(
        "account.reset_code_issue",
        user,
        actor=actor,
        complex_id=user.complex_id,
        after={"reset_code_id": row.id, "expires_at": row.expires_at.isoformat()},
    )
    return code


def reset_with_code(account: str, code: str, password: str, *, now=None) -> User:
    """`account` (user name or phone) chooses `password` with a code from their
    coordinator; every session of theirs ends. A wrong, used, ended or old code, or an
    account that does not exist, are one and the same refusal."""
    now = now or utcnow()
    candidates = [user.id for user in accounts_for(account)]
    row = None
    if candidates:
        row = db.session.scalar(
            select(PasswordResetCode).where(
                PasswordResetCode.user_id.in_(candidates),
                PasswordResetCode.code_hash == reset_code_digest(code),
                PasswordResetCode.used_at.is_(None),
                PasswordResetCode.ended_at.is_(None),
                PasswordResetCode.expires_at > now,
            )
        )
    if row is None:
        raise InvalidResetCode()
    user = db.session.get_one(User, row.user_id)
    check_new_password(password, username=user.username)
    used = db.session.execute(
        update(PasswordResetCode)
        .where(PasswordResetCode.id == row.id, PasswordResetCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_matched(used) != 1:
        raise InvalidResetCode()  # used by a request at the same moment
    _set_password(user, password, chosen_by_user=True)
    log_change(
        "account.password_reset_by_code",
        user,
        actor=user,
        complex_id=user.complex_id,
        after={"reset_code_id": row.id},
    )
    return user


# Getting back in: a link by e-mail -----------------------------------------------------
# The link carries the account, the moment it was made and a fingerprint of the password
# hash, signed under SECRET_KEY: it dies with its age, and the moment the password
# changes (its own use included).

RESET_LINK_LIFETIME = timedelta(hours=2)
_RESET_LINK_SALT = "gachi.auth.password-reset-link"
RESET_MAIL = N_(
    "Hello, %(name)s. To choose a new password for your account “%(username)s” on "
    "Gachi living, open the link below within %(hours)s hours. The link works once. "
    "If you did not ask for this, you can ignore this e-mail: your password stays as it is."
)


def _reset_signer():
    return URLSafeTimedSerializer(current_app.secret_key, salt=_RESET_LINK_SALT)


def _password_fingerprint(user) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def reset_link_token(user, *, now=None) -> str:
    now = now or utcnow()
    return _reset_signer().dumps(
        {"user": user.id, "at": int(now.timestamp()), "password": _password_fingerprint(user)}
    )


def send_reset_links(account: str, link_for, *, now=None) -> int:
    """Queue a reset link to the e-mail of each active account `account` names (after
    the commit, by the outbox job); how many were queued, which the page never says.
    `link_for(token)` makes the absolute link."""
    queued = 0
    for user in accounts_for(account):
        if not (user.email and user.active):
            continue
        # Through the outbox like every message: sent by the scheduler, in their language.
        queue_message(
            channel="email",
            address=user.email,
            language=user.language,
            user_id=user.id,
            message=RESET_MAIL,
            params={
                "name": user.display_name,
                "username": user.username,
                "hours": int(RESET_LINK_LIFETIME.total_seconds() // 3600),
            },
            link=link_for(reset_link_token(user, now=now)),
        )
        queued += 1
    return queued


def user_for_reset_link(token: str, *, now=None) -> User:
    """The account a live reset link is for; ResetLinkDead for a bad, old or used one."""
    now = now or utcnow()
    try:
        payload = _reset_signer().loads(token)
    except BadSignature:
        raise ResetLinkDead() from None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        raise ResetLinkDead()
    age = now.timestamp() - payload.get("at", 0)
    user = db.session.get(User, payload["user"])
    if (
        user is None
        or not user.active
        or not 0 <= age <= RESET_LINK_LIFETIME.total_seconds()
        or not hmac.compare_digest(str(payload.get("password")), _password_fingerprint(user))
    ):
        raise ResetLinkDead()
    return user


def reset_with_link(token: str, password: str, *, now=None) -> User:
    """The holder of a live link chooses `password`; the link and every session end."""
    user = user_for_reset_link(token, now=now)
    check_new_password(password, username=user.username)
    _set_password(user, password, chosen_by_user=True)
    log_change("account.password_reset_by_email", user, actor=user, complex_id=user.complex_id)
    return user
