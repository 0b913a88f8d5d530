"""bind(), eval_scalar() and check_bounds()."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

from attncc.errors import ArgumentError
from attncc.errors import BoundsError
from attncc.errors import NameResolutionError
from attncc.errors import ShapeError
from attncc.ir.bind import Binding
from attncc.ir.bind import bind
from attncc.ir.bind import cast_scalar
from attncc.ir.bind import eval_scalar
from attncc.ir.bounds import check_bounds
from attncc.ir.bounds import index_interval
from attncc.ir.builder import ProgramBuilder
from attncc.ir.builder import exp
from attncc.ir.builder import maximum
from attncc.ir.builder import minimum
from attncc.ir.builder import select
from attncc.ir.builder import sqrt
from attncc.ir.builder import tanh
from attncc.ir.nodes import Access
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program

SHAPES = {"Q": (2, 32, 16, 64), "K": (2, 8, 16, 64), "V": (2, 8, 16, 32)}


def gqa_program(*, kv_index_offset: int = 0, where: bool = True) -> Program:
    """The DESIGN §2 program (GQA, sliding window, soft-capping); optionally with a bad index."""
    pb = ProgramBuilder("gqa_window_softcap")
    Q = pb.input("Q", "b h p e")
    K = pb.input("K", "b g m e")
    V = pb.input("V", "b g m f")
    cap = pb.param("cap", "f32", 50.0)
    W = pb.param("W", "i32", 4096)
    b, h, p, m, e, f, g = pb.ranks("b h p m e f g")
    G = pb.let("G", h / g)
    scale = pb.let("scale", 1 / sqrt(e))
    S = pb.sum(
        "S", [b, h, p, m], Q[b, h, p, e] * K[b, h / G, m + kv_index_offset, e] * scale, over=[e]
    )
    mask = (p >= m) & (p - m < W) if where else None
    T = pb.stmt("T", [b, h, p, m], cap * tanh(S[b, h, p, m] / cap), where=mask)
    MX = pb.max("MX", [b, h, p], T[b, h, p, m], over=[m])
    E = pb.stmt("E", [b, h, p, m], exp(T[b, h, p, m] - MX[b, h, p]))
    L = pb.sum("L", [b, h, p], E[b, h, p, m], over=[m])
    O = pb.sum("O", [b, h, p, f], E[b, h, p, m] * V[b, h / G, m, f] / L[b, h, p], over=[m])
    pb.output(O)
    return pb.build()


def test_bind_shapes_params_and_lets() -> None:
    bd = bind(gqa_program(), shapes=SHAPES)
    assert dict(bd.extents) == {"b": 2, "h": 32, "p": 16, "e": 64, "g": 8, "m": 16, "f": 32}
    assert list(bd.extents) == ["b", "h", "p", "e", "g", "m", "f"]
    assert dict(bd.scalars) == {"cap": 50.0, "W": 4096, "G": 4, "scale": 0.125}
    assert type(bd.scalars["G"]) is int and type(bd.scalars["cap"]) is float
    assert bd.env["m"] == 16 and bd.env["G"] == 4
    assert pickle.loads(pickle.dumps(bd)) == bd
    check_bounds(gqa_program(), bd)


def test_bind_overrides_and_kinds() -> None:
    prog = gqa_program()
    bd = bind(prog, shapes=SHAPES, params={"cap": 30, "W": np.int64(8)})
    assert bd.scalars["cap"] == 30.0 and type(bd.scalars["cap"]) is float
    assert bd.scalars["W"] == 8 and type(bd.scalars["W"]) is int
    with pytest.raises(ArgumentError, match=r"unknown param Wx .* its params are cap, W"):
        bind(prog, shapes=SHAPES, params={"Wx": 1})
    with pytest.raises(ArgumentError, match=r"param W is i32 but the given value is 4\.5"):
        bind(prog, shapes=SHAPES, params={"W": 4.5})
    with pytest.raises(ArgumentError, match="param cap is f32 but the given value is True"):
        bind(prog, shapes=SHAPES, params={"cap": True})
    with pytest.raises(ArgumentError, match=r"outside \[-2147483648, 2147483647\]"):
        bind(prog, shapes=SHAPES, params={"W": 2**40})


def test_bind_accepts_arrays() -> None:
    arrays = {k: np.zeros(v, np.float32) for k, v in SHAPES.items()}
    assert bind(gqa_program(), shapes=arrays) == bind(gqa_program(), shapes=SHAPES)


def test_bind_missing_param() -> None:
    pb = ProgramBuilder("t")
    X = pb.input("X", "m")
    t = pb.param("temp", "f32")
    (m,) = pb.ranks("m")
    pb.stmt("Y", [m], X[m] / t)
    pb.output("Y")
    prog = pb.build()
    with pytest.raises(ArgumentError, match=r"param temp : f32 .* has no default"):
        bind(prog, shapes={"X": (4,)})
    assert bind(prog, shapes={"X": (4,)}, params={"temp": 2.0}).scalars == {"temp": 2.0}


def test_shape_errors() -> None:
    prog = gqa_program()
    with pytest.raises(ShapeError) as info:
        bind(prog, shapes={**SHAPES, "K": (2, 8, 64)})
    assert info.value.message == (
        "input K is declared with 4 ranks [b, g, m, e] but the array has 3 dimensions "
        "(shape (2, 8, 64))"
    )
    with pytest.raises(ShapeError, match=r"rank m is 16 in K \(dim 2\) but 100 in V \(dim 2\)"):
        bind(prog, shapes={**SHAPES, "V": (2, 8, 100, 32)})
    with pytest.raises(ShapeError, match=r"rank f has no extent: pass the shape of V \(dim 3\)"):
        bind(prog, shapes={"Q": SHAPES["Q"], "K": SHAPES["K"]})
    with pytest.raises(ArgumentError, match="not an input"):
        bind(prog, shapes={**SHAPES, "Z": (1,)})
    with pytest.raises(ShapeError, match="an extent must be >= 0"):
        bind(prog, shapes={**SHAPES, "V": (2, 8, 16, -1)})


def test_extents_alone_and_consistency() -> None:
    prog = gqa_program()
    ext = {"b": 1, "h": 4, "p": 8, "e": 16, "g": 2, "m": 8, "f": 16}
    bd = bind(prog, extents=ext)
    assert dict(bd.extents) == ext and bd.scalars["G"] == 2 and bd.scalars["scale"] == 0.25
    with pytest.raises(ShapeError, match=r"rank m is 16 in K \(dim 2\) but 8 in extents"):
        bind(prog, shapes=SHAPES, extents={"m": 8})
    with pytest.raises(ArgumentError, match="extents gives z, which is not a rank"):
        bind(prog, extents={**ext, "z": 1})
    with pytest.raises(ArgumentError, match="must be an integer"):
        bind(prog, extents={**ext, "m": 8.0})


def test_zero_extent_is_allowed() -> None:
    prog = gqa_program()
    bd = bind(prog, shapes={**SHAPES, "K": (2, 8, 0, 64), "V": (2, 8, 0, 32)})
    assert bd.extents["m"] == 0
    check_bounds(prog, bd)


def test_rank_decl_and_division_by_zero() -> None:
    pb = ProgramBuilder("chunks")
    X = pb.input("X", "m")
    CH = pb.param("CH", "i32", 4)
    (m,) = pb.ranks("m")
    c = pb.rank("c", (m + CH - 1) / CH)
    j = pb.rank("j", CH)
    Y = pb.sum("Y", [c], X[c * CH + j], over=[j], where=c * CH + j < pb.let("M", m))
    pb.output(Y)
    prog = pb.build()
    bd = bind(prog, shapes={"X": (10,)})
    assert dict(bd.extents) == {"m": 10, "c": 3, "j": 4}
    check_bounds(prog, bd)  # c*CH + j reaches 11 > 9, but the filter guards it
    with pytest.raises(ShapeError, match="divides by zero") as info:
        bind(prog, shapes={"X": (10,)}, params={"CH": 0})
    assert "in declaration: rank c = (m + CH - 1) / CH" in info.value.message
    with pytest.raises(ShapeError, match="rank c is 5 in extents but its declaration"):
        bind(prog, shapes={"X": (10,)}, extents={"c": 5})
    with pytest.raises(ShapeError, match="evaluates to -8"):
        bind(prog, shapes={"X": (10,)}, params={"CH": -1})


def test_eval_scalar() -> None:
    m, g, x = Name("m"), Name("g"), Name("x")
    assert eval_scalar((m + 63) / 64, {"m": 100}) == 2
    assert eval_scalar(-m / 64, {"m": 100}) == -2  # floor division
    assert eval_scalar(-m % 64, {"m": 100}) == 28  # floor modulo
    assert eval_scalar(1 / sqrt(m), {"m": 64}) == 0.125
    assert eval_scalar(x / 2, {"x": 3.0}) == 1.5
    assert eval_scalar(Name("m") / 2.0, {"m": 3}) == 1.5
    assert eval_scalar(maximum(m, 2.5), {"m": 1}) == 2.5
    assert eval_scalar(minimum(m, g), {"m": 1, "g": 3}) == 1
    assert eval_scalar(select(m > g, m, g), {"m": 1, "g": 3}) == 3
    assert eval_scalar((m > 0) & ~(g < 1), {"m": 1, "g": 3}) is True
    assert eval_scalar(exp(Const(1000.0)), {}) == math.inf
    with pytest.raises(ShapeError, match="divides by zero"):
        eval_scalar(m / g, {"m": 1, "g": 0})
    with pytest.raises(NameResolutionError, match="uses q"):
        eval_scalar(Name("q") + 1, {})


def test_cast_scalar() -> None:
    assert cast_scalar(-2.7, DType.I32) == -2  # truncation toward zero
    assert cast_scalar(200, DType.I8) == -56  # wraps
    assert cast_scalar(0.1, DType.F16) == float(np.float16(0.1))
    assert cast_scalar(1.00390625, DType.BF16) == 1.0  # rounds to nearest even
    assert cast_scalar(3, DType.BOOL) is True


def test_interval() -> None:
    ranges = {"h": (0, 31), "m": (0, 99)}
    assert index_interval(Name("h") / Name("G"), ranges, {"G": 4}) == (0, 7)
    assert index_interval(Name("m") % 16, ranges, {}) == (0, 15)
    assert index_interval(Name("m") / 16, ranges, {}) == (0, 6)
    assert index_interval(Name("m") - Name("h"), ranges, {}) == (-31, 99)
    assert index_interval(Name("m") / Name("h"), ranges, {}) is None  # divisor may be 0
    assert index_interval(Const(0), ranges, {}) == (0, 0)
    p, m = Name("p"), Name("m")
    assert index_interval(p + m - m, {"p": (0, 7), "m": (0, 99)}, {}) == (0, 7)  # exact
    assert index_interval(2 * (m - p) + 1, {"p": (0, 7), "m": (0, 9)}, {}) == (-13, 19)
    assert index_interval(maximum(m - 5, 0), ranges, {}) == (0, 94)
    assert index_interval(Access("PT", (m,)), ranges, {}) is None  # indirect: run time


def test_bounds_errors() -> None:
    prog = gqa_program(kv_index_offset=1)
    with pytest.raises(BoundsError) as info:
        check_bounds(prog, bind(prog, shapes=SHAPES))
    msg = info.value.message
    assert "index 2 of `K[b, h / G, m + 1, e]` is `m + 1` = 16 at a point where S" in msg
    assert "ranges over [1, 16]" in msg
    assert "rank m) has extent 16" in msg and "m=15" in msg
    far = gqa_program(kv_index_offset=100)
    with pytest.raises(BoundsError, match="at every point"):
        check_bounds(far, bind(far, shapes=SHAPES))


def test_bounds_gqa_uneven_heads() -> None:
    """h = 30, g = 8: G = 30 / 8 = 3 and h / G reaches 9 > 7, so K's head index leaves K."""
    prog = gqa_program()
    shapes = {**SHAPES, "Q": (2, 30, 16, 64)}
    bd = bind(prog, shapes=shapes)
    assert bd.scalars["G"] == 3
    with pytest.raises(BoundsError, match=r"`h / G` = 8 at a point .* ranges over \[0, 9\]"):
        check_bounds(prog, bd)


def test_bounds_paged_and_mqa() -> None:
    pb = ProgramBuilder("paged_mqa")
    Q = pb.input("Q", "b h p e")
    KC = pb.input("KC", "n s e")
    PT = pb.input("PT", "b j", "i32")
    b, h, p, m, e, s = pb.ranks("b h p m e s")
    P = pb.let("P", s)
    pb.rank("m", pb.let("J", Name("j")) * P)
    S = pb.sum("S", [b, h, p, m], Q[b, h, p, e] * KC[PT[b, m / P], m % P, e], over=[e])
    pb.output(S)
    prog = pb.build()
    bd = bind(prog, shapes={"Q": (1, 4, 2, 8), "KC": (10, 16, 8), "PT": (1, 3)})
    assert bd.extents["m"] == 48
    check_bounds(prog, bd)
    assert isinstance(bd, Binding)
