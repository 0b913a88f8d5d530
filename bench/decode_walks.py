"""How decode walks K and V: a head at a time, every head of a key tile, or a gathered tile.

One process, configs timed round-robin (``_timing.interleaved``), GQA 32/8 D128 with a 32k
cache by default: the paged NHD pool (pages of 16, a random or an identity page table) and
the contiguous cache, each with the configs that decide ``flash_config._decode_walk``:

* ``head``: a work item per kv head (and key split), the old default;
* ``walk``: ``parallel_over="bq"``, every head of a key tile in one work item;
* ``gather``: ``walk`` with ``gather_kv``, the tile copied front to back first;
* ``default``: what attncc picks (``gather`` for a pool, ``head`` for a contiguous cache).

Every config's output is checked against the default's before timing.

    python bench/decode_walks.py [--keys 32768] [--rounds 8] [--identity]
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import host_lines
from _timing import interleaved

PAGE = 16
CONFIGS = {
    "default": {},
    "head": {"parallel_over": "bhq", "gather_kv": False, "split_kv": 4},
    "walk": {"parallel_over": "bq", "gather_kv": False, "split_kv": 4},
    "gather": {"parallel_over": "bq", "gather_kv": True, "split_kv": 4},
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keys", type=int, default=32768)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--identity", action="store_true", help="page table 0, 1, 2, ...")
    ap.add_argument("--pause", type=float, default=0.2)
    opts = ap.parse_args()

    import torch

    import attncc
    from attncc import variants
    from attncc.targets.cpu.host import configure_threads

    threads = configure_threads()
    for line in host_lines(threads):
        print(line)
    gen = torch.Generator().manual_seed(0)
    hk, h, d, m = 8, 32, 128, opts.keys
    pages = m // PAGE
    pool = pages + 64
    q = torch.randn(1, h, 1, d, generator=gen)
    kc, vc = (torch.randn(pool, PAGE, hk, d, generator=gen) for _ in "kv")
    order = torch.arange(pool) if opts.identity else torch.randperm(pool, generator=gen)
    paged_args = {
        "Q": q, "KC": kc, "VC": vc, "PT": order[:pages].to(torch.int32)[None],
        "KVLEN": torch.tensor([m], dtype=torch.int32),
    }  # fmt: skip
    k, v = (torch.randn(1, hk, m, d, generator=gen) for _ in "kv")
    cases = {
        "paged": (variants.paged(heads="gqa"), paged_args),
        "contiguous": (variants.gqa(), {"Q": q, "K": k, "V": v}),
    }
    plan = []
    for case, (program, args) in cases.items():
        ref = None
        for name, config in CONFIGS.items():
            kern = attncc.compile(program, "cpu", config=config or None)
            out = np.asarray(kern(**args))
            ref = out if ref is None else ref
            err = float(np.abs(out - ref).max())
            assert err < 1e-5, f"{case} {name}: max |diff| {err} against the default"
            print(f"{case} {name}: {kern.config}")
            plan.append((f"{case} {name}", lambda kern=kern, args=args: kern(**args), 8, True))
    res = interleaved(plan, opts.rounds, opts.pause)
    table = "identity" if opts.identity else "random"
    print(f"\nGQA 32/8 D128, {m} keys, pages of {PAGE} ({table} page table), {threads} threads")
    print("| case | config | median ms | min block ms |")
    print("| --- | --- | --- | --- |")
    for name, t in res.items():
        case, config = name.split(" ")
        print(f"| {case} | {config} | {t.median * 1e3:.2f} | {t.best * 1e3:.2f} |")


if __name__ == "__main__":
    main()
