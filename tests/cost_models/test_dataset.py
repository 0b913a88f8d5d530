"""The measurement dataset on disk: gzip members appended and read back, truncated runs
resumed, rows of older kernels marked stale and left out unless asked for."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from _data import rows as legacy_rows

from attncc.cost_models import dataset as D


def fresh(row, **kw):
    return {**row, "schema": D.SCHEMA, "code_version": D.code_version(), **kw}


def test_code_version_is_a_hash_of_the_codegen_source(tmp_path, monkeypatch):
    v = D.code_version()
    assert re.fullmatch(r"[0-9a-f]{16}", v) and D.code_version() == v
    with pytest.raises(ValueError, match="cpu"):
        D.code_version("cuda")
    # a copy of the source tree hashes the same; one changed byte does not
    for part in D._CODEGEN:
        src = D._ROOT / part
        for f in sorted(src.rglob("*.py")) if src.is_dir() else [src]:
            dest = tmp_path / f.relative_to(D._ROOT)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(f.read_bytes())
    monkeypatch.setattr(D, "_ROOT", tmp_path)
    D.code_version.cache_clear()
    try:
        assert D.code_version() == v
        lowering = next((tmp_path / "targets" / "cpu").glob("fused.py"))
        lowering.write_text(lowering.read_text() + "\n# changed\n")
        D.code_version.cache_clear()
        assert D.code_version() != v
    finally:
        monkeypatch.undo()
        D.code_version.cache_clear()


def test_gzip_members_append_and_a_cut_run_keeps_what_was_whole(tmp_path):
    path = tmp_path / "m.jsonl.gz"
    some = [dict(r) for r in legacy_rows()[:5]]
    D.append_rows(path, some[:2])
    D.append_rows(path, some[2:])
    D.append_rows(path, [])
    assert [r["config"] for r in D.load_rows(path)] == [r["config"] for r in some]
    with gzip.open(path, "rt") as fh:  # one valid gzip stream of several members
        assert len(fh.read().splitlines()) == 5
    whole = path.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole + gzip.compress(b'{"a": 1}\n{"b": ')[:-9])  # no trailer
    got = D.load_rows(cut)
    assert len(got) == 6 and got[-1] == {"a": 1}  # whole lines kept, the cut one dropped
    plain = tmp_path / "m.jsonl"
    D.append_rows(plain, some)
    plain.write_text(plain.read_text() + '{"cut": ')
    assert len(D.load_rows(plain)) == 5


def test_stale_rows_are_left_out_unless_asked(tmp_path):
    old = [dict(r) for r in legacy_rows()[:6]]
    hw = {"cpu": "Test CPU", "mcpu": "znver3", "isa": "avx2", "threads": 2}
    rows = [fresh(r, hardware={**r["hardware"], **hw}) for r in old[:4]]
    rows[3]["code_version"] = "0" * 16  # measured with other kernels
    D.append_rows(tmp_path / "a.jsonl.gz", rows)
    D.append_rows(tmp_path / "b.jsonl.gz", old[4:])  # first schema: no version at all
    assert D.is_stale(rows[3]) and D.is_stale(old[4]) and not D.is_stale(rows[0])
    ds = D.load_dataset([tmp_path])
    assert len(ds.records) == 3 and ds.stale == 3
    assert ds.machines == ["Test CPU/znver3/avx2/2"]
    assert ds.variant(0) == rows[0]["program"]
    everything = D.load_dataset([tmp_path], include_stale=True, legacy_hardware={"cpu": "Old"})
    assert len(everything.records) == 6 and everything.stale == 3
    # legacy rows get the missing parts of their machine, never an overwrite of what they say
    legacy = everything.records[-1].candidate.hardware
    assert legacy["cpu"] == "Old" and legacy["mcpu"] == old[4]["hardware"]["mcpu"]
    assert json.dumps(everything.rows[0], sort_keys=True)


def test_an_avx2_build_on_zen4_and_a_zen3_are_two_machines_and_two_cpus():
    """Both call themselves "AMD EPYC" with an LLVM CPU of znver3 and AVX2 at 2 threads; the
    family / model recorded with them keeps them apart (the data of one never resumes or
    stands for the other), and the CPU key groups every build of one CPU."""
    base = {"cpu": "AMD EPYC", "mcpu": "znver3", "isa": "avx2", "threads": 2}
    on_zen4 = {**base, "cpu_id": "AuthenticAMD 25-17", "host_mcpu": "znver4"}
    zen3 = {**base, "cpu_id": "AuthenticAMD 25-1", "host_mcpu": "znver3"}
    native = {**on_zen4, "mcpu": "znver4", "isa": "avx512"}
    assert D.machine_key(on_zen4) != D.machine_key(zen3)
    assert D.machine_key(on_zen4) == "AMD EPYC [AuthenticAMD 25-17]/znver3/avx2/2"
    assert D.cpu_key(on_zen4) == D.cpu_key(native) != D.cpu_key(zen3)
    assert D.machine_key(base) == "AMD EPYC/znver3/avx2/2"  # rows that never said
