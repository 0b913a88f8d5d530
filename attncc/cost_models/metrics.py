"""How good a cost model is for tuning: rank metrics over one group of candidates.

A *group* is the candidates of one (program, extents) on one machine: the set a tuner ranks.
Every function takes ``scores`` (the model's, higher = predicted faster) and ``seconds``
(measured; ``inf`` for a failed candidate, which counts as the slowest) of one group.
RMSE is deliberately absent: a tuner needs the order, and the best few, right.

* :func:`spearman`, :func:`kendall` -- rank correlation of scores with speed (``-seconds``);
* :func:`pairwise_accuracy` -- the share of pairs with different speeds whose order the
  scores get right (score ties count one half);
* :func:`top_k_score` -- TenSet's top-k: ``best seconds / best seconds among the k
  candidates scored highest`` (1 = the model's top k contain the best);
* :func:`trials_to_fraction` -- candidates measured in score order until one is within
  ``fraction`` of the best speed (``seconds ≤ best / fraction``);
* :func:`share_within` -- how much of the group lies within ``fraction`` of the best: the
  number to read the others against (a space where half is near-best is easy);
* :func:`evaluate` -- all of them, averaged over groups, with :func:`random_scores` for the
  baseline a model must beat.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from collections.abc import Sequence

import numpy as np

__all__ = [
    "evaluate",
    "kendall",
    "pairwise_accuracy",
    "random_scores",
    "share_within",
    "spearman",
    "top_k_score",
    "trials_to_fraction",
]


def _arrays(scores: Sequence[float], seconds: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(scores, dtype=np.float64)
    t = np.asarray(seconds, dtype=np.float64)
    if s.shape != t.shape or s.ndim != 1:
        raise ValueError(
            f"scores and seconds must be 1-d and of one length, got {s.shape} and {t.shape}"
        )
    t = np.where(np.isfinite(t), t, np.inf)  # NaN = failed = slowest
    return s, t


def _speed(t: np.ndarray) -> np.ndarray:
    """Speed ranks' key: ``-seconds`` with failures below every finite time."""
    finite = t[np.isfinite(t)]
    floor = -(finite.max() * 2 + 1) if finite.size else -1.0
    return np.where(np.isfinite(t), -t, floor)


def spearman(scores: Sequence[float], seconds: Sequence[float]) -> float:
    """Spearman's rho of scores against speed (NaN for fewer than 2 distinct values)."""
    from scipy.stats import spearmanr

    s, t = _arrays(scores, seconds)
    if len(s) < 2 or np.ptp(s) == 0 or np.ptp(_speed(t)) == 0:
        return math.nan
    return float(spearmanr(s, _speed(t)).statistic)


def kendall(scores: Sequence[float], seconds: Sequence[float]) -> float:
    """Kendall's tau-b of scores against speed."""
    from scipy.stats import kendalltau

    s, t = _arrays(scores, seconds)
    if len(s) < 2 or np.ptp(s) == 0 or np.ptp(_speed(t)) == 0:
        return math.nan
    return float(kendalltau(s, _speed(t)).statistic)


def pairwise_accuracy(scores: Sequence[float], seconds: Sequence[float]) -> float:
    """Share of pairs (different seconds) ordered right by the scores; score ties give ½."""
    s, t = _arrays(scores, seconds)
    v = _speed(t)
    ds = np.sign(s[:, None] - s[None, :])
    dv = np.sign(v[:, None] - v[None, :])
    pairs = np.triu(dv != 0, 1)
    n = int(pairs.sum())
    if n == 0:
        return math.nan
    right = (ds == dv) & pairs
    ties = (ds == 0) & pairs
    return float((right.sum() + 0.5 * ties.sum()) / n)


def top_k_score(scores: Sequence[float], seconds: Sequence[float], k: int = 1) -> float:
    """``min(seconds) / min(seconds of the k highest scores)``: 1 when the model's top k hold
    the best; 0 when all of them failed. Ties in score keep the input order (stable)."""
    s, t = _arrays(scores, seconds)
    best = t.min()
    if not math.isfinite(best):
        return math.nan
    top = np.argsort(-s, kind="stable")[: max(1, k)]
    chosen = t[top].min()
    return float(best / chosen) if math.isfinite(chosen) else 0.0


def trials_to_fraction(
    scores: Sequence[float], seconds: Sequence[float], fraction: float = 0.95
) -> int:
    """Candidates measured in score order until one reaches ``fraction`` of the best speed
    (``seconds ≤ min(seconds) / fraction``); the group size when none does."""
    s, t = _arrays(scores, seconds)
    best = t.min()
    if not math.isfinite(best):
        return len(t)
    order = np.argsort(-s, kind="stable")
    good = t[order] <= best / fraction * (1 + 1e-12)
    return int(np.argmax(good)) + 1


def share_within(seconds: Sequence[float], fraction: float = 0.95) -> float:
    """The share of the group within ``fraction`` of the best speed."""
    t = np.asarray(seconds, dtype=np.float64)
    t = np.where(np.isfinite(t), t, np.inf)
    best = t.min() if t.size else math.inf
    if not math.isfinite(best):
        return math.nan
    return float(np.mean(t <= best / fraction * (1 + 1e-12)))


def random_scores(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.random(n)


def evaluate(
    groups: Iterable[tuple[Sequence[float], Sequence[float]]],
    ks: Sequence[int] = (1, 5),
    fraction: float = 0.95,
) -> dict[str, float]:
    """Each metric averaged over groups (NaNs skipped); ``groups`` yields (scores, seconds).

    ``trials_95`` is the mean of :func:`trials_to_fraction`, ``trials_95_share`` the same
    as a share of the group size, ``within_95`` the mean :func:`share_within`."""
    rows: dict[str, list[float]] = {}

    def add(name: str, value: float) -> None:
        rows.setdefault(name, []).append(value)

    n_groups = 0
    for scores, seconds in groups:
        n_groups += 1
        add("spearman", spearman(scores, seconds))
        add("kendall", kendall(scores, seconds))
        add("pairwise", pairwise_accuracy(scores, seconds))
        for k in ks:
            add(f"top{k}", top_k_score(scores, seconds, k))
        trials = trials_to_fraction(scores, seconds, fraction)
        add("trials_95", trials)
        add("trials_95_share", trials / max(1, len(seconds)))
        add("within_95", share_within(seconds, fraction))
    out = {
        name: float(np.nanmean(v)) if np.isfinite(v).any() else math.nan for name, v in rows.items()
    }
    out["groups"] = n_groups
    return out
