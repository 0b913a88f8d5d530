"""Train the shipped CPU cost model on every machine's measurements and calibrate when it
may overrule the default config.

    python bench/train_cost_model.py              # train, calibrate, save to the package
    python bench/train_cost_model.py --no-save    # calibration figures only

Data: ``bench/data/cpu/*.jsonl.gz`` (``bench/collect_cpu.py``), fresh rows only (their code
version is this checkout's) unless ``--include-stale``. The model is attncc's XGBoost
ranker (``rank:pairwise``, five members bagged by group: ``eval_cost_model.SHIPPED``); its held-out
quality is ``bench/eval_cost_model.py``'s job.

Calibration (``info["keep_default_margin"]``, read by :func:`attncc.search.cost_model.
model_pick`): on held-out predictions (leave one CPU out where the data holds several,
leave one machine out and leave one variant out),
for every group whose default config was measured, the margin ``score(pick) - score(default)``
(the smallest over the ensemble's members, as :func:`attncc.search.cost_model.model_pick`)
of the model's first choice over the default, and whether the pick was slower than the
default by more than ``NOISE``. The threshold is the largest margin at which a pick was
slower: up to it ``tune="model"`` keeps the default and says so.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from eval_cost_model import DATA  # noqa: E402
from eval_cost_model import SHIPPED  # noqa: E402
from eval_cost_model import by_group  # noqa: E402
from eval_cost_model import fitted  # noqa: E402
from eval_cost_model import folds_by  # noqa: E402

from attncc.cost_models.dataset import load_dataset  # noqa: E402
from attncc.cost_models.xgb import group_key  # noqa: E402
from attncc.cost_models.xgb import pretrained_path  # noqa: E402
from attncc.search.cost_model import member_scores  # noqa: E402
from attncc.search.cost_model import pick_and_margin  # noqa: E402

#: Run-to-run variation of one config's median on these machines (bench/RESULTS.md).
NOISE = 0.05


def default_flags(ds) -> dict[int, bool]:
    """id(record) → is the group's default config (``is_default``; rows without the flag:
    the first row of their group, which the collector always writes first)."""
    out, first = {}, set()
    for r, row in zip(ds.records, ds.rows, strict=True):
        k = group_key(r.candidate)
        if "is_default" in row:
            out[id(r)] = bool(row["is_default"])
        else:
            out[id(r)] = k not in first
        first.add(k)
    return out


def margins(ds, folds) -> list[tuple[float, bool, float]]:
    """(margin of the pick over the default, pick slower beyond noise, speed-up) per
    held-out group with a measured default."""
    is_default = default_flags(ds)
    out = []
    for train, test in folds:
        model = fitted([ds.records[i] for i in train])
        for g in by_group([ds.records[i] for i in test]):
            defaults = [r for r in g if is_default[id(r)]]
            if not defaults:
                continue
            d = defaults[0]
            # the statistic model_pick compares: the members' smallest margin
            members = member_scores(model, [r.candidate for r in g])
            best, margin = pick_and_margin(members, g.index(d))
            pick, base = g[best].seconds, d.seconds
            out.append((margin, pick > base * (1 + NOISE), base / pick if pick > 0 else 0.0))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", action="append", default=None)
    ap.add_argument("--include-stale", action="store_true")
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.time()
    ds = load_dataset(args.data or [DATA], include_stale=args.include_stale)
    print(f"{len(ds.records)} records, machines: {', '.join(ds.machines)}", flush=True)

    splits = [("leave one variant out", ds.variant)]
    if len(ds.machines) > 1:
        splits.insert(0, ("leave one machine out", ds.machine))
    if len({ds.cpu(i) for i in range(len(ds.records))}) > 1:  # a CPU the model never saw
        splits.insert(0, ("leave one CPU out", ds.cpu))
    held = [m for _, key in splits for m in margins(ds, folds_by(ds, key))]
    slower = [m for m, bad, _ in held if bad]
    threshold = max(slower) if slower else 0.0
    kept = [s for m, _, s in held if m > threshold]
    print(
        f"calibration on {len(held)} held-out groups: the pick was slower than the default "
        f"beyond {NOISE:.0%} in {len(slower)}; threshold {threshold:.4g} keeps the pick in "
        f"{len(kept)} groups (speed-up over the default there: "
        f"{min(kept, default=0):.2f}-{max(kept, default=0):.2f}×)",
        flush=True,
    )

    by_machine = defaultdict(int)
    for i in range(len(ds.records)):
        by_machine[ds.machine(i)] += 1
    model = fitted(ds.records, SHIPPED)
    model.info = {
        "data": "bench/data/cpu/*.jsonl.gz",
        "records": len(ds.records),
        "machines": dict(by_machine),
        "variants": sorted({ds.variant(i) for i in range(len(ds.records))}),
        "code_version": ds.rows[0].get("code_version") if ds.rows else None,
        "keep_default_margin": threshold,
        "calibration": {
            "groups": len(held),
            "slower_beyond_noise": len(slower),
            "noise": NOISE,
            "splits": " + ".join(name for name, _ in splits),
        },
        "evaluation": "python bench/eval_cost_model.py (bench/RESULTS.md)",
    }
    if not args.no_save:
        model.save(str(pretrained_path("cpu")))
        print(f"saved {pretrained_path('cpu')}")
    print(f"done in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
