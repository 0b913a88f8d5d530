"""Ahead-of-time compilation of the ``cuda`` target with no GPU: PTX / cubin for sm_80 and
sm_90 and an hsaco for gfx942, with shared memory, registers and spills, which the search
space uses to reject configs statically and the analytic prior to rank them."""

from __future__ import annotations

import numpy as np
import pytest

import attncc
from attncc.ir.arguments import split_arguments
from attncc.ir.bind import bind
from attncc.targets.cuda import CudaTarget
from attncc.targets.cuda.aot import ARCHS
from attncc.targets.cuda.prior import predict
from attncc.targets.cuda.space import SPILL_LIMIT
from attncc.targets.cuda.space import aot_report
from tests.variants.cases import CASES
from tests.variants.cases import WIDE

BIG = {"b": 1, "h": 4, "g": 4, "p": 1024, "m": 1024, "e": 128, "f": 128}


def _fixed(target, name):
    program, kwargs, _ = CASES[name](np.random.default_rng(0), WIDE, name=name)
    arrays, params = split_arguments(program, kwargs)
    shapes = {n: a.shape for n, a in arrays.items()}
    return program, target.specialise(program, bind(program, shapes=shapes, params=params).extents)


def test_over_the_limit_config_is_rejected_statically():
    target = CudaTarget("sm_80")
    program = attncc.variants.attention(heads="mha", causal=True)
    fixed = target.specialise(program, BIG)
    space = target.space(program, fixed)
    assert space.why_infeasible({}) is None  # the default fits
    big = {"BLOCK_M": 128, "BLOCK_N": 128, "num_stages": 3}
    reason = space.why_infeasible(big)
    assert reason is not None and "shared memory per block; sm_80 allows 166912" in reason
    with pytest.raises(attncc.AttnccError, match="shared memory"):
        attncc.compile(
            program, target, shapes={r: n for r, n in BIG.items() if r != "g"}, config=big
        )


def test_prior_prefers_split_kv_for_long_decode():
    target = CudaTarget("sm_90")
    program = attncc.variants.attention(heads="mha")
    extents = {**BIG, "p": 1, "m": 8192}
    one, four = (predict(target, program, extents, {"split": s}) for s in (1, 4))
    assert 0 < four < one


def test_kernel_exposes_ptx_and_cubin():
    kernel = attncc.compile(
        attncc.variants.attention(heads="gqa", causal=True), "cuda", shapes=BIG | {"g": 2}
    )
    (ptx,) = kernel.ptx.values()
    (cubin,) = kernel.cubin.values()
    assert ".visible .entry" in ptx and cubin[:4] == b"\x7fELF"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_every_default_config_compiles_for_every_arch(name, record_property):
    target = CudaTarget("sm_90")
    program, fixed = _fixed(target, name)
    for arch in ("sm_80", "sm_90", "gfx942"):
        report = aot_report(CudaTarget(arch), program, {}, fixed)
        assert report, name
        for kernel, c in report.items():
            assert c.binary and c.shared <= ARCHS[arch].shared_per_block, (kernel, arch)
            if arch == "sm_90":
                record_property(f"{kernel}_sm90_registers", c.registers)
                record_property(f"{kernel}_sm90_spills", c.spill_bytes)
                assert c.spill_bytes <= SPILL_LIMIT, f"{kernel} spills {c.spill_bytes} bytes"
    # (head dim 24 here; at head dim 128 the float32 defaults spill on sm_90: see _limits)
