"""Time rows of this machine's data again, at another moment: more timings against bursts
of interference.

    python bench/remeasure.py                        # noisy rows and every subspace row
    python bench/remeasure.py --spread 1.25          # rows whose blocks spread over 1.25×
    python bench/remeasure.py --all                  # every row timed once (a second pass)
    python bench/remeasure.py --all --timings 3      # every row timed fewer than 3 times
    ATTNCC_CPU=znver3 TVM_NUM_THREADS=1 python bench/remeasure.py   # another configuration

Why: a timing is three blocks of ~0.04 s, one after the other. On a shared 2-core virtual
machine interference comes in bursts longer than that: in the fully measured sliding-window
subspace (AVX-512, 2 threads) a config that runs in 1.2 ms was stored at 6.06 ms (blocks
6.06, 4.71, 6.34) and another at 4.12 ms (5.2, 4.12, 2.35), and the model was scored
against those labels. Steady blocks do not clear a row: timed again, 90 of that subspace's
197 rows ran faster by more than 10 % (one stored at 2.23 ms with blocks 2.22, 2.23, 2.25
runs in 1.15 ms). Since the eighth session ``collect_cpu.measure`` times every row twice,
seconds apart; a session that can afford it adds timings to every row (``--all
--timings 3``; builds come from the disk cache, 0.2-0.3 s a row). Timed twice more, in a
later session, rows already timed twice ran > 10 % faster in 4.0 % / 2.7 % of cases on two
threads (decode: 13 % / 9 %, memory-bound kernels of a few milliseconds) and 0.7 % on one.

What: the rows of this machine configuration's file (``collect_cpu.default_out``) that are
fresh (this code version), succeeded, were timed fewer than ``--timings`` times, and
either come from a fully measured subspace (``--subspaces``, on by default: the search
comparison's ground truth) or have blocks spread over ``--spread`` (max / min over every
timing), or every such row with ``--all``. Each is measured again with
``collect_cpu.measure`` (same build, check and timing; ``--passes`` timings) and keeps
``seconds`` = the lowest median of all its timings (interference only slows a kernel
down); every timing's blocks stay in the row (``blocks``, ``blocks_again``,
``blocks_more``), with ``remeasured: true``. The file is rewritten in place (same rows,
same order); a run stopped by ``--budget`` keeps what it finished and a rerun goes on with
the rest.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "variants"))

import collect_cpu  # noqa: E402


def spread(row: dict) -> float:
    """max / min over every block of every timing of ``row``."""
    blocks = [b for t in collect_cpu.timings(row) for b in t]
    return max(blocks) / min(blocks) if len(blocks) > 1 and min(blocks) > 0 else 1.0


def wanted(
    rows: list[dict], max_spread: float, subspaces: bool, every: bool = False, below: int = 2
) -> list[int]:
    """Indices of the rows to time again: fresh, successful, timed fewer than ``below`` times,
    and (unless ``every``) from a subspace or with blocks spread over ``max_spread``."""
    from attncc.cost_models.dataset import is_stale

    out = []
    for i, r in enumerate(rows):
        if is_stale(r) or r.get("error") or len(collect_cpu.timings(r)) >= below:
            continue
        if every or (subspaces and r.get("subspace")) or spread(r) > max_spread:
            out.append(i)
    return out


def merge(row: dict, again: dict) -> dict:
    """``row`` with the timings of ``again`` added (``collect_cpu.add_timing``: the lowest
    median stands, every timing's blocks stay)."""
    row = {**row, "remeasured": True}
    if again.get("error") or not again.get("blocks"):
        return {**row, "remeasure_error": again.get("error")}
    if "blocks_more" in row:  # a copy: the caller's row is left as it was
        row["blocks_more"] = [list(b) for b in row["blocks_more"]]
    for blocks in collect_cpu.timings(again):
        collect_cpu.add_timing(row, blocks)
    return row


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spread", type=float, default=1.25, help="max / min of a row's blocks")
    ap.add_argument("--no-subspaces", action="store_true", help="only rows over --spread")
    ap.add_argument("--all", action="store_true", help="every fresh row timed too few times")
    ap.add_argument("--timings", type=int, default=2, help="time rows timed fewer times than this")
    ap.add_argument("--passes", type=int, default=1, help="timings added to a row per run")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--budget", type=float, default=1200, help="wall seconds")
    ap.add_argument("--file", default=None, help="default: this machine's data file")
    args = ap.parse_args(argv)

    from attncc.cost_models.dataset import load_rows
    from attncc.cost_models.dataset import write_rows
    from attncc.targets.cpu.host import configure_threads

    threads = configure_threads()
    path = Path(args.file) if args.file else collect_cpu.default_out()
    rows = load_rows(path)
    todo = wanted(rows, args.spread, not args.no_subspaces, args.all, args.timings)
    by_tag = {g.tag: g for g in collect_cpu.SWEEP}
    groups = defaultdict(list)
    for i in todo:
        groups[rows[i]["group"]].append(i)
    print(f"{path.name}, {threads} threads: {len(todo)} rows in {len(groups)} groups to time again")
    start, done = time.time(), 0
    for tag, idx in groups.items():
        if time.time() - start > args.budget:
            print("budget spent: run again to go on")
            break
        group = by_tag.get(tag)
        if group is None:
            print(f"{tag}: not a group of the sweep, skipped")
            continue
        again: dict[str, dict] = {}

        def keep(row: dict, into: dict = again) -> None:
            into[json.dumps(row["config"], sort_keys=True)] = row

        configs = [rows[i]["config"] for i in idx]
        collect_cpu.measure(group, configs, args.runs, collect_cpu.SEED, keep, args.passes)
        changed = 0
        for i in idx:
            new = again.get(json.dumps(rows[i]["config"], sort_keys=True))
            if new is None:
                continue
            before = rows[i]["seconds"]
            rows[i] = merge(rows[i], new)
            changed += rows[i]["seconds"] < before / 1.1
        write_rows(path, rows)  # after every group: a stopped run keeps its work
        done += len(idx)
        print(f"{tag}: {len(idx)} rows, {changed} faster by > 10 % this time", flush=True)
    print(f"timed again: {done} rows in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
