"""What every template may use: filters for Seoul times and Korean numbers."""
from flask_babel import format_date, format_datetime, format_decimal, get_locale


def register(app):
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["number"] = lambda value: "" if value is None else format_decimal(value)
    app.jinja_env.filters["krw"] = lambda value: "" if value is None else f"{format_decimal(value)}원"

    @app.context_processor
    def locale_context():
        return {"current_locale": str(get_locale()), "languages": app.config["LANGUAGES"]}
