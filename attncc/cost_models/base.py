"""The cost model's interface: rank candidate schedules by predicted speed.

The tuner never needs absolute latencies, only an order: ``predict`` returns scores where
higher means faster. A model learns from measured :class:`Record` s and is saved in its
library's own format (XGBoost JSON/UBJ), never pickled.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from attncc.ir.nodes import Program

__all__ = ["Candidate", "CostModel", "Record"]


@dataclass(frozen=True)
class Candidate:
    """One schedule of one program at fixed extents on one target.

    ``hardware`` is the target's fingerprint (``Target.describe()``) plus, where measured,
    the hardware embedding (probe-kernel latencies); ``artifact`` holds what a build told
    (registers, spills, shared memory, instruction counts) when the candidate was built.
    """

    program: Program = field(repr=False)
    extents: Mapping[str, int]
    config: Mapping[str, Any]
    hardware: Mapping[str, Any] = field(default_factory=dict)
    artifact: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Record:
    """A measured candidate: median seconds (``inf`` for a failed one) and why it failed."""

    candidate: Candidate
    seconds: float
    error: str | None = None


class CostModel(abc.ABC):
    """Scores candidates; trained on records; saved and loaded without pickle."""

    @abc.abstractmethod
    def fit(self, records: Sequence[Record]) -> None: ...

    @abc.abstractmethod
    def predict(self, candidates: Sequence[Candidate]) -> Sequence[float]:
        """One score per candidate, higher = predicted faster."""

    @abc.abstractmethod
    def save(self, path: str) -> None: ...

    @classmethod
    @abc.abstractmethod
    def load(cls, path: str) -> CostModel: ...

    @property
    def trained(self) -> bool:
        return True
