"""``attncc.compile(..., tune=...)`` on the real CPU target: measured, correct, cached."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

import attncc
from attncc.errors import ArgumentError
from attncc.errors import TuningError
from attncc.errors import UnsupportedError
from attncc.search.database import best_trial
from attncc.search.database import measured_trials

pytest.importorskip("tvm")

SHAPES = dict(b=1, h=2, g=1, p=16, m=16, e=8, f=8)


def test_compile_tune_n_then_cached(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default storage is ./attncc-tuning.db
    program = attncc.variants.CATALOGUE["sigmoid_attention"]()
    kernel = attncc.compile(program, "cpu", shapes=SHAPES, tune=3)
    (name,) = optuna.get_all_study_names("sqlite:///attncc-tuning.db")
    study = optuna.load_study(study_name=name, storage="sqlite:///attncc-tuning.db")
    assert len(measured_trials(study)) == 3
    best = best_trial(study)
    assert {k: kernel.config[k] for k in best.params} == best.params
    assert best.value == min(t.value for t in study.trials if t.value is not None)
    rng = np.random.default_rng(0)
    q = rng.standard_normal((1, 2, 16, 8), dtype=np.float32)
    k = rng.standard_normal((1, 1, 16, 8), dtype=np.float32)
    v = rng.standard_normal((1, 1, 16, 8), dtype=np.float32)
    ref = attncc.interpret(program, Q=q, K=k, V=v)
    np.testing.assert_allclose(kernel(Q=q, K=k, V=v), ref, atol=1e-5)
    cached = attncc.compile(program, "cpu", shapes=SHAPES, tune="cached")
    assert cached.config == kernel.config
    assert len(measured_trials(study)) == 3  # nothing measured again


def test_compile_tune_errors(tmp_path):
    program = attncc.variants.CATALOGUE["sigmoid_attention"]()
    storage = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(TuningError, match="no tuned config"):
        attncc.compile(program, "cpu", shapes=SHAPES, tune="cached", storage=storage)
    with pytest.raises(ArgumentError, match="not both"):
        attncc.compile(program, "cpu", shapes=SHAPES, tune=2, config={"unroll": 4})
    with pytest.raises(ArgumentError, match="missing"):
        attncc.compile(program, "cpu", shapes={"b": 1}, tune=2, storage=storage)
    with pytest.raises(ArgumentError, match="storage="):
        attncc.compile(program, "cpu", storage=storage)
    try:
        kernel = attncc.compile(program, "cpu", shapes=SHAPES, tune="model")
    except UnsupportedError as e:  # until a pre-trained CPU model ships
        assert "pre-trained cost model" in str(e)
    else:
        space = kernel.target.space(program, kernel.target.specialise(program, SHAPES))
        assert space.why_infeasible(kernel.config) is None


def test_compile_tunes_at_the_params_given(tmp_path):
    """compile(tune=N, params=...) measures at those values; the study is keyed by them, so
    tune="cached" finds it at the same params and not at the defaults."""
    program = attncc.variants.CATALOGUE["sliding_window"]()  # param W : i32 = 256
    storage = f"sqlite:///{tmp_path / 'params.db'}"
    kernel = attncc.compile(program, "cpu", shapes=SHAPES, tune=2, storage=storage, params={"W": 4})
    (name,) = optuna.get_all_study_names(storage)
    study = optuna.load_study(study_name=name, storage=storage)
    assert study.user_attrs["params"] == {"W": 4} and name.endswith("-W=4")
    cached = attncc.compile(
        program, "cpu", shapes=SHAPES, tune="cached", storage=storage, params={"W": 4}
    )
    assert cached.config == kernel.config
    with pytest.raises(TuningError, match="and params W=8"):
        attncc.compile(
            program, "cpu", shapes=SHAPES, tune="cached", storage=storage, params={"W": 8}
        )
    with pytest.raises(TuningError, match="no tuned config"):
        attncc.compile(program, "cpu", shapes=SHAPES, tune="cached", storage=storage)
    with pytest.raises(ArgumentError, match="unknown param"):
        attncc.compile(program, "cpu", shapes=SHAPES, tune=1, storage=storage, params={"w": 4})
    with pytest.raises(ArgumentError, match="params= are the values tune= measures at"):
        attncc.compile(program, "cpu", params={"W": 4})
