"""The CPU target builds for a vector unit, not for one machine: AVX2 code on an AVX-512 host
(``ATTNCC_CPU=znver3``) runs, equals the reference and uses no zmm register; its default
register blocks are sized for AVX2's 16 registers, and blocks that would spill are refused.
For every ISA (cross-compiled: AVX2, AVX-512 on AMD and Intel, NEON on AArch64) the default
kernels' innermost loops reload no vector from the stack."""

from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("tvm")

import attncc
from attncc.errors import UnsupportedError
from attncc.targets.cpu import fused
from attncc.targets.cpu.host import CPU_ENV
from attncc.targets.cpu.host import build_cpu
from attncc.targets.cpu.host import compile_tvmscript
from attncc.targets.cpu.host import host_cpu
from attncc.targets.cpu.host import host_isa_features
from attncc.targets.cpu.host import isa_features
from attncc.targets.cpu.isa import AVX2
from attncc.targets.cpu.isa import AVX512
from attncc.targets.cpu.isa import NEON
from attncc.targets.cpu.isa import SSE
from attncc.targets.cpu.isa import vector_unit
from attncc.variants import CATALOGUE
from tests.targets.asm_loops import LIBM_CALL
from tests.targets.asm_loops import innermost_loops

#: Shapes: GQA causal, a length that leaves partial tiles.
SHAPES = {"b": 1, "h": 4, "g": 2, "p": 77, "m": 77, "e": 64, "f": 64}
#: A vector register saved to or reloaded from the stack (a spill), AT&T syntax.
SPILL = re.compile(r"\bvmov\w*\s+(%[xyz]mm\d+,\s*-?\d*\(%r[sb]p\)|-?\d*\(%r[sb]p\),\s*%[xyz]mm\d+)")


def _runs_here(mcpu: str) -> bool:
    needed = isa_features(mcpu)
    return needed is not None and needed <= host_isa_features()


needs_avx2 = pytest.mark.skipif(not _runs_here("znver3"), reason="this CPU cannot run AVX2 code")


@pytest.mark.parametrize(
    ("mcpu", "unit"),
    [("znver3", AVX2), ("znver4", AVX512), ("skylake-avx512", AVX512), ("x86-64-v2", SSE)],
)
def test_the_vector_unit_follows_the_isa(mcpu, unit):
    features = isa_features(mcpu)
    if features is None:
        pytest.skip(f"this LLVM does not know {mcpu}")
    assert vector_unit(features) == unit
    assert unit.budget == unit.registers - unit.registers // 8


def test_an_unknown_or_unrunnable_build_cpu_is_refused(monkeypatch):
    monkeypatch.setenv(CPU_ENV, "no-such-cpu")
    with pytest.raises(UnsupportedError, match="ATTNCC_CPU='no-such-cpu'"):
        build_cpu()
    foreign = [
        c
        for c in ("sapphirerapids", "graniterapids", "znver5", "znver4")
        if isa_features(c) is not None and not _runs_here(c)
    ]
    if foreign:
        monkeypatch.setenv(CPU_ENV, foreign[0])
        with pytest.raises(UnsupportedError, match="lacks"):
            build_cpu()
    monkeypatch.delenv(CPU_ENV)
    assert build_cpu() == host_cpu()


def _inputs(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    b, h, g, p, m, e, f = (SHAPES[r] for r in "bhgpmef")
    return {
        "Q": rng.standard_normal((b, h, p, e), dtype=np.float32),
        "K": rng.standard_normal((b, g, m, e), dtype=np.float32),
        "V": rng.standard_normal((b, g, m, f), dtype=np.float32),
    }


def _asm(kernel: attncc.Kernel) -> str:
    target = kernel.built.meta["llvm_target"]
    return compile_tvmscript(kernel.source, target).mod.inspect_source("asm")


@needs_avx2
def test_an_avx2_build_runs_here_and_equals_the_reference(monkeypatch):
    monkeypatch.setenv(CPU_ENV, "znver3")
    program = CATALOGUE["gqa_causal"]()
    kernel = attncc.compile(program, "cpu")
    args = _inputs()
    got = kernel(**args)
    np.testing.assert_allclose(got, attncc.interpret(program, **args), atol=2e-5)
    config = kernel.config
    assert config["lowering"] == "fused" and kernel.built.meta["llvm_target"]["mcpu"] == "znver3"
    assert config["bk"] % AVX2.lanes == 0 and config["pv_cols"] % AVX2.lanes == 0
    asm = _asm(kernel)
    assert "%ymm" in asm and "%zmm" not in asm


@needs_avx2
def test_the_register_budget_refuses_blocks_that_spill(monkeypatch):
    """The budget is real: a block sized for AVX-512 (rb=6 × bk=64: 6 × 8 ymm accumulators)
    is refused on AVX2, and built anyway it moves vector registers to and from the stack
    several times as often as the AVX2 default (counted in the assembly: 860 against 156
    here; the AVX-512 default on AVX-512: 30)."""
    monkeypatch.setenv(CPU_ENV, "znver3")
    program = CATALOGUE["gqa_causal"]()
    kernel = attncc.compile(program, "cpu", shapes=SHAPES)
    default_spills = len(SPILL.findall(_asm(kernel)))
    fused = kernel.target.space(program, kernel.built.extents)
    big = {"bq": 48, "bk": 64, "rb": 6, "rbv": 6, "pv_cols": 64}
    assert "register budget" in (fused.why_infeasible(big) or "")
    text = kernel.target.lower(program, fused.complete(big), kernel.built.extents).text
    big_spills = len(SPILL.findall(compile_tvmscript(text, kernel.built.meta["llvm_target"])
                                   .mod.inspect_source("asm")))  # fmt: skip
    assert 3 * default_spills < big_spills, (default_spills, big_spills)


#: Cross-compiled ISAs: LLVM target, vector unit, architecture, the vector registers used.
ISAS = {
    "znver3": ({"kind": "llvm", "mcpu": "znver3"}, AVX2, "x86", "%ymm"),
    "znver4": ({"kind": "llvm", "mcpu": "znver4"}, AVX512, "x86", "%zmm"),
    "skylake-avx512": ({"kind": "llvm", "mcpu": "skylake-avx512"}, AVX512, "x86", "%zmm"),
    "neoverse-v1": (
        {"kind": "llvm", "mtriple": "aarch64-linux-gnu", "mcpu": "neoverse-v1"},
        NEON,
        "aarch64",
        ".4s",
    ),
}


def _known(target: dict) -> bool:
    import tvm
    from tvm.target import codegen

    try:
        return target["mcpu"] in codegen.llvm_get_cpu_archlist(tvm.target.Target(target))
    except Exception:
        return False


@pytest.mark.parametrize("mcpu", list(ISAS))
@pytest.mark.parametrize(("name", "e"), [("gqa_causal", 64), ("gqa_causal", 128), ("softcap", 64),
                                         ("document", 64)])  # fmt: skip
def test_default_kernels_keep_their_register_blocks_on_every_isa(monkeypatch, mcpu, name, e):
    """Compiled for ``mcpu`` (not this host), the default kernel's innermost loops that do
    FMAs (the QKᵀ and PV microkernels) reload nothing from the stack; tanh is a polynomial,
    not a libm call that saves every vector register."""
    target, unit, arch, register = ISAS[mcpu]
    if not _known(target):
        pytest.skip(f"this LLVM cannot target {mcpu}")
    monkeypatch.setattr(fused, "build_unit", lambda: unit)
    program = CATALOGUE[name]()
    plan = fused.plan(program)
    extents = {r: None for r in plan.info.ranks} | {"b": 1, "h": 8, "g": 2, "e": e, "f": e}
    source = fused.lower(plan, {}, extents)
    asm = compile_tvmscript(source.text, target).mod.inspect_source("asm")
    loops = [x for x in innermost_loops(asm, arch) if x.fmas]
    assert len(loops) >= 2, "no microkernel loops found"
    assert [x.reloads for x in loops] == [0] * len(loops), loops
    assert register in asm
    if unit != AVX512 and arch == "x86":
        assert "%zmm" not in asm
    assert not LIBM_CALL.search(asm)
