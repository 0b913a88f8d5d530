"""Half-precision forms of any program: 2-byte activations and caches, float32 arithmetic.

:func:`in_dtype` turns a program's float32 inputs (all of them, or the ones named) into
``f16`` or ``bf16`` and stores its float32 outputs in that dtype: what a model running in
bf16 or f16 passes and expects back. Loads convert to the compute type (float32 in the
kernels, float64 in the interpreter), so scores, softmax and accumulation stay in float32;
only the final store rounds (to nearest even), and K / V move half the bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from attncc.errors import ArgumentError
from attncc.ir.nodes import DType
from attncc.ir.nodes import Input
from attncc.ir.nodes import Program

__all__ = ["in_dtype"]

_HALF = {"f16": DType.F16, "bf16": DType.BF16}


def in_dtype(program: Program, dtype: str, inputs: Iterable[str] | None = None) -> Program:
    """``program`` with its f32 inputs (or those named in ``inputs``) and f32 outputs in
    ``dtype`` (``"f16"`` or ``"bf16"``), renamed ``<name>_<dtype>``.

    >>> from attncc import variants
    >>> p = variants.in_dtype(variants.gqa(causal=True), "bf16")
    >>> p.name, [str(i.dtype) for i in p.inputs], str(p.stmt("O").dtype)
    ('gqa_causal_bf16', ['bf16', 'bf16', 'bf16'], 'bf16')
    """
    if dtype not in _HALF:
        raise ArgumentError(f"in_dtype: dtype must be one of {sorted(_HALF)}, got {dtype!r}")
    half = _HALF[dtype]
    floats = {d.name for d in program.inputs if d.dtype is DType.F32}
    chosen = floats if inputs is None else set(inputs)
    unknown = chosen - floats
    if unknown:
        raise ArgumentError(
            f"in_dtype: {', '.join(sorted(unknown))} is not an f32 input of {program.name} "
            f"(its f32 inputs: {', '.join(sorted(floats)) or 'none'})"
        )
    decls = tuple(
        replace(d, dtype=half) if isinstance(d, Input) and d.name in chosen else d
        for d in program.decls
    )
    stmts = tuple(
        replace(s, dtype=half) if s.out in program.outputs and s.dtype in (None, DType.F32) else s
        for s in program.stmts
    )
    return replace(program, name=f"{program.name}_{dtype}", decls=decls, stmts=stmts, source=None)
