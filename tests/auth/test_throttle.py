"""The sign-in throttle: sliding windows per (account, address), address and account."""

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from gachi.auth import throttle
from gachi.auth.models import LoginFailure
from gachi.core.time import utcnow
from gachi.extensions import db

HOME = "10.0.0.1"
ELSEWHERE = "10.0.0.2"


def fail(account, address, times=1, *, ago=timedelta(0)):
    for _ in range(times):
        db.session.add(LoginFailure(account=account, address=address, created_at=utcnow() - ago))
    db.session.commit()


def allowed(config_key):
    return current_app.config[config_key][0]


def test_nine_failures_in_a_minute_are_allowed_and_the_tenth_attempt_is_not():
    fail("kim", HOME, allowed("LOGIN_LIMIT_ACCOUNT_ADDRESS") - 1)
    assert not throttle.limit_reached("kim", HOME)
    fail("kim", HOME)
    assert throttle.limit_reached("kim", HOME)


def test_failures_older_than_the_window_do_not_count():
    window = current_app.config["LOGIN_LIMIT_ACCOUNT_ADDRESS"][1]
    fail("kim", HOME, allowed("LOGIN_LIMIT_ACCOUNT_ADDRESS"), ago=window + timedelta(seconds=5))
    assert not throttle.limit_reached("kim", HOME)


def test_failures_from_one_address_do_not_lock_the_account_at_another():
    fail("kim", HOME, allowed("LOGIN_LIMIT_ACCOUNT_ADDRESS"))
    assert throttle.limit_reached("kim", HOME)
    assert not throttle.limit_reached("kim", ELSEWHERE)


def test_one_address_trying_many_accounts_is_stopped():
    for number in range(allowed("LOGIN_LIMIT_ADDRESS")):
        fail(f"resident{number}", HOME)
    assert throttle.limit_reached("somebody-new", HOME)
    assert not throttle.limit_reached("somebody-new", ELSEWHERE)


def test_many_addresses_trying_one_account_are_stopped_for_that_account_only():
    for number in range(allowed("LOGIN_LIMIT_ACCOUNT")):
        fail("kim", f"192.0.2.{number}")
    assert throttle.limit_reached("kim", "198.51.100.1")
    assert not throttle.limit_reached("lee", "198.51.100.1")


def test_the_account_wide_lock_lifts_once_its_window_has_passed():
    limit, window = current_app.config["LOGIN_LIMIT_ACCOUNT"]
    for number in range(limit):
        fail("kim", f"192.0.2.{number}", ago=window + timedelta(minutes=1))
    assert not throttle.limit_reached("kim", "198.51.100.1")


def test_user_name_case_does_not_escape_the_count():
    fail("kim", HOME, allowed("LOGIN_LIMIT_ACCOUNT_ADDRESS"))
    assert throttle.limit_reached("KIM", HOME)


def test_join_failures_from_many_addresses_do_not_stop_joining_from_another():
    for number in range(allowed("LOGIN_LIMIT_ACCOUNT") + 5):
        fail(throttle.JOIN_ACCOUNT, f"192.0.2.{number}")
    assert not throttle.limit_reached(throttle.JOIN_ACCOUNT, "198.51.100.1")


def test_join_failures_from_one_address_are_limited():
    fail(throttle.JOIN_ACCOUNT, HOME, allowed("LOGIN_LIMIT_ACCOUNT_ADDRESS"))
    assert throttle.limit_reached(throttle.JOIN_ACCOUNT, HOME)


def test_recording_a_failure_counts_it():
    for _ in range(allowed("LOGIN_LIMIT_ACCOUNT_ADDRESS")):
        throttle.record_failure("Kim", HOME)
    db.session.commit()
    assert throttle.limit_reached("kim", HOME)


def test_clearing_failures_forgets_only_that_account_and_address():
    fail("kim", HOME, 3)
    fail("kim", ELSEWHERE, 2)
    fail("lee", HOME, 1)
    throttle.clear_failures("kim", HOME)
    db.session.commit()
    remaining = db.session.execute(
        select(LoginFailure.account, LoginFailure.address, func.count())
        .group_by(LoginFailure.account, LoginFailure.address)
        .order_by(LoginFailure.account, LoginFailure.address)
    ).all()
    assert remaining == [("kim", ELSEWHERE, 2), ("lee", HOME, 1)]


def test_purge_deletes_failures_older_than_a_day_and_keeps_the_rest():
    fail("kim", HOME, 2, ago=timedelta(days=1, minutes=1))
    fail("kim", HOME, 1, ago=timedelta(hours=23))
    assert throttle.purge() == 2
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 1


def test_recording_failures_now_and_then_purges_old_ones(monkeypatch):
    fail("kim", HOME, 1, ago=timedelta(days=2))
    monkeypatch.setattr(throttle, "PURGE_CHANCE", 1.0)
    throttle.record_failure("lee", HOME)
    db.session.commit()
    assert db.session.scalars(select(LoginFailure.account)).all() == ["lee"]


@pytest.mark.parametrize("account", ["k" * 200, ""])
def test_odd_account_names_are_stored_within_the_column(account):
    throttle.record_failure(account, HOME)
    db.session.commit()
    assert not throttle.limit_reached(account, HOME)


def test_the_wait_is_until_the_oldest_counted_failure_leaves_the_window():
    allowed_here, window = current_app.config["LOGIN_LIMIT_ACCOUNT_ADDRESS"]
    assert throttle.seconds_to_wait("kim", HOME) == 0
    fail("kim", HOME, 1, ago=timedelta(seconds=40))
    fail("kim", HOME, allowed_here - 1)
    # The failure 40 seconds old leaves the window first; then one more try is allowed.
    assert (
        window.total_seconds() - 41
        <= throttle.seconds_to_wait("kim", HOME)
        <= window.total_seconds() - 39
    )


def test_with_several_limits_reached_the_wait_is_the_longest():
    allowed_account, account_window = current_app.config["LOGIN_LIMIT_ACCOUNT"]
    for number in range(allowed_account):
        fail("kim", f"192.0.2.{number}", ago=timedelta(minutes=5))
    fail("kim", HOME, allowed("LOGIN_LIMIT_ACCOUNT_ADDRESS"))
    expected = (account_window - timedelta(minutes=5)).total_seconds()
    assert expected - 1 <= throttle.seconds_to_wait("kim", HOME) <= expected + 1
