"""A gallery of FlexAttention mods, written as a FlexAttention user writes them.

Each entry is a ``score_mod(score, b, h, q_idx, kv_idx)`` and/or ``mask_mod(b, h, q_idx,
kv_idx)`` exactly as torch's ``flex_attention`` takes them; attncc runs them unchanged::

    import attncc.torch
    mods = gallery(q_len=1024, heads=8)["document"]
    out = attncc.torch.flex_attention(q, k, v, mods.score_mod, mask_mod=mods.mask_mod)

The tests check every entry against torch's own ``flex_attention``; ``bench/flex.py`` times
them against ``torch.compile(flex_attention)``. Captured numbers (``WINDOW``, ``CAP``) become
params of the traced program and captured tensors (document ids, bias tables, an ancestor
matrix, a page map) its inputs, so a new length or new values reuse the compiled kernel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.nn.attention.flex_attention import and_masks
from torch.nn.attention.flex_attention import or_masks

__all__ = ["PAGE", "Mods", "gallery"]

PAGE = 16  # tokens per page of the paged KV cache
CANVAS_WIDTH = 7  # tokens per row of the 2-D canvas (rows follow from the length)
DIFFUSION_BLOCK = 4  # tokens per block of block diffusion


@dataclass(frozen=True)
class Mods:
    """One attention variant: its mods, and the key length it runs at (a paged cache's
    physical length differs from the query's)."""

    name: str
    score_mod: Callable | None = None
    mask_mod: Callable | None = None
    kv_len: int | None = None  # None: the query's length


def causal(b, h, q_idx, kv_idx):
    return q_idx >= kv_idx


def sliding_window(window: int) -> Callable:
    def sliding_window_mask(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (q_idx - kv_idx < window)

    return sliding_window_mask


def prefix_lm(prefix: int) -> Callable:
    def prefix_mask(b, h, q_idx, kv_idx):
        return (kv_idx < prefix) | (q_idx >= kv_idx)

    return prefix_mask


def document(doc_ids: torch.Tensor) -> Callable:
    """Causal attention within documents; tokens of document -1 (padding) see nothing."""

    def document_mask(b, h, q_idx, kv_idx):
        same = doc_ids[q_idx] == doc_ids[kv_idx]
        return same & (q_idx >= kv_idx) & (doc_ids[q_idx] >= 0)

    return document_mask


def doc_ids_from_offsets(offsets: torch.Tensor, length: int) -> torch.Tensor:
    """Document id of each token from the documents' start offsets (tokens past the last
    offset's document are padding: -1)."""
    tokens = torch.arange(length)
    ids = torch.searchsorted(offsets, tokens, right=True) - 1
    return torch.where(tokens < offsets[-1], ids, -1)


def dilated_window(window: int, dilation: int) -> Callable:
    def dilated_mask(b, h, q_idx, kv_idx):
        d = q_idx - kv_idx
        return (d >= 0) & (d < window * dilation) & (d % dilation == 0)

    return dilated_mask


def longformer(window: int, global_tokens: int) -> Callable:
    """A local band, plus global tokens that see and are seen by everything."""

    def local(b, h, q_idx, kv_idx):
        return torch.abs(q_idx - kv_idx) <= window

    def global_rows(b, h, q_idx, kv_idx):
        return q_idx < global_tokens

    def global_cols(b, h, q_idx, kv_idx):
        return kv_idx < global_tokens

    return or_masks(local, global_rows, global_cols)


def neighborhood_2d(width: int, radius: int) -> Callable:
    """NATTEN-style: tokens on a canvas ``width`` wide attend within ``radius`` on each axis."""

    def neighborhood_mask(b, h, q_idx, kv_idx):
        qx, qy = q_idx % width, q_idx // width
        kx, ky = kv_idx % width, kv_idx // width
        return (torch.abs(qx - kx) <= radius) & (torch.abs(qy - ky) <= radius)

    return neighborhood_mask


def block_diffusion(n: int, block: int) -> Callable:
    """Block-diffusion training: noisy tokens ``[0, n)`` then clean ones ``[n, 2n)``. Noisy
    tokens see their own noisy block and earlier clean blocks; clean tokens see clean
    blocks up to their own."""

    def block_diffusion_mask(b, h, q_idx, kv_idx):
        q_clean, kv_clean = q_idx >= n, kv_idx >= n
        # (not ``q_idx % n``: a divisor is compiled in, and n changes with the length)
        q_block = torch.where(q_clean, q_idx - n, q_idx) // block
        kv_block = torch.where(kv_clean, kv_idx - n, kv_idx) // block
        diagonal = ~q_clean & ~kv_clean & (q_block == kv_block)
        offset_causal = ~q_clean & kv_clean & (q_block > kv_block)
        clean_causal = q_clean & kv_clean & (q_block >= kv_block)
        return diagonal | offset_causal | clean_causal

    return block_diffusion_mask


def tree(ancestor: torch.Tensor) -> Callable:
    """Tree attention (speculative decoding): a token sees its ancestors and itself."""

    def tree_mask(b, h, q_idx, kv_idx):
        return ancestor[q_idx, kv_idx]

    return tree_mask


def random_tree(n: int, seed: int = 0) -> torch.Tensor:
    """``ancestor[i, j]``: node ``j`` is ``i`` or an ancestor of ``i``, for a random tree."""
    gen = torch.Generator().manual_seed(seed)
    ancestor = torch.eye(n, dtype=torch.bool)
    for i in range(1, n):
        parent = int(torch.randint(0, i, (1,), generator=gen))
        ancestor[i] |= ancestor[parent]
    return ancestor


def alibi(heads: int) -> Callable:
    """ALiBi: a per-head linear penalty by distance, slopes ``2^(-8 (h + 1) / heads)``."""

    def alibi_score(score, b, h, q_idx, kv_idx):
        slope = torch.exp2(-8.0 * (h + 1) / heads)
        return score + slope * (kv_idx - q_idx)

    return alibi_score


def softcap(cap: float) -> Callable:
    def softcap_score(score, b, h, q_idx, kv_idx):
        return cap * torch.tanh(score / cap)

    return softcap_score


def relative_bias(table: torch.Tensor, kv_len: int) -> Callable:
    """A learned bias per relative position ``q_idx - kv_idx``."""

    def relative_bias_score(score, b, h, q_idx, kv_idx):
        return score + table[q_idx - kv_idx + kv_len - 1]

    return relative_bias_score


def head_distance_bias(bias: torch.Tensor, bucket: torch.Tensor) -> Callable:
    """T5-style: a per-head bias, gathered by a precomputed distance bucket."""

    def head_bias_score(score, b, h, q_idx, kv_idx):
        return score + bias[h, bucket[q_idx, kv_idx]]

    return head_bias_score


def distance_buckets(q_len: int, kv_len: int, buckets: int) -> torch.Tensor:
    d = (torch.arange(q_len)[:, None] - torch.arange(kv_len)[None, :]).abs()
    return torch.clamp(d, max=buckets - 1).to(torch.int32)


def paged(page_to_logical: torch.Tensor, mask_mod: Callable) -> Callable:
    """``mask_mod`` over logical positions, for keys stored in physical pages: page ``i``
    of the cache holds logical page ``page_to_logical[i]`` (-1: unused)."""

    def paged_mask(b, h, q_idx, kv_idx):
        logical_page = page_to_logical[kv_idx // PAGE]
        logical = logical_page * PAGE + kv_idx % PAGE
        return torch.where(logical_page >= 0, mask_mod(b, h, q_idx, logical), False)

    return paged_mask


def page_map(q_len: int, seed: int = 0) -> torch.Tensor:
    """A shuffled page table for ``q_len`` logical tokens with one unused page."""
    pages = -(-q_len // PAGE)
    gen = torch.Generator().manual_seed(seed)
    table = torch.full((pages + 1,), -1, dtype=torch.int64)
    table[torch.randperm(pages + 1, generator=gen)[:pages]] = torch.arange(pages)
    return table


def gallery(q_len: int, heads: int, seed: int = 0) -> dict[str, Mods]:
    """Every variant at query length ``q_len`` with ``heads`` query heads (captured tensors
    are made for that length)."""
    gen = torch.Generator().manual_seed(seed)
    window = max(4, q_len // 8)
    offsets = torch.tensor([0, q_len // 3, q_len // 2, q_len - q_len // 7])
    pages = page_map(q_len, seed)
    entries = [
        Mods("causal", mask_mod=causal),
        Mods("sliding_window", mask_mod=sliding_window(window)),
        Mods("prefix_lm", mask_mod=prefix_lm(q_len // 4)),
        Mods("document", mask_mod=document(doc_ids_from_offsets(offsets, q_len))),
        Mods("dilated_window", mask_mod=dilated_window(window, 3)),
        Mods("longformer", mask_mod=longformer(window // 2, 3)),
        Mods("neighborhood_2d", mask_mod=neighborhood_2d(CANVAS_WIDTH, 2)),
        Mods("block_diffusion", mask_mod=block_diffusion(q_len // 2, DIFFUSION_BLOCK)),
        Mods("tree", mask_mod=tree(random_tree(q_len, seed))),
        Mods("alibi", score_mod=alibi(heads), mask_mod=causal),
        Mods("softcap", score_mod=softcap(20.0)),
        Mods(
            "relative_bias",
            score_mod=relative_bias(torch.randn(2 * q_len - 1, generator=gen), q_len),
        ),
        Mods(
            "head_distance_bias",
            score_mod=head_distance_bias(
                torch.randn(heads, 8, generator=gen), distance_buckets(q_len, q_len, 8)
            ),
        ),
        Mods("paged", mask_mod=paged(pages, causal), kv_len=len(pages) * PAGE),
        Mods(
            "composed",
            score_mod=softcap(30.0),
            mask_mod=and_masks(sliding_window(window), or_masks(prefix_lm(5), causal)),
        ),
    ]
    return {m.name: m for m in entries}
