"""Vectorisable float functions (:mod:`attncc.targets.tvm.vector_math`) against float64 numpy:
relative error at most 3e-7 where the result is a normal float32, the reference's answer at
NaN, ±inf, 0, subnormals and the overflow edges, and no libm call in the vectorised loop."""

from __future__ import annotations

import numpy as np
import pytest

tvm = pytest.importorskip("tvm")

from attncc.ir.nodes import Fn  # noqa: E402
from attncc.targets.cpu.host import compile_tvmscript  # noqa: E402
from attncc.targets.cpu.host import host_target  # noqa: E402
from attncc.targets.tvm.vector_math import VECTOR_FNS  # noqa: E402
from tests.targets.asm_loops import LIBM_CALL  # noqa: E402

SPECIAL = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-45, 1e-40, 1.2e-38, 3.4e38,
           -3.4e38, 88.7, 89.0, -87.0, -88.0, -100.0, -104.0, 127.9, 128.0, -126.0, -150.0,
           0.624, 0.626, -0.625, 1e-8, -1e-8, 20.0, -20.0, 9.0, -9.0, 0.5, 2.0]  # fmt: skip


def _sigmoid(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


REFERENCE = {
    Fn.EXP: np.exp,
    Fn.EXP2: np.exp2,
    Fn.LOG: np.log,
    Fn.LOG2: np.log2,
    Fn.TANH: np.tanh,
    Fn.SIGMOID: _sigmoid,
}


#: x as a sum: a function that multiplied its argument without parentheses would differ.
ARG = "T.float32(0.5) * A[io * 16 + ii] + A[io * 16 + ii] * T.float32(0.5)"


def _values() -> np.ndarray:
    rng = np.random.default_rng(0)
    x = np.concatenate([
        np.array(SPECIAL, np.float32),
        rng.standard_normal(2048).astype(np.float32) * 30,
        np.exp(rng.uniform(-85, 85, 2048)).astype(np.float32),
    ])  # fmt: skip
    return np.pad(x, (0, -len(x) % 16)).astype(np.float32)


@pytest.mark.parametrize("fn", list(VECTOR_FNS), ids=lambda f: f.value)
def test_matches_float64_and_keeps_specials(fn):
    x = _values()
    n = len(x)
    text = f"""
@T.prim_func
def f(a_h: T.handle, b_h: T.handle):
    T.func_attr({{"global_symbol": "f", "tirx.noalias": True}})
    A = T.match_buffer(a_h, ({n},), "float32")
    B = T.match_buffer(b_h, ({n},), "float32")
    for io in range({n // 16}):
        for ii in T.vectorized(16):
            B[io * 16 + ii] = {VECTOR_FNS[fn](ARG)}
"""
    mod = compile_tvmscript(text, host_target())
    out = tvm.runtime.tensor(np.zeros(n, np.float32))
    mod["f"](tvm.runtime.tensor(x), out)
    got = out.numpy().astype(np.float64)
    with np.errstate(all="ignore"):
        half = np.float32(0.5)
        arg = half * x + x * half  # ARG in float32 (a subnormal's halves round to 0)
        want = REFERENCE[fn](arg.astype(np.float64))
        as_f32 = want.astype(np.float32).astype(np.float64)
    normal = np.isfinite(as_f32) & (np.abs(as_f32) >= 1.2e-38)
    with np.errstate(all="ignore"):
        rel = np.abs(got - want) / np.abs(want)
    assert np.max(rel[normal]) < 3e-7
    tiny = np.isfinite(as_f32) & (np.abs(as_f32) < 1.2e-38)  # flushed to 0 or exact
    assert np.all(np.abs(got[tiny]) < 1.2e-38)
    special = ~np.isfinite(as_f32)
    np.testing.assert_array_equal(got[special], as_f32[special])  # NaN where NaN, ±inf
    asm = mod.mod.inspect_source("asm")
    assert not LIBM_CALL.search(asm)  # T.tanh here would call expf per lane
