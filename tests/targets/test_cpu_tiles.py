"""Tile classification of the CPU flash kernel (:mod:`attncc.targets.cpu.flash_tiles`).

Masks the index bands cannot classify -- document ids, ancestor matrices, dilated windows
and 2-D neighbourhoods (``%`` and ``/`` of indices), block-causal masks, global tokens --
are classified per tile by the kernel's pre-pass. Each must equal the interpreter with the
pre-pass on and off, at lengths that leave many empty, full and partial tiles, short last
tiles, a single query, fully masked rows, GQA packing and split-KV; an empty tile holding
NaN in V shows that it was skipped (a visited tile multiplies P = 0 by it).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

tvm = pytest.importorskip("tvm")

import attncc  # noqa: E402
from attncc import variants  # noqa: E402
from attncc.targets.cpu import fused as cpu_fused  # noqa: E402
from attncc.targets.cpu.isa import AVX512  # noqa: E402
from attncc.targets.tvm.bound_plan import BoundPlan  # noqa: E402

TOL = 1e-4

HEADER = """program {name}
input Q[b, h, p, e] : f32
input K[b, g, m, e] : f32
input V[b, g, m, f] : f32
{params}
let G = h / g
let scale = 1 / sqrt(e)

S[b, h, p, m] = sum(e) Q[b, h, p, e] * K[b, h / G, m, e] * scale where {mask}
MX[b, h, p] = max(m) S[b, h, p, m]
E[b, h, p, m] = exp(S[b, h, p, m] - MX[b, h, p])
L[b, h, p] = sum(m) E[b, h, p, m]
O[b, h, p, f] = sum(m) E[b, h, p, m] * V[b, h / G, m, f] / L[b, h, p]
output O
"""

#: Index-only masks the affine band analysis leaves partial, in the text language.
MASKS = {
    "dilated_window": (
        "param W : i32 = 96\nparam DIL : i32 = 3",
        "p >= m and p - m < W and (p - m) % DIL == 0",
    ),
    "neighborhood_2d": (
        "param CW : i32 = 24\nparam R : i32 = 2",
        "abs(p / CW - m / CW) <= R and abs(p % CW - m % CW) <= R",
    ),
    "block_causal": ("param BS : i32 = 40", "m / BS <= p / BS"),
    "global_window": (
        "param W : i32 = 20\nparam NG : i32 = 5",
        "abs(p - m) < W or m < NG or p < NG",
    ),
}

CONFIGS = {
    "default": None,
    "small": {"bq": 16, "bk": 32, "rb": 4, "rbv": 4},
    "split": {"bq": 16, "bk": 32, "rb": 4, "rbv": 4, "split_kv": 2, "parallel_over": "bh"},
    "packed": {"bq": 16, "bk": 32, "rb": 2, "rbv": 2, "pack_gqa": True},
    "off": {"prepass": False},
}

_KERNELS: dict[tuple, attncc.Kernel] = {}


@pytest.fixture(scope="module", autouse=True)
def _avx512_blocks():
    """Configs sized for AVX-512 on every host (as in test_cpu_fused.py)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cpu_fused, "build_unit", lambda: AVX512)
        yield


def program(name: str):
    if name in MASKS:
        params, mask = MASKS[name]
        return attncc.parse(HEADER.format(name=name, params=params, mask=mask))
    return variants.CATALOGUE[name]()


def kernel(name: str, config: str) -> attncc.Kernel:
    key = (name, config)
    if key not in _KERNELS:
        kern = attncc.compile(program(name), "cpu", config=CONFIGS[config])
        kern(**inputs(name, 3, 5))  # builds it: lengths stay symbolic, B and H are fixed
        _KERNELS[key] = kern
    return _KERNELS[key]


def inputs(name: str, p: int, m: int, seed: int = 0, h: int = 4, g: int = 2) -> dict:
    rng = np.random.default_rng(seed)
    x = {
        "Q": rng.standard_normal((2, h, p, 16), dtype=np.float32),
        "K": rng.standard_normal((2, g, m, 16), dtype=np.float32),
        "V": rng.standard_normal((2, g, m, 8), dtype=np.float32),
    }
    if name.startswith("document"):
        sk = np.sort(rng.integers(0, 5, size=(2, m))).astype(np.int32)
        sq = sk[:, m - p :].copy() if p <= m else np.sort(rng.integers(0, 5, (2, p)))
        sq = sq.astype(np.int32)
        sq[1, : min(4, p)] = 9  # a document with no key: fully masked rows
        x |= {"SQ": sq, "SK": sk}
    if name == "tree_mask":
        t = min(p, m)
        anc = rng.random((2, p, t)) < 0.15
        anc[:, np.arange(t), np.arange(t)] = True  # every node sees itself
        x["MASK"] = anc
    return x


def check(kern: attncc.Kernel, name: str, x: dict) -> np.ndarray:
    want = attncc.interpret(program(name), **x)
    got = kern(**x)
    scale = max(1.0, float(np.max(np.abs(want), initial=0.0)))
    err = float(np.max(np.abs(got.astype(np.float64) - want), initial=0.0))
    assert err <= TOL * scale, f"{name}: off by {err:.3g}"
    assert kern.config["lowering"] == "fused"
    return got


NAMES = ["document", "document_causal", "tree_mask", *MASKS]


@pytest.mark.parametrize("name", NAMES)
def test_the_analysis_leaves_these_masks_to_the_prepass(name):
    p = cpu_fused.plan(program(name))
    assert p is not None
    spec = BoundPlan(p, {r: None for r in p.info.ranks}).spec()
    assert spec.tile_prepass
    assert "_Tc = T." in kernel(name, "default").source
    assert "_Tc" not in kernel(name, "off").source


@pytest.mark.parametrize("config", ["default", "small", "split", "packed", "off"])
@pytest.mark.parametrize("name", NAMES)
def test_classified_tiles_match_the_interpreter(name, config):
    kern = kernel(name, config)
    for p, m in ((131, 131), (1, 257), (67, 200), (200, 200)):
        check(kern, name, inputs(name, p, m, seed=p))


def test_index_only_masks_keep_out_of_the_mha_default():
    """Affine masks take no pre-pass: the kernel is what it was."""
    p = cpu_fused.plan(variants.sliding_window())
    spec = BoundPlan(p, {r: None for r in p.info.ranks}).spec()
    assert not spec.tile_prepass
    kern = attncc.compile(variants.sliding_window(), "cpu")
    kern(**inputs("sliding_window", 3, 5))
    assert "_Tc" not in kern.source


def _class_rows(name: str) -> str:
    line = next(x for x in kernel(name, "default").source.splitlines() if "_Tc = " in x)
    return re.search(r"_Tc = T\.\w+\((?:_tc_h, )?\((\d+),", line).group(1)


def test_classes_are_shared_by_heads_the_mask_does_not_read():
    """One class row per batch for a document mask (B = 2), one for all batches and heads
    for an index-only mask: the pre-pass does not repeat itself per head."""
    assert _class_rows("document") == "2"
    assert _class_rows("dilated_window") == "1"


def test_an_empty_tile_is_skipped():
    """NaN in V at keys no query of a tile sees: skipped with the pre-pass (finite output),
    multiplied by P = 0 without it (NaN: over-reported, as documented)."""
    name, p = "document", 128
    x = inputs(name, p, p)
    x["SK"][:] = np.repeat(np.arange(4, dtype=np.int32), 32)[None]
    x["SQ"][:] = x["SK"]
    x["V"][:, :, :32] = np.nan  # document 0's keys: one whole key tile of bk = 32
    want = attncc.interpret(program(name), **x)
    got = kernel(name, "small")(**x)
    np.testing.assert_allclose(got, want, atol=TOL, rtol=0)  # NaN where the reference has it
    assert np.isnan(got[:, :, :32]).all() and np.isfinite(got[:, :, 32:]).all()
    off = kernel(name, "off")(**x)
    assert np.isnan(off[:, :, 32:]).any()


def _kept(kern: attncc.Kernel) -> dict:
    (artifact,) = kern._builds.values()
    return artifact.handle.__dict__.get("tile_classes", {})


@pytest.mark.parametrize("name", list(MASKS))
def test_classes_of_index_only_masks_are_kept_between_calls(name):
    """A mask of indices and params: its classes depend on extents and params only, so the
    target keeps them per (extents, params); new lengths or params get their own; a mask
    that reads a tensor (documents) recomputes them on every call."""
    kern = attncc.compile(program(name), "cpu", config=CONFIGS["small"])
    x = inputs(name, 131, 131)
    check(kern, name, x)
    assert len(_kept(kern)) == 1
    check(kern, name, inputs(name, 67, 200, seed=3))
    param = next(iter(MASKS[name][0].split()[1:2]))  # the first param's name
    check(kern, name, {**x, param: 2})
    assert len(_kept(kern)) == 3
    check(kern, name, x)  # from the kept classes
    assert len(_kept(kern)) == 3
    assert (
        "tile_classes" in kern.built.meta
        and "tile_classes" not in kernel("document", "small").built.meta
    )


def test_kept_classes_are_what_the_kernel_uses():
    """Emptied kept classes make every tile skipped: every row then sees no key (0); the
    next length computes its own."""
    kern = attncc.compile(program("block_causal"), "cpu", config=CONFIGS["small"])
    x = inputs("block_causal", 100, 100)
    check(kern, "block_causal", x)
    (classes,) = _kept(kern).values()
    classes[...] = 0
    assert not kern(**x).any()
    check(kern, "block_causal", inputs("block_causal", 99, 100))
