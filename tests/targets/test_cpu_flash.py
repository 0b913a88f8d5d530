"""Generated fused CPU attention kernels against a float64 torch reference.

Sizes are deliberately odd (P=37, M=53, D=24) so that query and key tails, partial vectors and
partial register blocks are all exercised; tiles are small so that every kernel has empty,
partial and full key tiles. Each build takes ~0.5 s of LLVM time, so keep the list short.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

tvm = pytest.importorskip("tvm")
torch = pytest.importorskip("torch")

from attncc.errors import ArgumentError  # noqa: E402
from attncc.errors import LoweringError  # noqa: E402
from attncc.targets.cpu.flash import FlashConfig  # noqa: E402
from attncc.targets.cpu.flash import generate  # noqa: E402
from attncc.targets.cpu.flash import register_demand  # noqa: E402
from attncc.targets.cpu.flash import suggest_config  # noqa: E402
from attncc.targets.cpu.host import host_target  # noqa: E402
from attncc.targets.tvm.flash_spec import Band  # noqa: E402
from attncc.targets.tvm.flash_spec import FlashSpec  # noqa: E402
from attncc.targets.tvm.flash_spec import Scalar  # noqa: E402
from attncc.targets.tvm.flash_spec import Tensor  # noqa: E402
from tests.targets.flash_kernel import build  # noqa: E402
from tests.targets.flash_kernel import causal  # noqa: E402
from tests.targets.flash_kernel import prefix_lm  # noqa: E402
from tests.targets.flash_kernel import sinks_window  # noqa: E402
from tests.targets.flash_kernel import sliding_window  # noqa: E402

DIMS = {"B": 2, "H": 4, "HK": 2, "D": 24, "DV": 24}
SMALL = FlashConfig(bq=6, bk=16, rb=3, rbv=3, pv_cols=16)
TOL = 1e-4  # max |err| relative to max |reference|


def _has_avx512() -> bool:
    try:
        with open("/proc/cpuinfo") as fh:
            return "avx512f" in fh.read()
    except OSError:
        return False


def reference(q, k, v, mask=None, score_mod=None, scale=None):
    """softmax(mask(score_mod(q k^T * scale))) v in float64; a fully masked row gives 0."""
    q, k, v = (torch.tensor(x, dtype=torch.float64) for x in (q, k, v))
    grp = q.shape[1] // k.shape[1]
    k, v = k.repeat_interleave(grp, 1), v.repeat_interleave(grp, 1)
    nb, nh, np_, d = q.shape
    s = q @ k.transpose(-1, -2) * (scale if scale is not None else 1 / math.sqrt(d))
    b, h, p, m = torch.meshgrid(
        *(torch.arange(n) for n in (nb, nh, np_, k.shape[2])), indexing="ij"
    )
    if score_mod is not None:
        s = score_mod(s, b, h, p, m)
    if mask is not None:
        s = s.masked_fill(~mask(b, h, p, m), -torch.inf)
    mx = s.amax(-1, keepdim=True)
    e = torch.exp(s - torch.where(torch.isinf(mx), 0, mx))
    den = e.sum(-1, keepdim=True)
    return ((e @ v) / torch.where(den > 0, den, 1)).numpy()


def check(spec, cfg, p, m, mask=None, score_mod=None, tensors=(), scalars=None, seed=0):
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((spec.B, spec.H, p, spec.D), dtype=np.float32)
    k = rng.standard_normal((spec.B, spec.HK, m, spec.D), dtype=np.float32)
    v = rng.standard_normal((spec.B, spec.HK, m, spec.DV), dtype=np.float32)
    kern = build(spec, cfg)
    out = kern(q, k, v, *tensors, **(scalars or {}))
    ref = reference(q, k, v, mask, score_mod, spec.scale)
    err = np.abs(out - ref).max() / np.abs(ref).max()
    assert np.isfinite(out).all()
    assert err < TOL, f"relative error {err:.2e}"
    return out, ref, kern


def test_reference_matches_sdpa():
    rng = np.random.default_rng(1)
    q, k, v = (rng.standard_normal((1, 2, 9, 8)) for _ in range(3))
    ours = reference(q, k, v, mask=lambda b, h, p, m: m <= p)
    sdpa = torch.nn.functional.scaled_dot_product_attention(
        *(torch.tensor(x) for x in (q, k, v)), is_causal=True
    )
    np.testing.assert_allclose(ours, sdpa.numpy(), atol=1e-12)


CASES = {
    # name: (spec kwargs, config, P, M, reference mask)
    "causal": (causal(), SMALL, 37, 37, lambda b, h, p, m: m <= p),
    "causal_offset": (causal("M - P"), SMALL, 37, 53, lambda b, h, p, m: m <= p + 16),
    "no_mask_tails": ({}, SMALL, 37, 53, None),
    "fully_masked_rows": (causal("-5"), SMALL, 37, 53, lambda b, h, p, m: m <= p - 5),
    "window": (
        sliding_window(8),
        FlashConfig(bq=12, bk=16, rb=6, rbv=3, vl=8),
        37,
        37,
        lambda b, h, p, m: (m <= p) & (m > p - 8),
    ),
    "sinks_window": (
        sinks_window(4, 8),
        FlashConfig(bq=6, bk=16, rb=3, rbv=3, vl=8),
        37,
        37,
        lambda b, h, p, m: (m <= p) & ((m > p - 8) | (m < 4)),
    ),
    "prefix_lm": (prefix_lm(11), SMALL, 37, 37, lambda b, h, p, m: (m <= p) | (m < 11)),
    "decode_split_kv": (
        causal("M - P"),
        FlashConfig(bq=3, bk=16, rb=3, rbv=3, split_kv=3),
        1,
        53,
        lambda b, h, p, m: m <= p + 52,
    ),
    "decode_gqa_rows": (
        causal("M - P"),
        FlashConfig(bq=2, bk=16, rb=2, rbv=2, vl=8, pack_gqa=True, k_layout="rows"),
        1,
        53,
        lambda b, h, p, m: m <= p + 52,
    ),
    "gqa_packed_window_offset": (
        sliding_window(8, "M - P"),
        FlashConfig(bq=4, bk=16, rb=2, rbv=4, pv_cols=16, pack_gqa=True),
        37,
        53,
        lambda b, h, p, m: (m <= p + 16) & (m > p + 8),
    ),
    "transposed_fused_unrolled_bh": (
        causal(),
        FlashConfig(
            bq=6,
            bk=16,
            rb=3,
            rbv=3,
            pv_cols=16,
            k_layout="transposed",
            fuse_pv=True,
            unroll_d=4,
            parallel="bh",
        ),
        37,
        37,
        lambda b, h, p, m: m <= p,
    ),
    "decode_packed_cache": (
        causal("M - P"),
        FlashConfig(bq=2, bk=16, rb=2, rbv=2, pack_gqa=True, k_layout="packed", split_kv=2),
        1,
        53,
        lambda b, h, p, m: m <= p + 52,
    ),
    "chunked_prefill_split": (
        causal("M - P"),
        FlashConfig(bq=4, bk=16, rb=4, rbv=4, pack_gqa=True, k_layout="rows", split_kv=2),
        5,
        53,
        lambda b, h, p, m: m <= p + 48,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_reference(name):
    kw, cfg, p, m, mask = CASES[name]
    out, _, _ = check(FlashSpec(**DIMS, **kw), cfg, p, m, mask)
    if name == "fully_masked_rows":
        assert not out[:, :, :5].any()  # rows that see no key are exactly 0


def test_runtime_window_scalar():
    spec = FlashSpec(**DIMS, **sliding_window("W"), scalars=(Scalar("W", "int32"),))
    check(
        spec,
        FlashConfig(bq=12, bk=16, rb=6, rbv=3, vl=8),
        37,
        37,
        mask=lambda b, h, p, m: (m <= p) & (m > p - 8),
        scalars={"W": 8},
    )


def test_softcap_scalar():
    cap = 2.0
    spec = FlashSpec(
        **DIMS, score_mod="cap * T.tanh({s} / cap)", scalars=(Scalar("cap"),), **causal()
    )
    check(
        spec,
        SMALL,
        37,
        37,
        mask=lambda b, h, p, m: m <= p,
        score_mod=lambda s, b, h, p, m: cap * torch.tanh(s / cap),
        scalars={"cap": cap},
    )


@pytest.mark.parametrize("pack_gqa", [False, True])
def test_alibi_tensor(pack_gqa):
    slopes = np.linspace(0.1, 0.8, DIMS["H"], dtype=np.float32)
    spec = FlashSpec(
        **DIMS,
        score_mod="{s} + slopes[{h}] * T.Cast('float32', {m} - {p})",
        tensors=(Tensor("slopes", ("H",)),),
        **causal(),
    )
    check(
        spec,
        FlashConfig(bq=6, bk=16, rb=3, rbv=3, pv_cols=16, pack_gqa=pack_gqa),
        37,
        37,
        mask=lambda b, h, p, m: m <= p,
        tensors=(slopes,),
        score_mod=lambda s, b, h, p, m: s + torch.tensor(slopes, dtype=torch.float64)[h] * (m - p),
    )


def test_document_mask_is_data_dependent():
    doc = np.sort(np.random.default_rng(3).integers(0, 4, 37)).astype(np.int32)
    spec = FlashSpec(**DIMS, mask="doc[{p}] == doc[{m}]", tensors=(Tensor("doc", ("P",), "int32"),))
    dt = torch.tensor(doc)
    check(spec, SMALL, 37, 37, mask=lambda b, h, p, m: dt[p] == dt[m], tensors=(doc,))


def test_symbolic_lengths_one_build_many_shapes():
    spec = FlashSpec(**DIMS, **causal("M - P"))
    kern = build(spec, SMALL)
    rng = np.random.default_rng(5)
    for p, m in ((1, 1), (7, 7), (37, 53), (64, 64)):
        q = rng.standard_normal((2, 4, p, 24), dtype=np.float32)
        k = rng.standard_normal((2, 2, m, 24), dtype=np.float32)
        v = rng.standard_normal((2, 2, m, 24), dtype=np.float32)
        ref = reference(q, k, v, lambda b, h, pp, mm, off=m - p: mm <= pp + off)
        np.testing.assert_allclose(kern(q, k, v), ref, atol=TOL * np.abs(ref).max())


def test_fixed_lengths_and_scale():
    spec = FlashSpec(B=1, H=2, HK=1, D=16, DV=8, P=20, M=33, scale=0.3, **causal("M - P"))
    check(spec, FlashConfig(bq=6, bk=16, rb=3, rbv=3), 20, 33, lambda b, h, p, m: m <= p + 13)


def test_custom_band_equals_unclassified():
    """A user band (causal, written out) gives the same result as all-partial tiles."""
    mask = "{m} <= {p}"
    banded = FlashSpec(**DIMS, mask=mask, bands=(Band("0", "{p1}", "0", "{p0} + 1"),))
    plain = FlashSpec(**DIMS, mask=mask)
    a, _, _ = check(banded, SMALL, 37, 37, lambda b, h, p, m: m <= p)
    b, _, _ = check(plain, SMALL, 37, 37, lambda b, h, p, m: m <= p)
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_fast_exp2_accuracy():
    from attncc.targets.cpu.flash_text import exp2 as _exp2

    src = f"""
@T.prim_func
def ex(a: T.handle, b: T.handle):
    n = T.int32()
    A = T.match_buffer(a, (n,), "float32")
    B = T.match_buffer(b, (n,), "float32")
    for io in range(n // 16):
        for ii in T.vectorized(16):
            B[io * 16 + ii] = {_exp2("A[io * 16 + ii]")}
"""
    lib = tvm.compile(tvm.script.from_source(src), target=host_target())
    x = np.concatenate([np.linspace(-126, 0, 200013), [-127.6, -200.0, -3.0e38]]).astype(np.float32)
    y = tvm.runtime.tensor(np.zeros_like(x))
    lib(tvm.runtime.tensor(x), y)
    got, want = y.numpy()[:-3].astype(np.float64), np.exp2(x[:-3].astype(np.float64))
    assert np.max(np.abs(got / want - 1)) < 1e-6
    assert not y.numpy()[-3:].any()  # far below the range: exactly 0, never NaN


@pytest.mark.parametrize("decode", [False, True])
@pytest.mark.parametrize(
    ("h", "hk", "kw"),
    [(8, 8, causal()), (32, 8, causal()), (8, 1, sliding_window(64)), (48, 3, {}), (6, 2, {})],
)
def test_suggest_config_is_valid(h, hk, kw, decode):
    spec = FlashSpec(B=1, H=h, HK=hk, D=64, DV=128, **kw)
    cfg = suggest_config(spec, decode=decode)
    generate(spec, cfg)  # raises on an invalid combination
    assert max(register_demand(spec, cfg)) <= 28


def test_generate_is_deterministic_text():
    spec = FlashSpec(**DIMS, **causal())
    src = generate(spec, SMALL)
    assert src == generate(spec, SMALL)
    assert src.startswith("@T.prim_func\ndef flash_attn(q_h: T.handle, k_h: T.handle")


@pytest.mark.skipif(not _has_avx512(), reason="needs an AVX-512 host")
def test_host_target_emits_zmm_fma():
    """The target picks an AVX-512 CPU name (``native`` would silently become ``generic``)."""
    assert host_target()["mcpu"] not in ("generic", "native")
    kern = build(FlashSpec(B=1, H=1, HK=1, D=16, DV=16, **causal()), FlashConfig(bq=3, rb=3, rbv=3))
    assert re.search(r"vfmadd\w*ps\s+[^\n]*zmm", kern.asm())


@pytest.mark.parametrize(
    ("spec", "cfg", "match"),
    [
        (FlashSpec(B=1, H=3, HK=2, D=8, DV=8), SMALL, "multiple of HK"),
        (FlashSpec(**DIMS), FlashConfig(bq=7, rb=3), "multiple of rb"),
        (FlashSpec(**DIMS), FlashConfig(bk=24, vl=16), "multiple of vl"),
        (FlashSpec(**DIMS), FlashConfig(k_layout="nd"), "k_layout"),
        (FlashSpec(**DIMS, tensors=(Tensor("Q", ("H",)),)), SMALL, "reserved"),
        (FlashSpec(**DIMS, score_mod="{s} * {q}"), SMALL, "placeholder"),
        (FlashSpec(**DIMS, bands=(Band("0", "M"),)), SMALL, "give the mask"),
        (FlashSpec(B=1, H=8, HK=2, D=8, DV=8), FlashConfig(bq=6, rb=3, pack_gqa=True), "pack_gqa"),
    ],
)
def test_bad_input_raises_lowering_error(spec, cfg, match):
    with pytest.raises(LoweringError, match=match):
        generate(spec, cfg)


def test_call_checks_arguments():
    kern = build(
        FlashSpec(B=1, H=1, HK=1, D=8, DV=8, scalars=(Scalar("c"),), score_mod="{s} * c"),
        FlashConfig(bq=3, bk=16, rb=3, rbv=3),
    )
    x = np.zeros((1, 1, 4, 8), np.float32)
    with pytest.raises(ArgumentError, match="missing"):
        kern(x, x, x)


def test_benchmark_shapes_small_check():
    """The tuned benchmark configs (large register blocks) on a reduced length."""
    dims = {"B": 1, "H": 8, "HK": 2, "D": 64, "DV": 64}
    for kw, cfg, mask in (
        (causal(), FlashConfig(bq=48, bk=64, rb=4, rbv=4), lambda b, h, p, m: m <= p),
        (
            sliding_window(40),
            FlashConfig(bq=24, bk=32, rb=6, rbv=6),
            lambda b, h, p, m: (m <= p) & (m > p - 40),
        ),
        (
            causal(),
            FlashConfig(bq=96, bk=64, rb=3, rbv=3, pack_gqa=True),
            lambda b, h, p, m: m <= p,
        ),
    ):
        check(FlashSpec(**dims, **kw), cfg, 201, 201, mask)
