"""Language choice: Korean unless the user switched to English."""
from flask import current_app, request

LANGUAGE_COOKIE = "lang"


def select_locale():
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]
