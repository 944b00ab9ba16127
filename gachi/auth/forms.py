"""Forms for signing in, joining, passwords and the account admin pages.

The rules for a new password (length, the common-password list) live in
operations.check_new_password, so the forms only check that something was typed.
"""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, NumberRange, Optional, Regexp

from gachi.auth.models import Role
from gachi.auth.operations import (
    STAFF_CREATED_ROLES,
    USERNAME_PATTERN,
    USERNAME_RULE,
    normalise_username,
)
from gachi.core.forms import BaseForm, options

PHONE_PATTERN = r"^\+?[0-9][0-9 -]{5,18}[0-9]$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _optional_role(value):
    return Role(value) if value not in (None, "") else None


def _optional_int(value):
    return int(value) if value not in (None, "") else None


def _required(message=None):
    return InputRequired(message=message or _l("Please fill this in."))


def _username_field(label=_l("User name")):
    return StringField(
        label,
        filters=[normalise_username],
        validators=[
            _required(),
            Length(max=30),
            Regexp(USERNAME_PATTERN, message=USERNAME_RULE),
        ],
    )


def _display_name_field():
    return StringField(
        _l("Your name as neighbours know you"), validators=[_required(), Length(max=100)]
    )


def _confirm_field():
    return PasswordField(
        _l("Type the new password again"),
        validators=[
            _required(),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )


class LoginForm(BaseForm):
    # No format check on the name: a sign-in must not say which names could exist.
    username = StringField(
        _l("User name"), filters=[normalise_username], validators=[_required(), Length(max=64)]
    )
    password = PasswordField(_l("Password"), validators=[_required()])
    remember = BooleanField(_l("Keep me signed in on this device"))


class JoinForm(BaseForm):
    code = StringField(_l("Invitation code"), validators=[_required(), Length(max=20)])
    display_name = _display_name_field()
    # Optional; one the coordinator already wrote down for the household finds them again.
    phone = StringField(_l("Phone number (optional)"), validators=[Length(max=20)])
    username = _username_field()
    password = PasswordField(_l("Password"), validators=[_required()])
    confirm = _confirm_field()


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[_required()])
    password = PasswordField(_l("New password"), validators=[_required()])
    confirm = _confirm_field()


class AccountFilterForm(BaseForm):
    """The account list's filters, read from the query string."""

    class Meta:
        csrf = False

    role = SelectField(
        _l("Role"),
        coerce=_optional_role,
        validators=[Optional()],
        choices=options([("", _l("All roles")), *Role.choices()]),
    )
    q = StringField(_l("Name or user name"), validators=[Optional(), Length(max=64)])
    page = IntegerField(
        _l("Page"), default=1, validators=[Optional(), NumberRange(min=1, max=100000)]
    )


class _ContactFields(BaseForm):
    phone = StringField(
        _l("Phone number"),
        validators=[
            Optional(),
            Length(max=20),
            Regexp(
                PHONE_PATTERN,
                message=_l(
                    "Enter a phone number with digits and dashes, for example 010-1234-5678."
                ),
            ),
        ],
    )
    email = StringField(
        _l("E-mail"),
        validators=[
            Optional(),
            Length(max=254),
            Regexp(EMAIL_PATTERN, message=_l("Enter an e-mail address such as name@example.org.")),
        ],
    )


class AccountCreateForm(_ContactFields):
    role = SelectField(
        _l("Role"),
        coerce=Role,
        choices=options((role.value, role.label) for role in STAFF_CREATED_ROLES),
    )
    enterprise_id = SelectField(_l("Enterprise (for enterprise partners)"), coerce=_optional_int)
    username = _username_field()
    display_name = StringField(_l("Name"), validators=[_required(), Length(max=100)])
    is_admin = BooleanField(_l("May manage accounts (admin; center staff only)"))
    password = PasswordField(_l("Temporary password"), validators=[_required()])

    def __init__(self, *args, enterprises=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise_id.choices = options(
            [
                ("", _l("None")),
                *((enterprise.id, enterprise.name) for enterprise in enterprises),
            ]
        )


class AccountEditForm(_ContactFields):
    display_name = StringField(_l("Name"), validators=[_required(), Length(max=100)])
    active = BooleanField(_l("Account is on (the person can sign in)"))
    is_admin = BooleanField(_l("May manage accounts (admin; center staff only)"))


class PasswordResetForm(BaseForm):
    password = PasswordField(_l("New temporary password"), validators=[_required()])


def _code_field(label):
    return StringField(label, validators=[_required(), Length(max=20)])


class SecondStepForm(BaseForm):
    code = _code_field(_l("Code from your app, or a recovery code"))


class TwoFactorConfirmForm(BaseForm):
    code = _code_field(_l("The 6-digit code your app shows now"))


class RecoveryCodesForm(BaseForm):
    password = PasswordField(_l("Your password"), validators=[_required()])


class TwoFactorOffForm(BaseForm):
    password = PasswordField(_l("Your password"), validators=[_required()])
    code = _code_field(_l("Code from your app, or a recovery code"))
