"""Online-softmax recognition: what matches, what does not, and proof that a match describes
the same computation — its one-pass execution (running max, sum and accumulator over key
tiles) equals the interpreter on the original three-pass cascade."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from test_rewrite import CATALOGUE
from test_rewrite import SOFTMAX
from test_rewrite import as_dict
from test_rewrite import catalogue_inputs
from test_rewrite import rng_for

from attncc.ir.bind import bind
from attncc.ir.builder import ProgramBuilder
from attncc.ir.builder import TensorRef
from attncc.ir.builder import exp
from attncc.ir.builder import sqrt
from attncc.ir.builder import tanh
from attncc.ir.exprs import identity
from attncc.ir.interpreter import interpret
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.ir.parser import parse
from attncc.ir.rewrites import AttentionMatch
from attncc.ir.rewrites import Contraction
from attncc.ir.rewrites import RowStat
from attncc.ir.rewrites import execute_online
from attncc.ir.rewrites import inline
from attncc.ir.rewrites import match_attention
from attncc.ir.rewrites import match_weighted_sum

# ----------------------------------------------------------------------------- programs


def _attention(name: str, *, tail) -> Program:
    """Q K^T scores, then ``tail(pb, S, ranks)`` builds the softmax part and the outputs."""
    pb = ProgramBuilder(name)
    Q, K, V = pb.input("Q", "b h p e"), pb.input("K", "b h m e"), pb.input("V", "b h m f")
    b, h, p, m, e, f = pb.ranks("b h p m e f")
    scale = pb.let("scale", 1 / sqrt(e))
    S = pb.sum("S", "b h p m", Q[b, h, p, e] * K[b, h, m, e] * scale, over="e", where=m <= p + 2)
    tail(pb, S, V, (b, h, p, m, f))
    return pb.build()


def deferred() -> Program:
    """``N = sum(m) E * V`` and ``O = N / L``: the division after the contraction."""

    def tail(pb, S, V, r):
        b, h, p, m, f = r
        MX = pb.max("MX", "b h p", S[b, h, p, m], over="m")
        E = pb.stmt("E", "b h p m", exp(S[b, h, p, m] - MX[b, h, p]))
        L = pb.sum("L", "b h p", E[b, h, p, m], over="m")
        N = pb.sum("N", "b h p f", E[b, h, p, m] * V[b, h, m, f], over="m")
        pb.output(pb.stmt("O", "b h p f", N[b, h, p, f] / L[b, h, p]))

    return _attention("deferred", tail=tail)


def unnormalised() -> Program:
    """The contraction is not divided by L: L and MX are written besides it (the kernel's
    unnormalised accumulator, relative to the final max), and a map consumes them."""

    def tail(pb, S, V, r):
        b, h, p, m, f = r
        MX = pb.max("MX", "b h p", S[b, h, p, m], over="m")
        L = pb.sum("L", "b h p", exp(S[b, h, p, m] - MX[b, h, p]), over="m")
        N = pb.sum("N", "b p h f", exp(S[b, h, p, m] - MX[b, h, p]) * V[b, h, m, f], over="m")
        Y = pb.stmt("Y", "b p h f", N[b, p, h, f] * 2 / (L[b, h, p] + 1) + MX[b, h, p])
        pb.output(Y, L)

    return _attention("unnormalised", tail=tail)


def probabilities() -> Program:
    """The attention probabilities are an output too: E stays, so MX and L are written."""

    def tail(pb, S, V, r):
        b, h, p, m, f = r
        MX = pb.max("MX", "b h p", S[b, h, p, m], over="m")
        E = pb.stmt("E", "b h p m", exp(S[b, h, p, m] - MX[b, h, p]))
        L = pb.sum("L", "b h p", E[b, h, p, m], over="m")
        P = pb.stmt("P", "b h p m", E[b, h, p, m] / L[b, h, p])
        O = pb.sum("O", "b p h f", E[b, h, p, m] / L[b, h, p] * V[b, h, m, f], over="m")
        pb.output(O, P)

    return _attention("probabilities", tail=tail)


# ----------------------------------------------------------------------------- catalogue

#: name -> (rows, key, contractions, predicate) of each match, in output order.
EXPECTED = {
    "mqa_causal": [(("b", "h", "p"), "m", ["S"], "p >= m")],
    "causal_offset": [(("b", "h", "p"), "m", ["S"], "m <= p + OFF")],
    "sinks_window": [(("b", "h", "p"), "m", ["S"], "p >= m and (m < SINKS or p - m < W)")],
    "document": [(("b", "h", "p"), "m", ["S"], "SQ[b, p] == SK[b, m]")],
    "alibi": [(("b", "h", "p"), "m", ["S"], "p >= m")],
    "paged": [(("b", "h", "p"), "m", ["S"], "m < KVLEN[b]")],
    "topk_gather": [(("b", "h", "p"), "k", ["S"], "IDX[b, p, k] >= 0")],
    "mla_causal": [(("b", "h", "p"), "m", ["SN", "SR"], "m <= p + OFF")],
    "split_kv": [
        (("b", "h", "p", "c"), "n", ["SC"], "c * CH + n < M"),
        (("b", "h", "p"), "c", [], "None"),  # the merge is a softmax over chunks
    ],
    "cascade": [
        (("b", "h", "p"), "s", ["SP"], "None"),
        (("b", "h", "p"), "m", ["SU"], "m <= p + OFF"),
    ],
}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_softmax_variants_match_and_others_do_not(name):
    program = CATALOGUE[name]
    for form in (program, inline(program)):
        found = match_attention(form)
        if name.startswith(("sigmoid", "linear")):
            assert found == [], "no softmax: the generic path serves it"
            continue
        assert found, f"{name} is a softmax attention"
        if name != "cascade":  # its two states feed a merge map
            assert found[-1].output in program.outputs
        for m in found:
            assert m.program is form and m.normalized
            assert set(m.produced) <= {s.out for s in form.stmts}
        if name in EXPECTED:
            got = [
                (m.rows, m.key, [c.name for c in m.contractions], str(m.predicate)) for m in found
            ]
            assert got == EXPECTED[name]


def test_a_match_describes_the_fused_form():
    program = CATALOGUE["gqa_window_softcap"]
    b, h, p, m, e, f, G, W, cap = (Name(n) for n in ("b", "h", "p", "m", "e", "f", "G", "W", "cap"))
    S, Q, K, V = (TensorRef(n) for n in "SQKV")
    (got,) = match_attention(program)
    assert got == AttentionMatch(
        rows=("b", "h", "p"),
        key="m",
        value_ranks=("f",),
        out_ranks=("b", "h", "p", "f"),
        score=cap * tanh(S[b, h, p, m] / cap),
        contractions=(
            Contraction(
                "S", ("b", "h", "p", "m"), ("e",), (Q[b, h, p, e], K[b, h / G, m, e], Name("scale"))
            ),
        ),
        predicate=(p >= m) & (p - m < W),
        value=V[b, h / G, m, f],
        output="O",
        normalized=True,
        extras=(),
        stmts=("S", "T", "MX", "E", "L", "O"),
        max="MX",
        sum="L",
        program=program,
    )
    # the same description after inlining, except for the statements it replaces
    (again,) = match_attention(inline(program))
    assert replace(again, stmts=got.stmts) == got and again.stmts == ("S", "MX", "L", "O")


def test_partial_states_write_their_lse():
    first, merge = match_attention(CATALOGUE["split_kv"])
    assert first.output == "OC" and first.extras == (RowStat("LSEC", "lse"),)
    assert first.stmts == ("SC", "MXC", "EC", "LC", "OC", "LSEC")
    assert str(merge.score) == "MXC[b, h, p, c] + log(LC[b, h, p, c])"
    assert str(merge.value) == "OC[b, h, p, c, f]" and merge.extras == (RowStat("LSE", "lse"),)
    prefix, unique = match_attention(CATALOGUE["cascade"])
    assert prefix.extras == (RowStat("LSEP", "lse"),) and unique.extras == (RowStat("LSEU", "lse"),)


# ----------------------------------------------------------------------------- one pass


def check_online(program: Program, args: dict, key_tile: int) -> None:
    arrays = {k: v for k, v in args.items() if isinstance(v, np.ndarray)}
    params = {k: v for k, v in args.items() if k not in arrays}
    binding = bind(program, shapes=arrays, params=params)
    for m in match_attention(program):
        got = execute_online(m, binding, arrays, key_tile)
        assert set(got) == set(m.produced)
        want = as_dict(
            replace(program, outputs=m.produced),
            interpret(replace(program, outputs=m.produced), **args),
        )
        for name in m.produced:
            np.testing.assert_allclose(
                got[name], want[name], rtol=1e-6, atol=1e-6, err_msg=f"{m.output}: {name}"
            )


@pytest.mark.parametrize("p", [7, 1])
@pytest.mark.parametrize("name", SOFTMAX)
def test_one_pass_equals_the_interpreter(name, p):
    program = CATALOGUE[name]
    args = catalogue_inputs(program, rng_for("online", name, p), p=p)
    for form, tile in ((program, 4), (inline(program), 5)):
        check_online(form, args, tile)


@pytest.mark.parametrize("tile", [1, 3, 64])
def test_one_pass_any_key_tile(tile):
    for name in ("sinks_window", "topk_gather", "mla_causal", "paged_causal"):
        program = CATALOGUE[name]
        check_online(program, catalogue_inputs(program, rng_for("tile", name)), tile)


@pytest.mark.parametrize("build", [deferred, unnormalised, probabilities])
def test_deferred_unnormalised_and_probability_outputs(build):
    program = build()
    (m,) = match_attention(program)
    kinds = {x.kind for x in m.extras}
    if build is deferred:
        assert (m.output, m.normalized, kinds) == ("O", True, set())
        assert m.stmts == ("S", "MX", "E", "L", "N", "O")
    elif build is unnormalised:
        assert (m.output, m.normalized, kinds) == ("N", False, {"max", "sum"})
        assert m.out_ranks == ("b", "p", "h", "f") and m.value_ranks == ("f",)
    else:
        assert (m.output, kinds) == ("O", {"max", "sum"}) and "E" not in m.stmts
    args = catalogue_inputs(program, rng_for(program.name), p=5)
    for tile in (2, 16):
        check_online(program, args, tile)


def _variant(text: str) -> Program:
    return parse(
        "program v\ninput Q[p, e] : f32\ninput K[m, e] : f32\ninput V[m, f] : f32\n"
        "S[p, m] = sum(e) Q[p, e] * K[m, e] where m <= p\n" + text
    )


@pytest.mark.parametrize(
    "text, why",
    [
        (
            "MX[p] = max(m) S[p, m]\nL[p] = sum(m) exp(S[p, m] - MX[p])\n"
            "O[p, f] = sum(m) exp(S[p, m] - MX[p]) * V[m, f] / L[p] where m > 0\noutput O\n",
            "the contraction sees fewer keys than L",
        ),
        (
            "MX[p] = max(m) S[p, m] where m > 0\nL[p] = sum(m) exp(S[p, m] - MX[p])\n"
            "O[p, f] = sum(m) exp(S[p, m] - MX[p]) * V[m, f] / L[p]\noutput O\n",
            "MX sees fewer keys than L: an absent MX would change the result",
        ),
        (
            "MX[p] = max(m) S[p, m]\nL[p] = sum(m) exp2(S[p, m] - MX[p])\n"
            "O[p, f] = sum(m) exp2(S[p, m] - MX[p]) * V[m, f] / L[p]\noutput O\n",
            "exp2 weights are another softmax",
        ),
        (
            "MX[p] = max(m) S[p, m]\nL[p] : f16 = sum(m) exp(S[p, m] - MX[p])\n"
            "O[p, f] = sum(m) exp(S[p, m] - MX[p]) * V[m, f] / L[p]\noutput O\n",
            "a rounded row sum is not the running sum",
        ),
        (
            "MX[p] = max(m) S[p, m]\nL[p] = sum(m) exp(S[p, m] - MX[p])\n"
            "O[p, f] = sum(m) exp(S[p, m] - MX[p]) * V[m, f] / L[p] * MX[p]\noutput O\n",
            "the value reads a row statistic",
        ),
        (
            "MX[p] = max(m) S[p, m]\nL[p] = sum(m) exp(S[p, m] - MX[p])\n"
            "O[p, f] = sum(m) exp(S[p, m] - MX[p]) * V[m, f] / L[p] where f > 0\noutput O\n",
            "the filter depends on the value rank",
        ),
    ],
)
def test_near_misses_do_not_match(text, why):
    assert match_attention(_variant(text)) == [], why


# ----------------------------------------------------------------------------- no softmax


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_weighted_sums_match_attention_without_softmax_only(name):
    """Sigmoid and linear attention are weighted sums (the normalised one divided by ``Z``
    over the same keys); a softmax, whose weights read the row max, is not."""
    program = CATALOGUE[name]
    found = match_weighted_sum(inline(program))
    if name.startswith(("sigmoid", "linear")):
        (m,) = found
        assert (m.rows, m.key, m.value_ranks, m.output) == (("b", "h", "p"), "m", ("f",), "O")
        assert m.normalized == (name == "linear_causal") and m.weight is not None
        assert m.max == "" and m.sum == ("Z" if m.normalized else "")
        (c,) = m.contractions
        assert c.over == ("e",) and m.score == identity(c.name, c.out_ranks)
        want = "m <= p" if name.startswith("linear") else "p >= m" if "causal" in name else None
        assert str(m.predicate) == str(want)
    else:
        assert found == [], name


@pytest.mark.parametrize(
    "text, why",
    [
        ("Z[p] = sum(m) sigmoid(S[p, m]) where m > 0\n"
         "O[p, f] = sum(m) sigmoid(S[p, m]) * V[m, f] / Z[p]\noutput O\n",
         "the normaliser sums other keys"),
        ("Z[p] = sum(m) S[p, m]\nO[p, f] = sum(m) sigmoid(S[p, m]) * V[m, f] / Z[p]\noutput O\n",
         "the normaliser sums other weights"),
        ("O[p, f] = sum(m) sigmoid(S[p, m]) * V[m, f] where f > 0\noutput O\n",
         "the filter depends on the value rank"),
        ("O[p, f] = sum(m) sigmoid(S[p, m]) * S[p, m] * V[m, f]\noutput O\n",
         "the logits are read by two factors"),
        ("N[p] = sum(m) S[p, m]\nO[p, f] = sum(m) sigmoid(S[p, m]) * V[m, f] * N[p]\noutput O\n",
         "the value reads a reduction"),
    ],
)  # fmt: skip
def test_weighted_near_misses_do_not_match(text, why):
    assert match_weighted_sum(inline(_variant(text))) == [], why
