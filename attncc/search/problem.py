"""What is tuned: one program at fixed extents on one target, and the name of its study.

A :class:`Problem` is the unit of tuning. Its study name is

    ``{program name}-{program hash}-{target name}-{target hash}-{shape bucket}``

* program hash: the first 10 hex digits of the sha256 of the program's printed text (the
  printer is canonical: parse ∘ print is the identity);
* target hash: the first 8 hex digits of the sha256 of ``Target.describe()`` (CPU name,
  threads, toolchain versions), the attncc version and the knob list of the space -- a new
  machine, compiler or set of knobs starts a new study;
* shape bucket: the ranks as ``name=extent`` joined by ``,`` in rank order, where ranks the
  target keeps symbolic (sequence lengths: one build serves every length) are rounded up to
  a power of two (``p=2048`` and ``p=1500`` share a study) and the others are exact.

The study's user attributes hold what a worker on another machine needs to join it:
``program`` (text), ``extents`` (the ranks measured, as first requested), ``target`` (a
name of :data:`attncc.targets.TARGETS` or ``module:Class``), ``fingerprint`` (describe()),
``attncc_version``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from attncc.errors import ArgumentError, TuningError
from attncc.ir.nodes import Program
from attncc.targets.base import Target, stable_hash

__all__ = ["Problem", "resolve_target", "shape_bucket", "target_spec"]


def target_spec(target: Target) -> str:
    """How another process finds ``target``: its registered name, else ``module:Class``."""
    from attncc.targets import TARGETS

    cls = type(target)
    path = f"{cls.__module__}:{cls.__qualname__}"
    return target.name if TARGETS.get(target.name) == path else path


def resolve_target(spec: str) -> Target:
    """The target named by :func:`target_spec` (a registered name or ``module:Class``)."""
    from attncc.targets import get_target

    if ":" not in spec:
        return get_target(spec)
    module_name, _, cls_name = spec.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), cls_name)
    except (ImportError, AttributeError) as e:
        raise TuningError(f"cannot load target {spec!r}: {e}") from None
    return cls()


def shape_bucket(extents: Mapping[str, int], symbolic: set[str]) -> str:
    """``b=1,h=8,p=2048,...``: symbolic ranks rounded up to a power of two, others exact."""
    parts = []
    for rank, n in extents.items():
        if rank in symbolic:
            n = 1 << max(0, int(n) - 1).bit_length()
        parts.append(f"{rank}={n}")
    return ",".join(parts)


@dataclass(frozen=True)
class Problem:
    """A program at fixed ``extents`` (every rank) on ``target``."""

    program: Program
    target: Target
    extents: Mapping[str, int]
    fixed: Mapping[str, int | None] = field(init=False)

    def __post_init__(self) -> None:
        from attncc.ir.bind import bind

        extents = dict(bind(self.program, extents=dict(self.extents)).extents)
        object.__setattr__(self, "extents", extents)
        object.__setattr__(self, "fixed", self.target.specialise(self.program, extents))

    @classmethod
    def create(
        cls, program: Program | str, target: Target | str, extents: Mapping[str, int]
    ) -> Problem:
        """A problem from user input; raises :class:`AttnccError` for a bad program, an
        unknown target, or extents that miss a rank. (Whether the target can run here is the
        tuner's question: a library may export a problem's default or modelled config for
        a target this machine only compiles for.)"""
        from attncc.ir.parser import parse
        from attncc.ir.validate import validate

        if isinstance(program, str):
            program = parse(program)
        info = validate(program)
        tgt = resolve_target(target) if isinstance(target, str) else target
        declared = {d.name for d in program.rank_decls}
        missing = [r for r in info.ranks if r not in extents and r not in declared]
        if missing:
            raise ArgumentError(
                f"tuning {program.name} needs every rank's extent; missing "
                f"{', '.join(missing)}. Fix: add them to the shape, e.g. "
                + ",".join(f"{r}=..." for r in missing)
            )
        return cls(program, tgt, dict(extents))

    # ------------------------------------------------------------------ identity
    @cached_property
    def space(self):
        from attncc.search.space import SearchSpace

        return SearchSpace(self.target.space(self.program, self.fixed))

    @cached_property
    def fingerprint(self) -> dict[str, Any]:
        return dict(self.target.describe())

    @property
    def program_hash(self) -> str:
        return stable_hash(self.program.text)[:10]

    @property
    def target_hash(self) -> str:
        from attncc import __version__

        knobs = [(k.name, list(k.choices)) for k in self.space.knobs]
        return stable_hash(self.fingerprint, __version__, knobs)[:8]

    @property
    def bucket(self) -> str:
        symbolic = {r for r, n in self.fixed.items() if n is None}
        return shape_bucket(self.extents, symbolic)

    @property
    def study_name(self) -> str:
        name = re.sub(r"[^A-Za-z0-9_]", "_", self.program.name)
        return f"{name}-{self.program_hash}-{self.target.name}-{self.target_hash}-{self.bucket}"

    def study_attrs(self) -> dict[str, Any]:
        from attncc import __version__

        return {
            "program": self.program.text,
            "program_name": self.program.name,
            "extents": dict(self.extents),
            "target": target_spec(self.target),
            "fingerprint": self.fingerprint,
            "attncc_version": __version__,
        }

    @classmethod
    def from_study_attrs(cls, attrs: Mapping[str, Any]) -> Problem:
        """The problem a study was created for (a worker joining it rebuilds it here)."""
        try:
            program, target, extents = attrs["program"], attrs["target"], attrs["extents"]
        except KeyError as e:
            raise TuningError(
                f"the study has no {e.args[0]!r} attribute: it was not created by attncc tune"
            ) from None
        return cls.create(program, target, extents)
