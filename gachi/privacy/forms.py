"""The form that confirms deleting one's own account."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import InputRequired

from gachi.core.forms import BaseForm


class DeleteAccountForm(BaseForm):
    # Named like the password-change field, so a wrong password shows in the same place.
    current_password = PasswordField(
        _l("Your password"), validators=[InputRequired(message=_l("Please fill this in."))]
    )
