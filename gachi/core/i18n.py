"""Language choice: Korean unless the user switched to English."""
from flask import current_app, has_request_context, request

LANGUAGE_COOKIE = "lang"


def select_locale():
    chosen = request.cookies.get(LANGUAGE_COOKIE) if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]
