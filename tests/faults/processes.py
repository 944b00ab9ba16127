"""Real processes for the fault suite: gunicorn, the scheduler, a PostgreSQL cluster of
the test's own, a database apart from the suite's, and a person's browser over HTTP.

Every process is started in a process group of its own, so that SIGKILL reaches the
gunicorn master and its workers at once, and so that cleanup leaves nothing behind.
"""

import http.client
import http.cookiejar
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text

from config import BASE_DIR, TestConfig
from gachi import create_app
from gachi.extensions import db
from tests.factories import PASSWORD

VENV_BIN = BASE_DIR / ".venv" / "bin"


def _ports(spec):
    """The ports a spec like "5170-5189" names, both ends included."""
    first, last = (int(port) for port in spec.split("-"))
    return range(first, last + 1)


# This suite's ports (never 5000). `make test` runs the SQLite and PostgreSQL suites at
# once and gives each half of them (GACHI_FAULTS_PORTS), so the two never race for one.
PORTS = _ports(os.environ.get("GACHI_FAULTS_PORTS", "5170-5189"))
SECRET_KEY = secrets.token_urlsafe(32)  # one per run, shared by the servers and the test
CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')
LOST = (OSError, http.client.HTTPException)  # no answer: refused, reset, cut off


def free_port():
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def wait_for(condition, *, timeout, message, every=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"gave up after {timeout} s: {message}")


def running_in_group(group):
    """Ids of the live (not zombie) processes in process group `group`."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == group:
            alive.append(int(stat.parent.name))
    return alive


class Process:
    """A command in a process group of its own, its output in a log file."""

    def __init__(self, command, *, log_path, env=None):
        self.command, self.log_path, self.env = command, Path(log_path), env
        self.popen = None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(
                self.command,
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def running(self):
        return self.popen is not None and self.popen.poll() is None

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self):
        """SIGKILL to the whole group (a gunicorn master and its workers); wait until none is left."""
        self._signal_group(signal.SIGKILL)
        self.popen.wait(timeout=10)
        wait_for(
            lambda: not running_in_group(self.popen.pid),
            timeout=10,
            message=f"processes of {self.command[0]} outlived SIGKILL",
        )

    def stop(self):
        """SIGTERM to the group, SIGKILL after a grace time; safe to call twice."""
        if self.popen is None:
            return
        if running_in_group(self.popen.pid):
            self._signal_group(signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
                wait_for(lambda: not running_in_group(self.popen.pid), timeout=5, message="stop")
            except (subprocess.TimeoutExpired, AssertionError):
                self.kill()
        self.popen.wait(timeout=10)

    def _signal_group(self, signum):
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)


def app_environment(database_url):
    """What a deployment sets: its database, one SECRET_KEY for every instance. The
    development configuration, as production's cookies are Secure and these servers
    speak plain HTTP; nothing else differs for what the suite does."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GACHI_", "DATABASE_URL", "SECRET_KEY", "REDIS_URL", "SMTP_"))
    }
    env.update(
        GACHI_CONFIG="development",
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        FLASK_APP="wsgi.py",
        PYTHONUNBUFFERED="1",
    )
    return env


class AppServer(Process):
    """gunicorn serving wsgi:app on a port of this suite."""

    def __init__(self, database_url, log_path, *, workers=2):
        super().__init__(None, log_path=log_path, env=app_environment(database_url))
        self.workers, self.port, self.url = workers, None, None

    def start(self):
        """Start on a free port, chosen at the first start (so two servers never share one)
        and kept on a restart (gunicorn binds with SO_REUSEADDR)."""
        if self.port is None:
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
        self.command = [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(BASE_DIR),
            "--timeout",
            "60",
            "--graceful-timeout",
            "2",
            "wsgi:app",
        ]
        super().start()
        wait_for(
            self._answers, timeout=60, message=f"gunicorn on {self.port}:\n{self.log()[-3000:]}"
        )
        return self

    def _answers(self):
        if not self.running:
            raise AssertionError(f"gunicorn exited:\n{self.log()[-3000:]}")
        try:
            return Visitor(self.url).get("/login").status == 200
        except LOST:
            return False


def scheduler(database_url, log_path):
    return Process(
        [str(VENV_BIN / "flask"), "gachi", "scheduler"],
        log_path=log_path,
        env=app_environment(database_url),
    )


@contextmanager
def stopped_at_the_end(*processes):
    try:
        yield processes
    finally:
        for process in processes:
            process.stop()


# HTTP, as a person's browser ---------------------------------------------------------


@dataclass
class Page:
    status: int
    headers: dict
    text: str = field(repr=False)

    @property
    def location(self):
        return urllib.parse.urlsplit(self.headers.get("Location", "")).path


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """One person's browser: its own cookies, the CSRF token read off the pages, and
    redirects left unfollowed (the test reads where they point)."""

    def __init__(self, base_url, *, jar=None):
        self.base_url, self.jar = base_url, jar if jar is not None else http.cookiejar.CookieJar()
        self.csrf = None
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects()
        )

    def at(self, base_url):
        """The same browser (same cookies) talking to another server."""
        other = Visitor(base_url, jar=self.jar)
        other.csrf = self.csrf
        return other

    def _open(self, request):
        try:
            with self._opener.open(request, timeout=60) as response:
                page = Page(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            page = Page(error.code, dict(error.headers), error.read().decode(errors="replace"))
        match = CSRF_META.search(page.text)
        if match:
            self.csrf = match.group(1)
        return page

    def get(self, path):
        return self._open(urllib.request.Request(self.base_url + path))

    def post(self, path, data=None):
        if self.csrf is None:
            self.get("/")
        body = urllib.parse.urlencode({"csrf_token": self.csrf, **(data or {})}).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=body, method="POST"))

    def sign_in(self, username, password=PASSWORD):
        self.get("/login")
        page = self.post("/login", {"username": username, "password": password})
        assert page.status == 302, (page.status, page.text[:500])
        self.get("/")  # the signed-in session's CSRF token
        return self

    def cookie(self, name):
        return next((cookie.value for cookie in self.jar if cookie.name == name), None)

    def cookie_at(self, path):
        """The value of the cookie kept for exactly `path` (e.g. a ballot's receipt)."""
        return next((cookie.value for cookie in self.jar if cookie.path == path), None)


# Databases apart from the suite's ----------------------------------------------------


def on_postgresql():
    return TestConfig.SQLALCHEMY_DATABASE_URI.startswith("postgres")


def _driver_url(url):
    return make_url(url).set(drivername="postgresql+psycopg")


@contextmanager
def _maintenance(url):
    engine = create_engine(_driver_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


@contextmanager
def separate_database(tmp_path, suffix):
    """A database URL of the test's own: a SQLite file under tmp_path, or, when the suite
    runs on PostgreSQL, a new database on that server named after the suite's (dropped
    at the end). The suite's own tables are never touched."""
    if not on_postgresql():
        yield f"sqlite:///{tmp_path / f'{suffix}.sqlite3'}"
        return
    suite = make_url(TestConfig.SQLALCHEMY_DATABASE_URI)
    name = f"{suite.database}_{suffix}"
    url = suite.set(database=name).render_as_string(hide_password=False)
    with _maintenance(url) as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url
    finally:
        with _maintenance(url) as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def app_on(database_url):
    """The app, in this process, on `database_url`, migrated to the head: the factories
    and operations prepare the scene through it and the test reads the rows back."""

    class FaultsConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        SECRET_KEY = SECRET_KEY  # as the servers have: ballot boxes are sealed under it

    app = create_app(FaultsConfig)
    try:
        with app.app_context():
            upgrade()
            db.session.remove()
            yield app
            db.session.remove()
    finally:
        with app.app_context():
            db.engine.dispose()


# A PostgreSQL cluster of the test's own ------------------------------------------------


def postgres_bin():
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _skip_outside_ci(reason):
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


class Cluster:
    """A throwaway PostgreSQL cluster (initdb, pg_ctl) on a port of this suite. PostgreSQL
    refuses to run as root, so as root the cluster belongs to the `postgres` user."""

    def __init__(self, bin_dir, as_user):
        self.bin_dir, self.as_user = bin_dir, as_user
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="gachi-faults-pg-"))
        self.data = self.directory / "data"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        if as_user:
            shutil.chown(self.directory, as_user, as_user)

    @classmethod
    def or_skip(cls):
        """A cluster to init and start; where that is impossible the test is skipped,
        except in CI (the CI variable set), where PostgreSQL is installed and it fails."""
        bin_dir = postgres_bin()
        if bin_dir is None:
            _skip_outside_ci("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
        as_user = None
        if os.geteuid() == 0:
            if not shutil.which("runuser"):
                _skip_outside_ci(
                    "running as root without runuser: PostgreSQL will not start as root"
                )
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                _skip_outside_ci(
                    "running as root and there is no `postgres` user to run PostgreSQL as"
                )
            as_user = "postgres"
        return cls(bin_dir, as_user)

    def _run(self, program, *args):
        command = [str(self.bin_dir / program), *args]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)

    def init(self):
        self._run(
            "initdb",
            "--pgdata",
            str(self.data),
            "--username",
            "postgres",
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-sync",
        )
        return self

    def start(self):
        """Start on the cluster's port; if another process took the port since it was
        chosen, choose again once. A failure says what PostgreSQL's log says."""
        for attempt in (1, 2):
            try:
                self._run(
                    "pg_ctl",
                    "start",
                    "--pgdata",
                    str(self.data),
                    "--wait",
                    "--timeout",
                    "120",
                    "--log",
                    str(self.directory / "postgres.log"),
                    "-o",
                    f"-p {self.port} -c listen_addresses=127.0.0.1 "
                    f"-c unix_socket_directories={self.directory} -c fsync=off",
                )
                return
            except subprocess.CalledProcessError as error:
                log = (self.directory / "postgres.log").read_text(errors="replace")
                if attempt == 2 or "could not bind" not in log:
                    raise AssertionError(
                        f"pg_ctl start failed: {error.stderr}\n{log[-3000:]}"
                    ) from error
                self.port = free_port()
                self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self, mode="fast"):
        self._run("pg_ctl", "stop", "--pgdata", str(self.data), "--wait", "--mode", mode)

    def is_running(self):
        return (self.data / "postmaster.pid").exists()

    def remove(self):
        if self.is_running():
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)
