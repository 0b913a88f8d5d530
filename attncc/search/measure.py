"""The measurement process: ``python -m attncc.search.measure READ_FD WRITE_FD``.

It serves :class:`MeasureTask` requests from :class:`attncc.search.runner.LocalRunner` over
a pair of pipes: for each config it lowers and builds the kernel, reports ``("built", s)``,
runs it once and checks every output against the reference, then times it (warm-up, then
the median of at least ``repeats`` samples taking at least ``min_time`` seconds in all) and
reports ``("result", {...})``. A kernel that crashes this process or hangs in it is the
parent's to detect (end of file, timeout); everything else becomes a result with a status.

It exits when its parent dies (a watchdog thread), so a killed tuner leaves no orphan
spinning on a hanging kernel.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import threading
import time
import traceback
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from attncc.errors import AttnccError
from attncc.errors import TuningError
from attncc.ir.parser import parse
from attncc.search.reference import load_data
from attncc.search.registry import adopt
from attncc.search.registry import registrations
from attncc.search.registry import resolve_target
from attncc.search.registry import target_options
from attncc.search.registry import target_spec
from attncc.targets.pipeline import Specialised

__all__ = ["MeasureTask", "compare", "difference", "measure", "time_call"]

#: Calls faster than this are batched into one timed sample.
_MIN_SAMPLE_S = 2e-4
_MAX_SAMPLES = 10_000


@dataclass(frozen=True)
class MeasureTask:
    """Everything a measurement process needs besides the config (sent by value)."""

    target: str  # a registered name: attncc.search.registry.target_spec
    program: str  # program text
    extents: Mapping[str, int]
    data: str  # attncc.search.reference.reference_file (inputs, params, expected outputs)
    min_time: float = 0.05
    repeats: int = 5
    tolerance: float = 1e-4
    target_options: Mapping[str, Any] = field(default_factory=dict)  # registry.target_options
    # targets registered in the tuning process (name → module:Class), registered here too
    registered: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_tolerance(self.tolerance)

    @classmethod
    def of(cls, problem: Any, data: str, **kw: Any) -> MeasureTask:
        """The task measuring ``problem`` (:class:`~attncc.search.problem.Problem`) on
        ``data``: its target by registered name and options, with this process's
        registrations handed on (``kw``: ``min_time``, ``repeats``, ``tolerance``)."""

        return cls(
            target_spec(problem.target),
            problem.program.text,
            dict(problem.extents),
            data,
            **kw,
            target_options=target_options(problem.target),
            registered=registrations(),
        )

    @property
    def key(self) -> tuple:
        options = json.dumps(dict(self.target_options), sort_keys=True)
        extents = tuple(sorted(self.extents.items()))
        return (self.target, options, self.program, extents, self.data)


def check_tolerance(tolerance: float) -> None:
    """A tolerance must be a finite number >= 0: ``inf`` or NaN would accept any output."""

    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)):
        raise TuningError(f"tolerance must be a number, got {tolerance!r}")
    if not (math.isfinite(tolerance) and tolerance >= 0):
        raise TuningError(
            f"tolerance must be a finite number >= 0, got {tolerance!r}: an infinite or NaN "
            "tolerance would accept a wrong kernel. Fix: e.g. tolerance=1e-4"
        )


def compare(outputs: Mapping[str, np.ndarray], expected: Mapping[str, np.ndarray]) -> float:
    """How far ``outputs`` are from the reference: the largest ``|out - ref| / scale`` over
    the finite reference values of every output, where ``scale = max(1, max |finite ref|)``.

    Non-finite values are compared exactly, never by tolerance: NaN must stand where the
    reference has NaN, ``+inf`` where it has ``+inf`` and ``-inf`` where it has ``-inf``.
    Any difference there, a missing or misshapen output, or a NaN anywhere in the error
    computation gives ``inf`` -- a value no tolerance accepts, so a wrong kernel can never
    pass as "error 0" (the scale is finite by construction, so ``inf - inf`` never enters).
    """
    return difference(outputs, expected)[0]


def difference(
    outputs: Mapping[str, np.ndarray], expected: Mapping[str, np.ndarray]
) -> tuple[float, str]:
    """:func:`compare`'s number and a few words on where it comes from (for the trial)."""
    worst, why = 0.0, "max |out - ref| / max(1, max |finite ref|)"
    for name, ref in expected.items():
        out = outputs.get(name)
        if out is None:
            return math.inf, f"output {name} is missing"
        if np.shape(out) != np.shape(ref):
            return math.inf, f"output {name} has shape {np.shape(out)}, not {np.shape(ref)}"
        try:
            out = np.asarray(out, dtype=np.float64)
        except (TypeError, ValueError):
            return math.inf, f"output {name} is not numeric"
        ref = np.asarray(ref, dtype=np.float64)
        if ref.size == 0:
            continue
        for what, where in (("NaN", np.isnan), ("+inf", np.isposinf), ("-inf", np.isneginf)):
            wrong = where(out) != where(ref)
            if wrong.any():
                at = tuple(int(i) for i in np.argwhere(wrong)[0])
                return math.inf, (
                    f"output {name} differs from the reference in its {what} positions "
                    f"({int(wrong.sum())} of them, first at {at}: {float(out[at])} where the "
                    f"reference has {float(ref[at])})"
                )
        finite = np.isfinite(ref)
        if not finite.any():
            continue
        kept_ref, kept_out = ref[finite], out[finite]
        scale = max(1.0, float(np.max(np.abs(kept_ref))))
        with np.errstate(over="ignore", invalid="ignore"):
            err = float(np.max(np.abs(kept_out - kept_ref))) / scale
        if math.isnan(err):  # the check cannot vouch for this output
            return math.inf, f"the error of output {name} is NaN"
        worst = max(worst, err)
    return worst, why


def time_call(call: Callable[[], Any], min_time: float, repeats: int) -> tuple[float, int]:
    """The median seconds of ``call`` and the number of samples (after one warm-up call)."""
    call()
    start = time.perf_counter()
    call()
    one = time.perf_counter() - start
    number = 1 if one >= _MIN_SAMPLE_S else min(1000, int(_MIN_SAMPLE_S / max(one, 1e-9)) + 1)
    samples: list[float] = []
    begin = time.perf_counter()
    while len(samples) < repeats or (
        time.perf_counter() - begin < min_time and len(samples) < _MAX_SAMPLES
    ):
        start = time.perf_counter()
        for _ in range(number):
            call()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples), len(samples)


class _Session:
    """What one task needs, loaded once per process: target, program, space, data."""

    def __init__(self, task: MeasureTask):
        adopt(task.registered)  # from the tuning process over the pipe, not from a database
        self.target = resolve_target(task.target, task.target_options)
        self.program = parse(task.program)
        self.specialised = Specialised.of(self.target, self.program, dict(task.extents))
        self.data = load_data(task.data)


_SESSIONS: dict[tuple, _Session] = {}


def measure(
    task: MeasureTask, config: Mapping[str, Any], built: Callable[[float], None] = lambda s: None
) -> dict[str, Any]:
    """Build, check and time one config; a result dict (see :class:`RunnerResult`)."""
    result: dict[str, Any] = {"config": dict(config)}
    start = time.perf_counter()
    try:
        if task.key not in _SESSIONS:
            _SESSIONS.clear()
            _SESSIONS[task.key] = _Session(task)
        s = _SESSIONS[task.key]
        artifact = s.specialised.build(config)
    except Exception as e:
        return {**result, "status": "compile_error", "error": _describe(e)}
    result["build_s"] = time.perf_counter() - start
    built(result["build_s"])
    data = s.data

    def call() -> dict[str, np.ndarray]:
        return s.target.run(artifact, data.arrays, data.scalars, data.extents)

    try:
        outputs = call()
    except Exception as e:
        return {**result, "status": "run_error", "error": _describe(e)}
    err, why = difference(outputs, data.expected)
    result["max_error"] = err
    if not (math.isfinite(err) and err <= task.tolerance):
        detail = f"{why} = {err:.3g} > tolerance {task.tolerance:g}" if math.isfinite(err) else why
        return {**result, "status": "wrong_result", "error": detail}
    try:
        seconds, samples = time_call(call, task.min_time, task.repeats)
    except Exception as e:
        return {**result, "status": "run_error", "error": _describe(e)}
    return {**result, "status": "ok", "seconds": seconds, "samples": samples}


def _describe(error: BaseException) -> str:
    if isinstance(error, AttnccError):
        return f"{type(error).__name__}: {error}"
    tb = traceback.extract_tb(error.__traceback__)
    where = f" (at {tb[-1].filename}:{tb[-1].lineno})" if tb else ""
    return f"{type(error).__name__}: {error}{where}"


def _watch_parent() -> None:
    parent = os.getppid()
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(3)


def serve(read_fd: int, write_fd: int) -> None:
    """Answer requests until the parent closes the pipe."""

    threading.Thread(target=_watch_parent, daemon=True).start()
    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    while True:
        try:
            message = inbox.recv()
        except EOFError:
            return
        kind, task, config = message
        assert kind == "measure", kind
        outbox.send(("result", measure(task, config, lambda s: outbox.send(("built", s)))))


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
