"""Sign-in throttling: how many wrong passwords we let through, and from where.

Why it works this way:

- Kept in the database (the `login_failures` table), not in one process's
  memory, so every gunicorn worker and every app server counts the same
  failures. One row per failure; counting is an indexed range scan.
- Three limits, each a count of failures in a sliding window (config.py):
  LOGIN_LIMIT_ACCOUNT_ADDRESS for one account from one address (9 a minute: a
  resident who mistypes is not held up, a guesser is), LOGIN_LIMIT_ADDRESS for
  one address whatever the account (one machine trying many accounts), and
  LOGIN_LIMIT_ACCOUNT for one account from every address (a spread-out attack).
  When any is reached the attempt is refused with a 429 *before* the password is
  checked, so a refused attempt tells the guesser nothing and is not counted. Its
  Retry-After is the real wait: until every used-up window frees a place.
- Nobody can be locked out for good: the windows are short and sliding, so the
  door opens again by itself once the failures age out, and a successful sign-in
  clears its own (account, address) failures. Only the account-wide limit can hold
  a resident back because of someone else, and only while an attack from many
  addresses is going on and for one window after it stops.
- The account is the user name as typed (normalised), whether or not such an
  account exists, so the throttle does not reveal which names are real. A sign-in by
  phone number counts under "tel:<digits>" (operations.sign_in_key), so 010-1234-5678
  and 01012345678 are one key. The user name and the phone of one account are two keys:
  joining them would tell a guesser which phone belongs to which name, so a guesser who
  knows both gets twice the tries, which does not change the arithmetic.
- A password reset with a code from the coordinator counts a wrong code under the same
  key as a wrong password, so guessing codes and passwords share one allowance. Asking
  for a reset link by e-mail counts every request (right or wrong) under
  "mail:<key>", which caps the mail one address can send to any mailbox.
- The address is `request.remote_addr`. Behind a reverse proxy, wrap the app in
  werkzeug's ProxyFix with the number of proxies you run; we never read
  X-Forwarded-For ourselves, because anyone can send that header and so choose
  their own "address".
- The password-change page counts a wrong current password against the same
  (account, address) pair, so a borrowed session cannot be used to guess it.
- Joining with an invitation code uses the same table under the account key
  JOIN_ACCOUNT, limited per address only: counting every address's join
  failures together would let one attacker stop every household from joining.
- Rows older than a day are deleted now and then while recording a failure
  (the typed names are personal data, and the table stays small); `purge` does
  it on demand.
- A burst of simultaneous attempts may all pass the check before any of their
  failures is written. On SQLite the check, the password and the failure are
  under one write lock (views.checking_a_secret), so they queue; on PostgreSQL
  the overshoot is at most the number of requests served at once, which does not
  change the arithmetic of guessing.
"""

import math
import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from gachi.auth.models import LoginFailure
from gachi.core.time import as_aware, utcnow
from gachi.extensions import db

# Not a possible user name (user names have no colon), so it never mixes with one.
JOIN_ACCOUNT = "join:"
KEEP_FAILURES_FOR = timedelta(days=1)
PURGE_CHANCE = 1 / 50
_COLUMN_LENGTH = 64


def _key(value: str) -> str:
    return (value or "").lower()[:_COLUMN_LENGTH]


def _window_frees_at(since, allowed, *conditions):
    """When a limit of `allowed` failures since `since` was used up: the moment of the
    allowed-th newest failure (its window ends first), or None while under the limit."""
    return db.session.scalar(
        select(LoginFailure.created_at)
        .where(LoginFailure.created_at >= since, *conditions)
        .order_by(LoginFailure.created_at.desc())
        .offset(allowed - 1)
        .limit(1)
    )


def seconds_to_wait(account: str, address: str) -> int:
    """0 when `account` may try from `address` now; else the whole seconds until every
    allowance it has used up frees a place (the Retry-After of the refusal)."""
    account, address = _key(account), _key(address)
    config, now = current_app.config, utcnow()
    limits = [
        (
            config["LOGIN_LIMIT_ACCOUNT_ADDRESS"],
            (LoginFailure.account == account, LoginFailure.address == address),
        ),
        (config["LOGIN_LIMIT_ADDRESS"], (LoginFailure.address == address,)),
    ]
    if account != JOIN_ACCOUNT:
        limits.append((config["LOGIN_LIMIT_ACCOUNT"], (LoginFailure.account == account,)))
    waits = []
    for (allowed, window), conditions in limits:
        frees_at = _window_frees_at(now - window, allowed, *conditions)
        if frees_at is not None:
            waits.append((as_aware(frees_at) + window - now).total_seconds())
    return max(1, math.ceil(max(waits))) if waits else 0


def limit_reached(account: str, address: str) -> bool:
    """True when `account` from `address` has used up any of its allowances."""
    return seconds_to_wait(account, address) > 0


def record_failure(account: str, address: str) -> None:
    db.session.add(LoginFailure(account=_key(account), address=_key(address), created_at=utcnow()))
    if random.random() < PURGE_CHANCE:
        purge()


def clear_failures(account: str, address: str) -> None:
    """After a successful sign-in: this pair starts afresh (other addresses do not)."""
    db.session.execute(
        delete(LoginFailure).where(
            LoginFailure.account == _key(account), LoginFailure.address == _key(address)
        )
    )


def purge() -> int:
    """Delete failures older than a day; returns how many went."""
    result = db.session.execute(
        delete(LoginFailure).where(LoginFailure.created_at < utcnow() - KEEP_FAILURES_FOR)
    )
    return result.rowcount
