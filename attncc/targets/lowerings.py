"""What every target with a fused and a generic lowering decides the same way.

Each target offers ``lowering=fused`` (one flash-style kernel, where the attention plan
prints) and ``lowering=generic`` (one loop nest or kernel per statement, for any program).
The rules around that choice are the same on every target and live here: the knobs of the
lowering not taken stay at their defaults (so that no two configs build the same kernel),
the error for ``lowering=fused`` where there is no plan, and which ranks a build keeps
symbolic.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping

from attncc.errors import LoweringError
from attncc.errors import UnsupportedError
from attncc.ir.nodes import Program
from attncc.ir.validate import validate
from attncc.lowering.plan import FusedPlan
from attncc.lowering.plan import plan_attention
from attncc.targets.base import Config
from attncc.targets.base import Constraint
from attncc.targets.base import Knob

__all__ = ["fused_not_possible", "one_lowering", "printable_plans", "specialise_lengths"]


def printable_plans(prints: Callable[[FusedPlan], object]) -> Callable[[Program], FusedPlan | None]:
    """A target's fused plan lookup: the attention plan of a program
    (:func:`~attncc.lowering.plan.plan_attention`) when ``prints(plan)`` -- the target's
    generator on stand-in extents -- raises no :class:`~attncc.errors.LoweringError`, else
    ``None`` (the generic lowering serves). Memoised by program value: equal programs share
    one check, and the plan handed back names the caller's program object."""

    @functools.lru_cache(maxsize=256)
    def checked(program: Program) -> FusedPlan | None:
        try:
            found = plan_attention(program)
            if found is not None:
                prints(found)
            return found
        except LoweringError:
            return None

    def plan(program: Program) -> FusedPlan | None:
        found = checked(program)
        if found is None or found.program is program:
            return found
        return dataclasses.replace(found, program=program)

    return plan


def one_lowering(own: Mapping[str, Iterable[Knob]]) -> Constraint:
    """The constraint that the knobs only lowering ``L`` reads (``own[L]``) stay at their
    defaults when another lowering is taken: otherwise equal kernels would count as two
    configs and the tuner would measure them twice."""
    owned = {lowering: tuple(knobs) for lowering, knobs in own.items()}

    def check(config: Config) -> str | None:
        taken = config["lowering"]
        moved = [
            k.name
            for lowering, knobs in owned.items()
            if lowering != taken
            for k in knobs
            if config[k.name] != k.initial
        ]
        return f"{', '.join(moved)} do not apply to {taken}" if moved else None

    return Constraint("one lowering", check)


def fused_not_possible(program: Program, target: str) -> UnsupportedError:
    """The error for ``lowering=fused`` on a program without a printable attention plan."""
    return UnsupportedError(
        f"lowering=fused is not possible for {program.name} on target {target}: no softmax "
        "attention was recognised in it; use lowering=generic"
    )


def specialise_lengths(
    plan: FusedPlan | None, program: Program, extents: Mapping[str, int]
) -> dict[str, int | None]:
    """Extents a build is specialised for: sequence lengths stay symbolic (one build serves
    every length), the rest is fixed. With a plan, its symbolic ranks; without, the ranks
    that are never an input's last dimension (head dims are: fixing them lets the compiler
    unroll and vectorise the inner loops)."""
    if plan is not None:
        free = set(plan.symbolic)
    else:
        innermost = {d.ranks[-1] for d in program.inputs if d.ranks}
        declared = {d.name for d in program.rank_decls}
        free = set(validate(program).ranks) - innermost - declared
    return {r: (None if r in free else n) for r, n in extents.items()}
