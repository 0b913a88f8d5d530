"""Masks the affine band analysis cannot classify, for ``bench/cpu.py``: attncc programs in
the text language and the same masks as FlexAttention ``mask_mod`` s and SDPA bool masks.

Sizes are frozen here: dilated window 512 with dilation 2 (causal), a 2-D neighbourhood of
radius 3 on a 64-wide canvas (NATTEN-style ``//`` and ``%``), block-causal blocks of 128
(block diffusion), Longformer global tokens (32) plus a symmetric window of 256, and a tree
mask from an ancestor matrix (a random tree whose parents lie at most 64 tokens back).
"""

from __future__ import annotations

__all__ = ["MASKS_NOTE", "MASK_KINDS", "mask_case"]

DILATED = (512, 2)  # window, dilation
CANVAS, RADIUS = 64, 3
BLOCK = 128
GLOBAL, SPAN = 32, 256
TREE_REACH = 64

_TEXT = """program {name}
input Q[b, h, p, e] : f32
input K[b, g, m, e] : f32
input V[b, g, m, f] : f32
{params}
let G = h / g
let scale = 1 / sqrt(e)

S[b, h, p, m] = sum(e) Q[b, h, p, e] * K[b, h / G, m, e] * scale where {mask}
MX[b, h, p] = max(m) S[b, h, p, m]
E[b, h, p, m] = exp(S[b, h, p, m] - MX[b, h, p])
L[b, h, p] = sum(m) E[b, h, p, m]
O[b, h, p, f] = sum(m) E[b, h, p, m] * V[b, h / G, m, f] / L[b, h, p]
output O
"""

#: kind -> (attncc params, attncc mask, note)
_MASKS = {
    "dilated": (
        {"W": DILATED[0], "DIL": DILATED[1]},
        "p >= m and p - m < W and (p - m) % DIL == 0",
        f"causal window {DILATED[0]}, dilation {DILATED[1]}",
    ),
    "neighborhood": (
        {"CW": CANVAS, "R": RADIUS},
        "abs(p / CW - m / CW) <= R and abs(p % CW - m % CW) <= R",
        f"2-D neighbourhood radius {RADIUS} on a {CANVAS}-wide canvas",
    ),
    "block_causal": ({"BS": BLOCK}, "m / BS <= p / BS", f"block-causal blocks of {BLOCK}"),
    "longformer": (
        {"W": SPAN, "NG": GLOBAL},
        "abs(p - m) < W or m < NG or p < NG",
        f"{GLOBAL} global tokens + window {SPAN} (both sides)",
    ),
}
MASK_KINDS = (*_MASKS, "tree")
MASKS_NOTE = "; ".join(note for _, _, note in _MASKS.values()) + (
    f"; tree: ancestor matrix of a random tree, parents at most {TREE_REACH} back"
)


def _visible(kind: str, pi, mi, params: dict):
    """The mask as torch ops on index tensors (works for SDPA grids and as a mask_mod)."""
    if kind == "dilated":
        d = pi - mi
        return (d >= 0) & (d < params["W"]) & (d % params["DIL"] == 0)
    if kind == "neighborhood":
        cw, r = params["CW"], params["R"]
        return ((pi // cw - mi // cw).abs() <= r) & ((pi % cw - mi % cw).abs() <= r)
    if kind == "block_causal":
        return mi // params["BS"] <= pi // params["BS"]
    if kind == "longformer":
        return ((pi - mi).abs() < params["W"]) | (mi < params["NG"]) | (pi < params["NG"])
    raise ValueError(kind)


def _ancestors(n: int, seed: int):
    """Bool [n, n]: key m is an ancestor of (or is) query p in a random tree."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    anc = torch.zeros(n, n, dtype=torch.bool)
    for i in range(n):
        anc[i, i] = True
        if i:
            lo = max(0, i - TREE_REACH)
            parent = int(torch.randint(lo, i, (1,), generator=gen))
            anc[i] |= anc[parent]
    return anc


def mask_case(kind: str, heads: str, p: int, m: int, seed: int):
    """(program, extra attncc args, visible [p, m], mask_mod, note) of a mask kind."""
    import torch

    import attncc
    from attncc import variants

    pi, mi = torch.arange(p)[:, None], torch.arange(m)[None, :]
    if kind == "tree":
        assert p == m, "tree case: queries are the tree's nodes"
        anc = _ancestors(p, seed)

        def tree_mod(b_, h_, q_, k_):
            return anc[q_, k_]

        args = {"MASK": anc[None].clone()}
        note = f"random tree, parents at most {TREE_REACH} back"
        return variants.tree_mask(heads=heads), args, anc, tree_mod, note
    params, mask, note = _MASKS[kind]
    decl = "\n".join(f"param {k} : i32 = {v}" for k, v in params.items())
    program = attncc.parse(_TEXT.format(name=kind, params=decl, mask=mask))

    def mask_mod(b_, h_, q_, k_):
        return _visible(kind, q_, k_, params)

    return program, dict(params), _visible(kind, pi, mi, params), mask_mod, note
