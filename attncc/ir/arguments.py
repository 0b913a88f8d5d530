"""Call arguments: the checks every front door applies before running a program.

The interpreter and compiled kernels accept the same arguments and reject the same mistakes
(missing, extra or ill-kinded tensors, out-of-range integer values) with the same messages.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from attncc.errors import ArgumentError
from attncc.ir.nodes import DType, Program

__all__ = ["INT_RANGE", "check_int_range", "describe_signature", "split_arguments", "to_numpy"]

INT_RANGE = {DType.I32: (-(2**31), 2**31 - 1), DType.I8: (-128, 127)}


def split_arguments(
    program: Program, given: Mapping[str, object]
) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    """Inputs → numpy arrays (kind-checked), params → scalars; unknown or missing → error."""
    inputs = {d.name: d for d in program.inputs}
    params = {p.name for p in program.params}
    expected = describe_signature(program)
    extra = [k for k in given if k not in inputs and k not in params]
    if extra:
        raise ArgumentError(
            f"{program.name} has no input or param named {', '.join(extra)}; it expects {expected}"
        )
    missing = [n for n in inputs if n not in given]
    if missing:
        raise ArgumentError(
            f"missing input(s) {', '.join(missing)}; {program.name} expects {expected}"
        )
    arrays = {n: check_kind(n, inputs[n].dtype, to_numpy(given[n])) for n in inputs}
    values = {k: to_scalar(v) for k, v in given.items() if k in params}
    return arrays, values


def describe_signature(program: Program) -> str:
    ins = ", ".join(f"{d.name}[{', '.join(d.ranks)}] : {d.dtype}" for d in program.inputs)
    ps = ", ".join(
        f"{p.name} : {p.dtype}" + ("" if p.default is None else f" = {p.default}")
        for p in program.params
    )
    return f"inputs {ins}" + (f" and params {ps}" if ps else "")


def to_numpy(x: object) -> np.ndarray:
    """numpy arrays as they are; torch tensors detached, on CPU, bf16 through float32."""
    if hasattr(x, "detach") and hasattr(x, "numpy"):
        t = x.detach()
        if str(t.dtype) == "torch.bfloat16":
            t = t.float()
        return t.cpu().numpy()
    return np.asarray(x)


def to_scalar(v: object) -> object:
    if hasattr(v, "item") and np.ndim(v) == 0:
        return v.item()
    return v


def check_kind(name: str, dtype: DType, arr: np.ndarray) -> np.ndarray:
    """Rule: the array's kind (float / integer / bool) is the declared one."""
    kind = arr.dtype.kind
    ok = kind == "f" if dtype.is_float else kind in "iu" if dtype.is_int else kind == "b"
    if not ok:
        want = "a float" if dtype.is_float else "an integer" if dtype.is_int else "a bool"
        raise ArgumentError(
            f"input {name} is declared {dtype} but the array has dtype {arr.dtype}; pass "
            f"{want} array" + (" (dequantise in the program, not before)" if dtype.is_int else "")
        )
    return arr


def check_int_range(name: str, dtype: DType, arr: np.ndarray) -> None:
    """Rule: integer inputs hold values that fit their declared dtype."""
    if dtype.is_int and arr.size:
        lo, hi = INT_RANGE[dtype]
        if arr.min() < lo or arr.max() > hi:
            raise ArgumentError(
                f"input {name} is {dtype} but holds values in [{arr.min()}, {arr.max()}], "
                f"outside [{lo}, {hi}]"
            )
