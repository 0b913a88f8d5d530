"""Building blocks shared by the variants: head mapping, scores, the softmax tail, states.

Every variant is a few declarations plus one or two of these blocks, so that a cascade
(``MX → E → L → O``, or a ``merge_state``) is written once and reads the same in every
program. Declarations follow one order in every variant: inputs, params, lets, ranks.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass

from attncc.errors import ArgumentError
from attncc.ir.builder import ProgramBuilder
from attncc.ir.builder import TensorRef
from attncc.ir.builder import exp
from attncc.ir.builder import log
from attncc.ir.builder import maximum
from attncc.ir.builder import sqrt
from attncc.ir.nodes import Const
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program

# The rank legend of the package docstring, as expression nodes.
b, h, g, p, m, e, f = (Name(r) for r in ("b", "h", "g", "p", "m", "e", "f"))

HEADS = ("mha", "gqa", "mqa")


def check_choice(what: str, value: object, choices: Sequence[object]) -> None:
    if value not in choices:
        expected = ", ".join(repr(c) for c in choices)
        raise ArgumentError(f"{what} must be one of {expected}, got {value!r}")


def check_positive(what: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ArgumentError(f"{what} must be a positive integer, got {value!r}")


def join_name(*parts: str) -> str:
    """``join_name("gqa", "", "causal") == "gqa_causal"``: program names from their options."""
    return "_".join(part for part in parts if part)


def heads_suffix(heads: str) -> str:
    """The name part for a head mapping: empty for the usual GQA, else ``mha`` / ``mqa``."""
    return "" if heads == "gqa" else heads


CAUSAL_DOC = "Mask: key m is visible to query p when m <= p."
OFFSET_CAUSAL_DOC = (
    "Mask: key m is visible to query p when m <= p + OFF, OFF = m - p (the queries are the"
    " newest p tokens)."
)
OFFSET_DOC = (
    "Query p sits at key position p + OFF with OFF = m - p (the last query is the last key)."
)


def doc(*lines: str, width: int = 92) -> str:
    """A program's doc: each line wrapped to ``width``, continuations indented by two.

    A bracketed shape (``Q[b, h, p, e]``) is never split across lines.
    """
    out: list[str] = []
    for line in lines:
        glued = re.sub(r"\[[^\]]*\]", lambda mt: mt.group().replace(" ", "\0"), line)
        wrapped = textwrap.wrap(glued, width, subsequent_indent="  ", break_on_hyphens=False)
        out += [w.replace("\0", " ") for w in wrapped] or [""]
    return "\n".join(out)


# ------------------------------------------------------------------------ head mapping


@dataclass(frozen=True, slots=True)
class HeadMap:
    """How query head ``h`` finds its key/value head: ``h`` (MHA), ``h / G`` (GQA), ``0`` (MQA).

    ``rank`` is the rank name of the key/value head dimension in input declarations: ``h``
    for MHA (one KV head per query head, so the shapes must agree), else ``g``.
    """

    kind: str

    @staticmethod
    def of(heads: str) -> HeadMap:
        check_choice("heads", heads, HEADS)
        return HeadMap(heads)

    @property
    def rank(self) -> str:
        return "h" if self.kind == "mha" else "g"

    def bind(self, pb: ProgramBuilder) -> Expr:
        """Declare what the mapping needs (``let G = h / g``); return the KV head index."""
        if self.kind == "gqa":
            return h / pb.let("G", h / g)
        if self.kind == "mqa":
            return Const(0)
        return h

    @property
    def doc(self) -> str:
        return {
            "mha": "Heads: MHA, one key/value head per query head (K and V have h heads).",
            "gqa": "Heads: GQA, query head h reads key/value head h / G with G = h / g.",
            "mqa": "Heads: MQA, every query head reads key/value head 0 (g must be 1).",
        }[self.kind]


def dense_inputs(pb: ProgramBuilder, heads: HeadMap) -> tuple[TensorRef, TensorRef, TensorRef]:
    """``Q[b, h, p, e]``, ``K[b, g, m, e]``, ``V[b, g, m, f]`` (``h`` for ``g`` under MHA)."""
    kv = heads.rank
    return (
        pb.input("Q", "b h p e"),
        pb.input("K", f"b {kv} m e"),
        pb.input("V", f"b {kv} m f"),
    )


def dense_begin(
    name: str, heads: str, summary: str, *lines: str
) -> tuple[ProgramBuilder, HeadMap, tuple[TensorRef, TensorRef, TensorRef]]:
    """Start a dense-attention program: its doc, and the inputs ``Q``, ``K``, ``V``.

    The doc is ``summary``, the head mapping, the Q/K/V shapes and then ``lines`` (extra
    inputs, params, the mask).
    """
    hm = HeadMap.of(heads)
    kv = hm.rank
    pb = ProgramBuilder(
        name,
        doc(
            summary,
            hm.doc,
            f"Inputs: Q[b, h, p, e], K[b, {kv}, m, e], V[b, {kv}, m, f]. Output: O[b, h, p, f].",
            *lines,
        ),
    )
    return pb, hm, dense_inputs(pb, hm)


def dense_finish(
    pb: ProgramBuilder,
    qkv: tuple[TensorRef, TensorRef, TensorRef],
    kv: Expr,
    scale: Expr,
    *,
    mod: Callable[[Expr], Expr] | None = None,
    where: Expr | None = None,
) -> Program:
    """Append scores, the optional score ``mod``, the filter and the softmax tail; build."""
    Q, K, V = qkv
    sm = softmax_attention(
        pb, Q[b, h, p, e] * K[b, kv, m, e] * scale, V[b, kv, m, f], mod=mod, where=where
    )
    pb.output(sm.o)
    return pb.build()


def scale_let(pb: ProgramBuilder, dim: Name = e) -> Name:
    """``let scale = 1 / sqrt(e)``: the usual softmax scale."""
    return pb.let("scale", 1 / sqrt(dim))


def query_position(pb: ProgramBuilder, offset: bool) -> Expr:
    """Where query ``p`` sits among the keys: ``p``, or ``p + OFF`` with ``let OFF = m - p``.

    The offset form aligns the last query with the last key (chunked prefill and decode:
    the queries are the newest ``p`` of ``m`` tokens).
    """
    if not offset:
        return p
    return p + pb.let("OFF", m - p)


# ------------------------------------------------------------------------------ softmax


@dataclass(frozen=True, slots=True)
class Softmax:
    """The tensors of a softmax tail: row max, exponentials, row sum, output."""

    mx: TensorRef
    e: TensorRef
    l: TensorRef
    o: TensorRef


def logits(
    pb: ProgramBuilder,
    score: Expr,
    ranks: Sequence[Name],
    over: Sequence[Name],
    *,
    mod: Callable[[Expr], Expr] | None = None,
    where: Expr | None = None,
    tag: str = "",
) -> TensorRef:
    """``S = sum(over) score``; with ``mod``, also ``T = mod(S)``. The filter goes on the last.

    The filter sits on the statement that makes the logits, so that a masked element is
    absent from the start of the cascade (and a tile analysis sees the mask in one place).
    """
    if mod is None:
        return pb.sum(f"S{tag}", ranks, score, over=over, where=where)
    s = pb.sum(f"S{tag}", ranks, score, over=over)
    return pb.stmt(f"T{tag}", ranks, mod(s[tuple(ranks)]), where=where)


def softmax_tail(
    pb: ProgramBuilder,
    logit: TensorRef,
    rows: Sequence[Name],
    key: Name,
    value: Expr,
    out: Name,
    *,
    guard: Expr | None = None,
    tag: str = "",
) -> Softmax:
    """The 3-pass softmax over ``key`` and its contraction with ``value``.

    ``MX = max(key) T``, ``E = exp(T - MX)``, ``L = sum(key) E``,
    ``O[rows, out] = sum(key) E * value / L``. ``value`` is an expression over ``rows``,
    ``key`` and ``out`` (``V[b, h / G, m, f]``). A row whose every logit is absent gives an
    absent ``O`` row, which reads as 0.

    ``guard`` filters the ``O`` contraction where ``value`` would read outside its tensor
    at points whose logits are absent anyway (a ragged last chunk, padding indices, page
    table entries past a sequence): it changes no value, and it tells bounds checks and
    backends that those reads never happen.
    """
    rows = tuple(rows)
    rk = (*rows, key)
    mx = pb.max(f"MX{tag}", rows, logit[rk], over=[key])
    ex = pb.stmt(f"E{tag}", rk, exp(logit[rk] - mx[rows]))
    sm = pb.sum(f"L{tag}", rows, ex[rk], over=[key])
    o = pb.sum(f"O{tag}", (*rows, out), ex[rk] * value / sm[rows], over=[key], where=guard)
    return Softmax(mx, ex, sm, o)


def softmax_attention(
    pb: ProgramBuilder,
    score: Expr,
    value: Expr,
    *,
    mod: Callable[[Expr], Expr] | None = None,
    where: Expr | None = None,
    rows: Sequence[Name] = (b, h, p),
    key: Name = m,
    out: Name = f,
    over: Sequence[Name] = (e,),
    guard: Expr | None = None,
    tag: str = "",
) -> Softmax:
    """:func:`logits` then :func:`softmax_tail`: the whole of a softmax attention."""
    rows = tuple(rows)
    t = logits(pb, score, (*rows, key), over, mod=mod, where=where, tag=tag)
    return softmax_tail(pb, t, rows, key, value, out, guard=guard, tag=tag)


# ------------------------------------------------------------------------ partial states


@dataclass(frozen=True, slots=True)
class State:
    """An attention state as FlashInfer keeps it: normalised output and log-sum-exp."""

    o: TensorRef
    lse: TensorRef


def partial_state(
    pb: ProgramBuilder,
    score: Expr,
    value: Expr,
    *,
    rows: Sequence[Name],
    key: Name,
    out: Name = f,
    over: Sequence[Name] = (e,),
    where: Expr | None = None,
    guard: Expr | None = None,
    tag: str,
) -> State:
    """Softmax attention over part of the keys, kept as a state ``(O, LSE = MX + log L)``."""
    sm = softmax_attention(
        pb,
        score,
        value,
        where=where,
        rows=rows,
        key=key,
        out=out,
        over=over,
        guard=guard,
        tag=tag,
    )
    rows = tuple(rows)
    lse = pb.stmt(f"LSE{tag}", rows, sm.mx[rows] + log(sm.l[rows]))
    return State(sm.o, lse)


def merge_states(
    pb: ProgramBuilder, state: State, rows: Sequence[Name], over: Name, out: Name = f
) -> State:
    """Merge the states along rank ``over`` (FlashInfer ``merge_states``), LSE-stabilised.

    ``LM = max(c) LSE_c``, ``W_c = exp(LSE_c - LM)``, ``WS = sum(c) W_c``,
    ``O = sum(c) W_c * O_c / WS``, ``LSE = LM + log(WS)``. An absent state (a chunk whose
    keys are all masked) is skipped by the reductions.
    """
    rows = tuple(rows)
    rc = (*rows, over)
    lm = pb.max("LM", rows, state.lse[rc], over=[over])
    w = pb.stmt("W", rc, exp(state.lse[rc] - lm[rows]))
    ws = pb.sum("WS", rows, w[rc], over=[over])
    o = pb.sum("O", (*rows, out), w[rc] * state.o[(*rc, out)] / ws[rows], over=[over])
    lse = pb.stmt("LSE", rows, lm[rows] + log(ws[rows]))
    return State(o, lse)


def merge_pair(
    pb: ProgramBuilder, a: State, b_: State, rows: Sequence[Name], out: Name = f
) -> State:
    """Merge two states elementwise (FlashInfer ``merge_state``), LSE-stabilised.

    ``MM = max(LSE_a, LSE_b)``, ``W_x = exp(LSE_x - MM)``,
    ``O = (O_a * W_a + O_b * W_b) / (W_a + W_b)``, ``LSE = MM + log(W_a + W_b)``. Both
    states must be present: a map reading an absent element is absent.
    """
    rows = tuple(rows)
    ro = (*rows, out)
    mm = pb.stmt("MM", rows, maximum(a.lse[rows], b_.lse[rows]))
    wa = pb.stmt("WA", rows, exp(a.lse[rows] - mm[rows]))
    wb = pb.stmt("WB", rows, exp(b_.lse[rows] - mm[rows]))
    o = pb.stmt("O", ro, (a.o[ro] * wa[rows] + b_.o[ro] * wb[rows]) / (wa[rows] + wb[rows]))
    lse = pb.stmt("LSE", rows, mm[rows] + log(wa[rows] + wb[rows]))
    return State(o, lse)
