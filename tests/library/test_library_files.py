"""What the loader writes and what the targets read from a library:

* the private copies kernels are loaded from are ``0600`` in ``0700`` folders whatever the
  umask (``000`` would leave folders others can write, and a loaded kernel could not be
  saved again: :func:`attncc.cache.read_private` refuses such a file);
* the launch metadata of ``webgpu`` and ``cuda`` kernels is read as bounded JSON
  (:mod:`attncc.jsonsafe`): a hostile file is an ExportError, never a RecursionError.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

import attncc
from attncc.errors import ExportError
from attncc.jsonsafe import read_json_object
from attncc.targets.base import Source
from tests.library.conftest import SIGMOID
from tests.library.conftest import inputs
from tests.library.conftest import program
from tests.library.conftest import read_manifest
from tests.library.conftest import write_manifest


def _nest_files(library: Path, folder: str = "deep/er") -> None:
    """Move every file of ``library`` into ``kernels/<folder>/`` (a library written by
    another exporter may nest its files) and reseal the manifest."""
    data = read_manifest(library)
    (library / "kernels" / folder).mkdir(parents=True)
    for entry in data["programs"].values():
        for k in entry["kernels"]:
            for ref in (k["source"]["text"], *k["files"].values()):
                name = ref["path"].rsplit("/", 1)[-1]
                os.rename(library / "kernels" / name, library / "kernels" / folder / name)
                ref["path"] = f"kernels/{folder}/{name}"
    write_manifest(library, data)


@pytest.mark.parametrize("umask", [0o000, 0o277], ids=["umask000", "umask277"])
def test_private_copies_are_0600_in_0700_whatever_the_umask(library_copy, tmp_path, umask):
    from attncc.targets.cpu import CpuTarget

    _nest_files(library_copy)
    old = os.umask(umask)
    try:
        lib = attncc.load_library(library_copy)
        private = Path(lib._private.name)
        modes = {
            str(p.relative_to(private)): stat.S_IMODE(p.lstat().st_mode)
            for p in (private, *private.rglob("*"))
        }
        assert modes["."] == 0o700
        assert {m for p, m in modes.items() if (private / p).is_dir()} == {0o700}
        assert {m for p, m in modes.items() if (private / p).is_file()} == {0o600}
        assert "kernels/deep/er" in modes
        # a loaded kernel is saved again from the bytes it was loaded from
        again = tmp_path / "again"
        again.mkdir()
        for kernels in lib._kernels.values():
            for i, loaded in enumerate(kernels):
                saved = CpuTarget().save(loaded.artifact, again, f"k{i}")
                original = Path(loaded.artifact.path).read_bytes()
                assert (again / saved["library"]).read_bytes() == original
        args = inputs(SIGMOID, seed=2)
        ref = attncc.interpret(program("sigmoid_attention"), **args)
        np.testing.assert_allclose(lib("sigmoid_attention", **args), ref, atol=1e-5)
    finally:
        os.umask(old)


# ----------------------------------------------------------------------------- launch JSON

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    "text, match",
    [
        (DEEP, "nests lists and objects 100000 deep"),
        ('{"a": 1, "a": 2}', "names the key 'a' twice"),
        ('{"n": 1e999}', "too large for a double"),
        ("[1, 2]", "holds an array, not a JSON object"),
        ('{"kernels": ', "is not valid JSON"),
    ],
)
def test_read_json_object_is_bounded(tmp_path, text, match):
    path = tmp_path / "launch.json"
    path.write_text(text)
    with pytest.raises(ExportError, match=match):
        read_json_object(path, "the launch metadata")


def test_read_json_object_caps_the_file(tmp_path):
    path = tmp_path / "launch.json"
    path.write_text('{"a": "' + "x" * 100 + '"}')
    with pytest.raises(ExportError, match="larger than 64 bytes"):
        read_json_object(path, "the launch metadata", cap=64)
    assert read_json_object(path, "the launch metadata")["a"] == "x" * 100


def _source(target: str) -> Source:
    return Source(target, "wgsl", "// kernel\n", "kern", {}, {"launch": {}})


@pytest.mark.parametrize("target", ["webgpu", "cuda"])
def test_a_hostile_launch_file_is_an_export_error(tmp_path, target):
    launch = tmp_path / "kern.json"
    launch.write_text(DEEP)
    text = tmp_path / "kern.src"
    text.write_text("// kernel\n")
    files = {"wgsl": text, "source": text, "launch": launch}
    with pytest.raises(ExportError, match="the launch metadata of kern nests lists and objects"):
        _target(target).load(_source(target), files)


def _target(name: str):
    if name == "cuda":
        from attncc.targets.cuda import CudaTarget

        return CudaTarget("sm_90")
    from attncc.targets.webgpu import WebGpuTarget

    return WebGpuTarget()
