"""Two-factor sign-in pages: the second sign-in step, enrolment, recovery codes, reset.

After a right password, an account with two-factor sign-in is not signed in yet: the
session holds only a pending sign-in (sessions.start_pending_sign_in). Center staff
without a second factor are sent to enrol before any other page (`staff_enrol_first`,
the one gate, which also catches sessions begun before the rule).
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gachi.auth import throttle, two_factor
from gachi.auth.forms import (
    AccountEditForm,
    PasswordResetForm,
    RecoveryCodesForm,
    SecondStepForm,
    TwoFactorConfirmForm,
    TwoFactorOffForm,
)
from gachi.auth.models import User
from gachi.auth.sessions import password_renewal_due, pending_sign_in, start_session
from gachi.auth.views import (
    _address,
    _form_status,
    _greet,
    _has_remember_cookie,
    _render_account,
    checking_a_secret,
)
from gachi.core.access import load_for, staff_required
from gachi.core.handlers import operating, read_that_writes, unit_of_work

bp = Blueprint("two_factor", __name__)

# What a staff member without a second factor may still reach.
OPEN_BEFORE_ENROLMENT = frozenset(
    {"two_factor.setup", "auth.logout", "static", "public.set_language"}
)
FEW_RECOVERY_CODES = 3


@bp.before_app_request
def staff_enrol_first():
    if request.endpoint in OPEN_BEFORE_ENROLMENT or not current_user.is_authenticated:
        return None
    if current_user.must_use_two_factor and not current_user.has_two_factor:
        flash(_("Center staff sign in with a second step. Please set it up now to go on."), "info")
        return redirect(url_for("two_factor.setup"))
    return None


# The second sign-in step ---------------------------------------------------------------


def _step_page(form, status):
    return render_template("auth/two_factor_step.html", form=form), status


@bp.route("/login/code", methods=["GET", "POST"])
@unit_of_work
def second_step():
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    user, pending = pending_sign_in()
    if user is None:
        flash(
            _("Signing in took too long, or it was not started here. Please sign in again."),
            "warning",
        )
        return redirect(url_for("auth.login"))
    form = SecondStepForm()
    if not form.validate_on_submit():
        return _step_page(form, _form_status(form))
    with checking_a_secret(user.username, lambda status: _step_page(form, status), form):
        two_factor.sign_in_with_code(user, form.code.data)
        throttle.clear_failures(user.username, _address())
    left = two_factor.recovery_codes_left(user)
    start_session(user, remember=pending["remember"], renew_password=pending.get("renew_password"))
    _greet(user)
    if left <= FEW_RECOVERY_CODES:
        flash(
            _(
                "You have %(count)s recovery codes left. Make new ones on the two-factor "
                "sign-in page.",
                count=left,
            ),
            "warning",
        )
    return redirect(pending["next"] or url_for("public.home"))


# Enrolment and recovery codes ------------------------------------------------------------

# Secrets and recovery codes must not stay in a browser's or a proxy's cache.
NO_STORE = {"Cache-Control": "no-store"}


def _show_codes(codes):
    page = render_template("auth/recovery_codes.html", codes=codes, download="\n".join(codes))
    return page, 200, NO_STORE


def _render_setup(user, form, status):
    secret = two_factor.secret_to_scan(user)
    uri = two_factor.provisioning_uri(user, secret)
    page = render_template(
        "auth/two_factor_setup.html", form=form, secret=secret, qr=two_factor.qr_data_uri(uri)
    )
    return page, status, NO_STORE


def _render_status(user, status=200, recovery_form=None, off_form=None):
    return render_template(
        "auth/two_factor_status.html",
        codes_left=two_factor.recovery_codes_left(user),
        recovery_form=recovery_form or RecoveryCodesForm(formdata=None),
        off_form=off_form or TwoFactorOffForm(formdata=None),
    ), status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
@unit_of_work
def setup():
    user = current_user._get_current_object()
    if not user.may_use_two_factor:
        abort(404)
    if user.has_two_factor:
        return _render_status(user)
    if request.method == "GET":
        # A read that writes, on purpose: the secret to scan is kept on the server from the
        # first visit, so a code already scanned still works after a reload; handing it to
        # the browser to keep instead (a cookie, a form field) would let it outlive the page.
        with read_that_writes():
            two_factor.pending_secret(user)
        return _render_setup(user, TwoFactorConfirmForm(formdata=None), 200)
    form = TwoFactorConfirmForm()
    if not form.validate_on_submit():
        return _render_setup(user, form, 400)
    with operating(lambda status: _render_setup(user, form, status), form=form):
        codes = two_factor.switch_on(user, form.code.data)
    # This browser stays in, still asked for a longer password if it was.
    start_session(user, remember=_has_remember_cookie(), renew_password=password_renewal_due())
    flash(_("Two-factor sign-in is on. Every other device has been signed out."), "info")
    return _show_codes(codes)


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
@unit_of_work
def new_recovery_codes():
    user = current_user._get_current_object()
    form = RecoveryCodesForm()
    if not form.validate_on_submit():
        return _render_status(user, 400, recovery_form=form)
    with checking_a_secret(
        user.username, lambda status: _render_status(user, status, recovery_form=form), form
    ):
        codes = two_factor.regenerate_recovery_codes(user, form.password.data)
    flash(_("Here are your new recovery codes. The old ones no longer work."), "info")
    return _show_codes(codes)


@bp.route("/account/two-factor/off", methods=["POST"])
@login_required
@unit_of_work
def switch_off():
    user = current_user._get_current_object()
    form = TwoFactorOffForm()
    if not form.validate_on_submit():
        return _render_status(user, 400, off_form=form)
    with checking_a_secret(
        user.username, lambda status: _render_status(user, status, off_form=form), form
    ):
        two_factor.switch_off(user, form.password.data, form.code.data)
    flash(_("Two-factor sign-in is off. You sign in with your password only."), "info")
    return redirect(url_for("auth.change_password"))


# Account admin -----------------------------------------------------------------------------


@bp.route("/staff/accounts/<int:user_id>/two-factor/reset", methods=["POST"])
@staff_required
@unit_of_work
def reset(user_id):
    account = load_for(current_user, User, user_id, permission="can_manage_accounts")

    def page(status):
        edit_form = AccountEditForm(formdata=None, obj=account)
        return _render_account(account, edit_form, PasswordResetForm(formdata=None), status)

    with operating(page):
        two_factor.reset(account, actor=current_user)
    flash(
        _(
            "Two-factor sign-in of %(name)s is reset and they are signed out everywhere. "
            "They set it up again after their password.",
            name=account.display_name,
        ),
        "info",
    )
    return redirect(url_for("auth.account_edit", user_id=account.id))
