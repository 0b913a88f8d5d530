"""The ``cuda`` target without a GPU, in Triton's interpreter: the fused lowering's block
skipping, split-KV and GQA mapping, chosen configs, and what a call without a GPU says.
Every catalogue variant against the reference is in ``test_conformance.py``.

Triton decides at import whether its own library is interpreted (``TRITON_INTERPRET``), so
this module sets the variable before anything here imports triton; a session that imported
triton earlier without it skips these tests with the reason (CI runs them as a file or as
part of ``tests/targets``, where nothing imports triton first).
"""

from __future__ import annotations

import os
import sys

if "triton" not in sys.modules and os.environ.get("ATTNCC_CUDA_DEVICE") != "1":
    os.environ["TRITON_INTERPRET"] = "1"  # ATTNCC_CUDA_DEVICE=1: on the GPU (tests/conftest.py)

import numpy as np
import pytest

import attncc
from attncc.errors import UnsupportedError
from tests.targets.conformance import check_variant
from tests.targets.conformance import cuda_on_device
from tests.targets.conformance import cuda_runs_here
from tests.targets.conformance import why_unavailable
from tests.variants.cases import WIDE

pytestmark = pytest.mark.skipif(not cuda_runs_here(), reason=str(why_unavailable("cuda")))


def _check(name: str, shape, config=None):
    return check_variant("cuda", name, shape, config)


@pytest.mark.parametrize(
    "name,config",
    [
        ("gqa_causal", {"BLOCK_M": 16, "BLOCK_N": 16}),  # several key tiles: full + partial
        ("sinks_window", {"BLOCK_M": 16, "BLOCK_N": 16}),  # two bands, skipped middle
        ("paged_causal", {"BLOCK_M": 16, "BLOCK_N": 16, "split": 4}),  # split-KV + merge
        ("document", {"BLOCK_M": 32, "BLOCK_N": 16, "split": 2}),
        ("softcap", {"lowering": "generic", "BLOCK_M": 64, "BLOCK_N": 16}),
    ],
)
def test_configs_match_reference(name, config):
    kernel = _check(name, WIDE, config)
    assert {k: kernel.config[k] for k in config} == config


def test_fused_source_skips_and_unmasks_tiles():
    kernel = _check("sliding_window", WIDE)
    src = kernel.source
    # three loops per band: partial, full (MASKED=False: no predicate), partial
    assert src.count("MASKED=False") == 1 and src.count("MASKED=True") == 2
    assert "_idiv(h, 2)" in src  # GQA: the kv head of query head h
    assert "tl.dot" in src


@pytest.mark.skipif(cuda_on_device(), reason="ATTNCC_CUDA_DEVICE=1: calls run on the GPU")
def test_call_without_gpu_or_interpreter_raises(monkeypatch):
    program = attncc.variants.attention(heads="mha", causal=True)
    kernel = attncc.compile(program, "cuda")
    q = np.ones((1, 2, 5, 16), np.float32)
    monkeypatch.setenv("TRITON_INTERPRET", "0")
    with pytest.raises(UnsupportedError, match=r"no CUDA GPU is present.*TRITON_INTERPRET=1"):
        kernel(Q=q, K=q, V=q)
    assert "def attn_" in kernel.source  # the source was built all the same


def test_describe_fingerprints_arch_and_triton():
    import triton

    desc = attncc.targets.get_target("cuda").describe()
    assert desc["target"] == "cuda" and desc["triton"] == triton.__version__
    assert desc["arch"] in ("sm_80", "sm_90", "gfx942")


def test_module_globals_equal_themselves():
    """Triton refuses to launch a kernel whose module globals changed since it compiled,
    testing ``new != old``: a NaN global never passes (every fused launch failed on an
    H200). The globals of a fused module must each equal themselves."""
    import ast

    src = _check("gqa_causal", WIDE).source
    for node in ast.parse(src).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            call = node.value
            if ast.unparse(call.func) == "tl.constexpr":
                arg = call.args[0]
                if isinstance(arg, ast.Call):  # float("-inf")
                    value = float(ast.literal_eval(arg.args[0]))
                else:
                    value = ast.literal_eval(arg)
                assert value == value, f"{ast.unparse(node)}: a global that never equals itself"
