"""Two-factor sign-in: a code from a phone app (TOTP, RFC 6238) or a recovery code.

Why it works this way:

- Center staff must use it (they see every complex's personal data); coordinators and
  enterprise partners may; residents are not offered it, so their sign-in stays a
  user name and a password.
- The secret is 160 random bits (pyotp.random_base32), stored as it is: the server
  must compute the same codes as the phone, so it cannot keep only a digest.
- A code is accepted for its own 30-second step and one step either side (a phone's
  clock a little off). `users.totp_last_step` remembers the last accepted step, and
  accepting a code is one conditional UPDATE (`… WHERE totp_last_step < :step`): of
  two requests racing with the same code, only one changes the row, so a code
  overheard or shoulder-surfed cannot be used again, not even at the same moment.
- Recovery codes (ten, shown once) are 12 characters from a 32-letter alphabet, 60
  random bits each, and kept as SHA-256 digests. A slow hash (Argon2) is for what
  people choose, which can be guessed; 60 random bits cannot be searched from a stolen
  digest in any useful time, and a plain digest lets sign-in find the code by an
  indexed equality and consume it in one conditional UPDATE (`… AND used_at IS NULL`),
  so a code works once even when two requests race. Argon2 would have to be tried
  against every one of the person's codes, each costing tens of milliseconds.
- Switching it on or an admin's reset ends every other session (session version), as
  a password change does.
- These functions never commit: the handler's unit of work does (gachi.core.handlers).
"""

import hashlib
import hmac
import secrets

import pyotp
import segno
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from gachi.auth.models import RecoveryCode, User
from gachi.auth.operations import (
    AccountChangeRefused,
    WrongPassword,
    WrongSecret,
    end_all_sessions,
)
from gachi.auth.passwords import verify_password
from gachi.core.audit import log_change
from gachi.core.time import utcnow
from gachi.extensions import db

ISSUER = "gachi"
STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 12
# Base32 (A–Z, 2–7): no 0, 1 or 8 to confuse with O, I or B when typed from paper.
RECOVERY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class WrongCode(WrongSecret):
    code = "wrong_code"
    field = "code"
    status = 401
    default_message = _l(
        "This code is not right, or it was already used. Type the code your "
        "app shows now, or one of your recovery codes."
    )


class TwoFactorRefused(AccountChangeRefused):
    code = "two_factor_refused"


# Codes -----------------------------------------------------------------------------


def _totp(secret):
    return pyotp.TOTP(secret, interval=STEP_SECONDS)


def current_step(now=None) -> int:
    return int((now or utcnow()).timestamp()) // STEP_SECONDS


def code_for(secret: str, now=None) -> str:
    """The code a phone with `secret` shows at `now` (tests, the demo and the bench use it)."""
    return _totp(secret).at((now or utcnow()).timestamp())


def _normalise(code: str) -> str:
    """Upper-case ASCII letters and digits only: spaces and dashes typed from paper go, and
    so do other scripts' digits (compare_digest refuses non-ASCII text)."""
    return "".join(
        character
        for character in (code or "").upper()
        if character.isascii() and character.isalnum()
    )


def _matching_step(secret: str, code: str, now) -> int | None:
    """The step within the allowed drift whose code is `code`, or None."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp, here = _totp(secret), current_step(now)
    for step in range(here - DRIFT_STEPS, here + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user, step: int) -> bool:
    """Record `step` as used unless it (or a later one) already was: one winner per code."""
    claimed = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(user, ["totp_last_step"])
    return claimed.rowcount == 1


def _digest(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


# Typed from paper, a zero or a one is the letter it looks like: the alphabet has no digits
# that could be confused.
_LOOK_ALIKES = str.maketrans("018", "OIB")


def _use_recovery_code(user, code: str, now) -> bool:
    code = code.translate(_LOOK_ALIKES)
    if len(code) != RECOVERY_CODE_LENGTH:
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return used.rowcount == 1


def use_code(user, code: str, *, now=None) -> bool:
    """True if `code` is a current app code or an unused recovery code of `user`; either
    is used up by this call. Only for an account whose two-factor sign-in is on."""
    if not user.has_two_factor:
        return False
    now, code = now or utcnow(), _normalise(code)
    step = _matching_step(user.totp_secret, code, now)
    if step is not None:
        return _claim_step(user, step)
    return _use_recovery_code(user, code, now)


def sign_in_with_code(user, code: str, *, now=None) -> None:
    """The second sign-in step: `code` is used up (else WrongCode) and the sign-in stamped."""
    if not use_code(user, code, now=now):
        raise WrongCode()
    user.last_login_at = now or utcnow()


def recovery_codes_left(user) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def _issue_recovery_codes(user) -> list[str]:
    """Ten new codes replace any earlier ones; the plain codes are returned only here."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    db.session.flush()
    return [f"{code[:4]}-{code[4:8]}-{code[8:]}" for code in codes]


# Enrolment ---------------------------------------------------------------------------


def pending_secret(user) -> str:
    """The secret `user` is enrolling with: kept from an earlier visit, so a code already
    scanned keeps working when the page is reloaded."""
    if not user.may_use_two_factor:
        raise TwoFactorRefused(_l("Residents sign in with their password only."))
    if user.has_two_factor:
        raise TwoFactorRefused(_l("Two-factor sign-in is already on for this account."))
    if user.totp_secret is None:
        user.totp_secret = pyotp.random_base32()
    return user.totp_secret


def secret_to_scan(user) -> str:
    """The secret the set-up page shows: the pending one as kept (`pending_secret` keeps one
    from the first visit), or, for a page drawn before any was kept, a new one that nobody
    keeps, so drawing the page writes nothing."""
    return user.totp_secret or pyotp.random_base32()


def provisioning_uri(user, secret: str) -> str:
    return _totp(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_data_uri(text: str) -> str:
    """`text` as a QR code in a data: address, so the secret never has a URL of its own."""
    return segno.make(text, error="m", micro=False).svg_data_uri(scale=5, border=2)


def switch_on(user, code: str, *, now=None) -> list[str]:
    """`user` confirms the pending secret with a current code; returns the recovery codes.

    Every other session of theirs ends (the view starts this browser's again)."""
    secret = pending_secret(user)
    now = now or utcnow()
    step = _matching_step(secret, _normalise(code), now)
    if step is None or not _claim_step(user, step):
        raise WrongCode(_l("This code is not right. Type the code your app shows now."))
    user.two_factor_since = now
    codes = _issue_recovery_codes(user)
    end_all_sessions(user)
    log_change("account.two_factor_on", user, actor=user)
    return codes


def regenerate_recovery_codes(user, password: str) -> list[str]:
    """New recovery codes after the person types their password again; old ones stop working."""
    if not user.has_two_factor:
        raise TwoFactorRefused(_l("Two-factor sign-in is not on for this account."))
    if not verify_password(user.password_hash, password):
        raise WrongPassword()
    codes = _issue_recovery_codes(user)
    log_change("account.recovery_codes_renewed", user, actor=user)
    return codes


def _clear(user) -> None:
    user.totp_secret = None
    user.two_factor_since = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def switch_off(user, password: str, code: str) -> None:
    """A coordinator or partner turns it off with their password and a code; staff cannot."""
    if user.must_use_two_factor:
        raise TwoFactorRefused(_l("Center staff must keep two-factor sign-in on."))
    if not user.has_two_factor:
        raise TwoFactorRefused(_l("Two-factor sign-in is not on for this account."))
    if not verify_password(user.password_hash, password):
        raise WrongPassword()
    if not use_code(user, code):
        raise WrongCode()
    _clear(user)
    log_change("account.two_factor_off", user, actor=user)


def reset(user, *, actor) -> None:
    """An account admin clears `user`'s second factor (a lost phone): they sign in with
    their password and, if staff, enrol again before anything else. Every session ends."""
    if user.id == actor.id:
        raise TwoFactorRefused(_l("Another account admin must reset your own two-factor sign-in."))
    if user.totp_secret is None:
        raise TwoFactorRefused(_l("Two-factor sign-in is not on for this account."))
    was_on = user.has_two_factor
    _clear(user)
    end_all_sessions(user)
    log_change(
        "account.two_factor_reset",
        user,
        actor=actor,
        before={"two_factor": was_on},
        after={"two_factor": False},
    )
