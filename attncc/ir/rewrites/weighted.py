"""Weighted-sum recognition: attention without a softmax, by structure.

The pattern, over a key rank ``k`` and row ranks ``R``::

    S[R, k]  = sum(e) Q * K * ...                  the logits: a contraction
    O[R, F]  = sum(k) W(S[R, k]) * V               W: any function of the logits

is sigmoid attention (``W = sigmoid(S + b)``, Ramapuram et al. 2024) and every other form
whose weights are independent per key: nothing is reduced over the keys but the output
itself, so a kernel computes it in one pass with no running state at all (no max, no
rescale): ``acc += W(s) · V`` per key tile. A normaliser (``/ sum(k) W``) is not part of
this pattern (it differs from the reference where the weights sum to 0); such programs, and
weights that read the output or another reduction over the keys, do not match.

The result is an :class:`~attncc.ir.rewrites.online.AttentionMatch` with ``weight`` set
(the factor ``W`` of the summand, reading the contraction as ``S[R, k]``), ``score`` the
contraction's access and no ``max`` statement. Filters:
the logits' own filter (outside the reduced ``e``) and the output's are the predicate; a
masked key contributes nothing, and a row with no visible key is absent (0), as the
reference.
"""

from __future__ import annotations

from attncc.ir.exprs import conjoin
from attncc.ir.exprs import factors
from attncc.ir.exprs import free_ranks
from attncc.ir.exprs import identity
from attncc.ir.exprs import product
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Const
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Program
from attncc.ir.nodes import ReduceOp
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import accesses_in
from attncc.ir.rewrites.online import AttentionMatch
from attncc.ir.rewrites.online import Contraction
from attncc.ir.rewrites.online import _ProgramIndex
from attncc.ir.validate import validate

__all__ = ["match_weighted_sum"]


def match_weighted_sum(program: Program) -> list[AttentionMatch]:
    """Every weighted sum over a key rank whose weights are a function of one contraction's
    logits, in program order (module docstring).

    >>> from attncc import variants
    >>> (m,) = match_weighted_sum(variants.sigmoid_attention(causal=True))
    >>> m.rows, m.key, str(m.weight), str(m.predicate), str(m.value)
    (('b', 'h', 'p'), 'm', 'sigmoid(S[b, h, p, m] + SB)', 'p >= m', 'V[b, h / G, m, f]')
    """
    ctx = _ProgramIndex(program, validate(program))
    return [m for o in program.stmts if (m := _from_output(ctx, o)) is not None]


def _from_output(ctx: _ProgramIndex, o: Stmt) -> AttentionMatch | None:
    if o.reduce is not ReduceOp.SUM or len(o.over) != 1 or o.out not in ctx.p.outputs:
        return None
    (key,) = o.over
    z = ctx.expand(o.value)
    num, den = factors(z.expr, ctx.is_float_div(o))
    if len(den) > 1:
        return None
    reading = [(i, s) for i, f in enumerate(num) if (s := _logits_read(ctx, f, key))]
    if len(reading) != 1:
        return None
    i, s = reading[0]
    rows = tuple(r for r in s.ranks if r != key)
    if not set(s.ranks) <= set(o.ranks) | {key} or len(s.over) != 1:
        return None
    weight = num[i]
    value = product([f for j, f in enumerate(num) if j != i], [], Const(1.0))
    if any(a.tensor in ctx.derived for a in accesses_in(value)):
        return None  # the value reads a reduction (the logits, another state): no
    if any(a.tensor in ctx.derived and a.tensor != s.out for a in accesses_in(weight)):
        return None
    sv = ctx.expand(s.value)
    s_num, s_den = factors(sv.expr, ctx.is_float_div(s))
    parts = [*s_num, *(Binary(BinaryOp.DIV, Const(1.0), d) for d in s_den)]
    inner, mask = [], []
    for c in ctx.filters(s, sv):
        (inner if free_ranks(c, s.over) else mask).append(c)
    filters_o = ctx.filters(o, z)
    norm = _normaliser(ctx, den[0], weight, key, rows, filters_o) if den else None
    if den and norm is None:
        return None
    vranks = tuple(r for r in o.ranks if r not in rows)
    predicate = conjoin([*mask, *[c for c in filters_o if c not in mask]])
    if predicate is not None and free_ranks(predicate, vranks):
        return None  # a mask over the value ranks
    contraction = Contraction(s.out, s.ranks, s.over, tuple(parts), conjoin(inner))
    return AttentionMatch(
        rows=rows,
        key=key,
        value_ranks=vranks,
        out_ranks=o.ranks,
        score=identity(s.out, s.ranks),
        contractions=(contraction,),
        predicate=predicate,
        value=value,
        output=o.out,
        normalized=norm is not None,
        extras=(),
        stmts=tuple(
            x
            for x in (s.out, norm, o.out)
            if x is not None and (x == o.out or _only_read_by(ctx, x, {o.out, norm}))
        ),
        max="",
        sum=norm or "",
        program=ctx.p,
        weight=weight,
    )


def _logits_read(ctx: _ProgramIndex, f: Expr, key: str) -> Stmt | None:
    """The contraction a factor of the summand reads at its own point, over ``key``."""
    found = None
    for a in accesses_in(f):
        s = ctx.stmt.get(a.tensor)
        if s is None or s.reduce is not ReduceOp.SUM or key not in s.ranks:
            continue
        if a != identity(s.out, s.ranks) or not ctx.plain(s.out) or found not in (None, s):
            return None
        found = s
    return found


def _only_read_by(ctx: _ProgramIndex, name: str, readers: set[str | None]) -> bool:
    return name not in ctx.p.outputs and set(ctx.readers(name)) <= readers


def _normaliser(
    ctx: _ProgramIndex, den: Expr, weight: Expr, key: str, rows: tuple[str, ...], filters: list
) -> str | None:
    """The name of ``Z`` when the output divides by ``Z[R] = sum(k) W`` over the same keys
    (normalised linear attention), else ``None``."""
    z = ctx.stmt.get(den.tensor) if isinstance(den, Access) else None
    if z is None or z.reduce is not ReduceOp.SUM or z.over != (key,) or z.ranks != rows:
        return None
    if den != identity(z.out, z.ranks) or not ctx.plain(z.out):
        return None
    value = ctx.expand(z.value)
    same_keys = sorted(map(str, ctx.filters(z, value))) == sorted(map(str, filters))
    return z.out if value.expr == weight and same_keys else None
