"""The expression printer every language shares: IR expression → typed source text.

The language rules are the same everywhere (compute types ``float32`` / ``int32`` / ``bool``;
an integer mixed with a float is a float; integer ``/`` and ``%`` floor and give 0 for a zero
divisor; casts round and wrap as :func:`attncc.ir.numerics.convert`; ``select`` evaluates
both branches). What differs is spelling. :class:`ExprPrinter` walks the expression, types
it and promotes operands; a language subclass (TVMScript in
:mod:`attncc.targets.tvm.script`, Triton in :mod:`attncc.targets.cuda.printer`) spells each
operation: its literals, casts, operators, division and modulo, ``select``, ``max`` /
``min`` and a table of float functions (``FLOAT_FNS``) -- the way tinygrad's renderers share
``CStyleLanguage``.
"""

from __future__ import annotations

import abc
import builtins
import keyword
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from attncc.errors import LoweringError
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Name
from attncc.ir.nodes import Scalar
from attncc.ir.nodes import Unary
from attncc.ir.nodes import UnaryOp

__all__ = [
    "ADD",
    "AND",
    "ATOM",
    "BOOL",
    "CMP",
    "COMPUTE",
    "F32",
    "I32",
    "MUL",
    "NEG",
    "NOT",
    "OR",
    "ExprPrinter",
    "Namer",
    "Typed",
]

F32, I32, BOOL = "float32", "int32", "bool"

#: The dtype a value of each language dtype is computed in.
COMPUTE = {
    DType.F32: F32,
    DType.F16: F32,
    DType.BF16: F32,
    DType.I32: I32,
    DType.I8: I32,
    DType.BOOL: BOOL,
}

# Python's precedence, lowest first: where a printer puts parentheses.
OR, AND, NOT, CMP, ADD, MUL, NEG, ATOM = range(1, 9)


@dataclass(frozen=True, slots=True)
class Typed:
    """An expression's text, its compute dtype (``float32``, ``int32`` or ``bool``) and the
    precedence of its outermost operator."""

    text: str
    dtype: str
    prec: int = ATOM

    def at(self, prec: int) -> str:
        """The text, parenthesised when it binds looser than ``prec``."""
        return self.text if self.prec >= prec else f"({self.text})"


class Namer:
    """Unique identifiers of generated code: IR names where they are safe (not a keyword, a
    builtin or the module names ``T`` / ``tvm`` / what a caller adds), suffixed otherwise."""

    RESERVED = frozenset({"T", "tvm", *keyword.kwlist, *keyword.softkwlist, *dir(builtins)})

    def __init__(self) -> None:
        self.used: set[str] = set(self.RESERVED)

    def fresh(self, base: str) -> str:
        name, k = base, 0
        while name in self.used:
            k += 1
            name = f"{base}_{k}"
        self.used.add(name)
        return name


class ExprPrinter(abc.ABC):
    """IR expressions → typed text in one language (module docstring).

    ``ranks`` maps a rank (or a placeholder such as ``$g``) to its index text; ``scalars``
    maps a param or let to a typed text. Subclasses say how tensors load (:meth:`load`) and
    spell the operations.
    """

    #: The float functions by name in this language (``exp``, ``tanh``, ...).
    FLOAT_FNS: ClassVar[Mapping[Fn, str]]
    #: The prefix of ``abs``, ``floor`` and ``ceil`` (``T.``, ``tl.``).
    NAMESPACE: ClassVar[str]
    #: What an error calls the kernel being printed.
    KERNEL: ClassVar[str] = "this kernel"

    def __init__(self, *, ranks: Mapping[str, str], scalars: Mapping[str, Typed]):
        self.ranks, self.scalars = ranks, scalars

    # -- entry points ---------------------------------------------------------------------
    def expr(self, e: Expr) -> Typed:
        """``e`` as a typed expression of this language."""
        if isinstance(e, Const):
            return self.literal(e.value)
        if isinstance(e, Name):
            return self._name(e)
        if isinstance(e, Access):
            return self.load(e)
        if isinstance(e, Unary):
            v = self.expr(e.operand)
            return self.logical_not(v) if e.op is UnaryOp.NOT else self.negate(v)
        if isinstance(e, Binary):
            return self._binary(e)
        if isinstance(e, Call):
            return self._call(e)
        raise TypeError(f"not an attncc expression: {e!r}")

    def cond(self, e: Expr) -> Typed:
        """A bool expression."""
        v = self.expr(e)
        if v.dtype != BOOL:
            raise LoweringError(f"`{e}` is {v.dtype}, not a predicate")
        return v

    @abc.abstractmethod
    def load(self, a: Access) -> Typed:
        """``X[...]`` converted from its buffer's dtype to its compute dtype."""

    # -- spelling: each language -----------------------------------------------------------
    @abc.abstractmethod
    def literal(self, value: Scalar, dtype: str | None = None) -> Typed: ...

    @abc.abstractmethod
    def int_literal(self, v: Typed) -> int | None:
        """The value of an integer literal's text, else ``None`` (what folding may use)."""

    @abc.abstractmethod
    def to(self, v: Typed, dtype: str) -> Typed:
        """``v`` in a numeric compute type (an integer literal becomes a float literal)."""

    @abc.abstractmethod
    def convert(self, v: Typed, dtype: DType) -> Typed:
        """``dtype(v)``, as the language's casts define it, in ``dtype``'s compute type."""

    @abc.abstractmethod
    def logical_not(self, v: Typed) -> Typed: ...

    @abc.abstractmethod
    def negate(self, v: Typed) -> Typed: ...

    @abc.abstractmethod
    def logical(self, op: BinaryOp, a: Typed, b: Typed) -> Typed: ...

    @abc.abstractmethod
    def compare(self, op: BinaryOp, a: Typed, b: Typed) -> Typed: ...

    @abc.abstractmethod
    def bool_as_int(self, v: Typed) -> Typed:
        """A bool as an int32 (``==`` / ``!=`` of two bools compare them as ints)."""

    @abc.abstractmethod
    def arith(self, op: BinaryOp, a: Typed, b: Typed, dtype: str) -> Typed:
        """``a + b``, ``a - b`` or ``a * b`` of operands already of ``dtype``."""

    @abc.abstractmethod
    def float_div(self, a: Typed, b: Typed) -> Typed: ...

    @abc.abstractmethod
    def float_mod(self, a: Typed, b: Typed) -> Typed:
        """Floor modulo."""

    @abc.abstractmethod
    def int_div_mod(self, op: BinaryOp, a: Typed, b: Typed) -> Typed:
        """Floor ``/`` or ``%`` of two int32 values, 0 for a zero divisor."""

    @abc.abstractmethod
    def select(self, c: Typed, a: Typed, b: Typed) -> Typed: ...

    @abc.abstractmethod
    def max_min(self, fn: Fn, a: Typed, b: Typed, dtype: str) -> Typed:
        """``max`` / ``min`` of operands of ``dtype``, keeping a NaN of either (as numpy)."""

    # -- the walk ---------------------------------------------------------------------------
    def _name(self, e: Name) -> Typed:
        if e.name in self.ranks:
            return Typed(self.ranks[e.name], I32)
        if e.name in self.scalars:
            return self.scalars[e.name]
        raise LoweringError(f"name {e.name} has no value in {self.KERNEL}")

    def promote(self, *vals: Typed) -> tuple[str, list[Typed]]:
        """The common numeric type of ``vals`` and the values converted to it."""
        dtype = F32 if any(v.dtype == F32 for v in vals) else I32
        return dtype, [self.to(v, dtype) for v in vals]

    def _binary(self, e: Binary) -> Typed:
        a, b = self.expr(e.lhs), self.expr(e.rhs)
        if e.op.is_logical:
            return self.logical(e.op, a, b)
        if e.op.is_comparison:
            if a.dtype == BOOL and b.dtype == BOOL:
                a, b = self.bool_as_int(a), self.bool_as_int(b)
            else:
                _, (a, b) = self.promote(a, b)
            return self.compare(e.op, a, b)
        dtype, (a, b) = self.promote(a, b)
        if e.op in (BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL):
            return self.arith(e.op, a, b, dtype)
        if dtype == F32:
            return self.float_div(a, b) if e.op is BinaryOp.DIV else self.float_mod(a, b)
        return self.int_div_mod(e.op, a, b)

    def _call(self, e: Call) -> Typed:
        args = [self.expr(a) for a in e.args]
        fn = e.fn
        if fn.cast_dtype is not None:
            return self.convert(args[0], fn.cast_dtype)
        if fn is Fn.SELECT:
            return self.select(*args)
        if fn in (Fn.MAX, Fn.MIN):
            dtype, (x, y) = self.promote(*args)
            return self.max_min(fn, x, y, dtype)
        (v,) = args
        if fn is Fn.ABS:
            return Typed(f"{self.NAMESPACE}abs({v.text})", v.dtype)
        if fn in (Fn.FLOOR, Fn.CEIL):
            return v if v.dtype == I32 else Typed(f"{self.NAMESPACE}{fn.value}({v.text})", F32)
        return self.float_fn(fn, self.to(v, F32))

    def float_fn(self, fn: Fn, v: Typed) -> Typed:
        """``fn(v)`` for a float function of :attr:`FLOAT_FNS` (``v`` is float32)."""
        return Typed(f"{self.FLOAT_FNS[fn]}({v.text})", F32)
