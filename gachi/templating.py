"""What every template may use: filters for Seoul times and Korean numbers."""

from decimal import ROUND_HALF_EVEN, Decimal

from flask_babel import format_date, format_datetime, format_decimal, get_locale

from gachi.core.qr import qr_data_uri
from gachi.people.phones import format_phone, mask_phone

# Korean readers expect 오전/오후 and the year in full; CLDR's short form gives neither.
KOREAN_DATETIME = "yyyy. M. d. aaaa h:mm"


def format_moment(value, fmt="short"):
    """A stored (UTC) moment as Seoul time in the reader's language."""
    if not value:
        return ""
    if str(get_locale()) == "ko" and fmt == "short":
        fmt = KOREAN_DATETIME
    return format_datetime(value, fmt)


# Korean and English both group thousands with "," and mark decimals with ".": whole
# numbers and short decimals are written without Babel's pattern machinery, which is
# most of a board page's time (a thousand numbers a page). The result is the same.
PLAIN_NUMBER_LOCALES = ("ko", "en")


def format_number(value):
    if value is None:
        return ""
    if (
        isinstance(value, (int, Decimal))
        and not isinstance(value, bool)
        and str(get_locale()) in PLAIN_NUMBER_LOCALES
    ):
        number = Decimal(value)
        if number.is_finite():
            rounded = number.quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN)
            if rounded == rounded.to_integral_value():
                return f"{int(rounded):,}"
            return f"{rounded.normalize():,f}"
    return format_decimal(value)


def register(app):
    app.jinja_env.filters["datetime"] = format_moment
    app.jinja_env.filters["date"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else ""
    )
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["qr_data_uri"] = qr_data_uri
    # A person's phone (digits): masked in lists, grouped where someone must call.
    app.jinja_env.filters["masked_digits"] = mask_phone
    app.jinja_env.filters["phone_number"] = format_phone
    app.jinja_env.filters["krw"] = lambda value: (
        "" if value is None else f"{format_decimal(value)}원"
    )

    @app.context_processor
    def locale_context():
        return {"current_locale": str(get_locale()), "languages": app.config["LANGUAGES"]}
