"""Build metadata read from a CPU kernel's disassembly (the cost model's dataset keeps it)."""

from __future__ import annotations

import shutil

import pytest

import attncc
from attncc.targets.cpu import asm_stats
from attncc.variants import CATALOGUE

EXT = {"b": 1, "h": 2, "p": 64, "m": 64, "e": 64, "f": 64}


@pytest.mark.skipif(
    not (shutil.which("objdump") or shutil.which("llvm-objdump")), reason="no disassembler"
)
def test_fused_kernel_counts():
    kernel = attncc.compile(CATALOGUE["mha_causal"](), "cpu")
    artifact = kernel._artifact(EXT)
    stats = asm_stats.assembly_stats(artifact.path)
    assert set(stats) == {"instructions", "vector", "wide", "fma", "spills", "reloads"}
    assert stats["instructions"] > stats["vector"] >= stats["wide"] >= stats["fma"] > 0
    assert stats["spills"] >= 0 and stats["reloads"] >= 0


def test_unreadable_or_no_disassembler_is_empty(tmp_path, monkeypatch):
    junk = tmp_path / "junk.so"
    junk.write_bytes(b"not an object file")
    assert asm_stats.assembly_stats(str(junk)) == {}
    monkeypatch.setattr(asm_stats.shutil, "which", lambda name: None)
    assert asm_stats.assembly_stats(str(junk)) == {}


def test_spills_and_reloads_are_told_apart(monkeypatch):
    text = "\n".join(
        [
            "  10:\tvmovups %zmm1,0x40(%rsp)",
            "  16:\tvmovups 0x40(%rsp),%zmm2",
            "  1c:\tvfmadd231ps %zmm1,%zmm2,%zmm3",
            "  22:\tmov    %rax,0x8(%rsp)",
            "  27:\tvaddps %ymm0,%ymm1,%ymm2",
            "  2b:\tvmovss %xmm0,(%rdi)",
        ]
    )
    monkeypatch.setattr(asm_stats, "_disassemble", lambda path: text)
    assert asm_stats.assembly_stats("x.so") == {
        "instructions": 6,
        "vector": 5,
        "wide": 4,
        "fma": 1,
        "spills": 1,
        "reloads": 1,
    }
