"""The ballot box: what was chosen, kept so that no row ties it to a voter.

The design, like a paper ballot box, keeps no envelope per voter: a ballot's box is one
row holding how many ballots were marked each way ({"3,5": 12, "4": 7}, or "5>3>1" for a
ranked ballot). A vote adds one to its marking in the same transaction that puts the
voter on the roll; there is no per-vote row whose transaction id, place in the table or
the dump, id or timestamp could be paired with the roll. While the ballot is open the box
is sealed (AES-GCM, a fresh nonce on every write) under a key derived from the app's
SECRET_KEY, which lives outside the database and its backups: someone comparing two
backups taken a vote apart sees only that the box changed. Once the ballot has closed, the
count is published and stored in plain.

The voter's own marking is kept on their roll row, sealed under a key derived from their
receipt, which only they hold: with it they can see their vote and change it; without it
the row says nothing. (Helios and Belenios reach further, with encryption the server
itself cannot open and a public bulletin board; here the server counts, so whoever runs it
with its secret key could watch the box between votes, as they could change the code.)
"""

import hashlib
import json
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from gachi.core.codes import normalise_code

NONCE_BYTES = 12
# Every sealed marking has this length, whatever was chosen (a ranking of 30 options by
# id fits), and a box grows in steps of BOX_STEP: a ciphertext's length tells nothing.
MARKING_BYTES = 512
BOX_STEP = 1024


class BoxUnreadable(RuntimeError):
    """The box was sealed under a key the app no longer has (SECRET_KEY changed while the
    ballot was open, without the old key in SECRET_KEY_FALLBACKS)."""


# Markings: one ballot paper as text -----------------------------------------------------


def marking_of(points: Mapping[int, int]) -> str:
    """{option id: points} as text: "3,5" (one point each) or "3:2,5:1" (dots)."""
    if all(value == 1 for value in points.values()):
        return ",".join(str(option) for option in sorted(points))
    return ",".join(f"{option}:{points[option]}" for option in sorted(points))


def points_of(marking: str) -> dict[int, int]:
    """The reverse of `marking_of` (a ranked marking "5>3>1" gives one point each)."""
    if ">" in marking:
        return {int(option): 1 for option in marking.split(">")}
    points = {}
    for part in marking.split(","):
        option, _colon, value = part.partition(":")
        points[int(option)] = int(value or 1)
    return points


def points_per_option(markings: Mapping[str, int]) -> Counter:
    """{option id: points} over a box's markings."""
    total: Counter = Counter()
    for marking, ballots in markings.items():
        for option, points in points_of(marking).items():
            total[option] += points * ballots
    return total


# Sealing ------------------------------------------------------------------------------


def _key(secret: bytes, ballot_id: int, purpose: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=f"gachi ballot {ballot_id}".encode(),
        info=purpose,
    ).derive(secret)


def _seal(key: bytes, plain: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plain, None)


def _open(key: bytes, sealed: bytes) -> bytes:
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], None)


def _padded(text: str, step: int) -> bytes:
    data = text.encode()
    length = max(step, -(-len(data) // step) * step)
    return data.ljust(length, b" ")


def _receipt_secret(receipt: str) -> bytes:
    return hashlib.sha256(b"gachi receipt key " + normalise_code(receipt).encode()).digest()


def seal_marking(receipt: str, ballot_id: int, marking: str) -> bytes:
    """The voter's marking, readable only with their receipt."""
    if len(marking.encode()) > MARKING_BYTES:
        raise ValueError("a marking longer than any ballot paper allows")
    key = _key(_receipt_secret(receipt), ballot_id, b"marking")
    return _seal(key, _padded(marking, MARKING_BYTES))


def open_marking(receipt: str, ballot_id: int, sealed: bytes) -> str | None:
    """The marking sealed under `receipt`, or None if the receipt does not open it."""
    key = _key(_receipt_secret(receipt), ballot_id, b"marking")
    try:
        return _open(key, bytes(sealed)).decode().rstrip(" ")
    except InvalidTag:
        return None


def _app_secrets() -> Iterable[bytes]:
    config = current_app.config
    for secret in [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or ())]:
        yield secret.encode() if isinstance(secret, str) else secret


def seal_box(ballot_id: int, markings: Mapping[str, int]) -> bytes:
    secret = next(iter(_app_secrets()))
    plain = json.dumps(dict(sorted(markings.items())), separators=(",", ":"))
    return _seal(_key(secret, ballot_id, b"box"), _padded(plain, BOX_STEP))


def open_box(ballot_id: int, sealed: bytes) -> dict[str, int]:
    for secret in _app_secrets():
        try:
            plain = _open(_key(secret, ballot_id, b"box"), bytes(sealed))
        except InvalidTag:
            continue
        return json.loads(plain)
    raise BoxUnreadable(
        f"The box of ballot {ballot_id} was sealed under another SECRET_KEY: put that key "
        "in SECRET_KEY_FALLBACKS until the ballot has closed."
    )
