"""The profile form (contact details, language, consent and, per kind of notice, the
channels it comes by) and the form that stops messages from a message's own link."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from gachi.core.forms import BaseForm, options
from gachi.notifications.models import NotificationKind
from gachi.notifications.operations import Choice

LANGUAGE_CHOICES = (("ko", "한국어"), ("en", "English"))
CHANNEL_FIELDS = ("in_app", "email", "sms", "kakao")


class ProfileForm(BaseForm):
    """Four boxes per kind: `in_app_<kind>`, `email_<kind>`, `sms_<kind>`, `kakao_<kind>`."""

    phone = StringField(
        _l("Mobile phone"),
        validators=[
            Optional(),
            Regexp(
                r"^0\d{1,2}[- ]?\d{3,4}[- ]?\d{4}$",
                message=_l("Write a phone number like 010-1234-5678."),
            ),
        ],
    )
    email = StringField(
        _l("E-mail"),
        validators=[
            Optional(),
            Length(max=254),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message=_l("Write an e-mail address like name@example.org."),
            ),
        ],
    )
    language = SelectField(
        _l("Language of messages"), choices=options(LANGUAGE_CHOICES), default="ko"
    )
    consent = BooleanField(_l("I agree to receive service notices by text and KakaoTalk."))

    def choices(self):
        return {
            kind: Choice(*(self[f"{channel}_{kind.value}"].data for channel in CHANNEL_FIELDS))
            for kind in NotificationKind
        }

    def rows(self):
        return [
            (kind, [self[f"{channel}_{kind.value}"] for channel in CHANNEL_FIELDS])
            for kind in NotificationKind
        ]


for _kind in NotificationKind:
    for _channel in CHANNEL_FIELDS:
        setattr(ProfileForm, f"{_channel}_{_kind.value}", BooleanField(_kind.label))


def profile_form(user, preferences, consents, *, formdata=None, **kwargs):
    """The form filled with what `user` has unless submitted."""
    if formdata is not None:
        return ProfileForm(**kwargs)
    data = {
        "phone": user.phone,
        "email": user.email,
        "language": user.language,
        "consent": consents,
    }
    for kind, choice in preferences.items():
        for channel, value in zip(CHANNEL_FIELDS, choice, strict=True):
            data[f"{channel}_{kind.value}"] = value
    return ProfileForm(data=data, **kwargs)


class OptOutForm(BaseForm):
    token = HiddenField(validators=[DataRequired()])
