"""``attncc.compile``: a program and a target in, a callable kernel out.

Shape legend for the example: ``b`` batch, ``h`` query heads, ``g`` key/value heads,
``p`` queries, ``m`` keys, ``e``/``f`` head dims.

>>> import numpy as np, attncc
>>> kernel = attncc.compile(attncc.variants.gqa_causal(), target="cpu")
>>> q = np.random.rand(1, 4, 10, 16).astype(np.float32)
>>> k = np.random.rand(1, 2, 10, 16).astype(np.float32)
>>> out = kernel(Q=q, K=k, V=k)
>>> bool(np.allclose(out, attncc.interpret(kernel.program, Q=q, K=k, V=k), atol=1e-5))
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from attncc.errors import ArgumentError
from attncc.errors import ShapeError
from attncc.ir.arguments import bind_positional
from attncc.ir.bind import bind
from attncc.ir.bounds import BoundsCheck
from attncc.ir.nodes import Program
from attncc.ir.parser import parse
from attncc.ir.validate import validate
from attncc.search.tuner import best_config
from attncc.targets import TARGETS
from attncc.targets import get_target
from attncc.targets.base import Artifact
from attncc.targets.base import Config
from attncc.targets.base import Source
from attncc.targets.base import Target
from attncc.targets.invoke import call_kernel
from attncc.targets.invoke import storage_array
from attncc.targets.pipeline import Specialised

__all__ = ["Kernel", "compile", "storage_array"]


def compile(
    program: Program | str,
    target: str | Target = "cpu",
    *,
    shapes: Mapping[str, int] | None = None,
    config: Config | None = None,
    tune: int | str | None = None,
    storage: str | None = None,
    params: Mapping[str, Any] | None = None,
) -> Kernel:
    """Compile ``program`` (a :class:`Program` or its text) for ``target``.

    ``shapes`` fixes rank extents ahead of time (``{"h": 8, "e": 64}``); ranks left out are
    bound from the arguments of each call, and the target decides which of those a build is
    specialised for (the CPU target keeps sequence lengths symbolic: one build serves every
    length). ``config`` picks schedule knobs; left-out knobs take the target's defaults.

    ``tune`` picks the config for ``shapes`` (which must then give every rank) from the
    tuning database at ``storage`` (default ``sqlite:///attncc-tuning.db``): ``N`` measures
    until the study holds N trials and takes the best; ``"cached"`` takes the best already
    stored (:class:`~attncc.errors.TuningError` if none); ``"model"`` takes the config the
    pre-trained cost model ranks first, measuring nothing. See :mod:`attncc.search.tuner`.
    ``params`` are the param values tuning measures at -- those you will call the kernel
    with (``params={"W": 256}``; left-out params take their declared defaults). They key
    the study: a kernel tuned at ``W=256`` is looked up at ``W=256``. The kernel itself
    takes any params at call time.

    Raises :class:`~attncc.errors.AttnccError` subclasses for an invalid program, an unknown
    target or knob, or a feature the target does not support.
    """
    if isinstance(program, str):
        program = parse(program)
    if not isinstance(program, Program):
        raise ArgumentError(f"compile() takes a Program or program text, got {type(program)}")
    validate(program)
    if not isinstance(target, (str, Target)):
        raise ArgumentError(
            f"target must be a target name ({', '.join(TARGETS)}) or a Target, got "
            f"{type(target).__name__}"
        )
    tgt = get_target(target) if isinstance(target, str) else target
    shapes = _mapping(shapes, "shapes", "rank extents, e.g. shapes={'h': 8, 'e': 64}")
    config = _mapping(config, "config", "schedule knobs, e.g. config={'lowering': 'generic'}")
    for rank, n in shapes.items():
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ShapeError(f"shapes gives rank {rank} = {n!r}; an extent is an integer >= 0")
    if tune is not None:
        if config:
            raise ArgumentError("pass config= or tune=, not both: tuning picks the config")
        config = best_config(
            program, tgt, dict(shapes or {}), tune=tune, storage=storage, params=params
        )
    elif storage is not None:
        raise ArgumentError("storage= is the tuning database of tune=; pass tune= as well")
    elif params is not None:
        raise ArgumentError(
            "params= are the values tune= measures at; pass tune= as well (a kernel takes "
            "its params when called: kernel(Q=q, ..., W=256))"
        )
    return Kernel(program, tgt, dict(shapes or {}), dict(config or {}))


def _mapping(value: Any, name: str, what: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise ArgumentError(f"{name}= takes a mapping of names to values ({what}), got {value!r}")
    return dict(value)


class Kernel:
    """A compiled program: call it with the program's inputs and params by name.

    Arrays may be numpy arrays or torch tensors (CPU); the result is of the same kind (one
    array, or a dict by output name for several outputs). Non-contiguous arrays, and float
    arrays of another precision than the declared one, are copied into the declared layout
    before the call. ``kernel.source`` is the generated code of the latest build.
    """

    def __init__(self, program: Program, target: Target, shapes: dict[str, int], config: dict):
        self.program = program
        self.target = target
        self.shapes = shapes
        self._requested = config
        self._builds: dict[tuple, Artifact] = {}
        # Calls at extents seen before skip specialisation (which runs the IR rewrites).
        self._by_extents: dict[tuple, Artifact] = {}
        self._latest: Artifact | None = None
        self._info = validate(program)
        self._bounds = BoundsCheck(program, self._info)
        unknown = sorted(set(shapes) - set(self._info.ranks))
        if unknown:
            raise ShapeError(
                f"shapes name rank(s) {', '.join(unknown)} that {program.name} does not have; "
                f"its ranks are {', '.join(self._info.ranks)}"
            )
        if shapes and _all_bound(program, shapes):
            binding = bind(program, extents=shapes, info=self._info)
            self._bounds.check_shapes(binding)  # what extents alone decide: before any build
            self._artifact(binding.extents)

    # ------------------------------------------------------------------ inspection
    @property
    def config(self) -> dict[str, Any]:
        """The full config of the latest build (requested knobs plus the target's defaults)."""
        if self._latest is None:
            return dict(self._requested)
        return dict(self._latest.source.meta.get("config", self._requested))

    @property
    def builds(self) -> int:
        """How many builds this kernel has made (one per specialisation the target needs:
        the CPU target keeps sequence lengths symbolic, so new lengths build nothing)."""
        return len(self._builds)

    @property
    def source(self) -> str:
        return self._require_build().source.text

    @property
    def built(self) -> Source:
        return self._require_build().source

    @property
    def artifact(self) -> Artifact:
        """The latest build (what ``target.save`` exports); an error before the first build."""
        return self._require_build()

    @property
    def ptx(self) -> dict[str, str]:
        """PTX of the latest build by kernel name (targets that compile to PTX: ``cuda``)."""
        return self._compiled("ptx")

    @property
    def cubin(self) -> dict[str, bytes]:
        """cubin of the latest build by kernel name (targets that compile to PTX: ``cuda``)."""
        return self._compiled("cubin")

    def _compiled(self, what: str) -> Any:
        handle = self._require_build().handle
        if not hasattr(type(handle), what):
            raise ArgumentError(f"target {self.target.name} produces no {what}")
        return getattr(handle, what)

    def _require_build(self) -> Artifact:
        if self._latest is None:
            raise ArgumentError(
                "this kernel has not been built yet: call it, or pass shapes= covering every "
                "rank to attncc.compile() to build ahead of time"
            )
        return self._latest

    # ------------------------------------------------------------------ calling
    def __call__(self, *inputs: Any, **arguments: Any) -> Any:
        """Inputs by position in declaration order (``kernel(q, k, v)``) or by name;
        params by name."""
        return call_kernel(
            self.program,
            self.target,
            self._info,
            bind_positional(self.program, inputs, arguments),
            self._artifact,
            self.shapes,
            bounds=self._bounds,
        )

    def _artifact(self, extents: Mapping[str, int]) -> Artifact:
        seen = tuple(extents.items())
        if seen in self._by_extents:
            self._latest = self._by_extents[seen]
            return self._latest
        artifact = self._specialised_artifact(extents)
        self._by_extents[seen] = artifact
        return artifact

    def _specialised_artifact(self, extents: Mapping[str, int]) -> Artifact:
        fixed = self.target.specialise(self.program, extents)
        key = tuple(sorted(fixed.items()))
        artifact = self._builds.get(key)
        if artifact is None:
            specialised = Specialised(
                self.program, self.target, fixed, self.target.space(self.program, fixed)
            )
            artifact = specialised.build(self._requested)
            self._builds[key] = artifact
        self._latest = artifact
        return artifact

    def __repr__(self) -> str:
        return f"<attncc.Kernel {self.program.name} on {self.target.name} config={self.config}>"


def _all_bound(program: Program, shapes: Mapping[str, int]) -> bool:
    declared = {d.name for d in program.rank_decls}
    return all(r in shapes or r in declared for r in validate(program).ranks)
