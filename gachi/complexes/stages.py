"""The life of a complex in a cohort: stages, allowed moves and their gates.

Each stage states what must exist before a complex enters it. Areas register those
conditions with `@gate(Stage.X, needs=_l("..."))`: a function of the participation and
the moment of the move that returns None when the condition holds, or the reason
(translatable, naming what is missing) when it does not. The stage page lists them; the
move refuses while any is missing, unless staff move anyway with a written reason.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from gachi.core.enums import LabelledEnum
from gachi.core.time import utcnow


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


@dataclass(frozen=True)
class Gate:
    """One thing that must exist before a complex enters a stage."""

    needs: object  # what must exist, said as a requirement (lazy string)
    check: Callable  # (participation, now) -> None, or the reason it is missing


@dataclass(frozen=True)
class GateState:
    """A gate as it stands for one participation: what it needs, and what is missing."""

    name: str  # the check's name: what the audit log records
    needs: str
    missing: str | None

    @property
    def met(self) -> bool:
        return self.missing is None


_GATES: dict[Stage, list[Gate]] = {stage: [] for stage in Stage}


def gate(target: Stage, *, needs):
    """Register `needs`, a condition for moving a participation into `target`."""

    def register(check):
        _GATES[target].append(Gate(needs, check))
        return check

    return register


def next_stage(stage: Stage) -> Stage | None:
    index = STAGE_ORDER.index(stage)
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


def gate_states(participation, target: Stage, now=None) -> list[GateState]:
    """Every condition for entering `target`, each with what is missing (None if met)."""
    now = now or utcnow()
    states = []
    for registered in _GATES[target]:
        reason = registered.check(participation, now)
        states.append(
            GateState(
                registered.check.__name__, str(registered.needs), str(reason) if reason else None
            )
        )
    return states


def unmet_gate_states(participation, target: Stage, now=None) -> list[GateState]:
    """The gates of the move to `target` that are not met yet (empty when it may go)."""
    if target is Stage.CLOSED and participation.closing_is_early:
        return []  # withdrawing early needs only a note, checked by the operation
    return [state for state in gate_states(participation, target, now) if not state.met]


def unmet_gates(participation, target: Stage, now=None) -> list[str]:
    """The reasons the move to `target` may not happen yet (empty when it may)."""
    return [str(state.missing) for state in unmet_gate_states(participation, target, now)]
