"""attncc expressions → TVMScript expression text, shared by the TVM lowerings.

:class:`TvmScriptPrinter` prints an IR :class:`~attncc.ir.nodes.Expr` as the text of a TVMScript
(``from tvm.script import tirx as T``) expression, with the language's semantics:

* compute types are ``float32``, ``int32`` and ``bool``: loads of ``f16`` / ``bf16`` / ``i8``
  tensors convert on load, and arithmetic that mixes an integer and a float is a float;
* integer ``/`` and ``%`` are ``//`` and ``%``, which TVMScript reads as ``T.floordiv`` /
  ``T.floormod`` (and Python, for literals, as floor division too); a divisor that is not a
  non-zero literal is guarded, so that ``x / 0`` is 0 (the interpreter's result) and never
  a hardware trap; ``/`` with a float operand is true division, float ``%`` is floor modulo;
* casts round and wrap as :func:`attncc.ir.numerics.convert` does: ``f16(x)`` rounds to
  nearest even, ``bf16(x)`` too (by bit arithmetic: TVM's LLVM lowering truncates a bf16
  cast inside an expression), ``i32(x)`` / ``i8(x)`` of a float truncate toward zero and
  wrap (NaN and ±inf give 0), ``bool(x)`` is ``x != 0``;
* ``select`` is ``T.Select`` (both branches are evaluated, as in the interpreter: a valid
  program never relies on ``select`` to keep an index in bounds).

What names mean is the caller's: ``ranks`` maps a rank to its text (a loop variable in a
statement, an extent in a ``let``), ``scalars`` maps a let or param to a typed text (an
argument name or a literal), ``buffers`` maps a tensor to its buffer and storage dtype.

>>> from attncc.ir.nodes import Name
>>> pr = TvmScriptPrinter(ranks={"i": "i", "n": "n"}, scalars={}, buffers={})
>>> pr.expr((Name("i") - 3) / 2 % Name("n")).text
'T.if_then_else(n == 0, 0, (i - 3) // 2 % n)'
>>> pr.expr(Name("i") / 2 * 0.5).text
'T.Cast("float32", i // 2) * T.float32(0.5)'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from attncc.errors import LoweringError
from attncc.ir.nodes import Access
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import DType
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Scalar
from attncc.lowering.printer import ADD
from attncc.lowering.printer import AND
from attncc.lowering.printer import ATOM
from attncc.lowering.printer import BOOL
from attncc.lowering.printer import CMP
from attncc.lowering.printer import COMPUTE
from attncc.lowering.printer import F32
from attncc.lowering.printer import I32
from attncc.lowering.printer import MUL
from attncc.lowering.printer import NEG
from attncc.lowering.printer import NOT
from attncc.lowering.printer import OR
from attncc.lowering.printer import ExprPrinter
from attncc.lowering.printer import Namer
from attncc.lowering.printer import Typed
from attncc.targets.tvm.vector_math import VECTOR_FNS

__all__ = [
    "ADD",
    "AND",
    "ATOM",
    "CMP",
    "COMPUTE",
    "MUL",
    "NEG",
    "NOT",
    "OR",
    "STORAGE",
    "Buffer",
    "Namer",
    "TvmScriptPrinter",
    "Typed",
    "convert_text",
    "literal",
    "zero",
]

#: The TVM dtype a tensor of each language dtype is stored in.
STORAGE = {
    DType.F32: "float32",
    DType.F16: "float16",
    DType.BF16: "bfloat16",
    DType.I32: "int32",
    DType.I8: "int8",
    DType.BOOL: "bool",
}

_COMPARE = {
    BinaryOp.LT: "<",
    BinaryOp.LE: "<=",
    BinaryOp.GT: ">",
    BinaryOp.GE: ">=",
    BinaryOp.EQ: "==",
    BinaryOp.NE: "!=",
}
_FLOAT_FNS = {
    Fn.EXP: "T.exp",
    Fn.EXP2: "T.exp2",
    Fn.LOG: "T.log",
    Fn.LOG2: "T.log2",
    Fn.TANH: "T.tanh",
    Fn.SIGMOID: "T.sigmoid",
    Fn.SQRT: "T.sqrt",
    Fn.RSQRT: "T.rsqrt",
}


@dataclass(frozen=True, slots=True)
class Buffer:
    """A tensor as the kernel holds it: the buffer's name and its element dtype."""

    name: str
    dtype: str


# ----------------------------------------------------------------------------- literals


def literal(value: Scalar, dtype: str | None = None) -> Typed:
    """A Python scalar as a typed TVMScript literal (floats are rounded to ``float32``)."""
    if isinstance(value, bool | np.bool_) or dtype == BOOL:
        return Typed(f"T.bool({bool(value)})", BOOL)
    if dtype == F32 or isinstance(value, float | np.floating):
        with np.errstate(over="ignore"):
            v = float(np.float32(value))
        if math.isnan(v):
            return Typed('T.float32("nan")', F32)
        if math.isinf(v):
            return Typed(f'T.float32("{"inf" if v > 0 else "-inf"}")', F32)
        return Typed(f"T.float32({v!r})", F32)
    v = int(value)
    return Typed(str(v), I32, ATOM if v >= 0 else NEG)


def zero(dtype: str) -> str:
    """The text of a 0 of a buffer dtype (what an absent element holds)."""
    if dtype == "bool":
        return "T.bool(False)"
    if dtype == "bfloat16":
        return 'T.Cast("bfloat16", T.float32(0))'
    return f"T.{dtype}(0)"


def _cast(text: str, dtype: str) -> str:
    return f'T.Cast("{dtype}", {text})'


def _bf16_round(x: str) -> str:
    """float32 → nearest bfloat16 (ties to even), still float32: NaN stays NaN."""
    bits = f'T.reinterpret("uint32", {x})'
    rounded = f"({bits} + T.uint32(32767) + (({bits} >> T.uint32(16)) & T.uint32(1)))"
    return (
        f'T.Select(T.isnan({x}), {x}, T.reinterpret("float32", {rounded} & T.uint32(4294901760)))'
    )


def _float_to_int(x: str, bits: int) -> str:
    """Truncate toward zero and wrap to ``bits`` (NaN, ±inf → 0), in float32 arithmetic.

    Below 2**31 in magnitude the conversion is direct. Above, a float32 is a multiple of
    256, so ``t mod 2**32`` is exact in float32 and its bits are the wrapped int32 (no
    float64 or int64: WebGPU has neither).
    """
    t = f"T.trunc({x})"
    span = "T.float32(4294967296.0)"
    wrapped = _cast(_cast(f"{t} - T.floor({t} / {span}) * {span}", "uint32"), I32)
    exact = f"T.Select(T.abs({t}) < T.float32(2147483648.0), {_cast(t, I32)}, {wrapped})"
    value = f"T.Select(T.isfinite({x}), {exact}, 0)"
    return value if bits == 32 else _cast(_cast(value, "int8"), I32)


def convert_text(v: Typed, dtype: DType) -> Typed:
    """``dtype(v)`` as the language's casts define it, in ``dtype``'s compute type."""
    if dtype is DType.BOOL:
        if v.dtype == BOOL:
            return v
        z = "T.float32(0)" if v.dtype == F32 else "0"
        return Typed(f"{v.at(CMP + 1)} != {z}", BOOL, CMP)
    if dtype.is_int:
        if v.dtype == F32:
            return Typed(_float_to_int(v.text, 32 if dtype is DType.I32 else 8), I32)
        if dtype is DType.I8:  # wraps
            return Typed(_cast(_cast(v.text, "int8"), I32), I32)
        return Typed(_cast(v.text, I32), I32) if v.dtype == BOOL else v
    x = v if v.dtype == F32 else Typed(_cast(v.text, F32), F32)
    if dtype is DType.F16:
        return Typed(_cast(_cast(x.text, "float16"), F32), F32)
    if dtype is DType.BF16:
        return Typed(_bf16_round(x.text), F32)
    return x


def store_text(v: Typed, dtype: str) -> str:
    """``v`` converted for a store into a buffer of ``dtype`` (a statement's stored dtype).

    A ``bfloat16``-valued output kept in a ``float32`` buffer is rounded by the caller
    (:func:`convert_text` with ``DType.BF16``) before this.
    """
    if dtype == v.dtype:
        return v.text
    if dtype in ("float16", "bfloat16", "int8"):
        src = v.text if v.dtype != BOOL else _cast(v.text, I32)
        return _cast(src, dtype)  # f32 → f16 / bf16 stores round to nearest even; i32 → i8 wraps
    return _cast(v.text, dtype)


# ----------------------------------------------------------------------------- printer


def _to(v: Typed, dtype: str) -> Typed:
    """``v`` converted to a numeric compute type (an integer literal becomes a float one)."""
    if v.dtype == dtype:
        return v
    n = _int_literal(v)
    if n is not None and dtype == F32:
        return literal(float(n))
    return Typed(_cast(v.text, dtype), dtype)


def _int_literal(v: Typed) -> int | None:
    return int(v.text) if v.text.lstrip("-").isdigit() else None


class TvmScriptPrinter(ExprPrinter):
    """IR expressions → TVMScript expression text (module docstring); ``buffers`` maps a
    tensor to its buffer and storage dtype."""

    FLOAT_FNS = _FLOAT_FNS
    NAMESPACE = "T."

    def __init__(
        self,
        *,
        ranks: Mapping[str, str],
        scalars: Mapping[str, Typed],
        buffers: Mapping[str, Buffer],
        vector_math: bool = False,
    ):
        super().__init__(ranks=ranks, scalars=scalars)
        self.buffers = buffers
        self.vector_math = vector_math

    def float_fn(self, fn: Fn, v: Typed) -> Typed:
        """With ``vector_math`` (CPU kernels): exp, exp2, log, log2, tanh and sigmoid as
        vectorisable polynomials (:mod:`~attncc.targets.tvm.vector_math`), not libm calls."""
        if self.vector_math and fn in VECTOR_FNS:
            return Typed(VECTOR_FNS[fn](v.text), F32)
        return super().float_fn(fn, v)

    def index(self, a: Access) -> str:
        """The indices of an access, as the text between the brackets."""
        parts = []
        for i in a.indices:
            v = self.expr(i)
            if v.dtype != I32:
                raise LoweringError(f"index `{i}` of `{a}` is {v.dtype}, not an integer")
            parts.append(v.text)
        return ", ".join(parts) if parts else "()"

    def load(self, a: Access) -> Typed:
        buf = self.buffers.get(a.tensor)
        if buf is None:
            raise LoweringError(f"tensor {a.tensor} has no buffer in this kernel")
        text = f"{buf.name}[{self.index(a)}]"
        if buf.dtype in ("float16", "bfloat16"):
            return Typed(_cast(text, F32), F32)
        if buf.dtype == "int8":
            return Typed(_cast(text, I32), I32)
        if buf.dtype not in (F32, I32, BOOL):
            raise LoweringError(f"buffer {buf.name} has unsupported dtype {buf.dtype}")
        return Typed(text, buf.dtype)

    # -- spelling ---------------------------------------------------------------------------
    literal = staticmethod(literal)
    int_literal = staticmethod(_int_literal)
    to = staticmethod(_to)
    convert = staticmethod(convert_text)

    def logical_not(self, v: Typed) -> Typed:
        return Typed(f"not {v.at(NOT)}", BOOL, NOT)

    def negate(self, v: Typed) -> Typed:
        return Typed(f"-{v.at(NEG)}", v.dtype, NEG)

    def logical(self, op: BinaryOp, a: Typed, b: Typed) -> Typed:
        prec = AND if op is BinaryOp.AND else OR
        return Typed(f"{a.at(prec)} {op.value} {b.at(prec + 1)}", BOOL, prec)

    def compare(self, op: BinaryOp, a: Typed, b: Typed) -> Typed:
        return Typed(f"{a.at(CMP + 1)} {_COMPARE[op]} {b.at(CMP + 1)}", BOOL, CMP)

    def bool_as_int(self, v: Typed) -> Typed:
        # TVM's LLVM codegen emits `fcmp` for == / != on bools: compare as ints
        return Typed(_cast(v.text, I32), I32)

    def arith(self, op: BinaryOp, a: Typed, b: Typed, dtype: str) -> Typed:
        prec = MUL if op is BinaryOp.MUL else ADD
        return Typed(f"{a.at(prec)} {op.value} {b.at(prec + 1)}", dtype, prec)

    def float_div(self, a: Typed, b: Typed) -> Typed:
        return Typed(f"{a.at(MUL)} / {b.at(MUL + 1)}", F32, MUL)

    def float_mod(self, a: Typed, b: Typed) -> Typed:
        x, y = a.at(MUL), b.at(MUL + 1)
        return Typed(f"{a.at(ADD)} - T.floor({x} / {y}) * {y}", F32, ADD)

    def int_div_mod(self, op: BinaryOp, a: Typed, b: Typed) -> Typed:
        # TVMScript's // and % are T.floordiv and T.floormod (Python's semantics)
        sign = "//" if op is BinaryOp.DIV else "%"
        divisor = _int_literal(b)
        if divisor is not None:  # x / 0 and x % 0 are 0, as in the interpreter
            return Typed(f"{a.at(MUL)} {sign} {b.at(MUL + 1)}", I32, MUL) if divisor else literal(0)
        # T.if_then_else evaluates only the taken branch; T.Select would evaluate both, and
        # TVM's simplifier, knowing b != 0 in the false branch, strips any guard inside it
        div = f"{a.at(MUL)} {sign} {b.at(MUL + 1)}"
        return Typed(f"T.if_then_else({b.text} == 0, 0, {div})", I32)

    def select(self, c: Typed, a: Typed, b: Typed) -> Typed:
        if a.dtype == BOOL:
            return Typed(f"T.Select({c.text}, {a.text}, {b.text})", BOOL)
        dtype, (x, y) = self.promote(a, b)
        return Typed(f"T.Select({c.text}, {x.text}, {y.text})", dtype)

    def max_min(self, fn: Fn, a: Typed, b: Typed, dtype: str) -> Typed:
        return Typed(nan_keeping(fn.value, a.text, b.text, dtype), dtype)


def nan_keeping(op: str, a: str, b: str, dtype: str) -> str:
    """``max`` / ``min`` of ``a`` and ``b`` that keeps a NaN of either, as numpy does.

    TVM's ``T.max`` is ``a > b ? a : b`` (a NaN survives only as ``b``) and WGSL's ``max``
    may drop it; TVM also folds ``v != v`` to false, so NaN is a bit test on ``b``. With
    ``a`` a NaN, the comparison is false and ``a`` is kept: a running reduction stays NaN.
    """
    if dtype != F32:
        return f"T.{op}({a}, {b})"
    a, b = f"({a})", f"({b})"
    beats = ">" if op == "max" else "<"
    isnan = f'(T.bitwise_and(T.reinterpret("int32", {b}), 2147483647) > 2139095040)'
    return f"T.Select(T.Or({b} {beats} {a}, {isnan}), {b}, {a})"
