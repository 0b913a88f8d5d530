"""``attncc show --plot``: a study drawn to PNG / SVG / HTML from what the database holds,
and the same database served by optuna-dashboard's own API."""

from __future__ import annotations

import io
import json

import optuna
import pytest
from typer.testing import CliRunner

from attncc.cli import app
from attncc.errors import ArgumentError
from attncc.search.plot import plot_study
from attncc.search.tuner import Tuner
from tests.search.conftest import fast
from tests.search.fakes import OracleModel

pytest.importorskip("matplotlib")


@pytest.fixture
def tuned(problem, storage):
    result = Tuner(problem, storage, fast(trials=8, polish=0.0), cost_model=OracleModel()).run()
    return storage, result


def test_plot_png_svg_html(tuned, tmp_path):
    storage, result = tuned
    png = plot_study(storage, tmp_path / "s.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    svg = plot_study(storage, tmp_path / "s.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    page = plot_study(storage, tmp_path / "s.html").read_text()
    assert page.startswith("<!doctype html>") and "<svg" in page and "<?xml" not in page
    # every successful trial is a row, with its source and the model's score
    study = optuna.load_study(study_name=optuna.get_all_study_names(storage)[0], storage=storage)
    ok = [t for t in study.trials if t.user_attrs.get("status") == "ok"]
    assert page.count("<tr><td>") == len(ok) == result.measured
    assert "default" in page and "model" in page
    best = min(t.value for t in ok)
    assert f"best {best * 1e3:.4f} ms" in page


def test_plot_errors(tuned, tmp_path, problem):
    storage, _ = tuned
    with pytest.raises(ArgumentError, match=r"\.png, \.svg, \.html"):
        plot_study(storage, tmp_path / "s.pdf")
    with pytest.raises(ArgumentError, match="no study 'nope'"):
        plot_study(storage, tmp_path / "s.png", "nope")
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    optuna.create_study(storage=empty, study_name="not-attncc")
    with pytest.raises(ArgumentError, match="no tuning studies"):
        plot_study(empty, tmp_path / "s.png")


def test_cli_show_plot(tuned, tmp_path):
    storage, _ = tuned
    out = tmp_path / "study.html"
    result = CliRunner().invoke(app, ["show", "--storage", storage, "--plot", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and out.read_text().startswith("<!doctype html>")
    bad = CliRunner().invoke(app, ["show", "--storage", storage, "--plot", "x.gif"])
    assert bad.exit_code != 0 and ".png, .svg, .html" in bad.output


def _get(app, path: str):
    """One GET through a WSGI app: (status code, body)."""
    path, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    status = []
    body = b"".join(app(env, lambda s, h, *a: status.append(s)))
    return int(status[0].split()[0]), body


def test_database_opens_in_optuna_dashboard(tuned):
    dashboard = pytest.importorskip("optuna_dashboard")
    storage, result = tuned
    app = dashboard.wsgi(storage)
    code, body = _get(app, "/api/studies")
    assert code == 200, body[:500]
    (summary,) = json.loads(body)["study_summaries"]
    code, body = _get(app, f"/api/studies/{summary['study_id']}")
    assert code == 200, body[:500]
    detail = json.loads(body)
    complete = [t for t in detail["trials"] if t["state"] == "Complete"]
    study = optuna.load_study(study_name=summary["study_name"], storage=storage)
    assert len(complete) == len(study.get_trials(states=[optuna.trial.TrialState.COMPLETE]))
    assert len(detail["trials"]) == len(study.trials)
    assert min(t["values"][0] for t in complete) == pytest.approx(result.seconds)
    assert {p["name"] for p in complete[0]["params"]} == {"tile", "order"}
    code, body = _get(app, f"/csv/{summary['study_id']}")
    assert code == 200 and body.count(b"\n") >= len(detail["trials"])
