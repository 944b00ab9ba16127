"""Invitation codes: made with `secrets`, stored upper-case without a dash, shown as XXXX-XXXX.

The alphabet leaves out 0/O, 1/I/L so a code read aloud on the phone or copied from a
paper slip by an older resident cannot be mistaken.
"""

import re
import secrets
import unicodedata

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8

# Spaces and every kind of dash people type or paste between the two halves.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc\uff0d]+")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text) -> str:
    """What the resident typed, in the stored form: upper-case, no spaces or dashes.

    NFKC first, so full-width letters from a Korean keyboard count as the plain ones.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    return _SEPARATORS.sub("", text).upper()


def format_code(code) -> str:
    """XXXX-XXXX for people to read; other lengths as they are."""
    if code is None:
        return ""
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}" if len(code) == CODE_LENGTH else code
