"""The form that makes a calendar link."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    SelectField,
)

from gachi.core.forms import BaseForm, options


class CalendarLinkForm(BaseForm):
    kind = SelectField(
        _l("Calendar"),
        choices=options(
            [
                ("personal", _l("My bookings and shifts")),
                ("complex", _l("All public sessions of my complex")),
            ]
        ),
    )
