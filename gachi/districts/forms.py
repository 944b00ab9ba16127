"""The center's forms for district support organisations' accounts."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from gachi.auth.operations import USERNAME_PATTERN, USERNAME_RULE, normalise_username
from gachi.complexes.districts import District
from gachi.core.forms import BaseForm, options


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _required():
    return InputRequired(message=_l("Please fill this in."))


class DistrictOfficeForm(BaseForm):
    """The districts an organisation covers and what the center allows it."""

    districts = CheckboxesField(
        _l("Districts it covers"),
        choices=options(District.choices()),
        coerce=District,
        validators=[InputRequired(message=_l("Choose at least one district."))],
    )
    may_place_coordinators = BooleanField(_l("May place coordinators in its districts"))


class DistrictAccountForm(DistrictOfficeForm):
    """A new district account: who, its first password, its districts."""

    username = StringField(
        _l("User name"),
        filters=[normalise_username],
        validators=[_required(), Length(max=30), Regexp(USERNAME_PATTERN, message=USERNAME_RULE)],
    )
    display_name = StringField(
        _l("Name of the organisation"), validators=[_required(), Length(max=100)]
    )
    password = PasswordField(_l("Temporary password"), validators=[_required()])
