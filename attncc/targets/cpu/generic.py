"""The generic CPU lowering: the shared TVMScript lowering
(:func:`attncc.targets.tvm.generic.lower_generic`, one loop nest per statement) compiled for
this host with LLVM; :func:`build_generic` gives a kernel whose ``run`` (or
:func:`run_generic`) calls it on numpy arrays as :func:`attncc.ir.interpreter.interpret`
does.
"""

from __future__ import annotations

import numpy as np

from attncc.errors import ArgumentError
from attncc.ir.bind import bind
from attncc.ir.nodes import Program
from attncc.targets.cpu.host import HostKernel, as_scalar, compile_tvmscript, host_target
from attncc.targets.tvm.generic import GenericConfig, GenericSource, lower_generic

GenericKernel = HostKernel  # what build_generic returns

__all__ = [
    "GenericConfig",
    "GenericKernel",
    "GenericSource",
    "build_generic",
    "generic_target",
    "lower_generic",
    "run_generic",
]


def generic_target() -> dict:
    """This host's CPU, with the float reassociation that lets LLVM vectorise reductions
    (dot products) and FMA contraction; no NaN / inf assumptions (``-inf`` is an identity)."""
    return {**host_target(), "fast-math-reassoc": True, "fast-math-contract": True}


def build_generic(source: GenericSource, *, target: dict | None = None) -> HostKernel:
    """Parse and compile ``source`` for ``target`` (default: :func:`generic_target`)."""
    target = target or generic_target()
    lib = compile_tvmscript(
        source.text, target, what=f"the generic lowering of {source.program.name}"
    )
    return HostKernel(
        source.program, source.func_name, source.args, source.extents, lib, target, source
    )


def run_generic(
    program: Program,
    /,
    *,
    symbolic: tuple[str, ...] | str = (),
    config: GenericConfig | None = None,
    **inputs_and_params,
) -> np.ndarray | dict[str, np.ndarray]:
    """Lower, build and run ``program`` on these arguments (ranks in ``symbolic`` stay
    symbolic in the build); returns what :func:`~attncc.ir.interpreter.interpret` returns."""
    params = {p.name for p in program.params}
    shapes = {k: np.shape(v) for k, v in inputs_and_params.items() if k not in params}
    values = {k: as_scalar(v) for k, v in inputs_and_params.items() if k in params}
    try:
        binding = bind(program, shapes=shapes, params=values)
    except ArgumentError:
        binding = None  # run() reports it with the kernel's own message
    symbolic = tuple(symbolic.split()) if isinstance(symbolic, str) else symbolic
    extents = {} if binding is None else dict(binding.extents)
    for r in symbolic:
        extents[r] = None
    kernel = build_generic(lower_generic(program, extents, config=config))
    return kernel.run(**inputs_and_params)
