"""What is tuned: one program at fixed extents and param values on one target, and the name
of its study.

A :class:`Problem` is the unit of tuning. Its study name is

    ``{program name}-{program hash}-{target name}-{target hash}-{shape bucket}[-{params}]``

* program hash: the first 10 hex digits of the sha256 of the program's printed text (the
  printer is canonical: parse ∘ print is the identity);
* target hash: the first 8 hex digits of the sha256 of ``Target.describe()`` (CPU name,
  threads, toolchain versions), the attncc version, the knob list of the space and the
  target's options when it has any -- a new machine, compiler or set of knobs starts a new
  study;
* shape bucket: the ranks as ``name=extent`` joined by ``,`` in rank order, where ranks the
  target keeps symbolic (sequence lengths: one build serves every length) are rounded up to
  a power of two (``p=2048`` and ``p=1500`` share a study) and the others are exact;
* params: every param's value, ``name=value`` joined by ``,`` in declaration order (``W=256,
  cap=30.0``; a hash when that runs long). Params change the work -- a window or a prefix
  length decides which tiles are empty, a cap what is computed -- so a study measures at
  one value of each. The part is left out when every param is at its declared default
  (those values are fixed by the program text, which the program hash covers), so studies
  tuned at the defaults keep the names they always had. Document ids, page tables and
  other index *inputs* are data, not params: they are the study's measurement inputs.

The study's user attributes hold what a worker on another machine needs to join it:
``program`` (text), ``extents`` (the ranks measured, as first requested), ``params`` (every
param's value), ``target`` (a registered target name, never an import path) and
``target_options`` (its constructor arguments; see :mod:`attncc.search.registry`),
``fingerprint`` (describe()), ``attncc_version``.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from functools import cached_property
from typing import Any

from attncc.cost_models.hardware import host_hardware
from attncc.errors import ArgumentError
from attncc.errors import AttnccError
from attncc.errors import TuningError
from attncc.ir.bind import bind
from attncc.ir.nodes import Param
from attncc.ir.nodes import Program
from attncc.ir.nodes import Scalar
from attncc.ir.parser import parse
from attncc.ir.validate import validate
from attncc.search.registry import resolve_target
from attncc.search.registry import target_options
from attncc.search.registry import target_spec
from attncc.search.space import SearchSpace
from attncc.targets.base import Target
from attncc.targets.base import stable_hash
from attncc.version import __version__

__all__ = ["Problem", "format_param", "resolve_target", "shape_bucket", "target_spec"]

_log = logging.getLogger("attncc.search")

#: A study name's params part longer than this is replaced by a hash of it.
_PARAMS_TEXT_LIMIT = 64


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
    """A program at fixed ``extents`` (every rank) and ``params`` on ``target``.

    ``params`` given are checked against the program's declarations; the ones left out
    take their declared defaults, so ``problem.params`` always holds every param.
    """

    program: Program
    target: Target
    extents: Mapping[str, int]
    params: Mapping[str, Scalar] = field(default_factory=dict)
    fixed: Mapping[str, int | None] = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.params, Mapping):
            raise ArgumentError(
                f"params must map param names to values, got {type(self.params).__name__}"
            )
        binding = bind(self.program, extents=dict(self.extents), params=dict(self.params))
        params = {p.name: binding.scalars[p.name] for p in self.program.params}
        for name, value in params.items():
            if isinstance(value, float) and not math.isfinite(value):
                raise ArgumentError(
                    f"param {name} is {value}: tuning measures at a finite value of every "
                    f"param. Fix: pass the value the kernel will be called with, e.g. "
                    f"{name}=30.0"
                )
        extents = dict(binding.extents)
        object.__setattr__(self, "extents", extents)
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "fixed", self.target.specialise(self.program, extents))

    @classmethod
    def create(
        cls,
        program: Program | str,
        target: Target | str,
        extents: Mapping[str, int],
        params: Mapping[str, Any] | None = None,
    ) -> Problem:
        """A problem from user input; raises :class:`AttnccError` for a bad program, an
        unknown target, extents that miss a rank, or a bad param. (Whether the target can
        run here is the tuner's question: a library may export a problem's default or
        modelled config for a target this machine only compiles for.)"""

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
        return cls(program, tgt, dict(extents), dict(params or {}))

    # ------------------------------------------------------------------ identity
    @cached_property
    def measured_program(self) -> Program:
        """The program with the param values it is measured at as its declared defaults:
        what the cost model's features see (a mask's tile density follows ``W``), as in
        its training data, where params are baked in the same way."""
        decls = tuple(
            dataclasses.replace(d, default=self.params[d.name]) if isinstance(d, Param) else d
            for d in self.program.decls
        )
        return dataclasses.replace(self.program, decls=decls, source=None)

    @cached_property
    def space(self):
        return SearchSpace(self.target.space(self.program, self.fixed))

    @cached_property
    def fingerprint(self) -> dict[str, Any]:
        return dict(self.target.describe())

    @cached_property
    def hardware(self) -> dict[str, Any]:
        """What the cost model knows of the machine (``Candidate.hardware``): on the CPU
        target the full description with the probe embedding (measured once per machine,
        then read from the cache), else the target's fingerprint."""
        if self.target.name != "cpu":
            return dict(self.fingerprint)

        try:
            return host_hardware(self.target)
        except Exception as e:  # a probe that fails to build degrades the model, no more
            _log.warning("could not describe this machine for the cost model (%s)", e)
            return dict(self.fingerprint)

    @property
    def program_hash(self) -> str:
        return stable_hash(self.program.text)[:10]

    @property
    def target_hash(self) -> str:
        knobs = [(k.name, list(k.choices)) for k in self.space.knobs]
        try:
            options = target_options(self.target)
        except TuningError:  # a target that cannot be named in a study: its hash as before
            options = {}
        extra = [options] if options else []
        return stable_hash(self.fingerprint, __version__, knobs, *extra)[:8]

    @property
    def bucket(self) -> str:
        symbolic = {r for r, n in self.fixed.items() if n is None}
        return shape_bucket(self.extents, symbolic)

    @property
    def params_text(self) -> str:
        """``W=256,cap=30.0`` (declaration order); ``""`` when every param is at its
        declared default."""
        defaults = {p.name: p.default for p in self.program.params}
        if all(defaults[k] is not None and v == defaults[k] for k, v in self.params.items()):
            return ""
        return ",".join(f"{k}={format_param(v)}" for k, v in self.params.items())

    @property
    def study_name(self) -> str:
        name = re.sub(r"[^A-Za-z0-9_]", "_", self.program.name)
        base = f"{name}-{self.program_hash}-{self.target.name}-{self.target_hash}-{self.bucket}"
        params = self.params_text
        if len(params) > _PARAMS_TEXT_LIMIT:
            params = "params_" + stable_hash(self.params)[:10]
        return f"{base}-{params}" if params else base

    def study_attrs(self) -> dict[str, Any]:
        """What :meth:`from_study_attrs` rebuilds this problem from (raises
        :class:`TuningError` for a target the registry cannot name)."""

        return {
            "program": self.program.text,
            "program_name": self.program.name,
            "extents": dict(self.extents),
            "params": dict(self.params),
            "target": target_spec(self.target),
            "target_options": target_options(self.target),
            "fingerprint": self.fingerprint,
            "attncc_version": __version__,
        }

    @classmethod
    def from_study_attrs(cls, attrs: Mapping[str, Any], target: Target | None = None) -> Problem:
        """The problem a study was created for (a worker joining it rebuilds it here). The
        target comes from the registry by name (``target`` overrides it: an exporter's own);
        attributes are data from a database, checked before use: :class:`TuningError` or
        another :class:`AttnccError` for anything malformed, never an import."""
        try:
            program, name, extents = attrs["program"], attrs["target"], attrs["extents"]
        except KeyError as e:
            raise TuningError(
                f"the study has no {e.args[0]!r} attribute: it was not created by attncc tune"
            ) from None
        params, options = attrs.get("params") or {}, attrs.get("target_options") or {}
        for key, value, kind in (
            ("program", program, str),
            ("extents", extents, dict),
            ("params", params, dict),
            ("target_options", options, dict),
        ):
            if not isinstance(value, kind):
                raise TuningError(
                    f"the study's {key!r} attribute is {type(value).__name__}, not "
                    f"{kind.__name__}: it was not created by attncc tune"
                )
        tgt = target if target is not None else resolve_target(name, options)
        try:
            return cls.create(program, tgt, extents, params)
        except AttnccError:
            raise
        except (TypeError, ValueError, OverflowError) as e:  # malformed values in the attrs
            raise TuningError(f"the study's attributes are malformed: {e}") from None


def format_param(value: Scalar) -> str:
    """A param value as ``--param`` takes it and a study name shows it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)
