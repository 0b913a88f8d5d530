"""What every target's tests check a kernel with: the reference, the error measure, and
whether a target can run here (and why not)."""

from __future__ import annotations

import importlib.util
import os
import zlib

import numpy as np

import attncc
from attncc.errors import UnsupportedError
from tests.variants.cases import CASES

__all__ = [
    "FUSED",
    "TOLERANCE",
    "check_variant",
    "cuda_on_device",
    "cuda_runs_here",
    "fused_on",
    "max_rel_err",
    "why_unavailable",
]

#: max |kernel - reference| / max(1, max |reference|) that a kernel may reach.
TOLERANCE = 1e-4

#: The variants every target's default schedule takes the fused (flash) lowering for; the
#: rest (no softmax, a mask over a stored map, a gather by the query, two contractions,
#: several outputs) run one loop nest or kernel per statement.
FUSED = frozenset(
    {
        "alibi", "causal_offset", "document", "document_causal", "fp16_kv", "gqa",
        "gqa_causal", "gqa_window_softcap", "int8_kv", "int8_kv_channel", "mha", "mha_causal",
        "mqa", "mqa_causal", "paged", "paged_causal", "prefix_lm", "relative_bias",
        "sinks_window", "sliding_window", "softcap", "temperature", "tree_mask",
    }
)  # fmt: skip

#: Variants only some targets fuse: the CPU kernel computes helper statements (tree
#: ancestors) before it attends, weighted sums without softmax, QK in parts (MLA) and K / V
#: rows chosen per query (top-k); the CUDA and WebGPU kernels read inputs only and compute
#: a softmax over one Q.
FUSED_ALSO = {
    "cpu": frozenset(
        {
            "tree_parent", "sigmoid_attention", "sigmoid_attention_causal", "linear_causal",
            "linear_causal_identity_unnormalized", "mla", "mla_causal", "topk_gather",
        }
    )
}  # fmt: skip


def fused_on(target: str) -> frozenset[str]:
    """The variants ``target``'s default schedule takes the fused lowering for."""
    return FUSED | FUSED_ALSO.get(target, frozenset())


def max_rel_err(got, want) -> float:
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    scale = max(1.0, float(np.abs(want).max(initial=0.0)))
    return float(np.abs(got - want).max(initial=0.0)) / scale


def check_variant(target: str, name: str, shape, config=None) -> attncc.Kernel:
    """Compile catalogue case ``name`` for ``target`` through :func:`attncc.compile` and
    assert every output equals the reference interpreter's within :data:`TOLERANCE`."""
    rng = np.random.default_rng(zlib.crc32(f"{target}/{name}/{shape.p}".encode()))
    program, kwargs, _ = CASES[name](rng, shape, name=name)
    want = attncc.interpret(program, **kwargs)
    kernel = attncc.compile(program, target, config=config)
    got = kernel(**kwargs)
    if not isinstance(want, dict):
        want, got = {"out": want}, {"out": got}
    for out in want:
        err = max_rel_err(got[out], want[out])
        assert err <= TOLERANCE, f"{name} on {target}: {out} off by {err:.3g}"
    return kernel


def cuda_on_device() -> bool:
    """Whether the ``cuda`` tests were asked to launch the compiled kernels on a GPU
    (``ATTNCC_CUDA_DEVICE=1``; ``tests/conftest.py`` then leaves ``TRITON_INTERPRET`` unset)
    rather than run them in Triton's interpreter, as CI does."""
    return os.environ.get("ATTNCC_CUDA_DEVICE") == "1"


def _why_cuda_unavailable() -> str | None:
    from attncc.targets.cuda import gpu_present
    from attncc.targets.cuda.launch import interpreted_process

    if cuda_on_device():
        if not gpu_present():
            return "ATTNCC_CUDA_DEVICE=1 asks for a GPU, and torch sees no CUDA GPU here"
        if interpreted_process():
            return "ATTNCC_CUDA_DEVICE=1, but triton was imported under TRITON_INTERPRET=1"
        return None
    if not interpreted_process():
        return "triton was imported before TRITON_INTERPRET=1 could be set (tests/conftest.py)"
    return None


def cuda_runs_here() -> bool:
    """Whether the ``cuda`` target's kernels run in this process: in Triton's interpreter,
    or on the GPU under ``ATTNCC_CUDA_DEVICE=1``."""
    return _why_cuda_unavailable() is None


def why_unavailable(target: str) -> str | None:
    """Why ``target``'s kernels cannot run in this process, or ``None`` when they can."""
    if target == "webgpu":
        if importlib.util.find_spec("wgpu") is None:
            return "the webgpu target needs the wgpu package"
        from attncc.targets.webgpu.runtime import device

        try:
            device()
        except UnsupportedError as err:  # no Vulkan driver: CI installs mesa-vulkan-drivers
            return str(err)
    if target == "cuda":
        return _why_cuda_unavailable()
    return None
