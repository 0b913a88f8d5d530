"""KV-cache forms: paged (page table), quantised (int8 + scales, fp16), gathered top-k.

The KV-cache variants serve decode and chunked prefill, so their ``causal`` option is
bottom-right aligned: the ``p`` queries are the newest ``p`` tokens of the sequence.
"""

from __future__ import annotations

from attncc.ir.builder import ProgramBuilder
from attncc.ir.builder import TensorRef
from attncc.ir.builder import cast
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.variants._blocks import OFFSET_CAUSAL_DOC
from attncc.variants._blocks import HeadMap
from attncc.variants._blocks import b
from attncc.variants._blocks import check_choice
from attncc.variants._blocks import doc
from attncc.variants._blocks import e
from attncc.variants._blocks import f
from attncc.variants._blocks import h
from attncc.variants._blocks import heads_suffix
from attncc.variants._blocks import join_name
from attncc.variants._blocks import m
from attncc.variants._blocks import p
from attncc.variants._blocks import query_position
from attncc.variants._blocks import scale_let
from attncc.variants._blocks import softmax_attention

__all__ = ["fp16_kv", "int8_kv", "paged", "topk_gather"]

# slots per page, page-table entries per sequence, selected keys per query
n, j, k = (Name(r) for r in ("n", "j", "k"))


def _finish(pb: ProgramBuilder, score: Expr, value: Expr, where: Expr | None, **kw) -> Program:
    pb.output(softmax_attention(pb, score, value, where=where, **kw).o)
    return pb.build()


def paged(*, heads: str = "gqa", causal: bool = False) -> Program:
    """Paged KV cache (vLLM / FlashInfer NHD layout) read through a page table.

    Logical key ``m`` of sequence ``b`` is slot ``m % P`` of physical page
    ``PT[b, m / P]``; keys at or past ``KVLEN[b]`` are masked, so table entries past a
    sequence's last page are never read.
    """
    hm = HeadMap.of(heads)
    kv_rank = hm.rank
    pb = ProgramBuilder(
        join_name("paged", heads_suffix(heads), "causal" if causal else ""),
        doc(
            "Paged-KV attention: K and V live in a pool of fixed-size pages, read through a"
            " page table.",
            hm.doc,
            f"Inputs: Q[b, h, p, e]; KC[u, n, {kv_rank}, e], VC[u, n, {kv_rank}, f]: the page"
            " pool (u pages of P = n slots);",
            "PT[b, j] (i32): physical page of the j-th logical page of sequence b;"
            " KVLEN[b] (i32): its KV length.",
            "Rank m = j * P: logical key positions. Output: O[b, h, p, f].",
            "Mask: key m is visible when m < KVLEN[b]"
            + (
                " and m <= p + KVLEN[b] - NP, NP = p (the queries are the newest tokens)."
                if causal
                else "."
            ),
        ),
    )
    Q = pb.input("Q", "b h p e")
    KC = pb.input("KC", f"u n {kv_rank} e")
    VC = pb.input("VC", f"u n {kv_rank} f")
    PT = pb.input("PT", "b j", "i32")
    KVLEN = pb.input("KVLEN", "b", "i32")
    kv = hm.bind(pb)
    scale = scale_let(pb)
    P = pb.let("P", n)
    where = in_seq = m < KVLEN[b]
    if causal:
        where = where & (m <= p + KVLEN[b] - pb.let("NP", p))
    pb.rank("m", j * P)
    page, slot = PT[b, m / P], m % P
    return _finish(
        pb,
        Q[b, h, p, e] * KC[page, slot, kv, e] * scale,
        VC[page, slot, kv, f],
        where,
        guard=in_seq,
    )


def int8_kv(*, heads: str = "gqa", scales: str = "token", causal: bool = False) -> Program:
    """int8 KV cache dequantised in the map: ``f32(KQ) * KS``, per-token or per-channel scales."""
    check_choice("scales", scales, ("token", "channel"))
    per_token = scales == "token"
    ks_rank, vs_rank = (m, m) if per_token else (e, f)
    pb, hm, (Q, KQ, VQ) = _quant_begin(
        join_name(
            "int8_kv",
            heads_suffix(heads),
            "" if per_token else "channel",
            "causal" if causal else "",
        ),
        heads,
        "i8",
        f"int8 KV cache with per-{scales} scales, dequantised on load: K = f32(KQ) * KS.",
        f"Inputs KS[b, {HeadMap.of(heads).rank}, {ks_rank.name}],"
        f" VS[b, {HeadMap.of(heads).rank}, {vs_rank.name}]: the scale of each"
        + (" token." if per_token else " channel."),
        causal,
    )
    KS = pb.input("KS", f"b {hm.rank} {ks_rank.name}")
    VS = pb.input("VS", f"b {hm.rank} {vs_rank.name}")
    kv = hm.bind(pb)
    scale = scale_let(pb)
    key = cast(KQ[b, kv, m, e], "f32") * KS[b, kv, ks_rank]
    val = cast(VQ[b, kv, m, f], "f32") * VS[b, kv, vs_rank]
    where = m <= query_position(pb, True) if causal else None
    return _finish(pb, Q[b, h, p, e] * key * scale, val, where)


def fp16_kv(*, heads: str = "gqa", causal: bool = False) -> Program:
    """fp16 KV cache: the loads of ``K`` and ``V`` convert to the compute type."""
    pb, hm, (Q, K, V) = _quant_begin(
        join_name("fp16_kv", heads_suffix(heads), "causal" if causal else ""),
        heads,
        "f16",
        "Attention over an fp16 KV cache with f32 queries (loads convert to the compute type).",
        "",
        causal,
    )
    kv = hm.bind(pb)
    scale = scale_let(pb)
    where = m <= query_position(pb, True) if causal else None
    return _finish(pb, Q[b, h, p, e] * K[b, kv, m, e] * scale, V[b, kv, m, f], where)


def _quant_begin(
    name: str, heads: str, dtype: str, summary: str, scales_doc: str, causal: bool
) -> tuple[ProgramBuilder, HeadMap, tuple[TensorRef, TensorRef, TensorRef]]:
    """Doc and inputs ``Q``, then ``K``/``V`` (``KQ``/``VQ`` when int8) stored as ``dtype``."""
    hm = HeadMap.of(heads)
    kvr = hm.rank
    kn, vn = ("KQ", "VQ") if dtype == "i8" else ("K", "V")
    pb = ProgramBuilder(
        name,
        doc(
            summary,
            hm.doc,
            f"Inputs: Q[b, h, p, e]; {kn}[b, {kvr}, m, e], {vn}[b, {kvr}, m, f] ({dtype})."
            " Output: O[b, h, p, f].",
            *([scales_doc] if scales_doc else []),
            *([OFFSET_CAUSAL_DOC] if causal else []),
        ),
    )
    qkv = (
        pb.input("Q", "b h p e"),
        pb.input(kn, f"b {kvr} m e", dtype),
        pb.input(vn, f"b {kvr} m f", dtype),
    )
    return pb, hm, qkv


def topk_gather(*, heads: str = "gqa") -> Program:
    """Sparse attention over gathered top-k keys (DeepSeek sparse attention / NSA selection).

    ``IDX[b, p, k]`` lists the key positions each query attends to; ``-1`` marks an unused
    slot, which the filter masks (a row of only ``-1`` gives 0).
    """
    hm = HeadMap.of(heads)
    kvr = hm.rank
    pb = ProgramBuilder(
        join_name("topk_gather", heads_suffix(heads)),
        doc(
            "Top-k sparse attention: each query attends to the keys listed in IDX (gathered).",
            hm.doc,
            f"Inputs: Q[b, h, p, e], K[b, {kvr}, m, e], V[b, {kvr}, m, f];"
            " IDX[b, p, k] (i32): the k selected key positions of query p, -1 for none.",
            "Output: O[b, h, p, f]. Mask: slot k of query p is used when IDX[b, p, k] >= 0.",
        ),
    )
    Q = pb.input("Q", "b h p e")
    K = pb.input("K", f"b {kvr} m e")
    V = pb.input("V", f"b {kvr} m f")
    IDX = pb.input("IDX", "b p k", "i32")
    kv = hm.bind(pb)
    scale = scale_let(pb)
    sel = IDX[b, p, k]
    return _finish(
        pb,
        Q[b, h, p, e] * K[b, kv, sel, e] * scale,
        V[b, kv, sel, f],
        sel >= 0,
        key=k,
        guard=sel >= 0,
    )
