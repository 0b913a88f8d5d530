"""Add this machine to the cost model's data: every measurement step in one command, in
bounded time, resumable.

    python bench/add_machine.py                 # ~25 min on 2 cores (--minutes)
    python bench/add_machine.py --train         # then retrain the shipped model, evaluate
    python bench/add_machine.py --dry-run       # the steps and their budgets, nothing run

Steps, each a subprocess (thread counts and the build ISA are fixed when TVM loads, hence
one process each), for the host's ISA and then, on an AVX-512 host, for AVX2 builds
(``ATTNCC_CPU``: ``znver3`` on AMD, ``skylake`` on Intel), so that one session measures both
vector widths:

1. ``tuning.py --measure``: the fully measured subspaces the search comparison replays
   (``k_layout`` varied too on AVX2 builds, where its best value differs). Their work is
   fixed, so they run first and are stopped only at twice their share: a subspace cut short
   is no use to the search comparison (on the Intel Xeon of the eleventh session the AVX2
   subspaces took 400 s, past the 382 s a fixed share allowed, and one stopped at 112/119);
2. ``collect_cpu.py`` on every core, then on one thread (``--per-group 8``): these stop
   themselves at their budget, which is their share of what is left of ``--minutes``;
3. ``remeasure.py --timings 3`` on every core: the subspace rows and the rows whose blocks
   disagree, timed a third time, minutes after the two of their collection (a row keeps
   the lowest median).

Every step appends to ``bench/data/cpu/<machine>.jsonl.gz`` and skips what is already there
(a CPU is told apart by its family and model, so another CPU's rows are never taken for
this one's): a run cut short by its budget, or killed, continues where it stopped when run
again. ``--train`` then runs ``train_cost_model.py`` and ``eval_cost_model.py --breakdown
--skip loso`` (~70 min more on 2 cores with two CPU models in the data).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Step:
    what: str
    args: tuple[str, ...]
    share: float  # of the whole budget
    env: dict[str, str] = field(default_factory=dict)
    bounded: bool = False  # takes --budget itself (else the step is stopped at its time)


SUBSPACES = ("tuning.py", "--measure", "--variants", "gqa_causal,sliding_window")


def narrower_cpu(vendor: str) -> str:
    """An AVX2-only LLVM CPU of the host's vendor, for AVX2 builds on an AVX-512 host."""
    return "znver3" if "AMD" in vendor.upper() else "skylake"


def plan(avx512: bool, vendor: str) -> list[Step]:
    """The steps for this host, their shares summing to 1."""
    builds = [("host ISA", {})]
    if avx512:
        builds.append(("AVX2 build", {"ATTNCC_CPU": narrower_cpu(vendor)}))
    share = 1.0 / len(builds)
    steps = []
    for name, env in builds:
        vary = "bq,rb,rbv,bk" + (",k_layout" if env or not avx512 else "")
        steps += [
            Step(f"subspaces, {name}", (*SUBSPACES, "--vary", vary), 0.35 * share, env),
            Step(f"collect, {name}, all cores", ("collect_cpu.py",), 0.40 * share, env, True),
            Step(
                f"collect, {name}, 1 thread",
                ("collect_cpu.py", "--per-group", "8"),
                0.15 * share,
                {**env, "TVM_NUM_THREADS": "1"},
                True,
            ),
            # a third timing, minutes later, of the noisy rows and the subspaces (each row is
            # timed twice, seconds apart, when collected; bursts of interference last longer)
            Step(
                f"time again, {name}, all cores",
                ("remeasure.py", "--timings", "3"),
                0.10 * share,
                env,
                True,
            ),
        ]
    return steps


def run(step: Step, seconds: float, dry: bool) -> tuple[str, float]:
    """Run one step: a bounded step is given ``seconds`` and stops itself; any other is
    stopped at ``seconds`` (its share of the budget, doubled by the caller)."""
    args = [sys.executable, str(ROOT / "bench" / step.args[0]), *step.args[1:]]
    if step.bounded:
        args += ["--budget", f"{seconds:.0f}"]
    env = {**os.environ, **step.env}
    shown = " ".join(f"{k}={v}" for k, v in step.env.items())
    print(f"== {step.what}: {shown} {' '.join(args[1:])} ({seconds:.0f} s)", flush=True)
    if dry:
        return "planned", 0.0
    t0 = time.time()
    try:
        # a bounded step stops itself between chunks; the margin covers its set-up
        done = subprocess.run(args, env=env, cwd=ROOT, timeout=seconds + 120, check=False)
        status = "done" if done.returncode == 0 else f"failed (exit {done.returncode})"
    except subprocess.TimeoutExpired:
        status = "stopped at its budget (run again to continue)"
    return status, time.time() - t0


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=25.0, help="for all measurement steps")
    ap.add_argument("--train", action="store_true", help="then retrain and evaluate")
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)

    from attncc.cost_models.dataset import machine_key
    from attncc.cost_models.hardware import host_hardware
    from attncc.targets.cpu.host import host_isa_features

    hw = host_hardware(measure_embedding=False)
    avx512 = "avx512f" in host_isa_features()
    print(f"machine: {machine_key(hw)} (host {hw['host_mcpu']}, AVX-512: {avx512})")
    steps = plan(avx512, str(hw.get("cpu_id") or hw.get("cpu") or ""))
    if args.train:
        steps += [
            Step("train and calibrate the shipped model", ("train_cost_model.py",), 0.0),
            Step("evaluate", ("eval_cost_model.py", "--breakdown", "--skip", "loso"), 0.0),
        ]
    left = args.minutes * 60
    report = []
    for n, step in enumerate(steps):
        shares = sum(s.share for s in steps[n:])
        if not step.share:
            seconds = 1800.0
        elif step.bounded:  # its share of the time left: fixed work that ran long shrinks it
            seconds = max(60.0, left * step.share / shares)
        else:  # fixed work, stopped only well past its share
            seconds = 2 * step.share * args.minutes * 60
        status, took = run(step, seconds, args.dry_run)
        if args.dry_run:  # as if each step took its time
            took = seconds if step.bounded else step.share * args.minutes * 60
        left -= took if step.share else 0.0
        report.append(f"{step.what}: {status} in {took:.0f} s")
    print("\n" + "\n".join(report))


if __name__ == "__main__":
    main()
