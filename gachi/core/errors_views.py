"""Error pages in the user's language, DomainError as a 4xx, a lost database as a 503."""

import math
from collections.abc import Mapping

from flask import Flask, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from gachi.api.views import API_PREFIX
from gachi.api.views import json_error as api_error
from gachi.auth.sessions import visitor_from_session
from gachi.core.errors import DomainError
from gachi.extensions import db, login_manager

# Seconds a client is told to wait before asking again while the database is away:
# the Retry-After header and the page's words both come from this one figure.
RETRY_AFTER_SECONDS = 30
# For a 429 from anything that does not know its own wait (the sign-in throttle does).
DEFAULT_TOO_MANY_RETRY_AFTER_SECONDS = 60
# PostgreSQL SQLSTATEs that say the server is away, not that the query was wrong:
# class 08 (connection exception) and the 57P0x shutdowns and start-up.
_POSTGRES_UNAVAILABLE = ("08", "57P01", "57P02", "57P03")
# SQLite result codes (extended ones start with these) for a file that is locked
# past the busy timeout or cannot be opened at all.
_SQLITE_UNAVAILABLE = ("SQLITE_BUSY", "SQLITE_CANTOPEN")

ERROR_TEXTS = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please check what you entered."),
    ),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (_l("Page not found"), _l("There is no such page, or it is not yours to see.")),
    405: (_l("Method not allowed"), _l("This page cannot be used that way.")),
    413: (_l("File too large"), _l("What you sent is too large.")),
    429: (_l("Too many attempts"), _l("There were too many attempts in a short time.")),
    500: (_l("Something went wrong"), _l("An error occurred on our side. Please try again later.")),
    503: (_l("Service unavailable"), _l("The service is briefly unavailable.")),
}


def wait_text(seconds: int) -> str:
    """How long to wait, in words, from the figure a Retry-After header carries."""
    if seconds < 60:
        return ngettext(
            "Please try again in %(num)d second.", "Please try again in %(num)d seconds.", seconds
        )
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Please try again in %(num)d minute.", "Please try again in %(num)d minutes.", minutes
    )


def render_error(
    status: int, detail: object = None, headers: Mapping[str, str] | None = None
) -> tuple[str, int, dict[str, str]]:
    """The error page; a Retry-After among `headers` is also said on the page."""
    headers = dict(headers or {})
    title, default_detail = ERROR_TEXTS.get(status, ERROR_TEXTS[400])
    retry_after = headers.get("Retry-After")
    wait = wait_text(int(retry_after)) if retry_after and retry_after.isdigit() else None
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=title,
            detail=detail or default_detail,
            wait=wait,
        ),
        status,
        headers,
    )


def _headers_of(error: HTTPException) -> dict[str, str]:
    """What an HTTPException says besides its own page (Retry-After, Allow, …)."""
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    if error.code == 429:
        headers.setdefault("Retry-After", str(DEFAULT_TOO_MANY_RETRY_AFTER_SECONDS))
    return headers


def is_database_unavailable(error: BaseException) -> bool:
    """True when `error` says the database cannot be reached, not that a statement
    was wrong: a constraint, a syntax error or a missing table stays a bug (500)."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    driver_error = error.orig
    sqlstate = getattr(driver_error, "sqlstate", None)  # psycopg; None when no server answered
    if sqlstate is not None:
        return sqlstate.startswith(_POSTGRES_UNAVAILABLE)
    sqlite_name = getattr(driver_error, "sqlite_errorname", None)
    if sqlite_name is not None:
        return sqlite_name.startswith(_SQLITE_UNAVAILABLE)
    # psycopg's error before any server answered: refused, timed out, closed.
    return any(
        kind.__module__.startswith("psycopg")
        and kind.__name__ in ("OperationalError", "InterfaceError")
        for kind in type(driver_error).__mro__
    )


def _forget_the_session() -> None:
    """Roll back what can be rolled back; a dead connection is simply dropped.
    The signed-in user cannot be loaded without the database, so the page is drawn
    for the visitor as their session cookie shows them (signed in or not)."""
    try:
        db.session.rollback()
    except DBAPIError:
        db.session().invalidate()  # the Session's own: the scoped proxy has none
    g._login_user = visitor_from_session() or login_manager.anonymous_user()


def render_unavailable() -> ResponseReturnValue:
    _forget_the_session()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.path.startswith(API_PREFIX):
        body, status = api_error(
            ServiceUnavailable(
                f"The database is briefly unavailable. Try again in {RETRY_AFTER_SECONDS} seconds."
            )
        )
        return body, status, headers
    return render_error(503, headers=headers)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return render_error(
            400,
            _l(
                "Your form expired or was sent from elsewhere. Please reload the page and try again."
            ),
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> ResponseReturnValue:
        db.session.rollback()
        return render_error(error.status, str(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if request.path.startswith(API_PREFIX):  # e.g. /api/v1/cohorts/abc: no route matched
            return api_error(error)
        return render_error(
            error.code if error.code in ERROR_TEXTS else 400, headers=_headers_of(error)
        )

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError) -> ResponseReturnValue:
        if is_database_unavailable(error):
            app.logger.warning("Database unavailable: %s", error.orig)
            return render_unavailable()
        return unexpected_error(error)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> ResponseReturnValue:
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return render_error(500)
