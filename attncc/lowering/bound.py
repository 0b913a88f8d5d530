"""An attention plan bound to extents: what every fused generator decides the same way.

A fused lowering prints one plan (:mod:`attncc.lowering.plan`) at one set of extents
(``None``: symbolic). Before any text, the same decisions hold for every language: which
lets the fixed extents decide (printed as literals), which scale factors fold into one
constant (the rest multiply the score in the score expression), the kernel's entry name
and the names its own identifiers reserve. :class:`BoundAttention` makes them once;
the TVM targets' :class:`~attncc.targets.tvm.bound_plan.BoundPlan` and the Triton
generator build on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from attncc.errors import AttnccError
from attncc.ir.bind import eval_scalar
from attncc.ir.exprs import substitute
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Name
from attncc.lowering.plan import SCORE
from attncc.lowering.plan import FusedPlan
from attncc.lowering.plan import fixed_lets
from attncc.lowering.plan import product
from attncc.lowering.printer import Namer

__all__ = ["BoundAttention"]


class BoundAttention:
    """Plan ``p`` at ``extents``; ``reserved`` are the kernel's own identifiers (program
    names are renamed around them), ``prefix`` starts the entry name."""

    def __init__(
        self,
        p: FusedPlan,
        extents: Mapping[str, int | None],
        *,
        reserved: Iterable[str],
        prefix: str,
    ):
        self.p, self.ext = p, dict(extents)
        self.names = Namer()
        self.names.used |= set(reserved)
        self.entry = self.names.fresh(f"{prefix}_{p.program.name}")
        self.consts: dict[str, Any] = fixed_lets(p, self.ext)

    def value(self, e: Expr) -> Any:
        """``e``'s value at the fixed extents and constant lets, or ``None`` when they do
        not decide it."""
        env = {**{r: n for r, n in self.ext.items() if n is not None}, **self.consts}
        try:
            return eval_scalar(e, env)
        except (AttnccError, ArithmeticError, ValueError):
            return None

    def scale_and_score(self) -> tuple[float, Expr]:
        """The constant scale (the product of the plan's scale factors the extents decide)
        and the score expression with the other factors multiplied into the score."""
        scale, mods = 1.0, []
        for f in self.p.scale:
            v = self.value(f)
            if isinstance(v, int | float) and not isinstance(v, bool):
                scale *= float(v)
            else:
                mods.append(f)
        score = self.p.score
        if mods:
            score = substitute(score, {SCORE: product([Name(SCORE), *mods])})
        return scale, score
