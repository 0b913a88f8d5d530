"""FlexAttention mods on the CPU: ``attncc.torch.flex_attention`` against
``torch.compile(flex_attention)``, the mods of ``examples/flex_mods.py`` unchanged.

B1 H8 (GQA 8/2) S2048 D64, float32. Each side runs in its own process (thread pools spin)
with a cold build cache, and reports:

* ``first``: the first call: trace + build + run for attncc; ``create_block_mask`` +
  ``torch.compile`` + run for torch;
* ``attn``: the attention call alone, median of ``--reps`` (attncc: trace + op + kernel,
  what a call costs; torch: the compiled flex_attention with a ready block mask);
* ``e2e``: what a user pays whenever the mask changes: torch's ``create_block_mask`` plus the
  call; attncc reads the mask_mod itself (index masks need no tables; masks that read
  captured tensors are classified per tile inside the kernel), so its e2e is its call;
* ``new_len``: what the first call at a second length (``--second``) costs more than the
  same call warm: attncc reuses its build, torch recompiles (dynamic shapes);
* ``classify``: attncc's tile classification alone, in ms (the kernel's pre-pass, part of
  ``attn``): ``-`` where the mask's index arithmetic bounds the tiles, ``kept`` where the
  classes depend on lengths and params only and a first call pays them.

Outputs of both sides are compared (max |attncc - torch|). Run::

    python bench/flex.py [--mods causal,document,...] [--reps 5] [--length 2048]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

B, H, HKV, D = 1, 8, 2, 64


def _inputs(length: int, kv_len: int):
    import torch

    gen = torch.Generator().manual_seed(0)
    q = torch.randn(B, H, length, D, generator=gen)
    k, v = (torch.randn(B, HKV, kv_len, D, generator=gen) for _ in "kv")
    return q, k, v


def _worker(side: str, name: str, length: int, second: int, reps: int, out: str) -> dict:
    import torch

    from examples.flex_mods import gallery

    torch.set_grad_enabled(False)
    mods = gallery(length, H)[name]
    q, k, v = _inputs(length, mods.kv_len or length)
    if side == "attncc":
        import attncc.torch as at

        def call(mods, q, k, v):
            return at.flex_attention(
                q, k, v, mods.score_mod, mask_mod=mods.mask_mod, enable_gqa=True
            )

        def prepare(mods, q, k):
            return None

        def run(mods, mask, q, k, v):
            return call(mods, q, k, v)
    else:
        from torch.nn.attention.flex_attention import create_block_mask
        from torch.nn.attention.flex_attention import flex_attention

        flex = torch.compile(flex_attention)

        def prepare(mods, q, k):
            if mods.mask_mod is None:
                return None
            return create_block_mask(mods.mask_mod, None, None, q.shape[2], k.shape[2], "cpu")

        def run(mods, mask, q, k, v):
            return flex(q, k, v, mods.score_mod, block_mask=mask, enable_gqa=True)

    start = time.perf_counter()
    mask = prepare(mods, q, k)
    result = run(mods, mask, q, k, v)
    first = time.perf_counter() - start
    torch.save(result, out)
    attn, e2e = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        run(mods, mask, q, k, v)
        t1 = time.perf_counter()
        run(mods, prepare(mods, q, k), q, k, v)
        t2 = time.perf_counter()
        attn.append(t1 - t0)
        e2e.append(t2 - t1)
    classify = _classify_ms(mods, q, k, v, reps) if side == "attncc" else None
    other = gallery(second, H)[name]
    q2, k2, v2 = _inputs(second, other.kv_len or second)
    t0 = time.perf_counter()
    try:
        run(other, prepare(other, q2, k2), q2, k2, v2)
        t1 = time.perf_counter()
        run(other, prepare(other, q2, k2), q2, k2, v2)  # the same call, warm
        new_len = max(0.0, (t1 - t0) - (time.perf_counter() - t1))
    except Exception as err:  # torch.compile's recompile for a new length can fail
        print(f"new length failed: {type(err).__name__}: {str(err)[:300]}", file=sys.stderr)
        new_len = None
    return {
        "first": first, "attn": statistics.median(attn), "e2e": statistics.median(e2e),
        "new_len": new_len, "classify": classify,
    }  # fmt: skip


def _classify_ms(mods, q, k, v, reps: int) -> str:
    """What attncc's tile classification costs inside the call (the kernel's pre-pass alone,
    ``bench/cpu.py: prepass_only``): "-" without a pre-pass, "kept" where the classes depend
    on extents and params only (kept between calls: only a first call pays)."""
    import numpy as np
    import torch
    from cpu import prepass_only

    import attncc.torch as at
    from attncc.torch import op

    program, captured = at.trace_mods(mods.score_mod, mods.mask_mod, enable_gqa=True)
    kernel = next(iter(op._kernels.values()))
    args = {"Q": q.numpy(), "K": k.numpy(), "V": v.numpy()}
    for n, t in captured.items():
        args[n] = t.numpy().astype(np.int32) if t.dtype == torch.int64 else t.numpy()
    args |= {d.name: d.default for d in program.params}
    found = prepass_only(kernel, args)
    if found is None:
        return "-"
    run, kept = found
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    ms = statistics.median(times) * 1e3
    return f"{ms:.2f} (kept)" if kept else f"{ms:.2f}"


def _s(seconds: float | None) -> str:
    return "failed" if seconds is None else f"{seconds:6.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mods", default="", help="comma-separated gallery names (default all)")
    parser.add_argument("--length", type=int, default=2048)
    parser.add_argument("--second", type=int, default=1808, help="the second length")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--worker", nargs=2, metavar=("SIDE", "MOD"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        side, name = args.worker
        result = _worker(side, name, args.length, args.second, args.reps, args.out)
        print(json.dumps(result))
        return 0

    import torch
    from _timing import host_lines

    from examples.flex_mods import gallery

    names = args.mods.split(",") if args.mods else list(gallery(64, H))
    print("\n".join(host_lines(torch.get_num_threads())))
    print(f"B{B} H{H}/{HKV} S{args.length} D{D} float32; second length {args.second}; "
          f"medians of {args.reps}; times in ms (first call and new length in s)")  # fmt: skip
    head = (
        f"{'mod':20s} {'attncc':>8s} {'flex':>8s} {'ratio':>6s} | {'attncc e2e':>10s} "
        f"{'flex e2e':>9s} {'ratio':>6s} | {'first a/f (s)':>15s} | {'new len a/f (s)':>15s}"
        f" | {'classify':>12s} | max|diff|"
    )
    print(head)
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            res = {}
            for side in ("attncc", "flex"):
                env = dict(os.environ, ATTNCC_CACHE_DIR=str(Path(tmp) / f"cache-{name}"))
                env["TORCHINDUCTOR_CACHE_DIR"] = str(Path(tmp) / f"inductor-{name}")
                cmd = [
                    sys.executable, __file__, "--worker", side, name, "--out",
                    str(Path(tmp) / f"{side}.pt"), "--length", str(args.length),
                    "--second", str(args.second), "--reps", str(args.reps),
                ]  # fmt: skip
                done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
                if done.returncode:
                    print(f"{name}: {side} failed:\n{done.stderr[-2000:]}")
                    break
                res[side] = json.loads(done.stdout.strip().splitlines()[-1])
                time.sleep(1.0)
            if len(res) < 2:
                continue
            diff = torch.load(Path(tmp) / "attncc.pt") - torch.load(Path(tmp) / "flex.pt")
            a, f = res["attncc"], res["flex"]
            print(
                f"{name:20s} {a['attn'] * 1e3:8.1f} {f['attn'] * 1e3:8.1f} "
                f"{f['attn'] / a['attn']:5.2f}x | {a['e2e'] * 1e3:10.1f} {f['e2e'] * 1e3:9.1f} "
                f"{f['e2e'] / a['e2e']:5.2f}x | {a['first']:6.1f} / {f['first']:6.1f} | "
                f"{_s(a['new_len'])} / {_s(f['new_len'])} | {a['classify']:>12s} | "
                f"{diff.abs().max().item():.1e}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
