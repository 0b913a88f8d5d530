"""Measurement in a separate process: faults fail their candidate and nothing else."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest

from attncc.search.measure import compare
from attncc.search.measure import time_call
from attncc.search.reference import load_data
from attncc.search.reference import reference_file
from attncc.search.runner import LocalRunner
from attncc.search.runner import MeasureTask
from attncc.search.runner import RunnerInput
from attncc.search.runner import Status
from tests.search.conftest import TINY
from tests.search.fakes import KilledTarget
from tests.search.fakes import delay


def runner_for(problem, timeout=0.5) -> LocalRunner:
    data = reference_file(problem.program, problem.extents, seed=0)
    task = MeasureTask.of(problem, data, min_time=0.002, repeats=3)
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


@pytest.fixture
def attempts(tmp_path, monkeypatch):
    """The file where KilledTarget's measurement processes log each attempt."""
    path = tmp_path / "attempts.log"
    path.write_text("")
    monkeypatch.setenv("ATTNCC_TEST_ATTEMPTS", str(path))
    return path


def killed_runner(timeout: float = 5) -> LocalRunner:
    from attncc.search.problem import Problem
    from attncc.variants import CATALOGUE

    return runner_for(Problem.create(CATALOGUE["mha_causal"](), KilledTarget(), TINY), timeout)


def test_a_measurement_killed_from_outside_is_measured_again(attempts):
    """SIGKILL (the OOM killer) or SIGINT (a user) ends the measuring process once: the
    config is measured again in a fresh process and counts only if that one is killed too."""
    ok = {"tile": 4, "order": "ij"}
    faults = ["sigkill_once", "sigint_once", "none", "sigkill", "sigint", "none"]
    with killed_runner() as runner:
        results = runner.run([RunnerInput({**ok, "fault": f}) for f in faults])
    statuses = [r.status for r in results]
    assert statuses == [Status.OK, Status.OK, Status.OK, Status.CRASH, Status.CRASH, Status.OK]
    assert "SIGKILL" in results[3].error and "measured twice" in results[3].error
    assert "SIGINT" in results[4].error and "measured twice" in results[4].error
    logged = [line.split()[0] for line in attempts.read_text().splitlines()]
    assert [logged.count(f) for f in ("sigkill_once", "sigint_once", "sigkill", "sigint")] == [
        2,
        2,
        2,
        2,
    ]
    assert logged.count("none") == 2  # a fault-free config is measured once


def test_a_killed_default_config_is_not_failed_forever(attempts, storage):
    """The study's first trial, the target's default config, is killed once from outside:
    it is measured again and becomes a result; configs killed every time fail their trial
    and the run goes on."""
    import optuna

    from attncc.search.problem import Problem
    from attncc.search.tuner import Tuner
    from attncc.variants import CATALOGUE
    from tests.search.conftest import fast

    problem = Problem.create(CATALOGUE["mha_causal"](), KilledTarget(), TINY)
    tuner = Tuner(problem, storage, fast(trials=4, polish=0.0, timeout=5), cost_model=None)
    result = tuner.run()
    study = optuna.load_study(study_name=tuner.study.study_name, storage=storage)
    first = study.trials[0]
    assert first.user_attrs["source"] == "default" and first.params["fault"] == "sigkill_once"
    assert first.user_attrs["status"] == "ok" and first.value is not None
    # other trials may draw sigkill_once with other knobs: those are other configs
    line = f"sigkill_once {json.dumps(first.params, sort_keys=True)}"
    assert attempts.read_text().splitlines().count(line) == 2
    assert result.measured == 4 and result.config is not None


def test_a_crash_of_the_kernel_itself_is_not_retried(faulty):
    """SIGSEGV comes from the kernel: one crash is the config's, measured once."""
    with runner_for(faulty) as runner:
        starts = []
        original = runner._start
        runner._start = lambda: (starts.append(1), original())[1]
        (result,) = runner.run([RunnerInput({"tile": 4, "order": "ij", "fault": "segv"})])
    assert result.status is Status.CRASH and "SIGSEGV" in result.error
    assert "measured twice" not in result.error and len(starts) == 1


def test_a_child_killed_by_another_process_is_measured_again(attempts):
    """A real outside kill: another thread SIGKILLs the measuring child in the middle."""
    import os
    import signal
    import threading

    config = {"tile": 4, "order": "ij", "fault": "nap"}
    with killed_runner() as runner:

        def kill_once() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and "nap" not in attempts.read_text():
                time.sleep(0.01)
            os.kill(runner._proc.pid, signal.SIGKILL)

        killer = threading.Thread(target=kill_once)
        killer.start()
        (result,) = runner.run([RunnerInput(config)])
        killer.join()
    assert result.status is Status.OK, result.error
    assert [line.split()[0] for line in attempts.read_text().splitlines()] == ["nap", "nap"]


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


@pytest.mark.parametrize(
    "out, why",
    [
        ([-np.inf, 1.0, 2.0, np.nan, -np.inf], "-inf where the reference has +inf"),
        ([7.0, 1.0, 2.0, np.nan, -np.inf], "a finite value where the reference has +inf"),
        ([np.nan, 1.0, 2.0, np.nan, -np.inf], "NaN where the reference has +inf"),
        ([np.inf, 1.0, 2.0, 0.0, -np.inf], "a number where the reference has NaN"),
        ([np.inf, 1.0, 2.0, np.inf, -np.inf], "inf where the reference has NaN"),
        ([np.inf, 1.0, 2.0, np.nan, np.inf], "+inf where the reference has -inf"),
        ([np.inf, np.inf, 2.0, np.nan, -np.inf], "inf where the reference is finite"),
        ([np.inf, 1.0, np.nan, np.nan, -np.inf], "NaN where the reference is finite"),
    ],
)
def test_compare_checks_nan_and_inf_positions_exactly(out, why):
    ref = {"O": np.array([np.inf, 1.0, 2.0, np.nan, -np.inf])}
    assert compare({"O": np.array(out)}, ref) == math.inf, why
    assert compare(ref, ref) == 0.0  # the same non-finite values in the same places


def test_compare_scale_is_finite_when_the_reference_holds_inf():
    ref = {"O": np.array([np.inf, 100.0, -50.0])}
    assert compare({"O": np.array([np.inf, 100.005, -50.0])}, ref) == pytest.approx(5e-5)
    assert compare({"O": np.array([np.inf, 110.0, -50.0])}, ref) == pytest.approx(0.1)
    only = {"O": np.array([np.inf, -np.inf, np.nan])}
    assert compare(only, only) == 0.0
    huge = {"O": np.array([1e308, -1e308])}  # out - ref overflows: inf, never accepted
    assert compare({"O": np.array([-1e308, 1e308])}, huge) == math.inf


def test_a_tolerance_must_be_finite():
    from attncc.errors import TuningError
    from attncc.search.tuner import TuneOptions

    for bad in (math.inf, math.nan, -1.0):
        with pytest.raises(TuningError, match="tolerance must be a finite number"):
            TuneOptions(tolerance=bad)
        with pytest.raises(TuningError, match="tolerance must be a finite number"):
            MeasureTask("fake", "", {}, "", tolerance=bad)


def test_a_wrong_kernel_cannot_pass_on_a_reference_with_inf_and_nan(faulty):
    """The reference holds +inf, -inf and NaN; a kernel that keeps them but adds 1 to every
    finite value used to score error 0 (inf / inf scale) and become the best."""
    rng = np.random.default_rng(0)
    x = {n: rng.standard_normal((1, 2, 8, 4)).astype(np.float32) for n in "QKV"}
    x["V"][0, 0, 2, 0], x["V"][0, 1, 3, 1], x["Q"][0, 0, 5, :] = np.inf, -np.inf, np.nan
    data = reference_file(faulty.program, faulty.extents, inputs=x)
    expected = load_data(data).expected["O"]
    assert np.isposinf(expected).any() and np.isneginf(expected).any()
    assert np.isnan(expected).any()
    task = MeasureTask.of(faulty, data)
    config = {"tile": 4, "order": "ij"}
    with LocalRunner(task, timeout=5, build_timeout=60) as runner:
        right, wrong = runner.run([RunnerInput({**config, "fault": f}) for f in ("none", "wrong")])
    assert right.status is Status.OK and right.max_error == 0.0
    assert wrong.status is Status.WRONG_RESULT and not wrong.ok and wrong.max_error > 0.5


def test_time_call_takes_the_median_of_enough_samples():
    calls = []
    seconds, samples = time_call(lambda: calls.append(1), min_time=0.01, repeats=5)
    assert samples >= 5 and seconds < 1e-3 and len(calls) >= samples
