"""Attention without a softmax: sigmoid attention and causal linear attention."""

from __future__ import annotations

from attncc.ir.builder import exp
from attncc.ir.builder import log
from attncc.ir.builder import select
from attncc.ir.builder import sigmoid
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Program
from attncc.variants._blocks import CAUSAL_DOC
from attncc.variants._blocks import b
from attncc.variants._blocks import check_choice
from attncc.variants._blocks import dense_begin
from attncc.variants._blocks import e
from attncc.variants._blocks import f
from attncc.variants._blocks import g
from attncc.variants._blocks import h
from attncc.variants._blocks import heads_suffix
from attncc.variants._blocks import join_name
from attncc.variants._blocks import m
from attncc.variants._blocks import p
from attncc.variants._blocks import scale_let

__all__ = ["linear_causal", "sigmoid_attention"]


def sigmoid_attention(*, heads: str = "gqa", causal: bool = False) -> Program:
    """Sigmoid attention (Ramapuram et al. 2024): ``O = sum(m) sigmoid(S + SB) V``.

    Each weight is an independent sigmoid: no row max, no normalisation. The bias
    ``SB = -log(m)`` keeps the initial row mass near 1. A masked key contributes nothing; a
    row with no visible key gives 0.
    """
    pb, hm, (Q, K, V) = dense_begin(
        join_name("sigmoid_attention", heads_suffix(heads), "causal" if causal else ""),
        heads,
        "Sigmoid attention (FlashSigmoid): O = sum(m) sigmoid(S + SB) * V, no softmax,"
        " no normalisation; S = Q K^T / sqrt(e), SB = -log(m) with m the number of keys.",
        *([CAUSAL_DOC] if causal else []),
    )
    kv = hm.bind(pb)
    scale = scale_let(pb)
    SB = pb.let("SB", -log(m))
    s = pb.sum(
        "S",
        "b h p m",
        Q[b, h, p, e] * K[b, kv, m, e] * scale,
        over=[e],
        where=p >= m if causal else None,
    )
    o = pb.sum("O", "b h p f", sigmoid(s[b, h, p, m] + SB) * V[b, kv, m, f], over=[m])
    pb.output(o)
    return pb.build()


def _elu1(x: Expr) -> Expr:
    """``elu(x) + 1``: positive, so the normaliser of linear attention never vanishes."""
    return select(x > 0, x + 1, exp(x))


def linear_causal(*, heads: str = "gqa", feature: str = "elu", normalize: bool = True) -> Program:
    """Causal linear attention (Katharopoulos et al. 2020), quadratic parallel form.

    ``O[p] = sum(m <= p) (φ(q_p) · φ(k_m)) v_m / sum(m <= p) φ(q_p) · φ(k_m)`` with
    ``φ = elu + 1`` (``feature="elu"``) or the identity (``feature="identity"``, best used
    with ``normalize=False``: the normaliser can vanish).
    """
    check_choice("feature", feature, ("elu", "identity"))
    pb, hm, (Q, K, V) = dense_begin(
        join_name(
            "linear_causal",
            heads_suffix(heads),
            "" if feature == "elu" else feature,
            "" if normalize else "unnormalized",
        ),
        heads,
        "Causal linear attention, parallel (quadratic) form: A = phi(Q) phi(K)^T masked to"
        " m <= p, O = A V" + (" / rowsum(A)." if normalize else " (no normaliser)."),
        "Feature map phi: "
        + ("elu(x) + 1 = select(x > 0, x + 1, exp(x))." if feature == "elu" else "identity."),
    )
    kv = hm.bind(pb)
    kvr = h if hm.kind == "mha" else g
    q, k = Q[b, h, p, e], K[b, kvr, m, e]
    if feature == "elu":
        q = pb.stmt("FQ", "b h p e", _elu1(q))[b, h, p, e]
        k = pb.stmt("FK", [b, kvr, m, e], _elu1(k))[b, kv, m, e]
    else:
        k = K[b, kv, m, e]
    a_ = pb.sum("A", "b h p m", q * k, over=[e], where=m <= p)
    weight = a_[b, h, p, m]
    if normalize:
        z = pb.sum("Z", "b h p", a_[b, h, p, m], over=[m])
        weight = weight / z[b, h, p]
    o = pb.sum("O", "b h p f", weight * V[b, kv, m, f], over=[m])
    pb.output(o)
    return pb.build()
