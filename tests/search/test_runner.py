"""Measurement in a separate process: faults fail their candidate and nothing else."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from attncc.search.measure import compare, time_call
from attncc.search.problem import target_spec
from attncc.search.reference import load_data, reference_file
from attncc.search.runner import LocalRunner, MeasureTask, RunnerInput, Status
from tests.search.fakes import delay


def runner_for(problem, timeout=0.5) -> LocalRunner:
    data = reference_file(problem.program, problem.extents, seed=0)
    task = MeasureTask(
        target_spec(problem.target),
        problem.program.text,
        dict(problem.extents),
        data,
        min_time=0.002,
        repeats=3,
    )
    return LocalRunner(task, timeout=timeout, build_timeout=60)


def test_faults_fail_their_candidate_and_nothing_else(faulty):
    ok = {"tile": 4, "order": "ij", "fault": "none"}
    sequence = ["none", "segv", "none", "hang", "none", "wrong", "build", "none"]
    with runner_for(faulty) as runner:
        start = time.perf_counter()
        results = runner.run([RunnerInput({**ok, "fault": f}) for f in sequence])
        elapsed = time.perf_counter() - start
    statuses = [r.status for r in results]
    assert statuses == [
        Status.OK,
        Status.CRASH,
        Status.OK,
        Status.TIMEOUT,
        Status.OK,
        Status.WRONG_RESULT,
        Status.COMPILE_ERROR,
        Status.OK,
    ]
    assert "SIGSEGV" in results[1].error
    assert "0.5 s" in results[3].error
    assert results[5].max_error > 0.1
    assert "injected build failure" in results[6].error
    for r in results:
        assert math.isfinite(r.seconds) == (r.status is Status.OK)
    # the fault-free config times the same before and after each fault
    times = [r.seconds for r in results if r.ok]
    assert all(abs(t - delay(ok)) < 0.5 * delay(ok) for t in times), times
    assert elapsed < 15


def test_timing_orders_configs(problem):
    fast_cfg, slow_cfg = {"tile": 4, "order": "ij"}, {"tile": 1, "order": "ji"}
    with runner_for(problem) as runner:
        fast, slow = runner.run([RunnerInput(fast_cfg), RunnerInput(slow_cfg)])
    assert fast.ok and slow.ok and fast.samples >= 3
    assert fast.seconds < slow.seconds
    assert fast.build_s is not None and fast.max_error == 0.0


def test_reference_is_computed_once_and_cached(problem):
    first = reference_file(problem.program, problem.extents, seed=0)
    start = time.perf_counter()
    again = reference_file(problem.program, problem.extents, seed=0)
    assert again == first and time.perf_counter() - start < 1
    data = load_data(first)
    assert set(data.expected) == {"O"} and data.expected["O"].shape == (1, 2, 8, 4)
    assert reference_file(problem.program, problem.extents, seed=1) != first


def test_compare_scales_by_the_output():
    ref = {"O": np.array([100.0, -50.0])}
    assert compare({"O": np.array([100.005, -50.0])}, ref) == pytest.approx(5e-5)
    assert compare({"O": np.array([1.0])}, ref) == math.inf  # misshapen
    assert compare({}, ref) == math.inf
    assert compare({"O": np.array([np.nan, -50.0])}, ref) == math.inf


def test_time_call_takes_the_median_of_enough_samples():
    calls = []
    seconds, samples = time_call(lambda: calls.append(1), min_time=0.01, repeats=5)
    assert samples >= 5 and seconds < 1e-3 and len(calls) >= samples
