"""Error pages in the user's language, and DomainError as a 4xx, never a 500."""
from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from gachi.core.errors import DomainError
from gachi.extensions import db

ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Please check what you entered.")),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (_l("Page not found"), _l("There is no such page, or it is not yours to see.")),
    405: (_l("Method not allowed"), _l("This page cannot be used that way.")),
    413: (_l("File too large"), _l("What you sent is too large.")),
    429: (_l("Too many attempts"), _l("Too many attempts. Please wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("An error occurred on our side. Please try again later.")),
}


def render_error(status, detail=None):
    title, default_detail = ERROR_TEXTS.get(status, ERROR_TEXTS[400])
    return render_template("errors/error.html", status=status, title=title,
                           detail=detail or default_detail), status


def register(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _l("Your form expired or was sent from elsewhere. Please reload the page and try again."))

    @app.errorhandler(DomainError)
    def domain_error(error):
        db.session.rollback()
        return render_error(error.status, str(error))

    @app.errorhandler(HTTPException)
    def http_error(error):
        return render_error(error.code if error.code in ERROR_TEXTS else 400)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return render_error(500)
