"""Expression plumbing shared by the rewrites, the planner and the lowerings: substitution,
conjunctions, factors, fresh names.

Every helper rebuilds nodes (``dataclasses.replace``); none mutates its input.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import replace

from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import Unary
from attncc.ir.nodes import UnaryOp
from attncc.ir.nodes import accesses_in
from attncc.ir.nodes import conjuncts
from attncc.ir.nodes import walk
from attncc.ir.validate import ProgramInfo

#: Stored dtypes that round or wrap a value: reading such a tensor is not reading its value.
NARROW = frozenset({DType.F16, DType.BF16, DType.I8})

TRANSCENDENTAL = frozenset(
    {Fn.EXP, Fn.EXP2, Fn.LOG, Fn.LOG2, Fn.TANH, Fn.SIGMOID, Fn.SQRT, Fn.RSQRT}
)


def map_expr(expr: Expr, fn: Callable[[Expr], Expr | None]) -> Expr:
    """Bottom-up rewrite: children first, then ``fn(node)`` (``None`` keeps the node)."""
    if isinstance(expr, Access):
        node: Expr = replace(expr, indices=tuple(map_expr(i, fn) for i in expr.indices))
    elif isinstance(expr, Unary):
        node = replace(expr, operand=map_expr(expr.operand, fn))
    elif isinstance(expr, Binary):
        node = replace(expr, lhs=map_expr(expr.lhs, fn), rhs=map_expr(expr.rhs, fn))
    elif isinstance(expr, Call):
        node = replace(expr, args=tuple(map_expr(a, fn) for a in expr.args))
    else:
        node = expr
    out = fn(node)
    return node if out is None else out


def substitute(expr: Expr, mapping: Mapping[str, Expr]) -> Expr:
    """Replace names by expressions, all at once (a replacement is never substituted again)."""
    if not mapping:
        return expr
    if isinstance(expr, Name):
        return mapping.get(expr.name, expr)
    if isinstance(expr, Access):
        return replace(expr, indices=tuple(substitute(i, mapping) for i in expr.indices))
    if isinstance(expr, Unary):
        return replace(expr, operand=substitute(expr.operand, mapping))
    if isinstance(expr, Binary):
        return replace(expr, lhs=substitute(expr.lhs, mapping), rhs=substitute(expr.rhs, mapping))
    if isinstance(expr, Call):
        return replace(expr, args=tuple(substitute(a, mapping) for a in expr.args))
    return expr


def conjoin(parts: Iterable[Expr | None]) -> Expr | None:
    """The conjunction of ``parts`` (flattened, duplicates dropped, order kept); ``None``: true."""
    seen: list[Expr] = []
    for part in parts:
        for c in conjuncts(part):
            if c not in seen:
                seen.append(c)
    out: Expr | None = None
    for c in seen:
        out = c if out is None else Binary(BinaryOp.AND, out, c)
    return out


def identity(tensor: str, ranks: Iterable[str]) -> Access:
    """``T[r1, r2, ...]``: the read of a tensor at the point of its own ranks."""
    return Access(tensor, tuple(Name(r) for r in ranks))


def reads(expr: Expr | None, tensor: str) -> list[Access]:
    return [] if expr is None else [a for a in accesses_in(expr) if a.tensor == tensor]


def stmt_reads(stmt: Stmt, tensor: str) -> list[Access]:
    return reads(stmt.value, tensor) + reads(stmt.where, tensor)


def uses_name(stmt: Stmt, name: str) -> bool:
    return any(
        isinstance(n, Name) and n.name == name
        for e in (stmt.value, stmt.where)
        if e is not None
        for n in walk(e)
    )


def free_ranks(expr: Expr | None, ranks: Iterable[str]) -> set[str]:
    """The ranks of ``ranks`` that ``expr`` mentions (as indices)."""
    wanted = set(ranks)
    if expr is None:
        return set()
    return {n.name for n in walk(expr) if isinstance(n, Name) and n.name in wanted}


def stored_value(stmt: Stmt, info: ProgramInfo) -> Expr:
    """What reading ``stmt``'s tensor yields: its value, cast when the store rounds or wraps.

    ``X[p] : f16 = ...`` stores rounded values, so an inlined read is ``f16(...)``. Stores of
    the compute types (``f32``, ``i32``, ``bool``) keep the value (an ``i32`` store would wrap
    an overflowing integer, which no attention index reaches).
    """
    dtype = info.tensors[stmt.out].dtype
    if dtype in NARROW and info.expr_dtype(stmt.value, stmt) is not dtype:
        return Call(Fn(dtype.value), (stmt.value,))
    return stmt.value


def factors(e: Expr, is_float_div: Callable[[Binary], bool]) -> tuple[list[Expr], list[Expr]]:
    """A product as (numerator factors, denominator factors): ``a * b / c`` → ``[a, b], [c]``.

    Only float divisions split (integer ``/`` floors, so ``a / c`` is one factor there).
    """
    if isinstance(e, Binary) and e.op is BinaryOp.MUL:
        ln, ld = factors(e.lhs, is_float_div)
        rn, rd = factors(e.rhs, is_float_div)
        return ln + rn, ld + rd
    if isinstance(e, Binary) and e.op is BinaryOp.DIV and is_float_div(e):
        ln, ld = factors(e.lhs, is_float_div)
        rn, rd = factors(e.rhs, is_float_div)
        return ln + rd, ld + rn
    return [e], []


def product(num: list[Expr], den: list[Expr], one: Expr) -> Expr:
    """Rebuild ``n1 * n2 / d1 / d2`` (``one`` for an empty numerator)."""
    out = num[0] if num else one
    for n in num[1:]:
        out = Binary(BinaryOp.MUL, out, n)
    for d in den:
        out = Binary(BinaryOp.DIV, out, d)
    return out


def is_neg_of(e: Expr) -> Expr | None:
    return e.operand if isinstance(e, Unary) and e.op is UnaryOp.NEG else None


def program_names(program: Program) -> set[str]:
    """Every name a program declares: inputs, params, lets, ranks, statements."""
    names = {d.name for d in program.decls}
    names |= {r for d in program.inputs for r in d.ranks}
    names |= {s.out for s in program.stmts}
    return names


def fresh(base: str, taken: set[str]) -> str:
    """``base``, or ``base1``, ``base2``, ... : the first not in ``taken`` (which it joins)."""
    name, i = base, 0
    while name in taken:
        i += 1
        name = f"{base}{i}"
    taken.add(name)
    return name
