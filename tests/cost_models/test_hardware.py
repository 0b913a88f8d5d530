import json

import pytest

from attncc.cost_models import hardware


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTNCC_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(hardware, "_memo", {})
    return tmp_path


def fake(calls):
    def measure():
        calls.append(1)
        return {p: float(i) for i, p in enumerate(hardware.PROBES)}

    return measure


def test_embedding_is_cached_per_machine(cache, monkeypatch):
    calls = []
    emb = hardware.embedding(measure_fn=fake(calls))
    assert list(emb) == list(hardware.PROBES) and len(calls) == 1
    files = list((cache / "hardware").glob("*.json"))
    assert len(files) == 1 and json.loads(files[0].read_text())["embedding"] == emb
    assert hardware.embedding(measure_fn=fake(calls)) == emb and len(calls) == 1  # memo
    monkeypatch.setattr(hardware, "_memo", {})
    assert hardware.embedding(measure_fn=fake(calls)) == emb and len(calls) == 1  # disk
    hardware.embedding(refresh=True, measure_fn=fake(calls))
    assert len(calls) == 2
    # another machine (fingerprint) misses the cache
    fp = hardware.fingerprint()
    monkeypatch.setattr(hardware, "fingerprint", lambda: {**fp, "cpu": "other"})
    hardware.embedding(measure_fn=fake(calls))
    assert len(calls) == 3


def test_embedding_vector_order_and_missing():
    vec = hardware.embedding_vector({"embedding": {"fma": 1.0}})
    assert len(vec) == len(hardware.PROBES) and vec[0] == 1.0
    assert all(v != v for v in vec[1:])  # NaN


def test_cache_sizes_from_sysfs(tmp_path):
    for i, (level, kind, size) in enumerate(
        [(1, "Data", "48K"), (1, "Instruction", "32K"), (2, "Unified", "2048K")]
    ):
        d = tmp_path / f"index{i}"
        d.mkdir()
        (d / "level").write_text(f"{level}\n")
        (d / "type").write_text(f"{kind}\n")
        (d / "size").write_text(f"{size}\n")
    sizes = hardware.cache_sizes(str(tmp_path))
    assert sizes["l1d"] == 48 << 10 and sizes["l2"] == 2 << 20 and sizes["l3"] == 32 << 20
    assert hardware.cache_sizes(str(tmp_path / "absent"))["l1d"] == 32 << 10


def test_probe_measures_one_probe(cache):
    # one real probe (the cheap launch kernel): a finite log2 nanoseconds
    out = hardware.measure(("launch",))
    assert set(out) == {"launch"} and -10 < out["launch"] < 30
