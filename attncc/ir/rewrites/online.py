"""Online-softmax recognition: the max → exp → sum → div → contract cascade, by structure.

The pattern, over a key rank ``k`` and row ranks ``R`` (any names, any statement names)::

    MX[R]    = max(k) X                       X: the logits over (R, k)
    L[R]     = sum(k) exp(X - MX[R])
    O[R, F]  = sum(k) exp(X - MX[R]) * V / L[R]     (or N = sum(k) exp(X - MX) * V and a map
                                                       O = N / L; or N alone, unnormalised)

is the three-pass form of a softmax attention; FuseMax (Nayak et al., MICRO 2024) and flash
attention compute it in one pass with a running state:

    # max→exp→sum→div→contract  ⇒  running (max, sum, acc)
    m' = max(m, max_k X)   c = exp(m - m')   l' = l·c + Σ_k exp(X - m')
    acc' = acc·c + Σ_k exp(X - m')·V          O = acc / l

Maps between the statements (``T = cap * tanh(S / cap)``, ``E = exp(T - MX)``, ``LSE = MX +
log(L)``) are looked through by substitution, so the match is the same before and after
:func:`~attncc.ir.rewrites.inline.inline`. Only maps that depend on a reduction are looked
through; maps over inputs alone (a dequantised ``K``, tree ancestors ``A2``) stay tensors
the fused kernel reads.

Filters: the keys that enter ``L`` and the contraction must be the same set, and ``MX``'s a
superset (its reference point does not change the result, but an absent ``MX`` would).
That is checked on conjuncts: each filter on the path must consist of conjuncts that the
others have too (a bounds guard ``where m < KVLEN[b]`` on ``O`` that the logits also carry is
fine). The match's ``predicate`` is their conjunction; the logits' own contraction filter
(``S = sum(e) ... where p >= m``) is part of it, and what filters the reduced rank ``e``
stays with the :class:`Contraction`.

Contractions are the sums over inputs (and maps of inputs) that the logits read at their
own point: ``S[b, h, p, m]`` with ``S = sum(e) Q[b,h,p,e] * K[b,h/G,m,e] * scale`` becomes
``Contraction("S", (b,h,p,m), ("e",), (Q[...], K[...], scale))``; MLA's logits
``(SN + SR) * SCALE`` expose two. Other tensors the logits read stay tensors.

What does not match (and takes the generic path): no max over one rank (sigmoid and linear
attention), weights other than ``exp(X - MX)``, filters that differ between ``L`` and the
contraction, narrowing stores (``L : f16``) on the path, a value or mask that reads what the
kernel computes (``MX``, ``L``, the output, the contractions), a mask over the value ranks.

The merge stage of a split-KV program (``LM = max(c) LSEC``, ``W = exp(LSEC - LM)``, ...)
is itself a softmax over chunks whose logits are the states' LSE and whose value is the
partial output: it matches, with no contraction.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from attncc.ir.exprs import conjoin
from attncc.ir.exprs import conjuncts
from attncc.ir.exprs import factors
from attncc.ir.exprs import free_ranks
from attncc.ir.exprs import identity
from attncc.ir.exprs import map_expr
from attncc.ir.exprs import product
from attncc.ir.exprs import stmt_reads
from attncc.ir.exprs import stored_value
from attncc.ir.exprs import substitute
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Program
from attncc.ir.nodes import ReduceOp
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import accesses_in
from attncc.ir.validate import ProgramInfo
from attncc.ir.validate import validate

__all__ = ["AttentionMatch", "Contraction", "RowStat", "match_attention"]


@dataclass(frozen=True, slots=True)
class Contraction:
    """``name[out_ranks] = sum(over) factors[0] * factors[1] * ... where where``.

    ``factors`` multiply to the summand (a float ``/ d`` is the factor ``1.0 / d``);
    ``where`` holds the conjuncts of the statement's filter that mention ``over`` (the rest
    is in :attr:`AttentionMatch.predicate`). The logits read it as ``name[out_ranks]``.
    """

    name: str
    out_ranks: tuple[str, ...]
    over: tuple[str, ...]
    factors: tuple[Expr, ...]
    where: Expr | None = None


@dataclass(frozen=True, slots=True)
class RowStat:
    """A per-row tensor the one-pass kernel writes besides the output.

    ``kind``: ``"max"`` (the final running max, ``MX``), ``"sum"`` (the final running sum
    relative to it, ``L``) or ``"lse"`` (``MX + log(L)``, a statement of that form).
    """

    name: str
    kind: str


@dataclass(frozen=True)
class AttentionMatch:
    """A softmax attention found in a program, described in its fused one-pass form.

    * ``rows``: the row ranks (``MX``'s left side, e.g. ``("b", "h", "p")``); ``key``: the
      reduced key rank; ``value_ranks``: the output's other ranks (``("f",)``);
      ``out_ranks``: the output's ranks in its own order.
    * ``score``: the logits over ``rows + (key,)``; contractions appear in it as
      ``Access(c.name, c.out_ranks)`` for each ``c`` in ``contractions``.
    * ``predicate``: the visible keys, over ``rows + (key,)`` (``None``: all visible).
    * ``value``: what the weights multiply, over ``rows``, ``key`` and ``value_ranks``
      (``V[b, h / G, m, f]``, ``VC[PT[b, m / P], m % P, h / G, f]``, ``f32(VQ[...]) * VS[...]``).
    * ``output``: the tensor the kernel writes; ``normalized``: whether it is divided by
      the row sum (``False``: ``sum(k) exp(X - MX) * V`` relative to the final max).
    * ``extras``: row statistics the kernel writes too; ``stmts``: the statements the
      kernel replaces (every other statement stays); ``max`` / ``sum``: the names of the
      ``MX`` and ``L`` statements; ``program``: where it was found.
    """

    rows: tuple[str, ...]
    key: str
    value_ranks: tuple[str, ...]
    out_ranks: tuple[str, ...]
    score: Expr
    contractions: tuple[Contraction, ...]
    predicate: Expr | None
    value: Expr
    output: str
    normalized: bool
    extras: tuple[RowStat, ...]
    stmts: tuple[str, ...]
    max: str
    sum: str
    program: Program = field(compare=False, repr=False)
    #: a weighted sum without softmax (:mod:`~attncc.ir.rewrites.weighted`): the weight
    #: factor, reading the logits; ``None`` for a softmax
    weight: Expr | None = None

    @property
    def produced(self) -> tuple[str, ...]:
        """Every tensor the kernel writes: the output, then the extras."""
        return (self.output, *(x.name for x in self.extras))


# ----------------------------------------------------------------------------- context


@dataclass
class _Expanded:
    expr: Expr
    filters: list[Expr]
    absorbed: list[str]


class _ProgramIndex:
    """A validated program: statements by name, readers, and the maps looked through."""

    def __init__(self, program: Program, info: ProgramInfo):
        self.p, self.info = program, info
        self.stmt = {s.out: s for s in program.stmts}
        self.pos = {s.out: i for i, s in enumerate(program.stmts)}
        derived: set[str] = set()
        for s in program.stmts:
            if s.reduce is not None or any(
                a.tensor in derived for e in (s.value, s.where) if e for a in accesses_in(e)
            ):
                derived.add(s.out)
        self.derived = derived  # reductions and what depends on them
        self.see_through = {s.out for s in program.stmts if s.reduce is None and s.out in derived}

    def readers(self, name: str) -> list[str]:
        return [s.out for s in self.p.stmts if stmt_reads(s, name)]

    def expand(self, e: Expr | None) -> _Expanded:
        """Substitute the maps that depend on reductions; collect their filters."""
        if e is None:
            return _Expanded(None, [], [])  # type: ignore[arg-type]
        filters: list[Expr] = []
        absorbed: list[str] = []

        def go(node: Expr) -> Expr | None:
            if not (isinstance(node, Access) and node.tensor in self.see_through):
                return None
            s = self.stmt[node.tensor]
            sub = dict(zip(s.ranks, node.indices, strict=True))
            where = self.expand(substitute(s.where, sub) if s.where is not None else None)
            value = self.expand(substitute(stored_value(s, self.info), sub))
            filters.extend([*where.filters, *conjuncts(where.expr), *value.filters])
            absorbed.extend([s.out, *where.absorbed, *value.absorbed])
            return value.expr

        return _Expanded(map_expr(e, go), filters, absorbed)

    def filters(self, s: Stmt, value: _Expanded) -> list[Expr]:
        """Every conjunct that filters ``s``'s points: its own (expanded) and its maps'."""
        where = self.expand(s.where)
        return [*where.filters, *conjuncts(where.expr), *value.filters]

    def is_float_div(self, s: Stmt):
        return lambda d: self.info.expr_dtype(d, s).is_float

    def plain(self, name: str) -> bool:
        """Stored without rounding: the path's intermediates must be exact (f32)."""
        return self.info.tensors[name].dtype is DType.F32


# ----------------------------------------------------------------------------- patterns


def _weight(e: Expr, mx: Access) -> Expr | None:
    """``exp(X - MX[R])`` → ``X``; ``None`` for anything else."""
    if isinstance(e, Call) and e.fn is Fn.EXP:
        arg = e.args[0]
        if isinstance(arg, Binary) and arg.op is BinaryOp.SUB and arg.rhs == mx:
            return arg.lhs
    return None


def _lse(e: Expr, mx: Access, l: Access) -> bool:
    """``MX[R] + log(L[R])`` (either order)."""
    log_l = Call(Fn.LOG, (l,))
    return isinstance(e, Binary) and e.op is BinaryOp.ADD and {e.lhs, e.rhs} == {mx, log_l}


def _subset(a: list[Expr], b: list[Expr]) -> bool:
    return all(x in b for x in a)


# ----------------------------------------------------------------------------- matching


def match_attention(program: Program) -> list[AttentionMatch]:
    """Every softmax attention in ``program``, in the order of their outputs (module docs).

    >>> from attncc import variants
    >>> (m,) = match_attention(variants.gqa(causal=True))
    >>> m.rows, m.key, m.value_ranks, str(m.predicate), str(m.value)
    (('b', 'h', 'p'), 'm', ('f',), 'p >= m', 'V[b, h / G, m, f]')
    >>> [(c.name, c.over, [str(f) for f in c.factors]) for c in m.contractions]
    [('S', ('e',), ['Q[b, h, p, e]', 'K[b, h / G, m, e]', 'scale'])]
    """
    ctx = _ProgramIndex(program, validate(program))
    found: list[AttentionMatch] = []
    for s in program.stmts:
        found += _from_max(ctx, s)
    return sorted(found, key=lambda m: ctx.pos[m.output])


def _from_max(ctx: _ProgramIndex, mx: Stmt) -> list[AttentionMatch]:
    if mx.reduce is not ReduceOp.MAX or len(mx.over) != 1 or not ctx.plain(mx.out):
        return []
    rows = mx.ranks
    x = ctx.expand(mx.value)
    mx_acc = identity(mx.out, rows)
    l = _find_sum(ctx, mx, x.expr, mx_acc)
    if l is None:
        return []
    out = []
    for o in ctx.p.stmts:
        m = _from_out(ctx, mx, l, x, o)
        if m is not None:
            out.append(m)
    return out


def _find_sum(ctx: _ProgramIndex, mx: Stmt, logits: Expr, mx_acc: Access) -> Stmt | None:
    # L[R] = sum(k) exp(X - MX[R])
    for s in ctx.p.stmts[ctx.pos[mx.out] + 1 :]:
        if (s.reduce, s.over, s.ranks) != (ReduceOp.SUM, mx.over, mx.ranks) or not ctx.plain(s.out):
            continue
        if _weight(ctx.expand(s.value).expr, mx_acc) == logits:
            return s
    return None


def _from_out(
    ctx: _ProgramIndex, mx: Stmt, l: Stmt, x: _Expanded, o: Stmt
) -> AttentionMatch | None:
    # O[R, F] = sum(k) exp(X - MX[R]) * V / L[R]   (or without / L: unnormalised)
    rows, key = mx.ranks, mx.over[0]
    if o is l or o.reduce is not ReduceOp.SUM or o.over != mx.over or not set(rows) <= set(o.ranks):
        return None
    mx_acc, l_acc = identity(mx.out, rows), identity(l.out, rows)
    z = ctx.expand(o.value)
    num, den = factors(z.expr, ctx.is_float_div(o))
    w = [i for i, f in enumerate(num) if _weight(f, mx_acc) == x.expr]
    if len(w) != 1 or den.count(l_acc) > 1:
        return None
    normalized = l_acc in den
    if normalized:
        den.remove(l_acc)
    value = product([f for i, f in enumerate(num) if i != w[0]], den, Const(1.0))
    vranks = tuple(r for r in o.ranks if r not in rows)
    filters_o = ctx.filters(o, z)
    output, internal = o.out, set(z.absorbed)
    if not normalized:
        div = _find_division(ctx, o, l_acc)
        if div is not None:
            output, normalized = div.out, True
            internal.add(o.out)
            filters_o += ctx.filters(div, ctx.expand(div.value))
    if not ctx.plain(o.out) and output != o.out:
        return None
    path_names = {mx.out, l.out, o.out, output}
    if any(a.tensor in path_names for a in accesses_in(value)):
        return None
    filters_l = ctx.filters(l, ctx.expand(l.value))
    filters_mx = ctx.filters(mx, x)
    contractions, mask = _contractions(ctx, x.expr, rows, key, path_names)
    if contractions is None:
        return None
    # the keys of L and of the contraction are one set, MX's a superset
    if not (
        _subset(filters_mx, mask + filters_l)
        and _subset(filters_o, mask + filters_l)
        and _subset(filters_l, mask + filters_o)
    ):
        return None
    predicate = conjoin([*mask, *filters_l, *filters_o])
    own = path_names | {c.name for c in contractions}
    reads = accesses_in(value) + ([] if predicate is None else accesses_in(predicate))
    if free_ranks(predicate, vranks) or any(a.tensor in own for a in reads):
        return None  # the kernel computes these; the value and the mask cannot read them
    internal |= set(x.absorbed) | set(ctx.expand(l.value).absorbed)
    internal |= {c.name for c in contractions}
    lse = [
        s.out
        for s in ctx.p.stmts
        if s.reduce is None
        and s.ranks == rows
        and s.where is None
        and ctx.plain(s.out)
        and _lse(ctx.expand(s.value).expr, mx_acc, l_acc)
    ]
    stmts, extras = _consumed(ctx, internal, {output, *lse}, mx.out, l.out)
    return AttentionMatch(
        rows=rows,
        key=key,
        value_ranks=vranks,
        out_ranks=ctx.stmt[output].ranks,
        score=x.expr,
        contractions=contractions,
        predicate=predicate,
        value=value,
        output=output,
        normalized=normalized,
        extras=(*extras, *(RowStat(n, "lse") for n in lse)),
        stmts=stmts,
        max=mx.out,
        sum=l.out,
        program=ctx.p,
    )


def _find_division(ctx: _ProgramIndex, n: Stmt, l_acc: Access) -> Stmt | None:
    # N[R, F] = sum(k) E * V;  O[R, F] = N[R, F] / L[R]   ⇒   O is the normalised output
    want = Binary(BinaryOp.DIV, identity(n.out, n.ranks), l_acc)
    for s in ctx.p.stmts[ctx.pos[n.out] + 1 :]:
        if s.reduce is None and s.ranks == n.ranks and ctx.expand(s.value).expr == want:
            return s
    return None


def _contractions(
    ctx: _ProgramIndex, logits: Expr, rows: tuple[str, ...], key: str, path: set[str]
) -> tuple[tuple[Contraction, ...] | None, list[Expr]]:
    """The sums the logits read at their own point, and their filters over ``(R, k)``."""
    space = {*rows, key}
    found: list[Contraction] = []
    mask: list[Expr] = []
    for a in accesses_in(logits):
        if a.tensor in path:
            return None, []
        s = ctx.stmt.get(a.tensor)
        if (
            s is None
            or s.reduce is not ReduceOp.SUM
            or a != identity(s.out, s.ranks)
            or not set(s.ranks) <= space
            or set(s.over) & space
            or not ctx.plain(s.out)
            or any(c.name == s.out for c in found)
        ):
            continue
        value = ctx.expand(s.value)
        if any(r.tensor in ctx.derived for r in accesses_in(value.expr)):
            continue  # a sum over other reductions (LC = sum(n) EC) is a tensor, not a GEMM
        num, den = factors(value.expr, ctx.is_float_div(s))
        parts = [*num, *(Binary(BinaryOp.DIV, Const(1.0), d) for d in den)]
        inner = []
        for c in ctx.filters(s, value):
            (inner if free_ranks(c, s.over) else mask).append(c)
        found.append(Contraction(s.out, s.ranks, s.over, tuple(parts), conjoin(inner)))
    return tuple(found), mask


def _consumed(
    ctx: _ProgramIndex, internal: set[str], produced: set[str], mx: str, l: str
) -> tuple[tuple[str, ...], list[RowStat]]:
    """Statements the kernel replaces, and which of ``MX`` / ``L`` it must also write.

    Produced tensors always go (the kernel writes them); an internal one goes when nothing
    that stays reads it and it is no output; ``MX`` and ``L`` go, and are written when
    something that stays reads them.
    """
    outputs = set(ctx.p.outputs)
    removed = internal | produced | {mx, l}
    changed = True
    while changed:
        changed = False
        for t in sorted(internal & removed):
            if t in outputs or any(r not in removed for r in ctx.readers(t)):
                removed.discard(t)
                changed = True
    extras = [
        RowStat(t, kind)
        for t, kind in ((mx, "max"), (l, "sum"))
        if t in outputs or any(r not in removed for r in ctx.readers(t))
    ]
    return tuple(sorted(removed, key=ctx.pos.__getitem__)), extras
