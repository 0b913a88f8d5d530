"""``bench/collect_cpu.py``: a short sweep writes self-describing rows to this machine's
file, a rerun resumes (measures nothing twice), stale rows are measured again."""

from __future__ import annotations

import pytest
from _bench import bench_module

from attncc.cost_models import dataset as D


@pytest.fixture(scope="module")
def collect():
    return bench_module("collect_cpu")


def test_sweep_rows_resume_and_staleness(collect, tmp_path, capsys):
    out = tmp_path / "m.jsonl.gz"
    argv = ["--per-group", "1", "--groups", "mha", "--runs", "1", "--out", str(out)]
    collect.main(argv)
    rows = D.load_rows(out)
    assert len(rows) == 4  # mha at two shapes × (the default + one drawn config)
    assert sum(r["is_default"] for r in rows) == 2
    for r in rows:
        assert r["schema"] == D.SCHEMA and r["code_version"] == D.code_version()
        hw = r["hardware"]
        assert {"cpu", "mcpu", "isa", "lanes", "caches", "cores", "embedding"} <= set(hw)
        assert {"cpu_id", "host_mcpu"} <= set(hw)
        assert r["error"] is None and len(r["blocks"]) == len(r["blocks_again"]) == 1
        assert r["seconds"] == min(r["blocks"] + r["blocks_again"]) > 0  # two timings, the lower
        assert r["build"]["build_s"] >= 0 and len(r["kernel_hash"]) == 16
        program = D.to_records([r])[0].candidate.program  # the text says everything
        assert program.name == "mha"
    collect.main(argv)
    assert len(D.load_rows(out)) == 4, "a rerun measured again what was there"
    # rows of older kernels are measured again, the fresh ones are not
    stale = [{**r, "code_version": "0" * 16} for r in rows]
    out.unlink()
    D.append_rows(out, stale[:2] + rows[2:])
    collect.main(argv)
    again = D.load_rows(out)
    assert len(again) == 6 and sum(not D.is_stale(r) for r in again) == 4
    assert "0 configs to measure" in capsys.readouterr().out


def test_add_machine_plans_both_vector_widths_on_an_avx512_host():
    """One command measures what a session must add: every core and one thread, for the
    host's ISA and (on AVX-512) AVX2 builds of the host's vendor, in shares of one budget;
    the AVX2 subspaces vary ``k_layout`` too."""
    add_machine = bench_module("add_machine")
    amd = add_machine.plan(True, "AuthenticAMD 25-17")
    assert len(amd) == 8 and sum(s.share for s in amd) == pytest.approx(1.0)
    avx2 = [s for s in amd if "ATTNCC_CPU" in s.env]
    assert len(avx2) == 4 and {s.env["ATTNCC_CPU"] for s in avx2} == {"znver3"}
    assert {s.env.get("TVM_NUM_THREADS") for s in amd} == {None, "1"}
    assert [s.args[-1] for s in amd if s.args[0] == "tuning.py"] == [
        "bq,rb,rbv,bk",
        "bq,rb,rbv,bk,k_layout",
    ]
    intel = add_machine.plan(True, "GenuineIntel 6-143")
    assert {s.env["ATTNCC_CPU"] for s in intel if "ATTNCC_CPU" in s.env} == {"skylake"}
    only_avx2 = add_machine.plan(False, "AuthenticAMD 25-33")
    assert len(only_avx2) == 4 and not any("ATTNCC_CPU" in s.env for s in only_avx2)
    assert only_avx2[0].args[-1] == "bq,rb,rbv,bk,k_layout"
    # the fixed work (subspaces) first, the third timing last, for each build
    assert [s.args[0] for s in amd[0::4]] == ["tuning.py", "tuning.py"]
    assert [s.args[0] for s in amd[3::4]] == ["remeasure.py", "remeasure.py"]
