"""The kernel cache rebuilds, never loads, an entry whose bytes changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from attncc import cache


@pytest.fixture
def cache_root(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTNCC_CACHE_DIR", str(tmp_path / "c"))
    return tmp_path / "c"


def _writer(calls: list[str], payload: bytes):
    def write(path: str) -> None:
        calls.append(path)
        Path(path).write_bytes(payload)

    return write


def test_entry_is_written_once_and_reused(cache_root):
    calls: list[str] = []
    first = cache.cached_file("k1", ".so", _writer(calls, b"abc"))
    second = cache.cached_file("k1", ".so", _writer(calls, b"abc"))
    assert first == second == str(cache_root / "k1.so")
    assert len(calls) == 1
    assert Path(first).read_bytes() == b"abc"


def test_tampered_entry_is_rebuilt(cache_root):
    calls: list[str] = []
    path = cache.cached_file("k2", ".so", _writer(calls, b"good"))
    Path(path).write_bytes(b"evil")
    again = cache.cached_file("k2", ".so", _writer(calls, b"good"))
    assert len(calls) == 2
    assert Path(again).read_bytes() == b"good"


def test_corrupt_record_is_rebuilt(cache_root):
    calls: list[str] = []
    cache.cached_file("k3", ".so", _writer(calls, b"x"))
    (cache_root / "k3.json").write_text("{not json")
    cache.cached_file("k3", ".so", _writer(calls, b"x"))
    assert len(calls) == 2


def test_cache_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("ATTNCC_CACHE_DIR", "off")
    assert cache.cache_dir() is None
    assert cache.cached_file("k", ".so", lambda p: None) is None


def test_failed_write_leaves_no_entry(cache_root):
    def broken(path: str) -> None:
        Path(path).write_bytes(b"half")
        raise RuntimeError("compiler crashed")

    with pytest.raises(RuntimeError):
        cache.cached_file("k4", ".so", broken)
    assert not (cache_root / "k4.so").exists()
    assert list(cache_root.iterdir()) == []
