"""Receipts: the voter's proof of their own ballot. Only its SHA-256 is stored.

Sixteen characters from the invitation codes' unambiguous alphabet (about 79 bits),
shown as XXXX-XXXX-XXXX-XXXX so it can be written on paper and typed back in.
"""

import hashlib
import secrets

import segno

from gachi.core.codes import ALPHABET, normalise_code

RECEIPT_LENGTH = 16


def new_receipt() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(RECEIPT_LENGTH))


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(normalise_code(receipt).encode("ascii", "ignore")).hexdigest()


def is_well_formed(receipt: str) -> bool:
    text = normalise_code(receipt)
    return len(text) == RECEIPT_LENGTH and all(char in ALPHABET for char in text)


def format_receipt(receipt: str) -> str:
    text = normalise_code(receipt)
    return "-".join(text[start : start + 4] for start in range(0, len(text), 4))


def receipt_qr_data_uri(receipt: str) -> str:
    """The receipt as a QR code to save or print, inline (a receipt never goes in a URL
    that a server or proxy would log); it holds the code and nothing else."""
    return segno.make(format_receipt(receipt), error="m", micro=False).svg_data_uri(
        scale=5, border=2
    )
