from flask import Blueprint

bp = Blueprint("complexes", __name__)


@bp.route("/staff/cohorts")
def cohort_list():
    return ""


@bp.route("/staff/complexes")
def complex_list():
    return ""
