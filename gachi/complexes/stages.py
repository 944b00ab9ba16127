"""The life of a complex in a cohort: stages, allowed moves and their gates.

Later areas add gates with `@gate(Stage.X)`: a function of the participation that
returns None when the move may go ahead, or the reason (translatable) it may not.
"""

from flask_babel import lazy_gettext as _l

from gachi.core.enums import LabelledEnum


class Stage(LabelledEnum):
    RECRUITING = ("recruiting", _l("Recruiting"))
    PROBLEM_WORKSHOP = ("problem_workshop", _l("Problem workshop"))
    SOLUTION_WORKSHOP = ("solution_workshop", _l("Solution workshop"))
    PLANNING = ("planning", _l("Planning"))
    RUNNING = ("running", _l("Running"))
    EVALUATION = ("evaluation", _l("Evaluation"))
    CLOSED = ("closed", _l("Closed"))


STAGE_ORDER = list(Stage)

# Forward one step; staff may also close a participation early (a complex withdraws).
ALLOWED_MOVES = {
    stage: {STAGE_ORDER[index + 1], Stage.CLOSED} for index, stage in enumerate(STAGE_ORDER[:-1])
}
ALLOWED_MOVES[Stage.CLOSED] = set()

_GATES: dict[Stage, list] = {stage: [] for stage in Stage}


def gate(target: Stage):
    """Register a condition for moving a participation into `target`."""

    def register(check):
        _GATES[target].append(check)
        return check

    return register


def next_stage(stage: Stage) -> Stage | None:
    index = STAGE_ORDER.index(stage)
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


def unmet_gates(participation, target: Stage) -> list[str]:
    """The reasons the move to `target` may not happen yet (empty when it may)."""
    if target is Stage.CLOSED and participation.closing_is_early:
        return []  # withdrawing early needs only a note, checked by the operation
    reasons = (check(participation) for check in _GATES[target])
    return [str(reason) for reason in reasons if reason]
