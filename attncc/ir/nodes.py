"""The IR: a program is an ordered cascade of extended einsums over named ranks.

Nodes are frozen value objects. Locations (``loc``) and documentation never take part in
equality, so that ``parse(str(p)) == p`` holds for a program built in Python as well as for
one parsed from text. Rebuild nodes with :func:`dataclasses.replace`; never mutate them.

Names in expressions are plain :class:`Name` nodes; what a name means depends on where it
stands, and validation resolves it:

* in a statement, a rank name is the rank's *index*, a ``let`` or ``param`` name its value;
* in a ``let`` or ``rank`` declaration, a rank name is the rank's *extent*.

Integer ``/`` and ``%`` are floor division and floor modulo (Python's ``//`` and ``%``);
``/`` with a float operand is true division.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Union

from attncc.errors import Loc

Scalar = Union[bool, int, float]  # noqa: UP007 -- used at run time in isinstance checks

#: Deepest expression tree a program may hold. Passes walk trees recursively and code
#: generators nest what they print, so depth is bounded once, at the front doors (parser,
#: validate), far below Python's recursion limit.
MAX_DEPTH = 64

#: The language's integer type is i32: integer literals and integer lets must fit it.
I32_MIN, I32_MAX = -(2**31), 2**31 - 1


class DType(enum.Enum):
    """Element types a tensor or parameter may have."""

    F32 = "f32"
    F16 = "f16"
    BF16 = "bf16"
    I32 = "i32"
    I8 = "i8"
    BOOL = "bool"

    @property
    def is_float(self) -> bool:
        return self in (DType.F32, DType.F16, DType.BF16)

    @property
    def is_int(self) -> bool:
        return self in (DType.I32, DType.I8)

    def __str__(self) -> str:
        return self.value


class ReduceOp(enum.Enum):
    SUM = "sum"
    MAX = "max"
    MIN = "min"


class UnaryOp(enum.Enum):
    NEG = "-"
    NOT = "not"


class BinaryOp(enum.Enum):
    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"
    MOD = "%"
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    EQ = "=="
    NE = "!="
    AND = "and"
    OR = "or"

    @property
    def is_arithmetic(self) -> bool:
        return self in _ARITHMETIC

    @property
    def is_comparison(self) -> bool:
        return self in _COMPARISON

    @property
    def is_logical(self) -> bool:
        return self in (BinaryOp.AND, BinaryOp.OR)


_ARITHMETIC = frozenset({BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MOD})
_COMPARISON = frozenset(
    {BinaryOp.LT, BinaryOp.LE, BinaryOp.GT, BinaryOp.GE, BinaryOp.EQ, BinaryOp.NE}
)


class Fn(enum.Enum):
    """Elementwise functions. Casts are named by their dtype: ``f32(x)``, ``i32(x)``, ..."""

    EXP = "exp"
    EXP2 = "exp2"
    LOG = "log"
    LOG2 = "log2"
    TANH = "tanh"
    SIGMOID = "sigmoid"
    SQRT = "sqrt"
    RSQRT = "rsqrt"
    ABS = "abs"
    FLOOR = "floor"
    CEIL = "ceil"
    MAX = "max"
    MIN = "min"
    SELECT = "select"
    F32 = "f32"
    F16 = "f16"
    BF16 = "bf16"
    I32 = "i32"
    I8 = "i8"
    BOOL = "bool"

    @property
    def arity(self) -> int:
        return _ARITY.get(self, 1)

    @property
    def cast_dtype(self) -> DType | None:
        """The target dtype when this function is a cast, else ``None``."""
        return _CASTS.get(self)


_ARITY = {Fn.MAX: 2, Fn.MIN: 2, Fn.SELECT: 3}
_CASTS = {
    Fn.F32: DType.F32,
    Fn.F16: DType.F16,
    Fn.BF16: DType.BF16,
    Fn.I32: DType.I32,
    Fn.I8: DType.I8,
    Fn.BOOL: DType.BOOL,
}


class Expr:
    """Base of expression nodes. Python operators build nodes, so builder code reads as math.

    ``==`` keeps its value-equality meaning; use :meth:`eq` / :meth:`ne` for the comparisons.
    ``&``, ``|`` and ``~`` build ``and``, ``or`` and ``not``.
    """

    __slots__ = ()

    def __add__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.ADD, self, as_expr(other))

    def __radd__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.ADD, as_expr(other), self)

    def __sub__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.SUB, self, as_expr(other))

    def __rsub__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.SUB, as_expr(other), self)

    def __mul__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.MUL, self, as_expr(other))

    def __rmul__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.MUL, as_expr(other), self)

    def __truediv__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.DIV, self, as_expr(other))

    def __rtruediv__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.DIV, as_expr(other), self)

    # `//` is the same node as `/`: on integers the IR's division is floor division.
    __floordiv__ = __truediv__
    __rfloordiv__ = __rtruediv__

    def __mod__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.MOD, self, as_expr(other))

    def __rmod__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.MOD, as_expr(other), self)

    def __neg__(self) -> Expr:
        return neg(self)

    def __lt__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.LT, self, as_expr(other))

    def __le__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.LE, self, as_expr(other))

    def __gt__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.GT, self, as_expr(other))

    def __ge__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.GE, self, as_expr(other))

    def eq(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.EQ, self, as_expr(other))

    def ne(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.NE, self, as_expr(other))

    def __and__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.AND, self, as_expr(other))

    def __rand__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.AND, as_expr(other), self)

    def __or__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.OR, self, as_expr(other))

    def __ror__(self, other: ExprLike) -> Expr:
        return Binary(BinaryOp.OR, as_expr(other), self)

    def __invert__(self) -> Expr:
        return Unary(UnaryOp.NOT, self)

    def __str__(self) -> str:
        from attncc.ir.printer import format_expr

        return format_expr(self)


@dataclass(frozen=True, slots=True)
class Const(Expr):
    """A literal: ``true``/``false``, an integer, or a float (``inf`` included)."""

    value: Scalar
    loc: Loc | None = field(default=None, compare=False, repr=False)

    def __eq__(self, other: object) -> bool:
        # bool is a subclass of int in Python: keep 1, 1.0 and true distinct literals.
        return (
            type(other) is Const
            and type(self.value) is type(other.value)
            and self.value == other.value
        )

    def __hash__(self) -> int:
        return hash((Const, type(self.value), self.value))


@dataclass(frozen=True, slots=True)
class Name(Expr):
    """A rank, ``let`` or ``param`` (see the module docstring for what a rank name means)."""

    name: str
    loc: Loc | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Access(Expr):
    """``T[i, j, ...]``: an element of an input or of an earlier statement's tensor.

    Indices are integer expressions; they may read integer tensors (indirect access).
    """

    tensor: str
    indices: tuple[Expr, ...]
    loc: Loc | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Unary(Expr):
    op: UnaryOp
    operand: Expr
    loc: Loc | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    op: BinaryOp
    lhs: Expr
    rhs: Expr
    loc: Loc | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Call(Expr):
    fn: Fn
    args: tuple[Expr, ...]
    loc: Loc | None = field(default=None, compare=False, repr=False)


ExprLike = Union[Expr, bool, int, float]  # noqa: UP007


def as_expr(value: ExprLike) -> Expr:
    """Wrap a Python scalar as a :class:`Const`; pass expressions through."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, (bool, int, float)):
        return Const(value)
    raise TypeError(f"cannot use {type(value).__name__} {value!r} as an attncc expression")


def neg(x: Expr) -> Expr:
    """Negation that folds numeric literals, so builder and parser agree on ``-1``."""
    if isinstance(x, Const) and isinstance(x.value, (int, float)) and not isinstance(x.value, bool):
        return Const(-x.value, x.loc)
    return Unary(UnaryOp.NEG, x)


def children(expr: Expr) -> tuple[Expr, ...]:
    if isinstance(expr, Access):
        return expr.indices
    if isinstance(expr, Unary):
        return (expr.operand,)
    if isinstance(expr, Binary):
        return (expr.lhs, expr.rhs)
    if isinstance(expr, Call):
        return expr.args
    return ()


def depth(expr: Expr) -> int:
    """Levels of the expression tree (a leaf is 1), counted without recursion."""
    deepest, stack = 0, [(expr, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((c, level + 1) for c in children(node))
    return deepest


def walk(expr: Expr) -> Iterator[Expr]:
    """Pre-order traversal of an expression tree."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def names_in(expr: Expr) -> set[str]:
    return {n.name for n in walk(expr) if isinstance(n, Name)}


def accesses_in(expr: Expr) -> list[Access]:
    return [n for n in walk(expr) if isinstance(n, Access)]


def conjuncts(e: Expr | None) -> list[Expr]:
    """``a and (b and c)`` → ``[a, b, c]``, in evaluation order (each guards the next);
    iterative, so a long chain of ``and`` needs no deep recursion."""
    out, stack = [], [] if e is None else [e]
    while stack:
        x = stack.pop()
        if isinstance(x, Binary) and x.op is BinaryOp.AND:
            stack += [x.rhs, x.lhs]
        else:
            out.append(x)
    return out


# --------------------------------------------------------------------------- declarations


@dataclass(frozen=True, slots=True)
class Input:
    """``input K[b, g, m, e] : f32`` -- a tensor argument; each dimension is a rank."""

    name: str
    ranks: tuple[str, ...]
    dtype: DType = DType.F32
    loc: Loc | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Param:
    """``param cap : f32 = 50.0`` -- a scalar argument, with an optional default."""

    name: str
    dtype: DType = DType.F32
    default: Scalar | None = None
    loc: Loc | None = field(default=None, compare=False, repr=False)

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is Param
            and (self.name, self.dtype) == (other.name, other.dtype)
            and type(self.default) is type(other.default)
            and self.default == other.default
        )

    def __hash__(self) -> int:
        return hash((Param, self.name, self.dtype, type(self.default), self.default))


@dataclass(frozen=True, slots=True)
class Let:
    """``let G = h / g`` -- a named scalar over rank extents, params and literals."""

    name: str
    value: Expr
    loc: Loc | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class RankDecl:
    """``rank c = (m + 63) / 64`` -- a rank no input binds, with its extent."""

    name: str
    extent: Expr
    loc: Loc | None = field(default=None, compare=False, repr=False)


Decl = Union[Input, Param, Let, RankDecl]  # noqa: UP007


@dataclass(frozen=True, slots=True)
class Stmt:
    """``OUT[ranks] = reduce(over) value where filter``.

    The iteration space is ``ranks + over``. A point where ``where`` is false, or where the
    value reads an absent element, is absent; a reduction skips absent points and its result
    is absent when every point was; an absent output element reads as 0.
    """

    out: str
    ranks: tuple[str, ...]
    value: Expr
    reduce: ReduceOp | None = None
    over: tuple[str, ...] = ()
    where: Expr | None = None
    dtype: DType | None = None
    loc: Loc | None = field(default=None, compare=False, repr=False)

    @property
    def space(self) -> tuple[str, ...]:
        return self.ranks + self.over

    def __str__(self) -> str:
        from attncc.ir.printer import format_stmt

        return format_stmt(self)


@dataclass(frozen=True, slots=True)
class Program:
    """A named cascade: declarations, then statements in order, then the outputs."""

    name: str
    decls: tuple[Decl, ...]
    stmts: tuple[Stmt, ...]
    outputs: tuple[str, ...]
    doc: str = field(default="", compare=False)
    source: str | None = field(default=None, compare=False, repr=False)
    loc: Loc | None = field(default=None, compare=False, repr=False)

    @property
    def inputs(self) -> tuple[Input, ...]:
        return tuple(d for d in self.decls if isinstance(d, Input))

    @property
    def params(self) -> tuple[Param, ...]:
        return tuple(d for d in self.decls if isinstance(d, Param))

    @property
    def lets(self) -> tuple[Let, ...]:
        return tuple(d for d in self.decls if isinstance(d, Let))

    @property
    def rank_decls(self) -> tuple[RankDecl, ...]:
        return tuple(d for d in self.decls if isinstance(d, RankDecl))

    def input(self, name: str) -> Input | None:
        return next((d for d in self.inputs if d.name == name), None)

    def stmt(self, name: str) -> Stmt | None:
        return next((s for s in self.stmts if s.out == name), None)

    @property
    def text(self) -> str:
        from attncc.ir.printer import format_program

        return format_program(self)

    def __str__(self) -> str:
        return self.text

    @property
    def hash(self) -> str:
        """sha256 of the canonical text: equal programs hash equal, wherever they came from."""
        from attncc.ir.printer import format_program

        return hashlib.sha256(format_program(self, doc=False).encode()).hexdigest()
