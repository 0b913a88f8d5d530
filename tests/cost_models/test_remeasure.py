"""``bench/remeasure.py``: which rows are timed again, and how a second timing is kept."""

from __future__ import annotations

import pytest
from _bench import bench_module

from attncc.cost_models import dataset as D


@pytest.fixture(scope="module")
def remeasure():
    return bench_module("remeasure")


def row(blocks, **extra):
    fresh = {"schema": D.SCHEMA, "code_version": D.code_version(), "error": None}
    return {**fresh, "blocks": blocks, "seconds": sorted(blocks)[len(blocks) // 2], **extra}


def test_noisy_and_subspace_rows_are_timed_again_until_enough_timings(remeasure):
    rows = [
        row([1.0, 1.1, 1.05]),  # steady
        row([5.2, 4.12, 2.35]),  # spread 2.2
        row([2.22, 2.23, 2.25], subspace="sliding_window"),  # steady, but a subspace row
        row([2.0, 9.0, 3.0], blocks_again=[2.0, 2.1, 2.0]),  # timed twice already
        row([2.0, 9.0, 3.0], code_version="0" * 16),  # stale: collect_cpu redoes it
        {**row([1.0]), "blocks": [], "error": "wrong answer", "seconds": float("inf")},
        row([1.0, 1.0], blocks_again=[1.0, 1.01], blocks_more=[[1.0, 1.0]]),  # three times
    ]
    assert remeasure.wanted(rows, 1.25, subspaces=True) == [1, 2]
    assert remeasure.wanted(rows, 1.25, subspaces=False) == [1]
    assert remeasure.wanted(rows, 1.25, subspaces=False, every=True) == [0, 1, 2]
    # the spread counts every timing: row 3's first blocks spread 4.5×
    assert remeasure.wanted(rows, 1.25, subspaces=False, below=3) == [1, 3]
    assert remeasure.wanted(rows, 1.25, subspaces=False, every=True, below=3) == [0, 1, 2, 3]


def test_the_lowest_median_is_kept_with_every_timing(remeasure):
    first = row([6.06, 4.71, 6.34])
    merged = remeasure.merge(first, {"blocks": [1.2, 1.21, 1.19], "error": None})
    assert merged["seconds"] == pytest.approx(1.2) and merged["remeasured"]
    assert merged["blocks"] == first["blocks"] and merged["blocks_again"] == [1.2, 1.21, 1.19]
    third = remeasure.merge(merged, {"blocks": [1.1, 1.1, 1.3], "blocks_again": [1.5, 1.5, 1.5]})
    assert third["blocks_more"] == [[1.1, 1.1, 1.3], [1.5, 1.5, 1.5]]
    assert third["seconds"] == pytest.approx(1.1) and "blocks_more" not in merged
    slower = remeasure.merge(row([1.0, 1.0, 1.0]), {"blocks": [2.0, 2.0, 2.0], "error": None})
    assert slower["seconds"] == 1.0  # interference only slows: the faster timing stands
    failed = remeasure.merge(first, {"blocks": [], "error": "BuildError: x"})
    assert failed["seconds"] == first["seconds"] and failed["remeasure_error"] == "BuildError: x"


@pytest.mark.parametrize("name", ["m.jsonl.gz", "m.jsonl"])
def test_rewrite_keeps_rows_and_order(tmp_path, name):
    path = tmp_path / name
    rows = [row([1.0, 1.0]), row([2.0, 3.0], remeasured=True)]
    D.append_rows(path, rows[:1])
    D.write_rows(path, rows)
    assert D.load_rows(path) == rows and not path.with_name(name + ".tmp").exists()
