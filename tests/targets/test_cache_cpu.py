"""The CPU target never loads a shared object it did not check: a planted one (with a
record that matches it) is rebuilt, one swapped in between the check and ``dlopen`` is not
the one loaded, and an export copies the bytes that were checked."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import attncc
from attncc import cache
from attncc.errors import AttnccError
from attncc.targets import get_target
from tests.cache_attacks import constructor_so
from tests.cache_attacks import plant

TWICE = """\
program twice
input X[i] : f32
Y[i] = X[i] * 2.0
output Y
"""
SHAPES = {"i": 4}
X = np.arange(4, dtype=np.float32)


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("ATTNCC_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def marker(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "constructor-ran"
    monkeypatch.setenv("ATTNCC_PLANTED_MARKER", str(path))
    return path


def test_a_planted_shared_object_is_not_loaded_by_the_next_compile(root, marker, tmp_path):
    kernel = attncc.compile(TWICE, "cpu", shapes=SHAPES)
    np.testing.assert_array_equal(kernel(X=X), 2 * X)
    assert plant(root, constructor_so(tmp_path))
    # The next compile is another process: this one has the genuine library mapped already.
    code = textwrap.dedent(f"""
        import numpy as np, attncc
        k = attncc.compile({TWICE!r}, "cpu", shapes={SHAPES!r})
        print(k(X=np.arange(4, dtype=np.float32)).tolist())
    """)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=Path.cwd(), timeout=300
    )
    assert not marker.exists(), "the planted constructor ran"
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[0.0, 2.0, 4.0, 6.0]"


def test_a_shared_object_swapped_after_the_check_is_not_loaded(root, marker, tmp_path, monkeypatch):
    import tvm

    evil = constructor_so(tmp_path)
    real_load = tvm.runtime.load_module
    loaded: list[str] = []

    def swap_then_load(path, *args, **kwargs):
        plant(root, evil)  # the attacker wins the race between the check and dlopen
        loaded.append(str(path))
        return real_load(path, *args, **kwargs)

    monkeypatch.setattr(tvm.runtime, "load_module", swap_then_load)
    kernel = attncc.compile(TWICE, "cpu", shapes=SHAPES)
    np.testing.assert_array_equal(kernel(X=X), 2 * X)
    assert loaded, "the build did not go through the cache"
    assert not marker.exists(), "the swapped-in constructor ran"


def test_export_copies_the_checked_bytes_not_the_cache_file(root, tmp_path):
    kernel = attncc.compile(TWICE, "cpu", shapes=SHAPES)
    artifact = kernel.artifact
    good = Path(artifact.path).read_bytes()
    assert plant(root, b"\x7fELF not the kernel")
    out = tmp_path / "lib"
    out.mkdir()
    files = get_target("cpu").save(artifact, out, "twice")
    assert (out / files["library"]).read_bytes() == good


def test_a_cache_others_can_write_is_refused_by_compile(root):
    root.mkdir()
    root.chmod(0o777)
    with pytest.raises(getattr(cache, "CacheError", AttnccError), match="chmod 700") as err:
        attncc.compile(TWICE, "cpu", shapes=SHAPES)
    assert isinstance(err.value, AttnccError)
    assert list(root.iterdir()) == []


def test_with_the_cache_off_the_kernel_is_built_in_memory(monkeypatch):
    monkeypatch.setenv("ATTNCC_CACHE_DIR", "off")
    kernel = attncc.compile(TWICE, "cpu", shapes=SHAPES)
    np.testing.assert_array_equal(kernel(X=X), 2 * X)
    assert kernel.artifact.path is None


def test_built_kernels_are_private_files(root):
    path = Path(attncc.compile(TWICE, "cpu", shapes=SHAPES).artifact.path)
    assert root.resolve() not in path.resolve().parents
    assert os.stat(path).st_mode & 0o777 == 0o600
