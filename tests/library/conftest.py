"""Shared fixtures of the library tests: one small tuning database on the real CPU target
(sigmoid attention and GQA causal), and one library exported from it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tvm")

import attncc
from attncc.errors import ExportError
from attncc.library.manifest import seal
from attncc.search.tuner import TuneOptions
from attncc.search.tuner import tune

#: Small shapes: builds and trials of a few milliseconds.
SIGMOID = dict(b=1, h=2, g=1, p=16, m=16, e=8, f=8)  # fused (weighted sum): p, m symbolic
GQA = dict(b=1, h=2, g=1, p=16, m=16, e=16, f=16)  # fused lowering: p, m symbolic

QUICK = TuneOptions(
    trials=2,
    timeout=10,
    build_timeout=120,
    min_time=0.002,
    repeats=3,
    batch=2,
    heartbeat_interval=1,
    grace_period=3,
)


def program(name: str) -> attncc.Program:
    return attncc.variants.CATALOGUE[name]()


def inputs(shape: dict, seed: int = 0) -> dict[str, np.ndarray]:
    """Q, K, V for the attention programs of these tests at ``shape``."""
    rng = np.random.default_rng(seed)
    b, h, g, p, m, e, f = (shape[r] for r in "bhgpmef")
    return {
        "Q": rng.standard_normal((b, h, p, e), dtype=np.float32),
        "K": rng.standard_normal((b, g, m, e), dtype=np.float32),
        "V": rng.standard_normal((b, g, m, f), dtype=np.float32),
    }


@pytest.fixture(scope="session")
def tuned_db(tmp_path_factory) -> str:
    """A tuning database holding sigmoid_attention (2 trials) and gqa_causal (1 trial)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'tuning.db'}"
    tune(program("sigmoid_attention"), "cpu", SIGMOID, storage=url, options=QUICK, cost_model=None)
    one = TuneOptions(**{**QUICK.__dict__, "trials": 1})
    tune(program("gqa_causal"), "cpu", GQA, storage=url, options=one, cost_model=None)
    return url


@pytest.fixture(scope="session")
def library(tuned_db, tmp_path_factory) -> Path:
    """The library exported from :func:`tuned_db` (read-only: copy it to tamper with it)."""
    out = tmp_path_factory.mktemp("exported") / "lib"
    attncc.export(out, tuned_db)
    return out


@pytest.fixture
def library_copy(library, tmp_path) -> Path:
    """A private copy of :func:`library`, to tamper with."""
    return Path(shutil.copytree(library, tmp_path / "lib"))


@pytest.fixture
def loads(monkeypatch) -> list:
    """Every CpuTarget.load call (a bad library must reach none)."""
    from attncc.targets.cpu import CpuTarget

    calls: list = []
    real = CpuTarget.load

    def spy(self, source, files):
        calls.append(source.entry)
        return real(self, source, files)

    monkeypatch.setattr(CpuTarget, "load", spy)
    return calls


def refused(path: Path, loads: list, match: str, **options) -> ExportError:
    """The ExportError of loading ``path`` (matching ``match``), with no kernel loaded."""
    with pytest.raises(ExportError, match=match) as info:
        attncc.load_library(path, **options)
    assert loads == []
    return info.value


def kernel_entry(data: dict, program: str = "sigmoid_attention") -> dict:
    return data["programs"][program]["kernels"][0]


def read_manifest(path: Path) -> dict:
    return json.loads((path / "manifest.json").read_text())


def write_manifest(path: Path, data: dict, *, sealed: bool = True) -> None:
    """Write ``data`` as the manifest of ``path``. ``sealed``: with every field hash
    recomputed, as an exporter elsewhere would have written it (a library *from* elsewhere);
    ``sealed=False`` leaves the hashes as they were (a library edited by hand)."""
    if sealed:
        seal(data)
    (path / "manifest.json").write_text(json.dumps(data, indent=2))


def run_in_new_process(code: str, **values) -> dict:
    """Run ``code`` in a fresh interpreter with ``values`` bound; it prints one JSON object."""
    prelude = "".join(f"{k} = {v!r}\n" for k, v in values.items())
    script = prelude + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
