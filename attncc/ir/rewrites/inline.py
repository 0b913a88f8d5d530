"""Inlining: elementwise statements substituted into the statements that read them.

``X[r1..rk] = v where F`` is a map (no reduction). A reader of ``X[i1..ik]`` gets
``v[r := i]`` in place of the read, and ``F[r := i]`` joins its filter:

* absence is preserved: a map reading an absent element is absent, and a reduction skips
  the points whose value reads one — both are exactly "the reader's filter is false there";
* guards are preserved: the filter's conjuncts guard the ones after them (and the value's
  reads), so ``F`` goes right before the first conjunct of the reader's filter that reads
  ``X`` (the reads ``v`` brings in stay guarded by ``F``), or last when only the value
  reads ``X``;
* a store that rounds or wraps (``X[p] : f16 = ...``) becomes a cast (``f16(v)``).

Which maps are inlined (decision):

* not the program's outputs, and only maps that some statement reads (a dead map stays: it
  may be the only reader of an input, and dead-code removal is not inlining);
* only maps that every reader reads exactly **once** (one access node). A map read at two
  index tuples (``E[p, m - 1] + E[p, m]``) would be evaluated twice per point, and a map
  read twice at one tuple (``(A * W + B * W2) / (W + W2)``) would be duplicated in the
  expression tree (and chains of them grow exponentially). Those stay stored: one store and
  a few loads beat recomputing an ``exp``. So inlining never duplicates an expression.
* A reader whose iteration space is larger than the map's (``O[b,h,p,f] = sum(m) E * V``
  reads ``E[b,h,p,m]``) evaluates the inlined value at every point of its own space. That
  is the fused form FuseMax and flash kernels compute: the lowering hoists what does not
  depend on the extra ranks (``exp(S - MX)`` out of the ``f`` loop). It is accepted.
* a reduction whose reduced rank would no longer be used after the substitution (the map
  ignored it) keeps reading the map: the program would not validate otherwise.

Statements are visited in reverse program order, so each decision counts the reads of the
final readers: when ``X`` is inlined into ``R``, ``R`` has already been inlined wherever it
goes. (In program order ``LSE = MX + log(L)`` would be inlined into both ``MM = max(LSE,
...)`` and ``W = exp(LSE - MM)``, and then ``MM`` into ``W``, which would hold ``log(L)``
twice.) The result is a fixed point: ``inline(inline(p)) == inline(p)``.
"""

from __future__ import annotations

from dataclasses import replace

from attncc.ir.exprs import conjoin
from attncc.ir.exprs import conjuncts
from attncc.ir.exprs import map_expr
from attncc.ir.exprs import reads
from attncc.ir.exprs import stmt_reads
from attncc.ir.exprs import stored_value
from attncc.ir.exprs import substitute
from attncc.ir.exprs import uses_name
from attncc.ir.nodes import Access
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Program
from attncc.ir.nodes import Stmt
from attncc.ir.validate import ProgramInfo
from attncc.ir.validate import validate

__all__ = ["inline", "inline_into"]


def inline_into(x: Stmt, value: Expr, reader: Stmt) -> Stmt | None:
    """Substitute map ``x`` (reading as ``value``) into ``reader``; ``None``: no match.

    No match when ``reader`` does not read ``x`` exactly once, or when a rank it reduces
    would be left unused.
    """
    # X[r] = v where F;  R = ... X[i] ... where G   ⇒   R = ... v[r := i] ... where G ∧ F[r := i]
    found = stmt_reads(reader, x.out)
    if len(found) != 1:
        return None
    (access,) = found
    sub = dict(zip(x.ranks, access.indices, strict=True))
    body = substitute(value, sub)
    guard = substitute(x.where, sub) if x.where is not None else None

    def put(node):
        return body if isinstance(node, Access) and node == access else None

    new_value = map_expr(reader.value, put)
    parts = conjuncts(reader.where)
    at = next((i for i, c in enumerate(parts) if reads(c, x.out)), len(parts))
    parts = [map_expr(c, put) for c in parts]
    new_where = conjoin([*parts[:at], guard, *parts[at:]])
    out = replace(reader, value=new_value, where=new_where)
    if any(not uses_name(out, r) for r in reader.over):
        return None
    return out


def _readers(stmts: list[Stmt], name: str) -> list[int]:
    return [i for i, s in enumerate(stmts) if stmt_reads(s, name)]


def _inline_one(stmts: list[Stmt], i: int, outputs: tuple[str, ...], info: ProgramInfo):
    """Inline ``stmts[i]`` into all its readers, or return ``None`` (it stays)."""
    x = stmts[i]
    if x.reduce is not None or x.out in outputs:
        return None
    readers = _readers(stmts, x.out)
    if not readers:
        return None
    value = stored_value(x, info)
    rewritten = {}
    for j in readers:
        new = inline_into(x, value, stmts[j])
        if new is None:
            return None
        rewritten[j] = new
    return [rewritten.get(j, s) for j, s in enumerate(stmts) if j != i]


def inline(program: Program) -> Program:
    """Substitute every inlinable map into its readers (module docstring); validates.

    >>> from attncc import variants
    >>> p = inline(variants.mha())
    >>> [s.out for s in p.stmts]
    ['S', 'MX', 'L', 'O']
    >>> print(p.stmt("L").value)
    exp(S[b, h, p, m] - MX[b, h, p])
    """
    info = validate(program)
    stmts = list(program.stmts)
    for name in [s.out for s in reversed(program.stmts)]:
        i = next(k for k, s in enumerate(stmts) if s.out == name)
        new = _inline_one(stmts, i, program.outputs, info)
        if new is not None:
            stmts = new
    out = replace(program, stmts=tuple(stmts), source=None)
    validate(out)
    return out
