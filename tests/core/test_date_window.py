"""One window for every date and datetime the app takes in: 2000-01-01 to 2100-12-31,
stated once (gachi.core.time), enforced by every form's date fields; outside it a clear
message in the user's language and a 4xx, never a 500."""

import importlib
import pkgutil
from datetime import datetime

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, DateTimeField, TimeField

import gachi
from gachi.core.forms import BaseForm
from gachi.core.time import DateOutsideWindow, seoul_to_utc

REFUSED_DAYS, ACCEPTED_DAYS = (
    ("0001-01-01", "1999-12-31", "2101-01-01"),
    ("2000-01-01", "2100-12-31"),
)


def every_form_class():
    for module in pkgutil.walk_packages(gachi.__path__, gachi.__name__ + "."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, todo = [], [FlaskForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.startswith(gachi.__name__ + "."):
                found.append(subclass)
    return found


def date_fields():
    """(form, field name, unbound field) for every date and datetime field of the app."""
    return [
        (form.__name__, name, unbound)
        for form in every_form_class()
        for name, unbound in vars(form).items()
        if getattr(unbound, "field_class", None)
        and issubclass(unbound.field_class, DateTimeField)
        and not issubclass(unbound.field_class, TimeField)
    ]


def typed(unbound, day):
    """`day` as a person types it into this field (a datetime field: at its first minute
    or its last, as the browser's datetime-local input sends it)."""
    if issubclass(unbound.field_class, DateField):
        return day
    return f"{day}T23:59" if day.endswith("12-31") else f"{day}T00:00"


def errors_for(app, unbound, value):
    class Probe(BaseForm):
        class Meta:
            csrf = False

        when = unbound

    with app.test_request_context(method="POST"):
        form = Probe(formdata=MultiDict({"when": value}))
        form.validate()
        return [str(error) for error in form.when.errors]


def test_the_app_has_date_fields_and_every_form_is_a_base_form():
    assert len(date_fields()) >= 10
    assert [form for form in every_form_class() if not issubclass(form, BaseForm)] == []


@pytest.mark.parametrize(
    "form_name, field_name, unbound",
    date_fields(),
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_every_date_field_takes_2000_to_2100_and_refuses_the_rest(
    app, form_name, field_name, unbound
):
    for day in REFUSED_DAYS:
        assert errors_for(app, unbound, typed(unbound, day)) == [
            "Enter a date from 2000-01-01 to 2100-12-31."
        ], (form_name, field_name, day)
    for day in ACCEPTED_DAYS:
        assert errors_for(app, unbound, typed(unbound, day)) == [], (form_name, field_name, day)


def test_a_seoul_time_outside_the_window_never_reaches_the_database():
    with pytest.raises(DateOutsideWindow):
        seoul_to_utc(datetime(1, 1, 1))
    assert seoul_to_utc(datetime(2000, 1, 1)).year == 2000
