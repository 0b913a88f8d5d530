"""attncc.torch.flex_attention against torch's own flex_attention (eager, float32).

Every mod of ``examples/flex_mods.py`` runs unchanged at three odd lengths with GQA (query
heads 4, key heads 2), through one compiled kernel (the build count is asserted), and
matches torch to 1e-4; the document mask's padding tokens are fully masked rows.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from torch.nn.attention.flex_attention import create_block_mask  # noqa: E402
from torch.nn.attention.flex_attention import flex_attention  # noqa: E402

import attncc.torch as at  # noqa: E402
from attncc.errors import ArgumentError  # noqa: E402
from attncc.errors import ShapeError  # noqa: E402
from attncc.errors import UnsupportedError  # noqa: E402
from examples.flex_mods import Mods  # noqa: E402
from examples.flex_mods import gallery  # noqa: E402

B, H, HKV, D = 2, 4, 2, 16
LENGTHS = (37, 50, 29)
NAMES = list(gallery(LENGTHS[0], H))


def _qkv(q_len: int, kv_len: int, seed: int = 0, heads_kv: int = HKV):
    gen = torch.Generator().manual_seed(seed)
    q = torch.randn(B, H, q_len, D, generator=gen)
    k, v = (torch.randn(B, heads_kv, kv_len, D, generator=gen) for _ in "kv")
    return q, k, v


def _reference(q, k, v, mods, **kw):
    mask = None
    if mods.mask_mod is not None:
        mask = create_block_mask(
            mods.mask_mod, None, None, q.shape[2], k.shape[2], device="cpu", BLOCK_SIZE=16
        )
    return flex_attention(q, k, v, mods.score_mod, block_mask=mask, enable_gqa=True, **kw)


@pytest.mark.parametrize("name", NAMES)
def test_gallery_matches_flex_attention_at_three_lengths_with_one_build(name):
    at.clear_cache()
    for n, length in enumerate(LENGTHS):
        mods = gallery(length, H, seed=n)[name]  # new captured tensors and values each time
        q, k, v = _qkv(length, mods.kv_len or length, seed=n)
        got = at.flex_attention(q, k, v, mods.score_mod, mask_mod=mods.mask_mod, enable_gqa=True)
        want = _reference(q, k, v, mods)
        torch.testing.assert_close(got, want, atol=1e-4, rtol=0)
    assert at.cache_info() == {"kernels": 1, "builds": 1}


def test_fully_masked_rows_are_zero_and_block_masks_are_read():
    mods = gallery(37, H)["document"]  # its last tokens are padding: they see nothing
    q, k, v = _qkv(37, 37)
    mask = create_block_mask(mods.mask_mod, None, None, 37, 37, device="cpu", BLOCK_SIZE=16)
    got = at.flex_attention(q, k, v, block_mask=mask, enable_gqa=True)
    padding = 37 - 37 // 7
    assert torch.count_nonzero(got[:, :, padding:]) == 0
    torch.testing.assert_close(got, _reference(q, k, v, mods), atol=1e-4, rtol=0)


def test_log_sum_exp_matches_torch_where_a_row_sees_a_key():
    mods = gallery(37, H)["document"]
    q, k, v = _qkv(37, 37)
    got, lse = at.flex_attention(
        q, k, v, mods.score_mod, mask_mod=mods.mask_mod, enable_gqa=True, return_lse=True
    )
    want, want_lse = _reference(q, k, v, mods, return_lse=True)
    torch.testing.assert_close(got, want, atol=1e-4, rtol=0)
    seen = torch.isfinite(want_lse)
    assert lse.dtype == torch.float32 and lse.shape == (B, H, 37) and not seen.all()
    torch.testing.assert_close(lse[seen], want_lse[seen], atol=1e-4, rtol=0)
    assert torch.count_nonzero(lse[~seen]) == 0  # attncc's convention: 0, torch's: -inf


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_half_inputs_accumulate_in_float32_and_return_their_dtype(dtype):
    mods = gallery(37, H)["alibi"]
    q, k, v = (t.to(dtype) for t in _qkv(37, 37))
    got = at.flex_attention(q, k, v, mods.score_mod, mask_mod=mods.mask_mod, enable_gqa=True)
    want = _reference(*(t.float() for t in (q, k, v)), mods)  # the same rounded inputs
    assert got.dtype == dtype
    torch.testing.assert_close(got.float(), want, atol=1e-2, rtol=1e-2)


def test_a_scale_and_captured_numbers_change_without_a_build():
    at.clear_cache()
    q, k, v = _qkv(37, 37, heads_kv=H)
    for cap, scale in ((20.0, 0.25), (5.0, 0.5)):

        def softcap(score, b, h, q_idx, kv_idx, cap=cap):
            return cap * torch.tanh(score / cap)

        def capped(score, b, h, q_idx, kv_idx):
            return softcap(score, b, h, q_idx, kv_idx)

        got = at.flex_attention(q, k, v, capped, scale=scale)
        want = flex_attention(q, k, v, capped, scale=scale)
        torch.testing.assert_close(got, want, atol=1e-4, rtol=0)
    assert at.cache_info() == {"kernels": 1, "builds": 1}


class _DocumentAttention(torch.nn.Module):
    def __init__(self, mask_mod):
        super().__init__()
        self.proj = torch.nn.Linear(D, D)
        self.mask_mod = mask_mod

    def forward(self, x, k, v):
        return at.flex_attention(self.proj(x), k, v, mask_mod=self.mask_mod, enable_gqa=True)


def test_torch_compile_fullgraph_and_export_run_the_op():
    mods = gallery(37, H)["document"]
    model = _DocumentAttention(mods.mask_mod).eval()
    q, k, v = _qkv(37, 37)
    with torch.no_grad():
        want = model(q, k, v)
        compiled = torch.compile(model, fullgraph=True, backend="aot_eager")
        torch.testing.assert_close(compiled(q, k, v), want, atol=1e-5, rtol=0)
        exported = torch.export.export(model, (q, k, v))
        assert "attncc.flex_attention" in exported.graph_module.code
        torch.testing.assert_close(exported.module()(q, k, v), want, atol=1e-5, rtol=0)


def test_inputs_that_require_grad_are_refused():
    q, k, v = _qkv(37, 37)
    with pytest.raises(UnsupportedError, match="forward-only"):
        at.flex_attention(q.requires_grad_(), k, v, enable_gqa=True)
    with torch.no_grad():
        assert at.flex_attention(q, k, v, enable_gqa=True).grad_fn is None


@pytest.mark.parametrize(
    ("mask", "causal"),
    [(None, False), (None, True), ("bool", False), ("float", False)],
)
def test_scaled_dot_product_attention_matches_torch(mask, causal):
    q, k, v = _qkv(37, 41)
    gen = torch.Generator().manual_seed(3)
    attn_mask = None
    if mask == "bool":
        attn_mask = torch.rand(1, H, 37, 41, generator=gen) > 0.3
    elif mask == "float":
        attn_mask = torch.randn(37, 41, generator=gen)
    kw = {"attn_mask": attn_mask, "is_causal": causal, "enable_gqa": True}
    got = at.scaled_dot_product_attention(q, k, v, **kw)
    want = torch.nn.functional.scaled_dot_product_attention(q, k, v, **kw)
    torch.testing.assert_close(got, want, atol=1e-4, rtol=0)


@pytest.mark.parametrize("target", ["cuda", "webgpu"])
def test_the_same_mods_run_on_other_targets(target):
    pytest.importorskip({"cuda": "triton", "webgpu": "wgpu"}[target])
    mods = gallery(37, H)["document"]
    q, k, v = _qkv(37, 37)

    def softcap(score, b, h, q_idx, kv_idx):
        return 10.0 * torch.tanh(score / 10.0)

    mods = Mods("capped_document", softcap, mods.mask_mod)
    kw = {"mask_mod": mods.mask_mod, "enable_gqa": True, "target": target}
    got = at.flex_attention(q, k, v, softcap, **kw)
    want = _reference(q, k, v, mods)
    torch.testing.assert_close(got, want, atol=1e-4, rtol=0)


def test_bad_calls_get_attncc_errors():
    q, k, v = _qkv(37, 37)
    mask = create_block_mask(gallery(16, H)["causal"].mask_mod, None, None, 16, 16, device="cpu")
    with pytest.raises(ShapeError, match=r"lengths \(16, 16\).*\(37, 37\)"):
        at.flex_attention(q, k, v, block_mask=mask, enable_gqa=True)
    with pytest.raises(ShapeError, match="enable_gqa=True"):
        at.flex_attention(q, k, v)
    with pytest.raises(ShapeError, match="rank 4"):
        at.flex_attention(q[0], k, v, enable_gqa=True)
    with pytest.raises(ArgumentError, match="share one dtype"):
        at.flex_attention(q.double(), k.double(), v.double(), enable_gqa=True)


def test_untraceable_mods_name_the_construct_and_the_users_line():
    q, k, v = _qkv(16, 16, heads_kv=H)

    def reads_an_item(score, b, h, q_idx, kv_idx):
        return score * q_idx.item()

    def writes_in_place(score, b, h, q_idx, kv_idx):
        return score.add_(1.0)

    with pytest.raises(UnsupportedError, match=r"\.item\(\).*test_flex\.py:\d+: return score"):
        at.flex_attention(q, k, v, reads_an_item)
    with pytest.raises(UnsupportedError, match=r"add_.*test_flex\.py:\d+: return score\.add_"):
        at.flex_attention(q, k, v, writes_in_place)
