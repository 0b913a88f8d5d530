"""Build and run the generic lowering without the front door: its test harness.

:func:`build_generic` compiles a :class:`~attncc.targets.tvm.generic.GenericSource` for this
host; the :class:`GenericKernel` it returns runs on numpy arrays by name (``run``), as
:func:`attncc.ir.interpreter.interpret` does, with the kernel's own argument checks and no
bounds proof. :func:`run_generic` lowers, builds and runs in one call. attncc's own path is
:func:`attncc.compile`; the tests use this one to check the lowering itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import tvm

from attncc.errors import ArgumentError
from attncc.ir.bind import bind
from attncc.ir.nodes import Program
from attncc.ir.numerics import round_bf16
from attncc.targets.base import Arg
from attncc.targets.cpu.host import HostKernel
from attncc.targets.cpu.host import compile_tvmscript
from attncc.targets.cpu.host import generic_target
from attncc.targets.cpu.host import np_dtype
from attncc.targets.tvm.generic import GenericConfig
from attncc.targets.tvm.generic import GenericSource
from attncc.targets.tvm.generic import lower_generic

__all__ = ["GenericKernel", "as_input_array", "as_scalar", "build_generic", "run_generic"]


class GenericKernel(HostKernel):
    """A compiled kernel that also runs on numpy arrays by name."""

    def run(self, **inputs_and_params) -> np.ndarray | dict[str, np.ndarray]:
        """Outputs for named inputs and params, as ``interpret`` returns them."""
        params = {a.name for a in self.args if a.role == "param"}
        arrays = {k: v for k, v in inputs_and_params.items() if k not in params}
        scalars = {k: v for k, v in inputs_and_params.items() if k in params}
        out = self.run_arrays(arrays, scalars)
        return next(iter(out.values())) if len(out) == 1 else out

    def run_arrays(
        self, arrays: Mapping[str, Any], scalars: Mapping[str, Any] | None = None
    ) -> dict[str, np.ndarray]:
        """Outputs by name for input arrays and param values (defaults fill the rest)."""
        program, scalars = self.program, dict(scalars or {})
        inputs = [a for a in self.args if a.role == "input"]
        extra = sorted(set(arrays) - {a.name for a in inputs})
        extra += sorted(set(scalars) - {a.name for a in self.args if a.role == "param"})
        if extra:
            names = ", ".join(a.name for a in self.args if a.role != "output")
            raise ArgumentError(
                f"{program.name} has no input or param named {', '.join(extra)}; its "
                f"arguments are {names}"
            )
        missing = [a.name for a in inputs if a.name not in arrays]
        if missing:
            raise ArgumentError(f"missing input {', '.join(missing)} of {program.name}")
        given = {a.name: as_input_array(a, arrays[a.name], program.name) for a in inputs}
        binding = bind(
            program,
            shapes={n: x.shape for n, x in given.items()},
            params={k: as_scalar(v) for k, v in scalars.items()},
        )
        for r, n in self.extents.items():
            if n is not None and binding.extents[r] != n:
                raise ArgumentError(
                    f"this kernel of {program.name} was compiled for {r} = {n} but the "
                    f"arguments give {r} = {binding.extents[r]}; compile with {r} symbolic "
                    "(extent None) to serve both"
                )
        call, outs = [], {}
        for a in self.args:
            if a.role == "input":
                call.append(tvm.runtime.tensor(given[a.name]))
            elif a.role == "param":
                call.append(binding.scalars[a.name])
            else:
                shape = tuple(binding.extents[r] for r in a.ranks)
                outs[a.name] = tvm.runtime.tensor(np.zeros(shape, np_dtype(a.dtype)))
                call.append(outs[a.name])
        self(*call)
        return {n: t.numpy() for n, t in outs.items()}


def build_generic(source: GenericSource, *, target: dict | None = None) -> GenericKernel:
    """Parse and compile ``source`` for ``target`` (default: :func:`generic_target`)."""
    target = target or generic_target()
    lib = compile_tvmscript(
        source.text, target, what=f"the generic lowering of {source.program.name}"
    )
    return GenericKernel(
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


def as_scalar(v: Any) -> Any:
    """A numpy / torch 0-d value as a Python scalar; other values as they are."""
    return v.item() if hasattr(v, "item") and np.ndim(v) == 0 else v


def as_input_array(a: Arg, x: Any, program: str = "the program") -> np.ndarray:
    """An input as a contiguous array of the kernel's dtype, rounded as the interpreter
    rounds it (``f16`` / ``bf16`` to nearest even); the kind (float / integer / bool) and
    an integer's range are checked."""
    if hasattr(x, "detach") and hasattr(x, "numpy"):  # torch, bf16 through float32
        x = x.detach().cpu()
        x = (x.float() if str(x.dtype) == "torch.bfloat16" else x).numpy()
    x = np.asarray(x)
    floating = a.dtype.startswith(("float", "bfloat"))
    kind = "f" if floating else "b" if a.dtype == "bool" else "iu"
    if x.dtype.kind not in kind:
        raise ArgumentError(
            f"input {a.name} of {program} is {a.dtype} but the array has dtype {x.dtype}"
        )
    if a.dtype in ("int8", "int32") and x.size:
        info = np.iinfo(a.dtype)
        if x.min() < info.min or x.max() > info.max:
            raise ArgumentError(
                f"input {a.name} is {a.dtype} but holds values in [{x.min()}, {x.max()}], "
                f"outside [{info.min}, {info.max}]"
            )
    if a.dtype == "bfloat16":
        x = round_bf16(x).astype(np.float32)
    return np.ascontiguousarray(x, dtype=np_dtype(a.dtype))
