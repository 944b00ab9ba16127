"""Sign-in and sign-out, joining with a code, password change, and account admin."""

import re
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import COOKIE_NAME, current_user, login_required, logout_user
from werkzeug.exceptions import TooManyRequests

from gachi.auth import operations, queries, throttle
from gachi.auth.consent import current_notice_version, notice_template
from gachi.auth.forms import (
    AccountCreateForm,
    AccountEditForm,
    AccountFilterForm,
    ChangePasswordForm,
    IssueResetCodeForm,
    JoinForm,
    LoginForm,
    PasswordResetForm,
    ResetLinkRequestForm,
    ResetWithCodeForm,
    ResetWithLinkForm,
)
from gachi.auth.models import Role, User
from gachi.auth.operations import STAFF_CREATED_ROLES
from gachi.auth.sessions import password_renewal_due, start_pending_sign_in, start_session
from gachi.complexes.models import Complex
from gachi.core.access import load_for, require, staff_required
from gachi.core.audit import no_store, personal_data_shown
from gachi.core.handlers import operating, unit_of_work
from gachi.enterprises.models import Enterprise
from gachi.extensions import db

bp = Blueprint("auth", __name__)

# What a staff member asked to choose a longer password may still reach (two-factor
# set-up too: the enrolment gate comes first and sends them here afterwards).
OPEN_BEFORE_RENEWAL = frozenset(
    {"auth.change_password", "auth.logout", "static", "public.set_language", "two_factor.setup"}
)


@bp.before_app_request
def renew_short_password_first():
    if request.endpoint in OPEN_BEFORE_RENEWAL or not password_renewal_due():
        return None
    if not current_user.is_authenticated:
        return None
    flash(
        _(
            "Passwords now need at least %(count)s characters, and yours is shorter. "
            "Please choose a new password to go on.",
            count=current_app.config["PASSWORD_MIN_LENGTH"],
        ),
        "warning",
    )
    return redirect(url_for("auth.change_password"))


def _address():
    """The client's address; behind a proxy, ProxyFix makes this the real one."""
    return request.remote_addr or "unknown"


def _refuse_if_throttled(account):
    """A 429 while `account` from this address has used up an allowance; Retry-After
    says when the throttle lets it try again."""
    wait = throttle.seconds_to_wait(account, _address())
    if wait:
        raise TooManyRequests(retry_after=wait)


def _safe_next(target):
    """A same-site path to go to after signing in, or None."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(character) < 32 or ord(character) == 127 for character in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


@contextmanager
def checking_a_secret(account, refusal_page, form):
    """`operating()` for a step that checks a password or a code. The throttle is asked
    under the write lock, so a burst of guesses queues instead of all passing it
    (throttle.py), and a wrong secret is counted although the answer is a refusal."""
    address = _address()

    def count(error):
        if isinstance(error, operations.WrongSecret):
            throttle.record_failure(account, address)

    with operating(refusal_page, form=form, on_refusal=count):
        _refuse_if_throttled(account)
        yield


def _form_status(form):
    return 400 if form.is_submitted() else 200


def _has_remember_cookie():
    return current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies


@bp.app_template_filter("masked_phone")
def masked_phone(phone):
    """010-1234-5678 → 010-****-5678: enough to recognise, not to call."""
    if not phone:
        return ""
    groups = re.split(r"([ -])", phone)
    if len(groups) == 5:  # three groups and two separators: hide the middle one
        groups[2] = "*" * len(groups[2])
        return "".join(groups)
    digit_count = sum(character.isdigit() for character in phone)
    masked, seen = [], 0
    for character in phone:
        if character.isdigit():
            seen += 1
            character = "*" if 3 < seen <= digit_count - 4 else character
        masked.append(character)
    return "".join(masked)


# Signing in and out ----------------------------------------------------------------


def _render_login(form, next_url, status=200):
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.route("/login", methods=["GET", "POST"])
@unit_of_work
def login():
    next_url = _safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("public.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return _render_login(form, next_url, _form_status(form))
    # A phone number is counted in one form, however it was written.
    account, password = operations.sign_in_key(form.username.data), form.password.data
    with checking_a_secret(account, lambda status: _render_login(form, next_url, status), form):
        user = operations.sign_in(form.username.data, password)
        if not user.has_two_factor:
            # With a second step, failures are cleared only after it, or a known password
            # would reset the count of guessed codes.
            throttle.clear_failures(account, _address())
    renew = operations.must_renew_password(user, password)
    if user.has_two_factor:
        start_pending_sign_in(
            user, remember=form.remember.data, next_url=next_url, renew_password=renew
        )
        return redirect(url_for("two_factor.second_step"))
    start_session(user, remember=form.remember.data, renew_password=renew)
    _greet(user)
    return redirect(next_url or url_for("public.home"))


def _greet(user):
    flash(_("Welcome, %(name)s.", name=user.display_name), "info")
    if user.password_changed_at is None:
        flash(
            _(
                "You signed in with a temporary password. Please choose your own password "
                "on the Account page."
            ),
            "warning",
        )


@bp.route("/logout", methods=["POST"])
@unit_of_work
def logout():
    if current_user.is_authenticated:
        with operating():
            operations.end_all_sessions(current_user._get_current_object())
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.index"))


# Joining and passwords -------------------------------------------------------------


def _join_page(form, status):
    # The notice shown, and asked for, is always today's version.
    version = current_notice_version()
    form.privacy_notice.data = version
    page = render_template(
        "auth/join.html", form=form, notice=notice_template(version), notice_version=version
    )
    return no_store((page, status))


def _agreed_to_todays_notice(form):
    """The box was ticked under the notice that is current now (not one replaced while
    the page was open)."""
    if form.privacy_notice.data == current_notice_version():
        return True
    form.consent.data = False
    form.consent.errors = [
        _(
            "The privacy notice has changed since the page was opened. Please read it and tick the box again."
        )
    ]
    return False


@bp.route("/join", methods=["GET", "POST"])
@unit_of_work
def join():
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = JoinForm(code=request.args.get("code", ""))
    if not (form.validate_on_submit() and _agreed_to_todays_notice(form)):
        return _join_page(form, _form_status(form))
    account = throttle.JOIN_ACCOUNT
    with checking_a_secret(account, lambda status: _join_page(form, status), form):
        user = operations.join_household(
            form.code.data,
            form.username.data,
            form.display_name.data,
            form.password.data,
            phone=form.phone.data or None,
            email=form.email.data,
            privacy_notice=form.privacy_notice.data,
        )
        throttle.clear_failures(account, _address())
    start_session(user)
    flash(
        _(
            "Welcome, %(name)s. You are now a member of %(complex)s.",
            name=user.display_name,
            complex=user.household.complex.name,
        ),
        "info",
    )
    return redirect(url_for("public.home"))


def _password_page(form, status):
    return render_template("auth/change_password.html", form=form), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@unit_of_work
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _password_page(form, _form_status(form))
    with checking_a_secret(user.username, lambda status: _password_page(form, status), form):
        operations.change_password(user, form.current_password.data, form.password.data, actor=user)
    start_session(user, remember=_has_remember_cookie())  # this browser stays in
    flash(_("Your password is changed. Every other device has been signed out."), "info")
    return redirect(url_for("public.home"))


# Getting back in: a code from the coordinator, or a link by e-mail ----------------------


def _reset_page(form, status):
    return no_store((render_template("auth/reset.html", form=form), status))


@bp.route("/reset", methods=["GET", "POST"])
@unit_of_work
def reset():
    """A resident types their user name (or phone), the code their coordinator handed
    them, and a new password."""
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = ResetWithCodeForm()
    if not form.validate_on_submit():
        return _reset_page(form, _form_status(form))
    # Counted with the sign-in's wrong passwords: a guess at a code is a guess at the door.
    account = operations.sign_in_key(form.account.data)
    with checking_a_secret(account, lambda status: _reset_page(form, status), form):
        operations.reset_with_code(form.account.data, form.code.data, form.password.data)
        throttle.clear_failures(account, _address())
    flash(
        _("Your new password is set and every device has been signed out. Please sign in."),
        "info",
    )
    return redirect(url_for(".login"))


def _reset_link_page(form, status):
    return render_template("auth/reset_email.html", form=form), status


# Not a possible user name or phone key (no colon in either), so it never mixes with one.
RESET_MAIL_ACCOUNT = "mail:"


@bp.route("/reset/email", methods=["GET", "POST"])
@unit_of_work
def reset_email():
    """Ask for a link by e-mail. The answer is the same whether or not such an account
    exists or has an e-mail address; every request counts against the throttle, so the
    page cannot be used to flood anyone's mailbox."""
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = ResetLinkRequestForm()
    if not form.validate_on_submit():
        return _reset_link_page(form, _form_status(form))
    account = RESET_MAIL_ACCOUNT + operations.sign_in_key(form.account.data)
    with operating(lambda status: _reset_link_page(form, status), form=form):
        _refuse_if_throttled(account)
        throttle.record_failure(account, _address())
        operations.send_reset_links(
            form.account.data,
            lambda token: url_for(".reset_by_link", token=token, _external=True),
        )
    flash(
        _(
            "If that account has an e-mail address, a link to choose a new password is on "
            "its way. It works once, for two hours. No e-mail? Ask your coordinator for a code."
        ),
        "info",
    )
    return redirect(url_for(".login"))


def _new_password_page(form, token, status):
    page = render_template("auth/reset_new_password.html", form=form, token=token)
    return no_store((page, status))


@bp.route("/reset/email/<token>", methods=["GET", "POST"])
@unit_of_work
def reset_by_link(token):
    form = ResetWithLinkForm()
    try:
        operations.user_for_reset_link(token)
    except operations.ResetLinkDead as dead:
        # A dead link is a 404 with the page that sends a new one, the reason on top.
        again = ResetLinkRequestForm(formdata=None)
        again.form_errors.append(str(dead))
        return _reset_link_page(again, 404)
    if not form.validate_on_submit():
        return _new_password_page(form, token, _form_status(form))
    with operating(lambda status: _new_password_page(form, token, status), form=form):
        operations.reset_with_link(token, form.password.data)
    if current_user.is_authenticated:
        logout_user()
    flash(
        _("Your new password is set and every device has been signed out. Please sign in."),
        "info",
    )
    return redirect(url_for(".login"))


def _resident_for_reset_code(user_id):
    return load_for(current_user, User, user_id, permission="can_issue_reset_code")


def _issue_page(resident, form, status, code=None):
    page = render_template(
        "auth/reset_code_issue.html",
        resident=resident,
        form=form,
        code=code,
        lifetime_hours=int(operations.RESET_CODE_LIFETIME.total_seconds() // 3600),
    )
    return no_store((page, status))


@bp.route("/accounts/<int:user_id>/reset-code", methods=["GET", "POST"])
@login_required
@unit_of_work
def issue_reset_code(user_id):
    """Asks first (GET); the POST makes the code and shows it, once, on its answer."""
    resident = _resident_for_reset_code(user_id)
    form = IssueResetCodeForm()
    if not form.validate_on_submit():
        return _issue_page(resident, form, _form_status(form))
    with operating(lambda status: _issue_page(resident, form, status), form=form):
        code = operations.issue_reset_code(resident, actor=current_user)
    return _issue_page(resident, form, 200, code=operations.format_reset_code(code))


@bp.route("/complexes/<int:complex_id>/password-help")
@login_required
def password_help(complex_id):
    """The residents of a complex, for its coordinator to find the one who forgot their
    password and hand them a code."""
    complex_ = load_for(current_user, Complex, complex_id, permission="can_manage")
    residents = queries.residents_of(complex_.id)
    page = render_template("auth/password_help.html", complex=complex_, residents=residents)
    return personal_data_shown(
        page,
        "residents.view",
        complex_,
        actor=current_user,
        complex_id=complex_.id,
        subject_ids=[resident.id for resident in residents],
    )


# Account admin (staff with the admin flag) --------------------------------------------


def _require_account_admin():
    # The rule does not depend on which account, so ask it about the user's own.
    require(current_user.can_manage_accounts(current_user))


@bp.route("/staff/accounts")
@staff_required
def account_list():
    _require_account_admin()
    form = AccountFilterForm(request.args)
    valid = form.validate()
    accounts = queries.account_page(
        role=form.role.data if valid else None,
        search=form.q.data if valid else None,
        page=(form.page.data or 1) if valid else 1,
    )
    page = (
        render_template(
            "auth/accounts.html",
            form=form,
            accounts=accounts,
            search_finds_anywhere=queries.search_finds_anywhere(),
        ),
        200 if valid else 400,
    )
    return personal_data_shown(
        page,
        "accounts.view",
        User,
        actor=current_user,
        subject_ids=[account.id for account in accounts.items],
    )


def _new_account_page(form, status):
    return render_template("auth/account_form.html", form=form, account=None), status


def _chosen_in_link():
    """A link may choose the role and enterprise (?role=partner&enterprise_id=7): the
    matching page sends staff here to make the partner account an offer needs."""
    if request.method != "GET":
        return {}
    chosen = {}
    if request.args.get("role") in {role.value for role in STAFF_CREATED_ROLES}:
        chosen["role"] = Role(request.args["role"])
    if re.fullmatch(r"[0-9]{1,9}", request.args.get("enterprise_id", "")):
        chosen["enterprise_id"] = int(request.args["enterprise_id"])
    return chosen


@bp.route("/staff/accounts/new", methods=["GET", "POST"])
@staff_required
@unit_of_work
def account_new():
    _require_account_admin()
    form = AccountCreateForm(enterprises=queries.enterprises_by_name(), **_chosen_in_link())
    if not form.validate_on_submit():
        return _new_account_page(form, _form_status(form))
    enterprise = (
        db.session.get(Enterprise, form.enterprise_id.data) if form.enterprise_id.data else None
    )
    with operating(lambda status: _new_account_page(form, status), form=form):
        account = operations.create_account(
            form.role.data,
            form.username.data,
            form.display_name.data,
            form.password.data,
            actor=current_user,
            enterprise=enterprise,
            is_admin=form.is_admin.data,
            phone=form.phone.data,
            email=form.email.data,
        )
    flash(
        _(
            "The account for %(name)s is made. Give them the temporary password in person; "
            "they should change it after signing in.",
            name=account.display_name,
        ),
        "info",
    )
    return redirect(url_for(".account_edit", user_id=account.id))


def _render_account(account, form, reset_form, status):
    page = (
        render_template(
            "auth/account_form.html", account=account, form=form, reset_form=reset_form
        ),
        status,
    )
    if request.method != "GET":
        return no_store(page)  # the change is logged by its operation
    # The page shows the phone number and e-mail in full: staff access is logged.
    return personal_data_shown(
        page, "personal_data.view", account, actor=current_user, subject_ids=[account.id]
    )


@bp.route("/staff/accounts/<int:user_id>", methods=["GET", "POST"])
@staff_required
@unit_of_work
def account_edit(user_id):
    account = load_for(current_user, User, user_id, permission="can_manage_accounts")
    form = AccountEditForm(obj=account)

    def page(status):
        return _render_account(account, form, PasswordResetForm(formdata=None), status)

    if not form.validate_on_submit():
        return page(_form_status(form))
    with operating(page, form=form):
        operations.update_account(
            account,
            actor=current_user,
            display_name=form.display_name.data,
            phone=form.phone.data,
            email=form.email.data,
            active=form.active.data,
            is_admin=form.is_admin.data,
        )
    flash(_("The account of %(name)s is saved.", name=account.display_name), "info")
    return redirect(url_for(".account_edit", user_id=account.id))


@bp.route("/staff/accounts/<int:user_id>/password", methods=["POST"])
@staff_required
@unit_of_work
def account_password_reset(user_id):
    account = load_for(current_user, User, user_id, permission="can_manage_accounts")
    reset_form = PasswordResetForm()

    def page(status):
        edit_form = AccountEditForm(formdata=None, obj=account)
        return _render_account(account, edit_form, reset_form, status)

    if not reset_form.validate_on_submit():
        return page(400)
    with operating(page, form=reset_form):
        operations.reset_password(account, reset_form.password.data, actor=current_user)
    flash(
        _(
            "%(name)s has a new temporary password and is signed out everywhere. "
            "Give them the password in person.",
            name=account.display_name,
        ),
        "info",
    )
    return redirect(url_for(".account_edit", user_id=account.id))
