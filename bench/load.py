"""A small HTTP client with cookies, and bounded runs: sequential and concurrent.

Every run stops by itself, at a number of requests or after some seconds, whichever
comes first, and talks only to 127.0.0.1.
"""

import http.client
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pyotp

CSRF_META = re.compile(rb'name="csrf-token" content="([^"]+)"')
SECOND_STEP = "/login/code"


class Client:
    """One browser: its cookies, its CSRF token, one connection per request."""

    def __init__(self, port, timeout=120):
        self.port, self.timeout = port, timeout
        self.cookies, self.csrf_token = {}, None
        self.last_location = ""

    def request(self, method, path, form=None):
        """(status, body, seconds)."""
        body = urlencode(form).encode() if form is not None else None
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "ko"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        self.last_location = response.headers.get("Location") or ""
        self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        return response.status, content, elapsed

    def _keep_cookies(self, headers):
        for header in headers:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)

    def sign_in(self, username, password, totp_secret=None):
        self.csrf_token = self._token("/login")
        status, _, _ = self.request(
            "POST",
            "/login",
            {"username": username, "password": password, "csrf_token": self.csrf_token},
        )
        if status not in (302, 303):
            raise RuntimeError(f"{username} could not sign in (HTTP {status})")
        if self.last_location.endswith(SECOND_STEP):
            status = self._second_step(totp_secret)
        if status not in (302, 303):
            raise RuntimeError(f"{username} could not pass the second step (HTTP {status})")
        self.csrf_token = self._token("/")  # signing in may start a new session

    def _second_step(self, totp_secret):
        """A code works once: if an earlier run used this 30 seconds' code, wait for the next."""
        for _ in range(2):
            status, _, _ = self.request(
                "POST",
                SECOND_STEP,
                {"code": pyotp.TOTP(totp_secret).now(), "csrf_token": self.csrf_token},
            )
            if status != 401:
                return status
            time.sleep(30 - time.time() % 30 + 1)
        return status

    def _token(self, path):
        status, content, _ = self.request("GET", path)
        match = CSRF_META.search(content)
        if status != 200 or match is None:
            raise RuntimeError(f"no CSRF token on {path} (HTTP {status})")
        return match.group(1).decode()

    def post(self, path, form):
        return self.request("POST", path, {"csrf_token": self.csrf_token, **form})


@dataclass
class Run:
    """What a bounded run measured: the latencies of the answers that succeeded."""

    latencies: list = field(default_factory=list)
    failures: dict = field(default_factory=dict)  # status -> count
    seconds: float = 0.0

    def record(self, ok, status, elapsed):
        if ok:
            self.latencies.append(elapsed)
        else:
            self.failures[status] = self.failures.get(status, 0) + 1

    def percentile(self, share):
        """In milliseconds (nearest rank); None when nothing succeeded."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]

    @property
    def p50(self):
        return 1000 * statistics.median(self.latencies) if self.latencies else None

    @property
    def p95(self):
        return self.percentile(0.95)

    @property
    def p99(self):
        return self.percentile(0.99)

    @property
    def per_second(self):
        return len(self.latencies) / self.seconds if self.seconds else None


def sequential(client, path, *, count, seconds, warm_up=2):
    """GET `path` one request after another; 200s count."""
    for _ in range(warm_up):
        client.request("GET", path)
    run, started = Run(), time.perf_counter()
    while (
        len(run.latencies) + sum(run.failures.values()) < count
        and time.perf_counter() - started < seconds
    ):
        status, _, elapsed = client.request("GET", path)
        run.record(status == 200, status, elapsed)
    run.seconds = time.perf_counter() - started
    return run


def concurrent(clients, send, *, count, seconds):
    """Each client in its own thread calls `send(client, number)` -> (ok, status, elapsed)
    until `count` requests went out in all or `seconds` passed; `send` may return None
    when that client has nothing left to send."""
    run, lock = Run(), threading.Lock()
    sent = [0]
    started = time.perf_counter()

    def work(client):
        number = 0
        while time.perf_counter() - started < seconds:
            with lock:
                if sent[0] >= count:
                    return
                sent[0] += 1
            outcome = send(client, number)
            number += 1
            if outcome is None:
                return
            with lock:
                run.record(*outcome)

    threads = [threading.Thread(target=work, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - started
    return run
