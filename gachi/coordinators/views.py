from flask import Blueprint

bp = Blueprint("coordinators", __name__)


@bp.route("/staff/coordinators")
def coordinator_list():
    return ""
