"""Tuning measures at the param values the kernel will be called with: the study is keyed by
them, the measurement data is made with them, a joining worker measures at them, and bad
``--param`` text is a clear error."""

from __future__ import annotations

import re

import numpy as np
import pytest

from attncc.errors import ArgumentError
from attncc.errors import TuningError
from attncc.ir.interpreter import interpret
from attncc.search.params import parse_params
from attncc.search.params import tuning_params
from attncc.search.problem import Problem
from attncc.search.reference import load_data
from attncc.search.tuner import Tuner
from attncc.variants import CATALOGUE
from tests.search.conftest import fast
from tests.search.fakes import FakeTarget

SHAPE = {"b": 1, "h": 2, "g": 1, "p": 8, "m": 8, "e": 4, "f": 4}


@pytest.fixture
def program():
    return CATALOGUE["gqa_window_softcap"]()  # param cap : f32 = 50.0, param W : i32 = 4096


def test_param_text_is_typed_by_the_declaration(program):
    assert parse_params(program, ["W=256", "cap=30"]) == {"W": 256, "cap": 30.0}
    assert isinstance(parse_params(program, ["cap=30"])["cap"], float)
    assert parse_params(program, [" W = 8 ", "W=8"]) == {"W": 8}


@pytest.mark.parametrize(
    "text, message",
    [
        ("W", "--param takes NAME=VALUE, got 'W'"),
        ("=3", "--param takes NAME=VALUE"),
        ("w=3", "has no param 'w' (did you mean W?); its params are cap : f32, W : i32"),
        ("window=3", "has no param 'window'"),
        ("W=abc", "W is i32, so its value must be an integer, e.g. W=256"),
        ("W=2.5", "W is i32, so its value must be an integer"),
        ("cap=abc", "cap is f32, so its value must be a number"),
        ("cap=nan", "tuning measures at a finite value"),
        ("cap=inf", "tuning measures at a finite value"),
    ],
)
def test_bad_param_text_is_an_argument_error(program, text, message):
    with pytest.raises(ArgumentError, match=re.escape(message)):
        parse_params(program, [text])


def test_a_param_given_twice_or_out_of_range(program):
    with pytest.raises(ArgumentError, match="given twice"):
        parse_params(program, ["W=2", "W=3"])
    with pytest.raises(ArgumentError, match="outside"):
        Problem.create(program, FakeTarget(), SHAPE, {"W": 2**40})
    with pytest.raises(ArgumentError, match="unknown param"):
        Problem.create(program, FakeTarget(), SHAPE, {"window": 2})
    with pytest.raises(ArgumentError, match="finite value"):
        Problem.create(program, FakeTarget(), SHAPE, {"cap": float("inf")})


def test_the_study_is_keyed_by_every_param(program):
    default = Problem.create(program, FakeTarget(), SHAPE)
    assert default.params == {"cap": 50.0, "W": 4096}
    # at the declared defaults the study keeps the name it always had (no params part)
    assert default.study_name.endswith("-b=1,h=2,p=8,e=4,g=1,m=8,f=4")
    same = Problem.create(program, FakeTarget(), SHAPE, {"W": 4096, "cap": 50})
    assert same.study_name == default.study_name
    window = Problem.create(program, FakeTarget(), SHAPE, {"W": 4})
    assert window.study_name == default.study_name + "-cap=50.0,W=4"
    capped = Problem.create(program, FakeTarget(), SHAPE, {"W": 4, "cap": 30.0})
    assert capped.study_name == default.study_name + "-cap=30.0,W=4"
    assert window.params == {"cap": 50.0, "W": 4} and window.study_attrs()["params"] == {
        "cap": 50.0,
        "W": 4,
    }
    assert Problem.from_study_attrs(capped.study_attrs()).study_name == capped.study_name


def test_measurements_use_the_params_and_a_joining_worker_does_too(program, storage):
    problem = Problem.create(program, FakeTarget(), SHAPE, {"W": 2, "cap": 3.0})
    tuner = Tuner(problem, storage, fast(trials=2), cost_model=None)
    data = load_data(tuner._runner_for().task.data)
    assert data.scalars["W"] == 2 and data.scalars["cap"] == 3.0
    expected = interpret(program, **data.arrays, W=2, cap=3.0)
    np.testing.assert_array_equal(data.expected["O"], expected)
    at_default = interpret(program, **data.arrays)
    assert not np.allclose(expected, at_default)  # W=2 and cap=3 change the result
    result = tuner.run()
    assert result.measured == 2 and result.config is not None
    joined = Tuner.join(storage, problem.study_name, fast(trials=3), cost_model=None)
    assert joined.problem.params == {"cap": 3.0, "W": 2}
    assert load_data(joined._runner_for().task.data).scalars["W"] == 2
    assert joined.run().measured == 3


def test_params_in_the_inputs_are_the_study_params(program, storage):
    rng = np.random.default_rng(0)
    arrays = {
        "Q": rng.standard_normal((1, 2, 8, 4)).astype(np.float32),
        "K": rng.standard_normal((1, 1, 8, 4)).astype(np.float32),
        "V": rng.standard_normal((1, 1, 8, 4)).astype(np.float32),
    }
    inputs = {**arrays, "W": np.int32(3)}
    assert tuning_params(program, {}, inputs) == {"W": 3}
    assert tuning_params(program, {"W": 3, "cap": 2.0}, inputs) == {"W": 3, "cap": 2.0}
    with pytest.raises(ArgumentError, match="W is 5 in the params but 3 in the inputs"):
        tuning_params(program, {"W": 5}, inputs)
    problem = Problem.create(program, FakeTarget(), SHAPE, {"W": 5})
    with pytest.raises(ArgumentError, match="in the inputs"):
        Tuner(problem, storage, fast(), cost_model=None, inputs=inputs)


def test_cached_looks_up_the_params_it_was_tuned_at(program, storage):
    from attncc.search.tuner import best_config

    target = FakeTarget()
    best_config(program, target, SHAPE, tune=2, storage=storage, params={"W": 2}, cost_model=None)
    found = best_config(program, target, SHAPE, tune="cached", storage=storage, params={"W": 2})
    assert set(found) == {"tile", "order"}
    with pytest.raises(TuningError, match=r"and params cap=50\.0,W=3"):
        best_config(program, target, SHAPE, tune="cached", storage=storage, params={"W": 3})
    with pytest.raises(TuningError, match="no tuned config"):
        best_config(program, target, SHAPE, tune="cached", storage=storage)


def test_the_cost_model_sees_the_params_measured_at(program, storage):
    from tests.search.fakes import OracleModel
    from tests.search.fakes import ScriptedRunner

    problem = Problem.create(program, FakeTarget(), SHAPE, {"W": 2, "cap": 3.0})
    model = OracleModel()
    Tuner(problem, storage, fast(trials=3), cost_model=model, runner=ScriptedRunner()).run()
    seen = model.fits[-1][0].candidate.program
    assert {p.name: p.default for p in seen.params} == {"cap": 3.0, "W": 2}
    assert seen.stmts == program.stmts and problem.program is program  # nothing else moved
