"""Every worker of a study measures on the same inputs: seeded ones (the study's seed, not
the worker's) or the user's arrays, which a joining worker must bring along."""

from __future__ import annotations

import numpy as np
import optuna
import pytest
from typer.testing import CliRunner

from attncc.cli import app
from attncc.errors import TuningError
from attncc.search.database import measured_trials
from attncc.search.reference import inputs_digest
from attncc.search.reference import load_inputs
from attncc.search.tuner import Tuner
from tests.search.conftest import TINY
from tests.search.conftest import fast


def user_inputs(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((TINY["b"], TINY["h"], TINY["p"], TINY["e"])).astype(np.float32)
    k = rng.standard_normal((TINY["b"], TINY["h"], TINY["m"], TINY["e"])).astype(np.float32)
    v = rng.standard_normal((TINY["b"], TINY["h"], TINY["m"], TINY["f"])).astype(np.float32)
    return {"Q": q, "K": k, "V": v}


def test_a_joining_worker_measures_on_the_study_seed(problem, storage):
    first = Tuner(problem, storage, fast(seed=3), cost_model=None)
    joined = Tuner.join(storage, first.study.study_name, fast(seed=0), cost_model=None)
    assert first.study.user_attrs["inputs"] == {"seed": 3}
    assert joined._data_seed == 3


def test_user_inputs_are_measured_and_required_of_every_worker(problem, storage):
    given = user_inputs()
    tuner = Tuner(problem, storage, fast(trials=2), cost_model=None, inputs=given)
    tuner.run()
    name = tuner.study.study_name
    with pytest.raises(TuningError, match="inputs of its own"):
        Tuner.join(storage, name, fast(), cost_model=None)
    with pytest.raises(TuningError, match="other inputs"):
        Tuner.join(storage, name, fast(), cost_model=None, inputs=user_inputs(seed=1))
    # the same arrays in another precision and layout are the same inputs
    same = {k: np.asfortranarray(v.astype(np.float64)) for k, v in given.items()}
    Tuner.join(storage, name, fast(), cost_model=None, inputs=same)


def test_seeded_studies_refuse_user_inputs(problem, storage):
    Tuner(problem, storage, fast(), cost_model=None)
    with pytest.raises(TuningError, match="seeded random inputs"):
        Tuner(problem, storage, fast(), cost_model=None, inputs=user_inputs())


def test_inputs_digest_ignores_storage_precision(problem):
    given = user_inputs()
    wider = {k: v.astype(np.float64) for k, v in given.items()}
    assert inputs_digest(problem.program, given) == inputs_digest(problem.program, wider)
    other = {**given, "Q": given["Q"] + 1}
    assert inputs_digest(problem.program, given) != inputs_digest(problem.program, other)


def test_load_inputs_reads_npz_and_refuses_other_files(tmp_path):
    path = tmp_path / "inputs.npz"
    np.savez(path, Q=np.ones((2, 3), np.float32), scale=np.float32(0.5))
    loaded = load_inputs(path)
    assert loaded["Q"].shape == (2, 3) and loaded["scale"] == 0.5
    np.save(tmp_path / "one.npy", np.ones(3))
    with pytest.raises(TuningError, match="holds one array"):
        load_inputs(tmp_path / "one.npy")
    (tmp_path / "junk.npz").write_bytes(b"not a zip file")
    with pytest.raises(TuningError, match="cannot read inputs"):
        load_inputs(tmp_path / "junk.npz")
    with pytest.raises(TuningError, match="cannot read inputs"):
        load_inputs(tmp_path / "missing.npz")


def test_cli_workers_measure_the_users_inputs(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    path = tmp_path / "inputs.npz"
    np.savez(path, **user_inputs())
    shape = ",".join(f"{k}={v}" for k, v in TINY.items())
    args = ["tune", "mha_causal", "--target", "slow", "--shape", shape]
    args += ["--trials", "4", "--storage", db, "--workers", "2", "--inputs", str(path)]
    result = CliRunner().invoke(app, [*args, "--timeout", "2", "--no-model"])
    assert result.exit_code == 0, result.output
    (name,) = optuna.get_all_study_names(db)
    study = optuna.load_study(study_name=name, storage=db)
    assert "sha256" in study.user_attrs["inputs"]
    # the spawned worker measured too: it was given the inputs (without them it is refused)
    assert len({t.user_attrs["worker"] for t in measured_trials(study)}) == 2
