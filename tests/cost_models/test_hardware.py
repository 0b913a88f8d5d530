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


def test_cpu_id_tells_cpus_with_one_model_name_apart(tmp_path):
    """A virtual machine may name Zen 3, 4 and 5 all "AMD EPYC": family and model differ."""
    zen3, zen4 = tmp_path / "zen3", tmp_path / "zen4"
    block = "processor\t: {n}\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: {m}\n"
    block += "model name\t: AMD EPYC\n\n"
    zen3.write_text(block.format(n=0, m=1) + block.format(n=1, m=99))
    zen4.write_text(block.format(n=0, m=17))
    assert hardware._cpu_id(str(zen3)) == "AuthenticAMD 25-1"  # the first processor's
    assert hardware._cpu_id(str(zen4)) == "AuthenticAMD 25-17"
    arm = tmp_path / "arm"
    arm.write_text("processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd0c\n\n")
    assert hardware._cpu_id(str(arm)) == "arm 0x41-0xd0c"
    assert hardware._cpu_id(str(tmp_path / "absent")) == ""


def test_host_hardware_names_the_host_cpu_and_the_build_cpu(monkeypatch):
    """An AVX2 build on an AVX-512 host keeps the host in ``host_mcpu`` and ``cpu_id``."""
    from attncc.cost_models.dataset import machine_key
    from attncc.targets.cpu.host import host_cpu

    native = hardware.host_hardware(measure_embedding=False)
    monkeypatch.setenv("ATTNCC_CPU", "znver3")
    narrowed = hardware.host_hardware(measure_embedding=False)
    assert narrowed["mcpu"] == "znver3" and narrowed["isa"] == "avx2"
    assert narrowed["host_mcpu"] == native["host_mcpu"] == host_cpu()
    assert narrowed["cpu_id"] == native["cpu_id"] == hardware._cpu_id()
    if native["cpu_id"]:
        assert f"[{native['cpu_id']}]" in machine_key(narrowed)
