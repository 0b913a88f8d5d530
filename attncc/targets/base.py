"""The target protocol: one small interface, so that a new target is one new package.

A target answers five questions about a program at given extents:

* :meth:`Target.space` -- which schedules exist (knobs) and which are infeasible (constraints);
* :meth:`Target.lower` -- the source text for one schedule (TVMScript, Triton, WGSL);
* :meth:`Target.build` -- an artifact from that source (a loaded module, a cubin);
* :meth:`Target.run` -- outputs from an artifact and arguments;
* :meth:`Target.describe` -- a fingerprint of the hardware and toolchain, for cache keys and
  tuning databases.

Extents map every rank to an int or to ``None`` (symbolic: the build serves any length).
Front doors do not call these one by one: they run :mod:`attncc.targets.pipeline`.
"""

from __future__ import annotations

import abc
import functools
import hashlib
import itertools
import json
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import ClassVar

import numpy as np

from attncc.errors import UnsupportedError
from attncc.ir.nodes import Program

__all__ = [
    "Arg",
    "Artifact",
    "Config",
    "Constraint",
    "Knob",
    "Source",
    "Space",
    "Target",
    "stable_hash",
]

Config = Mapping[str, Any]
Extents = Mapping[str, "int | None"]


def stable_hash(*parts: Any) -> str:
    """sha256 of JSON-serialisable parts, with sorted keys: equal inputs, equal keys."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Arg:
    """One argument of a compiled kernel, in call order: an input, a param or an output."""

    name: str
    role: str  # "input" | "param" | "output"
    dtype: str  # the buffer's element dtype (TVM's name), or the scalar's
    ranks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Knob:
    """One schedule decision and the values it may take; ``choices[0]`` unless ``default``."""

    name: str
    choices: tuple[Any, ...]
    default: Any = None

    @property
    def initial(self) -> Any:
        return self.choices[0] if self.default is None else self.default


@dataclass(frozen=True, slots=True)
class Constraint:
    """A static feasibility rule: ``check(config)`` returns ``None`` or the reason it fails."""

    name: str
    check: Callable[[Config], str | None]


@dataclass(frozen=True)
class Space:
    """The schedules a target offers for one program at one set of extents."""

    knobs: tuple[Knob, ...]
    constraints: tuple[Constraint, ...] = ()

    def default(self) -> dict[str, Any]:
        return dict(self._default)

    @functools.cached_property
    def _default(self) -> dict[str, Any]:
        # kept: the tuner checks hundreds of thousands of configs against one space
        return {k.name: k.initial for k in self.knobs}

    def why_infeasible(self, config: Config) -> str | None:
        """The first broken constraint or unknown knob value, or ``None`` if feasible."""
        for knob in self.knobs:
            if knob.name in config and config[knob.name] not in knob.choices:
                return f"{knob.name}={config[knob.name]!r} is not one of {list(knob.choices)}"
        if not config.keys() <= self._default.keys():
            unknown = sorted(set(config) - {k.name for k in self.knobs})
            return f"unknown knob(s) {', '.join(unknown)}; knobs: {[k.name for k in self.knobs]}"
        full = {**self._default, **config}
        for c in self.constraints:
            reason = c.check(full)
            if reason:
                return f"{c.name}: {reason}"
        return None

    def complete(self, config: Config | None) -> dict[str, Any]:
        return {**self._default, **(config or {})}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Every feasible config (the product of the knobs' choices, filtered)."""

        names = [k.name for k in self.knobs]
        for values in itertools.product(*(k.choices for k in self.knobs)):
            config = dict(zip(names, values, strict=True))
            if self.why_infeasible(config) is None:
                yield config

    @property
    def size(self) -> int:
        return sum(1 for _ in self)


@dataclass(frozen=True)
class Source:
    """What :meth:`Target.lower` produced: text a person can read, plus what running needs.

    ``extents`` are the ones the source is specialised for (``None``: symbolic);
    ``meta`` holds the target's own launch information (argument order, kernel kinds).
    """

    target: str
    language: str
    text: str
    entry: str
    extents: Mapping[str, int | None]
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return stable_hash(self.target, self.language, self.text, self.entry, dict(self.meta))


@dataclass
class Artifact:
    """A built source: ``handle`` is the target's own object (a TVM module, a cubin, ...)."""

    source: Source
    handle: Any
    path: str | None = None


class Target(abc.ABC):
    """Base of every target. Subclasses set ``name`` and capabilities as class attributes."""

    name: ClassVar[str]
    #: Source language of :meth:`lower`.
    language: ClassVar[str]
    #: Whether :meth:`run` can execute here (a CUDA target on a machine without a GPU can't).
    can_run: ClassVar[bool] = True
    #: Whether kernels read ``bf16`` inputs as 2-byte bfloat16 (``ml_dtypes.bfloat16``
    #: arrays in :meth:`run`); otherwise they arrive rounded, held in float32.
    reads_bf16: ClassVar[bool] = False

    @abc.abstractmethod
    def space(self, program: Program, extents: Extents) -> Space: ...

    @abc.abstractmethod
    def lower(self, program: Program, config: Config, extents: Extents) -> Source:
        """Source for ``config`` at ``extents`` (what :meth:`specialise` returned). The build
        pipeline (:mod:`attncc.targets.pipeline`) hands it a complete, checked config: every
        knob present, every constraint of :meth:`space` met."""

    @abc.abstractmethod
    def build(self, source: Source) -> Artifact: ...

    @abc.abstractmethod
    def run(
        self,
        artifact: Artifact,
        arrays: Mapping[str, np.ndarray],
        scalars: Mapping[str, Any],
        extents: Mapping[str, int],
    ) -> dict[str, np.ndarray]:
        """Outputs by name; ``arrays`` are C-contiguous in their declared storage dtype,
        ``scalars`` hold every param and let, ``extents`` every rank."""

    @abc.abstractmethod
    def describe(self) -> dict[str, Any]: ...

    def specialise(self, program: Program, extents: Mapping[str, int]) -> dict[str, int | None]:
        """Which extents a build fixes: by default all of them; targets free the lengths."""
        return dict(extents)

    # ------------------------------------------------------------------ export (libraries)
    def save(self, artifact: Artifact, directory: Path, stem: str) -> dict[str, str]:
        """Write what running ``artifact`` needs into ``directory``, in files named from
        ``stem``; returns file role → file name (``{"library": "k0.so"}``). The caller keeps
        ``artifact.source`` (text, entry, extents, JSON-able meta) in the manifest."""

        raise UnsupportedError(f"target {self.name} cannot export kernels")

    def load(self, source: Source, files: Mapping[str, Path]) -> Artifact:
        """The artifact :meth:`save` wrote, from files whose hashes were already verified."""

        raise UnsupportedError(f"target {self.name} cannot load exported kernels")

    def incompatibility(self, fingerprint: Mapping[str, Any]) -> str | None:
        """Why an artifact built where :meth:`describe` gave ``fingerprint`` cannot run here
        (``"built for AVX-512; this CPU lacks avx512f"``), or ``None`` when it can."""
        return None
