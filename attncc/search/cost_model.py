"""The cost model as the tuner uses it: which model to load, and how well it ranks.

The model itself is :mod:`attncc.cost_models` (the :class:`~attncc.cost_models.base.CostModel`
interface); the tuner only needs scores, higher = faster.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from attncc.cost_models import xgb
from attncc.cost_models.base import CostModel
from attncc.errors import AttnccError
from attncc.errors import TuningError
from attncc.errors import UnsupportedError

__all__ = ["load_cost_model", "spearman"]

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
