"""Call arguments: the checks every front door applies before running a program.

The interpreter and compiled kernels accept the same arguments and reject the same mistakes
(missing, extra or ill-kinded tensors, out-of-range integer values) with the same messages.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from attncc.errors import ArgumentError
from attncc.ir.nodes import DType
from attncc.ir.nodes import Program

__all__ = [
    "EXACT_FLOATS",
    "INT_RANGE",
    "bind_positional",
    "check_int_range",
    "check_no_grad",
    "check_precision",
    "describe_signature",
    "is_bf16",
    "split_arguments",
    "to_numpy",
]

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
    arrays = {n: check_kind(n, inputs[n].dtype, to_numpy(given[n], f"input {n}")) for n in inputs}
    values = {k: to_scalar(v) for k, v in given.items() if k in params}
    return arrays, values


def describe_signature(program: Program) -> str:
    ins = ", ".join(f"{d.name}[{', '.join(d.ranks)}] : {d.dtype}" for d in program.inputs)
    ps = ", ".join(
        f"{p.name} : {p.dtype}" + ("" if p.default is None else f" = {p.default}")
        for p in program.params
    )
    return f"inputs {ins}" + (f" and params {ps}" if ps else "")


def to_numpy(x: object, name: str = "an input") -> np.ndarray:
    """numpy arrays as they are; torch tensors detached, on CPU; bfloat16 ones in place as
    ``ml_dtypes.bfloat16`` arrays (see :func:`_bf16_numpy`)."""
    if hasattr(x, "detach") and hasattr(x, "numpy"):
        t = x.detach()
        device = getattr(getattr(t, "device", None), "type", "cpu")
        if device == "meta":
            raise ArgumentError(
                f"{name} is a torch meta tensor (a shape without data): attncc kernels run on "
                "data. Fix: pass a real tensor"
            )
        if getattr(t, "is_sparse", False) or getattr(t, "layout", None) not in (None, _strided()):
            raise ArgumentError(f"{name} is a sparse torch tensor; pass a dense one (.to_dense())")
        if str(t.dtype) == "torch.bfloat16":
            return _bf16_numpy(t)
        try:
            return t.cpu().numpy()
        except (RuntimeError, TypeError) as err:  # complex, quantized, ... tensors
            raise ArgumentError(
                f"{name}: a torch tensor of dtype {t.dtype} is not supported: {err}"
            ) from None
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as err:  # ragged nested lists, objects numpy rejects
        raise ArgumentError(f"{name} is not an array: {err}") from None
    return arr


def _bf16_numpy(t: object) -> np.ndarray:
    """A torch bfloat16 tensor as a numpy array of ``ml_dtypes.bfloat16`` sharing its memory
    (kernels read the 2-byte values in place), or as float32 (exact) without ml_dtypes."""
    import torch

    try:
        import ml_dtypes
    except ImportError:
        return t.float().cpu().numpy()
    return t.cpu().view(torch.int16).numpy().view(ml_dtypes.bfloat16)


def is_bf16(arr: np.ndarray) -> bool:
    """Whether ``arr`` holds bfloat16 values (``ml_dtypes.bfloat16``; numpy's kind is "V")."""
    return arr.dtype.name == "bfloat16"


def _strided() -> object:
    import torch

    return torch.strided


#: Array dtypes each declared float dtype takes without changing precision: a float64 array
#: for an ``f32`` input would be rounded, and a ``bf16`` tensor would come back as float32.
#: (``bf16`` inputs take float32 arrays: the declaration itself says to round them.)
EXACT_FLOATS = {
    DType.F32: ("float32",),
    DType.F16: ("float16",),
    DType.BF16: ("bfloat16", "float32"),
}


def check_precision(program: Program, given: Mapping[str, object]) -> None:
    """Rule (compiled kernels): a float input's array has its declared precision.

    The interpreter computes in float64 and takes any float array; a kernel would round a
    float64 array to float32 without a word, so it refuses it instead."""
    for d in program.inputs:
        want = EXACT_FLOATS.get(d.dtype)
        x = given.get(d.name)
        if want is None or x is None:
            continue
        have = str(getattr(x, "dtype", "")).removeprefix("torch.")
        floats = ("float16", "float32", "float64", "bfloat16", "longdouble", "float128")
        if have in want or have not in floats:
            continue  # lists, integers, bools, strings: the kind check has its own message
        cast = ".to(torch.float32)" if hasattr(x, "detach") else ".astype(np.float32)"
        cast = cast.replace("float32", "float16") if d.dtype is DType.F16 else cast
        raise ArgumentError(
            f"input {d.name} is declared {d.dtype} but the array is {have}: a kernel would "
            f"change its precision without a word. Fix: convert it yourself ({d.name}{cast}), "
            f"or declare {d.name} with the dtype you mean"
        )


def check_no_grad(program: Program, given: Mapping[str, object]) -> None:
    """Rule (compiled kernels): no input requires grad while grad mode is on.

    Kernels are forward-only: a result with no ``grad_fn`` would silently cut the graph."""
    for name, x in given.items():
        if getattr(x, "requires_grad", False):
            import torch

            if torch.is_grad_enabled():
                raise ArgumentError(
                    f"input {name} of {program.name} requires grad, but attncc kernels are "
                    "forward-only: the result would have no grad_fn. Fix: call under "
                    "torch.no_grad() (inference), or detach the input"
                )


def bind_positional(
    program: Program, args: tuple[object, ...], kwargs: Mapping[str, object]
) -> dict[str, object]:
    """Positional arguments are the inputs in declaration order (as SDPA takes q, k, v);
    params go by name."""
    inputs = [d.name for d in program.inputs]
    if len(args) > len(inputs):
        raise ArgumentError(
            f"{program.name} takes at most {len(inputs)} positional argument(s), its inputs "
            f"{', '.join(inputs)} in that order; got {len(args)}. Params go by name: "
            f"{describe_signature(program)}"
        )
    merged = dict(zip(inputs, args, strict=False))
    twice = [k for k in kwargs if k in merged]
    if twice:
        raise ArgumentError(
            f"{', '.join(twice)} given both by position and by name; {program.name} takes "
            f"its inputs in the order {', '.join(inputs)}"
        )
    merged.update(kwargs)
    return merged


def to_scalar(v: object) -> object:
    if hasattr(v, "item") and np.ndim(v) == 0:
        return v.item()
    return v


def check_kind(name: str, dtype: DType, arr: np.ndarray) -> np.ndarray:
    """Rule: the array's kind (float / integer / bool) is the declared one."""
    kind = "f" if is_bf16(arr) else arr.dtype.kind
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
