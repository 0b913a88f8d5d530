"""Integer reductions on WebGPU: the identity of an integer ``max`` is i32's minimum, which
WGSL cannot write as a literal (``-2147483648i`` negates an unrepresentable ``2147483648i``);
the kernel must compile and equal the reference, extremes included."""

from __future__ import annotations

import numpy as np
import pytest

import attncc
from attncc.errors import UnsupportedError

pytest.importorskip("wgpu", reason="the webgpu target needs the wgpu package")

PROGRAM = """program int_extremes
input X[i, j] : i32
Y[i] = max(j) X[i, j]
Z[i] = min(j) X[i, j]
C[i] = max(j) X[i, j] where X[i, j] > 100
output Y, Z, C
"""


def test_integer_max_and_min_identities() -> None:
    try:
        kernel = attncc.compile(PROGRAM, "webgpu")
        lo, hi = -(2**31), 2**31 - 1
        x = np.array([[1, -5, 3], [lo, -7, lo + 5], [hi, lo, 0], [lo, lo, lo]], np.int32)
        got = kernel(X=x)
    except UnsupportedError as err:  # no Vulkan driver: CI installs mesa-vulkan-drivers
        pytest.skip(str(err))
    want = attncc.interpret(PROGRAM, X=x)
    assert "-2147483648i" not in kernel.source
    for name in want:
        np.testing.assert_array_equal(got[name], want[name], err_msg=name)
