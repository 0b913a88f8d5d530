"""The tuner loop: the best is the fastest correct measurement, nothing is measured twice,
a run resumes, the cost model screens, failures are data, bad input is a clear error."""

from __future__ import annotations

import math

import optuna
import pytest
from optuna.trial import TrialState

from attncc.errors import ArgumentError
from attncc.errors import TuningError
from attncc.errors import UnsupportedError
from attncc.search.database import best_trial
from attncc.search.database import measured_trials
from attncc.search.database import open_storage
from attncc.search.database import summaries
from attncc.search.problem import Problem
from attncc.search.problem import shape_bucket
from attncc.search.space import config_key
from attncc.search.tuner import Tuner
from attncc.search.tuner import best_config
from attncc.variants import CATALOGUE
from tests.search.conftest import TINY
from tests.search.conftest import fast
from tests.search.fakes import FakeTarget
from tests.search.fakes import OracleModel
from tests.search.fakes import ScriptedRunner
from tests.search.fakes import delay

BEST = {"tile": 4, "order": "ij"}


def study_of(tuner: Tuner) -> optuna.Study:
    return optuna.load_study(study_name=tuner.study.study_name, storage=tuner.url)


def assert_consistent(study: optuna.Study) -> None:
    """Every trial finished; no config measured twice; the best is the fastest ok trial."""
    trials = study.get_trials()
    assert all(t.state in (TrialState.COMPLETE, TrialState.FAIL, TrialState.PRUNED) for t in trials)
    keys = [config_key(t.params) for t in measured_trials(study)]
    assert len(keys) == len(set(keys)), "a config was measured twice"
    ok = [t for t in trials if t.user_attrs.get("status") == "ok"]
    assert all(t.state is TrialState.COMPLETE and math.isfinite(t.value) for t in ok)
    assert all(t.state is not TrialState.COMPLETE for t in trials if t not in ok)
    best = best_trial(study)
    assert best.value == min(t.value for t in ok)


def test_faulty_configs_fail_their_trials_and_never_become_best(faulty, storage):
    tuner = Tuner(faulty, storage, fast(trials=10, polish=0.0), cost_model=None)
    result = tuner.run()
    study = study_of(tuner)
    assert_consistent(study)
    assert result.measured == 10
    failed = [t for t in measured_trials(study) if t.user_attrs["status"] != "ok"]
    assert failed and all(t.state is TrialState.FAIL and t.user_attrs["error"] for t in failed)
    expected = {"none": "ok", "segv": "crash", "hang": "timeout", "wrong": "wrong_result"}
    expected["build"] = "compile_error"
    for t in measured_trials(study):
        assert t.user_attrs["status"] == expected[t.params["fault"]]
    assert result.config["fault"] == "none"
    assert result.seconds == best_trial(study).value
    assert study.trials[0].user_attrs["source"] == "default"


def test_small_space_is_exhausted_and_its_best_found(problem, storage):
    runner = ScriptedRunner()
    result = Tuner(problem, storage, fast(trials=30), cost_model=None, runner=runner).run()
    feasible = problem.space.everything()
    assert result.measured == len(feasible) == 9
    assert sorted(map(config_key, runner.calls)) == sorted(map(config_key, feasible))
    assert result.config == BEST and result.seconds == delay(BEST)


def test_polish_measures_one_knob_neighbours_of_the_best(storage):
    program = CATALOGUE["mha_causal"]()
    problem = Problem.create(program, FakeTarget(), TINY)
    tuner = Tuner(problem, storage, fast(trials=6, polish=0.5), cost_model=None)
    tuner._runner = ScriptedRunner()
    tuner.run()
    trials = measured_trials(study_of(tuner))
    polished = [t for t in trials if t.user_attrs["source"] == "polish"]
    assert len(polished) >= 2
    for t in polished:
        before = [u for u in trials if u.number < t.number and u.user_attrs["status"] == "ok"]
        assert any(sum(t.params[k] != u.params[k] for k in t.params) == 1 for u in before)


def test_rerun_resumes_and_measures_nothing_twice(problem, storage):
    first = ScriptedRunner()
    Tuner(problem, storage, fast(trials=4), cost_model=None, runner=first).run()
    tuner = Tuner(problem, storage, fast(trials=4), cost_model=None, runner=ScriptedRunner())
    assert tuner.run().measured == 4 and tuner._runner is None  # nothing left to measure
    before = {t.number: (t.params, t.value) for t in study_of(tuner).trials}
    second = ScriptedRunner()
    result = Tuner(problem, storage, fast(trials=7), cost_model=None, runner=second).run()
    study = study_of(tuner)
    assert result.measured == 7 and len(first.calls) == 4 and len(second.calls) == 3
    assert {t.number: (t.params, t.value) for t in study.trials[: len(before)]} == before
    assert not {config_key(c) for c in first.calls} & {config_key(c) for c in second.calls}
    assert_consistent(study)


def test_interrupt_in_the_middle_of_a_trial_then_resume(problem, storage):
    with pytest.raises(KeyboardInterrupt):
        runner = ScriptedRunner(interrupt_at=2)
        Tuner(problem, storage, fast(trials=6), cost_model=None, runner=runner).run()
    study = optuna.load_study(study_name=problem.study_name, storage=storage)
    states = [t.state for t in study.trials]
    assert TrialState.RUNNING not in states
    interrupted = [t for t in study.trials if t.state is TrialState.FAIL]
    assert len(interrupted) == 1 and "status" not in interrupted[0].user_attrs  # not measured
    assert len(measured_trials(study)) == 2
    result = Tuner(problem, storage, fast(trials=6), cost_model=None, runner=ScriptedRunner())
    assert result.run().measured == 6
    assert_consistent(study)


def test_cost_model_screens_the_pool_and_retrains_on_every_measurement(problem, storage):
    model = OracleModel()
    opts = fast(trials=5, batch=2, explore=0.25, polish=0.0)
    tuner = Tuner(problem, storage, opts, cost_model=model, runner=ScriptedRunner())
    result = tuner.run()
    study = study_of(tuner)
    model_trials = [t for t in study.trials if t.user_attrs.get("source") == "model"]
    assert model_trials[0].params == BEST  # the oracle's first pick
    assert model_trials[0].user_attrs["predicted"] == -delay(BEST)
    assert result.config == BEST
    assert model.fits and len(model.fits[-1]) >= 2
    assert {r.seconds for r in model.fits[-1]} <= {delay(t.params) for t in study.trials}


def test_unmeasurable_tpe_proposals_are_pruned_and_replaced(problem, storage):
    tuner = Tuner(problem, storage, fast(trials=2, polish=0.0), cost_model=None)
    tuner._runner = ScriptedRunner()
    tuner.study.enqueue_trial({"tile": 16, "order": "ji"}, user_attrs={"source": "tpe"})
    tuner.run()
    study = study_of(tuner)
    first = study.trials[0]
    assert first.state is TrialState.PRUNED and first.user_attrs["status"] == "infeasible"
    repair = next(t for t in study.trials if t.user_attrs.get("source") == "repair")
    assert sum(repair.params[k] != first.params[k] for k in first.params) == 1
    assert repair.user_attrs["status"] == "ok"
    # a measured config proposed again is a duplicate: pruned, not measured
    again = ScriptedRunner()
    tuner = Tuner(problem, storage, fast(trials=3, polish=0.0), cost_model=None, runner=again)
    tuner.study.enqueue_trial(repair.params, user_attrs={"source": "tpe"})
    tuner.run()
    assert config_key(repair.params) not in map(config_key, again.calls)
    statuses = [t.user_attrs.get("status") for t in study_of(tuner).trials]
    assert "duplicate" in statuses
    assert_consistent(study_of(tuner))


def test_two_trials_running_one_config_measure_it_once(problem, storage):
    """Two workers can pop two enqueued copies of one config (each proposed it before the
    other's proposal was stored). Whichever checks first must not measure it when the other
    has not set its params yet, and one checking while the other measures must yield even
    when it has the lower number."""
    config = {"tile": 2, "order": "ji"}
    runner = ScriptedRunner()
    tuner = Tuner(problem, storage, fast(trials=4, polish=0.0), cost_model=None, runner=runner)
    study = tuner.study
    for _ in range(2):
        study.enqueue_trial(config, user_attrs={"source": "model"})
    low, high = study.ask(), study.ask()  # both RUNNING; neither has suggested its params
    with pytest.raises(optuna.TrialPruned, match="duplicate"):
        tuner._objective(high)
    study.tell(high, state=TrialState.PRUNED)
    assert tuner._objective(low) == delay(config)
    study.tell(low, delay(config))
    assert runner.calls == [config]


def test_a_trial_that_announces_late_yields_to_one_measuring(problem, storage):
    """A TPE trial sets its params only when it suggests them: a lower-numbered trial can
    reach its check while a higher-numbered one already measures the same config. It must
    yield (the one measuring never saw it)."""
    config = {"tile": 8, "order": "ij"}
    tuner = Tuner(problem, storage, fast(trials=4, polish=0.0), cost_model=None)
    study = tuner.study
    low = study.ask()  # running, no params yet
    study.enqueue_trial(config, user_attrs={"source": "model"})
    high = study.ask()
    assert low.number < high.number
    yielded: list[optuna.TrialPruned] = []

    class Interleaved(ScriptedRunner):
        def run(self, inputs):
            if not yielded and not self.calls:  # the low trial suggests ``config`` now
                tuner.storage.set_trial_system_attr(low._trial_id, "fixed_params", config)
                try:
                    tuner._objective(optuna.Trial(study, low._trial_id))
                except optuna.TrialPruned as e:
                    yielded.append(e)
            return super().run(inputs)

    tuner._runner = runner = Interleaved()
    assert tuner._objective(high) == delay(config)
    assert runner.calls == [config]
    assert len(yielded) == 1


def test_a_claim_is_yielded_to_whatever_the_numbers(problem, storage):
    """After claiming, a trial yields to any other claimant, the higher-numbered too: the
    other may have read before this claim and be measuring already."""
    config = {"tile": 1, "order": "ij"}
    tuner = Tuner(problem, storage, fast(trials=4, polish=0.0), cost_model=None)
    study = tuner.study
    for _ in range(2):
        study.enqueue_trial(config, user_attrs={"source": "model"})
    low, high = study.ask(), study.ask()
    key = config_key(config)
    assert Tuner._taken(tuner._trials(), high.number, key)  # the lower number goes first
    assert not Tuner._taken(tuner._trials(), low.number, key)
    assert not Tuner._taken(tuner._trials(), low.number, key, claimed_only=True)
    high.set_user_attr("claimed", True)
    assert Tuner._taken(tuner._trials(), low.number, key, claimed_only=True)
    high.set_user_attr("status", "duplicate")  # it yielded after all: nothing to wait for
    assert not Tuner._taken(tuner._trials(), low.number, key)


@pytest.mark.parametrize(
    "url",
    [
        "nosuchdialect://x/y",
        "postgresql+psycopg2://attncc:secret@127.0.0.1:9/nowhere",
        "sqlite:////nonexistent-dir/sub/tuning.db",
    ],
)
def test_bad_storage_is_a_tuning_error(problem, url):
    with pytest.raises(TuningError, match="tuning storage") as info:
        Tuner(problem, url, fast())
    assert "secret" not in str(info.value)


def test_best_config_cached_model_and_n(problem, storage):
    program, target = problem.program, problem.target
    with pytest.raises(TuningError, match="no tuned config"):
        best_config(program, target, TINY, tune="cached", storage=storage)
    tuned = best_config(program, target, TINY, tune=9, storage=storage, options=fast())
    assert tuned == BEST
    assert best_config(program, target, TINY, tune="cached", storage=storage) == BEST
    oracle = best_config(program, target, TINY, tune="model", cost_model=OracleModel())
    assert oracle == BEST
    with pytest.raises(UnsupportedError, match="pre-trained cost model"):
        best_config(program, target, TINY, tune="model")
    with pytest.raises(TuningError, match="tune="):
        best_config(program, target, TINY, tune="lots")
    rows = summaries(storage)
    assert [(r.best_config, r.measured) for r in rows] == [(BEST, 9)]


def test_problem_identity_and_bad_input(problem):
    name = problem.study_name
    assert name.startswith(f"mha_causal-{problem.program_hash}-fake-{problem.target_hash}-")
    assert name.endswith("b=1,h=2,p=8,e=4,m=8,f=4")
    assert shape_bucket({"h": 6, "p": 100}, {"p"}) == "h=6,p=128"
    assert shape_bucket({"h": 6, "p": 128}, {"p"}) == "h=6,p=128"
    again = Problem.from_study_attrs(problem.study_attrs())
    assert again.study_name == name
    with pytest.raises(ArgumentError, match="missing"):
        Problem.create(problem.program, FakeTarget(), {"b": 1})

    class Remote(FakeTarget):
        can_run = False

    remote = Problem.create(problem.program, Remote(), TINY)  # exportable, not tunable
    with pytest.raises(TuningError, match="cannot run"):
        Tuner(remote, "sqlite:///:memory:", fast(), cost_model=None)
    with pytest.raises(TuningError, match=r"unknown target 'no\.such\.module:Target'"):
        Problem.create(problem.program, "no.such.module:Target", TINY)


def test_cpu_study_buckets_sequence_lengths():
    from attncc.targets import get_target

    program = CATALOGUE["sigmoid_attention"]()
    shape = dict(b=1, h=2, g=1, e=8, f=8)
    a = Problem.create(program, get_target("cpu"), {**shape, "p": 100, "m": 100})
    b = Problem.create(program, get_target("cpu"), {**shape, "p": 128, "m": 128})
    assert a.study_name == b.study_name and "p=128" in a.study_name
    assert a.extents["p"] == 100  # measured where asked


def test_storage_defaults_and_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert open_storage(None).url == f"sqlite:///{tmp_path / 'attncc-tuning.db'}"
    assert open_storage("x.db").url == f"sqlite:///{tmp_path / 'x.db'}"


def test_a_target_that_cannot_run_here_is_refused(storage):
    pytest.importorskip("triton")
    from attncc.targets.cuda import CudaTarget
    from attncc.targets.cuda import gpu_present

    if gpu_present():
        pytest.skip("a GPU is present: cuda can be tuned here")
    problem = Problem.create(CATALOGUE["mha_causal"](), CudaTarget(), TINY)
    with pytest.raises(TuningError, match="cuda cannot run kernels on this machine"):
        Tuner(problem, storage, fast(), cost_model=None)
