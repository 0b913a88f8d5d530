"""The command line: reports, readable errors, the catalogue and the demo."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attncc.cli import app
from attncc.ir.builder import ProgramBuilder
from attncc.ir.builder import exp
from attncc.ir.builder import sqrt
from attncc.ir.builder import tanh
from attncc.ir.nodes import Program
from attncc.variants import CATALOGUE

runner = CliRunner()

MALFORMED = """\
program broken
input Q[p, e] : f32
input K[m, e] : f32

S[p, m] = sum(e) Q[p, e] * K[m, e
output S
"""

INVALID = """\
program invalid
input Q[p, e] : f32
input K[m, e] : f32

S[p, m] = sum(e) Q[p, e] * K[m, x]
output S
"""


def gqa_program() -> Program:
    pb = ProgramBuilder("gqa_window_softcap", doc="GQA with a sliding window and soft-capping")
    Q, K, V = pb.input("Q", "b h p e"), pb.input("K", "b g m e"), pb.input("V", "b g m f")
    cap, W = pb.param("cap", "f32", 50.0), pb.param("W", "i32", 4096)
    b, h, p, m, e, f, g = pb.ranks("b h p m e f g")
    G, scale = pb.let("G", h / g), pb.let("scale", 1 / sqrt(e))
    S = pb.sum("S", "b h p m", Q[b, h, p, e] * K[b, h / G, m, e] * scale, over="e")
    T = pb.stmt("T", "b h p m", cap * tanh(S[b, h, p, m] / cap), where=(p >= m) & (p - m < W))
    MX = pb.max("MX", "b h p", T[b, h, p, m], over="m")
    E = pb.stmt("E", "b h p m", exp(T[b, h, p, m] - MX[b, h, p]))
    L = pb.sum("L", "b h p", E[b, h, p, m], over="m")
    O = pb.sum("O", "b h p f", E[b, h, p, m] * V[b, h / G, m, f] / L[b, h, p], over="m")
    pb.output(O)
    return pb.build()


@pytest.fixture
def program_file(tmp_path: Path) -> Path:
    path = tmp_path / "gqa.attn"
    path.write_text(gqa_program().text)
    return path


@pytest.fixture
def malformed_file(tmp_path: Path) -> Path:
    path = tmp_path / "broken.attn"
    path.write_text(MALFORMED)
    return path


# ----------------------------------------------------------------------------- check


def test_check_prints_the_report(program_file: Path) -> None:
    result = runner.invoke(app, ["check", str(program_file)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for needle in [
        "program gqa_window_softcap",
        "ranks",
        "K dim 2, V dim 2",
        "intermediate",
        "S[b, h, p, m] = sum(e) Q[b, h, p, e] * K[b, h / G, m, e] * scale",
        "order: Q -> K -> V -> S -> T -> MX -> E -> L -> O",
        "m: 3 passes",
        "e: 1 pass",
        "inlinable into their readers: T, E",
    ]:
        assert needle in result.stdout, needle


def test_check_quiet_prints_a_summary(program_file: Path, malformed_file: Path) -> None:
    result = runner.invoke(app, ["check", "-q", str(program_file), str(malformed_file)])
    assert result.exit_code == 1
    assert "gqa_window_softcap" in result.stdout and "e:1, m:3" in result.stdout
    assert "ranks" not in result.stdout
    assert "1 of 2 programs failed" in result.stderr


def test_check_reads_standard_input() -> None:
    result = runner.invoke(app, ["check", "-q", "-"], input=gqa_program().text)
    assert result.exit_code == 0, result.output
    assert "e:1, m:3" in result.stdout


def test_malformed_file_is_one_line_and_a_caret(malformed_file: Path) -> None:
    result = runner.invoke(app, ["check", str(malformed_file)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"error: {malformed_file}:5:34: expected ',' or ']'")
    assert lines[1] == "   5 | S[p, m] = sum(e) Q[p, e] * K[m, e"
    assert lines[2].strip() == "^"
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_validation_error_names_the_statement(tmp_path: Path) -> None:
    path = tmp_path / "invalid.attn"
    path.write_text(INVALID)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"error: {path}:5:33: unknown name x")
    assert "in statement: S[p, m] = sum(e) Q[p, e] * K[m, x]" in result.stderr
    assert lines[-1].strip() == "^"


def test_debug_shows_the_traceback(malformed_file: Path) -> None:
    for args in (
        ["check", "--debug", str(malformed_file)],
        ["--debug", "check", str(malformed_file)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 1
        assert "Traceback (most recent call last)" in result.stderr
        assert "ParseError" in result.stderr
        assert result.stderr.splitlines()[-3].startswith("error: ")


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    """Files a careless or hostile user passes where a program or inputs are expected."""
    import numpy as np

    latin1 = tmp_path / "latin1.attn"
    latin1.write_bytes("# café\nprogram x\n".encode("latin-1"))
    folder = tmp_path / "folder.attn"
    folder.mkdir()
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, Q=np.array([object()], dtype=object))
    text = tmp_path / "text.npz"
    text.write_text("Q = [1, 2, 3]\n")
    return {"latin1": latin1, "folder": folder, "pickled": pickled, "text": text}


SHAPE = "b=1,h=2,p=8,m=8,e=4,f=4"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["check", "{latin1}"], "it is not UTF-8 text (byte 0xe9 at offset 5)"),
        (["check", "{folder}"], "it is a directory"),
        (["lower", "{latin1}"], "it is not UTF-8 text"),
        (["lower", "{folder}", "--space"], "it is a directory"),
        (["tune", "{latin1}", "--shape", "p=1"], "it is not UTF-8 text"),
        (["tune", "mha_causal", "--shape", SHAPE, "--inputs", "{pickled}"], "object arrays"),
        (["tune", "mha_causal", "--shape", SHAPE, "--inputs", "{text}"], "not an .npz file"),
        (["tune", "mha_causal", "--shape", SHAPE, "--inputs", "{folder}"], "is a directory"),
        (["tune", "mha_causal", "--shape", SHAPE, "--inputs", "{folder}/no.npz"], "No such"),
        (["worker", "--storage", "{db}", "--study", "s", "--inputs", "{text}"], "not an .npz"),
        (["export", "--out", "{out}", "--program", "{latin1}", "--shape", "p=1"], "not UTF-8"),
        (["demo", "--kv-heads", "0"], "--kv-heads must be at least 1, got 0"),
        (["demo", "--heads", "6", "--kv-heads", "4"], "--heads 6 is not a multiple of"),
        (["demo", "--seq", "0"], "--seq must be at least 1"),
        (["demo", "--window", "0"], "--window must be at least 1"),
        (["demo", "--cap", "nan"], "--cap must be a finite number > 0, got nan"),
    ],
)
def test_bad_files_and_arguments_are_one_line_errors(args, fragment, bad_files, tmp_path) -> None:
    paths = {k: str(v) for k, v in bad_files.items()}
    paths.update(db=f"sqlite:///{tmp_path / 'x.db'}", out=str(tmp_path / "lib"))
    result = runner.invoke(app, [a.format(**paths) for a in args])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert fragment in result.stderr and "Traceback" not in result.output
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert result.stdout == ""  # nothing ran before the error


def test_stdin_that_is_not_utf8_and_debug_tracebacks(bad_files) -> None:
    result = runner.invoke(app, ["check", "-"], input=bad_files["latin1"].read_bytes())
    assert result.exit_code == 1
    assert result.stderr.startswith("error: <stdin>: cannot read standard input: it is not UTF-8")
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["--debug", "check", str(bad_files["latin1"])])
    assert result.exit_code == 1 and "Traceback (most recent call last)" in result.stderr
    assert "ArgumentError" in result.stderr and "not UTF-8" in result.stderr.splitlines()[-1]


def test_missing_file_and_no_arguments(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "nope.attn")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {tmp_path / 'nope.attn'}: cannot read")
    assert runner.invoke(app, ["check"]).exit_code == 2


def _attncc() -> list[str]:
    script = shutil.which("attncc")
    return [script] if script else [sys.executable, "-m", "attncc.cli"]


def test_subprocess_check(program_file: Path, malformed_file: Path) -> None:
    ok = subprocess.run(
        [*_attncc(), "check", str(program_file)], capture_output=True, text=True, timeout=120
    )
    assert ok.returncode == 0, ok.stderr
    assert "m: 3 passes" in ok.stdout and ok.stderr == ""
    bad = subprocess.run(
        [*_attncc(), "check", str(malformed_file)], capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 1 and bad.stdout == ""
    first, *rest = bad.stderr.splitlines()
    assert first.startswith("error: ") and ":5:34: " in first
    assert "\x1b[" not in bad.stderr  # no colour codes when not a terminal
    assert rest[-1].strip() == "^" and "Traceback" not in bad.stderr


# ----------------------------------------------------------------------------- catalogue


def test_check_catalogue() -> None:
    result = runner.invoke(app, ["check", "--catalogue", "-q"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in CATALOGUE:
        assert name in result.stdout
    result = runner.invoke(app, ["check", "--catalogue"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output


def test_variants_list_and_print_round_trip(tmp_path: Path) -> None:
    listing = runner.invoke(app, ["variants"], env={"COLUMNS": "200"})
    assert listing.exit_code == 0, listing.output
    assert all(name in listing.stdout for name in CATALOGUE)
    paths = []
    for name, build in CATALOGUE.items():  # `attncc variants NAME > x.attn && attncc check x.attn`
        text = runner.invoke(app, ["variants", name])
        assert text.exit_code == 0 and text.stdout == build().text
        paths.append(tmp_path / f"{name}.attn")
        paths[-1].write_text(text.stdout)
    checked = runner.invoke(app, ["check", "-q", *map(str, paths)], env={"COLUMNS": "200"})
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.count(" ok") == len(CATALOGUE)


def test_unknown_variant() -> None:
    result = runner.invoke(app, ["variants", "gqa_windw_softcap"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unknown variant 'gqa_windw_softcap'")
    result = runner.invoke(app, ["check", "--variant", "nope"])
    assert result.exit_code == 1 and "error: variant nope: unknown variant" in result.stderr


# ----------------------------------------------------------------------------- demo


def test_demo_small(tmp_path, monkeypatch) -> None:
    import attncc
    from attncc.search import tuner

    calls = []
    best_config = tuner.best_config

    def spy(program, *args, **kw):
        calls.append((program, kw))
        return best_config(program, *args, **kw)

    monkeypatch.setattr(tuner, "best_config", spy)
    lib = tmp_path / "lib"
    args = ["demo", "--seq", "128", "--window", "32", "--trials", "2", "--library", str(lib)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    # it tunes at the window and cap it times (not the declared W=4096, cap=50), showing
    # each trial as it ends
    (tuned,) = [(p, kw) for p, kw in calls if isinstance(kw.get("tune"), int)]
    assert tuned[1]["params"] == {"W": 32, "cap": 30.0} and tuned[1]["on_trial"] is not None
    assert {p.name: p.default for p in tuned[0].params} == {"cap": 30.0, "W": 32}
    assert "tuning" in result.stdout and "2/2" in result.stdout
    assert "W=32, cap=30.0)" in result.stdout  # the load line calls it as it was tuned
    assert "match" in result.stdout and "MISMATCH" not in result.stdout
    assert "compiled and tuned for cpu" in result.stdout and "PyTorch eager" in result.stdout
    assert "FlexAttention" in result.stdout  # timed, or the reason it could not run
    assert f"exported a kernel library to {lib}: cpu (tuned)" in result.stdout
    assert f'attncc.load_library("{lib}")' in result.stdout
    # the demo's library is a library: it loads and runs, and a second demo replaces it

    kernels = attncc.load_library(lib, target="cpu").kernel("gqa_window_softcap")
    assert kernels is not None
    monkeypatch.setattr(tuner, "best_config", best_config)
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output


@pytest.mark.slow
def test_demo_default_size(tmp_path) -> None:
    """The README's main command, as it is typed (the library lands in the working dir)."""
    result = subprocess.run(
        [*_attncc(), "demo"], capture_output=True, text=True, timeout=420, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "max |attncc - reference|" in result.stdout
    assert (tmp_path / "attncc-demo-library" / "manifest.json").is_file()


# ----------------------------------------------------------------------------- lower


def test_lower_prints_kernel_source_and_space() -> None:
    shape = "b=1,h=4,g=2,p=5,m=7,e=8,f=8"
    result = runner.invoke(
        app, ["lower", "gqa_causal", "--shape", shape, "--config", "lowering=generic"]
    )
    assert result.exit_code == 0, result.output
    assert "@T.prim_func" in result.stdout
    result = runner.invoke(app, ["lower", "gqa_causal", "--shape", shape, "--space"])
    assert result.exit_code == 0 and "lowering" in result.stdout


def test_lower_dump_after_inline_reads_back() -> None:
    from attncc.ir.parser import parse

    result = runner.invoke(app, ["lower", "softcap", "--dump-after", "inline"])
    assert result.exit_code == 0, result.output
    assert [s.out for s in parse(result.stdout).stmts] == ["S", "MX", "L", "O"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["softcap", "--shape", "b=x"], "must be an integer"),
        (["softcap", "--shape", "b"], "expected NAME=VALUE"),
        (["softcap", "--dump-after", "fuse"], "unknown pass 'fuse'"),
        (["softcap", "--target", "tpu"], "unknown target 'tpu'"),
        (["softcap", "--shape", "b=1,h=4,g=2,p=5,m=7,e=8,f=8", "--config", "bq=-1"], "config"),
    ],
)
def test_lower_bad_arguments_are_one_line_errors(args, fragment) -> None:
    result = runner.invoke(app, ["lower", *args])
    assert result.exit_code == 1
    assert fragment in result.stderr and "Traceback" not in result.stderr
