"""The main job, end to end on this machine: compile a real variant for the CPU, tune it
(the learned cost model ranks, the tuner measures), check it against the reference, compare
it with PyTorch doing the same math, and export it as a kernel library (the tuned CPU kernel,
plus a WebGPU kernel when wgpu finds an adapter) that loads without the tuner.

The variant is grouped-query attention with a sliding window and logit soft-capping (Gemma 2
local layers). The peers a PyTorch user would pick: FlexAttention compiled for the CPU
(``torch.compile(flex_attention)`` with the soft-cap as ``score_mod`` and the window as a
block mask; building the block mask and compiling are timed apart from the call), eager ops
(matmul, tanh, an explicit mask, softmax, matmul), and SDPA with the same explicit mask (no
soft-cap: a lower bound on what torch would need).
"""

from __future__ import annotations

import contextlib
import math
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import attncc
from attncc.errors import ArgumentError
from attncc.errors import AttnccError
from attncc.search import tuner

__all__ = ["DemoResult", "check_demo_args", "demo_program", "run_demo"]

VARIANT = "gqa_window_softcap"
TOLERANCE = 1e-4


@dataclass(frozen=True)
class Timing:
    label: str
    seconds: float


@dataclass(frozen=True)
class LibraryResult:
    path: str
    kernels: tuple[tuple[str, str], ...]  # (target, provenance)
    max_abs_err: float  # of every kernel, loaded back from the library, against the reference
    note: str | None  # why a target was left out


@dataclass(frozen=True)
class DemoResult:
    program: Any
    config: dict
    configs_tried: int
    max_abs_err: float
    attncc: tuple[Timing, ...]  # default, cost model's pick (when a model ships), tuned
    peers: tuple[Timing, ...]
    build_s: float
    library: LibraryResult | None = None
    notes: tuple[str, ...] = ()  # about the peers: FlexAttention's one-off costs, or its absence


def _median_time(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def demo_program(window: int = 256, cap: float = 30.0):
    """The demo's program: the catalogue's GQA + sliding window + soft-cap, declaring the
    window and cap the demo runs at as its param defaults (so the exported library's
    program says what it was tuned for)."""

    return attncc.variants.gqa_window_softcap(cap=float(cap), window=int(window))


def check_demo_args(
    *, seq: int, heads: int, kv_heads: int, dim: int, window: int, cap: float, trials: int
) -> None:
    """Refuse sizes the demo cannot run, with the option to fix (before any work)."""

    sizes = {"seq": seq, "heads": heads, "kv-heads": kv_heads, "dim": dim}
    sizes.update({"window": window, "trials": trials})
    for name, value in sizes.items():
        if value < 1:
            raise ArgumentError(f"--{name} must be at least 1, got {value}")
    if heads % kv_heads:
        raise ArgumentError(
            f"--heads {heads} is not a multiple of --kv-heads {kv_heads}: each key/value "
            f"head serves heads / kv-heads query heads. Fix: e.g. --heads {2 * kv_heads}"
        )
    if not (math.isfinite(cap) and cap > 0):
        raise ArgumentError(f"--cap must be a finite number > 0, got {cap}")


def run_demo(
    *,
    seq: int = 2048,
    heads: int = 8,
    kv_heads: int = 2,
    dim: int = 64,
    window: int = 256,
    cap: float = 30.0,
    trials: int = 8,
    repeats: int = 5,
    seed: int = 0,
    library: str | None = None,
    on_trial: Callable[[Any], None] | None = None,
) -> DemoResult:
    """``on_trial`` sees each tuning trial as it ends (a progress display)."""
    import torch

    check_demo_args(
        seq=seq, heads=heads, kv_heads=kv_heads, dim=dim, window=window, cap=cap, trials=trials
    )
    program = demo_program(window, cap)
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((1, heads, seq, dim), dtype=np.float32)
    k = rng.standard_normal((1, kv_heads, seq, dim), dtype=np.float32)
    v = rng.standard_normal((1, kv_heads, seq, dim), dtype=np.float32)
    args = {"Q": q, "K": k, "V": v, "cap": cap, "W": window}

    # Three ways to pick a schedule: the target's default, the pre-trained cost model's
    # first choice (no measurement), and a short tuning run (model-ranked, measured, each
    # trial checked against the reference) in a throw-away study. Tuning measures at the
    # window and cap timed below: a window of 256 leaves most tiles empty, 4096 does not.
    start = time.perf_counter()
    extents = {"b": 1, "h": heads, "g": kv_heads, "p": seq, "m": seq, "e": dim, "f": dim}
    params = {"W": window, "cap": cap}
    default = attncc.compile(program, "cpu")
    picks = [("default schedule", default)]
    # No pre-trained model for this machine: skip it, the tuner still learns as it goes.
    with contextlib.suppress(AttnccError):
        model = attncc.compile(program, "cpu", shapes=extents, tune="model", params=params)
        picks.append(("cost model's pick", model))
    small = {**args, "Q": q[:, :, :300], "K": k[:, :, :300], "V": v[:, :, :300]}
    exported = None
    with tempfile.TemporaryDirectory() as tmp:
        storage = f"sqlite:///{tmp}/demo.db"
        config = tuner.best_config(
            program, "cpu", extents, tune=trials, storage=storage, params=params, on_trial=on_trial
        )
        tuned = attncc.compile(program, "cpu", shapes=extents, config=config)
        build_s = time.perf_counter() - start
        if library is not None:
            exported = _export(program, storage, extents, library, small)
    picks.append((f"tuned, {trials} trials", tuned))
    kernel = tuned

    # Exact check against the reference at a length the interpreter runs quickly (the same
    # build serves every length), then against PyTorch at full size.
    any_length = attncc.compile(program, "cpu", config=kernel.config)
    err = float(np.abs(any_length(**small) - attncc.interpret(program, **small)).max())
    torch_out = _eager(torch, q, k, v, window, cap)
    err = max(err, float(np.abs(kernel(**args) - torch_out.numpy()).max()))

    ours = []
    for how, pick in picks:
        seconds = _median_time(lambda pick=pick: pick(**args), repeats)  # builds on first call
        ours.append(Timing(f"attncc, {how} ({pick.config['lowering']})", seconds))
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
        flex, notes = _flex(torch, tq, tk, tv, window, cap, torch_out)
        peers = (eager, sdpa)
        if flex is not None:
            peers = (Timing("FlexAttention, torch.compile", _median_time(flex, repeats)), *peers)
    return DemoResult(
        program, kernel.config, trials, err, tuple(ours), peers, build_s, exported, notes
    )


def _flex(torch, q, k, v, window: int, cap: float, want) -> tuple[Callable | None, tuple]:
    """FlexAttention compiled for the CPU, as its users run it (the block mask built once and
    reused): the call, and a note of what building the mask and compiling cost. ``None`` and
    the reason when it cannot run here (no C++ compiler for Inductor, an older torch)."""
    try:
        from torch.nn.attention.flex_attention import create_block_mask
        from torch.nn.attention.flex_attention import flex_attention

        def mask_mod(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (q_idx - kv_idx < window)

        def score_mod(score, b, h, q_idx, kv_idx):
            return cap * torch.tanh(score / cap)

        seq = q.shape[2]
        start = time.perf_counter()
        block_mask = create_block_mask(mask_mod, None, None, seq, seq, device="cpu")
        mask_s = time.perf_counter() - start
        compiled = torch.compile(flex_attention, dynamic=False)

        def call():
            return compiled(q, k, v, score_mod=score_mod, block_mask=block_mask, enable_gqa=True)

        start = time.perf_counter()
        out = call()
        compile_s = time.perf_counter() - start
        err = float((out - want).abs().max())
    except Exception as e:  # a peer that cannot run here is reported, never fatal
        return None, (f"FlexAttention left out: {type(e).__name__}: {str(e)[:200]}",)
    note = (
        f"FlexAttention: create_block_mask {mask_s * 1e3:.0f} ms and compile {compile_s:.1f} s,"
        f" once per mask and shape (not in its time); max |Flex - eager| = {err:.1e}"
    )
    return call, (note,)


def _export(program, storage: str, extents: dict, path: str, args: dict) -> LibraryResult:
    """Export the tuned CPU kernel (and a WebGPU one when wgpu finds an adapter) to ``path``,
    load the library back as a user would, and check every kernel against the reference."""

    replace = os.path.isfile(os.path.join(path, "manifest.json"))  # a previous demo's
    note = None
    try:
        report = attncc.export(
            path,
            storage,
            targets=["cpu", "webgpu"],
            programs=[program],
            shapes=[extents],
            replace=replace,
        )
    except (AttnccError, ImportError) as e:
        if "webgpu" not in str(e):
            raise
        note = f"webgpu left out: {e}"
        report = attncc.export(
            path, storage, targets=["cpu"], programs=[program], shapes=[extents], replace=replace
        )
    want = attncc.interpret(program, **args)
    err = 0.0
    kernels = tuple((k.target, k.provenance) for k in report.kernels)
    for target, _ in kernels:
        lib = attncc.load_library(path, target=target)
        err = max(err, float(np.abs(lib(program.name, **args) - want).max()))
    return LibraryResult(str(report.path), kernels, err, note)


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
