"""``attncc export``: a thin command over attncc.export; errors are one readable line."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import attncc
from attncc.cli import app
from attncc.cost_models import xgb
from attncc.errors import AttnccError
from attncc.errors import ExportError
from tests.library.conftest import GQA
from tests.library.conftest import SIGMOID
from tests.library.conftest import inputs
from tests.library.conftest import program
from tests.library.conftest import read_manifest

runner = CliRunner()


def export(*args: str):
    return runner.invoke(app, ["export", *args], env={"COLUMNS": "300"})


def test_export_then_load_and_run(tuned_db, tmp_path):
    out = tmp_path / "lib"
    result = export("--storage", tuned_db, "--out", str(out), "--target", "cpu")
    assert result.exit_code == 0, result.output
    assert f"wrote {out}: 2 kernel(s) of 2 program(s)" in result.output
    assert "sigmoid_attention" in result.output and "tuned" in result.output
    lib = attncc.load_library(out)
    for name, shape in (("sigmoid_attention", SIGMOID), ("gqa_causal", {**GQA, "p": 7})):
        args = inputs(shape, seed=5)
        ref = attncc.interpret(program(name), **args)
        np.testing.assert_allclose(lib(name, **args), ref, atol=1e-5)

    again = export("--storage", tuned_db, "--out", str(out))
    assert again.exit_code == 1 and again.output.startswith("error: ")
    assert "already exists" in again.output and "Traceback" not in again.output
    forced = export("--storage", tuned_db, "--out", str(out), "--force", "--program", "gqa_causal")
    assert forced.exit_code == 0, forced.output
    assert list(read_manifest(out)["programs"]) == ["gqa_causal"]


def test_a_program_file_and_shape_with_no_database_export_the_models_pick(tmp_path, monkeypatch):
    try:
        model = xgb.pretrained("cpu")
    except AttnccError:
        pytest.skip("no pre-trained cost model for the cpu target")
    # sure of its pick whatever the shipped calibration says (tests/library/test_library_export
    # runs the unsure path too)
    model.info = {**model.info, "keep_default_margin": -1e9, "keep_default_by_kind": {}}
    monkeypatch.setattr(xgb, "pretrained", lambda target="cpu": model)
    source = tmp_path / "sig.attn"
    source.write_text(program("sigmoid_attention").text)
    out = tmp_path / "lib"
    shape = ",".join(f"{r}={n}" for r, n in SIGMOID.items())
    storage = f"sqlite:///{tmp_path / 'empty.db'}"
    result = export(
        "--storage", storage, "--out", str(out), "--program", str(source), "--shape", shape
    )
    if result.exit_code == 1 and "no cost model" in result.output:
        pytest.skip("no pre-trained cost model for the cpu target")
    assert result.exit_code == 0, result.output
    (kernel,) = read_manifest(out)["programs"]["sigmoid_attention"]["kernels"]
    assert kernel["provenance"] == "model" and "model" in result.output
    args = inputs(SIGMOID, seed=6)
    ref = attncc.interpret(program("sigmoid_attention"), **args)
    lib = attncc.load_library(out)
    np.testing.assert_allclose(lib("sigmoid_attention", **args), ref, atol=1e-5)


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "error: nothing to export from sqlite:///"),
        (["--target", "tpu"], "error: unknown target 'tpu'"),
        (["--shape", "b=1"], "needs programs= (--program)"),
        (["--program", "x", "--shape", "b=two"], "extent of rank b must be an integer"),
    ],
)
def test_bad_input_is_one_error_line(tmp_path, args, message):
    storage = f"sqlite:///{tmp_path / 'empty.db'}"
    result = export("--storage", storage, "--out", str(tmp_path / "lib"), *args)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "lib").exists()


def test_export_prints_the_library_digest_and_how_to_pin_it(tuned_db, tmp_path):
    out = tmp_path / "lib"
    result = export("--storage", tuned_db, "--out", str(out), "--program", "sigmoid_attention")
    assert result.exit_code == 0, result.output
    digest = attncc.load_library(out).sha256
    lines = result.output.splitlines()
    assert f"library digest (sha256): {digest}" in lines
    python = f'  Python: attncc.load_library("{out}", sha256="{digest}")'
    js = f'  JS:     await loadLibrary("{out}/", {{ sha256: "{digest}" }})'
    assert python in lines and js in lines
    # the printed Python line pins this library: it loads, and refuses another digest
    pinned = eval(python.split(": ", 1)[1], {"attncc": attncc})
    assert pinned.sha256 == digest
    with pytest.raises(ExportError, match="not the pinned"):
        attncc.load_library(out, sha256="0" * 64)
