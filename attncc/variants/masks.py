"""Masks as filters: decode-aligned causal, windows, sinks, prefix-LM, documents, trees.

Every mask here is the ``where`` of the score statement; a masked element is absent, and a
query row with no visible key gives an output row of exactly 0.
"""

from __future__ import annotations

from attncc.ir.builder import maximum
from attncc.ir.builder import select
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.variants._blocks import OFFSET_DOC
from attncc.variants._blocks import b
from attncc.variants._blocks import check_positive
from attncc.variants._blocks import dense_begin
from attncc.variants._blocks import dense_finish
from attncc.variants._blocks import heads_suffix
from attncc.variants._blocks import join_name
from attncc.variants._blocks import m
from attncc.variants._blocks import p
from attncc.variants._blocks import query_position
from attncc.variants._blocks import scale_let

__all__ = [
    "causal_offset",
    "document",
    "prefix_lm",
    "sinks_window",
    "sliding_window",
    "tree_mask",
    "tree_parent",
]


def causal_offset(*, heads: str = "gqa") -> Program:
    """Causal attention for chunked prefill and decode: query ``i`` is token ``i + m - p``.

    The ``p`` queries are the newest ``p`` of the ``m`` keys (bottom-right aligned). With
    ``p > m`` the first ``p - m`` queries see no key and give 0.
    """
    pb, hm, qkv = dense_begin(
        join_name("causal_offset", heads_suffix(heads)),
        heads,
        "Causal attention with a query offset (chunked prefill / decode).",
        OFFSET_DOC,
        "Mask: key m is visible to query p when m <= p + OFF.",
    )
    kv = hm.bind(pb)
    scale = scale_let(pb)
    q = query_position(pb, True)
    return dense_finish(pb, qkv, kv, scale, where=m <= q)


def sliding_window(*, heads: str = "gqa", window: int = 256, offset: bool = False) -> Program:
    """Causal sliding-window attention: query ``p`` sees the ``W`` keys ending at itself."""
    check_positive("window", window)
    pb, hm, qkv = dense_begin(
        join_name("sliding_window", heads_suffix(heads), "offset" if offset else ""),
        heads,
        "Causal sliding-window attention (Mistral / Longformer local attention).",
        "Param W: the window, in keys (the query's own key included).",
        *([OFFSET_DOC] if offset else []),
        f"Mask: key m is visible to query p when {'p + OFF' if offset else 'p'} - W < m"
        f" <= {'p + OFF' if offset else 'p'}.",
    )
    W = pb.param("W", "i32", window)
    kv = hm.bind(pb)
    scale = scale_let(pb)
    q = query_position(pb, offset)
    return dense_finish(pb, qkv, kv, scale, where=(q >= m) & (q - m < W))


def sinks_window(
    *, heads: str = "gqa", sinks: int = 4, window: int = 256, offset: bool = False
) -> Program:
    """StreamingLLM: the first ``SINKS`` keys stay visible, plus a causal window of ``W``."""
    check_positive("sinks", sinks)
    check_positive("window", window)
    pos = "p + OFF" if offset else "p"
    pb, hm, qkv = dense_begin(
        join_name("sinks_window", heads_suffix(heads), "offset" if offset else ""),
        heads,
        "Attention sinks + sliding window (StreamingLLM).",
        "Params: SINKS, the number of leading keys every query sees; W, the window.",
        *([OFFSET_DOC] if offset else []),
        f"Mask: key m is visible to query p when m <= {pos} and (m < SINKS or {pos} - m < W).",
    )
    S = pb.param("SINKS", "i32", sinks)
    W = pb.param("W", "i32", window)
    kv = hm.bind(pb)
    scale = scale_let(pb)
    q = query_position(pb, offset)
    return dense_finish(pb, qkv, kv, scale, where=(q >= m) & ((m < S) | (q - m < W)))


def prefix_lm(*, heads: str = "gqa", prefix: int = 64) -> Program:
    """Prefix-LM: bidirectional over the first ``P_LEN`` tokens, causal after them."""
    check_positive("prefix", prefix)
    pb, hm, qkv = dense_begin(
        join_name("prefix_lm", heads_suffix(heads)),
        heads,
        "Prefix-LM attention (T5 / UniLM / PaliGemma): a bidirectional prefix, then causal.",
        "Param P_LEN: the prefix length. Queries and keys index the same sequence.",
        "Mask: key m is visible to query p when m < P_LEN or m <= p.",
    )
    P_LEN = pb.param("P_LEN", "i32", prefix)
    kv = hm.bind(pb)
    scale = scale_let(pb)
    return dense_finish(pb, qkv, kv, scale, where=(m < P_LEN) | (m <= p))


def document(*, heads: str = "gqa", causal: bool = False) -> Program:
    """Block-diagonal (document / varlen) mask from integer segment ids of queries and keys.

    With ``causal``, keys and queries are one packed token stream and the queries are its
    last ``p`` tokens (``OFF = m - p``; ``p == m`` for a whole packed batch), each seeing
    the earlier tokens of its own document.
    """
    pb, hm, qkv = dense_begin(
        join_name("document", heads_suffix(heads), "causal" if causal else ""),
        heads,
        "Document (varlen, packed-sequence) attention: a block-diagonal mask from segment ids.",
        "Inputs SQ[b, p], SK[b, m] (i32): the document id of each query and each key.",
        *([OFFSET_DOC] if causal else []),
        "Mask: key m is visible to query p when SQ[b, p] == SK[b, m]"
        + (" and m <= p + OFF (causal within documents)." if causal else "."),
    )
    SQ = pb.input("SQ", "b p", "i32")
    SK = pb.input("SK", "b m", "i32")
    kv = hm.bind(pb)
    scale = scale_let(pb)
    where = SQ[b, p].eq(SK[b, m])
    if causal:
        where = where & (m <= query_position(pb, True))
    return dense_finish(pb, qkv, kv, scale, where=where)


def tree_mask(*, heads: str = "gqa") -> Program:
    """Speculative-decoding verification with a tree mask given as a boolean input."""
    pb, hm, qkv = dense_begin(
        join_name("tree_mask", heads_suffix(heads)),
        heads,
        "Tree attention for speculative-decoding verification, from a boolean tree mask.",
        "The last t keys are the t draft-tree tokens; the first OFF = m - t keys are the",
        "committed prefix, visible to every query. The queries are tree tokens (usually p = t).",
        "Input MASK[b, p, t] (bool): tree token t is visible to query p"
        " (its ancestors and itself).",
        "Mask: key m is visible to query p when m < OFF or MASK[b, p, m - OFF].",
    )
    MASK = pb.input("MASK", "b p t", "bool")
    kv = hm.bind(pb)
    scale = scale_let(pb)
    OFF = pb.let("OFF", m - Name("t"))
    # max(., 0) keeps the index in range where m < OFF already decides the predicate.
    where = (m < OFF) | MASK[b, p, maximum(m - OFF, 0)]
    return dense_finish(pb, qkv, kv, scale, where=where)


def tree_parent(*, heads: str = "gqa", depth: int = 4) -> Program:
    """Tree attention from a parent array; ancestors found by bounded pointer chasing.

    Root convention: the root's parent is ``-1``. ``PAR`` is the ancestor 1 level up and
    ``A{k+1} = select(Ak < 0, -1, PAR[b, max(Ak, 0)])`` the ancestor ``k + 1`` levels up
    (``-1`` past the root); ``depth`` levels are reached, so ``depth`` must be at least the
    tree's depth.
    """
    check_positive("depth", depth)
    pb, hm, qkv = dense_begin(
        join_name("tree_parent", heads_suffix(heads), f"d{depth}" if depth != 4 else ""),
        heads,
        "Tree attention for speculative-decoding verification, from a parent array.",
        "The queries are the p draft-tree tokens, which are also the last p keys; the first",
        "OFF = m - p keys are the committed prefix, visible to every query.",
        "Input PAR[b, p] (i32): the parent of tree token p, as a tree index; -1 for a root.",
        f"PAR, A2 .. A{depth}: ancestors 1 .. {depth} levels up (-1 past the root), by pointer"
        f" chasing; a tree deeper than {depth} loses its farther ancestors.",
        "Mask: key m is visible to query p when m < OFF or m - OFF is p or one of its ancestors.",
    )
    PAR = pb.input("PAR", "b p", "i32")
    kv = hm.bind(pb)
    scale = scale_let(pb)
    OFF = pb.let("OFF", m - p)
    ancestors: list[Expr] = [PAR[b, p]]
    prev = PAR[b, p]
    for k in range(2, depth + 1):
        a = pb.stmt(f"A{k}", "b p", select(prev < 0, -1, PAR[b, maximum(prev, 0)]))
        prev = a[b, p]
        ancestors.append(prev)
    node = m - OFF
    where = (m < OFF) | node.eq(p)
    for anc in ancestors:
        where = where | node.eq(anc)
    return dense_finish(pb, qkv, kv, scale, where=where)
