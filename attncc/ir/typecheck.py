"""Dtype rules of the language: what each expression's value is, one rule per construct.

Used by validation (which reports the first broken rule with its statement and fix) and by
anything that needs an expression's dtype afterwards (:meth:`ProgramInfo.expr_dtype`).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from attncc.errors import DTypeError
from attncc.errors import Loc
from attncc.errors import ValidationError
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import Unary
from attncc.ir.nodes import UnaryOp
from attncc.ir.nodes import accesses_in
from attncc.ir.printer import format_decl
from attncc.ir.printer import format_stmt


class FrozenMap(Mapping):
    """A read-only, hashable, picklable dict (``MappingProxyType`` does not pickle)."""

    __slots__ = ("_d",)

    def __init__(self, items: Mapping | None = None):
        self._d = dict(items or {})

    def __getitem__(self, key):
        return self._d[key]

    def __iter__(self):
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __hash__(self) -> int:
        return hash(tuple(self._d.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._d) == dict(other)

    def __repr__(self) -> str:
        return f"FrozenMap({self._d!r})"

    def __reduce__(self):
        return (FrozenMap, (self._d,))


@dataclass(frozen=True, slots=True)
class TensorInfo:
    """A tensor of the program: an input, or the output of a statement."""

    name: str
    ranks: tuple[str, ...]
    dtype: DType
    is_input: bool


def kind_of(dtype: DType) -> str:
    """``"float"``, ``"integer"`` or ``"bool"``."""
    return "float" if dtype.is_float else "integer" if dtype.is_int else "bool"


def compute_dtype(dtype: DType) -> DType:
    """The dtype arithmetic on a value of ``dtype`` yields: ``f32``, ``i32`` or ``bool``."""
    return DType.F32 if dtype.is_float else DType.I32 if dtype.is_int else DType.BOOL


# ----------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Site:
    """Where a rule is being checked: a line of the program, for messages and locations."""

    what: str
    text: str
    loc: Loc | None = None
    source: str | None = None

    @staticmethod
    def of(node: Any, program: Program) -> Site:
        if isinstance(node, Stmt):
            return Site("statement", format_stmt(node), node.loc, program.source)
        return Site("declaration", format_decl(node), node.loc, program.source)

    def fail(self, cls: type[ValidationError], message: str, loc: Loc | None = None):
        text = f"{message}\n  in {self.what}: {self.text}" if self.text else message
        raise cls(text, loc=loc or self.loc, source=self.source)


A_KIND = {"float": "a float", "integer": "an integer", "bool": "a bool"}


def suggest(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


# ----------------------------------------------------------------------------- typing


class Typer:
    """Infers dtypes bottom-up; each construct has one rule and one error."""

    def __init__(self, scope: Mapping[str, DType], tensors: Mapping[str, TensorInfo], site: Site):
        self.scope, self.tensors, self.site = scope, tensors, site

    def dtype(self, e: Expr) -> DType:
        if isinstance(e, Const):
            v = e.value
            return (
                DType.BOOL
                if isinstance(v, bool)
                else DType.I32
                if isinstance(v, int)
                else DType.F32
            )
        if isinstance(e, Name):
            return self.scope[e.name]
        if isinstance(e, Access):
            for i, index in enumerate(e.indices):
                self._index(e, i, index)
            return self.tensors[e.tensor].dtype
        if isinstance(e, Unary):
            t = self.dtype(e.operand)
            if e.op is UnaryOp.NOT:
                return self._need_bool(t, e.operand, "not", e.loc)
            return compute_dtype(self._need_number(t, e.operand, "unary -", e.loc))
        if isinstance(e, Binary):
            return self._binary(e)
        if isinstance(e, Call):
            return self._call(e)
        raise TypeError(f"not an attncc expression: {e!r}")

    def _index(self, access: Access, i: int, index: Expr) -> None:
        t = self.dtype(index)
        if t.is_int:
            return
        inner = [a.tensor for a in accesses_in(index)]
        why = f"; it reads {inner[0]}, a {t} tensor" if isinstance(index, Access) and inner else ""
        self.site.fail(
            DTypeError,
            f"index {i} of {access} is `{index}`, of dtype {t}{why}; an index must be an "
            "integer (a rank, an integer let/param, or a read of an i32/i8 tensor). "
            "Fix: make it integer, e.g. i32(...)",
            index.loc or access.loc,
        )

    def _need_number(self, t: DType, e: Expr, op: str, loc: Loc | None) -> DType:
        if t is DType.BOOL:
            self.site.fail(
                DTypeError,
                f"`{op}` needs a number but `{e}` is a bool; arithmetic on predicates is not "
                "defined. Fix: use select(cond, a, b), or cast with f32(...) / i32(...)",
                e.loc or loc,
            )
        return t

    def _need_bool(self, t: DType, e: Expr, op: str, loc: Loc | None) -> DType:
        if t is not DType.BOOL:
            self.site.fail(
                DTypeError,
                f"`{op}` needs a bool but `{e}` is {t}. Fix: compare it, e.g. `{e} != 0`",
                e.loc or loc,
            )
        return DType.BOOL

    def _binary(self, e: Binary) -> DType:
        lt, rt = self.dtype(e.lhs), self.dtype(e.rhs)
        op = e.op.value
        if e.op.is_logical:
            self._need_bool(lt, e.lhs, op, e.loc)
            return self._need_bool(rt, e.rhs, op, e.loc)
        if e.op.is_comparison:
            if e.op in (BinaryOp.EQ, BinaryOp.NE) and lt is DType.BOOL and rt is DType.BOOL:
                return DType.BOOL
            if (lt is DType.BOOL) != (rt is DType.BOOL) or lt is DType.BOOL:
                self.site.fail(
                    DTypeError,
                    f"`{e}` compares {lt} with {rt}; `{op}` needs two numbers"
                    + (" (or two bools for == / !=)" if op in ("==", "!=") else "")
                    + ". Fix: cast one side, e.g. i32(...)",
                    e.loc,
                )
            return DType.BOOL
        self._need_number(lt, e.lhs, op, e.loc)
        self._need_number(rt, e.rhs, op, e.loc)
        return DType.F32 if lt.is_float or rt.is_float else DType.I32

    def _call(self, e: Call) -> DType:
        name = e.fn.value
        if len(e.args) != e.fn.arity:
            self.site.fail(
                ValidationError,
                f"{name}() takes {e.fn.arity} argument(s) but {len(e.args)} were given in `{e}`",
                e.loc,
            )
        types = [self.dtype(a) for a in e.args]
        if e.fn.cast_dtype is not None:
            return e.fn.cast_dtype  # casts convert between any two dtypes
        if e.fn is Fn.SELECT:
            self._need_bool(types[0], e.args[0], "select's condition", e.loc)
            a, b = types[1], types[2]
            if a is DType.BOOL and b is DType.BOOL:
                return DType.BOOL
            if (a is DType.BOOL) != (b is DType.BOOL):
                self.site.fail(
                    DTypeError,
                    f"the branches of `{e}` are {a} and {b}; select needs two numbers or two "
                    "bools. Fix: cast one branch",
                    e.loc,
                )
            return DType.F32 if a.is_float or b.is_float else DType.I32
        for t, a in zip(types, e.args, strict=True):
            self._need_number(t, a, f"{name}()", e.loc)
        if e.fn in (Fn.MAX, Fn.MIN):
            return DType.F32 if any(t.is_float for t in types) else DType.I32
        if e.fn in (Fn.ABS, Fn.FLOOR, Fn.CEIL):
            return compute_dtype(types[0])
        return DType.F32  # exp, log, tanh, sqrt, ...: integers promote to float


# ----------------------------------------------------------------------------- the rules
