"""How long the reference interpreter takes, against PyTorch doing the same math.

The tuner checks every measured config against the reference, so its cost bounds how many
configs a tuning run can verify. PyTorch here is the eager float64 formulation (matmul,
mask, softmax, matmul) — not a competitor for kernels, a yardstick for the reference.

    python bench/reference.py [--repeats 5]

FLOPs are counted as 4·B·H·D·(unmasked (p, m) pairs). Each side runs in this process,
alternating, with a pause between blocks (torch's thread pool spins).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from dataclasses import dataclass

import numpy as np
import torch

import attncc
from attncc import variants


@dataclass(frozen=True)
class Case:
    name: str
    heads: int
    kv_heads: int
    seq: int
    dim: int
    window: int | None  # None: plain causal


CASES = (
    Case("causal B1 H8 S1024 D64", 8, 8, 1024, 64, None),
    Case("causal B1 H8 S4096 D64", 8, 8, 4096, 64, None),
    Case("gqa 8/2 window 256 S2048 D64", 8, 2, 2048, 64, 256),
)


def torch_reference(q, k, v, window: int | None) -> torch.Tensor:
    group = q.shape[1] // k.shape[1]
    k = k.repeat_interleave(group, dim=1)
    v = v.repeat_interleave(group, dim=1)
    s = q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5
    p, m = torch.arange(q.shape[2])[:, None], torch.arange(k.shape[2])[None, :]
    keep = p >= m if window is None else (p >= m) & (p - m < window)
    return torch.softmax(s.masked_fill(~keep, float("-inf")), dim=-1) @ v


def pairs(seq: int, window: int | None) -> int:
    p = np.arange(seq)[:, None]
    m = np.arange(seq)[None, :]
    keep = p >= m if window is None else (p >= m) & (p - m < window)
    return int(keep.sum())


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        time.sleep(0.2)
    return statistics.median(times)


def run(case: Case, repeats: int) -> None:
    rng = np.random.default_rng(0)
    q = rng.standard_normal((1, case.heads, case.seq, case.dim)).astype(np.float32)
    k = rng.standard_normal((1, case.kv_heads, case.seq, case.dim)).astype(np.float32)
    v = rng.standard_normal((1, case.kv_heads, case.seq, case.dim)).astype(np.float32)
    heads = "mha" if case.kv_heads == case.heads else "gqa"
    if case.window is None:
        program = variants.CATALOGUE[f"{heads}_causal"]()
        params = {}
    else:
        program = variants.sliding_window(heads=heads)
        params = {"W": case.window}
    tq, tk, tv = (torch.from_numpy(x).double() for x in (q, k, v))

    ours = attncc.interpret(program, Q=q, K=k, V=v, **params)
    err = float(np.abs(ours - torch_reference(tq, tk, tv, case.window).numpy()).max())
    t_ref = timed(lambda: attncc.interpret(program, Q=q, K=k, V=v, **params), repeats)
    t_torch = timed(lambda: torch_reference(tq, tk, tv, case.window), repeats)
    flops = 4 * case.heads * case.dim * pairs(case.seq, case.window)
    print(
        f"| {case.name} | {t_ref * 1e3:.0f} | {flops / t_ref / 1e9:.2f} | "
        f"{t_torch * 1e3:.0f} | {t_ref / t_torch:.2f} | {err:.1e} |"
    )


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(torch.get_num_threads())
    cpu = cpu_model()
    print(f"attncc {attncc.__version__}, numpy {np.__version__}, torch {torch.__version__}, {cpu}")
    print("| case | reference ms | GFLOP/s | torch f64 ms | ratio | max abs err |")
    print("| --- | --- | --- | --- | --- | --- |")
    for case in CASES:
        run(case, args.repeats)


if __name__ == "__main__":
    main()
