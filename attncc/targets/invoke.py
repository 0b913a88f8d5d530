"""One call of a built program: the checks every front door runs before a kernel touches memory.

:class:`attncc.Kernel` and a loaded library's kernels call :func:`call_kernel`; the tuner's
reference data and the benchmarks put arrays in their declared storage with
:func:`storage_array`.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

import numpy as np

from attncc.errors import ShapeError
from attncc.ir.arguments import check_int_range
from attncc.ir.arguments import check_no_grad
from attncc.ir.arguments import check_precision
from attncc.ir.arguments import is_bf16
from attncc.ir.arguments import split_arguments
from attncc.ir.bind import bind
from attncc.ir.bounds import BoundsCheck
from attncc.ir.footprint import check_addressable
from attncc.ir.footprint import check_memory
from attncc.ir.nodes import DType
from attncc.ir.nodes import Program
from attncc.ir.numerics import round_bf16
from attncc.targets.base import Artifact
from attncc.targets.base import Target

__all__ = ["call_kernel", "storage_array"]


def call_kernel(
    program: Program,
    target: Target,
    info: Any,
    arguments: Mapping[str, Any],
    choose: Callable[[Mapping[str, int]], Artifact],
    shapes: Mapping[str, int] | None = None,
    *,
    bounds: BoundsCheck | None = None,
) -> Any:
    """One call of a built program (a :class:`Kernel`, a library's kernel): arguments checked
    and bound, every index proven in bounds (:mod:`attncc.ir.bounds`), the footprint checked
    (:mod:`attncc.ir.footprint`), ``choose(extents)`` gives the artifact, outputs come back as
    the caller's kind of array (one array, or a dict by output name)."""
    wants_torch = any(_is_torch(v) for v in arguments.values())
    check_precision(program, arguments)
    check_no_grad(program, arguments)
    arrays, params = split_arguments(program, dict(arguments))
    for d in program.inputs:
        check_int_range(d.name, d.dtype, arrays[d.name])
    binding = bind(
        program,
        shapes={n: a.shape for n, a in arrays.items()},
        extents=shapes or None,
        params=params,
        info=info,
    )
    empty = [r for r, n in binding.extents.items() if n == 0]
    if empty:
        raise ShapeError(
            f"rank(s) {', '.join(empty)} of {program.name} have extent 0; compiled "
            "kernels need non-empty ranks (attncc.interpret handles empty ones)"
        )
    (bounds or BoundsCheck(program, info)).check(binding, arrays)
    ext = binding.extents
    check_memory(program, info, ext, program.outputs, what="this call")
    check_addressable(program, info, ext, [d.name for d in program.inputs], target.name)
    check_addressable(program, info, ext, program.outputs, target.name)
    artifact = choose(ext)
    if artifact.source.meta.get("lowering") == "generic":  # intermediates live in buffers
        live = [s.out for s in program.stmts]
        check_memory(
            program, info, ext, live, what="this call (generic lowering: every tensor in memory)"
        )
        check_addressable(program, info, ext, live, target.name)
    bf16 = target.reads_bf16
    prepared = {d.name: storage_array(arrays[d.name], d.dtype, bf16) for d in program.inputs}
    outputs = target.run(artifact, prepared, binding.scalars, ext)
    if wants_torch:  # in the declared dtype: bf16 outputs come back held in float32
        import torch

        outputs = {k: torch.from_numpy(v) for k, v in outputs.items()}
        for k in outputs:
            if info.tensors[k].dtype is DType.BF16:
                outputs[k] = outputs[k].to(torch.bfloat16)
    return next(iter(outputs.values())) if len(outputs) == 1 else outputs


def _is_torch(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


_STORAGE = {
    DType.F32: np.float32,
    DType.F16: np.float16,
    DType.I32: np.int32,
    DType.I8: np.int8,
    DType.BOOL: np.bool_,
}


def storage_array(array: np.ndarray, dtype: DType, bf16: bool = False) -> np.ndarray:
    """The array in its declared storage dtype and C order. bf16: rounded and held in
    float32, or with ``bf16`` (a target that reads 2-byte bfloat16) as ``ml_dtypes.bfloat16``
    (a bfloat16 array as it is)."""
    if dtype is DType.BF16 and bf16:
        import ml_dtypes

        if is_bf16(array):
            return np.ascontiguousarray(array)
        return np.ascontiguousarray(round_bf16(array).astype(np.float32), ml_dtypes.bfloat16)
    if dtype is DType.BF16:
        return np.ascontiguousarray(round_bf16(array), dtype=np.float32)
    return np.ascontiguousarray(array, dtype=_STORAGE[dtype])
