"""Stand-ins on 127.0.0.1 for the outbox's providers: a real SMTP server (aiosmtpd) and
SOLAPI's documented send endpoint (POST /messages/v4/send-many/detail) and the message
list the SDK reads (GET /messages/v4/list-old), answered from what was sent. Nothing
leaves the machine."""

import hashlib
import hmac
import json
import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

SEND_PATH = "/messages/v4/send-many/detail"
LIST_PATH = "/messages/v4/list-old"


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
    """Every send request received, in order; `answers` (HTTP status, errorCode) come
    first. `stored` is what it accepted, by message id, as its message list shows it;
    `lookups` the list requests' queries; `list_answers` (status, errorCode) answer them
    first."""

    def __init__(self):
        self.received = []
        self.answers = []
        self.refused_numbers = set()
        self.stored = {}
        self.lookups = []
        self.list_answers = []
        # Set: a send is accepted (stored) but not answered until `release` is set, so
        # its sender can be killed after the provider took the message.
        self.hold = threading.Event()
        self.release = threading.Event()


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

        def do_GET(self):
            url = urlsplit(self.path)
            if url.path != LIST_PATH or not _signed(self.headers["Authorization"]):
                return self._answer(404, {"errorCode": "NotFound", "errorMessage": self.path})
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            standin.lookups.append(query)
            if standin.list_answers:
                status, code = standin.list_answers.pop(0)
                return self._answer(status, {"errorCode": code, "errorMessage": code})
            # Filters by recipient and pages by `limit`/`startKey` (a message id), as
            # SOLAPI documents; every message here is recent, so dates are not filtered.
            matching = [
                (message_id, message)
                for message_id, message in standin.stored.items()
                if message["to"] == query.get("to", message["to"])
            ]
            ids = [message_id for message_id, _m in matching]
            first = ids.index(query["startKey"]) if query.get("startKey") in ids else 0
            limit = int(query.get("limit", 20))
            page = matching[first : first + limit]
            rest = matching[first + limit : first + limit + 1]
            return self._answer(
                200,
                {
                    "limit": limit,
                    "startKey": query.get("startKey"),
                    "nextKey": rest[0][0] if rest else None,
                    "messageList": dict(page),
                },
            )

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
            ids = [f"M4V{len(standin.received):04d}{index}" for index in range(len(listed))]
            for message_id, m in zip(ids, listed, strict=True):
                standin.stored[message_id] = {
                    "messageId": message_id,
                    "to": m["to"],
                    "from": m.get("from"),
                    "text": m.get("text"),
                    "type": m.get("type") or "SMS",
                    "customFields": m.get("customFields"),
                    "statusCode": "2000",
                }
            if standin.hold.is_set():
                standin.release.wait(timeout=60)
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
                            "messageId": message_id,
                            "statusCode": "2000",
                            "statusMessage": "정상 접수(이통사로 접수 예정)",
                        }
                        for message_id in ids
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
