"""The variant catalogue: every program validates, round-trips, and matches torch.

Each reference below is an independent torch formulation in float64 (SDPA with an explicit
mask, or plain torch code) written from the variant's definition, never from attncc. Inputs
are generated in their declared dtype (f32, f16, i8, ...) and upcast for torch, so the
interpreter (which computes in float64) and torch see the same values.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from attncc import variants
from attncc.errors import ArgumentError
from attncc.ir.bind import bind, check_bounds
from attncc.ir.nodes import Program
from attncc.ir.validate import validate

REQUIRED = {
    "mha",
    "mha_causal",
    "gqa",
    "gqa_causal",
    "mqa",
    "mqa_causal",
    "causal_offset",
    "sliding_window",
    "sinks_window",
    "prefix_lm",
    "document",
    "document_causal",
    "tree_mask",
    "tree_parent",
    "alibi",
    "softcap",
    "relative_bias",
    "temperature",
    "gqa_window_softcap",
    "paged",
    "int8_kv",
    "topk_gather",
    "mla",
    "sigmoid_attention",
    "linear_causal",
    "split_kv",
    "cascade",
}

LEGEND = set("bhgpmef") | set("trkunjcsda")

RTOL, ATOL = 1e-6, 1e-7


def _interpret():
    mod = pytest.importorskip("attncc.ir.interpreter", reason="the interpreter is not there yet")
    return mod.interpret


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


# ------------------------------------------------------------------------------- checks


def check(program: Program, kwargs: dict, want) -> dict[str, np.ndarray]:
    got = _interpret()(program, **kwargs)
    if not isinstance(want, dict):
        want = {program.outputs[0]: want}
    if not isinstance(got, dict):
        got = {program.outputs[0]: got}
    assert set(got) == set(want)
    for name, w in want.items():
        np.testing.assert_allclose(
            np.asarray(got[name], dtype=np.float64),
            w.numpy(),
            rtol=RTOL,
            atol=ATOL,
            err_msg=f"{program.name}: output {name}",
        )
    return got


def test_catalogue_covers_the_required_variants():
    assert not REQUIRED - set(variants.CATALOGUE), "missing required variants"
    assert set(CASES) == set(variants.CATALOGUE), "every catalogue entry has a torch case"


def test_catalogue_names_its_programs():
    for name, program in variants.catalogue().items():
        assert program.name == name


@pytest.mark.parametrize("name", sorted(variants.CATALOGUE))
def test_program_validates_and_round_trips(name):
    from attncc.ir.parser import parse

    program = variants.CATALOGUE[name]()
    validate(program)
    again = parse(str(program))
    assert again == program
    assert again.doc == program.doc
    assert str(again) == str(program)


@pytest.mark.parametrize("name", sorted(variants.CATALOGUE))
def test_program_documents_itself_and_follows_the_rank_legend(name):
    program = variants.CATALOGUE[name]()
    assert program.doc, "a program says what it computes"
    for inp in program.inputs:
        assert inp.name in program.doc, f"the doc names input {inp.name}"
        assert set(inp.ranks) <= LEGEND, f"{inp.name}{list(inp.ranks)} uses the legend"
    q = program.input("Q")
    if q is not None:
        assert q.ranks == ("b", "h", "p", "e")
    for line in str(program).splitlines():
        if line.startswith("#"):
            assert len(line) <= 100


@pytest.mark.parametrize("shape", [WIDE, DECODE], ids=["p37_m53", "p1_m53"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name, shape):
    rng = np.random.default_rng(zlib.crc32(f"{name}/{shape.p}".encode()))
    program, kwargs, want = CASES[name](rng, shape, name=name)
    check(program, kwargs, want)


@pytest.mark.parametrize("name", sorted(CASES))
def test_indices_stay_in_bounds(name):
    program, kwargs, _ = CASES[name](np.random.default_rng(0), WIDE, name=name)
    arrays = {k: v for k, v in kwargs.items() if isinstance(v, np.ndarray)}
    params = {k: v for k, v in kwargs.items() if not isinstance(v, np.ndarray)}
    check_bounds(program, bind(program, shapes=arrays, params=params))


# Head mappings of the builders whose catalogue entries are GQA only.
HEAD_SWEEP = [
    "causal_offset",
    "sliding_window",
    "document_causal",
    "tree_parent",
    "alibi",
    "paged_causal",
    "int8_kv",
    "topk_gather",
    "linear_causal",
    "split_kv_causal",
    "cascade",
]


@pytest.mark.parametrize("heads", ["mha", "mqa"])
@pytest.mark.parametrize("name", HEAD_SWEEP)
def test_other_head_mappings_match_torch(name, heads):
    shape = replace(WIDE, heads=heads, p=13, m=29)
    program, kwargs, want = CASES[name](np.random.default_rng(1), shape, name=name)
    kv_ranks = {r for i in program.inputs for r in i.ranks}
    assert ("g" in kv_ranks) == (heads != "mha")
    check(program, kwargs, want)


# ------------------------------------------------------------------- fully masked rows


def _rows_are_zero(out: np.ndarray, rows) -> None:
    assert np.all(np.asarray(out)[rows] == 0.0)


def test_causal_offset_with_more_queries_than_keys_gives_zero_rows():
    s = replace(WIDE, p=53, m=37)
    program, kwargs, want = _causal_offset(np.random.default_rng(2), s)
    got = check(program, kwargs, want)["O"]
    _rows_are_zero(got, (slice(None), slice(None), slice(0, 16)))
    assert np.all(np.abs(got[:, :, 16:]).sum(-1) > 0)


def test_sliding_window_past_the_keys_gives_zero_rows():
    s = replace(WIDE, p=53, m=37)
    program, kwargs, want = _sliding_window(np.random.default_rng(3), s)
    got = check(program, kwargs, want)["O"]
    _rows_are_zero(got, (slice(None), slice(None), slice(37 + 7 - 1, None)))


def test_document_without_keys_gives_zero_rows():
    program, kwargs, want = _document(np.random.default_rng(4), WIDE, name="document_causal")
    got = check(program, kwargs, want)["O"]
    _rows_are_zero(got, (0, slice(None), slice(-3, None)))


def test_paged_empty_sequence_gives_zero_rows():
    program, kwargs, want = _paged(np.random.default_rng(5), WIDE, kvlen=[0, 41])
    got = check(program, kwargs, want)["O"]
    _rows_are_zero(got, 0)


def test_paged_never_reads_page_table_entries_past_the_sequence():
    """Entries past a sequence's last page may be garbage (-1 here); the filter guards them."""
    program, kwargs, want = _paged(np.random.default_rng(6), WIDE, kvlen=[12, 41])
    kwargs["PT"] = kwargs["PT"].copy()
    kwargs["PT"][0, 3:] = -1
    kwargs["PT"][1, 9:] = -1
    check(program, kwargs, want)


def test_topk_query_with_no_key_gives_zero_row():
    program, kwargs, want = _topk_gather(np.random.default_rng(7), WIDE)
    got = check(program, kwargs, want)["O"]
    _rows_are_zero(got, (0, slice(None), 0))


def test_split_kv_state_of_masked_rows_and_chunks():
    """Causal split-KV with p > m: whole chunks and whole rows are masked."""
    s = replace(WIDE, p=45, m=29)
    program, kwargs, want = _split_kv(np.random.default_rng(8), s, name="split_kv_causal")
    got = check(program, {**kwargs, "CH": 5}, want)
    _rows_are_zero(got["O"], (slice(None), slice(None), slice(0, 16)))
    _rows_are_zero(got["LSE"], (slice(None), slice(None), slice(0, 16)))


@pytest.mark.parametrize("chunk", [1, 7, 53, 64])
def test_split_kv_any_chunk_size(chunk):
    program, kwargs, want = _split_kv(np.random.default_rng(9), replace(WIDE, p=5), chunk=chunk)
    check(program, kwargs, want)


# --------------------------------------------------------------------- other options


def test_tree_parent_deeper_bound_and_chains():
    """A chain (each node the child of the previous) needs depth p - 1 to see its root."""
    s = replace(WIDE, p=9, m=20)
    rng = np.random.default_rng(10)
    x = dense_inputs(rng, s)
    par = np.tile(np.arange(-1, s.p - 1, dtype=np.int32), (s.b, 1))
    chain = torch.ones(s.p, s.p, dtype=torch.bool).tril()  # every earlier node is an ancestor
    visible = torch.cat([torch.ones(s.p, s.m - s.p, dtype=torch.bool), chain], 1)
    want = sdpa(*dense_qkv(x), visible=visible)
    check(variants.tree_parent(depth=s.p - 1), {**x, "PAR": par}, want)


@pytest.mark.parametrize("causal", [False, True])
def test_quantised_kv_causal(causal):
    s = replace(WIDE, p=11)
    check(*_int8_kv(np.random.default_rng(11), s, name="int8_kv_channel", causal=causal))
    check(*_fp16_kv(np.random.default_rng(12), s, causal=causal))


def test_design_example_is_gqa_window_softcap():
    from attncc.ir.parser import parse

    text = """
program gqa_window_softcap
input  Q[b, h, p, e]  : f32
input  K[b, g, m, e]  : f32
input  V[b, g, m, f]  : f32
param  cap : f32 = 50.0
param  W   : i32 = 4096
let    G = h / g
let    scale = 1 / sqrt(e)

S[b,h,p,m]  = sum(e) Q[b,h,p,e] * K[b,h/G,m,e] * scale
T[b,h,p,m]  = cap * tanh(S[b,h,p,m] / cap)  where p >= m and p - m < W
MX[b,h,p]   = max(m) T[b,h,p,m]
E[b,h,p,m]  = exp(T[b,h,p,m] - MX[b,h,p])
L[b,h,p]    = sum(m) E[b,h,p,m]
O[b,h,p,f]  = sum(m) E[b,h,p,m] * V[b,h/G,m,f] / L[b,h,p]
output O
"""
    assert parse(text) == variants.gqa_window_softcap()


@pytest.mark.parametrize(
    ("build", "kwargs"),
    [
        (variants.attention, {"heads": "mla"}),
        (variants.sliding_window, {"window": 0}),
        (variants.sinks_window, {"sinks": -1}),
        (variants.tree_parent, {"depth": 0}),
        (variants.int8_kv, {"scales": "block"}),
        (variants.linear_causal, {"feature": "relu"}),
        (variants.split_kv, {"chunk": 2.5}),
    ],
)
def test_bad_options_raise(build, kwargs):
    with pytest.raises(ArgumentError, match="must be"):
        build(**kwargs)


def test_options_change_the_name():
    assert variants.sliding_window(heads="mha", offset=True).name == "sliding_window_mha_offset"
    assert variants.tree_parent(depth=6).name == "tree_parent_d6"
    assert variants.alibi(causal=False).name == "alibi_bidir"
    assert variants.relative_bias(causal=True).name == "relative_bias_causal"
