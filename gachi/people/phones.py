"""Korean phone numbers: kept as digits, shown grouped, masked in lists."""

import re

from flask_babel import lazy_gettext as _l

from gachi.core.errors import DomainError


class BadPhone(DomainError):
    code = "bad_phone"
    field = "phone"
    default_message = _l("Write a phone number of 9 to 11 digits, e.g. 010-1234-5678.")


def normalise_phone(phone):
    """ "010 1234-5678", "+82 10-1234-5678" → "01012345678"; "" or None → None.
    Anything that is not a Korean number of 9 to 11 digits starting with 0 is refused."""
    if phone is None or not phone.strip():
        return None
    if re.search(r"[^\d\s\-+().]", phone):
        raise BadPhone()
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+"):
        if not digits.startswith("82"):
            raise BadPhone()
        digits = "0" + digits[2:]
    # Seoul (02) numbers have 9 or 10 digits; mobile (01x) and other areas 10 or 11.
    if not re.fullmatch(r"02\d{7,8}|0[13-9]\d{8,9}", digits):
        raise BadPhone()
    return digits


def _groups(digits):
    if digits.startswith("02"):  # Seoul: 02-123-4567 or 02-1234-5678
        return [digits[:2], digits[2:-4], digits[-4:]]
    return [digits[:3], digits[3:-4], digits[-4:]]


def format_phone(digits):
    """ "01012345678" → "010-1234-5678"."""
    return "-".join(_groups(digits)) if digits else ""


def mask_phone(digits):
    """ "01012345678" → "010-****-5678": enough to recognise, not to call."""
    if not digits:
        return ""
    first, middle, last = _groups(digits)
    return f"{first}-{'*' * len(middle)}-{last}"
