"""attncc expressions → Triton expression text, shared by the fused and generic lowerings.

:class:`TritonPrinter` prints an IR :class:`~attncc.ir.nodes.Expr` as a Triton expression over
*blocks*: a rank maps to the text of an index block (``offs_n[None, :]``) or a scalar
(``b``), so one printed expression computes a whole tile with broadcasting. The language's
semantics are kept (the same rules as :mod:`attncc.targets.tvm.script`):

* compute types are ``float32``, ``int32`` and ``bool``; loads of ``f16`` / ``i8`` tensors
  convert, ``bf16`` tensors are held rounded in float32 buffers (as the CPU target does),
  ``bool`` tensors in int8 buffers;
* integer ``/`` and ``%`` floor and give 0 for a zero divisor (``_idiv`` / ``_imod``:
  Triton's own ``//`` and ``%`` truncate, like C); float ``%`` is floor modulo;
* casts round and wrap as :func:`attncc.ir.numerics.convert` does (``_f2i``, ``_wrap8``);
* ``select`` is ``tl.where`` (both branches are evaluated, as in the interpreter).

Loads are memory-safe without knowing the data: an index that is its dimension's own rank
is masked (``other=0``: a tail row, a padded head dim), unless the caller knows it is in
range (``in_range``); any other index (``RB[h, p - m + R0]``, ``KC[PT[b, m / P], ...]``) is
clamped into the dimension. A valid program reads in bounds wherever the result matters, so
the clamp changes nothing there. Offsets are computed from the tensor's C-contiguous shape.
Every composite expression is parenthesised: Triton overloads ``&`` / ``|``, which bind
tighter than comparisons in Python.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from attncc.errors import LoweringError
from attncc.ir.nodes import Access
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Name
from attncc.ir.nodes import Scalar
from attncc.lowering.printer import BOOL
from attncc.lowering.printer import COMPUTE
from attncc.lowering.printer import F32
from attncc.lowering.printer import I32
from attncc.lowering.printer import ExprPrinter
from attncc.lowering.printer import Typed

__all__ = ["HELPERS", "POINTER", "TensorRef", "TritonPrinter", "literal"]

#: The Triton pointer type of a buffer holding each language dtype (for AOT signatures).
POINTER = {
    DType.F32: "*fp32",
    DType.F16: "*fp16",
    DType.BF16: "*fp32",  # rounded to bf16, held in float32 (attncc.targets.invoke.storage_array)
    DType.I32: "*i32",
    DType.I8: "*i8",
    DType.BOOL: "*i8",
}

#: Device helpers every generated module defines (Triton inlines them).
HELPERS = '''
@triton.jit
def _idiv(a, b):
    """Floor division with x / 0 == 0 (Triton's // truncates toward zero)."""
    d = tl.where(b == 0, 1, b)
    na, nd = tl.abs(a), tl.abs(d)
    q = tl.where((a < 0) == (d < 0), na // nd, -((na + nd - 1) // nd))
    return tl.where(b == 0, 0, q)


@triton.jit
def _imod(a, b):
    """Floor modulo with x % 0 == 0."""
    d = tl.where(b == 0, 1, b)
    return tl.where(b == 0, 0, a - d * _idiv(a, d))


@triton.jit
def _tanh(x):
    """tanh through exp (tl has no tanh on every backend); saturates to +-1."""
    return 1.0 - 2.0 / (tl.exp(2.0 * x) + 1.0)


@triton.jit
def _f2i(x):
    """float -> int32: truncate toward zero, wrap modulo 2**32; NaN and +-inf give 0."""
    t = tl.where(x < 0, tl.ceil(x), tl.floor(x))
    w = t - tl.floor(t / 4294967296.0) * 4294967296.0
    w = tl.where(w >= 2147483648.0, w - 4294967296.0, w)
    finite = (x == x) & (tl.abs(x) <= 3.4028234663852886e38)
    return tl.where(finite, w, 0.0).to(tl.int32)


@triton.jit
def _nanmax(a, b):
    """max that keeps a NaN, as the reference does (fmax, tl.max on GPUs drop it)."""
    return tl.maximum(a, b, propagate_nan=tl.PropagateNan.ALL)


@triton.jit
def _nanmin(a, b):
    return tl.minimum(a, b, propagate_nan=tl.PropagateNan.ALL)


@triton.jit
def _wrap8(v):
    """int32 -> the int8 it wraps to, as int32."""
    u = v & 255
    return tl.where(u > 127, u - 256, u)
'''


@dataclass(frozen=True, slots=True)
class TensorRef:
    """A tensor as a kernel reads it: its pointer argument, dtype and dimension extents
    (texts: literals or extent arguments), one per dimension, with the dimension's rank."""

    pointer: str
    dtype: DType
    dims: tuple[str, ...]
    ranks: tuple[str, ...]


def literal(value: Scalar, dtype: str | None = None) -> Typed:
    """A Python scalar as a typed Triton literal (floats rounded to float32)."""
    if isinstance(value, bool | np.bool_) or dtype == BOOL:
        # a bool literal as a comparison keeps tl.where / & typing uniform
        return Typed("(0 == 0)" if value else "(0 != 0)", BOOL)
    if dtype == F32 or isinstance(value, float | np.floating):
        with np.errstate(over="ignore"):
            v = float(np.float32(value))
        if math.isnan(v):
            raise LoweringError("a NaN literal cannot be lowered to Triton")
        if math.isinf(v):
            return Typed("float('inf')" if v > 0 else "float('-inf')", F32)
        return Typed(repr(v), F32)
    v = int(value)  # type: ignore[call-overload]
    return Typed(str(v) if v >= 0 else f"({v})", I32)


def _int_literal(v: Typed) -> int | None:
    t = v.text.strip("()")
    return int(t) if t.lstrip("-").isdigit() else None


def _to(v: Typed, dtype: str) -> Typed:
    """``v`` as a numeric compute type (an int literal becomes a float literal)."""
    if v.dtype == dtype:
        return v
    n = _int_literal(v)
    if n is not None and dtype == F32:
        return literal(float(n))
    if dtype == F32:
        return Typed(f"{_wrap(v.text)}.to(tl.float32)", F32)
    if v.dtype == BOOL:
        return Typed(f"{_wrap(v.text)}.to(tl.int32)", I32)
    return Typed(f"_f2i({v.text})", I32)


def _wrap(text: str) -> str:
    return text if text.startswith("(") and text.endswith(")") else f"({text})"


def convert(v: Typed, dtype: DType) -> Typed:
    """``dtype(v)`` as the language's casts define it, in ``dtype``'s compute type."""
    if dtype is DType.BOOL:
        if v.dtype == BOOL:
            return v
        zero = "0.0" if v.dtype == F32 else "0"
        return Typed(f"({v.text} != {zero})", BOOL)
    if dtype.is_int:
        i = v if v.dtype == I32 else _to(v, I32)
        return Typed(f"_wrap8({i.text})", I32) if dtype is DType.I8 else i
    x = _to(v, F32)
    if dtype is DType.F16:
        return Typed(f"{_wrap(x.text)}.to(tl.float16).to(tl.float32)", F32)
    if dtype is DType.BF16:
        return Typed(f"{_wrap(x.text)}.to(tl.bfloat16).to(tl.float32)", F32)
    return x


class TritonPrinter(ExprPrinter):
    """Translates IR expressions to Triton expression text (module docstring).

    ``ranks`` maps a rank (or a placeholder name such as ``$g``) to its index text;
    ``scalars`` maps a param or let to a typed text; ``tensors`` maps an input or
    intermediate to its :class:`TensorRef`; ``in_range`` names ranks whose index texts are
    known to lie inside every dimension they index (no load mask); ``on_read(access)`` sees
    every tensor read (the generic lowering collects presence checks with it).
    """

    NAMESPACE = "tl."
    KERNEL = "this Triton kernel"

    def __init__(
        self,
        *,
        ranks: Mapping[str, str],
        scalars: Mapping[str, Typed],
        tensors: Mapping[str, TensorRef],
        in_range: frozenset[str] | set[str] = frozenset(),
        on_read: Callable[[Access], None] | None = None,
    ):
        super().__init__(ranks=ranks, scalars=scalars)
        self.tensors = tensors
        self.in_range = frozenset(in_range)
        self.on_read = on_read

    def address(self, a: Access) -> tuple[str, str | None]:
        """The pointer expression of ``a`` and its load mask (``None``: always in bounds)."""
        ref = self.tensors.get(a.tensor)
        if ref is None:
            raise LoweringError(f"tensor {a.tensor} has no buffer in this Triton kernel")
        offset: str | None = None
        masks: list[str] = []
        for i, dim in zip(a.indices, ref.dims, strict=True):
            v = self.expr(i)
            if v.dtype != I32:
                raise LoweringError(f"index `{i}` of `{a}` is {v.dtype}, not an integer")
            text = v.text
            if isinstance(i, Name) and i.name in self.ranks:
                if i.name not in self.in_range:
                    masks.append(f"({text} < {dim})")
            elif not (isinstance(i, Const) and i.value == 0):
                text = f"tl.minimum(tl.maximum({text}, 0), {dim} - 1)"
            offset = text if offset is None else f"({offset}) * {dim} + {text}"
        ptr = ref.pointer if offset is None else f"{ref.pointer} + {offset}"
        return ptr, (" & ".join(masks) if masks else None)

    def load(self, a: Access) -> Typed:
        if self.on_read is not None:
            self.on_read(a)
        ptr, mask = self.address(a)
        text = f"tl.load({ptr})" if mask is None else f"tl.load({ptr}, mask={mask}, other=0)"
        dtype = self.tensors[a.tensor].dtype
        if dtype is DType.F16:
            return Typed(f"{text}.to(tl.float32)", F32)
        if dtype is DType.I8:
            return Typed(f"{text}.to(tl.int32)", I32)
        if dtype is DType.BOOL:
            return Typed(f"({text} != 0)", BOOL)
        return Typed(text, COMPUTE[dtype])

    # -- spelling: every composite expression parenthesised (Triton's & and | bind tighter
    # than comparisons) -----------------------------------------------------------------
    literal = staticmethod(literal)
    int_literal = staticmethod(_int_literal)
    to = staticmethod(_to)
    convert = staticmethod(convert)

    def logical_not(self, v: Typed) -> Typed:
        return Typed(f"(~{v.text})", BOOL)

    def negate(self, v: Typed) -> Typed:
        return Typed(f"(-{v.text})", v.dtype)

    def logical(self, op: BinaryOp, a: Typed, b: Typed) -> Typed:
        return Typed(f"({a.text} {'&' if op is BinaryOp.AND else '|'} {b.text})", BOOL)

    def compare(self, op: BinaryOp, a: Typed, b: Typed) -> Typed:
        return Typed(f"({a.text} {op.value} {b.text})", BOOL)

    def bool_as_int(self, v: Typed) -> Typed:
        return _to(v, I32)

    def arith(self, op: BinaryOp, a: Typed, b: Typed, dtype: str) -> Typed:
        return Typed(f"({a.text} {op.value} {b.text})", dtype)

    def float_div(self, a: Typed, b: Typed) -> Typed:
        return Typed(f"({a.text} / {b.text})", F32)

    def float_mod(self, a: Typed, b: Typed) -> Typed:
        return Typed(f"({a.text} - tl.floor({a.text} / {b.text}) * {b.text})", F32)

    def int_div_mod(self, op: BinaryOp, a: Typed, b: Typed) -> Typed:
        x, y = _int_literal(a), _int_literal(b)
        if x is not None and y is not None:  # fold: Triton helpers need a tensor operand
            if y == 0:
                return literal(0)
            return literal(x // y if op is BinaryOp.DIV else x % y)
        fn = "_idiv" if op is BinaryOp.DIV else "_imod"
        return Typed(f"{fn}({a.text}, {b.text})", I32)

    def select(self, c: Typed, a: Typed, b: Typed) -> Typed:
        if a.dtype == BOOL and b.dtype == BOOL:
            return Typed(f"tl.where({c.text}, {a.text}, {b.text})", BOOL)
        dtype, (x, y) = self.promote(a, b)
        return Typed(f"tl.where({c.text}, {x.text}, {y.text})", dtype)

    def max_min(self, fn: Fn, a: Typed, b: Typed, dtype: str) -> Typed:
        ix, iy = _int_literal(a), _int_literal(b)
        if ix is not None and iy is not None:
            return literal(max(ix, iy) if fn is Fn.MAX else min(ix, iy))
        name = "tl.maximum" if fn is Fn.MAX else "tl.minimum"
        nan = ", propagate_nan=tl.PropagateNan.ALL" if dtype == F32 else ""  # as numpy
        return Typed(f"{name}({a.text}, {b.text}{nan})", dtype)


TritonPrinter.FLOAT_FNS = {
    Fn.EXP: "tl.exp",
    Fn.EXP2: "tl.exp2",
    Fn.LOG: "tl.log",
    Fn.LOG2: "tl.log2",
    Fn.SIGMOID: "tl.sigmoid",
    Fn.SQRT: "tl.sqrt",
    Fn.RSQRT: "tl.rsqrt",
    Fn.TANH: "_tanh",  # through exp: tl has no tanh on every backend
}
