from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.route("/login")
def login():
    return "login"


@bp.route("/logout", methods=["POST"])
def logout():
    return ""


@bp.route("/join")
def join():
    return ""


@bp.route("/account/password")
def change_password():
    return ""


@bp.route("/staff/accounts")
def account_list():
    return ""
