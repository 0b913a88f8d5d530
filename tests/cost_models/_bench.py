"""Import a script of ``bench/`` (and what it imports from there or from the variant cases)
for a test, leaving ``sys.path`` as it was."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
_PATHS = [str(BENCH), str(BENCH.parent / "tests" / "variants")]


def bench_module(name: str):
    sys.path[:0] = _PATHS
    try:
        return importlib.import_module(name)
    finally:
        del sys.path[: len(_PATHS)]
