"""Measurement datasets on disk: JSON lines of ``bench/collect_cpu.py`` → :class:`Record` s.

One row per measured config: ``program`` (variant name), ``program_hash``, ``program_text``
(params baked in as defaults), ``extents``, ``config``, ``seconds`` (``Infinity``: failed),
``error``, ``group``, ``hardware`` (``Target.describe()``). ``hardware`` extra keys (cache
sizes, the probe embedding) are merged into every row's hardware when given: a dataset
collected on one machine is described by that machine's embedding
(``attncc/cost_models/pretrained/cpu.meta.json`` keeps the one the shipped model saw).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from attncc.cost_models.base import Candidate
from attncc.cost_models.base import Record
from attncc.ir.parser import parse

__all__ = ["load_records", "load_rows", "to_records"]


def load_rows(path: str | Path) -> list[dict[str, Any]]:
    rows = []
    with open(path) as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def to_records(
    rows: list[Mapping[str, Any]], hardware: Mapping[str, Any] | None = None
) -> list[Record]:
    """Rows → records; programs parsed once per text; ``hardware`` merged into each row's."""

    programs: dict[str, Any] = {}
    out = []
    for r in rows:
        text = r["program_text"]
        program = programs.get(text)
        if program is None:
            program = programs[text] = parse(text)
        hw = {**r.get("hardware", {}), **(hardware or {})}
        c = Candidate(program, dict(r["extents"]), dict(r["config"]), hw)
        seconds = float(r["seconds"]) if r.get("seconds") is not None else math.inf
        out.append(Record(c, seconds, r.get("error")))
    return out


def load_records(path: str | Path, hardware: Mapping[str, Any] | None = None) -> list[Record]:
    return to_records(load_rows(path), hardware)
