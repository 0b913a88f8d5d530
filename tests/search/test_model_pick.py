"""``tune="model"``: the cost model's first choice with no measurement, kept only when the
model is sure by its own calibration; otherwise the default config, said so."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from attncc.cost_models import hardware
from attncc.search.cost_model import model_pick
from attncc.search.cost_model import pick_and_margin
from attncc.search.problem import Problem
from attncc.search.tuner import Tuner
from attncc.search.tuner import best_config
from attncc.targets.cpu.host import host_isa_features
from attncc.variants import CATALOGUE
from tests.search.conftest import TINY
from tests.search.conftest import fast
from tests.search.fakes import OracleModel
from tests.search.fakes import ScriptedRunner
from tests.search.fakes import delay

BEST = {"tile": 4, "order": "ij"}


class Calibrated(OracleModel):
    def __init__(self, threshold):
        super().__init__()
        self.info = {} if threshold is None else {"keep_default_margin": threshold}


def test_pick_margin_and_threshold(problem):
    default = problem.space.default()
    gain = delay(default) - delay(BEST)  # the oracle's margin of the best over the default
    assert gain > 0
    for threshold, sure in ((None, True), (gain / 2, True), (gain * 2, False)):
        pick = model_pick(problem, Calibrated(threshold))
        assert pick.config == BEST and pick.default == default
        assert pick.margin == pytest.approx(gain)
        assert pick.sure is sure
        assert pick.chosen == (BEST if sure else default)


def test_best_config_keeps_the_default_when_unsure(problem, caplog):
    program, target = problem.program, problem.target
    assert best_config(program, target, TINY, tune="model", cost_model=Calibrated(0.0)) == BEST
    with caplog.at_level(logging.INFO, logger="attncc.search"):
        got = best_config(program, target, TINY, tune="model", cost_model=Calibrated(1.0))
    assert got == problem.space.default()
    assert "unsure" in caplog.text and "keeping the default" in caplog.text


class ByKind(OracleModel):
    def __init__(self, decode, prefill):
        super().__init__()
        # the single threshold is what a model calibrated before kinds existed reads
        by_kind = {"decode": decode, "prefill": prefill}
        self.info = {"keep_default_margin": 1e9, "keep_default_by_kind": by_kind}


def test_the_threshold_is_the_calibration_of_the_workload_kind(problem, caplog):
    """TINY has 8 query rows: a decode workload. A kind calibrated as None is never sure."""
    program, target = problem.program, problem.target
    prefill = Problem.create(program, target, {**TINY, "p": 64, "m": 64})
    gain = delay(problem.space.default()) - delay(BEST)
    assert model_pick(problem, ByKind(gain / 2, None)).sure
    assert not model_pick(prefill, ByKind(gain / 2, None)).sure
    assert model_pick(prefill, ByKind(None, gain / 2)).sure
    never = model_pick(problem, ByKind(None, gain / 2))
    assert never.threshold == float("inf") and not never.sure
    with caplog.at_level(logging.INFO, logger="attncc.search"):
        got = best_config(program, target, TINY, tune="model", cost_model=ByKind(None, 0.0))
    assert got == problem.space.default() and "never sure" in caplog.text


def test_cpu_problems_describe_the_machine_to_the_model(monkeypatch):
    monkeypatch.setattr(hardware, "embedding", lambda: {p: 0.0 for p in hardware.PROBES})
    problem = Problem.create(CATALOGUE["mha_causal"](), "cpu", TINY)
    hw = problem.hardware
    assert hw["target"] == "cpu" and hw["cpu"] and hw["isa"] in ("avx512", "avx2", "neon", "sse")
    assert hw["lanes"] in (4, 8, 16) and set(hw["caches"]) >= {"l1d", "l2", "l3"}
    assert hw["embedding"] == {p: 0.0 for p in hardware.PROBES}
    monkeypatch.setenv("ATTNCC_CPU", "znver3")
    if "avx2" in host_isa_features():
        avx2 = hardware.host_hardware(measure_embedding=False)
        assert (avx2["isa"], avx2["lanes"], avx2["mcpu"]) == ("avx2", 8, "znver3")


def test_fake_targets_keep_their_fingerprint(problem):
    assert problem.hardware == problem.fingerprint


def test_an_ensemble_pick_and_its_margin_are_the_members_mean():
    """The pick is the best mean score; its margin over the default is the mean's."""
    members = np.array([[0.0, 3.0, 1.0], [0.0, 0.5, 1.0], [0.0, 2.5, 0.5]])
    assert pick_and_margin(members) == (1, pytest.approx(2.0))
    assert pick_and_margin(members, default=2) == (1, pytest.approx(2.0 - 2.5 / 3))
    assert pick_and_margin(members[:1]) == (1, 3.0)


@pytest.mark.parametrize("threshold", [0.0, 1.0])
def test_a_study_starts_where_tune_model_would(problem, storage, threshold):
    """Sure of its pick, the model's choice is the first trial and the default the second;
    unsure, the default is first. Either way both are measured before the search moves."""
    import optuna

    runner = ScriptedRunner()
    tuner = Tuner(problem, storage, fast(trials=4), cost_model=Calibrated(threshold), runner=runner)
    tuner.run()
    trials = optuna.load_study(study_name=tuner.study.study_name, storage=storage).trials
    default = problem.space.default()
    sure = model_pick(problem, Calibrated(threshold)).sure
    assert sure is (threshold == 0.0)
    first = [(t.user_attrs["source"], t.params) for t in trials[: 2 if sure else 1]]
    if sure:
        assert first == [("model", BEST), ("default", default)]
        assert trials[0].user_attrs["predicted"] == -delay(BEST)
    else:
        assert first == [("default", default)]
    assert runner.calls[: len(first)] == [c for _, c in first]
