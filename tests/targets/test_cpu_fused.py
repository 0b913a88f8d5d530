"""The fused CPU lowering (:mod:`attncc.targets.cpu.fused`) against the reference interpreter.

Every variant the fused plan accepts goes through ``attncc.compile(program, "cpu")`` with its
default config and must equal ``attncc.interpret`` (max error <= 1e-4 of the output's scale)
on odd lengths (p=37, m=53), one query (p=1), fully masked rows, GQA groups 1/4/8, head dims
64 and 128, decode configs and other non-default configs. Inputs come from the variant cases
(page tables, segment ids, int8 caches...). Kernels are built once per (program, config) and
shared (0.3-1 s each); lengths are symbolic, so one build serves every length below.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from dataclasses import replace

import numpy as np
import pytest

tvm = pytest.importorskip("tvm")

import attncc  # noqa: E402
from attncc import variants  # noqa: E402
from attncc.errors import BoundsError  # noqa: E402
from attncc.errors import UnsupportedError  # noqa: E402
from attncc.ir.bind import bind  # noqa: E402
from attncc.targets.cpu import flash as cpu_flash  # noqa: E402
from attncc.targets.cpu import fused as cpu_fused  # noqa: E402
from attncc.targets.cpu.host import build_target  # noqa: E402
from attncc.targets.cpu.isa import AVX512  # noqa: E402
from attncc.targets.tvm import flash_spec  # noqa: E402
from tests.targets import flash_kernel  # noqa: E402
from tests.variants.cases import CASES  # noqa: E402 -- after the TVM skip

TOL = 1e-4  # max |err| relative to max(1, max |reference|)

#: What the fused lowering must cover, and the stretch goals it also covers.
COVERAGE = [
    "mha",
    "mha_causal",
    "gqa",
    "gqa_causal",
    "mqa",
    "mqa_causal",
    "causal_offset",
    "sliding_window",
    "sinks_window",
    "prefix_lm",
    "document",
    "document_causal",
    "tree_mask",
    "alibi",
    "softcap",
    "relative_bias",
    "temperature",
    "gqa_window_softcap",
]
STRETCH = ["fp16_kv", "int8_kv", "int8_kv_channel", "paged", "paged_causal", "tree_parent"]
#: No softmax: weights independent per key (``O = sum(m) W(S) V``).
WEIGHTED = [
    "sigmoid_attention",
    "sigmoid_attention_causal",
    "linear_causal",
    "linear_causal_identity_unnormalized",
]
#: QK in two parts (MLA: latent and RoPE dims), contracted concatenated.
PARTS = ["mla", "mla_causal"]
#: K / V rows chosen per query (a top-k gather): a tile per query.
PER_QUERY = ["topk_gather"]
FUSED = COVERAGE + STRETCH + WEIGHTED + PARTS + PER_QUERY
#: Several states and their merge written out (split_kv, cascade).
GENERIC = sorted(set(variants.CATALOGUE) - set(FUSED))


@dataclass(frozen=True)
class Shape:
    """The fields the variant cases read; ``h`` and ``g`` are free (GQA groups h / g)."""

    heads: str = "gqa"
    b: int = 2
    p: int = 37
    m: int = 53
    e: int = 24
    f: int = 20
    h: int = 6
    g: int = 3


WIDE = Shape()
DECODE = Shape(p=1, m=29)
HEADS = {"mha": (3, 3), "gqa": (6, 3), "mqa": (5, 1)}

_KERNELS: dict[tuple, attncc.Kernel] = {}


@pytest.fixture(scope="module", autouse=True)
def _avx512_blocks():
    """The configs below are sized for AVX-512's 32 registers of 16 lanes: the space and
    defaults are those of an AVX-512 build on every host (an AVX2 host builds the same
    kernels for its own CPU, where LLVM splits each 16-lane vector in two). The AVX2 space
    is tested in test_cpu_isa.py."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cpu_fused, "build_unit", lambda: AVX512)
        yield


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory):
    """Cold builds in a private cache: the timings of this module are the real ones."""
    old = os.environ.get("ATTNCC_CACHE_DIR")
    os.environ["ATTNCC_CACHE_DIR"] = str(tmp_path_factory.mktemp("fused-kernels"))
    yield
    if old is None:
        os.environ.pop("ATTNCC_CACHE_DIR", None)
    else:
        os.environ["ATTNCC_CACHE_DIR"] = old


def kernel(program, config: dict | None = None) -> attncc.Kernel:
    key = (program.text, tuple(sorted((config or {}).items())))
    if key not in _KERNELS:
        _KERNELS[key] = attncc.compile(program, "cpu", config=config)
    return _KERNELS[key]


def case(name: str, shape: Shape = WIDE, seed: int = 0):
    """(program, arguments) of a catalogue variant at ``shape``."""
    heads = name.split("_")[0]
    if heads in HEADS and heads != shape.heads:
        h, g = HEADS[heads]
        shape = replace(shape, heads=heads, h=h, g=g)
    program, kwargs, _ = CASES[name](np.random.default_rng(seed), shape, name=name)
    return program, kwargs


def check(kern: attncc.Kernel, program, kwargs) -> np.ndarray:
    want = attncc.interpret(program, **kwargs)
    got = kern(**kwargs)
    assert got.shape == want.shape and got.dtype == np.float32
    scale = max(1.0, float(np.max(np.abs(want), initial=0.0)))
    err = float(np.max(np.abs(got.astype(np.float64) - want), initial=0.0))
    assert err <= TOL * scale, f"{program.name}: off by {err:.3g} (scale {scale:.3g})"
    assert kern.config["lowering"] == "fused"
    return got


# ----------------------------------------------------------------------------- coverage


def test_plan_accepts_the_coverage_list_and_nothing_it_cannot_compute():
    catalogue = variants.catalogue()
    assert [n for n in FUSED if cpu_fused.plan(catalogue[n]) is None] == []
    assert [n for n in GENERIC if cpu_fused.plan(catalogue[n]) is not None] == []
    assert set(GENERIC) == {"split_kv", "split_kv_causal", "cascade"}


@pytest.mark.parametrize("name", FUSED)
def test_variant_matches_the_interpreter(name):
    """Default config, odd lengths, then one query: a decode build of its own (query lengths
    up to ``DECODE_QUERIES`` are fixed, with decode defaults), and another length reuses
    the first build."""
    program, kwargs = case(name)
    kern = kernel(program)
    check(kern, program, kwargs)
    program1, kwargs1 = case(name, DECODE, seed=1)
    check(kern, program1, kwargs1)
    check(kern, *case(name, replace(WIDE, p=9, m=70), seed=2))
    assert sorted(dict(k)["p"] or 0 for k in kern._builds) == [0, 1]


@pytest.mark.parametrize("name", ["split_kv", "cascade"])
def test_what_the_kernel_cannot_compute_falls_back_to_generic(name):
    """Cascades written with several states and their merge (several outputs)."""
    program, kwargs = case(name)
    assert cpu_fused.plan(program) is None
    kern = attncc.compile(program, "cpu")
    got, want = kern(**kwargs), attncc.interpret(program, **kwargs)
    assert kern.config["lowering"] == "generic" and set(got) == set(want)
    for out in want:
        np.testing.assert_allclose(got[out], want[out], atol=1e-4, rtol=1e-4)


def test_fully_masked_rows_are_zero():
    program, kwargs = case("causal_offset", replace(WIDE, p=37, m=20))
    out = check(kernel(program), program, kwargs)
    assert not out[:, :, :17].any() and out[:, :, 17:].any()  # row p sees keys m <= p - 17
    program, kwargs = case("document")
    out = check(kernel(program), program, kwargs)
    assert not out[0, :, -3:].any()  # queries of a document no key belongs to


@pytest.mark.parametrize(("h", "g"), [(4, 4), (8, 2), (8, 1)])
def test_gqa_groups(h, g):
    shape = replace(WIDE, h=h, g=g)
    program, kwargs = case("gqa_window_softcap", shape)
    check(kernel(program), program, kwargs)
    if h > g:  # rows of a tile are (query, head) pairs of one kv group
        packed = {"pack_gqa": True, "bq": 32, "rb": 4, "rbv": 4}
        check(kernel(program, packed), program, kwargs)


@pytest.mark.parametrize(("e", "f"), [(64, 64), (128, 128), (64, 128)])
def test_head_dims(e, f):
    program, kwargs = case("gqa_causal", replace(WIDE, e=e, f=f, m=70))
    check(kernel(program), program, kwargs)


CONFIGS = {
    "small-tiles": {"bq": 32, "bk": 32, "rb": 8, "rbv": 4, "pv_cols": 32, "parallel_over": "bh"},
    "split4": {"bq": 24, "bk": 32, "rb": 6, "rbv": 3, "split_kv": 4},
    "rows-packed": {
        "bq": 16,
        "rb": 4,
        "rbv": 4,
        "k_layout": "rows",
        "pack_gqa": True,
        "split_kv": 2,
    },
}


@pytest.mark.parametrize(
    ("name", "config"),
    [
        ("sliding_window", "small-tiles"),
        ("paged_causal", "split4"),
        ("int8_kv", "rows-packed"),
        ("relative_bias", "rows-packed"),
    ],
)
def test_non_default_configs(name, config):
    program, kwargs = case(name)
    kern = kernel(program, CONFIGS[config])
    check(kern, program, kwargs)
    check(kern, *case(name, replace(WIDE, p=3, m=140), seed=2))
    assert kern.config["bq"] == CONFIGS[config]["bq"]


def test_decode_config_on_a_paged_cache():
    """One query per head, the heads of a group as a tile's rows, K read as given, split KV."""
    shape = replace(WIDE, h=8, g=2)
    decode = {"bq": 4, "rb": 4, "rbv": 4, "pack_gqa": True, "k_layout": "rows", "split_kv": 2}
    program, kwargs = case("paged_causal", replace(shape, p=1, m=200))
    kern = kernel(program, decode)
    check(kern, program, kwargs)
    check(kern, *case("paged_causal", replace(shape, p=3, m=61), seed=1))


#: Work items that walk every head of a key tile (``parallel_over="bq"``), with and without
#: the tile gathered into a local copy first; one without pack_gqa (the query heads walked).
WALKS = {
    "walk-gather": {
        "bq": 4, "bk": 32, "rb": 4, "rbv": 2, "pack_gqa": True, "k_layout": "rows",
        "parallel_over": "bq", "gather_kv": True, "split_kv": 4,
    },
    "walk": {"bq": 8, "bk": 32, "rb": 4, "rbv": 4, "parallel_over": "bq", "split_kv": 2},
    "walk-gather-heads": {
        "bq": 8, "bk": 16, "rb": 4, "rbv": 4, "k_layout": "rows", "parallel_over": "bq",
        "gather_kv": True, "pack_gqa": False,
    },
}  # fmt: skip


@pytest.mark.parametrize("walk", sorted(WALKS))
@pytest.mark.parametrize("name", ["paged_causal", "paged", "gqa_causal", "document"])
def test_work_items_walking_every_head(name, walk):
    """Every head's state in one work item: decode, prefill with odd lengths (partial tiles,
    a tile past KVLEN), keys split across work items, and a mask that reads tensors."""
    kern = kernel(case(name)[0], WALKS[walk])
    shape = replace(WIDE, h=8, g=2)
    check(kern, *case(name, replace(shape, p=1, m=200)))
    check(kern, *case(name, replace(shape, p=37, m=61), seed=1))


def test_decode_on_a_page_pool_gathers_key_tiles():
    """A page pool (NHD: a page holds every head's keys) decodes a key tile at a time for
    every head, gathered front to back; a contiguous cache keeps a head per work item."""
    shape = replace(WIDE, h=8, g=2, p=1, m=200)
    paged = kernel(case("paged_causal", shape)[0])
    check(paged, *case("paged_causal", shape))
    assert kern_config(paged, shape)["parallel_over"] == "bq"
    assert kern_config(paged, shape)["gather_kv"] is True
    dense = kernel(case("gqa_causal", shape)[0])
    assert kern_config(dense, shape)["parallel_over"] == "bhq"
    assert kern_config(dense, shape)["gather_kv"] is False


def kern_config(kern: attncc.Kernel, shape: Shape) -> dict:
    """The config of the build ``kern`` makes for ``shape`` (decode has builds of its own)."""
    kern(**case(kern.program.name, shape)[1])
    return kern.config


def test_gather_needs_a_walk_over_heads():
    program, kwargs = case("paged")
    kern = attncc.compile(program, "cpu", config={"gather_kv": True, "parallel_over": "bhq"})
    with pytest.raises(UnsupportedError, match="gather_kv needs parallel_over='bq'"):
        kern(**kwargs)


# ----------------------------------------------------------------------------- half precision


@pytest.mark.parametrize("lowering", ["fused", "generic"])
def test_bf16_cache_is_read_in_place(lowering):
    """bf16 K / V: torch bfloat16 tensors go in as their 2-byte values (no float32 copy),
    float32 arrays are rounded first; both equal the interpreter."""
    torch = pytest.importorskip("torch")
    program = attncc.parse(variants.fp16_kv(causal=True).text.replace(": f16", ": bf16"))
    _, kwargs = case("fp16_kv")
    kwargs = {n: np.asarray(x, np.float32) for n, x in kwargs.items()}
    kern = kernel(program, {"lowering": lowering})
    want = attncc.interpret(program, **kwargs)
    np.testing.assert_allclose(kern(**kwargs), want, atol=TOL, rtol=0)
    assert kern.config["lowering"] == lowering
    as_torch = {n: torch.from_numpy(x) for n, x in kwargs.items()}
    as_torch["K"], as_torch["V"] = (as_torch[n].bfloat16() for n in "KV")
    got = kern(**as_torch)
    want = attncc.interpret(program, **as_torch)
    assert got.dtype == torch.float32
    np.testing.assert_allclose(got.numpy(), want, atol=TOL, rtol=0)


def _half_error(got: np.ndarray, want: np.ndarray, dtype: str) -> float:
    """The largest error in units in the last place of ``dtype`` at the reference value,
    less a float32 computation's own error (2e-6 of the output's scale: near zero, an f16
    subnormal ulp is 6e-8, below what float32 arithmetic resolves)."""
    bits = {"f16": 10, "bf16": 7}[dtype]
    tiny = {"f16": 2.0**-24, "bf16": 2.0**-133}[dtype]
    exponent = np.floor(np.log2(np.maximum(np.abs(want), 2.0**-126)))
    ulp = np.maximum(2.0 ** (exponent - bits), tiny)
    slack = 2e-6 * max(1.0, float(np.max(np.abs(want), initial=0.0)))
    err = np.maximum(np.abs(got.astype(np.float64) - want) - slack, 0.0)
    return float(np.max(err / ulp, initial=0.0))


HALF_CASES = [
    ("gqa_causal", WIDE),
    ("gqa_causal", DECODE),
    ("sliding_window", WIDE),
    ("document", WIDE),
    ("softcap", WIDE),
    ("paged", replace(DECODE, h=8, g=2, m=200)),
    ("paged_causal", WIDE),
    ("sigmoid_attention_causal", WIDE),
    ("mla_causal", DECODE),
]


@pytest.mark.parametrize("dtype", ["bf16", "f16"])
@pytest.mark.parametrize(("name", "shape"), HALF_CASES)
def test_half_precision_programs(name, shape, dtype):
    """``variants.in_dtype``: Q, K, V and O in bf16 / f16, float32 inside. The fused kernel
    equals the interpreter to one unit in the last place of the output (both round a
    float result once; the kernel's float32 may land on the other side of a tie). torch
    tensors go in and come back in that dtype."""
    torch = pytest.importorskip("torch")
    program, kwargs = case(name, shape)
    half = variants.in_dtype(program, dtype)
    tdt = {"bf16": torch.bfloat16, "f16": torch.float16}[dtype]
    floats = {d.name for d in program.inputs if d.dtype.is_float}
    given = {
        n: torch.from_numpy(np.asarray(x)).to(tdt) if n in floats else x for n, x in kwargs.items()
    }
    kern = kernel(half)
    got = kern(**given)
    assert kern.config["lowering"] == "fused" and got.dtype == tdt
    want = attncc.interpret(half, **given)
    assert _half_error(got.float().numpy(), np.asarray(want, np.float64), dtype) <= 1.0


def test_half_precision_plans_stay_f32_on_other_targets():
    from attncc.errors import LoweringError
    from attncc.lowering.plan import plan_attention
    from attncc.lowering.plan import require_plain

    found = plan_attention(variants.in_dtype(variants.gqa(causal=True), "bf16"))
    assert found is not None and str(found.q_dtype) == "bf16"
    with pytest.raises(LoweringError, match="reads Q and writes O in f32"):
        require_plain(found, "webgpu")
    found = plan_attention(variants.with_lse(variants.gqa(causal=True)))
    assert found is not None and found.lse == "LSE"
    with pytest.raises(LoweringError, match="writes no log-sum-exp"):
        require_plain(found, "cuda")


# ----------------------------------------------------------------------------- log-sum-exp


@pytest.mark.parametrize(
    ("name", "shape", "config"),
    [
        ("gqa_causal", WIDE, None),
        ("causal_offset", replace(WIDE, p=37, m=29), None),  # rows with no key: LSE 0
        ("sliding_window", WIDE, CONFIGS["split4"]),
        ("document", WIDE, WALKS["walk"]),
        ("paged", replace(DECODE, h=8, g=2, m=200), None),  # decode: split KV, gathered
        ("softcap", DECODE, CONFIGS["rows-packed"]),
    ],
)
def test_log_sum_exp_output(name, shape, config):
    """``variants.with_lse``: the fused kernel writes each row's log-sum-exp next to O, in
    one pass, split or not; equal to the interpreter (0 where a row sees no key)."""
    program, kwargs = case(name, shape)
    lse = variants.with_lse(program)
    kern = kernel(lse, config)
    got = kern(**kwargs)
    want = attncc.interpret(lse, **kwargs)
    assert kern.config["lowering"] == "fused" and set(got) == {"O", "LSE"}
    for out in ("O", "LSE"):
        scale = max(1.0, float(np.max(np.abs(want[out]))))
        np.testing.assert_allclose(got[out], want[out], atol=TOL * scale, rtol=0)


def test_log_sum_exp_of_nonfinite_scores():
    """Every present score -inf: NaN, as the reference (exp(-inf - -inf))."""
    program, kwargs = case("gqa_causal", DECODE)
    lse = variants.with_lse(program)
    kwargs = {**kwargs, "Q": np.full_like(kwargs["Q"], np.inf)}
    kwargs["K"] = np.full_like(kwargs["K"], -1.0)
    got, want = kernel(lse)(**kwargs), attncc.interpret(lse, **kwargs)
    np.testing.assert_array_equal(np.isnan(got["LSE"]), np.isnan(want["LSE"]))
    assert np.isnan(want["LSE"]).all()


# ----------------------------------------------------------------------------- helpers

#: Document ids counted from each document's first position (``OFFS``), for queries and
#: keys (two sums over ``j``, each read once per score: helpers the kernel computes first),
#: and a float sum (``CNT``: half the documents begun) added to the score.
_DOC_OFFSETS = """
program doc_offsets
input Q[b, h, p, e] : f32
input K[b, g, m, e] : f32
input V[b, g, m, f] : f32
input OFFS[b, j] : i32
let G = h / g
DQ[b, p] = sum(j) select(OFFS[b, j] <= p, 1, 0)
DK[b, m] = sum(j) select(OFFS[b, j] <= m, 1, 0)
CNT[b, m] = sum(j) select(OFFS[b, j] <= m, 0.5, 0.0)
S[b, h, p, m] = sum(e) Q[b, h, p, e] * K[b, h / G, m, e] * 0.25 where DQ[b, p] == DK[b, m]
T[b, h, p, m] = S[b, h, p, m] + CNT[b, m]
MX[b, h, p] = max(m) T[b, h, p, m]
E[b, h, p, m] = exp(T[b, h, p, m] - MX[b, h, p])
L[b, h, p] = sum(m) E[b, h, p, m]
O[b, h, p, f] = sum(m) E[b, h, p, m] * V[b, h / G, m, f] / L[b, h, p]
output O
"""


def _doc_offsets(rng, p: int, m: int, docs: int, b: int = 2, h: int = 6, g: int = 3):
    offs = np.stack(
        [np.sort(rng.choice(np.arange(1, m), docs - 1, replace=False)) for _ in range(b)]
    )
    return {
        "Q": rng.standard_normal((b, h, p, 16)).astype(np.float32),
        "K": rng.standard_normal((b, g, m, 16)).astype(np.float32),
        "V": rng.standard_normal((b, g, m, 8)).astype(np.float32),
        "OFFS": np.concatenate([np.zeros((b, 1), np.int64), offs], axis=1).astype(np.int32),
    }


@pytest.mark.parametrize("config", [None, CONFIGS["split4"], WALKS["walk"], WALKS["walk-gather"]])
def test_helper_statements_are_computed_by_the_kernel(config):
    """Sums over inputs that the mask and the score read are computed at the top of the
    kernel (no generic fallback); other lengths reuse the build, another number of
    documents (the sums' length) gets a build of its own."""
    program = attncc.parse(_DOC_OFFSETS)
    plan = cpu_fused.plan(program)
    assert [s.out for s in plan.helpers] == ["DQ", "DK", "CNT"] and "j" not in plan.symbolic
    kern = kernel(program, config)
    rng = np.random.default_rng(5)
    check(kern, program, _doc_offsets(rng, 37, 37, 3))
    check(kern, program, _doc_offsets(rng, 1, 50, 4))
    check(kern, program, _doc_offsets(rng, 29, 61, 3))
    assert "DQ = T.alloc_buffer" in kern.source


def test_tree_ancestors_are_computed_by_the_kernel():
    """tree_parent's ancestors (pointer chasing over PAR) are helpers: fused, with every
    ancestor level a buffer of the kernel, walking heads and split; a parent out of range
    is refused before the kernel runs."""
    program, kwargs = case("tree_parent")
    assert [s.out for s in cpu_fused.plan(program).helpers] == ["A2", "A3"]
    for config in (WALKS["walk"], CONFIGS["rows-packed"]):
        check(kernel(program, config), program, kwargs)
    hostile = {**kwargs, "PAR": np.full_like(kwargs["PAR"], 10**6)}
    with pytest.raises(BoundsError, match="PAR"):  # checked before the kernel runs
        kernel(program)(**hostile)


# ----------------------------------------------------------------------------- no softmax


@pytest.mark.parametrize("config", ["split4", "rows-packed", *(f"walk:{k}" for k in sorted(WALKS))])
def test_weighted_sums_without_softmax(config):
    """Sigmoid attention: the weights go straight into PV (no max, no rescale); split keys
    add up; walks over heads; odd lengths, one query, GQA packing."""
    cfg = WALKS[config[5:]] if config.startswith("walk:") else CONFIGS[config]
    program, kwargs = case("sigmoid_attention_causal", replace(WIDE, h=8, g=2))
    plan = cpu_fused.plan(program)
    assert plan.weight is not None and plan.predicate is not None
    kern = kernel(program, cfg)
    check(kern, program, kwargs)
    check(kern, *case("sigmoid_attention_causal", replace(WIDE, h=8, g=2, p=1, m=200), seed=1))
    check(kern, *case("sigmoid_attention_causal", replace(WIDE, h=8, g=2, p=37, m=61), seed=2))


_LINEAR_LATE = """
program linear_late
input Q[b, h, p, e] : f32
input K[b, h, m, e] : f32
input V[b, h, m, f] : f32
FQ[b, h, p, e] = select(Q[b, h, p, e] > 0, Q[b, h, p, e] + 1, exp(Q[b, h, p, e]))
FK[b, h, m, e] = select(K[b, h, m, e] > 0, K[b, h, m, e] + 1, exp(K[b, h, m, e]))
A[b, h, p, m] = sum(e) FQ[b, h, p, e] * FK[b, h, m, e] where m + 5 <= p
Z[b, h, p] = sum(m) A[b, h, p, m]
O[b, h, p, f] = sum(m) A[b, h, p, m] / Z[b, h, p] * V[b, h, m, f]
output O
"""


@pytest.mark.parametrize("config", [None, "rows", "walk-gather"])
def test_normalised_linear_attention(config):
    """Linear attention: the feature map of Q applied as the Q tile is copied, K's in its
    loads, the weights' running sum divides at the end; rows with no visible key are 0. A
    normalised sum is not split."""
    cfg = {
        None: None,
        "rows": {"bq": 16, "rb": 4, "rbv": 4, "k_layout": "rows"},
        "walk-gather": {**WALKS["walk-gather-heads"], "bq": 16, "split_kv": 1},
    }[config]
    program = attncc.parse(_LINEAR_LATE)
    plan = cpu_fused.plan(program)
    assert plan.q_map is not None and plan.match.normalized and plan.weight is not None
    kern = kernel(program, cfg)
    rng = np.random.default_rng(4)
    for p, m in ((37, 53), (1, 40), (9, 70)):
        kwargs = {
            "Q": rng.standard_normal((2, 4, p, 16)).astype(np.float32),
            "K": rng.standard_normal((2, 4, m, 16)).astype(np.float32),
            "V": rng.standard_normal((2, 4, m, 8)).astype(np.float32),
        }
        out = check(kern, program, kwargs)
        if p > 5:
            assert not out[:, :, :5].any()  # row p sees keys m <= p - 5
    with pytest.raises(UnsupportedError, match="not split"):
        attncc.compile(program, "cpu", config={"split_kv": 2})(**kwargs)


def test_weighted_sum_propagates_nonfinite_values():
    """A NaN score gives a NaN weight (sigmoid), an inf score weight 1: as the reference."""
    program, kwargs = case("sigmoid_attention")
    q = kwargs["Q"].copy()
    q[0, 0, 3, 0] = np.nan
    q[1, 2, 5] = np.inf
    want = attncc.interpret(program, **{**kwargs, "Q": q})
    got = kernel(program)(**{**kwargs, "Q": q})
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    np.testing.assert_allclose(got[ok], want[ok], atol=TOL * max(1.0, np.abs(want[ok]).max()))


# ----------------------------------------------------------------------------- QK in parts


def _mla_inputs(rng, p: int, m: int, d: int, a: int, h: int = 8, b: int = 2) -> dict:
    return {
        "QN": rng.standard_normal((b, h, p, d)).astype(np.float32),
        "QR": rng.standard_normal((b, h, p, a)).astype(np.float32),
        "CKV": rng.standard_normal((b, m, d)).astype(np.float32),
        "KR": rng.standard_normal((b, m, a)).astype(np.float32),
    }


#: MLA's heads all read one latent cache: a packed tile's rows are 8 heads of a query.
MLA_GATHER = {
    "bq": 8, "bk": 32, "rb": 4, "rbv": 4, "pack_gqa": True, "k_layout": "rows",
    "parallel_over": "bq", "gather_kv": True, "split_kv": 4,
}  # fmt: skip


@pytest.mark.parametrize(
    ("config", "d", "a"),
    [
        *((c, 64, 16) for c in (None, "split4", "walk:walk", "walk:walk-gather-heads", "gather")),
        (None, 40, 12),  # parts off vector bounds: K rows read through one select
        ("rows-packed", 40, 12),
    ],
)
def test_mla_contracts_its_two_parts_concatenated(config, d, a):
    """MLA's score adds the latent and the RoPE contraction: the kernel copies QN | QR into
    one float32 Q tile and reads CKV | KR as one K row (a loop per part where the parts
    fall on vector chunks); V is the latent cache. Prefill, decode, odd lengths."""
    cfg = WALKS[config[5:]] if config and config.startswith("walk:") else CONFIGS.get(config)
    cfg = MLA_GATHER if config == "gather" else cfg
    program = variants.mla(causal=True)
    plan = cpu_fused.plan(program)
    assert (plan.q, plan.qk_dim, [(q, r) for q, r, _ in plan.qk_parts]) == (
        "QN",
        "d",
        [("QR", "a")],
    )
    kern = kernel(program, cfg)
    rng = np.random.default_rng(7)
    for p, m in ((37, 53), (1, 200), (3, 61)):
        check(kern, program, _mla_inputs(rng, p, m, d, a))


# ----------------------------------------------------------------------------- keys per query


def _topk_inputs(rng, p: int, m: int, k: int, h: int = 8, g: int = 2, b: int = 2) -> dict:
    idx = rng.integers(0, m, size=(b, p, k)).astype(np.int32)  # repeats count twice
    idx[rng.random(idx.shape) < 0.3] = -1  # unused slots
    idx[0, 0] = -1  # a query with no key
    return {
        "Q": rng.standard_normal((b, h, p, 16)).astype(np.float32),
        "K": rng.standard_normal((b, g, m, 16)).astype(np.float32),
        "V": rng.standard_normal((b, g, m, 8)).astype(np.float32),
        "IDX": idx,
    }


@pytest.mark.parametrize(
    "config",
    [
        None,
        {"pack_gqa": False, "bq": 1, "rb": 1, "rbv": 1, "split_kv": 1},
        {"parallel_over": "bq", "gather_kv": True, "bk": 16, "split_kv": 2},
    ],
    ids=["default", "one-row", "walk-gather"],
)
def test_top_k_gather_reads_each_querys_keys(config):
    """``K[b, g, IDX[b, p, k], e]``: a tile holds one query (the heads of a group), its K and
    V rows gathered by the query's slots; unused slots (-1) masked, repeated keys counted
    twice as in the reference, prefill and decode, split keys."""
    program = variants.topk_gather()
    spec = cpu_fused._render(cpu_fused.plan(program), {r: None for r in "bhgpmkef"})[1]
    assert spec.kv_by_query and "{p}" in spec.k_load
    kern = kernel(program, config)
    rng = np.random.default_rng(11)
    for p, m, k in ((37, 53, 24), (1, 300, 64), (5, 61, 7)):
        check(kern, program, _topk_inputs(rng, p, m, k))


def test_tiles_of_several_queries_cannot_gather_per_query():
    program, kwargs = case("topk_gather")
    with pytest.raises(UnsupportedError, match="one query a tile"):
        attncc.compile(program, "cpu", config={"bq": 16, "k_layout": "tiles"})(**kwargs)


# ----------------------------------------------------------------------------- head mapping

_HEADS_PROGRAM = """
program heads_{name}
input Q[b, h, p, e] : f32
input K[b, g, m, e] : f32
input V[b, g, m, f] : f32
{lets}
S[b, h, p, m] = sum(e) Q[b, h, p, e] * K[b, {kv}, m, e] * 0.25 where m <= p
MX[b, h, p] = max(m) S[b, h, p, m]
E[b, h, p, m] = exp(S[b, h, p, m] - MX[b, h, p])
L[b, h, p] = sum(m) E[b, h, p, m]
O[b, h, p, f] = sum(m) E[b, h, p, m] * V[b, {kv}, m, f] / L[b, h, p]
output O
"""


@pytest.mark.parametrize(
    ("name", "lets", "kv", "h", "g", "direct"),
    [
        ("literal_group", "let R = 2", "h / R", 6, 3, True),  # grp 2 = h / g: K as it is
        ("misnamed_group", "let G = g", "h / G", 6, 3, False),  # reads kv heads 0, 1 of 3
        ("modulo", "let NG = g", "h % NG", 6, 3, False),  # not a grouping: kv head = query head
        ("mqa_wide_cache", "", "0", 4, 2, False),  # every head reads head 0 of 2
    ],
)
def test_head_mapping_is_read_from_index_expressions(name, lets, kv, h, g, direct):
    program = attncc.parse(_HEADS_PROGRAM.format(name=name, lets=lets, kv=kv))
    rng = np.random.default_rng(3)
    kwargs = {
        "Q": rng.standard_normal((2, h, 19, 16)).astype(np.float32),
        "K": rng.standard_normal((2, g, 23, 16)).astype(np.float32),
        "V": rng.standard_normal((2, g, 23, 8)).astype(np.float32),
    }
    kern = kernel(program)
    check(kern, program, kwargs)
    assert ("K = T.match_buffer(k_h" in kern.source) == direct


def test_guarded_reads_outside_a_tensor_stay_in_bounds():
    """``MASK[b, p, m - OFF]`` is read only where ``m >= OFF``: the first conjunct guards the
    second, which the kernel evaluates everywhere (vectorised), with the index clamped."""
    text = variants.tree_mask().text.replace(
        "m < OFF or MASK[b, p, max(m - OFF, 0)]", "m >= OFF and MASK[b, p, m - OFF]"
    )
    assert text != variants.tree_mask().text
    program = attncc.parse(text)
    _, kwargs = case("tree_mask")
    check(kernel(program), program, kwargs)


# ----------------------------------------------------------------------------- interface


def test_lowering_meta_and_symbolic_lengths():
    program, kwargs = case("paged_causal")
    plan = cpu_fused.plan(program)
    assert {"p", "m"} <= set(plan.symbolic) and not {"b", "h", "g", "e", "f"} & set(plan.symbolic)
    extents = bind(program, shapes={k: np.shape(v) for k, v in kwargs.items()}).extents
    fixed = {r: (None if r in plan.symbolic else n) for r, n in extents.items()}
    config = {k.name: k.initial for k in cpu_fused.knobs(plan, fixed)}
    src = cpu_fused.lower(plan, config, fixed)
    assert src.meta["lowering"] == "fused" and src.meta["program"] is program
    assert src.meta["config"]["lowering"] == "fused"
    assert src.meta["llvm_target"] == build_target()
    roles = [(a.name, a.role) for a in src.meta["args"]]
    assert roles[:2] == [("Q", "input"), ("O", "output")]  # K and V load through hooks
    assert {("PT", "input"), ("KC", "input"), ("VC", "input"), ("m", "param")} <= set(roles)
    assert src.extents["p"] is None and src.extents["m"] is None


def test_knobs_default_to_the_suggested_config_and_constraints_explain():
    program, _ = case("sliding_window")
    plan = cpu_fused.plan(program)
    ext = {"b": 1, "h": 8, "g": 2, "p": None, "m": None, "e": 64, "f": 64}
    knobs = {k.name: k for k in cpu_fused.knobs(plan, ext)}
    spec = flash_spec.FlashSpec(B=1, H=8, HK=2, D=64, DV=64, **flash_kernel.sliding_window("W"))
    want = cpu_flash.suggest_config(spec)
    assert (knobs["bq"].initial, knobs["bk"].initial) == (want.bq, want.bk)
    assert (knobs["rb"].initial, knobs["rbv"].initial) == (want.rb, want.rbv)
    assert knobs["pack_gqa"].choices == (False, True)
    space = attncc.targets.get_target("cpu").space(program, ext)
    assert space.default()["lowering"] == "fused"
    assert "row blocks" in space.why_infeasible({"bq": 16, "rb": 6})
    assert "register budget" in space.why_infeasible({"bq": 48, "bk": 64, "rb": 8})
    space3 = attncc.targets.get_target("cpu").space(program, {**ext, "h": 6})  # groups of 3
    assert "pack_gqa" in space3.why_infeasible({"bq": 16, "rb": 4, "rbv": 4, "pack_gqa": True})
    with pytest.raises(UnsupportedError, match="register budget"):
        attncc.compile(program, "cpu", config={"bq": 48, "bk": 64, "rb": 8})(
            **case(program.name)[1]
        )


def test_flash_load_hooks_and_length_argument():
    """cpu_flash: hooked K / V are no arguments; M comes last when no buffer binds it."""
    spec = flash_spec.FlashSpec(
        B=1,
        H=4,
        HK=2,
        D=16,
        DV=8,
        scale=0.25,
        tensors=(
            flash_spec.Tensor("KH", ("B", "HK", "NM", "D"), "float16"),
            flash_spec.Tensor("VH", ("B", "HK", "NM", "DV"), "float16"),
        ),
        k_load='T.Cast("float32", KH[{b}, {g}, {m}, {d}])',
        v_load='T.Cast("float32", VH[{b}, {g}, {m}, {f}])',
        **flash_kernel.causal(),
    )
    assert flash_spec.signature(spec) == ("q", "o", "KH", "VH", "M")
    rng = np.random.default_rng(0)
    q = rng.standard_normal((1, 4, 13, 16)).astype(np.float32)
    k = rng.standard_normal((1, 2, 20, 16)).astype(np.float16)
    v = rng.standard_normal((1, 2, 20, 8)).astype(np.float16)
    cfg = cpu_flash.FlashConfig(bq=6, bk=16, rb=3, rbv=3)
    got = flash_kernel.build(spec, cfg)(q, None, None, k, v, M=20)
    plain = replace(spec, tensors=(), k_load=None, v_load=None)
    want = flash_kernel.build(plain, cfg)(q, k.astype(np.float32), v.astype(np.float32))
    np.testing.assert_allclose(got, want, atol=1e-6)


@pytest.mark.parametrize("lowering", ["fused", "generic"])
def test_inputs_at_any_alignment_are_used_in_place(monkeypatch, lowering):
    """Inputs off a 64-byte boundary (numpy's large arrays usually are) go to the kernel
    without a copy -- only the output is allocated -- and give the reference's result."""
    from attncc.targets.cpu import target as cpu_target

    program, kwargs = case("gqa_causal")
    kern = kernel(program, {"lowering": lowering})
    shifted = {}
    for name, x in kwargs.items():
        raw = np.empty(x.size + 1, x.dtype)
        view = raw[1:].reshape(x.shape)  # 4 bytes past the allocation: never 64-aligned
        view[...] = x
        shifted[name] = view
    assert all(x.ctypes.data % 64 for x in shifted.values())
    allocations = []
    real = cpu_target._aligned_empty
    monkeypatch.setattr(cpu_target, "_aligned_empty", lambda *a: allocations.append(a) or real(*a))
    got = kern(**shifted)
    assert len(allocations) == 1  # the output
    np.testing.assert_allclose(got, attncc.interpret(program, **kwargs), atol=TOL, rtol=TOL)
