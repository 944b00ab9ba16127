"""Hostile values for form fields, as hypothesis strategies.

What people paste, phones send and attackers try: nothing at all, text that looks empty
(zero-width and right-to-left marks), Korean decomposed the way some phones type it,
emoji, control characters and NUL (which PostgreSQL refuses in text), SQL and HTML
fragments, numbers no column holds, and dates no calendar has.
"""

import unicodedata

from hypothesis import strategies as st

DECOMPOSED_KOREAN = unicodedata.normalize("NFD", "같이살림 한글")

HOSTILE_TEXT = (
    "",
    " ",
    "\u200b",
    "\u200b\u200b",
    "\ufeff",
    "\u202eevil\u202c",
    "\u200fשלום",
    DECOMPOSED_KOREAN,
    "이모지😀👨‍👩‍👧",
    "\x00",
    "a\x00b",
    "\x07\x1b[31m",
    "\x85line\u2028",
    "tab\tand\nbreak\r\n",
    "'; DROP TABLE users; --",
    "1 OR 1=1",
    "' OR ''='",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}",
    "%s%n%(x)s",
    "../../etc/passwd",
    "x" * 5001,
    "가" * 300,
    "-1",
    "0",
    "-0",
    "1.5",
    "1e309",
    "NaN",
    "-Infinity",
    "Infinity",
    "-2147483649",
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "9" * 40,
    "１２３",
    "٣",
    "0x10",
    "1_000",
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-01-01T25:61",
    "0001-01-01T00:00",
    "1999-12-31",
    "2101-01-01T00:00",
    "2026-06-01T10:00",
    "99:99",
    "24:00",
    "true",
    "null",
    "[]",
    "{}",
)

FILES = (
    b"",
    b"\x00" * 64,
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    b"name,code\n\xff\xfe\x00,1\n",
    "코드,값\nk1,1e309\n,NaN\n".encode(),
    "a,b\n".encode("utf-16"),
    b"=cmd|' /C calc'!A0\n",
    b"," * 1000 + b"\n",
)
FILENAMES = (
    "",
    "x.csv",
    "../../evil.csv",
    "사진.png",
    unicodedata.normalize("NFD", "사진.png"),
    "a\x00.png",
    "\u202egnp.exe",
    "x" * 300,
)


def hostile_text():
    return st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        st.text(max_size=40),
        st.integers().map(str),
        st.floats().map(str),
    )


def field_value(field):
    """A value for one parsed form field: one it offers, a hostile one, or both joined."""
    offered = st.sampled_from(field.values) if field.values else st.just("")
    one = st.one_of(
        offered,
        hostile_text(),
        st.tuples(offered, hostile_text()).map("".join),
        st.tuples(hostile_text(), offered).map("".join),
    )
    if field.kind == "file":
        return st.tuples(
            st.sampled_from(FILES) | st.binary(max_size=80), st.sampled_from(FILENAMES)
        )
    if field.multiple or field.kind == "checkbox":
        return st.lists(one, max_size=4)
    return one


def _offered(field):
    if field.kind == "file" or not field.values:
        return None
    return field.values if field.multiple else field.values[0]


def payload(fields, extra):
    """A form's worth of values: each field given, left out, or hostile; or the form as
    the page fills it with one field spoiled (so that edits get through and store what
    was sent). Plus `extra` fields the form doesn't have (mass assignment), each sent or not."""
    anything = st.fixed_dictionaries(
        {name: st.one_of(st.none(), field_value(field)) for name, field in fields.items()}
    )
    one_spoiled = (
        st.sampled_from(sorted(fields)).flatmap(
            lambda spoiled: st.fixed_dictionaries(
                {
                    name: field_value(field) if name == spoiled else st.just(_offered(field))
                    for name, field in fields.items()
                }
            )
        )
        if fields
        else st.just({})
    )
    added = st.fixed_dictionaries(
        {name: st.one_of(st.none(), st.just(value)) for name, value in extra.items()}
    )
    return st.tuples(st.one_of(anything, one_spoiled), added).map(
        lambda drawn: {
            name: value for name, value in {**drawn[0], **drawn[1]}.items() if value is not None
        }
    )
