"""The attention plan: a softmax attention recognised in a program, in roles every fused
lowering shares.

:func:`plan_attention` inlines the program, matches one max → exp → sum → divide →
contraction cascade (:func:`attncc.ir.rewrites.match_attention`) and names its roles:
batch, head, query and key ranks, head dims, the Q input, the K and V expressions (the kv
head replaced by :data:`KV_HEAD`), the score expression (the scaled contraction replaced by
:data:`SCORE`), rank-free scale factors, the mask predicate and its key bands, and the ranks a
build keeps symbolic. Every target's fused lowering prints from this one analysis; whether
it *can* print a given plan is the target's own question.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from typing import Any

from attncc.errors import AttnccError
from attncc.errors import LoweringError
from attncc.ir.bind import eval_scalar
from attncc.ir.exprs import free_ranks
from attncc.ir.exprs import map_expr
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Let
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.ir.nodes import ReduceOp
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import accesses_in
from attncc.ir.nodes import children
from attncc.ir.nodes import names_in
from attncc.ir.rewrites import AttentionMatch
from attncc.ir.rewrites import Contraction
from attncc.ir.rewrites import inline
from attncc.ir.rewrites import match_attention
from attncc.ir.rewrites import match_weighted_sum
from attncc.ir.tiles import Bands
from attncc.ir.tiles import key_bands
from attncc.ir.validate import ProgramInfo
from attncc.ir.validate import validate

__all__ = [
    "HALF_OR_F32",
    "KV_HEAD",
    "KV_HEADS",
    "Q_VALUE",
    "SCORE",
    "FusedPlan",
    "fixed_lets",
    "plan_attention",
    "product",
    "ranks_of",
    "require_plain",
]

#: Placeholder names no program can use: the scaled score in score expressions, and the
#: kernel's kv head in K / V index expressions.
SCORE, KV_HEAD = "$s", "$g"
#: A Q element in a feature map of Q (``elu(Q) + 1`` in linear attention).
Q_VALUE = "$q"
#: The dtypes Q may have and O may be stored in (f16 / bf16: converted on load, rounded on
#: the final store; the kernel computes in float32).
HALF_OR_F32 = (DType.F32, DType.F16, DType.BF16)

#: What a K / V index may be in the kv-head dimension: the kv head, or 0 (MQA).
KV_HEADS = (Name(KV_HEAD), Const(0))


@dataclass(frozen=True)
class FusedPlan:
    """A softmax attention a flash kernel computes exactly (module docstring).

    Roles are rank names; ``q`` the Q input; ``head_index`` the kv-head index ``X`` over
    ``head`` (``None``: K and V do not depend on the head); ``k_expr`` / ``v_expr`` K and V
    with ``X`` replaced by ``$g``; ``score`` the logits with ``$s`` for the contraction;
    ``scale`` the contraction's rank-free factors; ``symbolic`` the ranks a build keeps
    symbolic.
    """

    program: Program = field(repr=False)
    match: AttentionMatch = field(repr=False)
    info: ProgramInfo = field(repr=False, compare=False)
    batch: str
    head: str
    query: str
    key: str
    qk_dim: str
    v_dim: str
    q: str
    head_index: Expr | None
    k_expr: Expr
    v_expr: Expr
    score: Expr
    scale: tuple[Expr, ...]
    predicate: Expr | None
    bands: Bands = field(repr=False)
    symbolic: tuple[str, ...]
    lse: str | None = None  # an output ``LSE[batch, head, query] = MX + log(L)``, f32
    #: statements over inputs alone that the mask, score or loads read (tree ancestors,
    #: in-program document ids), in program order: the kernel computes them first
    helpers: tuple[Stmt, ...] = field(default=(), repr=False)
    #: no softmax: ``O = sum(key) weight * V`` with ``weight`` over ``$s`` (the score
    #: expression's value) -- sigmoid attention; ``None``: a softmax
    weight: Expr | None = None
    #: further QK contractions the score adds to the first (MLA: the RoPE part), each as
    #: ``(Q input, its contracted rank, K expression with $g)``: the kernel contracts Q and
    #: K concatenated along the head dim, this part after the first
    qk_parts: tuple[tuple[str, str, Expr], ...] = ()
    #: K or V read at rows that depend on the query (a top-k gather): the kernel's tiles
    #: hold one query each
    kv_by_query: bool = False
    #: Q enters the contraction through an elementwise map (``$q`` for the element):
    #: applied as the kernel copies its Q tile
    q_map: Expr | None = None

    @property
    def output(self) -> str:
        return self.match.output

    @property
    def q_dtype(self) -> DType:
        return self.info.tensors[self.q].dtype

    @property
    def out_dtype(self) -> DType:
        return self.info.tensors[self.output].dtype


def require_plain(p: FusedPlan, target: str) -> None:
    """A :class:`~attncc.errors.LoweringError` (the generic lowering serves) for a target
    whose fused kernel computes one softmax over one QK contraction of inputs, reading Q
    and writing one O in float32: what only the CPU kernel adds is refused (half Q / O, a
    log-sum-exp output, helper statements, weighted sums without softmax, QK parts, K / V
    rows chosen per query)."""
    if p.q_dtype is not DType.F32 or p.out_dtype is not DType.F32:
        raise LoweringError(
            f"the fused {target} kernel reads Q and writes O in f32; {p.q}: {p.q_dtype}, "
            f"{p.output}: {p.out_dtype}"
        )
    if p.lse is not None:
        raise LoweringError(f"the fused {target} kernel writes no log-sum-exp ({p.lse})")
    if p.helpers:
        names = ", ".join(s.out for s in p.helpers)
        raise LoweringError(f"the fused {target} kernel computes no helper statements ({names})")
    if p.weight is not None:
        raise LoweringError(f"the fused {target} kernel computes a softmax, not {p.weight}")
    if p.qk_parts:
        parts = ", ".join(q for q, _, _ in p.qk_parts)
        raise LoweringError(f"the fused {target} kernel contracts one Q ({p.q}), not {parts}")
    if p.kv_by_query:
        raise LoweringError(f"the fused {target} kernel reads no K / V rows chosen per query")
    if p.q_map is not None:
        raise LoweringError(f"the fused {target} kernel reads Q as it is, not {p.q_map}")


def fixed_lets(p: FusedPlan, extents: Mapping[str, int | None]) -> dict[str, Any]:
    """Lets whose value the fixed extents decide (a generator prints them as literals)."""
    env: dict[str, Any] = {r: n for r, n in extents.items() if n is not None}
    out: dict[str, Any] = {}
    for d in p.info.program.decls:
        if isinstance(d, Let):
            try:
                v = eval_scalar(d.value, env)
            except (AttnccError, ArithmeticError, ValueError):
                continue
            kind = p.info.scalars[d.name]
            v = bool(v) if kind is DType.BOOL else int(v) if kind.is_int else float(v)
            out[d.name] = env[d.name] = v
    return out


@functools.lru_cache(maxsize=256)
def _analysed(program: Program) -> FusedPlan | None:
    """:func:`plan_attention` by value: equal programs share one analysis."""
    return _plan(program)


def plan_attention(program: Program) -> FusedPlan | None:
    """The attention plan of ``program``, or ``None`` when no single-pass softmax
    attention over inputs was recognised (a target may still refuse a plan it cannot print).
    """
    found = _analysed(program)
    return found if found is None or found.program is program else replace(found, program=program)


def _plan(program: Program) -> FusedPlan | None:
    validate(program)
    inlined = inline(program)
    info = validate(inlined)
    matches = match_attention(inlined) or match_weighted_sum(inlined)
    if len(matches) != 1:
        return None
    m = matches[0]
    lse = [x.name for x in m.extras if x.kind == "lse"]
    if (
        len(lse) != len(m.extras)
        or len(lse) > 1
        or set(program.outputs) != {m.output, *lse}
        or len(program.outputs) != 1 + len(lse)
        or not (m.normalized or m.weight is not None)
        or len(m.rows) != 3
        or len(m.value_ranks) != 1
        or info.tensors[m.output].dtype not in HALF_OR_F32
    ):
        return None
    # the QK contractions over every row rank and the key (MLA: two, added in the score);
    # a sum the score reads over fewer ranks (``CNT[b, m] = sum(j) ...``) is a helper
    qk = [x for x in m.contractions if set(x.out_ranks) == {*m.rows, m.key}]
    inputs = {d.name: d for d in inlined.inputs}
    parts = [_qk_part(x, inputs, m.rows, info) for x in qk]
    if not parts or any(x is None for x in parts):
        return None
    c = qk[0]
    (q, e, k_side, scale, mods, q_map), *more = parts
    batch, head, query, _ = q.ranks
    if any(
        x[0].ranks[:3] != q.ranks[:3]
        or x[4]
        or x[5] is not None
        or sorted(map(str, x[3])) != sorted(map(str, scale))
        for x in more
    ):
        return None  # the parts share Q's layout and scale; no per-part factor or Q map
    if more:
        score_in = _merge_parts(m.score, [_access(x) for x in qk])
        if score_in is None:
            return None  # the score reads the parts other than summed
        m = replace(m, score=score_in)
    k_expr = product(k_side)
    v_dim = m.value_ranks[0]
    if m.out_ranks != (batch, head, query, v_dim):
        return None
    if lse and (info.tensors[lse[0]].dtype is not DType.F32 or m.rows != (batch, head, query)):
        return None  # the kernel writes LSE[batch, head, query] in f32

    # the kv head: one index expression over the head rank, shared by K and V
    k_more = [product(x[2]) for x in more]
    head_index = _head_index(info, head, [k_expr, m.value, *k_more])
    if head_index is False:
        return None
    k_expr, v_expr = (_put_kv_head(x, head, head_index) for x in (k_expr, m.value))
    qk_parts = tuple(
        (x[0].name, x[1], _put_kv_head(k, head, head_index))
        for x, k in zip(more, k_more, strict=True)
    )
    if any(not _over(k, info, {batch, m.key, r, KV_HEAD}) for _, r, k in qk_parts):
        return None
    for f in list(mods):  # per-key factors (a dequantisation scale) join K in its pre-pass
        kf = _put_kv_head(f, head, head_index)
        if m.key in free_ranks(f, [m.key]) and _over(kf, info, {batch, m.key, KV_HEAD}):
            k_expr, mods = Binary(BinaryOp.MUL, k_expr, kf), [x for x in mods if x is not f]
    # K / V rows may be chosen per query (top-k: ``K[b, g, IDX[b, p, k], e]``)
    if not _over(k_expr, info, {batch, query, m.key, e, KV_HEAD}) or not _over(
        v_expr, info, {batch, query, m.key, v_dim, KV_HEAD}
    ):
        return None
    kv_by_query = any(query in free_ranks(x, [query]) for x in (k_expr, v_expr))

    contraction = _access(c)
    s = product([Name(SCORE), *mods])
    score = map_expr(m.score, lambda n: s if n == contraction else None)
    weight = None
    if m.weight is not None:
        weight = map_expr(m.weight, lambda n: Name(SCORE) if n == contraction else None)
        if contraction in accesses_in(weight):
            return None
    everything = [score, k_expr, v_expr, *scale] + ([m.predicate] if m.predicate else [])
    everything += [k for _, _, k in qk_parts]
    everything += [weight] if weight is not None else []
    own = set(m.stmts) - {x.name for x in m.contractions if x not in qk}
    helpers = _helpers(inlined, set(inputs), own | set(m.produced), everything)
    if helpers is None:
        return None  # the kernel reads inputs and helpers only (not another reduction's)
    bands = key_bands(m.predicate, query, m.key, info=info)
    fixed = {batch, head, e, v_dim, *(r for _, r, _ in qk_parts)} | ranks_of(info, head_index)
    fixed |= {r for s in helpers for r in s.over}  # a build knows each helper sum's length
    loads = [k_expr, v_expr, *(k for _, _, k in qk_parts)]
    for name in {n for x in loads for n in names_in(x)}:  # a page size: constant divisors
        if name in info.scalars and not ranks_of(info, Name(name)) & {query, m.key}:
            fixed |= ranks_of(info, Name(name))
    for a in [a for x in loads for a in accesses_in(x)]:  # kv-head dims: K / V buffer shapes
        fixed |= {
            r for i, r in zip(a.indices, inputs[a.tensor].ranks, strict=True) if i in KV_HEADS
        }
    symbolic = tuple(r for r in info.ranks if r not in fixed)
    if query not in symbolic or m.key not in symbolic:
        return None
    return FusedPlan(
        program, m, info, batch, head, query, m.key, e, v_dim, q.name, head_index,
        k_expr, v_expr, score, scale, m.predicate, bands, symbolic, lse[0] if lse else None,
        helpers, weight, qk_parts, kv_by_query, q_map,
    )  # fmt: skip


def _access(c: Contraction) -> Access:
    """How the score reads contraction ``c``."""
    return Access(c.name, tuple(Name(r) for r in c.out_ranks))


def _qk_part(c: Contraction, inputs: Mapping[str, Any], rows: tuple[str, ...], info: ProgramInfo):
    """``(Q input, contracted rank, K factors, rank-free scale factors, other factors)`` of a
    QK contraction, or ``None``: one rank contracted, no filter over it, one Q factor (a
    4-d input over the row ranks and the contracted one), some factor over the rank (K)."""
    if c.where is not None or len(c.over) != 1:
        return None
    (e,) = c.over

    def q_of(f: Expr) -> tuple[Access, Expr | None] | None:
        """The Q access of factor ``f`` and the map around it (``None``: Q as it is)."""
        found = accesses_in(f)
        a = found[0] if found else None
        d = inputs.get(a.tensor) if a is not None else None
        if (
            d is None
            or any(x != a for x in found)
            or d.dtype not in HALF_OR_F32
            or len(d.ranks) != 4
            or a.indices != tuple(Name(r) for r in d.ranks)
            or d.ranks[3] != e
            or set(d.ranks[:3]) != set(rows)
        ):
            return None
        if f == a:
            return a, None
        q_map = map_expr(f, lambda n: Name(Q_VALUE) if n == a else None)
        return (a, q_map) if not free_ranks(q_map, info.ranks) else None

    qs = [(f, q) for f in c.factors if (q := q_of(f)) is not None]
    if len(qs) != 1:
        return None
    q_factor, (q_access, q_map) = qs[0]
    others = [f for f in c.factors if f is not q_factor]
    k_side = [f for f in others if e in free_ranks(f, [e])]
    rest = [f for f in others if f not in k_side]
    scale = tuple(f for f in rest if not free_ranks(f, info.ranks))
    if not k_side:
        return None
    mods = [f for f in rest if f not in scale]
    return inputs[q_access.tensor], e, k_side, scale, mods, q_map


def _merge_parts(score: Expr, parts: list[Access]) -> Expr | None:
    """``score`` with the sum of every part (any order, one ``+`` tree) read as the first
    part alone -- the kernel's concatenated contraction; ``None`` if it reads them else."""
    want = sorted(map(str, parts))

    def leaves(x: Expr) -> list[Expr]:
        if isinstance(x, Binary) and x.op is BinaryOp.ADD:
            return leaves(x.lhs) + leaves(x.rhs)
        return [x]

    def merge(x: Expr) -> Expr | None:
        if isinstance(x, Binary) and x.op is BinaryOp.ADD and sorted(map(str, leaves(x))) == want:
            return parts[0]
        return None

    merged = map_expr(score, merge)
    left = [a for a in accesses_in(merged) if a in parts[1:]]
    return None if left or merged == score else merged


def _helpers(
    program: Program, inputs: set[str], own: set[str], exprs: list[Expr]
) -> tuple[Stmt, ...] | None:
    """The statements the kernel's expressions read, directly or through each other, that
    read inputs alone: maps without a filter, and sums without one (a sum's length is fixed
    per build, so an empty sum -- absent in the reference -- never reaches a kernel). ``None``
    when they read anything else (``own``: what the kernel computes; a filtered map)."""
    stmts = {s.out: s for s in program.stmts}
    todo = [a.tensor for x in exprs for a in accesses_in(x)]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in inputs or name in seen:
            continue
        s = stmts.get(name)
        if s is None or name in own or s.where is not None:
            return None
        if s.reduce not in (None, ReduceOp.SUM):
            return None
        seen.add(name)
        todo += [a.tensor for a in accesses_in(s.value)]
    return tuple(s for s in program.stmts if s.out in seen)


def product(items: list[Expr]) -> Expr:
    """``items[0] * items[1] * ...`` (left to right)."""
    out = items[0]
    for x in items[1:]:
        out = Binary(BinaryOp.MUL, out, x)
    return out


def _over(e: Expr, info: ProgramInfo, allowed: set[str]) -> bool:
    return free_ranks(e, [*info.ranks, KV_HEAD]) <= allowed


def _head_index(info: ProgramInfo, head: str, exprs: list[Expr]) -> Expr | bool | None:
    """The one maximal integer sub-expression over ``head`` alone (and scalars, no tensor
    reads) through which the expressions read the head: ``h / G`` in ``K[b, h / G, m, e]``;
    ``None`` when they do not read the head, ``False`` when they read it in two ways."""
    found: set[Expr] = set()
    ranks = set(info.ranks)

    def visit(x: Expr) -> None:
        used = free_ranks(x, ranks)
        if used == {head} and not accesses_in(x) and info.expr_dtype(x).is_int:
            found.add(x)
        else:
            for ch in children(x):
                visit(ch)

    for x in exprs:
        visit(x)
    return False if len(found) > 1 else next(iter(found), None)


def _put_kv_head(x: Expr, head: str, index: Expr | None) -> Expr:
    if index is None:
        return x
    return map_expr(x, lambda n: Name(KV_HEAD) if n == index else None)


def ranks_of(info: ProgramInfo, e: Expr | None) -> set[str]:
    """Ranks whose extents the value of ``e`` depends on (through lets), besides indices."""
    if e is None:
        return set()
    lets = {d.name: d.value for d in info.program.decls if isinstance(d, Let)}
    out: set[str] = set()
    todo = list(names_in(e))
    seen: set[str] = set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        if n in lets:
            todo += names_in(lets[n])
        elif n in info.ranks:
            out.add(n)
    return out
