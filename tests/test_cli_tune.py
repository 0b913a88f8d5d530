"""``attncc tune``, ``show`` and ``worker``: thin commands over attncc.search; errors are one
readable line, never a traceback."""

from __future__ import annotations

import optuna
import pytest
from typer.testing import CliRunner

from attncc.cli import app
from attncc.search.database import best_trial
from attncc.search.database import measured_trials
from attncc.search.progress import format_seconds
from attncc.search.space import config_key
from tests.search import fakes  # noqa: F401 -- registers the fake targets the tests tune

runner = CliRunner()
FAKE = "fake"  # registered by tests.search.fakes
SHAPE = "b=1,h=2,p=8,m=8,e=4,f=4"
QUICK = ["--timeout", "2", "--no-model"]


def tune(*args: str):
    return runner.invoke(app, ["tune", "mha_causal", "--target", FAKE, "--shape", SHAPE, *args])


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def only_study(db: str) -> optuna.Study:
    (name,) = optuna.get_all_study_names(db)
    return optuna.load_study(study_name=name, storage=db)


def test_tune_prints_the_best_and_show_lists_it(db):
    result = tune("--trials", "4", "--storage", db, *QUICK)
    assert result.exit_code == 0, result.output
    study = only_study(db)
    best = best_trial(study)
    config = ",".join(f"{k}={v}" for k, v in best.params.items())
    assert f"config {config}" in result.output and "4 measured" in result.output
    assert len(measured_trials(study)) == 4
    # a second run with the same budget resumes: nothing new is measured
    again = tune("--trials", "4", "--storage", db, *QUICK)
    assert again.exit_code == 0 and len(measured_trials(only_study(db))) == 4
    shown = runner.invoke(app, ["show", "--storage", db], env={"COLUMNS": "300"})
    assert shown.exit_code == 0, shown.output
    assert study.study_name in shown.output and config in shown.output


def test_worker_joins_a_study_and_extends_it(db):
    assert tune("--trials", "2", "--storage", db, *QUICK).exit_code == 0
    name = only_study(db).study_name
    args = ["worker", "--storage", db, "--study", name, "--trials", "4", "--timeout", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    study = only_study(db)
    assert len(measured_trials(study)) == 4
    assert best_trial(study).value == min(t.value for t in study.trials if t.value is not None)


def test_workers_share_one_study(db):
    slow = "slow"  # trials long enough for the helper to join
    args = ["tune", "mha_causal", "--target", slow, "--shape", SHAPE, "--trials", "4"]
    result = runner.invoke(app, [*args, "--storage", db, "--workers", "2", *QUICK])
    assert result.exit_code == 0, result.output
    study = only_study(db)
    measured = measured_trials(study)
    assert 4 <= len(measured) <= 5
    assert len({config_key(t.params) for t in measured}) == len(measured)
    assert len({t.user_attrs["worker"] for t in measured}) == 2
    best = best_trial(study)
    assert best.value == min(t.value for t in measured if t.value is not None)
    assert f"best: {format_seconds(best.value)}" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--storage", "nosuchdialect://x"], "tuning storage nosuchdialect://x failed"),
        (["--storage", "sqlite:////no/such/dir/x.db"], "tuning storage"),
        (["--shape", "b=1,h=two"], "extent of rank h must be an integer"),
        (["--shape", "b=1"], "needs every rank's extent; missing"),
        (["--target", "tpu"], "unknown target 'tpu'"),
        (["--workers", "0"], "--workers must be at least 1"),
    ],
)
def test_bad_input_is_one_error_line(args, message, tmp_path):
    base = ["tune", "mha_causal", "--target", FAKE, "--shape", SHAPE, "--trials", "1"]
    base += ["--storage", f"sqlite:///{tmp_path / 'x.db'}"]
    result = runner.invoke(app, base + args)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: mha_causal: ") and message in result.output
    assert "Traceback" not in result.output


def test_an_invalid_program_and_a_missing_study_are_errors(tmp_path, db):
    bad = tmp_path / "bad.attn"
    bad.write_text("program bad\ninput Q[p, e] : f32\nS[p] = sum(e) Q[p, x]\noutput S\n")
    result = runner.invoke(app, ["tune", str(bad), "--shape", "p=4,e=4", "--storage", db])
    assert result.exit_code == 1 and "error: " in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["worker", "--storage", db, "--study", "nope"])
    assert result.exit_code == 1 and "no study 'nope'" in result.output
    result = runner.invoke(app, ["show", "--storage", "nosuchdialect://x"])
    assert result.exit_code == 1 and "error: tuning storage" in result.output


GQA_SHAPE = "b=1,h=2,g=1,p=8,m=8,e=4,f=4"


def test_tune_measures_at_the_params_given_and_show_lists_them(db):
    args = ["tune", "gqa_window_softcap", "--target", FAKE, "--shape", GQA_SHAPE]
    args += ["--param", "W=2", "--param", "cap=30", "--trials", "2", "--storage", db, *QUICK]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    study = only_study(db)
    assert study.user_attrs["params"] == {"cap": 30.0, "W": 2}
    assert study.study_name.endswith("-cap=30.0,W=2") and study.study_name in result.output
    shown = runner.invoke(app, ["show", "--storage", db])
    assert shown.exit_code == 0, shown.output
    assert "cap=30.0,W=2" in shown.output
    # a worker joins at the study's params, not the declared defaults
    name = study.study_name
    joined = runner.invoke(app, ["worker", "--storage", db, "--study", name, "--trials", "3"])
    assert joined.exit_code == 0, joined.output
    assert len(measured_trials(only_study(db))) == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (["--param", "window=2"], "has no param 'window'; its params are cap : f32, W : i32"),
        (["--param", "W=abc"], "W is i32, so its value must be an integer, e.g. W=256"),
        (["--param", "W=2.5"], "W is i32, so its value must be an integer"),
        (["--param", "cap=big"], "cap is f32, so its value must be a number"),
        (["--param", "W"], "--param takes NAME=VALUE, got 'W'"),
        (["--param", "W=99999999999"], "outside"),
        (["--target-option", "lanes"], "--target-option takes KEY=VALUE"),
        (["--target-option", "lanes=2"], "target fake has no option 'lanes'; it takes no options"),
        (["--target", "tests.search.fakes:FakeTarget"], "never by an import path"),
    ],
)
def test_bad_params_and_target_options_are_one_error_line(args, message, tmp_path):
    base = ["tune", "gqa_window_softcap", "--target", FAKE, "--shape", GQA_SHAPE]
    base += ["--trials", "1", "--storage", f"sqlite:///{tmp_path / 'x.db'}"]
    result = runner.invoke(app, base + args)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: gqa_window_softcap: "), result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_output_is_not_wrapped_at_a_long_path(tmp_path):
    """A fresh clone at a long path: the storage path makes the summary line longer than
    any terminal; output that is not a terminal keeps it on one line."""
    deep = tmp_path.joinpath(*(["a-directory-with-a-rather-long-name"] * 6))
    deep.mkdir(parents=True)
    db = f"sqlite:///{deep / 'tuning.db'}"
    result = tune("--trials", "2", "--storage", db, *QUICK)
    assert result.exit_code == 0, result.output
    study = only_study(db)
    line = f"study {study.study_name} in {db}: 2 measured"
    assert any(row.startswith(line) for row in result.output.splitlines()), result.output
    progress = [row for row in result.output.splitlines() if row.startswith("tuning")]
    assert progress and "2/2" in progress[-1]
    shown = runner.invoke(app, ["show", "--storage", db])  # no COLUMNS: nothing folds
    assert shown.exit_code == 0 and study.study_name in shown.output


def test_the_summary_counts_skipped_proposals_apart_from_measurements(capsys):
    """An infeasible or duplicate proposal spent no measurement: "8 measured (8 ok)", then
    the skipped ones, never "8 measured (1 infeasible, 8 ok)"."""
    from attncc.cli_tune import _print_best
    from attncc.search.options import TuneResult

    result = TuneResult("s", "sqlite:///x.db", {"bq": 32}, 1e-3, 1, 8, {"ok": 8, "infeasible": 1})
    _print_best(result)
    out = " ".join(capsys.readouterr().out.split())
    assert "8 measured (8 ok); skipped unmeasured: 1 infeasible" in out
