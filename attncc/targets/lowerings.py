"""What every target with a fused and a generic lowering decides the same way.

Each target offers ``lowering=fused`` (one flash-style kernel, where the attention plan
prints) and ``lowering=generic`` (one loop nest or kernel per statement, for any program).
The rules around that choice are the same on every target and live here: the knobs of the
lowering not taken stay at their defaults (so that no two configs build the same kernel),
the error for ``lowering=fused`` where there is no plan, and which ranks a build keeps
symbolic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from attncc.errors import UnsupportedError
from attncc.ir.nodes import Program
from attncc.ir.validate import validate
from attncc.lowering.plan import FusedPlan
from attncc.targets.base import Config, Constraint, Knob

__all__ = ["fused_not_possible", "one_lowering", "specialise_lengths"]


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
