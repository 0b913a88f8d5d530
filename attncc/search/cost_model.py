"""The cost model as the tuner uses it: which model to load, and how well it ranks.

The model itself is :mod:`attncc.cost_models` (the :class:`~attncc.cost_models.base.CostModel`
interface); the tuner only needs scores, higher = faster.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from attncc.cost_models import xgb
from attncc.cost_models.base import Candidate
from attncc.cost_models.base import CostModel
from attncc.cost_models.features import workload_kind
from attncc.errors import AttnccError
from attncc.errors import TuningError
from attncc.errors import UnsupportedError

__all__ = [
    "ModelPick",
    "keep_default_threshold",
    "load_cost_model",
    "member_scores",
    "model_pick",
    "pick_and_margin",
    "spearman",
]

#: Configs the model ranks for ``tune="model"`` when the space is too large to list.
PICK_POOL = 1024

_log = logging.getLogger("attncc.search")


def load_cost_model(kind: str | CostModel | None = "auto", target: str = "cpu") -> CostModel | None:
    """The cost model to screen candidates with.

    * ``"auto"``: the shipped pre-trained XGBoost model of ``target``; without one, a fresh
      XGBoost model that learns from this study's measurements (random until it has a few);
      without :mod:`xgboost` / :mod:`attncc.cost_models.xgb`, ``None`` (pure TPE);
    * ``"required"``: the pre-trained model, or :class:`UnsupportedError`;
    * ``None``: no model (pure TPE); a :class:`CostModel`: itself.
    """
    if kind is None or isinstance(kind, CostModel):
        return kind
    if kind not in ("auto", "required"):
        raise TuningError(
            f"cost_model= takes 'auto', 'required', None or a CostModel; got {kind!r}"
        )
    try:
        return xgb.pretrained(target)
    except AttnccError as e:  # no xgboost, no shipped (or no verified) file for this target
        if kind == "required":
            raise UnsupportedError(
                f"tune='model' needs a pre-trained cost model for target {target}, and there is "
                f"none ({e}). Fix: tune with measurements instead (tune=N)"
            ) from None
        reason = e
    try:
        xgb.require_xgboost()
    except TuningError:  # no xgboost: pure TPE
        return None
    _log.info("no pre-trained cost model (%s): learning one from measurements", reason)
    return xgb.XGBModel()


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    if len(xs) < 3:
        return None
    from scipy.stats import spearmanr

    rho = spearmanr(xs, ys).statistic
    return None if rho is None or math.isnan(rho) else float(rho)


@dataclass(frozen=True)
class ModelPick:
    """The cost model's first choice for a problem, and whether to trust it.

    ``margin``: the pick's score minus the default config's (the model's own units; for an
    ensemble, of the members' mean score); ``threshold``: the margin above which the model is
    sure, calibrated on held-out data (:func:`keep_default_threshold`; ``None`` when the model
    has no calibration, and then it is trusted; infinite where it is never sure)."""

    config: Mapping[str, Any]
    default: Mapping[str, Any]
    margin: float
    threshold: float | None

    @property
    def sure(self) -> bool:
        return self.threshold is None or self.margin > self.threshold

    @property
    def never_sure(self) -> bool:
        """Calibrated never to trust a pick for this kind of workload."""
        return self.threshold == math.inf

    @property
    def chosen(self) -> Mapping[str, Any]:
        """The pick when the model is sure, else the default config."""
        return self.config if self.sure else self.default


def model_pick(problem, model: CostModel, pool_size: int = PICK_POOL) -> ModelPick:
    """Score the default and a pool of feasible configs (every config when the space is
    small) without building anything; no measurement. Cheap enough for ``compile``: about a
    second for a pool of 1024 on the CPU target."""
    space = problem.space
    default = space.default()
    pool = space.pool(pool_size, random.Random(0))  # the whole space when it is smaller
    pool = [default, *(c for c in pool if c != default)]
    candidates = [
        Candidate(problem.measured_program, dict(problem.extents), c, problem.hardware)
        for c in pool
    ]
    members = member_scores(model, candidates)
    best, margin = pick_and_margin(members)
    threshold = keep_default_threshold(getattr(model, "info", None), candidates[0])
    return ModelPick(dict(pool[best]), dict(default), margin, threshold)


def keep_default_threshold(info: Mapping[str, Any] | None, default: Candidate) -> float | None:
    """The margin above which a trained model's pick overrules ``default`` (the default
    config's candidate): its calibration for the workload's kind
    (``info["keep_default_by_kind"]``, :func:`attncc.cost_models.features.workload_kind`; a
    kind calibrated as ``None`` is never sure: no held-out threshold did good), else the one
    threshold of ``info["keep_default_margin"]``; ``None`` for a model with no calibration.
    Calibrated by ``bench/train_cost_model.py``."""
    info = info or {}
    by_kind = info.get("keep_default_by_kind")
    if isinstance(by_kind, Mapping) and by_kind:
        kind = workload_kind(default)
        if kind in by_kind:
            value = by_kind[kind]
            return math.inf if value is None else float(value)
    value = info.get("keep_default_margin")
    return None if value is None else float(value)


def member_scores(model: CostModel, candidates: Sequence[Candidate]):
    """``[members, candidates]`` scores: an ensemble's members, else one row."""
    per_member = getattr(model, "predict_members", None)
    if per_member is not None:
        return np.asarray(per_member(candidates), dtype=float)
    return np.asarray([model.predict(candidates)], dtype=float)


def pick_and_margin(members, default: int = 0) -> tuple[int, float]:
    """The candidate with the best mean score, and its mean margin over ``default``
    (``bench/train_cost_model.py`` calibrates on the same statistic).

    The mean, not the smallest member's margin: the ensemble's own estimate, and on
    held-out groups where the pick was not the default it told picks slower than the default
    from the rest no worse (AUC 0.69 against 0.56, then 0.60 against 0.58 on more data:
    bench/RESULTS.md, seventh session)."""
    mean = members.mean(axis=0)
    best = int(mean.argmax())
    return best, float(mean[best] - mean[default])
