"""Param values to tune at, from ``--param NAME=VALUE`` text and from the user's inputs.

Tuning measures at the param values the kernel will be called with (a window of 256 makes
most tiles empty; the declared default of 4096 does not), and the study is keyed by them
(:class:`attncc.search.problem.Problem`). Text is typed by the param's declaration: ``i32``
/ ``i8`` take integers (``W=256``), floats take numbers (``cap=30``, ``cap=2.5e1``),
``bool`` takes ``true``/``false``/``1``/``0``. Errors say what was expected and the fix.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

import numpy as np

from attncc.errors import ArgumentError
from attncc.ir.nodes import DType
from attncc.ir.nodes import Program
from attncc.ir.nodes import Scalar

__all__ = ["input_params", "parse_params", "tuning_params"]

_BOOLS = {"true": True, "false": False, "1": True, "0": False}


def parse_params(program: Program, assignments: Sequence[str]) -> dict[str, Scalar]:
    """``["W=256", "cap=30"]`` → ``{"W": 256, "cap": 30.0}``, checked against ``program``'s
    param declarations (:class:`ArgumentError` naming the bad text and the fix)."""
    declared = {p.name: p for p in program.params}
    listing = ", ".join(f"{p.name} : {p.dtype}" for p in program.params) or "none"
    out: dict[str, Scalar] = {}
    for text in assignments:
        name, sep, value = text.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise ArgumentError(
                f"--param takes NAME=VALUE, got {text!r}. Fix: e.g. --param "
                f"{next(iter(declared), 'W')}=256"
            )
        if name not in declared:
            close = [d for d in declared if d.lower() == name.lower()]
            close = close or difflib.get_close_matches(name, list(declared), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ArgumentError(
                f"--param {text}: {program.name} has no param {name!r}{hint}; its params are "
                f"{listing}"
            )
        parsed = _parse_value(name, declared[name].dtype, value)
        if name in out and out[name] != parsed:
            raise ArgumentError(f"--param {name} is given twice, as {out[name]} and {parsed}")
        out[name] = parsed
    return out


def _parse_value(name: str, dtype: DType, text: str) -> Scalar:
    if dtype is DType.BOOL:
        if text.lower() in _BOOLS:
            return _BOOLS[text.lower()]
        raise ArgumentError(
            f"--param {name}={text}: {name} is bool; pass true or false, e.g. {name}=true"
        )
    if dtype.is_int:
        try:
            return int(text, 10)
        except ValueError:
            raise ArgumentError(
                f"--param {name}={text}: {name} is {dtype}, so its value must be an integer, "
                f"e.g. {name}=256"
            ) from None
    try:
        value = float(text)
    except ValueError:
        raise ArgumentError(
            f"--param {name}={text}: {name} is {dtype}, so its value must be a number, e.g. "
            f"{name}=30.0"
        ) from None
    if not math.isfinite(value):
        raise ArgumentError(
            f"--param {name}={text}: tuning measures at a finite value; pass the value the "
            f"kernel will be called with, e.g. {name}=30.0"
        )
    return value


def input_params(program: Program, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The param values among the user's inputs (0-d entries of an ``.npz`` by name)."""
    names = {p.name for p in program.params}
    return {k: _plain(v) for k, v in inputs.items() if k in names}


def tuning_params(
    program: Program,
    params: Mapping[str, Any] | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The params a study measures at: ``params``, plus those the inputs hold. The same
    param given both ways with two values is an :class:`ArgumentError`."""
    chosen = dict(params or {})
    for name, value in input_params(program, inputs or {}).items():
        if name in chosen and chosen[name] != value:
            raise ArgumentError(
                f"param {name} is {chosen[name]} in the params but {value} in the inputs; "
                f"give it once (--param {name}=... or in the .npz), or the same value in both"
            )
        chosen[name] = value
    return chosen


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    return value.item() if isinstance(value, np.generic) else value
