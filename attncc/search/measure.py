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

import os
import statistics
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["MeasureTask", "compare", "measure", "time_call"]

#: Calls faster than this are batched into one timed sample.
_MIN_SAMPLE_S = 2e-4
_MAX_SAMPLES = 10_000


@dataclass(frozen=True)
class MeasureTask:
    """Everything a measurement process needs besides the config (sent by value)."""

    target: str  # attncc.search.problem.target_spec
    program: str  # program text
    extents: Mapping[str, int]
    data: str  # attncc.search.reference.reference_file
    min_time: float = 0.05
    repeats: int = 5
    tolerance: float = 1e-4

    @property
    def key(self) -> tuple:
        return (self.target, self.program, tuple(sorted(self.extents.items())), self.data)


def compare(outputs: Mapping[str, np.ndarray], expected: Mapping[str, np.ndarray]) -> float:
    """The largest ``|out - ref| / max(1, max |ref|)`` over every output (``inf`` when an
    output is missing, misshapen, or NaN where the reference is not)."""
    worst = 0.0
    for name, ref in expected.items():
        out = outputs.get(name)
        if out is None or np.shape(out) != np.shape(ref):
            return float("inf")
        out = np.asarray(out, dtype=np.float64)
        ref = np.asarray(ref, dtype=np.float64)
        if ref.size == 0:
            continue
        bad_nan = np.isnan(out) != np.isnan(ref)
        if bad_nan.any():
            return float("inf")
        finite = ~np.isnan(ref)
        scale = max(1.0, float(np.max(np.abs(ref[finite]), initial=0.0)))
        diff = np.abs(out[finite] - ref[finite])
        worst = max(worst, float(np.max(diff, initial=0.0)) / scale)
    return worst


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
        from attncc.ir.parser import parse
        from attncc.search.problem import resolve_target
        from attncc.search.reference import load_data

        self.target = resolve_target(task.target)
        self.program = parse(task.program)
        self.fixed = self.target.specialise(self.program, dict(task.extents))
        self.space = self.target.space(self.program, self.fixed)
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
        full = s.space.complete(config)
        source = s.target.lower(s.program, full, s.fixed)
        artifact = s.target.build(source)
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
    err = compare(outputs, data.expected)
    result["max_error"] = err
    if not err <= task.tolerance:
        return {
            **result,
            "status": "wrong_result",
            "error": f"max |out - ref| / max(1, |ref|) = {err:.3g} > tolerance {task.tolerance:g}",
        }
    try:
        seconds, samples = time_call(call, task.min_time, task.repeats)
    except Exception as e:
        return {**result, "status": "run_error", "error": _describe(e)}
    return {**result, "status": "ok", "seconds": seconds, "samples": samples}


def _describe(error: BaseException) -> str:
    from attncc.errors import AttnccError

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
    from multiprocessing.connection import Connection

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
