"""``bench/tuning.py``'s replay of the tuner on a measured subspace starts as the tuner does:
the model's pick when it is sure, then the default; else the default first."""

from __future__ import annotations

import pytest
from _bench import bench_module

SECONDS = {(8, 2): 3.0, (8, 4): 2.0, (16, 2): 1.0, (16, 4): 4.0}  # (bq, rb) -> seconds


def cfg(bq, rb):
    return {"bq": bq, "rb": rb, "rbv": 2, "k_layout": "tiles", "bk": 32}


DEFAULT = cfg(8, 2)
BEST = cfg(16, 2)


class Lookup:
    """Scores a config by its measured speed (the perfect model); learns nothing."""

    trained = True

    def __init__(self, threshold=None):
        self.info = {} if threshold is None else {"keep_default_margin": threshold}

    def predict(self, candidates):
        return [-SECONDS[c.config["bq"], c.config["rb"]] for c in candidates]

    def fit(self, records):
        pass


@pytest.fixture(scope="module")
def tuning():
    return bench_module("tuning")


@pytest.fixture
def table(tuning):
    rows = [
        {"config": cfg(bq, rb), "seconds": s, "hardware": {}} for (bq, rb), s in SECONDS.items()
    ]
    return tuning.Table("t", rows=rows)


@pytest.mark.parametrize(
    ("first", "threshold", "start"),
    [
        ("tuner", 1.0, [BEST, DEFAULT]),  # margin 2.0 > 1.0: sure
        ("tuner", 3.0, [DEFAULT, None]),  # unsure: the default, then the search
        ("default", 1.0, [DEFAULT, None]),
        ("model", 3.0, [BEST, None]),  # its own pick, sure or not
    ],
)
def test_the_replay_starts_as_the_tuner(tuning, table, first, threshold, start):
    order = tuning.search_model(
        table,
        0,
        None,
        {},
        model=Lookup(threshold),
        default=DEFAULT,
        stop=lambda order: len(order) >= 2,
        first=first,
    )
    assert order[0] == start[0]
    if start[1] is not None:
        assert order[1] == start[1]
    assert len({tuning.key(c) for c in order}) == len(order)  # nothing measured twice
