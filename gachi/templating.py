"""What every template may use: filters for Seoul times and Korean numbers."""
from flask_babel import format_date, format_datetime, format_decimal, get_locale


# Korean readers expect 오전/오후 and the year in full; CLDR's short form gives neither.
KOREAN_DATETIME = "yyyy. M. d. aaaa h:mm"


def format_moment(value, fmt="short"):
    """A stored (UTC) moment as Seoul time in the reader's language."""
    if not value:
        return ""
    if str(get_locale()) == "ko" and fmt == "short":
        fmt = KOREAN_DATETIME
    return format_datetime(value, fmt)


def register(app):
    app.jinja_env.filters["datetime"] = format_moment
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["number"] = lambda value: "" if value is None else format_decimal(value)
    app.jinja_env.filters["krw"] = lambda value: "" if value is None else f"{format_decimal(value)}원"

    @app.context_processor
    def locale_context():
        return {"current_locale": str(get_locale()), "languages": app.config["LANGUAGES"]}
