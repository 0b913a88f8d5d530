"""The value types of a tuning run: how it measures and searches (:class:`TuneOptions`),
what a progress display sees of each trial (:class:`TrialReport`), and what a run returns
(:class:`TuneResult`). Kept apart from :mod:`attncc.search.tuner` so that displays and
front doors use them without the loop."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from attncc.errors import TuningError
from attncc.search.measure import check_tolerance
from attncc.search.runner import Status

__all__ = ["TrialReport", "TuneOptions", "TuneResult"]


@dataclass(frozen=True)
class TuneOptions:
    """How a tuning run measures and searches (every field takes effect; see the tests)."""

    trials: int = 64  # measurements the study should hold (a re-run resumes towards it)
    timeout: float = 60.0  # seconds to check and time one built config
    build_timeout: float = 600.0  # seconds to build one config
    min_time: float = 0.05  # seconds of timed calls per config, at least
    repeats: int = 5  # timed samples per config, at least
    tolerance: float = 1e-4  # max |out - ref| / max(1, max |ref|)
    pool: int = 512  # candidates drawn per round for the cost model to rank
    batch: int = 8  # trials per round
    explore: float = 0.25  # fraction of each round proposed by TPE
    polish: float = 0.2  # fraction of the budget spent on neighbours of the best
    seed: int = 0  # pool sampling, TPE and the measurement inputs
    heartbeat_interval: int = 5  # seconds between a running trial's heartbeats
    grace_period: int | None = None  # seconds without a heartbeat before a trial is stale

    def __post_init__(self) -> None:
        if self.trials < 1:
            raise TuningError(f"trials must be at least 1, got {self.trials}")
        if not self.timeout > 0:
            raise TuningError(f"timeout must be positive, got {self.timeout}")
        if not 0 <= self.explore <= 1 or not 0 <= self.polish <= 1:
            raise TuningError("explore and polish are fractions between 0 and 1")
        check_tolerance(self.tolerance)


@dataclass(frozen=True)
class TrialReport:
    """One trial, as a progress display sees it."""

    number: int
    config: Mapping[str, Any]
    status: Status
    seconds: float
    source: str
    predicted: float | None
    measured: int  # measurements in the study after this one
    trials: int  # the budget
    best_seconds: float | None
    error: str | None = None
    rank_correlation: float | None = None  # Spearman: predicted score vs -measured time


@dataclass(frozen=True)
class TuneResult:
    study: str
    storage: str
    config: dict[str, Any] | None
    seconds: float | None
    trial: int | None
    measured: int
    statuses: dict[str, int] = field(default_factory=dict)
