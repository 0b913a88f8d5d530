"""The variant catalogue: every program validates, round-trips, and matches torch.

Each reference below is an independent torch formulation in float64 (SDPA with an explicit
mask, or plain torch code) written from the variant's definition, never from attncc. Inputs
are generated in their declared dtype (f32, f16, i8, ...) and upcast for torch, so the
interpreter (which computes in float64) and torch see the same values.
"""

from __future__ import annotations

import zlib
from dataclasses import replace

import numpy as np
import pytest
import torch

from attncc import variants
from attncc.errors import ArgumentError
from attncc.ir.bind import bind
from attncc.ir.bounds import check_bounds
from attncc.ir.nodes import Program
from attncc.ir.validate import validate
from tests.variants.cases import CASES
from tests.variants.cases import DECODE
from tests.variants.cases import WIDE
from tests.variants.cases import _causal_offset
from tests.variants.cases import _document
from tests.variants.cases import _fp16_kv
from tests.variants.cases import _int8_kv
from tests.variants.cases import _paged
from tests.variants.cases import _sliding_window
from tests.variants.cases import _split_kv
from tests.variants.cases import _topk_gather
from tests.variants.cases import dense_inputs
from tests.variants.cases import dense_qkv
from tests.variants.cases import sdpa

REQUIRED = {
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
    "tree_parent",
    "alibi",
    "softcap",
    "relative_bias",
    "temperature",
    "gqa_window_softcap",
    "paged",
    "int8_kv",
    "topk_gather",
    "mla",
    "sigmoid_attention",
    "linear_causal",
    "split_kv",
    "cascade",
}

LEGEND = set("bhgpmef") | set("trkunjcsda")

RTOL, ATOL = 1e-6, 1e-7


def _interpret():
    mod = pytest.importorskip("attncc.ir.interpreter", reason="the interpreter is not there yet")
    return mod.interpret


# ------------------------------------------------------------------------------- checks


def check(program: Program, kwargs: dict, want) -> dict[str, np.ndarray]:
    got = _interpret()(program, **kwargs)
    if not isinstance(want, dict):
        want = {program.outputs[0]: want}
    if not isinstance(got, dict):
        got = {program.outputs[0]: got}
    assert set(got) == set(want)
    for name, w in want.items():
        np.testing.assert_allclose(
            np.asarray(got[name], dtype=np.float64),
            w.numpy(),
            rtol=RTOL,
            atol=ATOL,
            err_msg=f"{program.name}: output {name}",
        )
    return got


def test_catalogue_covers_the_required_variants():
    assert not REQUIRED - set(variants.CATALOGUE), "missing required variants"
    assert set(CASES) == set(variants.CATALOGUE), "every catalogue entry has a torch case"


def test_catalogue_names_its_programs():
    for name, program in variants.catalogue().items():
        assert program.name == name


@pytest.mark.parametrize("name", sorted(variants.CATALOGUE))
def test_program_validates_and_round_trips(name):
    from attncc.ir.parser import parse

    program = variants.CATALOGUE[name]()
    validate(program)
    again = parse(str(program))
    assert again == program
    assert again.doc == program.doc
    assert str(again) == str(program)


@pytest.mark.parametrize("name", sorted(variants.CATALOGUE))
def test_program_documents_itself_and_follows_the_rank_legend(name):
    program = variants.CATALOGUE[name]()
    assert program.doc, "a program says what it computes"
    for inp in program.inputs:
        assert inp.name in program.doc, f"the doc names input {inp.name}"
        assert set(inp.ranks) <= LEGEND, f"{inp.name}{list(inp.ranks)} uses the legend"
    q = program.input("Q")
    if q is not None:
        assert q.ranks == ("b", "h", "p", "e")
    for line in str(program).splitlines():
        if line.startswith("#"):
            assert len(line) <= 100


@pytest.mark.parametrize("shape", [WIDE, DECODE], ids=["p37_m53", "p1_m53"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name, shape):
    rng = np.random.default_rng(zlib.crc32(f"{name}/{shape.p}".encode()))
    program, kwargs, want = CASES[name](rng, shape, name=name)
    check(program, kwargs, want)


@pytest.mark.parametrize("name", sorted(CASES))
def test_indices_stay_in_bounds(name):
    program, kwargs, _ = CASES[name](np.random.default_rng(0), WIDE, name=name)
    arrays = {k: v for k, v in kwargs.items() if isinstance(v, np.ndarray)}
    params = {k: v for k, v in kwargs.items() if not isinstance(v, np.ndarray)}
    check_bounds(program, bind(program, shapes=arrays, params=params))


# Head mappings of the builders whose catalogue entries are GQA only.
HEAD_SWEEP = [
    "causal_offset",
    "sliding_window",
    "document_causal",
    "tree_parent",
    "alibi",
    "paged_causal",
    "int8_kv",
    "topk_gather",
    "linear_causal",
    "split_kv_causal",
    "cascade",
]


@pytest.mark.parametrize("heads", ["mha", "mqa"])
@pytest.mark.parametrize("name", HEAD_SWEEP)
def test_other_head_mappings_match_torch(name, heads):
    shape = replace(WIDE, heads=heads, p=13, m=29)
    program, kwargs, want = CASES[name](np.random.default_rng(1), shape, name=name)
    kv_ranks = {r for i in program.inputs for r in i.ranks}
    assert ("g" in kv_ranks) == (heads != "mha")
    check(program, kwargs, want)


# ------------------------------------------------------------------- fully masked rows


def _rows_are_zero(out: np.ndarray, rows) -> None:
    assert np.all(np.asarray(out)[rows] == 0.0)


def test_causal_offset_with_more_queries_than_keys_gives_zero_rows():
    s = replace(WIDE, p=53, m=37)
    program, kwargs, want = _causal_offset(np.random.default_rng(2), s)
    got = check(program, kwargs, want)["O"]
    _rows_are_zero(got, (slice(None), slice(None), slice(0, 16)))
    assert np.all(np.abs(got[:, :, 16:]).sum(-1) > 0)


def test_sliding_window_past_the_keys_gives_zero_rows():
    s = replace(WIDE, p=53, m=37)
    program, kwargs, want = _sliding_window(np.random.default_rng(3), s)
    got = check(program, kwargs, want)["O"]
    _rows_are_zero(got, (slice(None), slice(None), slice(37 + 7 - 1, None)))


def test_document_without_keys_gives_zero_rows():
    program, kwargs, want = _document(np.random.default_rng(4), WIDE, name="document_causal")
    got = check(program, kwargs, want)["O"]
    _rows_are_zero(got, (0, slice(None), slice(-3, None)))


def test_paged_empty_sequence_gives_zero_rows():
    program, kwargs, want = _paged(np.random.default_rng(5), WIDE, kvlen=[0, 41])
    got = check(program, kwargs, want)["O"]
    _rows_are_zero(got, 0)


def test_paged_never_reads_page_table_entries_past_the_sequence():
    """Entries past a sequence's last page may be garbage (-1 here); the filter guards them."""
    program, kwargs, want = _paged(np.random.default_rng(6), WIDE, kvlen=[12, 41])
    kwargs["PT"] = kwargs["PT"].copy()
    kwargs["PT"][0, 3:] = -1
    kwargs["PT"][1, 9:] = -1
    check(program, kwargs, want)


def test_topk_query_with_no_key_gives_zero_row():
    program, kwargs, want = _topk_gather(np.random.default_rng(7), WIDE)
    got = check(program, kwargs, want)["O"]
    _rows_are_zero(got, (0, slice(None), 0))


def test_split_kv_state_of_masked_rows_and_chunks():
    """Causal split-KV with p > m: whole chunks and whole rows are masked."""
    s = replace(WIDE, p=45, m=29)
    program, kwargs, want = _split_kv(np.random.default_rng(8), s, name="split_kv_causal")
    got = check(program, {**kwargs, "CH": 5}, want)
    _rows_are_zero(got["O"], (slice(None), slice(None), slice(0, 16)))
    _rows_are_zero(got["LSE"], (slice(None), slice(None), slice(0, 16)))


@pytest.mark.parametrize("chunk", [1, 7, 53, 64])
def test_split_kv_any_chunk_size(chunk):
    program, kwargs, want = _split_kv(np.random.default_rng(9), replace(WIDE, p=5), chunk=chunk)
    check(program, kwargs, want)


# --------------------------------------------------------------------- other options


def test_tree_parent_deeper_bound_and_chains():
    """A chain (each node the child of the previous) needs depth p - 1 to see its root."""
    s = replace(WIDE, p=9, m=20)
    rng = np.random.default_rng(10)
    x = dense_inputs(rng, s)
    par = np.tile(np.arange(-1, s.p - 1, dtype=np.int32), (s.b, 1))
    chain = torch.ones(s.p, s.p, dtype=torch.bool).tril()  # every earlier node is an ancestor
    visible = torch.cat([torch.ones(s.p, s.m - s.p, dtype=torch.bool), chain], 1)
    want = sdpa(*dense_qkv(x), visible=visible)
    check(variants.tree_parent(depth=s.p - 1), {**x, "PAR": par}, want)


@pytest.mark.parametrize("causal", [False, True])
def test_quantised_kv_causal(causal):
    s = replace(WIDE, p=11)
    check(*_int8_kv(np.random.default_rng(11), s, name="int8_kv_channel", causal=causal))
    check(*_fp16_kv(np.random.default_rng(12), s, causal=causal))


def test_design_example_is_gqa_window_softcap():
    from attncc.ir.parser import parse

    text = """
program gqa_window_softcap
input  Q[b, h, p, e]  : f32
input  K[b, g, m, e]  : f32
input  V[b, g, m, f]  : f32
param  cap : f32 = 50.0
param  W   : i32 = 4096
let    G = h / g
let    scale = 1 / sqrt(e)

S[b,h,p,m]  = sum(e) Q[b,h,p,e] * K[b,h/G,m,e] * scale
T[b,h,p,m]  = cap * tanh(S[b,h,p,m] / cap)  where p >= m and p - m < W
MX[b,h,p]   = max(m) T[b,h,p,m]
E[b,h,p,m]  = exp(T[b,h,p,m] - MX[b,h,p])
L[b,h,p]    = sum(m) E[b,h,p,m]
O[b,h,p,f]  = sum(m) E[b,h,p,m] * V[b,h/G,m,f] / L[b,h,p]
output O
"""
    assert parse(text) == variants.gqa_window_softcap()


@pytest.mark.parametrize(
    ("build", "kwargs"),
    [
        (variants.attention, {"heads": "mla"}),
        (variants.sliding_window, {"window": 0}),
        (variants.sinks_window, {"sinks": -1}),
        (variants.tree_parent, {"depth": 0}),
        (variants.int8_kv, {"scales": "block"}),
        (variants.linear_causal, {"feature": "relu"}),
        (variants.split_kv, {"chunk": 2.5}),
    ],
)
def test_bad_options_raise(build, kwargs):
    with pytest.raises(ArgumentError, match="must be"):
        build(**kwargs)


def test_options_change_the_name():
    assert variants.sliding_window(heads="mha", offset=True).name == "sliding_window_mha_offset"
    assert variants.tree_parent(depth=6).name == "tree_parent_d6"
    assert variants.alibi(causal=False).name == "alibi_bidir"
    assert variants.relative_bias(causal=True).name == "relative_bias_causal"
