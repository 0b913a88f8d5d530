"""The frozen cases of ``bench/cpu.py`` and their torch peers (SDPA, FlexAttention).

:func:`setup` builds one case: attncc's program and arguments, the SDPA and FlexAttention
callables on the same float32 tensors, a float64 reference, and the counts the rates use
(unmasked pairs, K + V bytes). Peers are described in ``bench/cpu.py``'s docstring.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace

from _masks import MASK_KINDS
from _masks import mask_case

__all__ = [
    "CAP",
    "CASES",
    "DOCS",
    "PAGE",
    "ROPE",
    "SEED",
    "WINDOW",
    "Case",
    "Setup",
    "quick",
    "setup",
]

SEED = 0
WINDOW = 256
CAP = 30.0
DOCS = 4
PAGE = 16
ROPE = 64  # MLA's decoupled RoPE dims (DeepSeek-V3)
SPARE_PAGES = 64  # pool pages no sequence uses: the page table is a real permutation


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # causal | window | softcap | alibi | document | decode | paged | mla | _masks kinds
    h: int
    hk: int
    p: int
    m: int
    d: int
    b: int = 1
    dtype: str = "f32"  # f32 | bf16: Q, K, V and O (attncc: variants.in_dtype)

    @property
    def decode(self) -> bool:
        """One query a head over a cache: counted in bytes read, not FLOPs."""
        return self.kind in ("decode", "paged", "mla")

    @property
    def title(self) -> str:
        heads = f"H{self.h}" if self.h == self.hk else f"H{self.h}/{self.hk}"
        if self.decode:
            extra = f", page {PAGE}" if self.kind == "paged" else ""
            extra += f", {self.dtype}" if self.dtype != "f32" else ""
            d = f"{self.d}+{ROPE}" if self.kind == "mla" else self.d
            return f"{self.name} B{self.b} {heads} D{d} cache {self.m}{extra}"
        extra = {"window": f" W{WINDOW}", "softcap": f" cap {CAP:g}", "document": f" {DOCS} docs"}
        return f"{self.name} B{self.b} {heads} S{self.p} D{self.d}{extra.get(self.kind, '')}"

    @property
    def itemsize(self) -> int:
        return 2 if self.dtype == "bf16" else 4

    def torch_dtype(self):
        import torch

        return torch.bfloat16 if self.dtype == "bf16" else torch.float32


#: The frozen product of cases (full run).
CASES = (
    Case("causal", "causal", 8, 8, 2048, 2048, 64),
    Case("window", "window", 8, 8, 2048, 2048, 64),
    Case("softcap", "softcap", 8, 8, 2048, 2048, 64),
    Case("alibi", "alibi", 8, 8, 2048, 2048, 64),
    Case("gqa", "causal", 32, 8, 1024, 1024, 128),
    Case("document", "document", 8, 8, 2048, 2048, 64),
    Case("dilated", "dilated", 8, 8, 2048, 2048, 64),
    Case("neighborhood", "neighborhood", 8, 8, 2048, 2048, 64),
    Case("block_causal", "block_causal", 8, 8, 2048, 2048, 64),
    Case("longformer", "longformer", 8, 8, 2048, 2048, 64),
    Case("tree", "tree", 8, 8, 2048, 2048, 64),
    Case("decode", "decode", 32, 8, 1, 32768, 128),
    Case("paged", "paged", 32, 8, 1, 32768, 128),
    Case("decode_bf16", "decode", 32, 8, 1, 32768, 128, dtype="bf16"),
    Case("paged_bf16", "paged", 32, 8, 1, 32768, 128, dtype="bf16"),
    # MLA decode, absorbed (DeepSeek-V3's latent rank 512 + RoPE 64; 16 heads: 128 split 8 ways)
    Case("mla", "mla", 16, 1, 1, 32768, 512),
)


def quick(case: Case) -> Case:
    """--quick sizes: a quarter of the sequence, an 8th of the cache."""
    if case.decode:
        return replace(case, m=case.m // 8)
    return replace(case, p=case.p // 4, m=case.m // 4)


# ------------------------------------------------------------------------------ setups


@dataclass
class Setup:
    """One case, built: attncc's program and arguments, the torch peers, the reference."""

    program: object
    args: dict
    sdpa: Callable
    sdpa_note: str
    flex: Callable  # compiles on its first call
    flex_note: str
    ref: object  # float64 torch tensor
    pairs: int  # unmasked (b, h, p, m) quadruples
    bytes: int  # K + V bytes read (decode)
    note: str = ""


def reference(q, k, v, visible=None, bias=None, cap=None, scale=None):
    """float64 attention without expanding K/V to the query heads: query heads grouped by
    KV head; ``visible`` [p, m] (or broadcastable to [b, g, i, p, m]), ``bias`` [h, p, m];
    ``scale`` defaults to ``1 / sqrt(head dim)``."""
    import torch

    b, h, p, d = q.shape
    g, m = k.shape[1], k.shape[2]
    qg = q.double().reshape(b, g, h // g, p, d)
    scale = 1 / math.sqrt(d) if scale is None else scale
    s = torch.einsum("bgipd,bgmd->bgipm", qg, k.double()) * scale
    if cap is not None:
        s = cap * torch.tanh(s / cap)
    if bias is not None:
        s = s + bias.double().reshape(1, g, h // g, p, m)
    if visible is not None:
        s = s.masked_fill(~visible, float("-inf"))
    w = torch.softmax(s, dim=-1).nan_to_num(0.0)
    return torch.einsum("bgipm,bgmd->bgipd", w, v.double()).reshape(b, h, p, v.shape[-1])


def _segments(n: int, docs: int, seed: int):
    import numpy as np

    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.choice(np.arange(n // 16, n - n // 16), docs - 1, replace=False))
    seg = np.zeros(n, np.int32)
    for c in cuts:
        seg[c:] += 1
    return seg


def setup(case: Case, flex_attention: Callable, seed: int) -> Setup:
    import torch
    import torch.nn.functional as F
    from torch.nn.attention.flex_attention import create_block_mask

    from attncc import variants

    gen = torch.Generator().manual_seed(seed)
    b, h, hk, p, m, d = case.b, case.h, case.hk, case.p, case.m, case.d
    gqa, heads = h != hk, ("gqa" if h != hk else "mha")
    q = torch.randn(b, h, p, d, generator=gen).to(case.torch_dtype())
    if case.kind == "paged":
        return _paged_setup(case, flex_attention, gen, q)
    if case.kind == "mla":
        return _mla_setup(case, flex_attention, gen, q)
    k, v = (torch.randn(b, hk, m, d, generator=gen).to(case.torch_dtype()) for _ in "kv")
    pi, mi = torch.arange(p)[:, None], torch.arange(m)[None, :]
    args = {"Q": q, "K": k, "V": v}
    causal_mask = pi >= mi
    note, score_mod, bias, cap = "", None, None, None

    def causal(b_, h_, q_, k_):
        return q_ >= k_

    mask_mod, visible = causal, causal_mask
    sdpa_note = "is_causal"
    if case.kind == "causal":
        program = variants.attention(heads=heads, causal=True)
    elif case.kind == "window":
        program = variants.sliding_window(heads=heads, window=WINDOW)
        args["W"] = WINDOW
        visible = causal_mask & (pi - mi < WINDOW)
        sdpa_note = "bool mask"

        def mask_mod(b_, h_, q_, k_):
            return (q_ >= k_) & (q_ - k_ < WINDOW)

    elif case.kind == "softcap":
        program = variants.softcap(heads=heads, causal=True, cap=CAP)
        args["cap"] = CAP
        cap = CAP
        sdpa_note = "eager torch (no score_mod in SDPA)"

        def score_mod(s, b_, h_, q_, k_):
            return CAP * torch.tanh(s / CAP)

    elif case.kind == "alibi":
        program = variants.alibi(heads=heads)
        slope = 2.0 ** (-8.0 * torch.arange(1, h + 1, dtype=torch.float32) / h)
        args["SLOPE"] = slope
        bias = slope[:, None, None] * (mi - pi).float()  # [h, p, m]
        sdpa_note = "float mask (bias, -inf)"

        def score_mod(s, b_, h_, q_, k_):
            return s + slope[h_] * (k_ - q_)

    elif case.kind == "document":
        program = variants.document(heads=heads, causal=True)
        seg = torch.from_numpy(_segments(m, DOCS, seed))
        args["SQ"], args["SK"] = seg[None, m - p :].clone(), seg[None].clone()
        visible = causal_mask & (seg[m - p :, None] == seg[None, :])
        sdpa_note = "bool mask"
        note = f"document lengths {torch.bincount(seg).tolist()}"

        def mask_mod(b_, h_, q_, k_):
            return (q_ >= k_) & (seg[q_] == seg[k_])

    elif case.kind in MASK_KINDS:
        program, extra, visible, mask_mod, note = mask_case(case.kind, heads, p, m, seed)
        args |= extra
        sdpa_note = "bool mask"
    elif case.kind == "decode":
        program = variants.attention(heads=heads, causal=False)
        mask_mod, visible, sdpa_note = None, None, "no mask"
    else:
        raise ValueError(case.kind)

    if case.kind == "softcap":

        def sdpa():
            s = (q @ k.transpose(-1, -2)) / math.sqrt(d)
            s = (CAP * torch.tanh(s / CAP)).masked_fill(~causal_mask, float("-inf"))
            return torch.softmax(s, dim=-1) @ v

    elif sdpa_note == "is_causal":

        def sdpa():
            return F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=gqa)

    else:
        mask = visible
        if bias is not None:
            mask = bias.masked_fill(~visible, float("-inf"))[None]

        def sdpa():
            return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=gqa)

    if gqa:
        sdpa_note += ", enable_gqa"
    t0 = time.perf_counter()
    block_mask = None if mask_mod is None else create_block_mask(mask_mod, None, None, p, m, "cpu")
    if block_mask is not None:  # FlexAttention's own pre-pass, paid once per mask and length
        note += ("; " if note else "") + f"create_block_mask {time.perf_counter() - t0:.2f} s"
    flex_note = (
        ("block mask" if block_mask is not None else "no block mask")
        + (", score_mod" if score_mod is not None else "")
        + (", enable_gqa" if gqa else "")
    )

    def flex():
        return flex_attention(q, k, v, score_mod=score_mod, block_mask=block_mask, enable_gqa=gqa)

    pairs = b * h * (p * m if visible is None else int(visible.sum()))
    ref = reference(q, k, v, visible, bias, cap)
    if case.dtype != "f32":
        program = variants.in_dtype(program, case.dtype, inputs=("Q", "K", "V"))
    kv_bytes = 2 * b * hk * m * d * case.itemsize
    return Setup(program, args, sdpa, sdpa_note, flex, flex_note, ref, pairs, kv_bytes, note)


def _paged_setup(case: Case, flex_attention: Callable, gen, q) -> Setup:
    import torch
    import torch.nn.functional as F
    from torch.nn.attention.experimental._paged_attention import PagedAttention
    from torch.nn.attention.flex_attention import create_block_mask
    from torch.nn.attention.flex_attention import noop_mask

    from attncc import variants

    b, h, hk, m, d = case.b, case.h, case.hk, case.m, case.d
    assert b == 1 and m % PAGE == 0, "paged case: one sequence of whole pages"
    j = m // PAGE
    u = j + SPARE_PAGES
    kc = torch.randn(u, PAGE, hk, d, generator=gen).to(case.torch_dtype())  # NHD pool
    vc = torch.randn(u, PAGE, hk, d, generator=gen).to(case.torch_dtype())
    pt = torch.randperm(u, generator=gen)[:j].to(torch.int32)[None]  # [1, j]
    kvlen = torch.tensor([m], dtype=torch.int32)
    pages = pt[0].long()

    def gather(pool):  # [u, n, g, d] -> contiguous logical [1, g, m, d]
        return pool.index_select(0, pages).reshape(m, hk, d).transpose(0, 1).unsqueeze(0)

    def sdpa():
        kg, vg = gather(kc).contiguous(), gather(vc).contiguous()
        return F.scaled_dot_product_attention(q, kg, vg, enable_gqa=True)

    pa = PagedAttention(u, PAGE, 1, device="cpu")
    pa.page_table[0, :j] = pages
    pa.physical_to_logical[0, pages] = torch.arange(j)
    pa.capacity[0] = m
    logical = create_block_mask(noop_mask, 1, None, 1, m, "cpu", BLOCK_SIZE=(128, PAGE))
    block_mask = pa.convert_logical_block_mask(logical, kv_len=kvlen.long())
    kp = kc.permute(2, 0, 1, 3).reshape(1, hk, u * PAGE, d).contiguous()  # untimed layout
    vp = vc.permute(2, 0, 1, 3).reshape(1, hk, u * PAGE, d).contiguous()

    def flex():
        return flex_attention(q, kp, vp, block_mask=block_mask, enable_gqa=True)

    ref = reference(q, gather(kc), gather(vc))
    args = {"Q": q, "KC": kc, "VC": vc, "PT": pt, "KVLEN": kvlen}
    program = variants.paged(heads="gqa")
    if case.dtype != "f32":
        program = variants.in_dtype(program, case.dtype, inputs=("Q", "KC", "VC"))
    return Setup(
        program,
        args,
        sdpa,
        "index_select pages to a contiguous cache (timed) + SDPA, enable_gqa",
        flex,
        "PagedAttention block mask over the pool, page = KV block 16, enable_gqa",
        ref,
        b * h * m,
        2 * b * hk * m * d * case.itemsize,
        f"pool {u} pages of {PAGE}, page table a random permutation",
    )


def _mla_setup(case: Case, flex_attention: Callable, gen, qn) -> Setup:
    """MLA decode in the absorbed form (``variants.mla``): every head attends over one latent
    cache ``CKV`` [b, m, d] plus RoPE keys ``KR`` [b, m, 64]. The peers see it as attention
    with one KV head: K = [CKV | KR] (d + 64 wide), V = CKV. SDPA's fused CPU kernel wants V
    as wide as K, so its V is CKV zero-padded to d + 64 (prepared once, untimed) and the
    output sliced; without the padding SDPA falls back to its unfused path (~100× slower)."""
    import torch
    import torch.nn.functional as F

    from attncc import variants
    from attncc.variants.mla import DEFAULT_SCALE

    b, h, m, d = case.b, case.h, case.m, case.d
    assert case.hk == 1 and case.p == 1, "MLA case: decode, one latent cache for every head"
    dtype = case.torch_dtype()
    qr = torch.randn(b, h, 1, ROPE, generator=gen).to(dtype)
    ckv = torch.randn(b, m, d, generator=gen).to(dtype)
    kr = torch.randn(b, m, ROPE, generator=gen).to(dtype)
    scale = DEFAULT_SCALE  # variants.mla's: from the un-absorbed head dims, 128 + 64
    q = torch.cat([qn, qr], dim=-1)
    k = torch.cat([ckv, kr], dim=-1)[:, None]  # [b, 1, m, d + 64]
    v = ckv[:, None]
    v_wide = torch.cat([ckv, torch.zeros(b, m, ROPE, dtype=dtype)], dim=-1)[:, None]

    def sdpa():
        out = F.scaled_dot_product_attention(q, k, v_wide, scale=scale, enable_gqa=True)
        return out[..., :d]

    def flex():
        return flex_attention(q, k, v, scale=scale, enable_gqa=True)

    program = variants.mla()
    if case.dtype != "f32":
        program = variants.in_dtype(program, case.dtype, inputs=("QN", "QR", "CKV", "KR"))
    ref = reference(q, k, v, scale=scale)
    return Setup(
        program,
        {"QN": qn, "QR": qr, "CKV": ckv, "KR": kr},
        sdpa,
        f"K = [CKV | KR], V = CKV zero-padded to {d + ROPE} (untimed), enable_gqa",
        flex,
        "K = [CKV | KR], V = CKV, one KV head, enable_gqa",
        ref,
        b * h * m,
        b * m * (d + ROPE) * case.itemsize,
        "absorbed form: one latent cache for every head",
    )
