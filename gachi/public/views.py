"""The public overview, the language switch, and each role's home page."""

from datetime import timedelta

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from gachi.complexes.models import Cohort
from gachi.complexes.stages import STAGE_ORDER, Stage
from gachi.core.i18n import LANGUAGE_COOKIE
from gachi.extensions import db
from gachi.matching.queries import partner_summary
from gachi.public import queries

bp = Blueprint("public", __name__)

LANGUAGE_COOKIE_MAX_AGE = timedelta(days=365)

# What a resident can expect next, in plain words, while their complex is at each stage.
NEXT_STEPS = {
    Stage.RECRUITING: _l(
        "Your complex has signed up. Soon every household will be invited to "
        "the first workshop, where residents name the everyday problems they share."
    ),
    Stage.PROBLEM_WORKSHOP: _l(
        "Residents are raising the everyday problems they share. Propose a "
        "problem or support one, and vote: the problems with the most support "
        "are chosen."
    ),
    Stage.SOLUTION_WORKSHOP: _l(
        "Residents and social-economy enterprises are working out together how "
        "to solve the chosen problems. Come to the second workshop and say "
        "what would help you."
    ),
    Stage.PLANNING: _l(
        "The coordinator is writing the plan: which programmes will run, when and "
        "where. The schedule will appear here when it is ready."
    ),
    Stage.RUNNING: _l(
        "Programmes are running in your complex. Book a session, volunteer, and tell "
        "us afterwards what you thought."
    ),
    Stage.EVALUATION: _l(
        "The programmes have ended and the results are being evaluated. Your "
        "feedback helps decide what happens next year."
    ),
    Stage.CLOSED: _l("This year's programme has ended. Thank you for taking part."),
}


@bp.route("/")
def index():
    return render_template("public/index.html", cohorts=queries.cohort_overviews())


@bp.route("/cohorts/<int:cohort_id>")
def cohort_complexes(cohort_id):
    cohort = db.session.get(Cohort, cohort_id) or abort(404)
    page = _page_number(request.args.get("page", "1"))
    complex_count = queries.cohort_complex_count(cohort.id)
    last_page = max(1, -(-complex_count // queries.COMPLEXES_PER_PAGE))
    if not 1 <= page <= last_page:
        abort(404)
    return render_template(
        "public/cohort.html",
        cohort=cohort,
        page=page,
        last_page=last_page,
        complex_count=complex_count,
        complexes=queries.cohort_complex_page(cohort.id, page),
    )


@bp.route("/home")
@login_required
def home():
    if current_user.is_staff:
        return redirect(url_for("complexes.cohort_list"))
    if current_user.is_coordinator:
        return redirect(url_for("coordinators.my_complexes"))
    if current_user.is_district:
        return redirect(url_for("districts.home"))
    if current_user.is_resident:
        return redirect(url_for("public.my_complex"))
    return redirect(url_for("public.partner_home"))


@bp.route("/my/complex")
@login_required
def my_complex():
    if not current_user.is_resident:
        abort(404)
    home = queries.resident_home(current_user)
    current_index = STAGE_ORDER.index(home.participation.stage) if home.participation else None
    next_step = NEXT_STEPS[home.participation.stage] if home.participation else None
    return render_template(
        "public/my_complex.html",
        home=home,
        stages=STAGE_ORDER,
        current_index=current_index,
        next_step=next_step,
    )


@bp.route("/partner")
@login_required
def partner_home():
    if not current_user.is_partner:
        abort(404)
    return render_template(
        "public/partner_home.html",
        enterprise=current_user.enterprise,
        work=partner_summary(current_user.enterprise_id),
    )


@bp.route("/language/<code>")
def set_language(code):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(_same_site_path(request.args.get("next", "")))
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=LANGUAGE_COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def _page_number(raw):
    """A page number from the query string; anything but a plain number is a 404."""
    if not (raw.isascii() and raw.isdigit()):
        abort(404)
    return int(raw)


def _same_site_path(target):
    """`target` if it is a path on this site, else the front page.

    "//host" and "/\\host" are read by browsers as another site, so both go to "/".
    """
    if target.startswith("/") and not target.startswith(("//", "/\\")) and target.isprintable():
        return target
    return url_for("public.index")
