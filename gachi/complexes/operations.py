"""The verbs that change cohorts, complexes, households and participations."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select, update

from gachi.complexes.models import Participation, StageMove
from gachi.complexes.stages import ALLOWED_MOVES, Stage, gate, unmet_gates
from gachi.coordinators.models import Placement
from gachi.core.audit import log_change
from gachi.core.errors import Conflict, GateNotMet, NotAllowed
from gachi.core.time import seoul_today, utcnow
from gachi.extensions import db


@gate(Stage.PROBLEM_WORKSHOP)
def coordinator_is_placed(participation):
    placed = db.session.scalar(select(exists().where(
        Placement.complex_id == participation.complex_id, Placement.is_active_on(seoul_today())
    )))
    return None if placed else _l("No coordinator is placed at this complex.")


def move_stage(participation, target: Stage, *, actor, note=""):
    """Move `participation` to `target` if the move is allowed and its gates are met.

    The UPDATE is conditional on the stage we checked, so two people moving the same
    participation at once cannot both succeed.
    """
    source = participation.stage
    if target not in ALLOWED_MOVES[source]:
        raise GateNotMet(_l("A participation cannot move from %(source)s to %(target)s."),
                         source=source.label, target=target.label)
    if target is Stage.CLOSED and source is not Stage.EVALUATION:
        if not actor.is_staff:
            raise NotAllowed(_l("Only center staff can close a participation early."))
        if not note.strip():
            raise GateNotMet(_l("Closing a participation early needs a note saying why."))
    reasons = unmet_gates(participation, target)
    if reasons:
        raise GateNotMet(" ".join(reasons))
    moved_at = utcnow()
    result = db.session.execute(
        update(Participation)
        .where(Participation.id == participation.id, Participation.stage == source)
        .values(stage=target, stage_changed_at=moved_at)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict()
    db.session.refresh(participation)
    db.session.add(StageMove(participation_id=participation.id, from_stage=source, to_stage=target,
                             moved_by_id=actor.id, moved_at=moved_at, note=note))
    log_change("stage.move", participation, actor=actor, complex_id=participation.complex_id,
               before={"stage": source.value}, after={"stage": target.value, "note": note})
    return participation
