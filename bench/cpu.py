"""attncc on the CPU against torch SDPA and compiled FlexAttention, in one process.

    python bench/cpu.py                      # every case, the frozen config
    python bench/cpu.py --cases window,decode
    python bench/cpu.py --quick              # smoke test: smaller sizes, 3 rounds, 3 configs

The frozen product of cases (sizes, window, cap, documents, page size, seed) is in
``bench/_cases.py``.

Peers, in the same process and the same run, on the same float32 torch tensors:

* ``SDPA`` -- ``F.scaled_dot_product_attention`` with ``is_causal`` where the mask is causal,
  else an explicit mask (bool; float for ALiBi, whose bias SDPA can only take as a mask);
  softcap has no SDPA form, so its peer is eager torch (matmul, tanh, mask, softmax, matmul);
  paged decode gathers the pages into a contiguous cache (``index_select``, timed) first;
* ``Flex`` -- ``torch.compile(flex_attention)`` (Inductor's CPU template), compiled once per
  case, with ``create_block_mask`` block masks (causal, window, documents from segment ids)
  and ``score_mod`` (softcap, ALiBi); paged decode reads the page pool in place through
  ``torch.nn.attention.experimental._paged_attention.PagedAttention`` (a block mask converted
  to physical pages, page = KV block of 16), the pool kept in Flex's ``[1, G, pages·16, D]``
  layout (converted once, untimed);
* ``attncc`` -- ``attncc.compile(variant, "cpu")`` called as users call it (``kernel(**x)``),
  with its default config and the best of a small sweep (the default plus configs one or two
  knob moves away, drawn with the seed from ``kernel.target.space``, timed in a short
  round-robin; the pick and the default are re-timed with the peers and "best" is the faster
  of the two); ``kernel-only`` is the best kernel through ``target.run`` on pre-bound
  arguments (the front door's checks and binding left out). attncc reads the paged pool
  through the page table, never gathering.

Cases also cover masks the band analysis cannot bound (``bench/_masks.py``: dilated window,
2-D neighbourhood, block-causal, Longformer, an ancestor-matrix tree), which attncc's CPU
kernel classifies tile by tile in a pre-pass: the column "of which tile pre-pass" times that
pass alone (``fused.prepass_source``); for a mask of indices and params alone the target
keeps the classes, so only a first call pays it ("0 (first call ...)"). The header names
the CPU attncc builds for (``ATTNCC_CPU=znver3`` builds AVX2 kernels on an AVX-512 host).

Every output is checked against a float64 reference (and against SDPA) before timing.
Timing: all implementations round-robin, ``--runs`` rounds, a ``--pause`` sleep before each
block (torch's and TVM's thread pools both spin), a block = one warm-up call + calls filling
~0.1 s; the reported time is the median of the block medians.

Counting: FLOPs = 4·B·H·D·(unmasked (p, m) pairs) for every side (score modifications and
the softmax are not counted; masked pairs earn nothing); decode bytes = K + V bytes of the
cache read (2·B·G·M·D·4; Q, O and the page table are negligible; MLA reads its latent cache
and RoPE keys once for every head: B·M·(D + 64)·4). Limits measured in the run:
torch 2048³ SGEMM, a 256 MB copy (read + write bytes), an FP32 FMA register loop (TVMScript).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's attncc
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import CAP
from _cases import CASES
from _cases import DOCS
from _cases import PAGE
from _cases import SEED
from _cases import WINDOW
from _cases import Case
from _cases import Setup
from _cases import quick
from _cases import setup
from _masks import MASKS_NOTE

TOL = 1e-3  # max abs diff vs the float64 reference above which a result is flagged


# ------------------------------------------------------------------------------ attncc


def kernel_only(kernel, args: dict) -> Callable | None:
    """The built kernel through ``target.run`` on pre-bound arguments (front door left out);
    ``None`` if attncc's internals moved."""
    try:
        from attncc.ir.arguments import split_arguments
        from attncc.ir.bind import bind
        from attncc.targets.invoke import storage_array

        arrays, params = split_arguments(kernel.program, args)
        shapes = {n: a.shape for n, a in arrays.items()}
        binding = bind(kernel.program, shapes=shapes, params=params)
        artifact = kernel._artifact(binding.extents)
        bf16 = kernel.target.reads_bf16
        prepared = {
            d.name: storage_array(arrays[d.name], d.dtype, bf16) for d in kernel.program.inputs
        }
        target = kernel.target
        return lambda: target.run(artifact, prepared, binding.scalars, binding.extents)
    except Exception as err:
        print(f"  kernel-only path unavailable: {err}", file=sys.stderr)
        return None


def prepass_only(kernel, args: dict) -> tuple[Callable, bool] | None:
    """The best kernel's tile-classification pre-pass alone (its cost, reported separately),
    on the same pre-bound arguments, and whether the target keeps its classes between calls
    (a mask of indices and params alone: then only a first call pays it); ``None`` when the
    kernel has no pre-pass."""
    try:
        from attncc.ir.arguments import split_arguments
        from attncc.ir.bind import bind
        from attncc.targets.cpu import fused
        from attncc.targets.invoke import storage_array

        if kernel.config.get("lowering") != "fused":
            return None
        arrays, params = split_arguments(kernel.program, args)
        shapes = {n: a.shape for n, a in arrays.items()}
        binding = bind(kernel.program, shapes=shapes, params=params)
        target = kernel.target
        extents = target.specialise(kernel.program, binding.extents)
        plan = fused.plan(kernel.program)
        source = fused.prepass_source(plan, kernel.config, extents)
        if source is None:
            return None
        artifact = target.build(source)
        bf16 = kernel.target.reads_bf16
        prepared = {
            d.name: storage_array(arrays[d.name], d.dtype, bf16) for d in kernel.program.inputs
        }

        def run():  # classes the target keeps between calls are forgotten: the pass runs
            artifact.handle.__dict__.pop("tile_classes", None)
            return target.run(artifact, prepared, binding.scalars, binding.extents)

        return run, "tile_classes" in source.meta
    except Exception as err:
        print(f"  pre-pass-only path unavailable: {err}", file=sys.stderr)
        return None


def sweep_configs(kernel, args: dict, n: int, seed: str) -> list[dict]:
    """The default config, the other lowering's default (when the space offers one), and
    configs one or two knob moves from the default (its lowering kept), drawn with ``seed``
    from ``kernel.target.space``: ``n`` in all, feasible ones only."""
    from attncc.ir.arguments import split_arguments
    from attncc.ir.bind import bind

    program, target = kernel.program, kernel.target
    arrays, params = split_arguments(program, args)
    extents = bind(program, shapes={k: a.shape for k, a in arrays.items()}, params=params).extents
    space = target.space(program, target.specialise(program, extents))
    names = {k.name for k in space.knobs}
    default = space.complete({k: v for k, v in kernel.config.items() if k in names})
    out, seen = [default], {repr(sorted(default.items()))}

    def add(cfg: dict) -> None:
        key = repr(sorted(cfg.items()))
        if len(out) < n and key not in seen and space.why_infeasible(cfg) is None:
            seen.add(key)
            out.append(cfg)

    for knob in space.knobs:
        if knob.name == "lowering":
            for other in knob.choices:
                add({**default, "lowering": other})
    movable = [k for k in space.knobs if k.name != "lowering" and len(k.choices) > 1]
    rng = random.Random(seed)
    for _ in range(400):
        if len(out) >= n or not movable:
            break
        cfg = dict(default)
        for knob in rng.sample(movable, min(len(movable), rng.choice((1, 1, 2)))):
            cfg[knob.name] = rng.choice([c for c in knob.choices if c != default[knob.name]])
        add(cfg)
    return out


def diff_config(cfg: dict, default: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in cfg.items() if default.get(k) != v) or "default"


# ------------------------------------------------------------------------------ run


@dataclass
class Row:
    case: Case
    sdpa_ms: float
    flex_ms: float
    default_ms: float
    best_ms: float
    raw_ms: float
    prepass_ms: float
    prepass_kept: bool  # classes kept between calls: the pass ran on the first call only
    lowering: str
    best_cfg: str
    amount: float  # FLOPs or bytes
    decode: bool


def _max_diff(x, ref) -> float:
    return float((x.double() - ref).abs().max())


def _safe(label: str, fn: Callable):
    """(result, seconds, error) of one call; a failure is data."""
    t = time.perf_counter()
    try:
        out = fn()
    except Exception as err:
        return None, time.perf_counter() - t, f"{label}: {type(err).__name__}: {err}"[:300]
    return out, time.perf_counter() - t, None


def _entry(name: str, fn: Callable, est: float, budget: float = 0.1):
    """An :func:`interleaved` entry: calls per block for ``budget`` s; a warm-up call only
    for short calls (a long one amortises the pool's wake-up)."""
    from _timing import reps_for

    return name, fn, reps_for(est, budget), est < 0.05


def run_case(case: Case, opts, flex_attention, log) -> Row:
    from _timing import interleaved

    import attncc

    s = setup(case, flex_attention, opts.seed)
    log(f"[{case.name}] setup done")
    out, errors, est = {}, [], {}
    # SDPA, Flex (compile), attncc default (build): outputs, a second call's seconds, errors
    for label, fn in (("SDPA", s.sdpa), ("Flex", s.flex)):
        o, sec, err = _safe(label, fn)
        if err:
            errors.append(err)
            continue
        out[label] = o
        if label == "Flex":
            est["Flex compile"] = sec
            log(f"[{case.name}] Flex compiled in {sec:.1f} s")
        est[label] = _safe(label, fn)[1]
    kdef, build_s, err = _safe("attncc", lambda: attncc.compile(s.program, "cpu"))
    if not err:
        o, build_s, err = _safe("attncc", lambda: kdef(**s.args))
    if err:  # a failed kernel is a table entry, not a crash
        print(f"check {case.name}: {err}")
        return _failed_row(case, s, out, est, opts, log)
    out["attncc default"] = o
    est["default"] = _safe("attncc", lambda: kdef(**s.args))[1]
    lowering = kdef.config.get("lowering", "?")
    log(f"[{case.name}] attncc default built+ran in {build_s:.1f} s, lowering {lowering}")

    # the sweep: build, check, then a short attncc-only round-robin
    configs = sweep_configs(kdef, s.args, opts.sweep, f"{opts.seed}:{case.name}")
    cands: dict[str, object] = {"default": kdef}
    for cfg in configs[1:]:
        name = diff_config(cfg, configs[0])
        k, _, err = _safe("compile", lambda cfg=cfg: attncc.compile(s.program, "cpu", config=cfg))
        o, sec, err = (None, 0.0, err) if err else _safe("attncc", lambda k=k: k(**s.args))
        if err:
            print(f"sweep {case.name}: {name} failed ({err})")
            continue
        if not _max_diff(o, s.ref) <= TOL:
            print(f"sweep {case.name}: {name} wrong (max|diff| {_max_diff(o, s.ref):.1e}), dropped")
            continue
        cands[name] = k
        est[name] = _safe("attncc", lambda k=k: k(**s.args))[1]
    best_name = "default"
    if len(cands) > 1:
        plan = [_entry(n, lambda k=k: k(**s.args), est[n], 0.05) for n, k in cands.items()]
        sw = interleaved(plan, opts.sweep_rounds, opts.sweep_pause)
        best_name = min(sw, key=lambda n: sw[n].median)
        print(
            f"sweep {case.name}: "
            + ", ".join(f"{n} {t.median * 1e3:.2f}" for n, t in sw.items())
            + f" ms; pick: {best_name}"
        )
    kbest = cands[best_name]
    if best_name != "default":
        out["attncc best"] = kbest(**s.args)

    # checks
    ref_diffs = {n: _max_diff(o, s.ref) for n, o in out.items()}
    print(
        f"check {case.name}: max|diff| vs float64 reference: "
        + ", ".join(f"{n} {d:.1e}" for n, d in ref_diffs.items())
    )
    if "SDPA" in out:
        vs = [
            f"{n} {_max_diff(o, out['SDPA'].double()):.1e}" for n, o in out.items() if n != "SDPA"
        ]
        print(f"check {case.name}: max|diff| vs SDPA float32: {', '.join(vs)}")
    errors += [
        f"{n}: differs from the reference by more than {TOL}"
        for n, d in ref_diffs.items()
        if not d <= TOL
    ]
    for e in errors:
        print(f"check {case.name}: {e}")

    # interleaved timing: torch, attncc, torch, attncc, attncc kernel-only
    raw = kernel_only(kbest, s.args)
    if raw is not None:
        est["raw"] = _safe("raw", raw)[1]
    pre, kept = prepass_only(kbest, s.args) or (None, False)
    if pre is not None:
        est["pre-pass"] = _safe("pre-pass", pre)[1]
    plan = [_entry("SDPA", s.sdpa, est["SDPA"])] if "SDPA" in out else []
    plan.append(_entry("default", lambda: kdef(**s.args), est["default"]))
    if "Flex" in out:
        plan.append(_entry("Flex", s.flex, est["Flex"]))
    if best_name != "default":
        plan.append(_entry("best", lambda: kbest(**s.args), est[best_name]))
    if raw is not None:
        plan.append(_entry("raw", raw, est["raw"]))
    if pre is not None:
        plan.append(_entry("pre-pass", pre, est["pre-pass"]))
    t = interleaved(plan, opts.runs, opts.pause)
    med = {n: v.median * 1e3 for n, v in t.items()}
    med.setdefault("best", med["default"])
    print(
        f"timing {case.name}: median (min) ms: "
        + ", ".join(f"{n} {v.median * 1e3:.2f} ({v.best * 1e3:.2f})" for n, v in t.items())
    )
    print(
        f"peers {case.name}: SDPA = {s.sdpa_note}; Flex = {s.flex_note}"
        + (f"; {s.note}" if s.note else "")
        + f"; first call (compile): Flex {est.get('Flex compile', math.nan):.1f} s, attncc "
        f"default {build_s:.1f} s"
    )
    log(f"[{case.name}] done")
    decode = case.decode
    return Row(
        case,
        med.get("SDPA", math.nan),
        med.get("Flex", math.nan),
        med["default"],
        med["best"],
        med.get("raw", math.nan),
        med.get("pre-pass", math.nan),
        kept,
        lowering,
        f"{kbest.config.get('lowering', '?')}; {best_name}",
        s.bytes if decode else 4 * case.d * s.pairs,
        decode,
    )


def _failed_row(case: Case, s: Setup, out: dict, est: dict, opts, log) -> Row:
    """attncc did not build or run: time the peers alone, attncc columns empty."""
    from _timing import interleaved

    plan = [_entry(n, fn, est[n]) for n, fn in (("SDPA", s.sdpa), ("Flex", s.flex)) if n in out]
    med = {n: v.median * 1e3 for n, v in interleaved(plan, opts.runs, opts.pause).items()}
    log(f"[{case.name}] attncc failed; " + ", ".join(f"{n} {v:.2f} ms" for n, v in med.items()))
    decode = case.decode
    nan = math.nan
    amount = s.bytes if decode else 4 * case.d * s.pairs
    sdpa, flex = med.get("SDPA", nan), med.get("Flex", nan)
    return Row(case, sdpa, flex, nan, nan, nan, nan, False, "failed", "failed", amount, decode)


def _prepass(r: Row) -> str:
    if math.isnan(r.prepass_ms):
        return "—"
    return f"0 (first call {r.prepass_ms:.2f})" if r.prepass_kept else f"{r.prepass_ms:.2f}"


def table(rows: list[Row], fma: float, copy: float) -> list[str]:
    out = [
        "| case | SDPA ms | Flex ms | attncc default ms | attncc best ms (config) | "
        "kernel-only ms | of which tile pre-pass ms | GFLOP/s or GB/s | ×SDPA | ×Flex | "
        "% of peak |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        rate = r.amount / (r.best_ms * 1e-3) / 1e9
        unit, peak, what = ("GB/s", copy, "copy") if r.decode else ("GFLOP/s", fma, "FMA")
        out.append(
            f"| {r.case.title} | {r.sdpa_ms:.2f} | {r.flex_ms:.2f} | "
            f"{r.default_ms:.2f} ({r.lowering}) | {r.best_ms:.2f} ({r.best_cfg}) | "
            f"{r.raw_ms:.2f} | {_prepass(r)} | {rate:.1f} {unit} | "
            f"{r.sdpa_ms / r.best_ms:.2f} | {r.flex_ms / r.best_ms:.2f} | "
            f"{100 * rate / peak:.0f}% {what} |"
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    names = [c.name for c in CASES]
    ap.add_argument("--cases", default=",".join(names), help=f"comma list of {names}")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, 3 rounds, 3 configs")
    ap.add_argument("--runs", type=int, default=None, help="timing rounds (default 5; quick 3)")
    ap.add_argument("--sweep", type=int, default=None, help="attncc configs incl. default (6)")
    ap.add_argument("--sweep-rounds", type=int, default=2)
    ap.add_argument(
        "--sweep-pause", type=float, default=0.2, help="sleep between sweep blocks (attncc only)"
    )
    ap.add_argument("--pause", type=float, default=0.5, help="seconds of sleep before a block")
    ap.add_argument("--threads", type=int, default=None, help="default: the usable cores")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    opts = ap.parse_args()
    unknown = sorted(set(opts.cases.split(",")) - set(names))
    if unknown:
        ap.error(f"unknown case(s) {unknown}; cases: {names}")
    opts.runs = opts.runs or (3 if opts.quick else 5)
    opts.sweep = opts.sweep or (3 if opts.quick else 6)

    from attncc.targets.cpu.host import cpu_count  # imports no tvm

    threads = opts.threads or cpu_count()
    os.environ["TVM_NUM_THREADS"] = str(threads)  # before TVM's pool starts
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))

    import torch
    import torch._dynamo.config as dynamo_config
    from _timing import fma_peak_gflops
    from _timing import host_lines
    from torch.nn.attention.flex_attention import flex_attention

    torch.set_num_threads(threads)
    torch.set_grad_enabled(False)
    dynamo_config.recompile_limit = 64  # one compile per case, never the eager fallback
    flex = torch.compile(flex_attention, dynamic=False)
    t0 = time.perf_counter()

    def log(msg: str) -> None:
        if not opts.quiet:
            print(f"  {time.perf_counter() - t0:6.1f}s {msg}", file=sys.stderr, flush=True)

    cases = [c for c in CASES if c.name in opts.cases.split(",")]
    cases = [quick(c) for c in cases] if opts.quick else cases
    print(f"# attncc vs torch SDPA vs FlexAttention on the CPU{' (--quick)' if opts.quick else ''}")
    print()
    for line in host_lines(threads):
        print(f"- {line}")
    print(f"- command: python bench/cpu.py {' '.join(sys.argv[1:])}".rstrip())
    print(
        f"- timing: median of {opts.runs} round-robin block medians, {opts.pause} s sleep "
        f"before each block, seed {opts.seed}, float32; attncc sweep: {opts.sweep} configs "
        f"incl. the default, {opts.sweep_rounds} rounds"
    )
    print(
        "- counting: FLOPs = 4·B·H·D·(unmasked (p, m) pairs); decode bytes = K + V read "
        "(2·B·G·M·D·itemsize: 4 for f32, 2 for bf16; MLA: B·M·(D + 64)·itemsize); rates, "
        "ratios and % of peak use attncc best (front door)"
    )
    print(
        f"- cases (frozen in bench/_cases.py): window {WINDOW}, softcap {CAP:g}, {DOCS} documents"
        f" (causal within each), page {PAGE}; inputs torch.randn float32, seed {opts.seed}"
    )
    print(f"- masks the band analysis cannot classify (bench/_masks.py): {MASKS_NOTE}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"- load average at start: {_load()}")
    if load > 0.5:
        print(
            "- WARNING: other processes were using the cores when the run started: absolute "
            "rates are low and noisy; compare the ratios, taken round-robin in one process"
        )
    print()
    lim = [limits(threads, opts.pause)]
    log(f"limits measured; {len(cases)} case(s)")
    fmas = [(lim[0]["fma"], lim[0]["fma_what"])]
    rows = []
    for case in cases:
        rows.append(run_case(case, opts, flex, log))
        fmas.append(fma_peak_gflops(threads, 3, opts.pause))  # contention only lowers it
    lim.append(limits(threads, opts.pause))  # limits are upper bounds: keep the highest
    fma, what = max([*fmas, (lim[1]["fma"], lim[1]["fma_what"])])
    sg, cp_t, cp_n = (max(x[k] for x in lim) for k in ("sgemm", "copy_torch", "copy_np"))
    copy = max(cp_t, cp_n)
    print()
    print(f"- load average at end: {_load()}")
    print(
        f"- limits (the highest of measurements before, between and after the cases; FMA "
        f"peak: {len(fmas) + 1} measurements): FP32 FMA peak "
        f"{fma:.1f} GFLOP/s ({what}); torch SGEMM 2048^3 {sg:.1f} GFLOP/s "
        f"({100 * sg / fma:.0f}% of FMA peak); copy 256 MB {cp_t:.1f} GB/s (torch copy_, "
        f"{threads} threads), {cp_n:.1f} GB/s (numpy, 1 thread); copy bytes = read + written"
    )
    print()
    for line in table(rows, fma, copy):
        print(line)
    print()
    print(f"total {time.perf_counter() - t0:.0f} s")


def limits(threads: int, pause: float) -> dict:
    from _timing import copy_gbs
    from _timing import fma_peak_gflops
    from _timing import sgemm_gflops

    fma, what = fma_peak_gflops(threads, 5, pause)
    cp_torch, cp_np = copy_gbs(5, pause)
    sg = sgemm_gflops(threads, 5, pause)
    return {"fma": fma, "fma_what": what, "sgemm": sg, "copy_torch": cp_torch, "copy_np": cp_np}


def _load() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 min)"
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
