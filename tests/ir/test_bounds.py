"""attncc.ir.bounds: every index proven in bounds before anything runs.

The reference for every verdict is the interpreter, which checks each read at the point it
happens: the check must raise exactly where the interpreter raises (for the catalogue's
index inputs, hostile values included), name the access, the range and the extent, and
cost a dictionary lookup on a repeated call.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import attncc
from attncc.errors import BoundsError
from attncc.ir import bounds
from attncc.ir.bind import bind
from attncc.ir.bounds import BoundsCheck
from attncc.ir.bounds import check_bounds
from attncc.ir.parser import parse
from tests.variants.cases import CASES
from tests.variants.cases import WIDE

#: Catalogue variants with an integer input that some index reads.
INDEXED = sorted(
    name
    for name in CASES
    if BoundsCheck(CASES[name](np.random.default_rng(0), WIDE, name=name)[0]).index_inputs
)


def _case(name: str, seed: int = 0):
    program, kwargs, _ = CASES[name](np.random.default_rng(seed), WIDE, name=name)
    arrays = {k: v for k, v in kwargs.items() if isinstance(v, np.ndarray)}
    params = {k: v for k, v in kwargs.items() if not isinstance(v, np.ndarray)}
    return program, arrays, params


def _verdicts(program, arrays, params) -> tuple[bool, bool]:
    """(the check raises, the interpreter raises) for one call."""
    binding = bind(program, shapes=arrays, params=params)
    try:
        BoundsCheck(program).check(binding, arrays)
        checked = False
    except BoundsError:
        checked = True
    try:
        attncc.interpret(program, **arrays, **params)
        ran = False
    except BoundsError:
        ran = True
    return checked, ran


def test_the_catalogue_has_index_inputs() -> None:
    assert {"paged", "paged_causal", "topk_gather", "tree_parent"} <= set(INDEXED)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_catalogue_case_is_in_bounds(name: str) -> None:
    program, arrays, params = _case(name)
    BoundsCheck(program).check(bind(program, shapes=arrays, params=params), arrays)


@pytest.mark.parametrize("name", INDEXED)
@pytest.mark.parametrize("value", [2**24, -(2**24), 2**31 - 1, -1])
def test_hostile_index_values_are_reported_as_the_interpreter_reports_them(name, value) -> None:
    """Every element of every index input set to ``value``: the check and the interpreter
    agree, and where they raise, the message names the input and its range."""
    program, arrays, params = _case(name)
    for t in BoundsCheck(program).index_inputs:
        arrays[t] = np.full_like(arrays[t], value)
    checked, ran = _verdicts(program, arrays, params)
    assert checked == ran
    if checked:
        with pytest.raises(BoundsError, match=rf"holds values in \[{value}, {value}\]"):
            BoundsCheck(program).check(bind(program, shapes=arrays, params=params), arrays)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_corruption_agrees_with_the_interpreter(data) -> None:
    name = data.draw(st.sampled_from(INDEXED))
    program, arrays, params = _case(name, seed=data.draw(st.integers(0, 3)))
    for t in BoundsCheck(program).index_inputs:
        arr = arrays[t]
        for _ in range(data.draw(st.integers(1, 3))):
            flat = data.draw(st.integers(0, arr.size - 1))
            value = data.draw(
                st.one_of(st.integers(-3, 70), st.sampled_from([2**20, -(2**20), 2**31 - 1]))
            )
            arr.reshape(-1)[flat] = value
    assert _verdicts(program, arrays, params)[0] == _verdicts(program, arrays, params)[1]


def test_guarded_garbage_is_fine() -> None:
    """Page-table entries past a sequence's length and -1 top-k slots are never read."""
    program, arrays, params = _case("paged")
    kvlen, pages = arrays["KVLEN"], arrays["PT"]
    page = arrays["KC"].shape[1]
    used = -(-int(kvlen[1]) // page)
    pages[1, used:] = 2**30  # unused entries of sequence 1
    assert _verdicts(program, arrays, params) == (False, False)
    program, arrays, params = _case("topk_gather")
    arrays["IDX"][arrays["IDX"] < 0] = -(2**30)
    assert _verdicts(program, arrays, params) == (False, False)


TEXT = """program shifted
input X[i] : f32
param SHIFT : i32 = 1
let N = i
Y[i] = X[i + SHIFT] where i + SHIFT < N
output Y
"""


def test_a_filter_guards_an_affine_index() -> None:
    program = parse(TEXT)
    x = np.arange(5, dtype=np.float32)
    check_bounds(program, bind(program, shapes={"X": x.shape}))
    assert list(attncc.interpret(program, X=x)) == [1, 2, 3, 4, 0]
    with pytest.raises(
        BoundsError, match=r"`i \+ SHIFT` = -1 at a point where Y is present \(i=0\)"
    ):
        check_bounds(program, bind(program, shapes={"X": x.shape}, params={"SHIFT": -1}))
    with pytest.raises(BoundsError, match=r"`i \+ SHIFT` = -1"):
        attncc.interpret(program, X=x, SHIFT=-1)


def test_an_unguarded_index_names_access_range_and_extent() -> None:
    program = parse("program p\ninput X[i] : f32\nY[i] = X[i + 1]\noutput Y\n")
    with pytest.raises(BoundsError) as info:
        check_bounds(program, bind(program, shapes={"X": (8,)}))
    msg = str(info.value)
    assert "index 0 of `X[i + 1]` is `i + 1` = 8 at a point where Y is present (i=7)" in msg
    assert "ranges over [1, 8]" in msg
    assert "dim 0 of X (rank i) has extent 8 (valid indices [0, 7])" in msg
    assert "line 3, column 10" in msg


def test_an_index_out_at_every_point() -> None:
    program = parse("program p\ninput X[i, j] : f32\nY[i] = X[i, 2147483647]\noutput Y\n")
    with pytest.raises(BoundsError, match="at every point of the statement"):
        check_bounds(program, bind(program, shapes={"X": (4, 2)}))
    with pytest.raises(BoundsError, match="has extent 2"):
        attncc.interpret(program, X=np.zeros((4, 2), np.float32))


@pytest.mark.parametrize("name", sorted(n for n in CASES if n.startswith(("gqa", "sliding"))))
def test_uneven_heads_are_refused(name: str) -> None:
    """h = 8, g = 3: G = 2 and head 7 reads K/V head 3 of 3 (the GQA variants' h / G)."""
    program = CASES[name](np.random.default_rng(0), WIDE, name=name)[0]
    extents = {"b": 1, "h": 8, "g": 3, "p": 4, "m": 4, "e": 8, "f": 8}
    with pytest.raises(
        BoundsError, match=r"`h / G` = 3 at a point where S is present .* ranges over \[0, 3\]"
    ):
        check_bounds(program, bind(program, extents=extents))


def test_independent_guards_do_not_hide_an_error() -> None:
    """A causal filter says nothing about the head index: the error is found even when the
    joint points would be too many (the filter is checked for satisfiability alone)."""
    program = attncc.variants.gqa(causal=True)
    extents = {"b": 1, "h": 8, "g": 3, "p": 2048, "m": 2048, "e": 8, "f": 8}
    with pytest.raises(BoundsError, match=r"in statement: S\[b, h, p, m\]"):
        check_bounds(program, bind(program, extents=extents))


def test_an_undecidable_guard_leaves_it_to_the_kernel() -> None:
    """A guard that reads an intermediate result cannot be evaluated before the program
    runs: the check stays silent and the interpreter (and the kernels' clamps) decide."""
    program = parse(
        "program p\ninput X[i] : f32\ninput IDX[i] : i32\nZ[i] = IDX[i] * 1\n"
        "Y[i] = X[IDX[i]] where Z[i] >= 0\noutput Y\n"
    )
    x = np.arange(4, dtype=np.float32)
    idx = np.array([-(2**30), 0, 3, 1], np.int32)
    check_bounds(program, bind(program, shapes={"X": x.shape, "IDX": idx.shape}), {"IDX": idx})
    assert list(attncc.interpret(program, X=x, IDX=idx)) == [0, 0, 3, 1]


def test_verdicts_are_cached_per_extents_params_and_index_ranges(monkeypatch) -> None:
    program, arrays, params = _case("paged")
    bc = BoundsCheck(program)
    binding = bind(program, shapes=arrays, params=params)
    bc.check(binding, arrays)
    calls = []
    monkeypatch.setattr(bc, "_triage", lambda *a: calls.append(a) or ())
    bc.check(binding, arrays)
    assert calls == []  # a lookup
    arrays["PT"] = arrays["PT"].copy()
    arrays["PT"][0, 0] = arrays["PT"].max() + 1  # a new value range: decided again
    bc.check(binding, arrays)
    assert len(calls) == 1


def test_points_stay_bounded(monkeypatch) -> None:
    """A site needing more points than GRID_POINTS is left to the kernels, not evaluated."""
    monkeypatch.setattr(bounds, "GRID_POINTS", 16)
    program = parse(TEXT)
    check_bounds(program, bind(program, shapes={"X": (1000,)}, params={"SHIFT": -1}))


def test_a_build_ahead_of_time_checks_what_extents_decide() -> None:
    """compile(shapes=...) knows no params nor data: it refuses uneven heads, but not an
    index that only the default of a param would push out (the call passes another)."""
    program = parse(TEXT.replace("where i + SHIFT < N", ""))
    bc = BoundsCheck(program)
    bc.check_shapes(bind(program, extents={"i": 5}, params={"SHIFT": 3}))
    with pytest.raises(BoundsError):
        bc.check(bind(program, extents={"i": 5}, params={"SHIFT": 3}))
    gqa = attncc.variants.gqa_window_softcap()
    extents = {"b": 1, "h": 8, "g": 3, "p": 4, "m": 4, "e": 8, "f": 8}
    with pytest.raises(BoundsError, match="h / G"):
        BoundsCheck(gqa).check_shapes(bind(gqa, extents=extents))
