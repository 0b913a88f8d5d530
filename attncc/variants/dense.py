"""Dense softmax attention: MHA, GQA and MQA, plain or causal.

The three differ only in how a query head finds its key/value head (``h``, ``h / G``,
``0``); everything else is the shared score + softmax tail of :mod:`._blocks`.
"""

from __future__ import annotations

from attncc.ir.nodes import Program
from attncc.variants._blocks import CAUSAL_DOC
from attncc.variants._blocks import dense_begin
from attncc.variants._blocks import dense_finish
from attncc.variants._blocks import join_name
from attncc.variants._blocks import m
from attncc.variants._blocks import p
from attncc.variants._blocks import scale_let

__all__ = ["attention", "gqa", "mha", "mqa"]


def attention(*, heads: str = "mha", causal: bool = False) -> Program:
    """Softmax attention ``softmax(Q Kᵀ / sqrt(e)) V`` with the given head mapping.

    ``causal`` masks key ``m`` from query ``p`` unless ``m <= p`` (top-left aligned: query
    ``p`` is token ``p``; see :func:`attncc.variants.causal_offset` for decode alignment).
    """
    pb, hm, qkv = dense_begin(
        join_name(heads, "causal" if causal else ""),
        heads,
        f"{heads.upper()} softmax attention{', causal' if causal else ''}:"
        " O = softmax(Q K^T / sqrt(e)) V.",
        *([CAUSAL_DOC] if causal else []),
    )
    kv = hm.bind(pb)
    scale = scale_let(pb)
    return dense_finish(pb, qkv, kv, scale, where=p >= m if causal else None)


def mha(*, causal: bool = False) -> Program:
    """Multi-head attention: ``K``/``V`` have one head per query head."""
    return attention(heads="mha", causal=causal)


def gqa(*, causal: bool = False) -> Program:
    """Grouped-query attention: ``G = h / g`` query heads share each key/value head."""
    return attention(heads="gqa", causal=causal)


def mqa(*, causal: bool = False) -> Program:
    """Multi-query attention: every query head reads the single key/value head 0."""
    return attention(heads="mqa", causal=causal)
