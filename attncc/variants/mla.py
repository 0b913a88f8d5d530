"""Multi-head latent attention (DeepSeek-V2/V3), in the absorbed form used for decode.

With ``W_UK`` absorbed into the query and ``W_UV`` left for after the kernel, every head
attends straight over the compressed latent cache: the score is the sum of two
contractions, one over the latent rank and one over the decoupled RoPE dims, and the
output stays in latent space.
"""

from __future__ import annotations

import math

from attncc.ir.builder import ProgramBuilder
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.variants._blocks import OFFSET_CAUSAL_DOC
from attncc.variants._blocks import b
from attncc.variants._blocks import doc
from attncc.variants._blocks import h
from attncc.variants._blocks import join_name
from attncc.variants._blocks import m
from attncc.variants._blocks import p
from attncc.variants._blocks import query_position
from attncc.variants._blocks import softmax_tail

__all__ = ["mla"]

d, a = Name("d"), Name("a")

# DeepSeek-V3: qk_nope_head_dim 128 + qk_rope_head_dim 64 → softmax scale 1 / sqrt(192).
DEFAULT_SCALE = 1 / math.sqrt(192)


def mla(*, causal: bool = False, scale: float = DEFAULT_SCALE) -> Program:
    """MLA decode, absorbed: ``S = (QN · CKV + QR · KR) * SCALE``, ``O = softmax(S) CKV``.

    Shapes (DeepSeek-V3 sizes in brackets): ``QN[b, h, p, d]`` the query after absorbing
    ``W_UK`` [d = kv_lora_rank = 512]; ``QR[b, h, p, a]`` its RoPE part [a = 64];
    ``CKV[b, m, d]`` the latent KV cache and ``KR[b, m, a]`` the RoPE keys, both shared by
    every head. ``O[b, h, p, d]`` is in latent space; multiply by ``W_UV`` afterwards.
    ``SCALE`` is a param because the softmax scale comes from the un-absorbed head dim
    (128 + 64), not from any rank of the program. ``causal`` is bottom-right aligned.
    """
    pb = ProgramBuilder(
        join_name("mla", "causal" if causal else ""),
        doc(
            "Multi-head latent attention (DeepSeek-V2/V3), absorbed decode form.",
            "Inputs: QN[b, h, p, d], the query with W_UK absorbed (d = kv_lora_rank, e.g. 512);"
            " QR[b, h, p, a], its RoPE part (a = rope dims, e.g. 64); CKV[b, m, d], the latent"
            " KV cache; KR[b, m, a], the RoPE keys (CKV and KR are shared by all heads).",
            "Score: S = (sum(d) QN * CKV + sum(a) QR * KR) * SCALE, two contractions summed.",
            "Output: O[b, h, p, d] = softmax(S) CKV, in latent space (apply W_UV afterwards).",
            "Param SCALE: the softmax scale, 1 / sqrt(qk_nope + qk_rope head dims).",
            *([OFFSET_CAUSAL_DOC] if causal else []),
        ),
    )
    QN = pb.input("QN", "b h p d")
    QR = pb.input("QR", "b h p a")
    CKV = pb.input("CKV", "b m d")
    KR = pb.input("KR", "b m a")
    SCALE = pb.param("SCALE", "f32", float(scale))
    where = m <= query_position(pb, True) if causal else None
    sn = pb.sum("SN", "b h p m", QN[b, h, p, d] * CKV[b, m, d], over=[d])
    sr = pb.sum("SR", "b h p m", QR[b, h, p, a] * KR[b, m, a], over=[a])
    s = pb.stmt("S", "b h p m", (sn[b, h, p, m] + sr[b, h, p, m]) * SCALE, where=where)
    sm = softmax_tail(pb, s, (b, h, p), m, CKV[b, m, d], d)
    pb.output(sm.o)
    return pb.build()
