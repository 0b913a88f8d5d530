"""XGBoost cost model: rank candidate schedules by predicted speed (after TVM MetaSchedule's
``cost_model/xgb_model.py``: a frozen config, features kept apart, lazy ``import xgboost``,
random scores until enough data, the library's own file format).

Training targets, per *group* (candidates of one program at one set of extents on one
machine, the set a tuner ranks): the normalised throughput ``y = best seconds / seconds`` in
``(0, 1]``, 0 for a failed candidate. Three objectives (:attr:`XGBConfig.objective`):

* ``"rank:pairwise"`` (the default) -- group-aware pairwise ranking (groups passed as
  ``qid``), every pair alike;
* ``"rank:ndcg"`` -- LambdaMART on NDCG with linear gain: pairs near the top of a group
  weigh most. Held out it ranks the top slightly better (top-1 0.951 against 0.945) but its
  ``tune="model"`` picks lost more (one 15 % slower than the default), and ten new
  measurements cannot move it (too little hessian for a split); bench/RESULTS.md;
* ``"reg:squarederror"`` -- regression on ``y`` weighted by ``y`` (MetaSchedule's choice: a
  near-best candidate's error costs more than a slow one's).

``bench/eval_cost_model.py`` compares them on held-out machines, variants and shapes.

Adaptation to another machine (HELP-style): a model loaded from a file keeps that booster as
its *base*; :meth:`XGBModel.fit` then continues boosting the base on the new records
(:attr:`XGBConfig.adapt_rounds` rounds at :attr:`XGBConfig.adapt_eta`) instead of
starting from scratch, so ~10
measurements move the ranking without forgetting what the base learned. The hardware
embedding is in the features (:mod:`attncc.cost_models.features`), so a base trained on
several machines can tell them apart.

Members (:attr:`XGBConfig.members` > 1): a bagged ensemble, each booster trained on a
seeded :data:`MEMBER_SHARE` of the groups; scores are the members' mean, and
:meth:`XGBModel.predict_members` gives each member's, so that ``tune="model"`` can ask how
much the members agree (a pick only some members prefer is an extrapolation).

Files: ``save(path)`` writes the booster in XGBoost's JSON (``.json``) or UBJSON (``.ubj``)
format and a sidecar ``<path without suffix>.meta.json`` with the config, the feature layout
(version and names), the SHA-256 of every booster file, and free-form ``info`` (training
data, validation, the hardware embedding trained with). ``load`` reads each booster's bytes
once, checks them against the sidecar and hands XGBoost those same bytes: a file changed or
swapped after ``save`` is refused, never parsed. Never pickle.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from attncc.cost_models.base import Candidate
from attncc.cost_models.base import CostModel
from attncc.cost_models.base import Record
from attncc.cost_models.features import FEATURES
from attncc.cost_models.features import LAYOUT_VERSION
from attncc.cost_models.features import featurize_many
from attncc.cost_models.metrics import pairwise_accuracy
from attncc.errors import TuningError
from attncc.ir.printer import format_program
from attncc.targets.base import stable_hash

__all__ = [
    "OBJECTIVES",
    "XGBConfig",
    "XGBModel",
    "group_key",
    "labels",
    "pretrained",
    "pretrained_path",
]

OBJECTIVES = ("rank:pairwise", "rank:ndcg", "reg:squarederror")
#: Share of the groups each member of an ensemble trains on.
MEMBER_SHARE = 0.8
_RANKING = ("rank:ndcg", "rank:pairwise")
_PRETRAINED = Path(__file__).resolve().parent / "pretrained"


@dataclass(frozen=True)
class XGBConfig:
    """Every field changes training or prediction (tests/cost_models checks each one).

    * ``objective``: one of :data:`OBJECTIVES` (module docstring);
    * ``max_depth``, ``eta``, ``num_boost_round``, ``min_child_weight``, ``subsample``,
      ``colsample_bytree``, ``reg_lambda``: XGBoost's own;
    * ``num_warmup_samples``: below this many successful records (and without a base
      booster) ``fit`` keeps the model untrained and ``predict`` returns random scores;
    * ``adapt_rounds``, ``adapt_eta``: continued boosting of a base (how far ~10 new
      measurements move it);
    * ``adapt_guard``: keep the continued boosting only when it helps on measurements it did
      not see (two folds of the new records, each fitted on one and scored on the other,
      pairwise accuracy against the base's); otherwise the base stays as it is, so a few
      unlucky measurements never make the ranking worse than the base's;
    * ``members``: boosters in the ensemble (1: one booster on all the data); each fit,
      adaptation and file covers every member;
    * ``seed``: XGBoost's seed and the warm-up scores' seed.
    """

    objective: str = "rank:pairwise"
    max_depth: int = 6
    eta: float = 0.1
    num_boost_round: int = 200
    min_child_weight: float = 1.0
    subsample: float = 0.9
    colsample_bytree: float = 0.9
    reg_lambda: float = 1.0
    num_warmup_samples: int = 16
    adapt_rounds: int = 30
    adapt_eta: float = 0.1
    adapt_guard: bool = True
    members: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise ValueError(
                f"XGBConfig.objective must be one of {OBJECTIVES}, got {self.objective!r}"
            )
        if self.num_boost_round < 1 or self.adapt_rounds < 0 or self.members < 1:
            raise ValueError(
                "XGBConfig: num_boost_round and members must be ≥ 1 and adapt_rounds ≥ 0"
            )

    def params(self, eta: float | None = None, member: int = 0) -> dict[str, Any]:
        p = {
            "objective": self.objective,
            "max_depth": self.max_depth,
            "eta": self.eta if eta is None else eta,
            "min_child_weight": self.min_child_weight,
            "subsample": self.subsample,
            "colsample_bytree": self.colsample_bytree,
            "lambda": self.reg_lambda,
            "seed": self.seed + member,
            "verbosity": 0,
            "nthread": 1,  # deterministic, and small: the tuner's cores time kernels
        }
        if self.objective in _RANKING:
            p["eval_metric"] = "ndcg"
        if self.objective == "rank:ndcg":
            p["ndcg_exp_gain"] = False  # grades run to 32; exponential gain stops at 31
        return p


@functools.lru_cache(maxsize=1024)
def _program_key(program) -> str:
    return stable_hash(format_program(program))[:16]


def group_key(c: Candidate) -> str:
    """The ranking group of a candidate: program text × extents × machine (the hardware
    mapping without its measured embedding)."""

    hw = {k: v for k, v in (c.hardware or {}).items() if k not in ("embedding",)}
    ext = sorted((k, v) for k, v in c.extents.items())
    return stable_hash(_program_key(c.program), ext, hw)[:16]


def labels(records: Sequence[Record]) -> tuple[np.ndarray, np.ndarray]:
    """(normalised throughput per record, group index per record)."""
    keys = [group_key(r.candidate) for r in records]
    ids = {k: i for i, k in enumerate(dict.fromkeys(keys))}
    groups = np.array([ids[k] for k in keys], dtype=np.int64)
    secs = np.array([r.seconds if r.error is None else math.inf for r in records], float)
    secs = np.where(np.isfinite(secs) & (secs > 0), secs, math.inf)
    y = np.zeros(len(records))
    for g in range(len(ids)):
        m = groups == g
        best = secs[m].min()
        if math.isfinite(best):
            y[m] = best / secs[m]
    return y, groups


class XGBModel(CostModel):
    """XGBoost ranker of candidates (module docstring). ``XGBModel()`` starts untrained;
    :func:`pretrained` loads the shipped CPU model."""

    def __init__(self, config: XGBConfig | None = None, *, info: Mapping[str, Any] | None = None):
        self.config = config or XGBConfig()
        self.info: dict[str, Any] = dict(info or {})
        self._booster = None
        self._base: bytearray | None = None  # raw booster a fit continues from
        self._others: list = []  # members 1.. of an ensemble (member 0 is _booster)
        self._other_bases: list[bytearray] = []
        self._calls = 0

    # ------------------------------------------------------------------ state
    @property
    def trained(self) -> bool:
        return self._booster is not None

    @property
    def has_base(self) -> bool:
        return self._base is not None

    # ------------------------------------------------------------------ training
    def fit(self, records: Sequence[Record]) -> None:
        """Train on ``records`` (all of them, each call: the tuner passes every measurement so
        far). From scratch, or continued from the base booster when the model has one."""
        xgb = require_xgboost()
        records = list(records)
        y, groups = labels(records)
        keep = np.zeros(len(records), bool)
        for g in np.unique(groups):  # a group with no success teaches no order
            m = groups == g
            keep[m] = y[m].max() > 0
        if self._base is None and int((y[keep] > 0).sum()) < self.config.num_warmup_samples:
            return  # warm-up: predict() stays random
        if not keep.any():
            return
        idx = np.flatnonzero(keep)
        idx = idx[np.argsort(groups[idx], kind="stable")]  # qid must be sorted
        x = featurize_many([records[i].candidate for i in idx])
        y, groups = y[idx], groups[idx]
        if self._base is None:
            boosters = [self._train(xgb, x, y, groups, k) for k in range(self.config.members)]
        else:
            bases = [self._base, *self._other_bases]
            boosters = [self._adapt(xgb, b, x, y, groups, k) for k, b in enumerate(bases)]
        self._booster, *self._others = boosters

    def _train(self, xgb, x: np.ndarray, y: np.ndarray, groups: np.ndarray, member: int):
        """One booster from scratch: on every group, or on a seeded share of them when the
        model is an ensemble (bagging by group: a member never sees part of a group)."""
        if self.config.members > 1:
            ids = np.unique(groups)
            rng = np.random.default_rng((self.config.seed, member))
            keep = rng.choice(ids, max(1, round(MEMBER_SHARE * len(ids))), replace=False)
            m = np.isin(groups, keep)
            x, y, groups = x[m], y[m], groups[m]
        d = self._dmatrix(xgb, x, y, groups)
        return xgb.train(
            self.config.params(member=member), d, num_boost_round=self.config.num_boost_round
        )

    def _adapt(self, xgb, raw: bytearray, x, y, groups, member: int):
        """Continued boosting of one member's base on the new records (guarded)."""
        base = xgb.Booster()
        base.load_model(raw)
        if self.config.adapt_rounds == 0:
            return base
        adapted = self._continue(xgb, base, self._dmatrix(xgb, x, y, groups), member)
        if self.config.adapt_guard and not self._adapting_helps(xgb, base, x, y, groups, member):
            return base
        return adapted

    def _continue(self, xgb, base, d, member: int = 0):
        return xgb.train(
            self.config.params(eta=self.config.adapt_eta, member=member),
            d,
            num_boost_round=self.config.adapt_rounds,
            xgb_model=base,
        )

    def _adapting_helps(
        self, xgb, base, x: np.ndarray, y: np.ndarray, groups: np.ndarray, member: int = 0
    ) -> bool:
        """Two folds of the new records (alternate records of each group): continue the base
        on one, score pairs of the other; helps when the summed pairwise accuracy beats the
        base's on the same pairs. Too few records to tell (< 3 per fold): it does not."""

        rank = np.zeros(len(y), dtype=np.int64)
        for g in np.unique(groups):
            m = np.flatnonzero(groups == g)
            rank[m] = np.arange(len(m))
        folds = [rank % 2 == 0, rank % 2 == 1]
        if min(int((y[f] > 0).sum()) for f in folds) < 3:
            return False
        secs = np.where(y > 0, 1.0 / np.maximum(y, 1e-12), np.inf)
        gain = 0.0
        for fit_on, score_on in (folds, folds[::-1]):
            d = self._dmatrix(xgb, x[fit_on], y[fit_on], groups[fit_on])
            probe = self._continue(xgb, base, d, member)
            held = xgb.DMatrix(x[score_on], feature_names=list(FEATURES), missing=np.nan)
            new, old = probe.predict(held), base.predict(held)
            for g in np.unique(groups[score_on]):
                m = groups[score_on] == g
                if m.sum() < 2:
                    continue
                t = secs[score_on][m]
                a, b = pairwise_accuracy(new[m], t), pairwise_accuracy(old[m], t)
                if a == a and b == b:  # NaN: no pair with different times
                    gain += a - b
        return gain > 0

    def _dmatrix(self, xgb, x: np.ndarray, y: np.ndarray, groups: np.ndarray):
        if self.config.objective in _RANKING:
            # Relevance as integer grades 0..32 of the normalised throughput.
            grades = np.rint(y * 32.0)
            return xgb.DMatrix(
                x, label=grades, qid=groups, feature_names=list(FEATURES), missing=np.nan
            )
        w = np.maximum(y, 0.05)  # throughput-weighted: errors near the best cost more
        return xgb.DMatrix(x, label=y, weight=w, feature_names=list(FEATURES), missing=np.nan)

    # ------------------------------------------------------------------ prediction
    def predict(self, candidates: Sequence[Candidate]) -> list[float]:
        """One score per candidate, higher = predicted faster; random while untrained."""
        candidates = list(candidates)
        if not candidates:
            return []
        if self._booster is None:
            self._calls += 1
            rng = np.random.default_rng((self.config.seed, self._calls))
            return [float(v) for v in rng.random(len(candidates))]
        return [float(v) for v in self.predict_members(candidates).mean(axis=0)]

    def predict_members(self, candidates: Sequence[Candidate]) -> np.ndarray:
        """``[members, len(candidates)]``: each member's scores (one row while untrained)."""
        candidates = list(candidates)
        if self._booster is None or not candidates:
            return np.array([self.predict(candidates)], dtype=float).reshape(1, len(candidates))
        xgb = require_xgboost()
        d = xgb.DMatrix(featurize_many(candidates), feature_names=list(FEATURES), missing=np.nan)
        return np.array([b.predict(d) for b in (self._booster, *self._others)], dtype=float)

    # ------------------------------------------------------------------ files
    def save(self, path: str) -> None:
        """Booster at ``path`` (``.json`` / ``.ubj``: XGBoost's formats) plus the sidecar."""
        path = Path(path)
        if path.suffix not in (".json", ".ubj"):
            raise ValueError(f"save a cost model to a .json or .ubj path, got {str(path)!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        others, digests = [], {}
        if self._booster is not None:
            fmt = path.suffix[1:]
            for k, b in enumerate((self._booster, *self._others)):
                file = path if k == 0 else path.with_name(f"{path.stem}.member{k}{path.suffix}")
                raw = bytes(b.save_raw(fmt))
                file.write_bytes(raw)
                digests[file.name] = hashlib.sha256(raw).hexdigest()
                if k:
                    others.append(file.name)
        meta = {
            "format": "attncc-xgb-cost-model",
            "layout_version": LAYOUT_VERSION,
            "features": list(FEATURES),
            "config": asdict(self.config),
            "booster": path.name if self._booster is not None else None,
            "members": others,
            "sha256": digests,
            "info": self.info,
        }
        _meta_path(path).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: str) -> XGBModel:
        """A model saved by :meth:`save`; its booster becomes the base later fits continue."""
        path = Path(path)
        try:
            meta = json.loads(_meta_path(path).read_text())
        except FileNotFoundError:
            raise TuningError(
                f"cost model sidecar {_meta_path(path)} is missing: a model file needs the "
                "sidecar its save() wrote next to it"
            ) from None
        if meta.get("layout_version") != LAYOUT_VERSION or meta.get("features") != list(FEATURES):
            raise TuningError(
                f"cost model {path} was trained with feature layout "
                f"v{meta.get('layout_version')}, this attncc computes v{LAYOUT_VERSION}: "
                "retrain it (bench/train_cost_model.py)"
            )
        known = {f.name for f in fields(XGBConfig)}
        config = XGBConfig(**{k: v for k, v in meta["config"].items() if k in known})
        model = cls(config, info=meta.get("info"))
        if meta.get("booster"):
            xgb = require_xgboost()
            digests = meta.get("sha256")
            for k, name in enumerate((meta["booster"], *(meta.get("members") or ()))):
                raw = _verified_bytes(path.parent, name, digests)  # also the member's base
                booster = xgb.Booster()
                booster.load_model(raw)
                if k == 0:
                    model._booster, model._base = booster, raw
                else:
                    model._others.append(booster)
                    model._other_bases.append(raw)
        return model

    def __repr__(self) -> str:
        state = "trained" if self.trained else "untrained"
        return f"<XGBModel {self.config.objective} {state}{' +base' if self.has_base else ''}>"


def _plain_name(name: Any) -> str:
    """A member file named by a sidecar: a plain file name next to it, nothing else."""
    if not isinstance(name, str) or not name or Path(name).name != name or name in (".", ".."):
        raise TuningError(f"cost model sidecar names a member file {name!r}: not a file name")
    return name


def _verified_bytes(folder: Path, name: Any, digests: Any) -> bytearray:
    """The bytes of booster file ``name`` next to the sidecar, once their SHA-256 matches
    the one the sidecar recorded at save time."""
    name = _plain_name(name)
    want = digests.get(name) if isinstance(digests, Mapping) else None
    if not isinstance(want, str):
        raise TuningError(
            f"cost model sidecar in {folder} records no SHA-256 for {name!r}: save the model "
            "again with this attncc (older sidecars had none)"
        )
    try:
        raw = (folder / name).read_bytes()
    except OSError as e:
        raise TuningError(f"cost model file {folder / name} cannot be read: {e}") from None
    got = hashlib.sha256(raw).hexdigest()
    if got != want:
        raise TuningError(
            f"cost model file {folder / name} is not the one its sidecar was saved with "
            f"(SHA-256 {got[:16]}…, expected {want[:16]}…): refusing to load it"
        )
    return bytearray(raw)


def _meta_path(path: Path) -> Path:
    return path.with_name(path.stem + ".meta.json")


def require_xgboost():
    """``import xgboost`` on first use: attncc imports without it."""
    try:
        import xgboost
    except ImportError:
        raise TuningError(
            "the XGBoost cost model needs the xgboost package: pip install xgboost"
        ) from None
    return xgboost


def pretrained_path(target: str = "cpu") -> Path:
    return _PRETRAINED / f"{target}.json"


def pretrained(target: str = "cpu") -> XGBModel:
    """The shipped model for ``target`` (trained by ``bench/train_cost_model.py`` on
    ``bench/data/cpu_measurements.jsonl``; ``model.info`` says on what and how well)."""
    path = pretrained_path(target)
    if not _meta_path(path).is_file():
        raise TuningError(f"no pre-trained cost model for target {target!r} ({path})")
    return XGBModel.load(str(path))
