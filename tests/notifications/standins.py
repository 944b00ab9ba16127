"""Stand-ins on 127.0.0.1 for the outbox's providers: a real SMTP server (aiosmtpd) and
SOLAPI's documented send endpoint (POST /messages/v4/send-many/detail). Nothing leaves
the machine."""

import hashlib
import hmac
import json
import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

SEND_PATH = "/messages/v4/send-many/detail"


class Mailbox:
    """What the SMTP server received; `refuse` answers the next RCPT with that code."""

    def __init__(self):
        self.messages = []
        self.refuse = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


@contextmanager
def smtp_server():
    mailbox = Mailbox()
    # aiosmtpd connects to its own port to check it started, so it needs a real one.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, controller.port
    finally:
        controller.stop()


def _signed(authorization, key="test-key", secret="test-secret"):
    """SOLAPI's documented HMAC header: signature = HMAC-SHA256(secret, date + salt)."""
    scheme, _, fields = (authorization or "").partition(" ")
    values = dict(part.strip().split("=", 1) for part in fields.split(",") if "=" in part)
    expected = hmac.new(
        secret.encode(), (values.get("Date", "") + values.get("salt", "")).encode(), hashlib.sha256
    ).hexdigest()
    return (
        scheme == "HMAC-SHA256"
        and values.get("ApiKey") == key
        and hmac.compare_digest(values.get("signature", ""), expected)
    )


def _group_info(count, failed, group_number):
    cash = {"requested": 0, "replacement": 0, "refund": 0, "sum": 0}
    return {
        "count": {
            "total": count,
            "sentTotal": 0,
            "sentSuccess": 0,
            "sentPending": 0,
            "sentReplacement": 0,
            "refund": 0,
            "registeredFailed": failed,
            "registeredSuccess": count - failed,
        },
        "countForCharge": {},
        "balance": cash,
        "point": cash,
        "app": {"profit": {}, "appId": None},
        "log": [],
        "status": "SENDING",
        "allowDuplicates": False,
        "isRefunded": False,
        "accountId": "12345",
        "masterAccountId": None,
        "apiVersion": "4",
        "groupId": f"G4V{group_number:06d}",
        "price": {},
        "dateCreated": None,
        "dateUpdated": None,
    }


class SolapiStandIn:
    """Every request received, in order; `answers` (HTTP status, errorCode) come first."""

    def __init__(self):
        self.received = []
        self.answers = []
        self.refused_numbers = set()


@contextmanager
def solapi_server():
    standin = SolapiStandIn()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path != SEND_PATH or not _signed(self.headers["Authorization"]):
                return self._answer(404, {"errorCode": "NotFound", "errorMessage": self.path})
            standin.received.append(body)
            if standin.answers:
                status, code = standin.answers.pop(0)
                return self._answer(status, {"errorCode": code, "errorMessage": code})
            messages = body["messages"]
            failed = [m for m in messages if m["to"] in standin.refused_numbers]
            listed = [m for m in messages if m["to"] not in standin.refused_numbers]
            return self._answer(
                200,
                {
                    "groupInfo": _group_info(len(messages), len(failed), len(standin.received)),
                    "failedMessageList": [
                        {
                            "to": m["to"],
                            "from": m.get("from"),
                            "type": m.get("type") or "SMS",
                            "statusMessage": "수신거부 번호",
                            "country": "82",
                            "messageId": f"M4V{index}",
                            "statusCode": "3059",
                            "accountId": "12345",
                        }
                        for index, m in enumerate(failed)
                    ],
                    "messageList": [
                        {
                            "messageId": f"M4V{len(standin.received):04d}{index}",
                            "statusCode": "2000",
                            "statusMessage": "정상 접수(이통사로 접수 예정)",
                        }
                        for index, _m in enumerate(listed)
                    ],
                },
            )

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield standin, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
