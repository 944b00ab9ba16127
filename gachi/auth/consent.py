"""The privacy notice a person agrees to when they join (개인정보 수집·이용 동의).

Each version's wording is its own template, templates/privacy/notices/<version>.html,
named by the day it took effect (2026-12-03.html). A new wording is a new file: the join
form then shows and asks for the newest one, and each consent row keeps the version that
was agreed to, so what a person saw can always be shown again.
"""

import re

from flask import current_app

NOTICE_FOLDER = "privacy/notices/"
_VERSION = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def notice_versions() -> list[str]:
    """Every version of the notice, oldest first."""
    names = current_app.jinja_env.list_templates(
        filter_func=lambda name: name.startswith(NOTICE_FOLDER) and name.endswith(".html")
    )
    versions = (name.removeprefix(NOTICE_FOLDER).removesuffix(".html") for name in names)
    return sorted(version for version in versions if _VERSION.match(version))


def current_notice_version() -> str:
    """The version the join form asks for today: the newest."""
    return notice_versions()[-1]


def notice_template(version: str) -> str:
    if version not in notice_versions():
        raise LookupError(version)
    return f"{NOTICE_FOLDER}{version}.html"
