"""Korean is the default language: every string the app can show has a Korean text."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def source_messages():
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords={"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)},
    ):
        # A plural is one entry, found by its singular.
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def catalogue(locale):
    with open(ROOT / "gachi" / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=locale)


@pytest.fixture(scope="module")
def korean():
    return catalogue("ko")


def test_every_string_in_the_code_has_a_korean_translation(korean):
    missing = {
        msgid: where
        for msgid, where in source_messages().items()
        if not (korean.get(msgid) and korean.get(msgid).string)
    }
    assert missing == {}


def test_no_korean_entry_is_fuzzy_or_empty(korean):
    bad = [m.id for m in korean if m.id and (m.fuzzy or not m.string)]
    assert bad == []


def test_korean_entries_keep_their_placeholders(korean):
    for message in korean:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert set(PLACEHOLDER.findall(ids[0])) == set(PLACEHOLDER.findall(strings[0])), message.id
