"""The form for choosing which notifications come in the app and by e-mail."""

from wtforms import BooleanField

from gachi.core.forms import BaseForm
from gachi.notifications.models import NotificationKind


class PreferencesForm(BaseForm):
    """Two boxes per kind: `in_app_<kind>` and `email_<kind>`."""

    def choices(self):
        return {
            kind: (self[f"in_app_{kind.value}"].data, self[f"email_{kind.value}"].data)
            for kind in NotificationKind
        }

    def rows(self):
        return [
            (kind, self[f"in_app_{kind.value}"], self[f"email_{kind.value}"])
            for kind in NotificationKind
        ]


for _kind in NotificationKind:
    setattr(PreferencesForm, f"in_app_{_kind.value}", BooleanField(_kind.label))
    setattr(PreferencesForm, f"email_{_kind.value}", BooleanField(_kind.label))


def preferences_form(preferences, *, formdata=None, **kwargs):
    """The form filled with `preferences` ({kind: (in_app, by_email)}) unless submitted."""
    data = {}
    for kind, (in_app, by_email) in preferences.items():
        data[f"in_app_{kind.value}"], data[f"email_{kind.value}"] = in_app, by_email
    return PreferencesForm(data=data, **kwargs) if formdata is None else PreferencesForm(**kwargs)
