"""Evaluate the CPU cost model the way it is used: on machines, programs and shapes it has
not seen, against the baselines a user could pick instead.

    python bench/eval_cost_model.py                    # the tables in bench/RESULTS.md
    python bench/eval_cost_model.py --include-stale    # with rows of older kernels too
    python bench/eval_cost_model.py --skip ranking,loso,adapt   # the search table only

Data: every ``bench/data/cpu/*.jsonl.gz`` (one file per machine, ``bench/collect_cpu.py``
and ``bench/tuning.py --measure``); rows whose code version is not this checkout's are left
out unless ``--include-stale``. A *group* is one program at one shape on one machine: the
set a tuner ranks. Metrics (:mod:`attncc.cost_models.metrics`) are averaged over groups.

1. **Ranking** on held-out data, three splits: leave-one-machine-out (train on the other
   machines, rank every group of the held-out one), leave-one-variant-out, leave-one-shape-
   out (each group held out in turn); and, once the data holds more than one CPU
   (:func:`attncc.cost_models.dataset.cpu_key`: model name, vendor, family, model),
   leave-one-CPU-out, which holds out every build and thread count of a CPU at once; and,
   where one CPU has several builds (AVX-512 and AVX2), leave-one-build-out (every thread
   count of a build held out: a vector width the model never saw); and, where the data
   holds several thread counts, leave-one-thread-count-out (every build at that count held
   out: a core count the model never saw).
   Methods: attncc's XGBoost ranker (``rank:pairwise``, the shipped config: five members
   bagged by group); one booster on all the training data; one with ``rank:ndcg`` (pairs
   near the top weigh most); a classifier surrogate that predicts "top 10 % of its group"
   (an XGBoost random forest, the approach of a random-forest autotuner surrogate), ranked
   by its probability; random order (mean of 50 draws).
   Then leave-one-machine-out again with the held-out machine's probe embedding moved at
   random (:func:`embedding_shift`).
2. **Adaptation** to the held-out machine with 10 measurements (2 groups × 5 configs of that
   machine, 10 seeded draws), scored on its other groups (and the same per held-out CPU and
   per held-out build where the data has several): zero-shot; continued boosting
   (``XGBModel.fit`` on a loaded model), without and with its guard (``adapt_guard``: kept
   only if, continued on alternate shots, it orders the other shots better than the base);
   retrained with the shots; retrained and guarded the same way across the two shot
   groups.
3. **Search** on fully measured subspaces (rows tagged ``subspace``): trials until a config
   within 95 % of the exhaustive best, for random search, Optuna TPE and attncc's tuner loop
   (``bench/tuning.py``'s replay) starting from a model trained (a) on everything but this
   subspace's group, (b) on other machines only, (c) on other builds only (no kernel of
   this vector width) and (d), once the data holds two CPUs, on other CPUs only; 20 seeds
   each. The tuner starts as
   ``attncc/search/tuner.py`` does: the model's pick when it is sure by the shipped
   calibration, then the target's default config; else the default first. So that the
   default's merit is not counted as the model's, TPE is also run with the default first,
   and the model without it (its own first choice first).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "variants"))

from attncc.cost_models import metrics  # noqa: E402
from attncc.cost_models.dataset import load_dataset  # noqa: E402
from attncc.cost_models.features import FEATURES  # noqa: E402
from attncc.cost_models.features import featurize_many  # noqa: E402
from attncc.cost_models.xgb import XGBConfig  # noqa: E402
from attncc.cost_models.xgb import XGBModel  # noqa: E402
from attncc.cost_models.xgb import group_key  # noqa: E402
from attncc.cost_models.xgb import labels  # noqa: E402
from attncc.cost_models.xgb import pretrained_path  # noqa: E402

DATA = ROOT / "bench" / "data" / "cpu"
KS = (1, 5)
RANDOM_DRAWS = 50
KEYS = ("spearman", "pairwise", "top1", "top5", "trials_95", "within_95")


# ----------------------------------------------------------------------------- helpers


def by_group(records):
    groups = defaultdict(list)
    for r in records:
        groups[group_key(r.candidate)].append(r)
    return [g for g in groups.values() if len(g) >= 2 and any(r.error is None for r in g)]


def scored(model, groups):
    return [(model.predict([r.candidate for r in g]), [r.seconds for r in g]) for g in groups]


def random_scores(groups, seed=0):
    rng = np.random.default_rng(seed)
    runs = [
        metrics.evaluate(((rng.random(len(g)), [r.seconds for r in g]) for g in groups), KS)
        for _ in range(RANDOM_DRAWS)
    ]
    return mean_metrics(runs)


def mean_metrics(runs):
    return {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}


#: The shipped model's config (``bench/train_cost_model.py``): a bagged ensemble of five.
SHIPPED = XGBConfig(members=5)


def fitted(records, config=None):
    model = XGBModel(config or SHIPPED)
    model.fit(records)
    return model


class TopClassifier:
    """ "Is this config in the top 10 % of its group?": an XGBoost random forest (one round
    of 100 bagged trees), scored by its probability. Trained on the same records."""

    def __init__(self, share=0.1, seed=0):
        self.share, self.seed, self.booster = share, seed, None

    def fit(self, records):
        import xgboost as xgb

        y, groups = labels(records)
        top = np.zeros(len(records))
        for g in np.unique(groups):
            m = np.flatnonzero(groups == g)
            if y[m].max() <= 0:
                continue
            cut = np.quantile(y[m], 1 - self.share)
            top[m] = (y[m] >= cut) & (y[m] > 0)
        x = featurize_many([r.candidate for r in records])
        d = xgb.DMatrix(x, label=top, feature_names=list(FEATURES), missing=np.nan)
        params = {
            "objective": "binary:logistic",
            "num_parallel_tree": 100,
            "subsample": 0.8,
            "colsample_bynode": 0.8,
            "eta": 1.0,
            "max_depth": 8,
            "seed": self.seed,
            "nthread": 1,
            "verbosity": 0,
        }
        self.booster = xgb.train(params, d, num_boost_round=1)
        return self

    def predict(self, candidates):
        import xgboost as xgb

        x = featurize_many(list(candidates))
        d = xgb.DMatrix(x, feature_names=list(FEATURES), missing=np.nan)
        return [float(v) for v in self.booster.predict(d)]


def fmt_row(split, method, m):
    cells = " | ".join(f"{m[k]:.3f}" if k != "trials_95" else f"{m[k]:.1f}" for k in KEYS)
    return f"| {split} | {method} | {cells} | {m['groups']} |"


# ----------------------------------------------------------------------------- 1. ranking


def split_eval(ds, name, folds, breakdown=None):
    """``folds``: (train indices, test indices) pairs; returns table rows per method.
    ``breakdown``: a list that receives the ranker's Spearman and top-1 per held-out variant
    and per machine."""
    pairs = {
        "attncc XGBoost ranker": [],
        "one booster": [],
        "ndcg objective": [],
        "top-10 % classifier": [],
    }
    tests = []
    for train, test in folds:
        train_r = [ds.records[i] for i in train]
        test_g = by_group([ds.records[i] for i in test])
        if not test_g or not train_r:
            continue
        tests += test_g
        pairs["attncc XGBoost ranker"] += scored(fitted(train_r), test_g)
        pairs["one booster"] += scored(fitted(train_r, XGBConfig()), test_g)
        ndcg = XGBConfig(objective="rank:ndcg")
        pairs["ndcg objective"] += scored(fitted(train_r, ndcg), test_g)
        pairs["top-10 % classifier"] += scored(TopClassifier().fit(train_r), test_g)
    out = {m: metrics.evaluate(p, KS) for m, p in pairs.items() if p}
    if tests:
        out["random"] = random_scores(tests)
    if breakdown is not None:  # per held-out variant, and per machine (which CPU is hard)
        index = {id(r): i for i, r in enumerate(ds.records)}
        per = defaultdict(list)
        for g, (pred, secs) in zip(tests, pairs["attncc XGBoost ranker"], strict=True):
            i = index[id(g[0])]
            score = (metrics.spearman(pred, secs), metrics.top_k_score(pred, secs, 1))
            per[ds.variant(i)].append(score)
            per[f"machine {ds.machine(i)}"].append(score)
        for v in sorted(per):
            rho, top1 = np.nanmean(per[v], axis=0)
            breakdown.append(f"| {name} | {v} | {rho:.3f} | {top1:.3f} | {len(per[v])} |")
    return [fmt_row(name, m, v) for m, v in out.items()], out


def with_probes_shifted(record, shift):
    """``record`` as if measured on a machine whose probe embedding is ``shift`` away."""
    hw = dict(record.candidate.hardware)
    hw["embedding"] = {p: v + shift.get(p, 0.0) for p, v in (hw.get("embedding") or {}).items()}
    return dataclasses.replace(record, candidate=dataclasses.replace(record.candidate, hardware=hw))


def embedding_shift(ds, sigmas=(0.5, 1.0), draws=3):
    """Leave one machine out with the held-out machine's probe embedding moved by a random
    N(0, sigma) per probe (log2 units), one shift per machine and draw: does the ranking
    lean on the exact embedding, which a CPU never seen puts anywhere (on one CPU it moved
    by up to 2.6 between sessions)?"""
    from attncc.cost_models.hardware import PROBES

    pairs = defaultdict(list)
    for train, test in folds_by(ds, ds.machine):
        model = fitted([ds.records[i] for i in train])
        test_g = by_group([ds.records[i] for i in test])
        pairs["as measured"] += scored(model, test_g)
        for sigma in sigmas:
            for seed in range(draws):
                rng = np.random.default_rng(seed)
                shift = {p: float(rng.normal(0.0, sigma)) for p in PROBES}
                moved = [[with_probes_shifted(r, shift) for r in g] for g in test_g]
                pairs[f"probes moved by N(0, {sigma:g}), {draws} draws"] += scored(model, moved)
    return [
        fmt_row("leave one machine out, embedding", name, metrics.evaluate(p, KS))
        for name, p in pairs.items()
    ]


def folds_by(ds, key_of):
    keys = [key_of(i) for i in range(len(ds.records))]
    for k in sorted(set(keys)):
        test = [i for i, kk in enumerate(keys) if kk == k]
        train = [i for i, kk in enumerate(keys) if kk != k]
        yield train, test


# ----------------------------------------------------------------------------- 2. adaptation


def _shots(groups, rng, n_groups=2, per=5):
    """``n_groups`` × ``per`` records of distinct groups with ``per`` successes at least."""
    ok = [g for g in groups if sum(r.error is None for r in g) >= per + 1]
    chosen = rng.sample(ok, min(n_groups, len(ok)))
    return [rng.sample([r for r in g if r.error is None], per) for g in chosen]


def _pairwise_on(model, shots):
    return metrics.pairwise_accuracy(
        model.predict([r.candidate for r in shots]), [r.seconds for r in shots]
    )


def guarded(train, shot_groups, zero):
    """Retrain with the shots only if that helps on shots it did not see (module doc)."""
    adapted = fitted([*train, *(r for g in shot_groups for r in g)])
    if len(shot_groups) < 2:
        return zero, False
    gain = 0.0
    for i, held in enumerate(shot_groups):
        others = [r for j, g in enumerate(shot_groups) if j != i for r in g]
        probe = fitted([*train, *others])
        gain += _pairwise_on(probe, held) - _pairwise_on(zero, held)
    return (adapted, True) if gain > 0 else (zero, False)


def adaptation(ds, draws=10, key_of=None):
    """Ten shots on each held-out part: a machine (``key_of`` ``None``), else every key of
    ``key_of`` (a CPU; a build: a vector width never seen)."""
    key_of = key_of or ds.machine
    keys = [key_of(i) for i in range(len(ds.records))]
    rows, results = [], {}
    for m in sorted(set(keys)):
        train = [r for r, k in zip(ds.records, keys, strict=True) if k != m]
        mine = by_group([r for r, k in zip(ds.records, keys, strict=True) if k == m])
        if not train or len(mine) < 3:
            continue
        zero = fitted(train)
        with tempfile.TemporaryDirectory() as d:
            zero.save(f"{d}/m.json")
            runs = defaultdict(list)
            accepted = 0
            for seed in range(draws):
                shot_groups = _shots(mine, random.Random(seed))
                shot_ids = {id(r) for g in shot_groups for r in g}
                rest = by_group([r for g in mine for r in g if id(r) not in shot_ids])
                shots = [r for g in shot_groups for r in g]
                runs["zero-shot"].append(metrics.evaluate(scored(zero, rest), KS))
                for guard in (False, True):
                    cont = XGBModel.load(f"{d}/m.json")
                    cont.config = dataclasses.replace(cont.config, adapt_guard=guard)
                    cont.fit(shots)
                    name = "continued boosting" + (", guarded (shipped)" if guard else "")
                    runs[f"+10 shots, {name}"].append(metrics.evaluate(scored(cont, rest), KS))
                retrained = fitted([*train, *shots])
                runs["+10 shots, retrained"].append(metrics.evaluate(scored(retrained, rest), KS))
                chosen, took = guarded(train, shot_groups, zero)
                accepted += took
                runs["+10 shots, retrained, guarded"].append(
                    metrics.evaluate(scored(chosen, rest), KS)
                )
        for name, ms in runs.items():
            mm = mean_metrics(ms)
            results[(m, name)] = mm
            rows.append(fmt_row(f"held-out {m}", name, mm))
        rows.append(f"| held-out {m} | (the retrain guard took the shots in {accepted}/{draws}) |")
    return rows, results


# ----------------------------------------------------------------------------- 3. search


def search(ds, seeds=20, machines=""):
    """``machines``: only the subspaces of machines whose key holds this text."""
    import tuning

    lines, results = [], {}
    # the shipped calibration, fitted on held-out predictions of this data
    calibration = XGBModel.load(str(pretrained_path("cpu"))).info or {}
    subs = defaultdict(list)
    for i, row in enumerate(ds.rows):
        if row.get("subspace") and machines in ds.machine(i):
            subs[(ds.machine(i), row["subspace"])].append(i)
    for (m, v), idx in sorted(subs.items()):
        rows = [ds.rows[i] for i in idx]
        table = tuning.Table(v, rows=rows)
        default = next((r["config"] for r in rows if r.get("is_default")), None)
        if default is None:
            continue
        program = ds.records[idx[0]].candidate.program
        extents = dict(ds.records[idx[0]].candidate.extents)
        gk = group_key(ds.records[idx[0]].candidate)
        others = [r for r in ds.records if group_key(r.candidate) != gk]
        other_machines = [r for i, r in enumerate(ds.records) if ds.machine(i) != m]
        bases = {"attncc model (this group held out)": fitted(others)}
        if other_machines:
            bases["attncc model (other machines only)"] = fitted(other_machines)
        build = ds.build(idx[0])  # a vector width never seen
        other_builds = [r for i, r in enumerate(ds.records) if ds.build(i) != build]
        cpu = ds.cpu(idx[0])  # a CPU never seen: none of its builds or thread counts
        other_cpus = [r for i, r in enumerate(ds.records) if ds.cpu(i) != cpu]
        # only where the build split differs from both (this CPU has another build)
        if other_builds and len(other_builds) not in (len(other_machines), len(other_cpus)):
            bases["attncc model (other builds only)"] = fitted(other_builds)
        if other_cpus:
            bases["attncc model (other CPUs only)"] = fitted(other_cpus)
        n, share = len(table.configs), len(table.good) / len(table.configs)

        def stop(order, table=table):
            return bool(order) and tuning.key(order[-1]) in table.good

        methods = {
            "random": lambda s, t=table: tuning.search_random(t, s),
            "Optuna TPE": lambda s, t=table: tuning.search_tpe(t, s, stop),
            "Optuna TPE, default first": lambda s, t=table, f=default: tuning.search_tpe(
                t, s, stop, first=f
            ),
        }
        with tempfile.TemporaryDirectory() as d:
            for name, base in bases.items():
                path = f"{d}/{len(methods)}.json"
                base.save(path)
                for first in ("tuner", "model"):
                    label = name if first == "tuner" else name.replace("(", "(its own first pick, ")
                    methods[label] = (
                        lambda s, t=table, p=path, f=first, pe=(program, extents, default): (
                            tuning.search_model(
                                t,
                                s,
                                pe[0],
                                pe[1],
                                model=XGBModel.load(p),
                                default=pe[2],
                                stop=stop,
                                first=f,
                                calibration=calibration,
                            )
                        )
                    )
            for name, fn in methods.items():
                hits = [tuning.hit(table, fn(seed)) for seed in range(seeds)]
                med = statistics.median(hits)
                results[(m, v, name)] = med
                lines.append(
                    f"| {m} | {v} | {n} | {share:.1%} | {name} | {med:g} | "
                    f"{statistics.mean(hits):.1f} | {sum(h <= 32 for h in hits) / len(hits):.2f} |"
                )
                print(lines[-1], flush=True)
    return lines, results


# ----------------------------------------------------------------------------- main


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", action="append", default=None, help="files or directories")
    ap.add_argument("--include-stale", action="store_true")
    ap.add_argument("--draws", type=int, default=10, help="adaptation draws per machine")
    ap.add_argument("--seeds", type=int, default=20, help="search seeds per method")
    ap.add_argument("--skip", default="", help="comma-separated: ranking,loso,adapt,search")
    ap.add_argument("--machines", default="", help="search: subspaces of machines matching")
    ap.add_argument("--breakdown", action="store_true", help="per held-out variant, machine")
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))

    t0 = time.time()
    ds = load_dataset(args.data or [DATA], include_stale=args.include_stale)
    groups = by_group(ds.records)
    print(
        f"{len(ds.records)} records ({ds.stale} stale rows "
        f"{'kept' if args.include_stale else 'left out'}), "
        f"{len(groups)} groups, machines: {', '.join(ds.machines)}",
        flush=True,
    )
    header = (
        "| split | method | Spearman | pairwise | top-1 | top-5 | trials to 95 % | "
        "share within 95 % | groups |\n|---|---|---|---|---|---|---|---|---|"
    )
    table = [header]
    breakdown = [] if args.breakdown else None
    cpus = {ds.cpu(i) for i in range(len(ds.records))}
    splits = []
    # a build (CPU and the ISA kernels were built for) with every thread count held out: on
    # one CPU, the nearest thing to a machine never seen (an AVX2 model trained on AVX-512
    # builds only); leave-one-machine-out keeps the other thread count of the same build
    builds = {ds.build(i) for i in range(len(ds.records))}
    threads = {ds.threads(i) for i in range(len(ds.records))}
    if "ranking" not in skip:
        if len(cpus) > 1:  # every build and thread count of one CPU held out together
            splits.append(("leave one CPU out", ds.cpu))
        if len(builds) > len(cpus):
            splits.append(("leave one build out", ds.build))
        if len(threads) > 1:
            splits.append(("leave one thread count out", ds.threads))
        if len(ds.machines) > 1:
            splits.append(("leave one machine out", ds.machine))
        splits.append(("leave one variant out", ds.variant))
    for name, key_of in splits:
        rows, _ = split_eval(ds, name, folds_by(ds, key_of), breakdown)
        table += rows
        print("\n".join(rows), flush=True)
    if "ranking" not in skip and len(ds.machines) > 1:
        print("\n".join(embedding_shift(ds)), flush=True)
    if "loso" not in skip:
        keys = [group_key(r.candidate) for r in ds.records]
        rows, _ = split_eval(ds, "leave one shape out", folds_by(ds, lambda i: keys[i]))
        table += rows
        print("\n".join(rows), flush=True)
    print("\n".join(table))
    if breakdown:
        print("\n| split | held out | Spearman | top-1 | groups |\n|---|---|---|---|---|")
        print("\n".join(breakdown), flush=True)
    if "adapt" not in skip and len(ds.machines) > 1:
        rows, _ = adaptation(ds, args.draws)
        if len(cpus) > 1:  # ten shots on a CPU never seen: the case adaptation is for
            rows += adaptation(ds, args.draws, ds.cpu)[0]
        if len(builds) > len(cpus):
            rows += adaptation(ds, args.draws, ds.build)[0]
        print("\n" + header + "\n" + "\n".join(rows), flush=True)
    if "search" not in skip:
        print(
            "\n| machine | subspace | space | within 95 % | method | median trials to 95 % | "
            "mean | P(≤ 32) |\n|---|---|---|---|---|---|---|---|"
        )
        search(ds, args.seeds, args.machines)
    print(f"done in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
