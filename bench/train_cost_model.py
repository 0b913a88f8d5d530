"""Validate and train the shipped CPU cost model on ``bench/data/cpu_measurements.jsonl``.

    python bench/train_cost_model.py             # validate both objectives, train, ship
    python bench/train_cost_model.py --no-save   # validation only

Validation is leave-one-variant-out (new programs: for each catalogue variant, train on
every other variant's groups and rank the held-out variant's groups; a group is one program
at one shape, the set a tuner ranks) and leave-one-shape-out (a known program at a new
shape: each group held out in turn, all the others trained on). Metrics
(:mod:`attncc.cost_models.metrics`) are averaged over groups; the random ranker's over
``RANDOM_DRAWS`` seeded permutations. The objective with the better mean pairwise accuracy
+ Spearman is trained on all the data and saved to ``attncc/cost_models/pretrained/cpu.json``
(+ ``cpu.meta.json``: config, layout, the validation table and the hardware embedding of
this machine).

An adaptation check follows: for each held-out variant, the LOVO model fitted further on
``--adapt`` records of that variant (continued boosting, :meth:`XGBModel.fit` on a loaded
model) and scored on the rest of its groups — the ~10-measurement transfer the design asks
for, here across variants on one machine (one machine is all we have).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from attncc.cost_models import hardware  # noqa: E402
from attncc.cost_models import metrics  # noqa: E402
from attncc.cost_models.dataset import load_rows  # noqa: E402
from attncc.cost_models.dataset import to_records  # noqa: E402
from attncc.cost_models.xgb import XGBConfig  # noqa: E402
from attncc.cost_models.xgb import XGBModel  # noqa: E402
from attncc.cost_models.xgb import group_key  # noqa: E402
from attncc.cost_models.xgb import pretrained_path  # noqa: E402

RANDOM_DRAWS = 50
KS = (1, 5)


def by_group(records):
    groups = defaultdict(list)
    for r in records:
        groups[group_key(r.candidate)].append(r)
    return [g for g in groups.values() if len(g) >= 2]


def score_groups(model, groups):
    for g in groups:
        yield model.predict([r.candidate for r in g]), [r.seconds for r in g]


def random_baseline(groups, seed=0):
    rng = np.random.default_rng(seed)
    runs = [
        metrics.evaluate(((rng.random(len(g)), [r.seconds for r in g]) for g in groups), KS)
        for _ in range(RANDOM_DRAWS)
    ]
    return {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}


def lovo(records, variant_of, config):
    """Held-out predictions per variant → metrics over all held-out groups."""
    variants = sorted(set(variant_of.values()))
    pairs = []
    for v in variants:
        train = [r for r in records if variant_of[id(r)] != v]
        test = [r for r in records if variant_of[id(r)] == v]
        model = XGBModel(config)
        model.fit(train)
        pairs += list(score_groups(model, by_group(test)))
    return metrics.evaluate(pairs, KS)


def leave_one_shape_out(records, config):
    """Held-out shapes: each group (one variant at one shape) ranked by a model trained on
    every other group, its own variant at other shapes included."""
    groups = by_group(records)
    pairs = []
    for g in groups:
        held = {id(r) for r in g}
        model = XGBModel(config)
        model.fit([r for r in records if id(r) not in held])
        pairs += list(score_groups(model, [g]))
    return metrics.evaluate(pairs, KS)


def adaptation(records, variant_of, config, n_adapt, seed=0):
    """LOVO model + ``n_adapt`` records of the held-out variant (continued boosting)."""
    rng = random.Random(seed)
    before, after = [], []
    for v in sorted(set(variant_of.values())):
        train = [r for r in records if variant_of[id(r)] != v]
        test = [r for r in records if variant_of[id(r)] == v]
        if len(test) < n_adapt + 8:
            continue
        model = XGBModel(config)
        model.fit(train)
        with tempfile.TemporaryDirectory() as d:
            model.save(f"{d}/m.json")
            adapted = XGBModel.load(f"{d}/m.json")
        shots = rng.sample(test, n_adapt)
        rest = [r for r in test if r not in shots]
        before += list(score_groups(model, by_group(rest)))
        adapted.fit(shots)
        after += list(score_groups(adapted, by_group(rest)))
    return metrics.evaluate(before, KS), metrics.evaluate(after, KS)


def transfer(records, target_records, config, n_shots, draws=10):
    """Few-shot transfer to a new setting (another thread count, other shapes): the model
    trained on ``records`` ranks ``target_records`` zero-shot; then, over ``draws`` seeded
    draws of ``n_shots`` records of the new setting, (a) continued boosting on the shots,
    (b) retraining on everything with the shots added. Scored on the records not drawn."""
    base = XGBModel(config)
    base.fit(records)
    groups = by_group(target_records)
    out = {"zero-shot": metrics.evaluate(score_groups(base, groups), KS)}
    with tempfile.TemporaryDirectory() as d:
        base.save(f"{d}/m.json")
        runs = defaultdict(list)
        for seed in range(draws):
            shots = random.Random(seed).sample(target_records, n_shots)
            drawn = {id(r) for r in shots}
            rest = by_group([r for r in target_records if id(r) not in drawn])
            continued = XGBModel.load(f"{d}/m.json")
            continued.fit(shots)
            runs["zero-shot, same split"].append(metrics.evaluate(score_groups(base, rest), KS))
            runs[f"+{n_shots} shots, continued"].append(
                metrics.evaluate(score_groups(continued, rest), KS)
            )
            retrained = XGBModel(config)
            retrained.fit([*records, *shots])
            runs[f"+{n_shots} shots, retrained"].append(
                metrics.evaluate(score_groups(retrained, rest), KS)
            )
    for name, ms in runs.items():
        out[name] = {k: float(np.mean([m[k] for m in ms])) for k in ms[0]}
    return out


def fmt(name, m):
    keys = ("spearman", "kendall", "pairwise", "top1", "top5", "trials_95", "within_95")
    return f"{name:<22}" + "  ".join(f"{k} {m[k]:.3f}" for k in keys) + f"  groups {m['groups']}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(ROOT / "bench" / "data" / "cpu_measurements.jsonl"))
    ap.add_argument("--no-save", action="store_true")
    ap.add_argument("--adapt", type=int, default=10)
    ap.add_argument(
        "--transfer",
        action="append",
        default=[],
        help="a dataset of a new setting (e.g. bench/data/cpu_measurements_1thread.jsonl) "
        "to score few-shot transfer on; repeatable",
    )
    args = ap.parse_args(argv)

    t0 = time.time()
    rows = load_rows(args.data)
    hw = hardware.host_hardware()  # this machine measured the data: its embedding
    extra = {"caches": hw["caches"], "cores": hw["cores"], "embedding": hw["embedding"]}
    records = to_records(rows, extra)
    variant_of = {id(r): row["program"] for r, row in zip(records, rows, strict=True)}
    groups = by_group(records)
    ok = sum(1 for r in records if r.error is None)
    print(
        f"{len(records)} records ({ok} ok) in {len(groups)} groups over "
        f"{len(set(variant_of.values()))} variants"
    )
    base = random_baseline(groups)
    print(fmt("random", base))
    results = {"random": base}
    for objective in ("rank:pairwise", "reg:squarederror"):
        m = lovo(records, variant_of, XGBConfig(objective=objective))
        results[objective] = m
        print(fmt(f"LOVO {objective}", m))
    best = max(
        ("rank:pairwise", "reg:squarederror"),
        key=lambda o: results[o]["pairwise"] + results[o]["spearman"],
    )
    config = XGBConfig(objective=best)
    print(f"chosen objective: {best}")
    results["held_out_shapes"] = leave_one_shape_out(records, config)
    print(fmt("held-out shapes", results["held_out_shapes"]))
    pre, post = adaptation(records, variant_of, config, args.adapt)
    print(fmt("held-out, no adapt", pre))
    print(fmt(f"held-out + {args.adapt} shots", post))
    results["adapt_before"], results["adapt_after"] = pre, post
    for path in args.transfer:
        target_records = to_records(load_rows(path), extra)
        print(f"transfer to {path} ({len(target_records)} records):")
        for name, m in transfer(records, target_records, config, args.adapt).items():
            print(fmt(f"  {name}", m))
            results[f"transfer {Path(path).stem} {name}"] = m

    model = XGBModel(
        config,
        info={
            "data": "bench/data/cpu_measurements.jsonl",
            "records": len(records),
            "groups": len(groups),
            "variants": sorted(set(variant_of.values())),
            "validation": "leave-one-variant-out (bench/train_cost_model.py)",
            "metrics": results,
            "hardware": {**rows[0].get("hardware", {}), **extra},
        },
    )
    model.fit(records)
    if not args.no_save:
        model.save(str(pretrained_path("cpu")))
        print(f"saved {pretrained_path('cpu')}")
    print(f"done in {time.time() - t0:.0f}s")
    return results


if __name__ == "__main__":
    main()
