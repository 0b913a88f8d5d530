"""Programs the fused CPU kernel took over from the generic lowering, fused against generic,
with a torch eager peer on the same float32 tensors: weighted sums without softmax (sigmoid
and linear attention), helper statements computed by the kernel (tree ancestors by pointer
chasing, document ids counted from offsets), QK in two parts (MLA) and K / V rows chosen per
query (top-k).

* ``sigmoid``: causal sigmoid attention, B1 H8 S2048 D64. Peer: ``sigmoid(Q Kᵀ/√d + b)``
  masked to 0, times V (what FlexAttention cannot express: it normalises with a softmax).
* ``linear``: causal linear attention (``elu + 1`` features, normalised), same sizes, in
  its quadratic form. Peer: the same quadratic form in torch.
* ``tree``: ``variants.tree_parent`` -- 1984 committed keys and a 64-token draft tree (random
  parents, depth ≤ 4), GQA 32/8 D128. Peer: SDPA with the ancestor mask (built beforehand).
* ``doc_offsets``: document ids counted in the program from each document's first position
  (4 documents), causal, B1 H8 S2048 D64. Peer: SDPA with the document mask (built beforehand).
* ``mla``: MLA decode in the absorbed form (``variants.mla``), DeepSeek-V3 dims (latent
  512, RoPE 64), 16 heads (a tensor-parallel shard of 128), one query, an 8k latent
  cache. Peer: the same absorbed form in torch (two matmuls, softmax, one matmul).
* ``topk``: a top-k gather (``variants.topk_gather``): 16 queries, each attending to its own
  2048 keys of a 32k cache, GQA 32/8 D128. Peer: torch gathers each query's K / V rows,
  then matmul, softmax, matmul.

One process, round-robin blocks with pauses (``_timing.interleaved``); every output is
checked against the fused one first.

    python bench/fused_vs_generic.py [--rounds 5] [--cases sigmoid,linear,tree,doc_offsets,mla,topk]
"""

from __future__ import annotations

import argparse
import math

import numpy as np
from _timing import host_lines
from _timing import interleaved

DOC_OFFSETS = """
program doc_offsets
input Q[b, h, p, e] : f32
input K[b, h, m, e] : f32
input V[b, h, m, f] : f32
input OFFS[b, j] : i32
let scale = 1 / sqrt(e)
DQ[b, p] = sum(j) select(OFFS[b, j] <= p, 1, 0)
DK[b, m] = sum(j) select(OFFS[b, j] <= m, 1, 0)
S[b, h, p, m] = sum(e) Q[b, h, p, e] * K[b, h, m, e] * scale where DQ[b, p] == DK[b, m] and m <= p
MX[b, h, p] = max(m) S[b, h, p, m]
E[b, h, p, m] = exp(S[b, h, p, m] - MX[b, h, p])
L[b, h, p] = sum(m) E[b, h, p, m]
O[b, h, p, f] = sum(m) E[b, h, p, m] * V[b, h, m, f] / L[b, h, p]
output O
"""


def _cases(gen):
    import torch
    import torch.nn.functional as F

    import attncc
    from attncc import variants

    out = {}
    # sigmoid attention, causal
    h, s, d = 8, 2048, 64
    q, k, v = (torch.randn(1, h, s, d, generator=gen) for _ in "qkv")
    causal = torch.ones(s, s, dtype=torch.bool).tril()
    bias = -math.log(s)

    def sigmoid_peer(q=q, k=k, v=v, d=d, causal=causal, bias=bias):
        w = torch.sigmoid(q @ k.transpose(-1, -2) / math.sqrt(d) + bias)
        return w.masked_fill(~causal, 0.0) @ v

    def linear_peer(q=q, k=k, v=v, causal=causal):
        fq, fk = F.elu(q) + 1, F.elu(k) + 1
        a = (fq @ fk.transpose(-1, -2)).masked_fill(~causal, 0.0)
        return (a / a.sum(-1, keepdim=True)) @ v

    out["linear"] = (variants.linear_causal(heads="mha"), {"Q": q, "K": k, "V": v}, linear_peer)
    out["sigmoid"] = (
        variants.sigmoid_attention(causal=True),
        {"Q": q, "K": k, "V": v},
        sigmoid_peer,
    )
    # tree of drafts over a committed prefix
    h, hk, d, p, m = 32, 8, 128, 64, 2048
    q = torch.randn(1, h, p, d, generator=gen)
    k, v = (torch.randn(1, hk, m, d, generator=gen) for _ in "kv")
    par = np.full(p, -1, np.int32)
    depth = np.zeros(p, int)
    rng = np.random.default_rng(0)
    for i in range(1, p):
        cands = [j for j in range(i) if depth[j] < 4]
        par[i] = rng.choice(cands)
        depth[i] = depth[par[i]] + 1
    visible = torch.zeros(p, m, dtype=torch.bool)
    visible[:, : m - p] = True
    for i in range(p):
        j = i
        while j >= 0:
            visible[i, m - p + j] = True
            j = par[j]
    tree_args = {"Q": q, "K": k, "V": v, "PAR": torch.from_numpy(par)[None]}

    def tree_peer(q=q, k=k, v=v, visible=visible):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=visible, enable_gqa=True)

    out["tree"] = (variants.tree_parent(heads="gqa"), tree_args, tree_peer)
    # document ids from offsets
    h, s, d = 8, 2048, 64
    q, k, v = (torch.randn(1, h, s, d, generator=gen) for _ in "qkv")
    offs = torch.tensor([[0, 300, 1100, 1500]], dtype=torch.int32)
    doc = (torch.arange(s)[:, None] >= offs[0][None]).sum(-1)
    mask = (doc[:, None] == doc[None]) & causal

    def doc_peer(q=q, k=k, v=v, mask=mask):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)

    doc_args = {"Q": q, "K": k, "V": v, "OFFS": offs}
    out["doc_offsets"] = (attncc.parse(DOC_OFFSETS), doc_args, doc_peer)
    # MLA decode, absorbed
    h, m, dn, da = 16, 8192, 512, 64
    qn, qr = torch.randn(1, h, 1, dn, generator=gen), torch.randn(1, h, 1, da, generator=gen)
    ckv, kr = torch.randn(1, m, dn, generator=gen), torch.randn(1, m, da, generator=gen)
    mla = variants.mla()
    scale = float(next(d.default for d in mla.decls if getattr(d, "name", "") == "SCALE"))

    def mla_peer(qn=qn, qr=qr, ckv=ckv, kr=kr, scale=scale):
        s = (qn @ ckv[:, None].transpose(-1, -2) + qr @ kr[:, None].transpose(-1, -2)) * scale
        return torch.softmax(s, dim=-1) @ ckv[:, None]

    out["mla"] = (mla, {"QN": qn, "QR": qr, "CKV": ckv, "KR": kr}, mla_peer)
    # top-k gather: each query attends to its own 2048 of a 32k cache
    h, hk, d, p, m, top = 32, 8, 128, 16, 32768, 2048
    q = torch.randn(1, h, p, d, generator=gen)
    k, v = (torch.randn(1, hk, m, d, generator=gen) for _ in "kv")
    idx = torch.stack([torch.randperm(m, generator=gen)[:top] for _ in range(p)])[None]
    idx = idx.to(torch.int32)

    def topk_peer(q=q, k=k, v=v, idx=idx, d=d, g=h // hk):
        kg, vg = k[0][:, idx[0].long()], v[0][:, idx[0].long()]  # [hk, p, top, d]
        qg = q[0].view(hk, g, p, d).transpose(1, 2)  # [hk, p, g, d]
        w = torch.softmax(qg @ kg.transpose(-1, -2) / math.sqrt(d), dim=-1)
        return (w @ vg).transpose(1, 2).reshape(1, h, p, d)

    topk_args = {"Q": q, "K": k, "V": v, "IDX": idx}
    out["topk"] = (variants.topk_gather(heads="gqa"), topk_args, topk_peer)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pause", type=float, default=0.3)
    ap.add_argument("--cases", default="sigmoid,linear,tree,doc_offsets,mla,topk")
    opts = ap.parse_args()

    import torch

    import attncc
    from attncc.targets.cpu.host import configure_threads

    threads = configure_threads()
    torch.set_num_threads(threads)
    for line in host_lines(threads):
        print(line)
    cases = _cases(torch.Generator().manual_seed(0))
    plan = []
    for name in opts.cases.split(","):
        program, args, peer = cases[name]
        fused = attncc.compile(program, "cpu")
        generic = attncc.compile(program, "cpu", config={"lowering": "generic"})
        ref = np.asarray(fused(**args))
        assert fused.config["lowering"] == "fused", name
        for side, fn in (("generic", lambda g=generic, a=args: g(**a)), ("torch", peer)):
            err = float(np.abs(np.asarray(fn()) - ref).max())
            assert err < 1e-4, f"{name} {side}: max |diff| {err} against the fused kernel"
        plan += [
            (f"{name} fused", lambda f=fused, a=args: f(**a), 3, True),
            (f"{name} generic", lambda g=generic, a=args: g(**a), 1, True),
            (f"{name} torch", peer, 3, True),
        ]
    res = interleaved(plan, opts.rounds, opts.pause)
    print(f"\n{threads} threads, medians of {opts.rounds} blocks")
    print("| case | fused ms | generic ms | torch peer ms | fused × generic | fused × peer |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in opts.cases.split(","):
        f, g, t = (res[f"{name} {side}"].median * 1e3 for side in ("fused", "generic", "torch"))
        print(f"| {name} | {f:.1f} | {g:.1f} | {t:.1f} | {g / f:.1f} | {t / f:.2f} |")


if __name__ == "__main__":
    main()
