"""Shared test data: records from the stored dataset (no timing in tests)."""

from __future__ import annotations

import functools
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "bench" / "data" / "cpu_measurements.jsonl"
HW = {
    "target": "cpu",
    "mcpu": "znver4",
    "threads": 2,
    "caches": {"l1d": 32768, "l2": 1 << 20, "l3": 32 << 20},
    "cores": 2,
    "embedding": {
        "fma": -0.3,
        "fma_par": -1.2,
        "exp": 3.4,
        "gemm_tile": -3.9,
        "copy_l2": -1.8,
        "copy_dram": -0.3,
        "chase": 7.0,
        "launch": 12.0,
    },
}


@functools.cache
def rows():
    from attncc.cost_models.dataset import load_rows

    return tuple(load_rows(DATA))


@functools.cache
def records():
    from attncc.cost_models.dataset import to_records

    return tuple(to_records(list(rows()), HW))


def variant(r) -> str:
    return r.candidate.program.name
