"""Score modifications as map expressions: ALiBi, soft-capping, relative bias, temperature.

Each variant computes ``S = sum(e) Q K * scale`` and then ``T = mod(S)`` with the mask as
the filter of ``T``, the form of the DESIGN §2 example (:func:`gqa_window_softcap`).
"""

from __future__ import annotations

from attncc.ir.builder import tanh
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Program
from attncc.variants._blocks import CAUSAL_DOC
from attncc.variants._blocks import check_positive
from attncc.variants._blocks import dense_begin
from attncc.variants._blocks import dense_finish
from attncc.variants._blocks import h
from attncc.variants._blocks import join_name
from attncc.variants._blocks import m
from attncc.variants._blocks import p
from attncc.variants._blocks import scale_let

__all__ = ["alibi", "gqa_window_softcap", "relative_bias", "softcap", "temperature"]


def _suffix(heads: str, causal: bool, default_causal: bool) -> tuple[str, str]:
    flag = "" if causal == default_causal else ("causal" if causal else "bidir")
    return ("" if heads == "gqa" else heads), flag


def alibi(*, heads: str = "gqa", causal: bool = True) -> Program:
    """ALiBi: a per-head linear distance penalty ``SLOPE[h] * (m - p)`` added to the scores."""
    pb, hm, qkv = dense_begin(
        join_name("alibi", *_suffix(heads, causal, True)),
        heads,
        "ALiBi attention (Press et al.): T = S + SLOPE[h] * (m - p).",
        "Input SLOPE[h]: the per-head slope (2^(-8 (i+1) / h) in the paper).",
        *([CAUSAL_DOC] if causal else []),
    )
    SLOPE = pb.input("SLOPE", "h")
    kv = hm.bind(pb)
    scale = scale_let(pb)

    def mod(s: Expr) -> Expr:
        return s + SLOPE[h] * (m - p)

    return dense_finish(pb, qkv, kv, scale, mod=mod, where=p >= m if causal else None)


def softcap(*, heads: str = "gqa", causal: bool = True, cap: float = 50.0) -> Program:
    """Logit soft-capping (Gemma 2, Grok): ``T = cap * tanh(S / cap)``."""
    pb, hm, qkv = dense_begin(
        join_name("softcap", *_suffix(heads, causal, True)),
        heads,
        "Logit soft-capping (Gemma 2): T = cap * tanh(S / cap) bounds the scores to (-cap, cap).",
        "Param cap: the cap.",
        *([CAUSAL_DOC] if causal else []),
    )
    c = pb.param("cap", "f32", float(cap))
    kv = hm.bind(pb)
    scale = scale_let(pb)
    return dense_finish(
        pb, qkv, kv, scale, mod=lambda s: c * tanh(s / c), where=p >= m if causal else None
    )


def relative_bias(*, heads: str = "gqa", causal: bool = False) -> Program:
    """A learned relative-position bias per head, from a table indexed by ``p - m``.

    ``RB[h, r]`` holds the bias for relative distance ``p - m = r - R0`` with
    ``let R0 = m - 1``: the table needs ``r >= p + m - 1`` entries (``2 L - 1`` for
    ``p = m = L``), covering distances ``-(m - 1) .. p - 1``.
    """
    pb, hm, qkv = dense_begin(
        join_name("relative_bias", *_suffix(heads, causal, False)),
        heads,
        "Relative-position bias (bucketless, Swin / Transformer-XL style):"
        " T = S + RB[h, p - m + R0].",
        "Input RB[h, r]: the bias of each head for relative distance p - m = r - R0, R0 = m - 1;",
        "r must be at least p + m - 1 (2 L - 1 entries for L queries and keys).",
        *([CAUSAL_DOC] if causal else []),
    )
    RB = pb.input("RB", "h r")
    kv = hm.bind(pb)
    scale = scale_let(pb)
    R0 = pb.let("R0", m - 1)
    return dense_finish(
        pb,
        qkv,
        kv,
        scale,
        mod=lambda s: s + RB[h, p - m + R0],
        where=p >= m if causal else None,
    )


def temperature(*, heads: str = "gqa", causal: bool = True, tau: float = 1.0) -> Program:
    """Softmax temperature: ``T = S / tau`` (sampling-time sharpening, distillation)."""
    pb, hm, qkv = dense_begin(
        join_name("temperature", *_suffix(heads, causal, True)),
        heads,
        "Softmax attention with a temperature: T = S / tau.",
        "Param tau: the temperature (> 0).",
        *([CAUSAL_DOC] if causal else []),
    )
    tau_ = pb.param("tau", "f32", float(tau))
    kv = hm.bind(pb)
    scale = scale_let(pb)
    return dense_finish(
        pb, qkv, kv, scale, mod=lambda s: s / tau_, where=p >= m if causal else None
    )


def gqa_window_softcap(*, cap: float = 50.0, window: int = 4096) -> Program:
    """The DESIGN §2 example: GQA, a causal sliding window and logit soft-capping."""
    check_positive("window", window)
    pb, hm, qkv = dense_begin(
        "gqa_window_softcap",
        "gqa",
        "Grouped-query attention, sliding window, logit soft-capping (Gemma 2 local layers).",
        "Params: cap, the logit cap; W, the window in keys.",
        "Mask: key m is visible to query p when p - W < m <= p.",
    )
    c = pb.param("cap", "f32", float(cap))
    W = pb.param("W", "i32", window)
    kv = hm.bind(pb)
    scale = scale_let(pb)
    return dense_finish(
        pb, qkv, kv, scale, mod=lambda s: c * tanh(s / c), where=(p >= m) & (p - m < W)
    )
