"""Tile classification against brute force: every query tile × key tile of small grids,
with random windows, offsets and lengths. Each mask is written twice — as an IR predicate
and as a plain Python function — so the brute force does not share code with the analysis.

Soundness: a tile classified *empty* has no visible key, a *full* one no masked key.
Tightness: for causal, offset, window, prefix-LM and length masks the classification is
exact (empty iff nothing visible, full iff everything visible).
"""

from __future__ import annotations

import numpy as np
import pytest

from attncc import variants
from attncc.ir.builder import TensorRef
from attncc.ir.builder import maximum
from attncc.ir.nodes import Const
from attncc.ir.nodes import Name
from attncc.ir.rewrites import match_attention
from attncc.ir.tiles import MAX_DISJUNCTS
from attncc.ir.tiles import Band
from attncc.ir.tiles import classify
from attncc.ir.tiles import key_bands
from attncc.ir.tiles import query_rank
from attncc.ir.validate import validate

p, m, b, c, n = (Name(x) for x in "pmbcn")
W, OFF, SINKS, P_LEN, NP, CH, M = (Name(x) for x in ("W", "OFF", "SINKS", "P_LEN", "NP", "CH", "M"))
KVLEN, SQ, SK = TensorRef("KVLEN"), TensorRef("SQ"), TensorRef("SK")

#: name -> (predicate, python mask, tight?); the python mask sees (p, m, env).
#: Masks outside AFFINE have data-dependent atoms.
MASKS = {
    "causal": (p >= m, lambda p, m, v: m <= p, True),
    "offset": (m <= p + OFF, lambda p, m, v: m <= p + v["OFF"], True),
    "window": ((p >= m) & (p - m < W), lambda p, m, v: m <= p and p - m < v["W"], True),
    "window_offset": (
        (m <= p + OFF) & (p + OFF - m < W),
        lambda p, m, v: m <= p + v["OFF"] and p + v["OFF"] - m < v["W"],
        True,
    ),
    "negated_window": (
        ~((m > p) | (p - m >= W)),
        lambda p, m, v: not (m > p or p - m >= v["W"]),
        True,
    ),
    "sinks": (
        (p >= m) & ((m < SINKS) | (p - m < W)),
        lambda p, m, v: m <= p and (m < v["SINKS"] or p - m < v["W"]),
        False,
    ),
    "prefix_lm": ((m < P_LEN) | (m <= p), lambda p, m, v: m < v["P_LEN"] or m <= p, True),
    "kvlen": (m < KVLEN[b], lambda p, m, v: m < v["KVLEN"][v["b"]], True),
    "paged_causal": (
        (m < KVLEN[b]) & (m <= p + KVLEN[b] - NP),
        lambda p, m, v: m < v["KVLEN"][v["b"]] and m <= p + v["KVLEN"][v["b"]] - v["NP"],
        True,
    ),
    "diagonal": (m.eq(p + OFF), lambda p, m, v: m == p + v["OFF"], True),
    "off_diagonal": (m.ne(p), lambda p, m, v: m != p, True),
    "strided": (m <= 2 * p - OFF, lambda p, m, v: m <= 2 * p - v["OFF"], True),
    "anti_causal": (m - p >= OFF, lambda p, m, v: m - p >= v["OFF"], True),
    "rows": ((p < P_LEN) & (m <= p), lambda p, m, v: p < v["P_LEN"] and m <= p, False),
    "row_constant": (
        (KVLEN[b] > 6) & (m <= p) | Const(False),
        lambda p, m, v: v["KVLEN"][v["b"]] > 6 and m <= p,
        True,
    ),
    "scaled_key": (2 * m <= p, lambda p, m, v: 2 * m <= p, False),
    "document": (
        SQ[b, p].eq(SK[b, m]) & (m <= p + OFF),
        lambda p, m, v: v["SQ"][v["b"], p] == v["SK"][v["b"], m] and m <= p + v["OFF"],
        False,
    ),
    "tree": (
        (m < OFF) | SQ[b, maximum(m - OFF, 0)].eq(p),
        lambda p, m, v: m < v["OFF"] or v["SQ"][v["b"], max(m - v["OFF"], 0)] == p,
        False,
    ),
    "never": ((m < 0) & (p >= m), lambda p, m, v: False, True),
}

AFFINE = set(MASKS) - {"scaled_key", "document", "tree"}
P, MK = 11, 13


def random_env(rng) -> dict:
    return {
        "W": int(rng.integers(1, 7)),
        "OFF": int(rng.integers(-3, 6)),
        "SINKS": int(rng.integers(0, 5)),
        "P_LEN": int(rng.integers(0, 9)),
        "NP": P,
        "b": int(rng.integers(0, 2)),
        "KVLEN": rng.integers(0, MK + 1, 2),
        "SQ": rng.integers(0, 3, (2, 32)),
        "SK": rng.integers(0, 3, (2, MK)),
        "nkeys": MK,
    }


def truth(fn, env, p0, p1, m0, m1) -> str:
    seen = [fn(i, j, env) for i in range(p0, p1) for j in range(m0, m1)]
    return "empty" if not any(seen) else "full" if all(seen) else "partial"


@pytest.mark.parametrize("name", sorted(MASKS))
def test_classification_is_sound_and_tight_where_exact(name):
    pred, fn, tight = MASKS[name]
    bands = key_bands(pred, "p", "m")
    assert bands.affine == (name in AFFINE)
    rng = np.random.default_rng(len(name))
    for _ in range(6):
        env = random_env(rng)
        for bq, bk in ((1, 1), (2, 3), (3, 2), (4, 5), (5, 4)):
            for p0 in range(0, P, bq):
                for m0 in range(0, MK, bk):
                    p1, m1 = min(p0 + bq, P), min(m0 + bk, MK)
                    got = classify(bands, p0, p1, m0, m1, env)
                    want = truth(fn, env, p0, p1, m0, m1)
                    where = f"{name} {env} tile p[{p0},{p1}) m[{m0},{m1})"
                    assert got == want or got == "partial", f"unsound: {got} vs {want}: {where}"
                    if tight:
                        assert got == want, f"not tight: {got} vs {want}: {where}"


def test_sinks_are_tight_away_from_the_sinks():
    pred, fn, _ = MASKS["sinks"]
    bands = key_bands(pred, "p", "m")
    assert len(bands.bands) == 2
    env = {**random_env(np.random.default_rng(0)), "SINKS": 2, "W": 3}
    for p0 in range(4, P, 2):
        for m0 in range(2, MK, 2):
            args = (p0, min(p0 + 2, P), m0, min(m0 + 2, MK))
            assert classify(bands, *args, env) == truth(fn, env, *args)


def test_bands_are_expressions_over_the_tile_bounds():
    (band,) = key_bands(MASKS["window_offset"][0], "p", "m").bands
    assert [str(x) for x in (band.lo, band.hi, band.full_lo, band.full_hi)] == [
        "p0 + OFF - W + 1",
        "p1 + OFF",
        "p1 + OFF - W",
        "p0 + OFF + 1",
    ]
    (band,) = key_bands(m < KVLEN[b], "p", "m").bands
    assert band == Band(Const(0), KVLEN[b], Const(0), KVLEN[b])
    (band,) = key_bands(None, "p", "m").bands
    assert band == Band(Const(0), Name("nkeys"), Const(0), Name("nkeys"))
    (band,) = key_bands(MASKS["rows"][0], "p", "m").bands
    assert str(band.hi) == "select(p0 - P_LEN + 1 <= 0, p1, 0)"


def test_data_dependent_masks_are_partial_everywhere():
    bands = key_bands(SQ[b, p].eq(SK[b, m]), "p", "m")
    assert bands.skips_nothing and not bands.affine
    bands = key_bands(MASKS["document"][0], "p", "m")  # but the causal part still skips
    assert [str(x) for x in (bands.bands[0].hi, bands.bands[0].full_hi)] == ["p1 + OFF", "0"]


def test_sorted_by_lower_bound_for_a_loop_over_bands():
    """Two symbolic lower bounds: a select network orders them for every parameter value."""
    pred = ((m >= p + OFF) & (m < p + OFF + 2)) | ((m >= W) & (m < W + 3))
    bands = key_bands(pred, "p", "m")
    assert len(bands.bands) == 2
    rng = np.random.default_rng(3)
    for _ in range(50):
        env = random_env(rng)
        p0 = int(rng.integers(0, P))
        lo = [classify_value(x.lo, env, p0, p0 + 1) for x in bands.bands]
        assert max(lo[0], 0) <= max(lo[1], 0)


def classify_value(e, env, p0, p1) -> int:
    from attncc.ir.tiles import _value

    return _value(e, {**env, "p0": p0, "p1": p1})


def test_too_many_disjuncts_fall_back_to_partial():
    pred = Const(False)
    for i in range(MAX_DISJUNCTS + 1):
        pred = pred | m.eq(p + i)
    bands = key_bands(pred, "p", "m")
    assert bands.skips_nothing and not bands.affine


def test_catalogue_masks():
    """The masks of the catalogue's matches: affine ones understood, placeholders kept."""
    for name, program in variants.catalogue().items():
        info = validate(program)
        for match in match_attention(program):
            query = query_rank(match.predicate, match.rows, match.key)
            bands = key_bands(match.predicate, query, match.key, info=info)
            assert bands.bands
            if name in ("gqa_causal", "sliding_window", "causal_offset", "mla_causal"):
                assert query == "p" and bands.affine
            if name == "split_kv" and match.output == "OC":
                # `let M = m` and a rank `n`: the placeholders keep their own names
                assert (bands.p0, bands.p1, bands.extent) == ("p0", "p1", "nkeys")
                assert str(bands.bands[0].hi) == "M - c * CH"


def test_placeholders_avoid_program_names():
    program = variants.catalogue()["mha"]
    info = validate(program)
    clash = key_bands(p >= m, "p", "m", info=info, names=("p", "scale", "m"))
    assert (clash.p0, clash.p1, clash.extent) == ("p_", "scale_", "m_")
    moved = clash.substitute({"p_": Name("qt") * 64})
    assert str(moved.bands[0].full_hi) == "qt * 64 + 1"
