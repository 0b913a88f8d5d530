"""Studies tuned at param values (``attncc tune --param W=4``) export with those values:
the kernel comes from the study, the manifest records the params in its tuning provenance,
and the library kernel equals the interpreter at those params -- and at any other (params
are run-time scalars). ``attncc export --param`` chooses the studies and the params of
``--shape``; its errors are one line."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
from typer.testing import CliRunner

import attncc
from attncc.cli import app
from attncc.errors import ArgumentError
from attncc.errors import ExportError
from attncc.search.tuner import TuneOptions
from attncc.search.tuner import tune
from tests.library.conftest import GQA
from tests.library.conftest import QUICK
from tests.library.conftest import inputs
from tests.library.conftest import program
from tests.library.conftest import read_manifest

runner = CliRunner()
ONE = TuneOptions(**{**QUICK.__dict__, "trials": 1})
SHAPE = ",".join(f"{r}={n}" for r, n in GQA.items())


@pytest.fixture(scope="module")
def window_db(tmp_path_factory) -> str:
    """sliding_window tuned at W=4 (not its default, 256), one trial, fused lowering."""
    url = f"sqlite:///{tmp_path_factory.mktemp('params') / 'tuning.db'}"
    tune(program("sliding_window"), "cpu", GQA, storage=url, options=ONE, params={"W": 4})
    return url


def export(*args: str):
    return runner.invoke(app, ["export", *args], env={"COLUMNS": "300"})


def test_a_study_tuned_at_a_param_exports_with_it_and_runs_like_the_interpreter(
    window_db, tmp_path
):
    report = attncc.export(tmp_path / "lib", window_db)
    assert report.skipped == ()  # not "tuned on other hardware"
    (row,) = report.kernels
    assert (row.program, row.provenance, row.params) == ("sliding_window", "tuned", {"W": 4})
    (kernel,) = read_manifest(tmp_path / "lib")["programs"]["sliding_window"]["kernels"]
    assert kernel["tuning"]["params"] == {"W": 4}
    assert kernel["tuning"]["study"].endswith("-W=4")

    lib = attncc.load_library(tmp_path / "lib")
    args = inputs(GQA, seed=3)
    for w in (4, 9, 256):  # the tuned value, and others: params are run-time scalars
        ref = attncc.interpret(program("sliding_window"), **args, W=w)
        got = lib("sliding_window", args["Q"], args["K"], args["V"], W=w)
        np.testing.assert_allclose(got, ref, atol=1e-5)
    assert lib.kernel("sliding_window").select(GQA).tuning["params"] == {"W": 4}


def test_param_chooses_the_studies_and_the_params_of_a_requested_shape(
    window_db, tmp_path, monkeypatch
):
    # no cost model: a shape without a study gets the default schedule (fast, nothing ranked)
    from pathlib import Path

    import attncc.cost_models.xgb as xgb

    monkeypatch.setattr(xgb, "pretrained_path", lambda name: Path("/nonexistent/model.json"))
    out = tmp_path / "lib"
    common = ("--storage", window_db, "--program", "sliding_window", "--shape", SHAPE)
    result = export(*common, "--out", str(out), "--param", "W=4")
    assert result.exit_code == 0, result.output
    (kernel,) = read_manifest(out)["programs"]["sliding_window"]["kernels"]
    assert kernel["provenance"] == "tuned" and kernel["tuning"]["params"] == {"W": 4}
    assert "W=4" in result.output

    result = export(*common, "--out", str(out), "--force", "--param", "W=5")
    assert result.exit_code == 0, result.output
    assert "tuned at W=4, not at the params asked for (W=5)" in result.output
    (kernel,) = read_manifest(out)["programs"]["sliding_window"]["kernels"]
    assert kernel["provenance"] == "default" and "params" not in kernel["tuning"]
    (row,) = [line for line in result.output.splitlines() if "default" in line]
    assert "W=5" in row  # the kernel is exported for W=5 (its default schedule: no ranking)
    args = inputs(GQA, seed=4)
    ref = attncc.interpret(program("sliding_window"), **args, W=5)
    np.testing.assert_allclose(
        attncc.load_library(out)("sliding_window", **args, W=5), ref, 0, 1e-5
    )


def test_two_studies_of_one_bucket_give_one_kernel_and_say_so(window_db, tmp_path):
    db = tmp_path / "two.db"  # a copy: the module's database keeps one study
    with sqlite3.connect(window_db.removeprefix("sqlite:///")) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    url = f"sqlite:///{db}"
    tune(program("sliding_window"), "cpu", GQA, storage=url, options=ONE)  # at W=256
    report = attncc.export(tmp_path / "lib", url)
    (row,) = report.kernels
    assert row.params == {"W": 256}  # the study at the declared defaults comes first
    ((study, why),) = report.skipped
    assert study.endswith("-W=4") and "one kernel per target and bucket" in why
    assert "--param NAME=VALUE" in why
    chosen = attncc.export(tmp_path / "w4", url, programs=["sliding_window"], params={"W": 4})
    assert [k.params for k in chosen.kernels] == [{"W": 4}]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--param", "W"], "--param takes NAME=VALUE, got 'W'"),
        (["--param", "w=4"], "has no param 'w' (did you mean W?)"),
        (["--param", "W=four"], "W is i32, so its value must be an integer"),
        (["--param", "W=4", "--param", "W=5"], "--param W is given twice, as 4 and 5"),
    ],
)
def test_bad_params_are_one_error_line(tmp_path, args, message):
    storage = f"sqlite:///{tmp_path / 'empty.db'}"
    out = tmp_path / "lib"
    result = export("--storage", storage, "--out", str(out), "--program", "sliding_window", *args)
    assert result.exit_code == 1, result.output
    first, *_ = result.output.splitlines()
    assert first.startswith("error: ") and message in first, result.output
    assert "Traceback" not in result.output and not out.exists()


def test_params_need_a_program_and_name_a_declared_param(tmp_path):
    storage = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(ExportError, match=r"params= \(--param\) needs programs="):
        attncc.export(tmp_path / "a", storage, params={"W": 4})
    with pytest.raises(ArgumentError, match="none of the programs exported has a param named"):
        attncc.export(
            tmp_path / "b", storage, programs=["sliding_window", "softcap"], params={"X": 1}
        )
    with pytest.raises(ArgumentError, match="W is i32, so its value must be an integer"):
        attncc.export(tmp_path / "c", storage, programs=["sliding_window"], params={"W": 2.5})
