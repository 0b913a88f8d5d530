"""The main job, end to end on this machine: check the catalogue, compile a real variant for
the CPU, pick the fastest of a few schedules, check it against the reference, and compare it
with PyTorch doing the same math.

The variant is grouped-query attention with a sliding window and logit soft-capping (Gemma 2
local layers). PyTorch has no fused kernel for it: its users write eager ops (matmul, tanh,
an explicit mask, softmax, matmul), which is what we time it against; SDPA with the same
explicit mask (no soft-cap: a lower bound on what torch would need) is printed as well.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["DemoResult", "run_demo"]

VARIANT = "gqa_window_softcap"
TOLERANCE = 1e-4


@dataclass(frozen=True)
class Timing:
    label: str
    seconds: float


@dataclass(frozen=True)
class DemoResult:
    program: Any
    config: dict
    configs_tried: int
    max_abs_err: float
    attncc: Timing
    peers: tuple[Timing, ...]
    build_s: float


def _median_time(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_demo(
    *,
    seq: int = 2048,
    heads: int = 8,
    kv_heads: int = 2,
    dim: int = 64,
    window: int = 256,
    cap: float = 30.0,
    sweep: int = 4,
    repeats: int = 5,
    seed: int = 0,
) -> DemoResult:
    import torch

    import attncc

    program = attncc.variants.gqa_window_softcap()
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((1, heads, seq, dim), dtype=np.float32)
    k = rng.standard_normal((1, kv_heads, seq, dim), dtype=np.float32)
    v = rng.standard_normal((1, kv_heads, seq, dim), dtype=np.float32)
    args = {"Q": q, "K": k, "V": v, "cap": cap, "W": window}

    # A small sweep around the default schedule; the learned tuner replaces this.
    start = time.perf_counter()
    kernel = attncc.compile(program, "cpu")
    kernel(**args)
    space = kernel.target.space(program, kernel.built.extents)
    candidates = [kernel.config, *itertools.islice(iter(space), 64)]
    seen, best = [], None
    for config in candidates:
        if config in seen or len(seen) > sweep:
            continue
        seen.append(config)
        candidate = attncc.compile(program, "cpu", config=config)
        seconds = _median_time(lambda c=candidate: c(**args), max(2, repeats // 2))
        if best is None or seconds < best[0]:
            best = (seconds, candidate)
    build_s = time.perf_counter() - start
    kernel = best[1]

    # Exact check against the reference at a length the interpreter runs quickly (the same
    # build serves every length), then against PyTorch at full size.
    small = {**args, "Q": q[:, :, :300], "K": k[:, :, :300], "V": v[:, :, :300]}
    err = float(np.abs(kernel(**small) - attncc.interpret(program, **small)).max())
    torch_out = _eager(torch, q, k, v, window, cap)
    err = max(err, float(np.abs(kernel(**args) - torch_out.numpy()).max()))

    label = f"attncc ({kernel.config['lowering']} CPU kernel)"
    ours = Timing(label, _median_time(lambda: kernel(**args), repeats))
    tq, tk, tv = (torch.from_numpy(x) for x in (q, k, v))
    with torch.no_grad():
        eager = Timing(
            "PyTorch eager (same math)",
            _median_time(lambda: _eager(torch, tq, tk, tv, window, cap), repeats),
        )
        sdpa = Timing(
            "PyTorch SDPA, window mask, no soft-cap",
            _median_time(lambda: _sdpa(torch, tq, tk, tv, window), repeats),
        )
    return DemoResult(program, kernel.config, len(seen), err, ours, (eager, sdpa), build_s)


def _visible(torch, seq: int, window: int):
    pos = torch.arange(seq)
    return (pos[:, None] >= pos[None, :]) & (pos[:, None] - pos[None, :] < window)


def _eager(torch, q, k, v, window: int, cap: float):
    q, k, v = (torch.as_tensor(x) for x in (q, k, v))
    group = q.shape[1] // k.shape[1]
    k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
    s = (q @ k.transpose(-1, -2)) / q.shape[-1] ** 0.5
    s = cap * torch.tanh(s / cap)
    keep = _visible(torch, q.shape[2], window)
    return torch.softmax(s.masked_fill(~keep, float("-inf")), dim=-1) @ v


def _sdpa(torch, q, k, v, window: int):
    mask = _visible(torch, q.shape[2], window)
    return torch.nn.functional.scaled_dot_product_attention(
        q, k, v, attn_mask=mask, enable_gqa=True
    )
