"""Block lists of data-dependent masks on the ``cuda`` target, in Triton's interpreter.

Masks that read data (document ids, a boolean tree) get a pre-pass kernel that lists, per
query block, the key blocks with a visible key and those visible throughout; the attention
kernel visits only those. Checked here: the results equal the reference interpreter at odd
shapes (segments starting mid-block, fully masked rows, split-KV, a mask that reads the
head), the lists equal a brute-force classification of the mask, a key block listed nowhere
is never read (its K and V are NaN), and an exported kernel carries the pre-pass.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace

if "triton" not in sys.modules and os.environ.get("ATTNCC_CUDA_DEVICE") != "1":
    os.environ["TRITON_INTERPRET"] = "1"  # ATTNCC_CUDA_DEVICE=1: on the GPU (tests/conftest.py)

import numpy as np
import pytest

import attncc
from attncc.ir.arguments import split_arguments
from attncc.ir.bind import bind
from attncc.lowering.plan import plan_attention
from attncc.targets.cuda.blocks import list_ranks
from attncc.targets.cuda.blocks import uses_block_lists
from attncc.targets.cuda.fused import generate_fused
from attncc.targets.cuda.launch import device_tensors
from attncc.targets.cuda.launch import interpreted_process
from attncc.targets.cuda.launch import launch_all
from tests.targets.conformance import cuda_runs_here
from tests.targets.conformance import why_unavailable

pytestmark = pytest.mark.skipif(not cuda_runs_here(), reason=str(why_unavailable("cuda")))

B, H, G, P, M, E, F = 2, 4, 2, 45, 77, 24, 20
TILES = {"BLOCK_M": 16, "BLOCK_N": 16}
POISONED = slice(48, 64)  # batch 0's key block 3: a document no query of batch 0 is in


def _ids(n: int, spans: list[tuple[int, int]]) -> np.ndarray:
    """Segment ids of ``n`` tokens from ``(end, id)`` spans."""
    out, start = np.empty(n, np.int32), 0
    for end, doc in spans:
        out[start:end] = doc
        start = end
    assert start == n
    return out


def _qkv(rng) -> dict[str, np.ndarray]:
    def f32(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    return {"Q": f32(B, H, P, E), "K": f32(B, G, M, E), "V": f32(B, G, M, F)}


def _document(rng, causal: bool) -> tuple[attncc.Program, dict, np.ndarray]:
    """Documents starting mid-block; rows of a document without keys (id 7) see nothing."""
    sk = np.stack([
        _ids(M, [(5, 0), (21, 1), (48, 2), (64, 9), (77, 3)]),
        _ids(M, [(30, 4), (33, 5), (77, 6)]),
    ])  # fmt: skip
    if causal:  # one packed stream; the queries are its last P tokens
        sq = sk[:, M - P :].copy()
    else:
        sq = np.stack([_ids(P, [(10, 1), (20, 0), (42, 3), (45, 7)]),
                       _ids(P, [(16, 6), (45, 4)])])  # fmt: skip
    sq[0, -3:] = 7
    visible = sq[:, :, None] == sk[:, None, :]
    if causal:
        visible &= np.arange(M)[None, :] <= np.arange(P)[:, None] + (M - P)
    program = attncc.variants.document(heads="gqa", causal=causal)
    return program, {**_qkv(rng), "SQ": sq, "SK": sk}, visible


def _tree(rng) -> tuple[attncc.Program, dict, np.ndarray]:
    """A prefix of M - P keys every query sees, then a random lower-triangular tree mask."""
    mask = np.tril(rng.random((B, P, P)) < 0.3) | np.eye(P, dtype=bool)
    visible = np.concatenate([np.ones((B, P, M - P), bool), mask], axis=2)
    return attncc.variants.tree_mask(heads="gqa"), {**_qkv(rng), "MASK": mask}, visible


def _case(name: str):
    rng = np.random.default_rng(len(name))
    if name == "tree_mask":
        return _tree(rng)
    return _document(rng, causal=name == "document_causal")


def _run(program, kwargs, config) -> tuple[attncc.Kernel, np.ndarray]:
    kernel = attncc.compile(program, "cuda", config=config)
    return kernel, kernel(**kwargs)


def _assert_close(got, want) -> None:
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def _block_lists(kernel: attncc.Kernel, kwargs) -> tuple[np.ndarray, np.ndarray]:
    """Run the build's pre-pass alone: the counts ``[rows, QB, 2]`` and indices."""
    arrays, params = split_arguments(kernel.program, kwargs)
    binding = bind(kernel.program, shapes={n: a.shape for n, a in arrays.items()}, params=params)
    handle = kernel.artifact.handle
    first = replace(handle.launch, launches=handle.launch.launches[:1])
    assert first.launches[0].kernel.startswith("blocks_")
    interpret = interpreted_process()  # else on the GPU (ATTNCC_CUDA_DEVICE=1)
    tensors = device_tensors(first, arrays, binding.extents, "cpu" if interpret else "cuda")
    module = handle.module(interpret=interpret)
    launch_all(first, module, tensors, binding.scalars, binding.extents, interpret=interpret)
    return tensors["$blk_num"].cpu().numpy(), tensors["$blk_idx"].cpu().numpy()


def _brute_force(visible: np.ndarray, bm: int, bn: int) -> dict:
    """(row, query block) → (partial key blocks, full key blocks) of ``visible[..., p, m]``."""
    n_p, n_m = visible.shape[-2:]
    visible = visible.reshape(-1, n_p, n_m)
    rows = visible.shape[0]
    out = {}
    for r in range(rows):
        for qb in range(-(-n_p // bm)):
            part, full = [], []
            for kb in range(-(-n_m // bn)):
                tile = visible[r, qb * bm : (qb + 1) * bm, kb * bn : (kb + 1) * bn]
                if tile.all() and (kb + 1) * bn <= n_m:
                    full.append(kb)
                elif tile.any():
                    part.append(kb)
            out[r, qb] = (part, full)
    return out


def _listed(num: np.ndarray, idx: np.ndarray) -> dict:
    """The pre-pass's lists in :func:`_brute_force`'s form (rows flattened)."""
    num = num.reshape(-1, *num.shape[-2:])
    idx = idx.reshape(-1, *idx.shape[-3:])
    return {
        (r, qb): tuple([int(k) for k in idx[r, qb, j, : num[r, qb, j]]] for j in (0, 1))
        for r in range(num.shape[0])
        for qb in range(num.shape[1])
    }


def _assert_lists(kernel, kwargs, visible, config) -> dict:
    want = _brute_force(visible, config["BLOCK_M"], config["BLOCK_N"])
    got = _listed(*_block_lists(kernel, kwargs))
    assert got == want
    return want


@pytest.mark.parametrize(
    "name,config",
    [
        ("document", TILES),
        ("document_causal", TILES),
        ("document_causal", {**TILES, "split": 4}),
        ("tree_mask", TILES),
        ("tree_mask", {"BLOCK_M": 32, "BLOCK_N": 32}),
    ],
)
def test_masks_with_data_match_reference_and_brute_force_lists(name, config):
    program, kwargs, visible = _case(name)
    kernel, got = _run(program, kwargs, config)
    _assert_close(got, attncc.interpret(program, **kwargs))
    lists = _assert_lists(kernel, kwargs, visible, config)
    assert any(full for _, full in lists.values()) and any(part for part, _ in lists.values())
    assert any(len(part) + len(full) < -(-M // config["BLOCK_N"]) for part, full in lists.values())


def test_a_block_no_query_sees_is_never_read():
    program, kwargs, visible = _case("document")
    assert not visible[0, :, POISONED].any()
    want = attncc.interpret(program, **kwargs)
    poisoned = dict(kwargs)
    for name in ("K", "V"):
        poisoned[name] = kwargs[name].copy()
        poisoned[name][0, :, POISONED] = np.nan
    kernel, got = _run(program, poisoned, TILES)
    assert np.isfinite(got).all()
    _assert_close(got, want)
    assert not got[0, :, -3:].any()  # rows whose document has no key: exactly 0
    lists = _listed(*_block_lists(kernel, poisoned))
    assert all(3 not in part + full for (row, _), (part, full) in lists.items() if row == 0)


MASK_PER_HEAD = """
program document_per_head
input Q[b, h, p, e] : f32
input K[b, h, m, e] : f32
input V[b, h, m, f] : f32
input SQ[b, h, p] : i32
input SK[b, h, m] : i32
S[b, h, p, m] = sum(e) Q[b, h, p, e] * K[b, h, m, e] where SQ[b, h, p] == SK[b, h, m]
MX[b, h, p] = max(m) S[b, h, p, m]
X[b, h, p, m] = exp(S[b, h, p, m] - MX[b, h, p])
L[b, h, p] = sum(m) X[b, h, p, m]
O[b, h, p, f] = sum(m) X[b, h, p, m] * V[b, h, m, f] / L[b, h, p]
output O
"""


def test_a_mask_that_reads_the_head_gets_lists_per_head():
    program = attncc.parse(MASK_PER_HEAD)
    assert list_ranks(plan_attention(program)) == ("b", "h")
    rng = np.random.default_rng(3)
    sq = np.sort(rng.integers(0, 3, (B, H, P)), axis=2).astype(np.int32)
    sk = np.sort(rng.integers(0, 3, (B, H, M)), axis=2).astype(np.int32)
    kwargs = {
        "Q": rng.standard_normal((B, H, P, E)).astype(np.float32),
        "K": rng.standard_normal((B, H, M, E)).astype(np.float32),
        "V": rng.standard_normal((B, H, M, F)).astype(np.float32),
        "SQ": sq,
        "SK": sk,
    }
    kernel, got = _run(program, kwargs, TILES)
    _assert_close(got, attncc.interpret(program, **kwargs))
    num, _ = _block_lists(kernel, kwargs)
    assert num.shape == (B, H, -(-P // 16), 2)
    _assert_lists(kernel, kwargs, sq[..., :, None] == sk[..., None, :], TILES)


def test_only_masks_that_read_data_get_a_pre_pass():
    extents = {"b": B, "h": H, "g": G, "e": E, "f": F}
    config = {**TILES, "num_warps": 4, "num_stages": 2, "split": 1, "dot": "ieee"}
    for name, want in (("document_causal", True), ("sliding_window", False), ("gqa", False)):
        plan = plan_attention(attncc.variants.CATALOGUE[name]())
        assert uses_block_lists(plan) is want, name
        kernel = generate_fused(plan, extents, config)
        kernels = [x.kernel for x in kernel.launch.launches]
        assert (kernels[0] == f"blocks_{name}") is want, kernels
        attention = kernel.text[kernel.text.index(f"def {kernel.entry}(") :]
        # block lists replace the band loops; the full blocks skip the predicate all the same
        assert ("for i in range(i0, i1):" in attention) is want
        assert ("# band 0" in attention) is not want
        assert "MASKED=False" in attention


def test_export_carries_the_pre_pass(tmp_path):
    program, kwargs, _ = _case("document_causal")
    kernel, got = _run(program, kwargs, TILES)
    target = kernel.target
    files = target.save(kernel.artifact, tmp_path, "doc")
    launch = json.loads((tmp_path / files["launch"]).read_text())
    order = [x["kernel"] for x in launch["plan"]["launches"]]
    assert order == ["blocks_document_causal", "attn_document_causal"]
    assert set(launch["kernels"]) == set(order)
    assert all((tmp_path / files[f"binary:{k}"]).stat().st_size > 0 for k in order)
    dims = {b["name"]: b["dims"] for b in launch["plan"]["buffers"]}
    assert dims["$blk_idx"] == ["b", "p/16", 2, "m/16"]
    loaded = target.load(kernel.artifact.source, {k: tmp_path / v for k, v in files.items()})
    arrays, params = split_arguments(program, kwargs)
    binding = bind(program, shapes={n: a.shape for n, a in arrays.items()}, params=params)
    again = target.run(loaded, arrays, binding.scalars, binding.extents)
    _assert_close(again["O"], got)


def test_the_prior_counts_the_pre_pass():
    from attncc.targets.cuda import CudaTarget
    from attncc.targets.cuda.prior import predict

    target = CudaTarget("sm_90")
    extents = {"b": 1, "h": 8, "g": 8, "p": 4096, "m": 4096, "e": 64, "f": 64}
    with_lists = predict(target, attncc.variants.document(heads="gqa"), extents, TILES)
    causal = predict(target, attncc.variants.gqa(causal=True), extents, TILES)
    assert with_lists > causal > 0  # the same half of the tiles, plus the pre-pass
