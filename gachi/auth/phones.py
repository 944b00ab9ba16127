"""Phone numbers as a key: what a resident types (010-1234-5678, 010 1234 5678,
01012345678, +82 10-1234-5678) becomes the one form an account's phone is found by."""

import re
import unicodedata

# What may sit between the digits of a number as people write it.
_PUNCTUATION = re.compile(r"[\s\-\u2010-\u2015\u2212\uff0d.()]+")
_KEY = re.compile(r"^0[0-9]{8,10}$")  # 02-123-4567 (9 digits) … 010-1234-5678 (11)


def phone_key(text) -> str | None:
    """The digits of a Korean number, with +82 written as the leading 0; None when
    `text` is not a phone number."""
    if not text:
        return None
    digits = _PUNCTUATION.sub("", unicodedata.normalize("NFKC", str(text)))
    if digits.startswith("+82"):
        digits = "0" + digits[3:].removeprefix("0")
    return digits if _KEY.match(digits) else None
