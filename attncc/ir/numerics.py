"""How the language converts between dtypes, shared by the interpreter and scalar folding.

Values are carried in compute types (float64, int64, bool); a conversion applies the target
dtype's precision and range and returns a compute-type value again.
"""

from __future__ import annotations

import numpy as np

from attncc.ir.nodes import DType

__all__ = ["convert", "round_bf16"]


def round_bf16(x: np.ndarray) -> np.ndarray:
    """Round float64 to the nearest bfloat16 (ties to even), returned as float64.

    float64 → float32 goes round-to-odd first (truncate, then set the last bit when inexact),
    which makes the second rounding to bf16's 8 significant bits exact: no double rounding.
    """
    x = np.asarray(x, dtype=np.float64)
    f = x.astype(np.float32)
    bits = f.view(np.uint32).copy()
    finite = np.isfinite(x)
    overshoot = finite & (np.abs(f.astype(np.float64)) > np.abs(x))
    bits[overshoot] -= 1  # one ulp toward zero (inf becomes FLT_MAX), so it truncates
    inexact = finite & (f.astype(np.float64) != x)
    bits |= inexact.astype(np.uint32)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    bits = np.where(finite, rounded, bits)
    out = bits.astype(np.uint32).view(np.float32).astype(np.float64)
    return np.where(np.isnan(x), x, out)


def _wrap_int(x: np.ndarray, bits: int) -> np.ndarray:
    """Truncate toward zero, then wrap to ``bits`` two's complement; NaN and ±inf give 0."""
    x = np.asarray(x)
    half = 1 << (bits - 1)
    if x.dtype.kind == "f":
        # mod first, then shift: adding `half` to a huge float would lose it to rounding
        r = np.mod(np.where(np.isfinite(x), np.trunc(x), 0.0), 2.0 * half)
        return np.where(r >= half, r - 2.0 * half, r).astype(np.int64)
    r = np.mod(x.astype(np.int64), 2 * half)
    return np.where(r >= half, r - 2 * half, r).astype(np.int64)


def convert(x: np.ndarray, dtype: DType) -> np.ndarray:
    """``dtype(x)`` in the interpreter's compute types (float64 / int64 / bool).

    ``f32`` does not round: f32 is the compute type, which the reference carries in float64.
    ``f16`` and ``bf16`` round to nearest even (their precision is part of the program);
    ``i32``/``i8`` truncate toward zero and wrap (NaN/±inf give 0); ``bool`` is ``x != 0``.
    """
    x = np.asarray(x)
    if dtype is DType.BOOL:
        return x if x.dtype == np.bool_ else x != 0
    if dtype.is_int:
        return _wrap_int(x, 32 if dtype is DType.I32 else 8)
    x = x.astype(np.float64, copy=False)
    if dtype is DType.F16:
        return x.astype(np.float16).astype(np.float64)
    if dtype is DType.BF16:
        return round_bf16(x)
    return x
