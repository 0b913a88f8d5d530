"""The CUDA target imports its generated Triton modules only from checked private copies:
Python planted in the cache (with a record that matches it, or as bytecode beside the
module) never runs, and a module file others could replace is refused."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

if "triton" not in sys.modules:
    os.environ["TRITON_INTERPRET"] = "1"

import pytest

import attncc
from attncc.errors import AttnccError
from attncc.targets import get_target
from attncc.targets.cuda.launch import load_module
from tests.cache_attacks import evil_python
from tests.cache_attacks import plant
from tests.cache_attacks import plant_key

SHAPES = {"b": 1, "h": 2, "g": 1, "p": 3, "m": 5, "e": 4, "f": 4}


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("ATTNCC_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ATTNCC_CACHE_DIR", str(tmp_path_factory.mktemp("first-build")))
        return attncc.compile(attncc.variants.mqa(), "cuda", shapes=SHAPES).artifact.source


def _kernels(source) -> list[str]:
    return [x["kernel"] for x in source.meta["launch"]["launches"]]


def test_python_planted_in_the_cache_does_not_run(root, source, tmp_path):
    import triton

    from attncc.targets.base import stable_hash

    target = get_target("cuda")
    target.build(source)
    marker = tmp_path / "planted-ran"
    plant(root, evil_python(marker))  # whatever the build left there
    key = stable_hash("cuda", source.text, triton.__version__)  # the attacker can compute it
    plant_key(root, key, ".py", evil_python(marker))
    handle = target.build(source).handle
    module = handle.module(interpret=True)
    assert not marker.exists(), "Python planted in the cache ran"
    assert all(hasattr(module, k) for k in _kernels(source))


def test_bytecode_beside_the_module_does_not_run(root, source, tmp_path):
    artifact = get_target("cuda").build(source)
    path = Path(artifact.path)
    marker = tmp_path / "bytecode-ran"
    code = compile(evil_python(marker), str(path), "exec")
    st = path.stat()
    pyc = Path(importlib.util.cache_from_source(str(path)))
    pyc.parent.mkdir(exist_ok=True)
    stamp = importlib._bootstrap_external._code_to_timestamp_pyc  # the format import checks
    pyc.write_bytes(stamp(code, st.st_mtime, st.st_size))
    module = artifact.handle.module(interpret=True)
    assert not marker.exists(), "bytecode planted beside the module ran"
    assert all(hasattr(module, k) for k in _kernels(source))


def test_the_module_is_imported_from_a_private_copy(root, source):
    path = Path(get_target("cuda").build(source).path)
    assert root.resolve() not in path.resolve().parents
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_the_module_runs_the_checked_source_even_if_the_file_changes_later(root, source):
    """Triton reads a kernel's source through ``inspect``: it must see the bytes that were
    executed, not the file as it is when the kernel is first called."""
    import inspect

    handle = get_target("cuda").build(source).handle
    module = handle.module(interpret=True)
    name = _kernels(source)[0]
    Path(handle.path).chmod(0o600)
    Path(handle.path).write_text("# replaced\n")
    assert f"def {name}" in inspect.getsource(getattr(module, name).fn)


def test_load_module_refuses_a_file_others_can_replace(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    marker = tmp_path / "shared-ran"
    (shared / "kernel.py").write_bytes(evil_python(marker))
    with pytest.raises(AttnccError, match="writable by others"):
        load_module(shared / "kernel.py", interpret=True)
    assert not marker.exists()


def test_with_the_cache_off_the_module_is_still_a_private_file(monkeypatch, source):
    monkeypatch.setenv("ATTNCC_CACHE_DIR", "off")
    artifact = get_target("cuda").build(source)
    assert Path(artifact.path).stat().st_mode & 0o777 == 0o600
    assert all(hasattr(artifact.handle.module(interpret=True), k) for k in _kernels(source))
