"""The build pipeline: one sequence of named stages that every front door runs.

``attncc.compile``, the tuner's measurement process, ``attncc export`` and ``attncc lower``
all turn a program into a kernel the same way::

    specialise -> space -> check -> complete -> lower -> build

* **specialise** -- the target picks which extents a build is specialised for
  (:meth:`~attncc.targets.base.Target.specialise`; ``None`` keeps a rank symbolic);
* **space** -- the schedules it offers there (knobs and constraints);
* **check** -- a requested config is possible (an :class:`~attncc.errors.UnsupportedError`
  naming the broken constraint, the program and the target otherwise);
* **complete** -- knobs left out take the target's defaults;
* **lower** -- source text for that complete, checked config (targets may rely on both);
* **build** -- an artifact to run.

The first two stages depend on (program, extents) only: a :class:`Specialised` holds them so
that many configs (a tuning session, an export of several jobs) share one specialisation and
one space. The attention plan the targets consult is memoised by program value
(:func:`attncc.lowering.plan.plan_attention`), so it is computed once per program.
``attncc lower --dump-after STAGE`` prints what each stage produced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from attncc.errors import LoweringError
from attncc.errors import UnsupportedError
from attncc.ir.nodes import Program
from attncc.targets.base import Artifact
from attncc.targets.base import Config
from attncc.targets.base import Source
from attncc.targets.base import Space
from attncc.targets.base import Target

__all__ = ["STAGES", "Specialised"]

#: The stage names, in order (``attncc lower --dump-after`` accepts each).
STAGES = ("specialise", "space", "check", "complete", "lower", "build")


@dataclass(frozen=True)
class Specialised:
    """A program specialised for one target at given extents: stages specialise and space
    done once, the later stages per config."""

    program: Program
    target: Target
    extents: Mapping[str, int | None]  # what the build is specialised for
    space: Space

    @classmethod
    def of(cls, target: Target, program: Program, extents: Mapping[str, int]) -> Specialised:
        """Stages specialise and space for ``program`` at the bound ``extents``."""
        fixed = target.specialise(program, extents)
        return cls(program, target, fixed, target.space(program, fixed))

    def check(self, config: Config) -> None:
        """Stage check: raise :class:`UnsupportedError` unless ``config`` is possible."""
        reason = self.space.why_infeasible(config)
        if reason:
            raise UnsupportedError(
                f"config not possible on target {self.target.name} for {self.program.name}: "
                f"{reason}"
            )

    def complete(self, config: Config | None) -> dict[str, Any]:
        """Stage complete: the requested knobs plus the target's defaults for the rest."""
        return self.space.complete(config)

    def lower(self, config: Config) -> Source:
        """Stages check, complete and lower: the source for ``config``."""
        self.check(config)
        full = self.complete(config)
        try:
            return self.target.lower(self.program, full, self.extents)
        except RecursionError:
            raise LoweringError(
                f"{self.program.name} is too deeply nested to compile for target "
                f"{self.target.name} (its statements inline into each other). Fix: split "
                "long expressions into more statements"
            ) from None

    def build(self, config: Config) -> Artifact:
        """Every stage after space: the artifact for ``config``."""
        source = self.lower(config)
        try:
            return self.target.build(source)
        except RecursionError:
            raise LoweringError(
                f"{self.program.name} is too deeply nested to build for target "
                f"{self.target.name}. Fix: split long expressions into more statements"
            ) from None
