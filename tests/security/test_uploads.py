"""Every form that takes a file refuses the wrong type and the wrong size, keeping nothing.

Workshop photos are tested in detail in tests/workshops; here each upload route of the
app gets a renamed picture, a program and a file over its limit.
"""

import io

import pytest
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from gachi.complexes.models import Household
from gachi.enterprises.models import ImportJob
from gachi.extensions import db
from gachi.kpi.models import KpiEntry
from gachi.workshops.models import WorkshopAttachment
from tests.conftest import csrf_token, sign_in
from tests.security.scene import PNG, a_scene

ELEVEN_MB = 11 * 1024 * 1024
WRONG_FILES = {
    "a picture named .csv": ("figures.csv", PNG),
    "a program": ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60),
    "a page": ("page.html", b"<html><script>alert(1)</script></html>"),
    "over the size limit": ("big.csv", b"a," * (ELEVEN_MB // 2)),
}
# endpoint-like name → (path template, the table a refused upload must leave untouched)
UPLOAD_ROUTES = {
    "workshop attachment": ("/workshops/{workshop_id}/attachments", WorkshopAttachment),
    "KPI figures": ("/staff/cohorts/{cohort_id}/actuals/import", KpiEntry),
    "enterprises": ("/staff/enterprises/import", ImportJob),
    "households": ("/complexes/{complex_id}/households/import", Household),
}


def upload(client, path, name, data):
    # Our own builder, so the encoded body is closed even when the app refuses to read it.
    builder = EnvironBuilder(
        path=path,
        method="POST",
        data={"csrf_token": csrf_token(client, "/no-such-page"), "file": (io.BytesIO(data), name)},
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def rows(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_upload_routes_listed_here_are_all_the_forms_with_a_file(app):
    from gachi.core.forms import BaseForm

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    with_files = {
        form.__name__
        for form in subclasses(BaseForm)
        if any(
            getattr(getattr(form, name, None), "field_class", None).__name__ == "FileField"
            for name in dir(form)
            if getattr(getattr(form, name, None), "field_class", None)
        )
    }
    assert with_files == {"AttachmentForm", "HouseholdFileForm", "ImportActualsForm", "ImportForm"}


@pytest.mark.parametrize("route", UPLOAD_ROUTES)
@pytest.mark.parametrize("wrong", WRONG_FILES)
def test_a_file_of_the_wrong_type_or_size_is_refused(app, client, make, route, wrong):
    scene = a_scene(make)
    sign_in(client, scene.people["staff"])
    template, model = UPLOAD_ROUTES[route]
    before = rows(model)
    name, data = WRONG_FILES[wrong]
    response = upload(client, template.format(**scene.ids), name, data)
    assert response.status_code in (303, 400, 413, 422), response.status_code
    if response.status_code == 303:  # back to the form, with the reason on it
        assert 'class="flash flash-error"' in client.get(response.location).get_data(as_text=True)
    assert rows(model) == before
