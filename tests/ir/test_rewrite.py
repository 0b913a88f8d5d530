"""IR rewrites: inlining, the pass list and split-KV, each checked against the interpreter.

The interpreter defines the semantics: a rewrite is correct when the rewritten program
validates and interprets to the same outputs as the original, on odd shapes, with masks
that leave rows (and whole chunks) without any visible key. ``catalogue_inputs`` builds
valid inputs for every catalogue program (``test_rewrite_online`` imports it).
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from attncc import variants
from attncc.errors import ArgumentError
from attncc.ir.builder import ProgramBuilder
from attncc.ir.builder import exp
from attncc.ir.interpreter import interpret
from attncc.ir.nodes import Program
from attncc.ir.parser import parse
from attncc.ir.printer import format_stmt
from attncc.ir.rewrites import PASSES
from attncc.ir.rewrites import inline
from attncc.ir.rewrites import match_attention
from attncc.ir.rewrites import run_passes
from attncc.ir.rewrites import split_kv
from attncc.ir.rewrites import split_kv_pass
from attncc.ir.validate import validate

CATALOGUE = variants.catalogue()
SOFTMAX = sorted(n for n in CATALOGUE if not n.startswith(("sigmoid", "linear")))

PARAMS = {"W": 4, "SINKS": 2, "P_LEN": 3, "cap": 1.5, "tau": 0.7, "CH": 4}


# ----------------------------------------------------------------------------- inputs


def extents(program: Program, p: int, m: int) -> dict[str, int]:
    ext = dict(b=2, h=6, g=3, p=p, m=m, e=8, f=5, k=5, s=6, d=12, a=4, t=p, r=p + m - 1)
    if "mqa" in program.name:
        ext["g"] = 1
    if program.input("KC") is not None:  # paged: m = j * P keys in pages of P = n slots
        ext.update(n=4, j=-(-m // 4))
        ext.update(m=ext["j"] * 4, u=ext["b"] * ext["j"] + 3)
    return ext


def _special(name: str, shape, ext, rng) -> np.ndarray | None:
    b = ext["b"]
    if name == "PT":
        return rng.permutation(ext["u"])[: b * ext["j"]].reshape(shape).astype(np.int32)
    if name == "KVLEN":  # a ragged sequence and an empty one (fully masked rows)
        return np.array([ext["m"] - 3, 0][:b], np.int32)
    if name == "IDX":
        idx = rng.integers(0, ext["m"], shape)
        idx[rng.random(shape) < 0.3] = -1
        idx[0, 0, :] = -1  # a query with no key at all
        return idx.astype(np.int32)
    if name in ("SQ", "SK"):
        ids = np.sort(rng.integers(0, 3, shape), axis=-1)
        if name == "SQ":
            ids[0, -1] = 9  # a document with no key
        return ids.astype(np.int32)
    if name == "MASK":
        return rng.random(shape) < 0.4
    if name == "PAR":
        return np.array(
            [[rng.integers(-1, i) for i in range(shape[1])] for _ in range(b)], np.int32
        )
    if name in ("KS", "VS"):
        return rng.uniform(0.002, 0.02, shape).astype(np.float32)
    return None


def catalogue_inputs(program: Program, rng: np.random.Generator, p: int = 7, m: int = 13):
    """Valid arguments (arrays and params) for a catalogue program: odd extents,
    fully masked rows where the variant allows them."""
    ext = extents(program, p, m)
    args: dict[str, object] = {}
    for d in program.inputs:
        shape = tuple(ext[r] for r in d.ranks)
        arr = _special(d.name, shape, ext, rng)
        if arr is None:
            if d.dtype.is_int:
                arr = rng.integers(-127, 128, shape).astype(np.int8)
            else:
                arr = rng.standard_normal(shape)
                arr = arr.astype(np.float16 if str(d.dtype) == "f16" else np.float32)
        args[d.name] = arr
    args.update({q.name: PARAMS[q.name] for q in program.params if q.name in PARAMS})
    return args


def rng_for(*key: object) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32("/".join(map(str, key)).encode()))


def as_dict(program: Program, got) -> dict[str, np.ndarray]:
    return got if isinstance(got, dict) else {program.outputs[0]: got}


def assert_same(a: Program, b: Program, args: dict, rtol: float = 0.0, atol: float = 0.0):
    want, got = as_dict(a, interpret(a, **args)), as_dict(b, interpret(b, **args))
    assert set(got) == set(want)
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=rtol, atol=atol, err_msg=name)


# ----------------------------------------------------------------------------- inline


@pytest.mark.parametrize("p", [7, 1])
@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_inline_keeps_the_semantics_of_the_catalogue(name, p):
    program = CATALOGUE[name]
    out = inline(program)
    validate(out)
    assert parse(str(out)) == out
    assert inline(out) == out, "inlining is a fixed point"
    assert_same(program, out, catalogue_inputs(program, rng_for(name, p), p=p), rtol=1e-12)


@pytest.mark.parametrize("name", SOFTMAX)
def test_inline_removes_the_exponentials(name):
    out = inline(CATALOGUE[name])
    for tensor in ("E", "EC", "EP", "EU", "T", "W", "LSEC"):
        assert out.stmt(tensor) is None, f"{tensor} is a map read once by each reader"


def test_inline_never_duplicates_an_expression():
    """A map read twice by one statement stays (the cascade merge: WA, WB; tree ancestors)."""
    cascade = inline(CATALOGUE["cascade"])
    assert cascade.stmt("WA") is not None and cascade.stmt("WB") is not None
    assert cascade.stmt("MM") is None  # read once by each of WA, WB, LSE
    assert "log(LP" not in format_stmt(cascade.stmt("WA")), "LSEP stays: WA would read it twice"
    tree = inline(CATALOGUE["tree_parent"])
    assert [s.out for s in tree.stmts][:2] == ["A2", "A3"]


def _absence_program() -> Program:
    pb = ProgramBuilder("absence")
    A = pb.input("A", "p")
    B = pb.input("B", "p m")
    p, m = pb.ranks("p m")
    X = pb.stmt("X", "p m", B[p, m] * 2, where=A[p] > 0)  # rows with A <= 0 are absent
    Y = pb.stmt("Y", "p m", X[p, m] + 1)  # a map reading an absent element is absent
    Z = pb.sum("Z", "p", exp(Y[p, m]), over="m")  # a reduction skips it
    MX = pb.max("MX", "p", Y[p, m] * 3, over="m", where=m > 0)
    pb.output(Z, MX)
    return pb.build()


def test_inline_conjoins_the_filter_of_a_map():
    program = _absence_program()
    out = inline(program)
    assert [s.out for s in out.stmts] == ["Z", "MX"]
    assert str(out.stmt("Z").where) == "A[p] > 0"
    assert str(out.stmt("MX").where) == "m > 0 and A[p] > 0"
    rng = np.random.default_rng(0)
    args = {"A": rng.standard_normal(6).astype(np.float32), "B": rng.standard_normal((6, 5))}
    args["A"][[1, 4]] = -1.0
    args["B"] = args["B"].astype(np.float32)
    assert_same(program, out, args)
    z = interpret(out, **args)["Z"]
    assert z[1] == 0 and z[4] == 0 and np.all(z[[0, 2, 3, 5]] > 0)


def test_inline_puts_the_filter_before_the_conjunct_it_guards():
    """``X[q] = A[q] where q < NA``: the guard must precede ``X[q] > 0`` in the reader."""
    program = parse(
        """program guard
input A[i] : f32
input B[q] : f32
let NA = i

X[q] = A[q] where q < NA
R[q] = B[q] where B[q] > -10.0 and X[q] > 0.0
output R
"""
    )
    out = inline(program)
    assert str(out.stmt("R").where) == "B[q] > -10.0 and q < NA and A[q] > 0.0"
    args = {"A": np.array([1.0, -1.0, 2.0], np.float32), "B": np.arange(6, dtype=np.float32)}
    assert_same(program, out, args)


def test_inline_casts_a_rounding_store():
    program = parse(
        """program rounding
input A[p] : f32
X[p] : f16 = A[p] * 3.0
Y[p] = X[p] + 1.0
output Y
"""
    )
    out = inline(program)
    assert str(out.stmt("Y").value) == "f16(A[p] * 3.0) + 1.0"
    args = {"A": np.float32([0.1, 1 / 3, 1e-3, 7.77])}
    assert_same(program, out, args)
    assert not np.allclose(interpret(out, **args), args["A"] * 3 + 1, rtol=1e-7)


def test_inline_keeps_outputs_dead_maps_and_used_reduction_ranks():
    program = parse(
        """program keep
input A[p] : f32
input B[p, m] : f32
X[p, m] = A[p] * 2.0
D[p] = B[p, 0] + 1.0
Y[p] = sum(m) X[p, m]
Z[p] = Y[p] * 2.0
T[p, m] = B[p, m] - B[p, m - 1] where m > 0
U[p] = sum(m) T[p, m] * T[p, m]
output Y, Z, U
"""
    )
    out = inline(program)
    names = [s.out for s in out.stmts]
    assert "X" in names, "sum(m) X[p, m] would not use m once X[p, m] = A[p] is inlined"
    assert "D" in names, "a dead map stays (it may be the only reader of an input)"
    assert "Z" in names, "outputs stay"
    assert "T" in names, "read twice by U"
    rng = np.random.default_rng(1)
    args = {"A": rng.standard_normal(4).astype(np.float32)}
    args["B"] = rng.standard_normal((4, 3)).astype(np.float32)
    assert_same(program, out, args)


def test_inline_reads_at_another_point_and_in_an_index():
    program = parse(
        """program shifted
input A[p, m] : f32
input IX[p] : i32
let M = m
J[p] = IX[p] % M
X[p, m] = A[p, m] * 2.0 where m > 0
Y[p] = sum(m) X[p, m - 1] * A[p, J[p]] where m > 1
output Y
"""
    )
    out = inline(program)
    assert [s.out for s in out.stmts] == ["Y"]
    assert str(out.stmt("Y").where) == "m > 1 and m - 1 > 0"
    args = {"A": np.random.default_rng(2).standard_normal((3, 5)).astype(np.float32)}
    args["IX"] = np.array([7, -2, 3], np.int32)
    assert_same(program, out, args)


# ----------------------------------------------------------------------------- passes


def test_passes_are_a_flat_list_of_named_functions():
    assert [name for name, _ in PASSES] == ["inline"]
    program = CATALOGUE["softcap"]
    seen = []
    out = run_passes(program, trace=lambda name, p: seen.append((name, p)))
    assert out == inline(program) and [n for n, _ in seen] == ["inline"]
    assert run_passes(program, upto="inline") == out
    with pytest.raises(ArgumentError, match=r"unknown pass 'fuse'.*inline"):
        run_passes(program, upto="fuse")
    both = run_passes(program, passes=(*PASSES, split_kv_pass(3)))
    assert both.stmt("LSEC") is not None
    assert (
        run_passes(CATALOGUE["sigmoid_attention"], passes=[split_kv_pass(3)])
        == (CATALOGUE["sigmoid_attention"])
    )


# ----------------------------------------------------------------------------- split-KV

SPLIT = [
    "gqa",
    "mha_causal",
    "mqa_causal",
    "causal_offset",
    "sliding_window",
    "sinks_window",
    "prefix_lm",
    "document_causal",
    "tree_parent",
    "softcap",
    "alibi",
    "relative_bias",
    "paged_causal",
    "int8_kv_channel",
    "fp16_kv",
    "topk_gather",
    "mla_causal",
    "split_kv_causal",
    "cascade",
]


@pytest.mark.parametrize("p", [1, 5])
@pytest.mark.parametrize("name", SPLIT)
def test_split_kv_equals_the_original(name, p):
    """Chunks of 13, 7 (not dividing 13 keys), 3 and 1 key: 20 chunks leave 7 empty, and
    causal / window masks leave whole chunks without a visible key."""
    program = CATALOGUE[name]
    args = catalogue_inputs(program, rng_for("split", name, p), p=p)
    for match in match_attention(program):
        for chunks in (1, 2, 5, 20):
            out = split_kv(program, match, chunks)
            assert not set(match.stmts) & {s.out for s in out.stmts} - set(match.produced)
            assert_same(program, out, args, rtol=2e-6, atol=2e-6)


def test_split_kv_of_an_inlined_program_writes_max_and_sum():
    program = inline(CATALOGUE["split_kv"])
    first = match_attention(program)[0]
    assert {(x.name, x.kind) for x in first.extras} == {("MXC", "max"), ("LC", "sum")}
    out = split_kv(program, first, 3)
    args = catalogue_inputs(program, rng_for("inlined split"), p=5)
    assert_same(program, out, args, rtol=2e-6, atol=2e-6)


def test_split_kv_of_unnormalised_and_deferred_outputs():
    from test_rewrite_online import deferred
    from test_rewrite_online import unnormalised

    for program in (deferred(), unnormalised()):
        (match,) = match_attention(program)
        args = catalogue_inputs(program, rng_for(program.name), p=5)
        for chunks in (2, 4):
            assert_same(program, split_kv(program, match, chunks), args, rtol=2e-6, atol=2e-6)


def test_split_kv_keeps_names_and_takes_fresh_ones():
    program = CATALOGUE["sliding_window"]  # `param W`: the merge must not call a tensor W
    out = split_kv(program, match_attention(program)[0], 4)
    assert out.outputs == ("O",) and out.stmt("O").reduce is not None
    assert {"KLEN", "KCH", "c", "n"} <= {d.name for d in out.decls}
    again = split_kv(out, match_attention(out)[0], 2)
    assert {"KLEN1", "KCH1", "c1", "n1"} <= {d.name for d in again.decls}
    args = catalogue_inputs(program, rng_for("again"), p=5)
    assert_same(program, again, args, rtol=2e-6, atol=2e-6)


def test_split_kv_rejects_bad_arguments():
    program = CATALOGUE["gqa"]
    match = match_attention(program)[0]
    for chunks in (0, -1, 2.0, True):
        with pytest.raises(ArgumentError, match="chunks must be a positive integer"):
            split_kv(program, match, chunks)
    with pytest.raises(ArgumentError, match="found in program gqa"):
        split_kv(CATALOGUE["mha"], match, 2)


def test_split_kv_symbolic_key_extent():
    """One rewritten program serves every key length (chunk size = ceil(m / chunks))."""
    program = CATALOGUE["causal_offset"]
    out = split_kv(program, match_attention(program)[0], 3)
    for m in (1, 2, 3, 4, 9, 16):
        args = catalogue_inputs(program, rng_for("sym", m), p=min(m, 3), m=m)
        assert_same(program, out, args, rtol=2e-6, atol=2e-6)
