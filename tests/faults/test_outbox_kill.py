"""The outbox sender killed with SIGKILL while SOLAPI holds a text it has not yet
answered for: after a restart every text is sent, each exactly once.

A real process (`send_outbox` in a Python process of its own, on a database of the
test's own) and the SOLAPI stand-in in this process; the stand-in keeps the first text
and does not answer, the sender is killed there, and a second process runs the job
again past the sending timeout."""

from datetime import datetime, time, timedelta

import pytest

from gachi.core.time import SEOUL, seoul_today
from gachi.extensions import db
from gachi.notifications.models import Channel, NotificationKind, OutboxMessage, OutboxStatus
from gachi.notifications.outbox import queue_message
from tests.faults.processes import (
    VENV_BIN,
    Process,
    app_environment,
    app_on,
    separate_database,
    wait_for,
)
from tests.notifications.standins import solapi_server

pytestmark = pytest.mark.faults

# Tomorrow, 10:00 in Seoul: after the messages are queued, outside the quiet hours.
MOMENT = datetime.combine(seoul_today() + timedelta(days=1), time(10), tzinfo=SEOUL)
RUN = """
import sys
from datetime import datetime
from gachi import create_app
from gachi.notifications.jobs import send_outbox
with create_app().app_context():
    print("outbox:", send_outbox(datetime.fromisoformat(sys.argv[1])), flush=True)
"""


def _sender(url, solapi_url, log_path, moment):
    env = app_environment(url)
    env.update(
        SOLAPI_API_KEY="test-key",
        SOLAPI_API_SECRET="test-secret",
        SOLAPI_BASE_URL=solapi_url,
        SOLAPI_SENDER="02-123-4567",
    )
    return Process(
        [str(VENV_BIN / "python"), "-c", RUN, moment.isoformat()], log_path=log_path, env=env
    )


def test_a_sender_killed_while_the_provider_holds_a_text_sends_each_once(tmp_path):
    log_path = tmp_path / "sender.log"
    with (
        separate_database(tmp_path, "outbox") as url,
        app_on(url),
        solapi_server() as (
            solapi,
            solapi_url,
        ),
    ):
        ids = []
        for n in range(3):
            ids.append(
                queue_message(
                    channel=Channel.SMS,
                    address=f"010-8888-00{n:02d}",
                    message="A place came free.",
                    kind=NotificationKind.BOOKINGS,
                    dedupe_key=f"kill-{n}",
                ).id
            )
        db.session.commit()
        db.session.remove()

        solapi.hold.set()
        first = _sender(url, solapi_url, log_path, MOMENT).start()
        try:
            wait_for(lambda: solapi.stored, timeout=60, message="the first text at SOLAPI")
            first.kill()
        finally:
            first.stop()
            solapi.hold.clear()
            solapi.release.set()
        assert len(solapi.received) == 1
        assert "outbox:" not in first.log()

        second = _sender(url, solapi_url, log_path, MOMENT + timedelta(minutes=11)).start()
        try:
            second.popen.wait(timeout=120)
        finally:
            second.stop()
        assert second.popen.returncode == 0, second.log()
        assert "outbox: sent 2; stalled: 1 found sent, 2 queued again" in second.log()

        numbers = [m["to"] for body in solapi.received for m in body["messages"]]
        assert sorted(numbers) == ["01088880000", "01088880001", "01088880002"]
        rows = [db.session.get(OutboxMessage, message_id) for message_id in ids]
        assert all(row.status is OutboxStatus.SENT for row in rows), [r.reason for r in rows]
        assert rows[0].provider_message_id == next(iter(solapi.stored))
