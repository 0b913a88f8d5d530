"""Measure schedules of catalogue variants on this CPU: the cost model's training data.

    python bench/collect_cpu.py                      # this machine, ~20 min on 2 cores
    ATTNCC_CPU=znver3 python bench/collect_cpu.py    # AVX2 builds on an AVX-512 host too
    python bench/collect_cpu.py --budget 300 --per-group 6 --out /tmp/smoke.jsonl.gz

For every (variant, shape) group of :data:`SWEEP`: the target's default config plus
``--per-group`` configs drawn with the seed from ``get_target("cpu").space(...)`` (a share
of them with ``lowering="generic"`` where both lowerings apply, at the smaller shapes only:
the generic lowering materialises ``[b, h, p, m]``). Each config is

1. compiled (``attncc.compile(program, "cpu", config=...)``; builds are cached on disk);
2. checked: the same build run at a small size (lengths are symbolic on the CPU target, so
   one build serves both) against ``attncc.interpret`` (max abs error ≤ ``TOL``);
3. timed through ``target.run`` on pre-bound arguments: one warm-up call, then ``--runs``
   blocks of calls filling ~``BLOCK_S`` seconds each, in ``PASSES`` passes over the chunk
   of configs (forward, then backward: a config's two timings are seconds apart); ``seconds``
   is the lowest median of them (``blocks``, ``blocks_again``; bursts of interference
   outlast a timing's blocks). ``bench/remeasure.py`` adds timings at another moment.

A failure (build error, wrong answer) is a row with ``seconds: Infinity`` and the error.
Rows go to ``bench/data/cpu/<machine>.jsonl.gz`` (one file per CPU — model name, vendor,
family and model —, LLVM CPU, ISA and thread count; gzip members appended every few
configs), and a rerun skips the rows there whose code version is current, so an interrupted
sweep resumes and a sweep after a lowering change measures again. Params are baked into the
program as defaults (``param W : i32 = 256``) so that the stored program text says
everything a feature needs.

Row schema: :mod:`attncc.cost_models.dataset` (hardware description with the probe
embedding, program, extents, config, build metadata from the disassembly, code version,
median seconds).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "variants"))

TOL = 2e-3
#: Decode groups (a few queries) draw this many times ``--per-group`` configs: their spaces
#: are as large as prefill's and a config costs milliseconds to time, and decode is where
#: the model ranked worst.
DECODE_DRAWS = 3
BLOCK_S = 0.04
#: Timings of each config, seconds apart (passes over a chunk of configs): on a shared 2-core
#: VM, against rows' best of earlier timings, one timing ran > 10 % slow in 16 % of 332 rows,
#: the lower of two interleaved ones in 6 % (bench/RESULTS.md, eighth session).
PASSES = 2
SEED = 0


@dataclass(frozen=True)
class Group:
    variant: str
    heads: str  # mha | gqa | mqa (tests/variants/cases.py: (3,3), (6,3), (5,1))
    p: int
    m: int
    e: int = 64
    b: int = 1
    params: tuple[tuple[str, object], ...] = ()
    bench: str = ""  # a kind of bench/_cases.py (heads "H/HK"), built as the benchmarks are

    @property
    def tag(self) -> str:
        extra = "".join(f",{k}={v}" for k, v in self.params)
        extra += f",bench={self.bench}" if self.bench else ""
        return f"{self.variant}@{self.heads},b{self.b},p{self.p},m{self.m},e{self.e}{extra}"


def _g(variant, heads, sizes, e=64, b=1, **params):
    return [Group(variant, heads, p, m, e, b, tuple(sorted(params.items()))) for p, m in sizes]


SQUARE = ((512, 512), (1024, 1024), (2048, 2048))
#: The frozen sweep: variants × shapes (params baked in as program defaults).
SWEEP: tuple[Group, ...] = (
    *_g("mha_causal", "mha", SQUARE),
    *_g("gqa_causal", "gqa", SQUARE[:2], e=128),
    *_g("mha", "mha", SQUARE[:2]),
    *_g("sliding_window", "gqa", SQUARE, W=256),
    *_g("softcap", "gqa", SQUARE[:2], cap=30.0),
    *_g("alibi", "gqa", SQUARE[:2]),
    *_g("prefix_lm", "gqa", SQUARE[1:], P_LEN=256),
    *_g("document_causal", "gqa", SQUARE[:2]),
    *_g("gqa_window_softcap", "gqa", SQUARE[1:], W=128, cap=30.0),
    *_g("int8_kv", "gqa", SQUARE[:2]),
    *_g("mqa", "mqa", SQUARE[:2]),
    *_g("gqa", "gqa", ((1, 4096), (4, 8192)), e=128, b=2),  # decode
    *_g("int8_kv", "gqa", ((1, 8192),), b=2),
    *_g("sigmoid_attention", "gqa", ((256, 256), (512, 512))),
    *_g("mla", "gqa", ((256, 256), (512, 512))),
    # more of the catalogue, one shape each: chunked prefill (fewer queries than keys),
    # sinks beside a window, a bias table, a temperature, half-precision K / V, MQA causal
    *_g("causal_offset", "gqa", ((512, 1024),)),
    *_g("sinks_window", "gqa", ((1024, 1024),), SINKS=4, W=256),
    *_g("relative_bias", "gqa", ((1024, 1024),)),
    *_g("temperature", "gqa", ((1024, 1024),), tau=0.7),
    *_g("fp16_kv", "gqa", ((1024, 1024),)),
    *_g("fp16_kv", "gqa", ((1, 8192),), b=2),
    *_g("mqa_causal", "mqa", ((1024, 1024),)),
    # The benchmarks' programs and head counts (bench/_cases.py: 8 heads, GQA 32/8 at D128,
    # the masks of bench/_masks.py) at half their sequence length, so that bench/model_pick.py
    # still measures the model on shapes it has not seen.
    *(
        Group(variant, heads, 1024, 1024, 64, 1, (), kind)
        for kind, variant in (
            ("causal", "mha_causal"),
            ("window", "sliding_window"),
            ("softcap", "softcap"),
            ("alibi", "alibi"),
            ("document", "document_causal"),
            ("dilated", "dilated"),
            ("neighborhood", "neighborhood"),
            ("block_causal", "block_causal"),
            ("longformer", "longformer"),
            ("tree", "tree_mask"),
        )
        for heads in ("8/8",)
    ),
    Group("gqa_causal", "32/8", 512, 512, 128, 1, (), "causal"),
    # decode of one query a head over a 16k cache (the benchmarks' 32k), contiguous and paged
    # (a pool of 16-key pages holding every kv head, a permuted page table)
    Group("gqa", "32/8", 1, 16384, 128, 1, (), "decode"),
    Group("paged", "32/8", 1, 16384, 128, 1, (), "paged"),
    # MLA decode at DeepSeek-V3's dims (latent 512 + RoPE 64; the toy groups above: 24 + 8)
    Group("mla", "16/1", 1, 16384, 512, 1, (), "mla"),
)


def bake_params(program, params: dict):
    """``program`` with its params' defaults set to ``params`` (the rest unchanged)."""
    from attncc.ir.nodes import Param

    decls = tuple(
        replace(d, default=params[d.name]) if isinstance(d, Param) and d.name in params else d
        for d in program.decls
    )
    return replace(program, decls=decls)


def make_case(group: Group, p: int, m: int, seed: int):
    """(program, arguments) of ``group`` at lengths ``p`` × ``m``."""
    import numpy as np

    if group.bench:
        return _bench_case(group, p, m, seed)
    from cases import CASES
    from cases import Shape

    rng = np.random.default_rng(seed)
    shape = Shape(heads=group.heads, b=group.b, p=p, m=m, e=group.e, f=group.e)
    program, kwargs, _ = CASES[group.variant](rng, shape, name=group.variant)
    program = bake_params(program, dict(group.params))
    declared = {d.name for d in program.params}
    kwargs = {k: v for k, v in kwargs.items() if k not in declared}  # defaults are used
    return program, kwargs


def _bench_case(group: Group, p: int, m: int, seed: int):
    """(program, arguments) as ``bench/_cases.py`` builds its case of ``group.bench``, with
    scalar params baked in as defaults and tensors as numpy arrays."""
    sys.path.insert(0, str(ROOT / "bench"))
    from _cases import Case
    from _cases import setup

    h, hk = (int(x) for x in group.heads.split("/"))
    case = Case(group.variant, group.bench, h, hk, p, m, group.e, group.b)
    built = setup(case, flex_attention=None, seed=seed)  # the peers are never called here
    program = built.program
    declared = {d.name for d in program.params}
    scalars = {k: v for k, v in built.args.items() if k in declared}
    program = bake_params(program, scalars)
    kwargs = {k: v.numpy() for k, v in built.args.items() if k not in declared}
    return program, kwargs


def program_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def draw_configs(space, n: int, rng: random.Random, generic_ok: bool) -> list[dict]:
    """The default plus ``n`` distinct feasible configs drawn from the knobs."""
    out = [space.default()]
    seen = {json.dumps(out[0], sort_keys=True)}
    lowerings = next((k.choices for k in space.knobs if k.name == "lowering"), ("generic",))
    n_generic = 0
    if "generic" in lowerings and generic_ok:
        n_generic = n if lowerings == ("generic",) else max(1, n // 6)
    tries = 0
    while len(out) < n + 1 and tries < 200 * (n + 1):
        tries += 1
        want_generic = sum(c["lowering"] == "generic" for c in out) < n_generic
        cfg = space.default()
        if want_generic:
            cfg["lowering"] = "generic"
            for k in space.knobs:
                if k.name in ("parallel", "fuse", "unroll"):
                    cfg[k.name] = rng.choice(k.choices)
        elif "fused" in lowerings:
            for k in space.knobs:
                if k.name not in ("lowering", "parallel", "fuse", "unroll"):
                    cfg[k.name] = rng.choice(k.choices)
        else:
            break
        key = json.dumps(cfg, sort_keys=True)
        if key in seen or space.why_infeasible(cfg) is not None:
            continue
        seen.add(key)
        out.append(cfg)
    return out


def time_call(fn, runs: int) -> list[float]:
    fn()  # warm-up: wakes the thread pool, faults the pages in
    t = time.perf_counter()
    fn()
    once = time.perf_counter() - t
    reps = max(1, min(50, round(BLOCK_S / max(once, 1e-6))))
    blocks = []
    for _ in range(runs):
        t = time.perf_counter()
        for _ in range(reps):
            fn()
        blocks.append((time.perf_counter() - t) / reps)
    return blocks


def measure(
    group: Group, configs: list[dict], runs: int, seed: int, emit, passes: int = PASSES
) -> None:
    """Build and check every config of ``configs``, then time them in ``passes`` passes over
    the set (forward, then backward, ...), so that a config's timings are seconds apart with
    the others' in between; ``seconds`` is the lowest median (interference only slows a
    kernel). Rows are emitted at the end, in ``configs`` order."""
    import numpy as np

    import attncc
    from attncc.ir.arguments import split_arguments
    from attncc.ir.bind import bind
    from attncc.ir.printer import format_program
    from attncc.targets.invoke import storage_array

    program, kwargs = make_case(group, group.p, group.m, seed)
    small_p = min(group.p, 37)
    small_m = min(group.m, 101) if group.p > 1 else min(group.m, 203)
    if group.bench in ("decode", "paged", "mla"):  # one query; a cache of whole 16-key pages
        small_p, small_m = group.p, 208
    elif group.bench:  # square: a tree's queries are its nodes; documents need some length
        small_p = small_m = min(group.p, 96)
    sprog, skw = make_case(group, small_p, small_m, seed + 1)
    want = attncc.interpret(sprog, **skw)
    want = want if isinstance(want, dict) else {"out": want}
    from attncc.cost_models.dataset import SCHEMA
    from attncc.cost_models.dataset import code_version
    from attncc.cost_models.hardware import host_hardware
    from attncc.targets.base import stable_hash
    from attncc.targets.cpu.asm_stats import assembly_stats

    text = format_program(program)
    arrays, params = split_arguments(program, kwargs)
    binding = bind(program, shapes={n: a.shape for n, a in arrays.items()}, params=params)
    prepared = {d.name: storage_array(arrays[d.name], d.dtype) for d in program.inputs}
    target = attncc.targets.get_target("cpu")
    base = {
        "schema": SCHEMA,
        "code_version": code_version(),
        "attncc": attncc.__version__,
        "program": group.variant,
        "program_hash": program_hash(text),
        "program_text": text,
        "extents": dict(binding.extents),
        "group": group.tag,
        "hardware": host_hardware(target),
    }
    default = json.dumps(
        target.space(program, target.specialise(program, binding.extents)).default(), sort_keys=True
    )
    rows, calls = [], []  # calls: (row, the kernel on the pre-bound arguments)
    for cfg in configs:
        row = {**base, "config": cfg, "seconds": math.inf, "blocks": [], "error": None}
        row["is_default"] = json.dumps(cfg, sort_keys=True) == default
        row["build"] = {}
        rows.append(row)
        t0 = time.perf_counter()
        try:
            kernel = attncc.compile(program, "cpu", config=cfg)
            got = kernel(**skw)
            got = got if isinstance(got, dict) else {"out": got}
            row["build"]["build_s"] = round(time.perf_counter() - t0, 3)
            err = max(float(np.max(np.abs(got[k] - want[k]))) for k in want)
            if not err <= TOL:
                row["error"] = f"wrong answer at p={small_p} m={small_m}: max abs error {err:.3g}"
                continue
            artifact = kernel._artifact(binding.extents)
            row["kernel_hash"] = stable_hash(artifact.source.text)[:16]
            if artifact.path:
                row["build"].update(assembly_stats(artifact.path))
            calls.append(
                (row, lambda a=artifact: target.run(a, prepared, binding.scalars, binding.extents))
            )
        except Exception as exc:  # a failed candidate is data
            row["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
    for n in range(passes):
        for row, call in calls if n % 2 == 0 else calls[::-1]:
            if row["error"] is not None:
                continue
            try:
                blocks = time_call(call, runs)
            except Exception as exc:
                row["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
                row["seconds"] = math.inf
                continue
            add_timing(row, blocks)
    for row in rows:
        emit(row)


def add_timing(row: dict, blocks: list[float]) -> None:
    """Record one more timing of ``row`` (``blocks``, then ``blocks_again``, then each in
    ``blocks_more``); ``seconds`` is the lowest median of them all."""
    if not row.get("blocks"):
        row["blocks"] = blocks
    elif not row.get("blocks_again"):
        row["blocks_again"] = blocks
    else:
        row.setdefault("blocks_more", []).append(blocks)
    row["seconds"] = min(statistics.median(b) for b in timings(row))


def timings(row: dict) -> list[list[float]]:
    """Every timing of ``row``: its lists of blocks, first to last."""
    out = [row.get("blocks") or [], row.get("blocks_again") or [], *row.get("blocks_more", [])]
    return [b for b in out if b]


def default_out() -> Path:
    """``bench/data/cpu/<machine>.jsonl.gz``: one file per machine (:func:`machine_key`:
    the CPU with its family and model, LLVM CPU, ISA, threads), so sessions on different
    CPUs add files instead of editing one, and never resume from another CPU's rows."""
    import re

    from attncc.cost_models.dataset import machine_key
    from attncc.cost_models.hardware import host_hardware

    key = machine_key(host_hardware(measure_embedding=False))
    slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
    return ROOT / "bench" / "data" / "cpu" / f"{slug}.jsonl.gz"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=None, help="default: bench/data/cpu/<machine>.jsonl.gz")
    ap.add_argument("--per-group", type=int, default=14, help="random configs per group")
    ap.add_argument("--runs", type=int, default=3, help="timed blocks per config (median)")
    ap.add_argument("--budget", type=float, default=1200, help="wall seconds for the sweep")
    ap.add_argument("--groups", default="", help="comma-separated variant names (default all)")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)

    import attncc
    from attncc.cost_models.dataset import append_rows
    from attncc.cost_models.dataset import is_stale
    from attncc.cost_models.dataset import load_rows
    from attncc.cost_models.hardware import host_hardware
    from attncc.targets.cpu.host import configure_threads

    threads = configure_threads()
    out = Path(args.out) if args.out else default_out()
    done = set()
    if out.exists():  # resume: fresh rows are done; stale ones (older kernels) are redone
        for r in load_rows(out):
            if not is_stale(r):
                done.add((r["group"], json.dumps(r["config"], sort_keys=True)))
    hw = host_hardware()  # measures the probe embedding once (cached per machine)
    print(f"machine: {hw['cpu']} {hw['mcpu']} {hw['isa']}, {threads} threads -> {out}")
    wanted = set(filter(None, args.groups.split(",")))
    sweep = [g for g in SWEEP if not wanted or g.variant in wanted]
    # Breadth first: every group gets its configs in rounds, so a budget cut leaves all.
    target = attncc.targets.get_target("cpu")
    plans = []
    for i, g in enumerate(sweep):
        program, kwargs = make_case(g, g.p, g.m, args.seed)
        from attncc.ir.arguments import split_arguments
        from attncc.ir.bind import bind

        arrays, params = split_arguments(program, kwargs)
        ext = bind(program, shapes={n: a.shape for n, a in arrays.items()}, params=params).extents
        space = target.space(program, target.specialise(program, ext))
        rng = random.Random(f"{args.seed}:{g.tag}")
        generic_ok = g.p * g.m <= 1024 * 1024
        n = args.per_group * (DECODE_DRAWS if g.p <= 4 else 1)
        cfgs = draw_configs(space, n, rng, generic_ok)
        cfgs = [c for c in cfgs if (g.tag, json.dumps(c, sort_keys=True)) not in done]
        plans.append((g, cfgs))
        print(f"[{i + 1}/{len(sweep)}] {g.tag}: {len(cfgs)} configs to measure", flush=True)

    start = time.time()
    n_rows = 0

    def show(row):
        s = row["seconds"]
        shown = f"{s * 1e3:8.3f} ms" if math.isfinite(s) else f"FAILED {row['error']}"
        print(
            f"{time.time() - start:7.1f}s {row['group']:<48} {shown}  {row['config']}", flush=True
        )

    chunk = 4
    for r0 in range(0, max((len(c) for _, c in plans), default=0), chunk):
        for g, cfgs in plans:
            if time.time() - start > args.budget:
                break
            rows = []
            measure(g, cfgs[r0 : r0 + chunk], args.runs, args.seed, rows.append)
            append_rows(out, rows)  # one gzip member per chunk: a kill loses one chunk
            for row in rows:
                show(row)
            n_rows += len(rows)
    print(f"{n_rows} rows in {time.time() - start:.0f}s ({threads} threads) -> {out}")


if __name__ == "__main__":
    main()
