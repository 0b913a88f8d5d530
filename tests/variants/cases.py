"""Inputs and independent torch references for every catalogue variant.

``CASES[name](rng, shape, name=name) -> (program, kwargs, want)``: the program, its
arguments (arrays in their declared dtype, params) and what torch says it computes (float64
tensors; a dict for several outputs). The references are written from each variant's
definition, never from attncc, so every backend's conformance test can use them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace

import numpy as np
import torch
import torch.nn.functional as F

from attncc import variants
from attncc.ir.nodes import Program

# ---------------------------------------------------------------------------- shapes


@dataclass(frozen=True)
class Shape:
    """Test extents, multiples of nothing. ``heads`` picks (h, g): odd where valid."""

    heads: str = "gqa"
    b: int = 2
    p: int = 37
    m: int = 53
    e: int = 24
    f: int = 20

    @property
    def h(self) -> int:
        return {"mha": 3, "gqa": 6, "mqa": 5}[self.heads]

    @property
    def g(self) -> int:
        return {"mha": 3, "gqa": 3, "mqa": 1}[self.heads]


WIDE = Shape()
DECODE = Shape(p=1)


def f32(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


def t64(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.asarray(x).astype(np.float64))


def expand(kv: torch.Tensor, h: int) -> torch.Tensor:
    """``[b, g, ...] → [b, h, ...]``: query head i reads KV head i // (h / g)."""
    return kv.repeat_interleave(h // kv.shape[1], dim=1)


def zero_empty_rows(out: torch.Tensor, visible: torch.Tensor) -> torch.Tensor:
    """Rows with no visible key are 0 (the IR's absence semantics), whatever torch gave."""
    return torch.where(visible.any(-1, keepdim=True), out, torch.zeros((), dtype=out.dtype))


def sdpa(q, k, v, visible=None, bias=None, scale=None) -> torch.Tensor:
    """float64 SDPA with an explicit additive mask; ``visible`` broadcasts to [b, h, p, m]."""
    b, h, p, _ = q.shape
    m = k.shape[-2]
    k, v = expand(k, h), expand(v, h)
    visible = torch.ones(p, m, dtype=torch.bool) if visible is None else visible
    visible = visible.expand(b, h, p, m)
    add = torch.zeros(b, h, p, m, dtype=torch.float64) if bias is None else bias.expand(b, h, p, m)
    add = add.masked_fill(~visible, float("-inf"))
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=add, scale=scale)
    return zero_empty_rows(torch.nan_to_num(out, nan=0.0), visible)


def softmax_attn(scores, v, visible) -> torch.Tensor:
    """Plain softmax over the last dim of ``scores`` (already modified), masked, then ``@ v``."""
    visible = visible.expand(scores.shape)
    w = torch.softmax(scores.masked_fill(~visible, float("-inf")), dim=-1)
    out = torch.nan_to_num(w, nan=0.0) @ v
    return zero_empty_rows(out, visible)


def qk(q, k) -> torch.Tensor:
    return q @ expand(k, q.shape[1]).transpose(-1, -2)


def positions(s: Shape) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.arange(s.p)[:, None], torch.arange(s.m)[None, :]


def dense_inputs(rng, s: Shape) -> dict[str, np.ndarray]:
    return {
        "Q": f32(rng, s.b, s.h, s.p, s.e),
        "K": f32(rng, s.b, s.g, s.m, s.e),
        "V": f32(rng, s.b, s.g, s.m, s.f),
    }


def dense_qkv(x: dict) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    return t64(x["Q"]), t64(x["K"]), t64(x["V"])


# ------------------------------------------------------------------------------- cases
#
# A case ``(rng, shape, name=...)`` builds (program, interpreter kwargs, expected) for a
# catalogue name; expected is a float64 tensor, or a dict of them for several outputs.

Case = tuple[Program, dict, "torch.Tensor | dict[str, torch.Tensor]"]
CASES: dict[str, Callable[..., Case]] = {}


def case(*names: str):
    def register(fn):
        for name in names:
            CASES[name] = fn
        return fn

    return register


@case("mha", "mha_causal", "gqa", "gqa_causal", "mqa", "mqa_causal")
def _dense(rng, s, name="gqa"):
    heads, causal = name.split("_")[0], name.endswith("_causal")
    s = replace(s, heads=heads)
    x = dense_inputs(rng, s)
    pi, mi = positions(s)
    want = sdpa(*dense_qkv(x), visible=pi >= mi if causal else None)
    return variants.attention(heads=heads, causal=causal), x, want


@case("causal_offset")
def _causal_offset(rng, s, name=""):
    x = dense_inputs(rng, s)
    pi, mi = positions(s)
    want = sdpa(*dense_qkv(x), visible=mi <= pi + (s.m - s.p))
    return variants.causal_offset(heads=s.heads), x, want


@case("sliding_window")
def _sliding_window(rng, s, name=""):
    x = dense_inputs(rng, s)
    pi, mi = positions(s)
    W = 7
    want = sdpa(*dense_qkv(x), visible=(pi >= mi) & (pi - mi < W))
    return variants.sliding_window(heads=s.heads), {**x, "W": W}, want


@case("sinks_window")
def _sinks_window(rng, s, name=""):
    x = dense_inputs(rng, s)
    pi, mi = positions(s)
    sinks, W = 3, 6
    want = sdpa(*dense_qkv(x), visible=(mi <= pi) & ((mi < sinks) | (pi - mi < W)))
    return variants.sinks_window(heads=s.heads), {**x, "SINKS": sinks, "W": W}, want


@case("prefix_lm")
def _prefix_lm(rng, s, name=""):
    x = dense_inputs(rng, s)
    pi, mi = positions(s)
    n = 11
    want = sdpa(*dense_qkv(x), visible=(mi < n) | (mi <= pi))
    return variants.prefix_lm(heads=s.heads), {**x, "P_LEN": n}, want


def segments(rng, n: int, docs: int) -> np.ndarray:
    return np.sort(rng.integers(0, docs, n)).astype(np.int32)


@case("document", "document_causal")
def _document(rng, s, name="document"):
    causal = name.endswith("_causal")
    x = dense_inputs(rng, s)
    sk = np.stack([segments(rng, s.m, 4) for _ in range(s.b)])
    if causal:  # one packed stream; the queries are its last p tokens
        sq = sk[:, s.m - s.p :].copy()
    else:
        sq = np.stack([segments(rng, s.p, 4) for _ in range(s.b)])
    sq[0, -min(3, s.p) :] = 7  # a document with no key: fully masked rows
    visible = torch.from_numpy(sq[:, None, :, None] == sk[:, None, None, :])
    if causal:
        pi, mi = positions(s)
        visible = visible & (mi <= pi + s.m - s.p)
    want = sdpa(*dense_qkv(x), visible=visible)
    return variants.document(heads=s.heads, causal=causal), {**x, "SQ": sq, "SK": sk}, want


@case("tree_mask")
def _tree_mask(rng, s, name=""):
    x = dense_inputs(rng, s)
    t = s.p  # the queries are the tree tokens
    mask = rng.random((s.b, s.p, t)) < 0.3
    mask[:, np.arange(s.p), np.arange(s.p)] = True
    prefix = torch.ones(s.b, 1, s.p, s.m - t, dtype=torch.bool)
    visible = torch.cat([prefix, torch.from_numpy(mask)[:, None]], dim=-1)
    want = sdpa(*dense_qkv(x), visible=visible)
    return variants.tree_mask(heads=s.heads), {**x, "MASK": mask}, want


def random_forest(rng, n: int, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """Parents (``-1`` for a root) of ``n`` nodes in topological order, depth ≤ ``depth``."""
    par = np.full(n, -1, dtype=np.int32)
    level = np.zeros(n, dtype=int)
    for i in range(1, n):
        ok = [j for j in range(i) if level[j] < depth]
        if rng.random() < 0.9 and ok:
            par[i] = rng.choice(ok)
            level[i] = level[par[i]] + 1
    anc = np.eye(n, dtype=bool)  # anc[i, j]: j is i or an ancestor of i
    for i in range(n):
        j = par[i]
        while j >= 0:
            anc[i, j] = True
            j = par[j]
    return par, anc


@case("tree_parent")
def _tree_parent(rng, s, name="", depth=4):
    x = dense_inputs(rng, s)
    pars, ancs = zip(*(random_forest(rng, s.p, depth) for _ in range(s.b)), strict=True)
    prefix = torch.ones(s.b, 1, s.p, s.m - s.p, dtype=torch.bool)
    visible = torch.cat([prefix, torch.from_numpy(np.stack(ancs))[:, None]], dim=-1)
    want = sdpa(*dense_qkv(x), visible=visible)
    program = variants.tree_parent(heads=s.heads, depth=depth)
    return program, {**x, "PAR": np.stack(pars)}, want


@case("alibi")
def _alibi(rng, s, name=""):
    x = dense_inputs(rng, s)
    slope = (2.0 ** (-8.0 * np.arange(1, s.h + 1) / s.h)).astype(np.float32)
    pi, mi = positions(s)
    bias = t64(slope)[:, None, None] * (mi - pi)
    want = sdpa(*dense_qkv(x), visible=pi >= mi, bias=bias)
    return variants.alibi(heads=s.heads), {**x, "SLOPE": slope}, want


@case("softcap")
def _softcap(rng, s, name=""):
    x = dense_inputs(rng, s)
    q, k, v = dense_qkv(x)
    cap = 1.5
    scores = cap * torch.tanh(qk(q, k) / math.sqrt(s.e) / cap)
    pi, mi = positions(s)
    want = softmax_attn(scores, expand(v, s.h), pi >= mi)
    return variants.softcap(heads=s.heads), {**x, "cap": cap}, want


@case("relative_bias")
def _relative_bias(rng, s, name=""):
    x = dense_inputs(rng, s)
    table = f32(rng, s.h, s.p + s.m - 1)
    pi, mi = positions(s)
    bias = t64(table)[:, pi - mi + s.m - 1]  # [h, p, m]: the bias for distance p - m
    want = sdpa(*dense_qkv(x), bias=bias)
    return variants.relative_bias(heads=s.heads), {**x, "RB": table}, want


@case("temperature")
def _temperature(rng, s, name=""):
    x = dense_inputs(rng, s)
    tau = 0.7
    pi, mi = positions(s)
    want = sdpa(*dense_qkv(x), visible=pi >= mi, scale=1 / (math.sqrt(s.e) * tau))
    return variants.temperature(heads=s.heads), {**x, "tau": tau}, want


@case("gqa_window_softcap")
def _gqa_window_softcap(rng, s, name=""):
    x = dense_inputs(rng, s)
    q, k, v = dense_qkv(x)
    cap, W = 1.5, 9
    scores = cap * torch.tanh(qk(q, k) / math.sqrt(s.e) / cap)
    pi, mi = positions(s)
    want = softmax_attn(scores, expand(v, s.h), (pi >= mi) & (pi - mi < W))
    return variants.gqa_window_softcap(), {**x, "cap": cap, "W": W}, want


def page_pool(rng, s: Shape, page: int, kvlen: list[int]):
    """A shuffled page pool holding each sequence's logical K/V, and its page table."""
    slots = -(-s.m // page)  # page-table entries per sequence: rank m = slots * page
    pool = s.b * slots + 3
    perm = rng.permutation(pool)[: s.b * slots].reshape(s.b, slots).astype(np.int32)
    kc, vc = f32(rng, pool, page, s.g, s.e), f32(rng, pool, page, s.g, s.f)
    pos = np.arange(slots * page)
    k_log = kc[perm[:, pos // page], pos % page]  # [b, m, g, e]
    v_log = vc[perm[:, pos // page], pos % page]
    x = {"KC": kc, "VC": vc, "PT": perm, "KVLEN": np.array(kvlen, dtype=np.int32)}
    return x, t64(k_log).transpose(1, 2), t64(v_log).transpose(1, 2)


@case("paged", "paged_causal")
def _paged(rng, s, name="paged", kvlen=None):
    causal = name.endswith("_causal")
    kvlen = kvlen or [s.m, s.m - 19]
    x, k, v = page_pool(rng, s, 5, kvlen)
    x["Q"] = f32(rng, s.b, s.h, s.p, s.e)
    mi = torch.arange(k.shape[2])[None, None, None, :]
    pi = torch.arange(s.p)[None, None, :, None]
    lens = torch.tensor(kvlen)[:, None, None, None]
    visible = mi < lens
    if causal:
        visible = visible & (mi <= pi + lens - s.p)
    want = sdpa(t64(x["Q"]), k, v, visible=visible)
    return variants.paged(heads=s.heads, causal=causal), x, want


@case("int8_kv", "int8_kv_channel")
def _int8_kv(rng, s, name="int8_kv", causal=False):
    channel = "channel" in name
    kq = rng.integers(-127, 128, (s.b, s.g, s.m, s.e)).astype(np.int8)
    vq = rng.integers(-127, 128, (s.b, s.g, s.m, s.f)).astype(np.int8)
    if channel:
        ks = rng.uniform(0.002, 0.02, (s.b, s.g, s.e)).astype(np.float32)
        vs = rng.uniform(0.002, 0.02, (s.b, s.g, s.f)).astype(np.float32)
        k, v = t64(kq) * t64(ks)[:, :, None, :], t64(vq) * t64(vs)[:, :, None, :]
    else:
        ks = rng.uniform(0.002, 0.02, (s.b, s.g, s.m)).astype(np.float32)
        vs = rng.uniform(0.002, 0.02, (s.b, s.g, s.m)).astype(np.float32)
        k, v = t64(kq) * t64(ks)[..., None], t64(vq) * t64(vs)[..., None]
    x = {"Q": f32(rng, s.b, s.h, s.p, s.e), "KQ": kq, "VQ": vq, "KS": ks, "VS": vs}
    pi, mi = positions(s)
    want = sdpa(t64(x["Q"]), k, v, visible=mi <= pi + s.m - s.p if causal else None)
    scales = "channel" if channel else "token"
    return variants.int8_kv(heads=s.heads, scales=scales, causal=causal), x, want


@case("fp16_kv")
def _fp16_kv(rng, s, name="", causal=False):
    x = dense_inputs(rng, s)
    x["K"], x["V"] = x["K"].astype(np.float16), x["V"].astype(np.float16)
    pi, mi = positions(s)
    want = sdpa(*dense_qkv(x), visible=mi <= pi + s.m - s.p if causal else None)
    return variants.fp16_kv(heads=s.heads, causal=causal), x, want


@case("topk_gather")
def _topk_gather(rng, s, name=""):
    x = dense_inputs(rng, s)
    topk = 7
    idx = np.stack(
        [np.stack([rng.choice(s.m, topk, replace=False) for _ in range(s.p)]) for _ in range(s.b)]
    ).astype(np.int32)
    idx[rng.random(idx.shape) < 0.3] = -1  # unused slots
    idx[0, 0, :] = -1  # a query with no key at all
    q, k, v = dense_qkv(x)
    gi = torch.from_numpy(np.maximum(idx, 0)).long()  # [b, p, k]
    bi = torch.arange(s.b)[:, None, None]
    kg = expand(k, s.h).permute(0, 2, 1, 3)[bi, gi]  # [b, p, k, h, e]
    vg = expand(v, s.h).permute(0, 2, 1, 3)[bi, gi]
    scores = torch.einsum("bhpe,bpkhe->bhpk", q, kg) / math.sqrt(s.e)
    visible = torch.from_numpy(idx >= 0)[:, None]  # [b, 1, p, k]
    w = torch.softmax(scores.masked_fill(~visible, float("-inf")), dim=-1).nan_to_num(0.0)
    want = zero_empty_rows(torch.einsum("bhpk,bpkhf->bhpf", w, vg), visible.expand_as(w))
    return variants.topk_gather(heads=s.heads), {**x, "IDX": idx}, want


@case("mla", "mla_causal")
def _mla(rng, s, name="mla"):
    causal = name.endswith("_causal")
    d, a = 24, 8
    x = {
        "QN": f32(rng, s.b, s.h, s.p, d),
        "QR": f32(rng, s.b, s.h, s.p, a),
        "CKV": f32(rng, s.b, s.m, d),
        "KR": f32(rng, s.b, s.m, a),
    }
    qn, qr, ckv, kr = (t64(x[n]) for n in ("QN", "QR", "CKV", "KR"))
    scale = 1 / math.sqrt(192)
    scores = (qn @ ckv[:, None].transpose(-1, -2) + qr @ kr[:, None].transpose(-1, -2)) * scale
    pi, mi = positions(s)
    visible = mi <= pi + s.m - s.p if causal else torch.ones(s.p, s.m, dtype=torch.bool)
    want = softmax_attn(scores, ckv[:, None], visible)
    return variants.mla(causal=causal), x, want


@case("sigmoid_attention", "sigmoid_attention_causal")
def _sigmoid(rng, s, name="sigmoid_attention"):
    causal = name.endswith("_causal")
    x = dense_inputs(rng, s)
    q, k, v = dense_qkv(x)
    w = torch.sigmoid(qk(q, k) / math.sqrt(s.e) - math.log(s.m))
    if causal:
        pi, mi = positions(s)
        w = w * (pi >= mi)
    want = w @ expand(v, s.h)
    return variants.sigmoid_attention(heads=s.heads, causal=causal), x, want


@case("linear_causal", "linear_causal_identity_unnormalized")
def _linear(rng, s, name="linear_causal"):
    identity = "identity" in name
    x = dense_inputs(rng, s)
    q, k, v = dense_qkv(x)
    if not identity:
        q, k = F.elu(q) + 1, F.elu(k) + 1
    pi, mi = positions(s)
    a = qk(q, k) * (mi <= pi)
    if not identity:
        a = a / a.sum(-1, keepdim=True)
    want = a @ expand(v, s.h)
    if identity:
        program = variants.linear_causal(heads=s.heads, feature="identity", normalize=False)
    else:
        program = variants.linear_causal(heads=s.heads)
    return program, x, want


def attention_state(scores, v, visible) -> dict[str, torch.Tensor]:
    """The reference state (O, LSE); both 0 on rows with no visible key."""
    visible = visible.expand(scores.shape)
    masked = scores.masked_fill(~visible, float("-inf"))
    lse = torch.logsumexp(masked, dim=-1)
    lse = torch.where(visible.any(-1), lse, torch.zeros((), dtype=lse.dtype))
    return {"O": softmax_attn(scores, v, visible), "LSE": lse}


@case("split_kv", "split_kv_causal")
def _split_kv(rng, s, name="split_kv", chunk=None):
    causal = name.endswith("_causal")
    x = dense_inputs(rng, s)
    q, k, v = dense_qkv(x)
    pi, mi = positions(s)
    visible = mi <= pi + s.m - s.p if causal else torch.ones(s.p, s.m, dtype=torch.bool)
    want = attention_state(qk(q, k) / math.sqrt(s.e), expand(v, s.h), visible)
    kw = {} if chunk is None else {"CH": chunk}
    return variants.split_kv(heads=s.heads, causal=causal), {**x, **kw}, want


@case("cascade")
def _cascade(rng, s, name=""):
    n_prefix = 19
    x = dense_inputs(rng, s)
    x["KP"], x["VP"] = f32(rng, s.g, n_prefix, s.e), f32(rng, s.g, n_prefix, s.f)
    q, k, v = dense_qkv(x)
    k_all = torch.cat([t64(x["KP"]).expand(s.b, -1, -1, -1), k], dim=2)
    v_all = torch.cat([t64(x["VP"]).expand(s.b, -1, -1, -1), v], dim=2)
    pi, mi = positions(s)
    visible = torch.cat([torch.ones(s.p, n_prefix, dtype=torch.bool), mi <= pi + s.m - s.p], 1)
    want = attention_state(qk(q, k_all) / math.sqrt(s.e), expand(v_all, s.h), visible)
    return variants.cascade(heads=s.heads), x, want
