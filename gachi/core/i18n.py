"""Language choice: Korean unless the user switched to English."""

from flask import current_app, has_request_context, request
from flask_babel import get_locale

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE) if has_request_context() else None
    if chosen is not None and chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def in_reader_language(korean: str, english: str) -> str:
    """Pick the Korean or English text of something kept in both as data (a KPI's name,
    a category); Korean unless the reader chose English."""
    locale = get_locale()
    return english if locale is not None and locale.language == "en" else korean
