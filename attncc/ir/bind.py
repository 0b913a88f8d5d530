"""Extent binding: rank extents and scalar values for given shapes, params and extents.

:func:`bind` turns input shapes (and/or explicit rank extents) plus param values into a
:class:`Binding`: the extent of every rank and the value of every param and let.
:func:`attncc.ir.bounds.check_bounds` then proves that no index leaves its tensor.

Decisions:

* An extent may be 0. An empty rank is legal: a reduction over it has no points, so its
  result is absent and an output reads 0 (an empty key sequence gives a zero softmax row,
  never NaN). Negative extents are errors.
* ``let G = h / g`` with ``h % g != 0`` is not an error here: integer ``/`` is floor
  division. Where that matters, an index ``h / G`` leaves its tensor and
  :func:`attncc.ir.bounds.check_bounds` says so.
* Division or modulo by zero in a ``let`` or ``rank`` expression is a :class:`ShapeError`
  (int or float alike): a zero divisor there always means a bad extent or param.
* Param values are checked for kind (a bool for ``bool``, an integer for ``i32``/``i8``
  within range, an int or float for a float dtype) and converted to ``bool``/``int``/
  ``float``; floats are not rounded to the param's precision (the interpreter computes in
  float64; a backend converts at its boundary).
* Casts in scalar expressions: float → integer truncates toward zero and wraps to the
  integer's width (as numpy's ``astype`` does); ``f16``/``bf16``/``f32`` round to that
  precision.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from attncc.errors import ArgumentError
from attncc.errors import NameResolutionError
from attncc.errors import ShapeError
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Let
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.ir.nodes import RankDecl
from attncc.ir.nodes import Scalar
from attncc.ir.nodes import Unary
from attncc.ir.nodes import UnaryOp
from attncc.ir.numerics import convert
from attncc.ir.printer import format_decl
from attncc.ir.validate import FrozenMap
from attncc.ir.validate import ProgramInfo
from attncc.ir.validate import validate

__all__ = ["Binding", "bind", "cast_scalar", "eval_scalar"]

_INT_RANGE = {DType.I32: (-(2**31), 2**31 - 1), DType.I8: (-128, 127)}


@dataclass(frozen=True)
class Binding:
    """Every rank's extent, and every param's and let's value, for one call."""

    extents: Mapping[str, int]
    scalars: Mapping[str, bool | int | float]

    @property
    def env(self) -> dict[str, Scalar]:
        """Names as ``let`` and ``rank`` declarations see them: extents, params, lets."""
        return {**self.extents, **self.scalars}


# ----------------------------------------------------------------------------- scalars


def cast_scalar(value: Scalar, dtype: DType) -> Scalar:
    """``dtype(value)``, as the language's casts define it (see the module docstring)."""
    if dtype is DType.BOOL:
        return bool(value != 0)
    if dtype.is_int:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ShapeError(f"cannot convert {value} to {dtype}")
            value = math.trunc(value)
        lo, hi = _INT_RANGE[dtype]
        return (int(value) - lo) % (hi - lo + 1) + lo
    # Floats convert exactly as the interpreter's arrays do, so a `let` and a statement agree.
    return float(convert(np.array(float(value)), dtype))


_FLOAT_FNS = {
    Fn.EXP: np.exp,
    Fn.EXP2: np.exp2,
    Fn.LOG: np.log,
    Fn.LOG2: np.log2,
    Fn.TANH: np.tanh,
    Fn.SIGMOID: lambda x: 1.0 / (1.0 + np.exp(-x)),
    Fn.SQRT: np.sqrt,
    Fn.RSQRT: lambda x: 1.0 / np.sqrt(x),
}


def eval_scalar(expr: Expr, env: Mapping[str, Scalar]) -> Scalar:
    """Evaluate a ``let``/``rank`` expression; integer ``/`` and ``%`` floor, floats are float64.

    >>> from attncc.ir.nodes import Name
    >>> eval_scalar((Name("m") + 63) / 64, {"m": 100})
    2
    """
    return _eval(expr, env, expr)


def _eval(e: Expr, env: Mapping[str, Scalar], top: Expr) -> Scalar:
    if isinstance(e, Const):
        return e.value
    if isinstance(e, Name):
        if e.name not in env:
            raise NameResolutionError(f"`{top}` uses {e.name}, which has no value", loc=e.loc)
        return env[e.name]
    if isinstance(e, Access):
        raise ShapeError(f"`{top}` reads tensor {e.tensor}; a scalar expression cannot", loc=e.loc)
    if isinstance(e, Unary):
        v = _eval(e.operand, env, top)
        return (not v) if e.op is UnaryOp.NOT else -v
    if isinstance(e, Binary):
        return _binary(e, _eval(e.lhs, env, top), _eval(e.rhs, env, top), top)
    if isinstance(e, Call):
        args = [_eval(a, env, top) for a in e.args]
        return _call(e.fn, args)
    raise TypeError(f"not an attncc expression: {e!r}")


def _binary(e: Binary, a: Scalar, b: Scalar, top: Expr) -> Scalar:
    op = e.op
    if op is BinaryOp.AND:
        return bool(a and b)
    if op is BinaryOp.OR:
        return bool(a or b)
    if op.is_comparison:
        return {
            BinaryOp.LT: a < b,
            BinaryOp.LE: a <= b,
            BinaryOp.GT: a > b,
            BinaryOp.GE: a >= b,
            BinaryOp.EQ: a == b,
            BinaryOp.NE: a != b,
        }[op]
    if op in (BinaryOp.DIV, BinaryOp.MOD) and b == 0:
        raise ShapeError(
            f"`{top}` divides by zero: `{e.rhs}` is 0 in `{e}`. Check the extents and params "
            "it depends on",
            loc=e.loc,
        )
    both_int = isinstance(a, int) and isinstance(b, int)
    if op is BinaryOp.ADD:
        return a + b
    if op is BinaryOp.SUB:
        return a - b
    if op is BinaryOp.MUL:
        return a * b
    if op is BinaryOp.DIV:
        return a // b if both_int else float(a) / float(b)
    return a % b if both_int else float(np.mod(float(a), float(b)))


def _call(fn: Fn, args: list[Scalar]) -> Scalar:
    if fn.cast_dtype is not None:
        return cast_scalar(args[0], fn.cast_dtype)
    if fn is Fn.SELECT:
        return args[1] if args[0] else args[2]
    if fn in (Fn.MAX, Fn.MIN):
        pick = max if fn is Fn.MAX else min
        v = pick(args[0], args[1])
        return float(v) if any(isinstance(x, float) for x in args) else v
    x = args[0]
    if fn is Fn.ABS:
        return abs(x)
    if fn in (Fn.FLOOR, Fn.CEIL):
        if isinstance(x, int):
            return x
        return float(math.floor(x) if fn is Fn.FLOOR else math.ceil(x)) if math.isfinite(x) else x
    with np.errstate(all="ignore"):
        return float(_FLOAT_FNS[fn](np.float64(x)))


# ----------------------------------------------------------------------------- bind


def _as_extent(n: object, what: str) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral):
        raise ArgumentError(f"{what} must be an integer, got {n!r} ({type(n).__name__})")
    if int(n) < 0:
        raise ShapeError(f"{what} is {int(n)}; an extent must be >= 0")
    return int(n)


def _param_value(name: str, dtype: DType, v: object, given: bool) -> Scalar:
    src = "given" if given else "default"
    if dtype is DType.BOOL:
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
    elif isinstance(v, (bool, np.bool_)):
        pass
    elif dtype.is_int:
        if isinstance(v, numbers.Integral):
            lo, hi = _INT_RANGE[dtype]
            if not lo <= int(v) <= hi:
                raise ArgumentError(
                    f"param {name} is {dtype} but the {src} value {int(v)} is outside [{lo}, {hi}]"
                )
            return int(v)
    elif isinstance(v, numbers.Real):
        return float(v)
    want = {"bool": "a bool", "integer": "an integer", "float": "a number"}
    kind = "bool" if dtype is DType.BOOL else "integer" if dtype.is_int else "float"
    raise ArgumentError(
        f"param {name} is {dtype} but the {src} value is {v!r} ({type(v).__name__}); "
        f"pass {want[kind]}"
        + (f", e.g. {name}={int(v)}" if isinstance(v, float) and v.is_integer() else "")
    )


def _bind_params(program: Program, params: Mapping[str, object]) -> dict[str, Scalar]:
    declared = {p.name: p for p in program.params}
    unknown = [k for k in params if k not in declared]
    if unknown:
        raise ArgumentError(
            f"unknown param {unknown[0]} for program {program.name}; its params are "
            f"{', '.join(declared) or '(none)'}"
        )
    values: dict[str, Scalar] = {}
    for p in program.params:
        if p.name in params:
            values[p.name] = _param_value(p.name, p.dtype, params[p.name], True)
        elif p.default is not None:
            values[p.name] = _param_value(p.name, p.dtype, p.default, False)
        else:
            raise ArgumentError(
                f"param {p.name} : {p.dtype} of program {program.name} has no default and "
                f"no value was given; pass params={{'{p.name}': ...}}"
            )
    return values


def _bind_shapes(
    program: Program, shapes: Mapping[str, Sequence[int]], ext: dict[str, int], src: dict
) -> None:
    for name, shape in shapes.items():
        decl = program.input(name)
        if decl is None:
            raise ArgumentError(
                f"a shape is given for {name}, which is not an input of {program.name}; its "
                f"inputs are {', '.join(d.name for d in program.inputs)}"
            )
        shape = tuple(getattr(shape, "shape", shape))  # an array stands for its shape
        if len(shape) != len(decl.ranks):
            raise ShapeError(
                f"input {name} is declared with {len(decl.ranks)} ranks "
                f"[{', '.join(decl.ranks)}] but the array has {len(shape)} dimensions "
                f"(shape {shape})",
                loc=decl.loc,
                source=program.source,
            )
        for dim, (r, n) in enumerate(zip(decl.ranks, shape, strict=True)):
            n = _as_extent(n, f"dim {dim} of {name} (rank {r})")
            where = f"{name} (dim {dim})"
            if r in ext and ext[r] != n:
                raise ShapeError(
                    f"rank {r} is {ext[r]} in {src[r]} but {n} in {where}; every tensor must "
                    f"agree on the extent of {r}",
                    loc=decl.loc,
                    source=program.source,
                )
            ext[r], src[r] = n, src.get(r, where)


def bind(
    program: Program,
    *,
    shapes: Mapping[str, Sequence[int]] | None = None,
    extents: Mapping[str, int] | None = None,
    params: Mapping[str, Scalar] | None = None,
    info: ProgramInfo | None = None,
) -> Binding:
    """Bind every rank's extent and every param's and let's value.

    ``shapes`` maps input names to shapes or arrays (each dimension binds the input's rank);
    ``extents`` gives rank extents directly (both may be given; they must agree).
    ``params`` overrides param defaults. ``info`` skips re-validating ``program``.
    """
    info = info or validate(program)
    ext: dict[str, int] = {}
    src: dict[str, str] = {}
    _bind_shapes(program, shapes or {}, ext, src)
    for r, n in (extents or {}).items():
        if r not in info.ranks:
            raise ArgumentError(
                f"extents gives {r}, which is not a rank of {program.name}; its ranks are "
                f"{', '.join(info.ranks)}"
            )
        n = _as_extent(n, f"the extent of rank {r}")
        if r in ext and ext[r] != n:
            raise ShapeError(f"rank {r} is {ext[r]} in {src[r]} but {n} in extents")
        ext[r], src[r] = n, src.get(r, "extents")
    declared = {d.name for d in program.rank_decls}
    for r in info.ranks:
        if r not in ext and r not in declared:
            bound_by = " or ".join(f"{t} (dim {d})" for t, d in info.rank_sources[r])
            raise ShapeError(
                f"rank {r} has no extent: pass the shape of {bound_by}, or extents={{'{r}': ...}}"
            )
    scalars: dict[str, Scalar] = _bind_params(program, params or {})
    env: dict[str, Scalar] = {**ext, **scalars}
    for d in program.decls:
        if isinstance(d, Let):
            v = _eval_decl(program, d, d.value, env)
            kind = info.scalars[d.name]
            v = bool(v) if kind is DType.BOOL else int(v) if kind.is_int else float(v)
            if kind.is_int:
                _fits_i32(program, d, v)
            scalars[d.name] = env[d.name] = v
        elif isinstance(d, RankDecl):
            n = _eval_decl(program, d, d.extent, env)
            _fits_i32(program, d, n)
            if n < 0:
                raise ShapeError(
                    f"rank {d.name} = {d.extent} evaluates to {n}; an extent must be >= 0\n"
                    f"  in declaration: {format_decl(d)}",
                    loc=d.loc,
                    source=program.source,
                )
            if d.name in ext and ext[d.name] != n:
                raise ShapeError(
                    f"rank {d.name} is {ext[d.name]} in {src[d.name]} but its declaration "
                    f"`{format_decl(d)}` gives {n}",
                    loc=d.loc,
                    source=program.source,
                )
            ext[d.name] = env[d.name] = int(n)
    ordered = FrozenMap({r: ext[r] for r in info.ranks})
    return Binding(extents=ordered, scalars=FrozenMap(scalars))


def _fits_i32(program: Program, decl: Let | RankDecl, value: int) -> None:
    """Integer lets and extents are i32 in every kernel: a value outside would wrap there."""
    if not _INT_RANGE[DType.I32][0] <= value <= _INT_RANGE[DType.I32][1]:
        text = str(value) if abs(value) < 10**30 else f"about 10^{len(str(abs(value))) - 1}"
        raise ShapeError(
            f"{'rank' if isinstance(decl, RankDecl) else 'let'} {decl.name} evaluates to "
            f"{text}, which does not fit i32 (the language's integer type, at most "
            f"{_INT_RANGE[DType.I32][1]}). Fix: check the extents and params it depends on\n"
            f"  in declaration: {format_decl(decl)}",
            loc=decl.loc,
            source=program.source,
        )


def _eval_decl(program: Program, decl: Let | RankDecl, expr: Expr, env: dict) -> Scalar:
    try:
        return eval_scalar(expr, env)
    except ShapeError as err:
        raise ShapeError(
            f"{err.message}\n  in declaration: {format_decl(decl)}",
            loc=err.loc or decl.loc,
            source=program.source,
        ) from None
    except OverflowError:  # an integer too large for a float conversion on the way
        raise ShapeError(
            f"`{expr}` overflows: an intermediate value is too large to compute. Fix: check "
            f"the extents and params it depends on\n  in declaration: {format_decl(decl)}",
            loc=decl.loc,
            source=program.source,
        ) from None
