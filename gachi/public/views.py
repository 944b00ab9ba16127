from flask import Blueprint

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    return ""


@bp.route("/home")
def home():
    return ""


@bp.route("/language/<code>")
def set_language(code):
    return ""
