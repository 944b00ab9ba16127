"""PostgreSQL stopped under a running app: a Korean 503 page with Retry-After (JSON on the
API), the visitor still shown signed in, and the app serves again by itself once
PostgreSQL is back, without a restart.

The test runs a PostgreSQL cluster of its own (initdb and pg_ctl in a temporary folder,
on a port of this suite), so it runs on every machine with PostgreSQL's server programs
installed, CI included, whichever database the rest of the suite uses.
"""

import json

import pytest

from gachi.extensions import db
from tests import factories as make
from tests.faults.processes import AppServer, Cluster, Visitor, app_on, wait_for

pytestmark = pytest.mark.faults


@pytest.fixture
def cluster():
    cluster = Cluster.or_skip()
    try:
        cluster.init().start()
        yield cluster
    finally:
        cluster.remove()


def test_postgresql_stopped_is_a_korean_503_and_the_app_recovers_by_itself(cluster, tmp_path):
    with app_on(cluster.url):
        username = make.resident().username
        db.session.remove()
    server = AppServer(cluster.url, tmp_path / "gunicorn.log")
    try:
        server.start()
        visitor = Visitor(server.url).sign_in(username)  # no language chosen: Korean
        assert visitor.get("/").status == 200
        workers_before = server.popen.pid

        cluster.stop("immediate")  # as a crash would: no shutdown checkpoint
        for path in ("/", "/my/bookings", "/login"):
            page = visitor.get(path)
            assert page.status == 503, (path, page.status)
            assert page.headers["Retry-After"].isdigit()
            assert '<html lang="ko">' in page.text and "첫 화면으로 가기" in page.text
            assert "로그아웃" in page.text  # the header still shows the resident signed in
        api = visitor.get("/api/v1/cohorts")
        assert api.status == 503 and api.headers["Retry-After"].isdigit()
        assert json.loads(api.text)["error"]["status"] == 503  # the API's own error, not a page

        cluster.start()
        wait_for(
            lambda: visitor.get("/").status == 200,
            timeout=30,
            message="the app serving again after PostgreSQL came back",
        )
        assert visitor.get("/my/bookings").status == 200  # still signed in (not sent to /login)
        assert server.running and server.popen.pid == workers_before  # never restarted
    finally:
        server.stop()
