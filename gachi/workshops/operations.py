"""The verbs of workshops: plan one, write its minutes, check people in, attach files;
and the gates out of the workshop stages (each round's workshop was held, people came)."""

import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError

from gachi.complexes.stages import Stage, gate
from gachi.core import attendance as attendance_window
from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.people.operations import person_for
from gachi.workshops import uploads
from gachi.workshops.models import (
    Workshop,
    WorkshopAttachment,
    WorkshopAttendance,
    WorkshopRound,
)


class FileTooLarge(DomainError):
    code = "file_too_large"
    status = 413
    default_message = _l("The file is too large. Attach files of at most 5 MB.")


WORKSHOP_FIELDS = ("round", "held_at", "place", "facilitator", "agenda", "minutes")


def _held_with_attendance(participation, round_, now):
    """A workshop of `round_` whose time has come, where someone checked in or walk-ins
    were counted."""
    return db.session.scalar(
        select(
            exists().where(
                Workshop.participation_id == participation.id,
                Workshop.round == round_,
                Workshop.held_at <= now,
                or_(
                    Workshop.walk_in_count > 0,
                    exists().where(WorkshopAttendance.workshop_id == Workshop.id),
                ),
            )
        )
    )


@gate(Stage.SOLUTION_WORKSHOP, needs=_l("The 1st workshop held, with attendance recorded"))
def first_workshop_was_held(participation, now):
    if _held_with_attendance(participation, WorkshopRound.PROBLEMS, now):
        return None
    return _l("No 1st workshop (finding problems) has been held with attendance recorded.")


@gate(Stage.PLANNING, needs=_l("The 2nd workshop held, with attendance recorded"))
def second_workshop_was_held(participation, now):
    if _held_with_attendance(participation, WorkshopRound.SOLUTIONS, now):
        return None
    return _l("No 2nd workshop (designing solutions) has been held with attendance recorded.")


def create_workshop(participation, *, actor, **fields):
    workshop = Workshop(
        participation_id=participation.id,
        created_by_id=actor.id,
        **{name: fields[name] for name in WORKSHOP_FIELDS if name in fields},
    )
    db.session.add(workshop)
    db.session.flush()
    log_change(
        "workshop.create",
        workshop,
        actor=actor,
        complex_id=participation.complex_id,
        after={name: fields.get(name) for name in ("round", "held_at", "place")},
    )
    return workshop


def update_workshop(workshop, *, actor, **fields):
    before, after = {}, {}
    for name in WORKSHOP_FIELDS:
        if name in fields and getattr(workshop, name) != fields[name]:
            before[name], after[name] = getattr(workshop, name), fields[name]
            setattr(workshop, name, fields[name])
    if after:
        log_change(
            "workshop.update",
            workshop,
            actor=actor,
            complex_id=workshop.participation.complex_id,
            before=before,
            after=after,
        )
    return workshop


def _check_door(workshop, now):
    """Refuse, with the reason, when `Workshop.takes_attendance(now)` says no."""
    if not workshop.takes_attendance(now or utcnow()):
        raise attendance_window.refusal(workshop.held_at, workshop.held_at, now or utcnow())


def check_in_resident(workshop, *, resident, actor, now=None):
    """A registered resident of the complex came; checking in twice is refused."""
    _check_door(workshop, now)
    if not resident.is_resident or resident.complex_id != workshop.participation.complex_id:
        raise DomainError(_l("Choose a resident of this complex."))
    attendance = WorkshopAttendance(
        workshop_id=workshop.id,
        user_id=resident.id,
        household_id=resident.household_id,
        checked_in_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(attendance)
    except IntegrityError:
        raise Conflict(_l("%(name)s is already checked in."), name=resident.display_name) from None
    return attendance


def check_in_guest(workshop, *, name, household=None, actor, now=None):
    """Someone without an account, by the name they gave and their household if known:
    with the household, the person of it by that name (gachi/people), found again or
    written down now, so they count once however often they come."""
    _check_door(workshop, now)
    if not name.strip():
        raise DomainError(_l("Write the name of the person who came."))
    if household is not None and household.complex_id != workshop.participation.complex_id:
        raise DomainError(_l("Choose a household of this complex."))
    person = (
        person_for(household, name=name, actor=actor, now=now) if household is not None else None
    )
    if person is not None and db.session.scalar(
        select(
            exists().where(
                WorkshopAttendance.workshop_id == workshop.id,
                WorkshopAttendance.person_id == person.id,
            )
        )
    ):
        raise Conflict(_l("%(name)s is already checked in."), name=person.name)
    attendance = WorkshopAttendance(
        workshop_id=workshop.id,
        name=name.strip(),
        household_id=household.id if household else None,
        person_id=person.id if person else None,
        checked_in_by_id=actor.id,
    )
    db.session.add(attendance)
    db.session.flush()
    return attendance


def set_walk_ins(workshop, *, count, actor, now=None):
    _check_door(workshop, now)
    if count < 0:
        raise DomainError(_l("The number of walk-ins cannot be negative."))
    before = workshop.walk_in_count
    workshop.walk_in_count = count
    log_change(
        "workshop.walk_ins",
        workshop,
        actor=actor,
        complex_id=workshop.participation.complex_id,
        before={"walk_in_count": before},
        after={"walk_in_count": count},
    )
    return workshop


def add_attachment(workshop, *, filename, data: bytes, actor):
    """Keep a photo or PDF of the workshop; refused unless its name and content agree."""
    if len(data) > uploads.MAX_ATTACHMENT_BYTES:
        raise FileTooLarge()
    if not data:
        raise DomainError(_l("The file is empty."))
    filename = unicodedata.normalize("NFC", filename)  # macOS browsers send NFD
    filename = (
        "".join(
            char for char in filename.replace("\\", "/").rsplit("/", 1)[-1] if char.isprintable()
        ).strip()
        or "attachment"
    )
    content_type = uploads.detected_type(filename, data[:16])
    if content_type is None:
        raise DomainError(_l("Attach a photo (JPG or PNG) or a PDF."))
    attachment = WorkshopAttachment(
        workshop_id=workshop.id,
        filename=filename[-200:],
        stored_name=uploads.new_stored_name(content_type),
        content_type=content_type,
        size_bytes=len(data),
        uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    db.session.flush()
    uploads.write_file(attachment.stored_name, data)
    log_change(
        "workshop.attach",
        workshop,
        actor=actor,
        complex_id=workshop.participation.complex_id,
        after={
            "attachment_id": attachment.id,
            "filename": attachment.filename,
            "size_bytes": len(data),
        },
    )
    return attachment
