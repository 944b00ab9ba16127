"""The form a coordinator writes a notice in."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from gachi.core.forms import BaseForm, options
from gachi.notices.models import NoticeChannel


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NoticeForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    body = TextAreaField(_l("Text"), validators=[Length(max=5000)])
    pinned = BooleanField(_l("Pin it to the top of the board"))
    expires_on = DateField(
        _l("Last day on the board (leave empty to keep it)"), validators=[Optional()]
    )

    def values(self):
        return {
            "title": self.title.data,
            "body": self.body.data or "",
            "pinned": self.pinned.data,
            "expires_on": self.expires_on.data,
        }


class NewNoticeForm(NoticeForm):
    channels = CheckboxesField(
        _l("Also send it"),
        choices=options(NoticeChannel.choices()),
        default=[NoticeChannel.IN_APP.value],
    )

    def values(self):
        return {
            **super().values(),
            "channels": [NoticeChannel(value) for value in self.channels.data or []],
        }
