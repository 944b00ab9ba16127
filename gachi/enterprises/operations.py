"""The verbs that change the enterprise directory: add, edit, and import a CSV file.

An import is a job: `queue_import` checks the file and keeps it, and the scheduler's
`enterprises.imports` job (gachi.enterprises.jobs) calls `import_batch` batch by batch."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError
from gachi.core.time import utcnow
from gachi.enterprises import csv_import
from gachi.enterprises.csv_import import RefusedLine
from gachi.enterprises.models import (
    Enterprise,
    EnterpriseCategory,
    EnterpriseDistrict,
    ImportJob,
    ImportStatus,
)
from gachi.extensions import db
from gachi.proposals.models import Category

MAX_IMPORT_BYTES = 2 * 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
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


def _names_taken(names):
    """The names (case-folded) already in the directory, in one query."""
    if not names:
        return set()
    lowered = {name.casefold() for name in names}
    rows = db.session.scalars(
        select(Enterprise.name).where(func.lower(Enterprise.name).in_(lowered))
    )
    return {name.casefold() for name in rows}


# Lines imported between two commits of an import job's progress.
BATCH_SIZE = 100
IMPORT_KIND = "enterprises"


def _parse(data):
    if len(data) > MAX_IMPORT_BYTES:
        raise DomainError(
            _l("The file is too large: at most %(size)s MB."),
            size=MAX_IMPORT_BYTES // (1024 * 1024),
        )
    categories = db.session.scalars(select(Category).where(Category.active.is_(True))).all()
    try:
        return csv_import.parse(data, categories)
    except csv_import.HeaderError as error:
        raise DomainError(str(error)) from None


def _lines(parsed):
    """Every data line of a parsed file in file order: an EnterpriseRow or a RefusedLine."""
    return sorted([*parsed.rows, *parsed.refused], key=lambda line: line.number)


def queue_import(data: bytes, *, filename, locale, actor, now):
    """Check the file now (size, encoding, header line) and keep it as an import job for
    the scheduler to run; nothing is added to the directory yet. A file that cannot be
    read is refused whole here, so no job is left for it."""
    parsed = _parse(data)
    job = ImportJob(
        kind=IMPORT_KIND,
        started_by_id=actor.id,
        filename=unicodedata.normalize("NFC", _CONTROL.sub("", filename)).strip()[:200],
        data=data,
        encoding=parsed.encoding_name,
        locale=locale,
        status=ImportStatus.QUEUED,
        lines_total=len(parsed.rows) + len(parsed.refused),
        outcomes=[],
        created_at=now,
    )
    db.session.add(job)
    db.session.flush()
    return job


def _outcome(number, text, reason="", enterprise=None):
    return {
        "line": number,
        "text": text[:200],
        "added": enterprise is not None,
        "reason": str(reason),
        "enterprise_id": enterprise.id if enterprise is not None else None,
    }


def import_lines(job):
    """The job's file read again, line by line (reading 5,000 lines takes a moment)."""
    return _lines(_parse(job.data))


def import_batch(job, *, size=BATCH_SIZE, lines=None):
    """Add the enterprises of the job's next `size` lines; return each line's outcome.
    `lines` is the file as `import_lines` read it, when the caller has it already.

    Each good line goes in its own savepoint with its categories and districts, so a
    line is loaded whole or not at all and a bad line never stops the rest. Imported
    enterprises are not verified until staff say so. The caller records the outcomes on
    the job and commits them with the enterprises (see `gachi.enterprises.jobs`)."""
    lines = import_lines(job) if lines is None else lines
    batch = lines[job.lines_done : job.lines_done + size]
    taken = _names_taken([line.name for line in batch if not isinstance(line, RefusedLine)])
    outcomes = []
    for line in batch:
        if isinstance(line, RefusedLine):
            outcomes.append(_outcome(line.number, line.text, line.reason))
        elif line.name.casefold() in taken:
            reason = _l("%(name)s is already in the directory.", name=line.name)
            outcomes.append(_outcome(line.number, line.name, reason))
        else:
            try:
                enterprise = create_enterprise(
                    name=line.name,
                    legal_form=line.legal_form,
                    category_ids=line.category_ids,
                    districts=line.districts,
                    seoul_wide=line.seoul_wide,
                    description=line.description,
                    contact=line.contact,
                    source="import",
                    actor=job.started_by,
                )
            except DomainError as error:
                outcomes.append(_outcome(line.number, line.name, error))
            else:
                outcomes.append(_outcome(line.number, line.name, enterprise=enterprise))
    return outcomes
