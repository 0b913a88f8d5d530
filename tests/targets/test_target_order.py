"""Targets in one process, in any order: running a webgpu kernel (Mesa's lavapipe, with its
own LLVM) and then a cuda one (Triton's library, another LLVM) once crashed the process
while Triton's library loaded. Each order runs in a fresh child process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("wgpu", reason="the webgpu target needs the wgpu package")
pytest.importorskip("triton", reason="the cuda target needs triton")

SCRIPT = """
import numpy as np, attncc
q = np.random.default_rng(0).standard_normal((1, 2, 8, 16)).astype(np.float32)
program = attncc.variants.mha(causal=True)
want = attncc.interpret(program, Q=q, K=q, V=q)
for target in {order!r}:
    got = attncc.compile(program, target)(Q=q, K=q, V=q)
    assert np.abs(got - want).max() < 1e-4, target
print("ok")
"""


@pytest.mark.parametrize("order", [("webgpu", "cuda"), ("cuda", "webgpu")])
def test_webgpu_and_cuda_in_one_process(order, tmp_path) -> None:
    env = {**os.environ, "TRITON_INTERPRET": "1", "XDG_RUNTIME_DIR": str(tmp_path)}
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(order=order)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=root,
    )
    if "found no WebGPU adapter" in result.stderr:
        pytest.skip("no Vulkan driver")
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr[-2000:]
