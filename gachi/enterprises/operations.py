"""The verbs that change the enterprise directory: add, edit, and import a CSV file."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError
from gachi.core.time import utcnow
from gachi.enterprises import csv_import
from gachi.enterprises.csv_import import RefusedLine
from gachi.enterprises.models import Enterprise, EnterpriseCategory, EnterpriseDistrict
from gachi.extensions import db
from gachi.proposals.models import Category

MAX_IMPORT_BYTES = 2 * 1024 * 1024
DUPLICATE_NAME = _l("There is already an enterprise called %(name)s.")


def _set_links(enterprise, category_ids, districts):
    enterprise.category_links = [
        EnterpriseCategory(category_id=category_id) for category_id in sorted(set(category_ids))
    ]
    enterprise.district_links = [
        EnterpriseDistrict(district=district) for district in dict.fromkeys(districts)
    ]


def _check_reach(category_ids, districts, seoul_wide):
    if not category_ids:
        raise DomainError(_l("Choose at least one category the enterprise works on."))
    if not districts and not seoul_wide:
        raise DomainError(_l("Choose the districts it serves, or all of Seoul."))


def _flush_enterprise(enterprise):
    try:
        with db.session.begin_nested():
            db.session.add(enterprise)
    except IntegrityError:
        raise Conflict(DUPLICATE_NAME, name=enterprise.name) from None


def create_enterprise(
    *,
    name,
    legal_form,
    category_ids,
    districts,
    seoul_wide=False,
    description="",
    contact="",
    verified=False,
    source="app",
    actor,
):
    _check_reach(category_ids, districts, seoul_wide)
    enterprise = Enterprise(
        name=name,
        legal_form=legal_form,
        seoul_wide=seoul_wide,
        description=description,
        contact=contact,
        verified=verified,
        source=source,
    )
    _set_links(enterprise, category_ids, [] if seoul_wide else districts)
    _flush_enterprise(enterprise)
    log_change(
        "enterprise.create",
        enterprise,
        actor=actor,
        after={
            "name": name,
            "legal_form": legal_form.value,
            "verified": verified,
            "categories": ",".join(map(str, category_ids)),
            "seoul_wide": seoul_wide,
            "districts": ",".join(str(district) for district in districts),
        },
    )
    return enterprise


def update_enterprise(enterprise, *, category_ids, districts, actor, **fields):
    """Change the enterprise's fields and what it serves; log what changed."""
    _check_reach(category_ids, districts, fields.get("seoul_wide", enterprise.seoul_wide))
    if fields.get("seoul_wide", enterprise.seoul_wide):
        districts = []
    before, after = {}, {}
    for name, value in fields.items():
        if getattr(enterprise, name) != value:
            before[name], after[name] = getattr(enterprise, name), value
            setattr(enterprise, name, value)
    old_reach = ([link.category_id for link in enterprise.category_links], enterprise.districts)
    new_reach = (sorted(set(category_ids)), list(dict.fromkeys(districts)))
    if sorted(old_reach[0]) != new_reach[0] or old_reach[1] != new_reach[1]:
        before["reach"] = f"{old_reach[0]} {[str(d) for d in old_reach[1]]}"
        after["reach"] = f"{new_reach[0]} {[str(d) for d in new_reach[1]]}"
        _set_links(enterprise, *new_reach)
    if after:
        enterprise.updated_at = utcnow()
        _flush_enterprise(enterprise)
        log_change("enterprise.update", enterprise, actor=actor, before=before, after=after)
    return enterprise


@dataclass
class ImportReport:
    added: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    # How the file was read: "UTF-8" or "CP949" (Korean Excel).
    encoding: str = "UTF-8"


def import_enterprises(data: bytes, *, actor):
    """Add an enterprise for every good line of a CSV file; report every other line.

    Each good line goes in its own savepoint with its categories and districts, so a
    line is loaded whole or not at all and a bad line never stops the rest. The
    caller commits once. Imported enterprises are not verified until staff say so.
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise DomainError(
            _l("The file is too large: at most %(size)s MB."),
            size=MAX_IMPORT_BYTES // (1024 * 1024),
        )
    categories = db.session.scalars(select(Category).where(Category.active.is_(True))).all()
    try:
        parsed = csv_import.parse(data, categories)
    except csv_import.HeaderError as error:
        raise DomainError(str(error)) from None
    report = ImportReport(refused=parsed.refused, encoding=parsed.encoding_name)
    taken = _names_taken([row.name for row in parsed.rows])
    for row in parsed.rows:
        if row.name.casefold() in taken:
            report.refused.append(
                RefusedLine(
                    row.number,
                    row.name,
                    str(_l("%(name)s is already in the directory.", name=row.name)),
                )
            )
            continue
        try:
            report.added.append(
                create_enterprise(
                    name=row.name,
                    legal_form=row.legal_form,
                    category_ids=row.category_ids,
                    districts=row.districts,
                    seoul_wide=row.seoul_wide,
                    description=row.description,
                    contact=row.contact,
                    source="import",
                    actor=actor,
                )
            )
        except DomainError as error:
            report.refused.append(RefusedLine(row.number, row.name, str(error)))
    report.refused.sort(key=lambda line: line.number)
    return report


def _names_taken(names):
    """The names (case-folded) already in the directory, in one query."""
    if not names:
        return set()
    lowered = {name.casefold() for name in names}
    rows = db.session.scalars(
        select(Enterprise.name).where(func.lower(Enterprise.name).in_(lowered))
    )
    return {name.casefold() for name in rows}
