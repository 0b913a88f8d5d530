"""Autotuning benchmark: random search vs Optuna TPE vs attncc's model-guided search.

    python bench/tuning.py --measure     # measure every config of each SUBSPACE (resumable)
    python bench/tuning.py               # replay the stored datasets, 20 seeds per method

Phase 1 (``--measure``): for each variant of :data:`VARIANTS` the CPU target's space is
restricted to a *subspace*: the fused lowering, the knobs in :data:`VARY` over all their
choices and every other knob at the target default. Every feasible config of that subspace
is measured once with ``bench/collect_cpu.py``'s ``measure`` (build, check against
``attncc.interpret`` at a small size, timed blocks, median) and appended to
``bench/data/tuning_<variant>.jsonl``; a rerun skips configs already there.

Phase 2 (default): the stored table is the "measurement" (a lookup). Each method proposes
configs of the subspace one at a time, never repeating one; we record, per seed, the
trials to reach 95 % of the exhaustive best (best_seconds / seconds >= 0.95; capped at the
subspace size) and whether it happened within 32 trials.

* random: a seeded permutation of the subspace.
* tpe: ``optuna.samplers.TPESampler(seed)``, one categorical per varied knob; a proposal
  that is infeasible or already measured is told PRUNED (no measurement spent) and the
  sampler asked again (after 50 such re-asks in a row, a random unmeasured config).
* model: attncc's tuner loop (``attncc/search/tuner.py``) re-implemented on the lookup
  table: first trial = the target default; rounds of ``batch`` = 8: retrain the cost model
  (``XGBModel``, warm-started from ``attncc.cost_models.xgb.pretrained()`` where it loads)
  on all records, rank the unmeasured configs of the subspace (the pool; the subspace is
  smaller than the tuner's pool of 512), take the top ``batch - explore`` and fill the rest
  of the round with TPE proposals (explore = 0.25), polish the last 20 % of the budget on
  unmeasured one-knob neighbours of the best (the tuner's ``polish``). Candidates are
  built like the tuner's (``Candidate(program, extents, config, hardware)``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "variants"))

DATA = ROOT / "bench" / "data"
#: (variant, heads, p, m, e, b, params): GQA 6/3 heads, fast enough to measure everything.
VARIANTS = {
    "gqa_causal": ("gqa", 512, 512, 128, 1, ()),
    "sliding_window": ("gqa", 512, 512, 64, 1, (("W", 256),)),
    "alibi": ("gqa", 512, 512, 64, 1, ()),
}
#: The knobs varied (all their choices); every other knob stays at the target default.
VARY = ("bq", "rb", "rbv", "k_layout", "bk")
THRESHOLD = 0.95
WITHIN = 32


def group(variant: str):
    from collect_cpu import Group

    heads, p, m, e, b, params = VARIANTS[variant]
    return Group(variant, heads, p, m, e, b, params)


def problem(variant: str):
    """(program, extents, space) of ``variant`` at its benchmark shape."""
    from collect_cpu import make_case

    import attncc.targets
    from attncc.ir.arguments import split_arguments
    from attncc.ir.bind import bind

    g = group(variant)
    program, kwargs = make_case(g, g.p, g.m, 0)
    arrays, params = split_arguments(program, kwargs)
    ext = bind(program, shapes={n: a.shape for n, a in arrays.items()}, params=params).extents
    target = attncc.targets.get_target("cpu")
    space = target.space(program, target.specialise(program, ext))
    return program, dict(ext), space


def subspace(space, vary=VARY) -> list[dict]:
    """Every feasible fused config varying only ``vary`` (others at the default)."""
    base = {**space.default(), "lowering": "fused"}
    knobs = [k for k in space.knobs if k.name in vary]
    out = []
    for values in itertools.product(*(k.choices for k in knobs)):
        cfg = {**base, **{k.name: v for k, v in zip(knobs, values, strict=True)}}
        if space.why_infeasible(cfg) is None:
            out.append(cfg)
    return out


def key(cfg) -> str:
    return json.dumps(cfg, sort_keys=True, default=str)


def load(variant: str, source: str | None = None) -> list[dict]:
    """The measured subspace of ``variant``: from ``source`` (a machine's dataset file,
    rows tagged ``subspace``) or, without one, the first-schema ``tuning_<variant>.jsonl``."""
    if source is not None:
        from attncc.cost_models.dataset import load_rows

        path = Path(source)
        rows = load_rows(path) if path.exists() else []
        return [r for r in rows if r.get("subspace") == variant]
    path = DATA / f"tuning_{variant}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# ------------------------------------------------------------------------------ measure
def run_measure(variants: list[str], runs: int, shard=(0, 1), vary=VARY) -> None:
    """Measure every config of each variant's subspace into this machine's dataset file
    (``bench/data/cpu/<machine>.jsonl.gz``, rows tagged ``subspace``); resumable."""
    from collect_cpu import default_out
    from collect_cpu import measure

    from attncc.cost_models.dataset import append_rows
    from attncc.cost_models.dataset import is_stale
    from attncc.targets.cpu.host import configure_threads

    configure_threads()
    out = default_out()
    for v in variants:
        _, _, space = problem(v)
        configs = subspace(space, vary)
        done = {key(r["config"]) for r in load(v, out) if not is_stale(r)}
        todo = [c for c in configs[shard[0] :: shard[1]] if key(c) not in done]
        print(f"{v}: subspace {len(configs)} configs, {len(todo)} to measure -> {out}")
        start = time.time()
        for i in range(0, len(todo), 8):
            rows = []
            measure(group(v), todo[i : i + 8], runs, 0, rows.append)
            default = key({**space.default(), "lowering": "fused"})
            for r in rows:
                r["subspace"] = v
                r["is_default"] = key(r["config"]) == default  # this ISA's default config
            append_rows(out, rows)
            print(f"  {v}: {i + len(rows)}/{len(todo)} in {time.time() - start:.0f}s", flush=True)


# ------------------------------------------------------------------------------ compare
class Table:
    """A measured subspace: the lookup that replaces measurement."""

    def __init__(self, variant: str, rows: list[dict] | None = None):
        given, rows, seen = rows, [], set()
        for r in load(variant) if given is None else given:
            if key(r["config"]) not in seen:  # first measurement of a config wins
                seen.add(key(r["config"]))
                rows.append(r)
        self.variant = variant
        self.rows = rows
        self.seconds = {key(r["config"]): float(r["seconds"]) for r in rows}
        self.configs = [r["config"] for r in rows]
        self.best = min(self.seconds.values())
        good = [k for k, s in self.seconds.items() if self.best / s >= THRESHOLD]
        self.good = set(good)
        self.hardware = rows[0]["hardware"] if rows else {}
        self.varied = [k for k in VARY if len({key(c[k]) for c in self.configs}) > 1]
        self.choices = {k: sorted({c[k] for c in self.configs}, key=str) for k in self.varied}
        self.base = {k: v for k, v in self.configs[0].items() if k not in self.varied}

    def config(self, params) -> dict:
        return {**self.base, **params}


def hit(table: Table, order: list[dict]) -> int:
    """Trials until the first config within 95 % of the best (len(space) when never)."""
    for i, c in enumerate(order, 1):
        if key(c) in table.good:
            return i
    return len(table.configs)


def search_random(table: Table, seed: int) -> list[dict]:
    order = list(table.configs)
    random.Random(seed).shuffle(order)
    return order


class _Study:
    """An Optuna study over the varied knobs, measuring by lookup (tuner-style)."""

    def __init__(self, table: Table, seed: int):
        import optuna
        from optuna.distributions import CategoricalDistribution

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.optuna = optuna
        self.table = table
        self.dists = {k: CategoricalDistribution(v) for k, v in table.choices.items()}
        self.study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
        self.order: list[dict] = []
        self.seen: set[str] = set()
        self.rng = random.Random(seed)

    def measure(self, cfg: dict) -> None:
        """Enqueue ``cfg`` and run it as the study's next trial."""
        self.study.enqueue_trial({k: cfg[k] for k in self.dists})
        t = self.study.ask(self.dists)
        self._tell(t, cfg)

    def _tell(self, t, cfg: dict) -> None:
        TrialState = self.optuna.trial.TrialState
        s = self.table.seconds[key(cfg)]
        self.seen.add(key(cfg))
        self.order.append(cfg)
        if math.isfinite(s):
            self.study.tell(t, s)
        else:
            self.study.tell(t, state=TrialState.FAIL)

    def fresh(self) -> list[dict]:
        return [c for c in self.table.configs if key(c) not in self.seen]

    def tpe(self, repair: bool) -> None:
        """One TPE trial; an infeasible / already measured proposal is PRUNED and either
        re-asked (``repair=False``, plain TPE) or replaced by its nearest fresh config
        (``repair=True``, the tuner's behaviour)."""
        TrialState = self.optuna.trial.TrialState
        for _ in range(50):
            t = self.study.ask(self.dists)
            cfg = self.table.config(t.params)
            k = key(cfg)
            if k in self.table.seconds and k not in self.seen:
                self._tell(t, cfg)
                return
            self.study.tell(t, state=TrialState.PRUNED)
            if repair:
                self.measure(self._nearest(cfg))
                return
        self.measure(self.rng.choice(self.fresh()))  # TPE stuck on measured configs

    def _nearest(self, cfg: dict) -> dict:
        fresh = self.fresh()
        return min(fresh, key=lambda c: sum(c[k] != cfg[k] for k in self.dists))


def search_tpe(table: Table, seed: int, stop=None, first=None) -> list[dict]:
    st = _Study(table, seed)
    if first is not None:  # enqueued: TPE's first trial is this config (the default)
        st.measure(next(c for c in table.configs if key(c) == key(first)))
    while st.fresh() and not (stop and stop(st.order)):
        st.tpe(repair=False)
    return st.order


def _model(pretrained: bool):
    from attncc.cost_models.xgb import XGBModel
    from attncc.cost_models.xgb import pretrained as load_pretrained

    if pretrained:
        try:
            return load_pretrained("cpu")
        except Exception as e:  # no shipped model: a fresh one (random until warm)
            print(f"pretrained model unavailable ({e}); using a fresh XGBModel")
    return XGBModel()


def search_model(
    table: Table,
    seed: int,
    program,
    extents,
    *,
    pretrained=True,
    stop=None,
    budget=64,
    model=None,
    default=None,
    first="tuner",
    calibration=None,
) -> list[dict]:
    """The tuner's loop (attncc/search/tuner.py) on the lookup table; ``model`` replaces the
    shipped one, ``default`` the target's default config.

    ``first``: how the study starts -- ``"tuner"`` as the tuner does (the model's pick when
    its mean margin over the default exceeds the threshold of ``calibration``, a model's
    ``info`` -- by default the model's own: ``keep_default_threshold``; then the default;
    else the default), ``"default"`` (the default first) or ``"model"`` (the model's own first
    choice, no default)."""
    from attncc.cost_models.base import Candidate
    from attncc.cost_models.base import Record
    from attncc.search.cost_model import ModelPick
    from attncc.search.cost_model import keep_default_threshold
    from attncc.search.cost_model import member_scores
    from attncc.search.cost_model import pick_and_margin

    batch, explore, polish = 8, 0.25, 0.2
    model = _model(pretrained) if model is None else model
    st = _Study(table, seed)

    def cand(c):
        return Candidate(program, extents, c, hardware=table.hardware)

    base = {**table.base, **{k: table.configs[0][k] for k in table.varied}}
    want = key(default) if default is not None else key(_default(table))
    default = next((c for c in table.configs if key(c) == want), base)
    if first not in ("tuner", "default", "model"):
        raise ValueError(f"first= takes tuner, default or model, got {first!r}")
    pool = [default, *(c for c in st.fresh() if key(c) != key(default))]
    # the model's calibration (none: its pick is trusted), or the one given
    info = getattr(model, "info", None) if calibration is None else calibration
    threshold = keep_default_threshold(info, cand(default))
    pick, margin = (
        pick_and_margin(member_scores(model, [cand(c) for c in pool]))
        if model.trained
        else (0, 0.0)
    )
    if first == "model":  # the model's own first choice: what it knows, not what the target does
        st.measure(pool[pick])
    else:
        sure = ModelPick(pool[pick], default, margin, threshold).sure  # tune="model"'s rule
        if first == "tuner" and pick and sure:
            st.measure(pool[pick])  # sure of its pick
        st.measure(default)  # the incumbent
    polish_from = budget - math.ceil(polish * budget)
    while st.fresh() and not (stop and stop(st.order)):
        records = [Record(cand(c), table.seconds[key(c)]) for c in st.order]
        model.fit(records)
        measured = len(st.order)
        if polish_from <= measured < budget:
            ok = [c for c in st.order if math.isfinite(table.seconds[key(c)])]
            best = min(ok, key=lambda c: table.seconds[key(c)]) if ok else default
            near = [c for c in st.fresh() if sum(c[k] != best[k] for k in table.varied) == 1]
            if near:
                scores = model.predict([cand(c) for c in near]) if model.trained else None
                if scores is not None:
                    near = [near[i] for i in sorted(range(len(near)), key=lambda i: -scores[i])]
                for c in near[:batch]:
                    st.measure(c)
                continue
        n = batch
        if measured < polish_from:
            n = min(n, polish_from - measured)
        n_model = n - max(1, round(explore * n))
        pool = st.fresh()
        st.rng.shuffle(pool)
        pool = pool[:512]
        if model.trained and n_model > 0:
            scores = model.predict([cand(c) for c in pool])
            pool = [pool[i] for i in sorted(range(len(pool)), key=lambda i: -scores[i])]
        for c in pool[:n_model]:
            st.measure(c)
        for _ in range(n - max(n_model, 0)):
            if st.fresh():
                st.tpe(repair=True)
    return st.order


_DEFAULTS: dict[str, dict] = {}


def _default(table: Table) -> dict:
    return _DEFAULTS[table.variant]


def run_compare(variants: list[str], seeds: int) -> str:
    lines = [
        "| variant | space | within 95 % | method | median trials to 95 % | mean | P(≤ 32) |",
        "|---|---|---|---|---|---|---|",
    ]
    for v in variants:
        table = Table(v)
        if not table.rows:
            print(f"{v}: no dataset, skipped")
            continue
        program, extents, space = problem(v)
        _DEFAULTS[v] = {**space.default(), "lowering": "fused"}
        n = len(table.configs)
        share = len(table.good) / n

        def stop(order, table=table):
            return bool(order) and key(order[-1]) in table.good

        methods = {
            "random": lambda s, t=table: search_random(t, s),
            "Optuna TPE": lambda s, t=table: search_tpe(t, s, stop),
            "attncc model (pretrained)": lambda s, t=table, p=program, e=extents: search_model(
                t, s, p, e, pretrained=True, stop=stop
            ),
            "attncc model (fresh)": lambda s, t=table, p=program, e=extents: search_model(
                t, s, p, e, pretrained=False, stop=stop
            ),
        }
        for name, fn in methods.items():
            t0 = time.time()
            hits = [hit(table, fn(seed)) for seed in range(seeds)]
            p32 = sum(h <= WITHIN for h in hits) / len(hits)
            lines.append(
                f"| {v} | {n} | {share:.1%} | {name} | {statistics.median(hits):g} | "
                f"{statistics.mean(hits):.1f} | {p32:.2f} |"
            )
            print(lines[-1], f"({time.time() - t0:.0f}s)", flush=True)
    text = "\n".join(lines)
    print(text)
    return text


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--measure", action="store_true", help="measure the subspaces first")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--runs", type=int, default=3, help="timed blocks per config (median)")
    ap.add_argument("--shard", default="0/1", help="i/n: measure every n-th config from i")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--vary", default=",".join(VARY), help="knobs a subspace varies")
    args = ap.parse_args(argv)
    variants = [v for v in args.variants.split(",") if v]
    if args.measure:
        i, n = (int(x) for x in args.shard.split("/"))
        run_measure(variants, args.runs, shard=(i, n), vary=tuple(args.vary.split(",")))
        return
    run_compare(variants, args.seeds)


if __name__ == "__main__":
    main()
