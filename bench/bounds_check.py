"""What proving indices in bounds costs a call (issue 11): the check against the kernel.

Every compiled kernel call runs :class:`attncc.ir.bounds.BoundsCheck` before launching:
a cached verdict for the extents and params, plus one vectorised min/max per integer
input an index reads (page tables, gather indices). This script times, per case, the
whole call, the check alone (the repeated-call path), the min/max alone, and a first
check at new extents (no cached verdict), each the median of many repetitions.

    python bench/bounds_check.py

Cases: paged decode (a page table read through ``KC[PT[b, m / P], ...]``), top-k gather
prefill (``K[b, h / G, IDX[b, p, k], e]``) and a dense causal prefill (affine indices
only), at sizes where the kernel is short, so the check's share is as large as it gets.
"""

from __future__ import annotations

import functools
import platform
import statistics
import time
from dataclasses import dataclass

import numpy as np

import attncc
from attncc.ir.bind import bind
from attncc.ir.bounds import BoundsCheck
from attncc.targets.cpu.host import host_cpu


@dataclass(frozen=True)
class Config:
    repeats: int = 200
    seed: int = 0


def _median_s(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _paged(rng, small: bool = False):
    b, h, g, e, page, pages, slots = 4, 32, 8, 128, 16, 4096, 256  # 4 sequences of 4096 keys
    if small:
        b, h, g, e, page, pages, slots = 1, 8, 2, 64, 16, 64, 32  # 1 sequence of 512 keys
    q = rng.standard_normal((b, h, 1, e), dtype=np.float32)
    kc = rng.standard_normal((pages, page, g, e), dtype=np.float32)
    vc = rng.standard_normal((pages, page, g, e), dtype=np.float32)
    pt = rng.permutation(pages)[: b * slots].reshape(b, slots).astype(np.int32)
    kvlen = np.full(b, slots * page, np.int32)
    args = {"Q": q, "KC": kc, "VC": vc, "PT": pt, "KVLEN": kvlen}
    keys = slots * page
    label = f"paged decode B{b} H{h}/{g} D{e}, {keys} keys, page {page}"
    return label, attncc.variants.paged(), args


def _topk(rng):
    b, h, g, p, m, e, k = 1, 8, 2, 512, 4096, 64, 64
    q = rng.standard_normal((b, h, p, e), dtype=np.float32)
    kk = rng.standard_normal((b, g, m, e), dtype=np.float32)
    vv = rng.standard_normal((b, g, m, e), dtype=np.float32)
    idx = rng.integers(0, m, (b, p, k)).astype(np.int32)
    args = {"Q": q, "K": kk, "V": vv, "IDX": idx}
    return "top-k gather B1 H8/2 P512 M4096 k64 D64", attncc.variants.topk_gather(), args


def _causal(rng):
    q = rng.standard_normal((1, 8, 256, 64), dtype=np.float32)
    args = {"Q": q, "K": q, "V": q}
    return "causal B1 H8 S256 D64", attncc.variants.mha(causal=True), args


def main(cfg: Config = Config()) -> None:
    rng = np.random.default_rng(cfg.seed)
    print(
        f"CPU: {platform.processor() or platform.machine()} ({host_cpu()}), numpy {np.__version__}"
    )
    print("| case | call ms | check (cached) µs | min/max µs | first check µs | check / call |")
    print("| --- | --- | --- | --- | --- | --- |")
    for make in (_paged, functools.partial(_paged, small=True), _topk, _causal):
        label, program, args = make(rng)
        kernel = attncc.compile(program, "cpu")
        call = _median_s(lambda k=kernel, a=args: k(**a), max(10, cfg.repeats // 10))
        binding = bind(program, shapes={n: a.shape for n, a in args.items()})
        bc = BoundsCheck(program)
        cached = _median_s(lambda bc=bc, bd=binding, a=args: bc.check(bd, a), cfg.repeats)
        ranges = _median_s(lambda bc=bc, a=args: bc.value_ranges(a), cfg.repeats)
        first = _median_s(
            lambda p=program, bd=binding, a=args: BoundsCheck(p).check(bd, a),
            max(5, cfg.repeats // 20),
        )
        print(
            f"| {label} | {call * 1e3:.3f} | {cached * 1e6:.1f} | {ranges * 1e6:.1f} | "
            f"{first * 1e6:.0f} | {cached / call:.2%} |"
        )


if __name__ == "__main__":
    main()
