"""Text a spreadsheet would run as a formula, written wherever people write text, reaches
no exported file as a formula.

The scene's people (staff, coordinator, resident, partner) fill every text field of every
form their pages show, one field at a time, with one of FORMULAS (the rest of the form as
the page fills it); the coordinator also renames the problems on the ballot. Then every
file the app hands out is downloaded: every route of the URL map and every link on every
page is asked, and each CSV or XLSX answer is read cell by cell. (The ballot is closed
first, so that its results are there to download.) So a form or an export
added tomorrow is covered the day it lands.

A cell may begin with = + - @, a tab or a carriage return only after the apostrophe the
writer puts there (gachi.core.spreadsheets), or when it is a number the app wrote: "-5"
in a CSV, a number cell in an XLSX.
"""

import csv
import html
import io
import itertools
import re
from urllib.parse import urlparse

from openpyxl import load_workbook
from werkzeug.exceptions import HTTPException

from gachi.auth.models import User
from gachi.ballots.models import Ballot
from gachi.core.spreadsheets import CSV_MIMETYPE, FORMULA_STARTS, XLSX_MIMETYPE
from gachi.extensions import db
from tests.conftest import csrf_token, sign_in_directly
from tests.security.forms import forms_on
from tests.security.test_bad_input import (
    COORDINATOR,
    PARTNER,
    RESIDENT,
    STAFF,
    forms_seen_by,
    the_scene,
)
from tests.security.test_scoping import every_route

FORMULAS = (
    '=HYPERLINK("http://evil.example","열기")',
    "+cmd",
    "@SUM(1)",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)
WRITERS = (RESIDENT, PARTNER, COORDINATOR, STAFF)
# The district support organisation's board has its own export (kpi.district_export).
DISTRICT = "district of A"
READERS = (STAFF, COORDINATOR, DISTRICT)
TEXT_FIELDS = ("text", "textarea", "search")
# Signing in, out or away writes no text anyone exports.
NOT_WRITING = {
    "auth.login",
    "auth.logout",
    "auth.join",
    "auth.change_password",
    "privacy.delete_account",
}
# Exports the walk must find holding some of the text: a walk that found none would pass
# without testing anything.
KNOWN_EXPORTS = {
    "ballots.ballot_results_csv",
    "kpi.export",
    "kpi.district_export",
    "audit.audit_log_csv",
    "enterprises.import_job_skipped",
    "rosters.every_volunteers_hours",
}
FILE_KINDS = {CSV_MIMETYPE.split(";")[0]: "csv", XLSX_MIMETYPE: "xlsx"}
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # how a CSV holds a number the app wrote
HREF = re.compile(r'href="([^"]+)"')


def endpoint_of(app, path, method="GET"):
    try:
        return app.url_map.bind("localhost").match(path, method=method)[0]
    except HTTPException:
        return None


def client_of(app, scene, role):
    client = app.test_client()
    client.set_cookie("lang", "en")
    sign_in_directly(client, db.session.get(User, scene.ids["people"][role]))
    db.session.remove()
    return client


def as_the_page_fills_it(field):
    if field.kind == "file":
        return None
    if field.multiple or field.kind == "checkbox":
        return field.values
    return field.values[0] if field.values else ""


def forms_of(app, scene, role, client):
    """{action: {name: Field}} of the role's pages, and for the coordinator the edit
    pages of the problems on the ballot (their titles are the results file's rows)."""
    scene.people = {
        name: user_id and db.session.get(User, user_id)
        for name, user_id in scene.ids["people"].items()
    }
    forms = dict(forms_seen_by(app, scene, role))
    if role == COORDINATOR:
        for option in db.session.get(Ballot, scene.ids["ballot_id"]).options:
            path = f"/problems/{option.problem_id}/edit"
            for form in forms_on(path, client.get(path).get_data(as_text=True)):
                forms.setdefault(form.action, {}).update(form.fields)
        db.session.remove()
    return forms


def write_formulas_everywhere(app, scene):
    """Post each text field with a formula; the 5xx answers, if any."""
    formulas, failures = itertools.cycle(FORMULAS), []
    for role in WRITERS:
        client = client_of(app, scene, role)
        token = csrf_token(client, "/no-such-page")
        for action, fields in forms_of(app, scene, role, client).items():
            if endpoint_of(app, action, "POST") in NOT_WRITING:
                continue
            filled = {name: as_the_page_fills_it(field) for name, field in fields.items()}
            filled = {name: value for name, value in filled.items() if value is not None}
            for name in (name for name, field in fields.items() if field.kind in TEXT_FIELDS):
                formula = next(formulas)
                response = client.post(action, data={**filled, name: formula, "csrf_token": token})
                response.close()
                if response.status_code >= 500:
                    failures.append(f"{role} POST {action} {name}: {response.status_code}")
                elif response.status_code == 302:
                    filled[name] = formula  # kept: the next field's post doesn't undo it
        db.session.remove()
    return failures


def close_the_ballot(app, scene):
    """Its results (one of the files) are there to download once it is closed."""
    client = client_of(app, scene, COORDINATOR)
    response = client.post(
        f"/ballots/{scene.ids['ballot_id']}/close",
        data={"csrf_token": csrf_token(client, "/no-such-page")},
    )
    assert response.status_code == 302, response.status_code


def links_on(body):
    for href in HREF.findall(body):
        url = urlparse(html.unescape(href))
        if not url.netloc and url.path.startswith("/") and not url.path.startswith("/static/"):
            yield url.path + (f"?{url.query}" if url.query else "")


def files_for(app, scene, role):
    """{url: (endpoint, kind, body)} of every CSV and XLSX the role can download."""
    client = client_of(app, scene, role)
    to_ask = [
        url
        for endpoint, method, url, _ in every_route(app, scene.ids)
        if method == "GET" and endpoint != "auth.logout"
    ]
    asked, files = set(), {}
    while to_ask:
        url = to_ask.pop()
        endpoint = endpoint_of(app, urlparse(url).path)
        if url in asked or endpoint in (None, "auth.logout", "public.set_language"):
            continue
        asked.add(url)
        response = client.get(url)
        kind = FILE_KINDS.get(response.mimetype)
        if response.status_code == 200 and kind:
            files[url] = (endpoint, kind, response.data)
        elif response.status_code == 200 and response.mimetype == "text/html":
            to_ask += [
                link for link in links_on(response.get_data(as_text=True)) if link not in asked
            ]
        response.close()
        db.session.remove()
    return files


def cells(kind, body):
    """Every cell as (text or None for a number, is a formula)."""
    if kind == "csv":
        for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))):
            yield from ((None if NUMBER.fullmatch(cell) else cell, False) for cell in row)
        return
    for sheet in load_workbook(io.BytesIO(body)).worksheets:
        for row in sheet.iter_rows():
            yield from (
                (cell.value if cell.data_type == "s" else None, cell.data_type == "f")
                for cell in row
            )


def test_formula_text_written_in_any_form_reaches_every_export_as_text(app, make):
    scene = the_scene(app, make)
    scene.ids["people"] = {role: user and user.id for role, user in scene.people.items()}
    close_the_ballot(app, scene)
    assert not write_formulas_everywhere(app, scene)

    unsafe, neutralised, found = [], set(), set()
    for role in READERS:
        for url, (endpoint, kind, body) in files_for(app, scene, role).items():
            found.add(endpoint)
            for text, is_formula in cells(kind, body):
                if is_formula or (text and text.startswith(FORMULA_STARTS)):
                    unsafe.append(f"{role} {url}: {text!r}")
                elif text and text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
                    neutralised.add(endpoint)

    assert not unsafe, "\n".join(unsafe)
    assert found >= KNOWN_EXPORTS, f"exports not found by the walk: {KNOWN_EXPORTS - found}"
    # The district board's files are the center's tables narrowed to its districts, by
    # the same writer: their cells are checked above, but the scene writes no formula
    # text into what they hold (figures and the district's own complexes).
    expected = KNOWN_EXPORTS - {"kpi.district_export"}
    assert neutralised >= expected, f"exports holding no formula text: {expected - neutralised}"
    assert "kpi.district_export" in found


def test_every_export_in_the_url_map_is_found_by_the_walk(app):
    """A route that names a file type is an export; it must be one the walk above knows."""
    with app.test_request_context():
        named = {
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if re.search(r"\.(csv|xlsx|<kind>)$|<[^>]*kind>", rule.rule)
        }
    assert named == KNOWN_EXPORTS, "add the export to KNOWN_EXPORTS (and check the walk finds it)"
