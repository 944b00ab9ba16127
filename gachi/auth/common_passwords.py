"""The list of common passwords a new password may not be.

The bulk is zxcvbn's list of the 30,000 most used passwords (from leaked password
dumps; the zxcvbn package keeps it, so we do not maintain one ourselves). Its list
knows little Korean, so a few favourites of Korean users are added here: Korean
words typed with the keyboard left in English mode (안녕하세요 → "dkssudgktpdy"),
the same words in Hangul, and this programme's own name.

Comparison is case-insensitive: "Password1" is as guessable as "password1".
"""

import unicodedata
from functools import cache

KOREAN_FAVOURITES = frozenset(
    {
        "1q2w3e4r!",
        "1q2w3e4r5t!",
        "qwer1234!",
        "asdf1234!",
        "1qaz2wsx!",
        "dkssudgktpdy",  # 안녕하세요
        "tkfkdgody",  # 사랑해요
        "tkfkdgo1234",  # 사랑해1234
        "qlalfqjsgh",  # 비밀번호
        "qlalfqjsgh1234",
        "votmdnjem",  # 패스워드
        "saranghae",
        "saranghae1",
        "saranghaeyo",
        "안녕하세요",
        "사랑해요사랑해요",
        "비밀번호",
        "비밀번호1234",
        "패스워드1234",
        "rkxdltkffla",  # 같이살림
        "gachisallim",
        "gachi1234",
        "gachi12345",
        "같이살림",
        "같이살림1234",
    }
)


@cache
def _common_passwords() -> frozenset[str]:
    # Imported here: the module is a few megabytes of word lists, needed only
    # when someone chooses a password.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"]) | KOREAN_FAVOURITES


def is_common_password(password: str) -> bool:
    return unicodedata.normalize("NFC", password).lower() in _common_passwords()
