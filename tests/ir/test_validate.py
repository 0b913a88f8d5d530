"""validate(): one failing program per rule, and type inference on the DESIGN §2 program."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import pytest

from attncc.errors import CycleError
from attncc.errors import DTypeError
from attncc.errors import Loc
from attncc.errors import NameResolutionError
from attncc.errors import ShapeError
from attncc.errors import UnusedInputError
from attncc.errors import ValidationError
from attncc.ir.builder import ProgramBuilder
from attncc.ir.builder import cast
from attncc.ir.builder import exp
from attncc.ir.builder import select
from attncc.ir.builder import sqrt
from attncc.ir.builder import tanh
from attncc.ir.nodes import Access
from attncc.ir.nodes import DType
from attncc.ir.nodes import Input
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.ir.nodes import Stmt
from attncc.ir.validate import ProgramInfo
from attncc.ir.validate import TensorInfo
from attncc.ir.validate import validate


def gqa_program() -> Program:
    """The DESIGN §2 program: GQA, sliding window, logit soft-capping."""
    pb = ProgramBuilder("gqa_window_softcap")
    Q = pb.input("Q", "b h p e")
    K = pb.input("K", "b g m e")
    V = pb.input("V", "b g m f")
    cap = pb.param("cap", "f32", 50.0)
    W = pb.param("W", "i32", 4096)
    b, h, p, m, e, f, g = pb.ranks("b h p m e f g")
    G = pb.let("G", h / g)
    scale = pb.let("scale", 1 / sqrt(e))
    S = pb.sum("S", [b, h, p, m], Q[b, h, p, e] * K[b, h / G, m, e] * scale, over=[e])
    T = pb.stmt("T", [b, h, p, m], cap * tanh(S[b, h, p, m] / cap), where=(p >= m) & (p - m < W))
    MX = pb.max("MX", [b, h, p], T[b, h, p, m], over=[m])
    E = pb.stmt("E", [b, h, p, m], exp(T[b, h, p, m] - MX[b, h, p]))
    L = pb.sum("L", [b, h, p], E[b, h, p, m], over=[m])
    O = pb.sum("O", [b, h, p, f], E[b, h, p, m] * V[b, h / G, m, f] / L[b, h, p], over=[m])
    pb.output(O)
    return pb.build()


def test_design_program_validates_and_infers() -> None:
    info = validate(gqa_program())
    assert isinstance(info, ProgramInfo)
    assert list(info.tensors) == ["Q", "K", "V", "S", "T", "MX", "E", "L", "O"]
    assert info.tensors["K"] == TensorInfo("K", ("b", "g", "m", "e"), DType.F32, True)
    assert info.tensors["O"] == TensorInfo("O", ("b", "h", "p", "f"), DType.F32, False)
    assert info.ranks == ("b", "h", "p", "e", "g", "m", "f")
    assert dict(info.scalars) == {
        "cap": DType.F32,
        "W": DType.I32,
        "G": DType.I32,
        "scale": DType.F32,
    }
    assert info.rank_sources["m"] == (("K", 2), ("V", 2))
    assert info.reads["O"] == ("E", "V", "L")
    assert info.kind("Q") == "input" and info.kind("S") == "tensor"
    assert info.kind("m") == "rank" and info.kind("W") == "param" and info.kind("G") == "let"
    assert info.kind("nope") is None
    t = info.program.stmt("T")
    assert info.expr_dtype(t.where, t) is DType.BOOL
    assert info.expr_dtype(Name("h") / Name("G")) is DType.I32


def test_info_is_hashable_and_pickles() -> None:
    info = validate(gqa_program())
    again = pickle.loads(pickle.dumps(info))
    assert again.tensors == info.tensors and again.scalars == info.scalars
    hash(info.tensors)


def test_stored_dtypes() -> None:
    pb = ProgramBuilder("dtypes")
    X = pb.input("X", "p m", "f16")
    SEG = pb.input("SEG", "m", "i32")
    p, m = pb.ranks("p m")
    pb.stmt("A", [p, m], X[p, m])  # a float value stores f32 by default
    pb.stmt("B", [m], SEG[m] + 1)
    pb.stmt("C", [p, m], SEG[m] == SEG[p % 4])  # noqa: RUF100
    pb.stmt("D", [p, m], X[p, m] * 2, dtype="f16")
    pb.stmt("N", [p], cast(p, "i8"), dtype="i8")
    pb.output("A", "B", "C", "D", "N")
    info = validate(pb.build())
    types = {k: v.dtype for k, v in info.tensors.items()}
    assert types == {
        "X": DType.F16,
        "SEG": DType.I32,
        "A": DType.F32,
        "B": DType.I32,
        "C": DType.BOOL,
        "D": DType.F16,
        "N": DType.I8,
    }


# ----------------------------------------------------------------------------- failures


def _one(
    body: Callable, *, inputs: str = "X:p m", decls: Callable | None = None, out: str = "Y"
) -> Program:
    """A small program: inputs ``NAME:ranks[:dtype]; ...``, extra decls, one body, output."""
    pb = ProgramBuilder("t")
    refs = {}
    for spec in inputs.split(";"):
        name, ranks, *dt = spec.strip().split(":")
        refs[name] = pb.input(name, ranks, dt[0] if dt else "f32")
    if decls:
        decls(pb)
    body(pb, refs, *pb.ranks("p m e"))
    pb.output(out)
    return pb.build()


CASES = {
    # names
    "duplicate input": (
        lambda: _one(
            lambda pb, t, p, m, e: pb.stmt("Y", [p], t["X"][p, m] + 0, reduce="sum", over=[m]),
            inputs="X:p m; X:p m",
        ),
        NameResolutionError,
        "X is declared twice",
    ),
    "rank named like a param": (
        lambda: _one(
            lambda pb, t, p, m, e: pb.sum("Y", [p], t["X"][p, m], over=[m]),
            decls=lambda pb: pb.param("p", "i32", 1),
            inputs="A:m; X:p m",
        ),
        NameResolutionError,
        "p is declared twice: as param p and before as rank p (bound by input X)",
    ),
    "duplicate statement": (
        lambda: _one(
            lambda pb, t, p, m, e: (
                pb.stmt("Y", [p, m], t["X"][p, m]),
                pb.stmt("Y", [p, m], t["X"][p, m]),
            )
        ),
        NameResolutionError,
        "Y is declared twice",
    ),
    "statement named like a rank": (
        lambda: _one(
            lambda pb, t, p, m, e: (
                pb.stmt("Y", [p, m], t["X"][p, m]),
                pb.stmt("m", [p], t["X"][p, 0]),
            )
        ),
        NameResolutionError,
        "m is declared twice",
    ),
    "unknown name": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m] * Name("scal"))),
        NameResolutionError,
        "unknown name scal",
    ),
    "tensor without brackets": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m] * Name("X"))),
        NameResolutionError,
        "index it, e.g. X[p, m]",
    ),
    "rank indexed like a tensor": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m] * Access("m", (p,)))),
        NameResolutionError,
        "m is a rank, not a tensor",
    ),
    "unknown tensor": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, m], Access("Z", (p, m)))),
        NameResolutionError,
        "unknown tensor Z",
    ),
    "lhs not a rank": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, "q"], t["X"][p, 0])),
        NameResolutionError,
        "q on the left side is not a rank",
    ),
    "lhs rank twice": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, p], t["X"][p, p])),
        ValidationError,
        "rank p appears twice on the left side",
    ),
    "let reads an undeclared rank": (
        lambda: _one(
            lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m]),
            decls=lambda pb: pb.let("G", Name("q") / 2),
        ),
        NameResolutionError,
        "unknown name q",
    ),
    "let reads a tensor": (
        lambda: _one(
            lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m]),
            decls=lambda pb: pb.let("G", Access("X", (Name("p"), Name("m")))),
        ),
        ValidationError,
        "let G reads tensor X",
    ),
    "output is an input": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m]), out="X"),
        ValidationError,
        "output X is an input",
    ),
    "output unknown": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m]), out="Yy"),
        NameResolutionError,
        "output Yy is not a statement's output (did you mean Y?)",
    ),
    # statement structure
    "rank neither on left nor reduced": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p], t["X"][p, m])),
        ValidationError,
        "reduce over it, e.g. `Y[p] = sum(m) ...`",
    ),
    "rank in where not reduced": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p], t["X"][p, 0], where=p > m)),
        ValidationError,
        "rank m is used on the right of Y",
    ),
    "reduction rank on the left": (
        lambda: _one(lambda pb, t, p, m, e: pb.sum("Y", [p, m], t["X"][p, m], over=[m])),
        ValidationError,
        "rank m is both on the left of Y and reduced",
    ),
    "reduction without ranks": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m], reduce="sum")),
        ValidationError,
        "a reduction needs ranks",
    ),
    "unused reduction rank": (
        lambda: _one(
            lambda pb, t, p, m, e: pb.sum("Y", [p], t["X"][p, m], over=[m, e]), inputs="X:p m; Z:e"
        ),
        ValidationError,
        "reduces over rank e, which its right side never uses",
    ),
    # accesses
    "arity": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p])),
        ShapeError,
        "X has 2 ranks [p, m] but `X[p]` gives 1 indices",
    ),
    "read later statement": (
        lambda: _one(
            lambda pb, t, p, m, e: (
                pb.stmt("A", [p, m], Access("Y", (p, m))),
                pb.stmt("Y", [p, m], t["X"][p, m]),
            )
        ),
        CycleError,
        "Y is defined later, by statement 2",
    ),
    "cycle": (
        lambda: _one(
            lambda pb, t, p, m, e: (
                pb.stmt("A", [p, m], Access("Y", (p, m))),
                pb.stmt("Y", [p, m], Access("A", (p, m)) + t["X"][p, m]),
            )
        ),
        CycleError,
        "cycle: A → Y → A",
    ),
    "self read": (
        lambda: _one(
            lambda pb, t, p, m, e: pb.stmt("Y", [p, m], Access("Y", (p, m)) + t["X"][p, m])
        ),
        CycleError,
        "Y reads itself",
    ),
    "float index": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m / 2.0])),
        DTypeError,
        "index 1 of X[p, m / 2.0] is `m / 2.0`, of dtype f32",
    ),
    "indirect index reads a float tensor": (
        lambda: _one(
            lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, t["PT"][m]]),
            inputs="X:p m; PT:m:f32",
        ),
        DTypeError,
        "it reads PT, a f32 tensor",
    ),
    # typing
    "bool arithmetic": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m] + (p > m))),
        DTypeError,
        "`+` needs a number but `p > m` is a bool",
    ),
    "where not bool": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m], where=p - m)),
        DTypeError,
        "a filter must be a bool",
    ),
    "bool compared with number": (
        lambda: _one(
            lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m], where=(p > m).eq(1))
        ),
        DTypeError,
        "compares bool with i32",
    ),
    "and on numbers": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m], where=(p > m) & m)),
        DTypeError,
        "`and` needs a bool but `m` is i32",
    ),
    "select condition": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, m], select(p, t["X"][p, m], 0.0))),
        DTypeError,
        "`select's condition` needs a bool",
    ),
    "select branches": (
        lambda: _one(
            lambda pb, t, p, m, e: pb.stmt("Y", [p, m], select(p > m, t["X"][p, m], True))
        ),
        DTypeError,
        "select needs two numbers or two bools",
    ),
    "exp of bool": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m] * exp(p > m))),
        DTypeError,
        "`exp()` needs a number",
    ),
    "annotation kind": (
        lambda: _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m], dtype="i32")),
        DTypeError,
        "Y is annotated i32 (integer) but its value is float (f32)",
    ),
    "reduction of bool": (
        lambda: _one(lambda pb, t, p, m, e: pb.sum("Y", [p], t["X"][p, m] > 0, over=[m])),
        DTypeError,
        "reductions need numbers",
    ),
    "rank extent must be integer": (
        lambda: _one(
            lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m]),
            decls=lambda pb: pb.rank("c", Name("m") / 2.0),
        ),
        DTypeError,
        "an extent must be an integer",
    ),
    "param default kind": (
        lambda: _one(
            lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m]),
            decls=lambda pb: pb.param("W", "i32", 4.5),
        ),
        DTypeError,
        "param W is i32 but its default 4.5 is a float",
    ),
    # program-level
    "unused input": (
        lambda: _one(
            lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m]), inputs="X:p m; Z:m"
        ),
        UnusedInputError,
        "input Z is never read",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_rule_rejects(case: str) -> None:
    make, cls, fragment = CASES[case]
    with pytest.raises(cls) as info:
        validate(make())
    assert type(info.value) is cls
    assert fragment in info.value.message
    if cls is not UnusedInputError and "output" not in case:
        assert "in statement:" in info.value.message or "in declaration:" in info.value.message


def test_input_rank_named_like_a_param() -> None:
    pb = ProgramBuilder("t")
    pb.param("p", "i32", 1)
    X = pb.input("X", "p m")
    p, m = pb.ranks("p m")
    pb.stmt("Y", [p, m], X[p, m])
    pb.output("Y")
    with pytest.raises(NameResolutionError, match="input X uses p as a rank, but p is param p"):
        validate(pb.build())


def test_no_outputs() -> None:
    prog = _one(lambda pb, t, p, m, e: pb.stmt("Y", [p, m], t["X"][p, m]), out="Y")
    with pytest.raises(ValidationError, match="no outputs"):
        validate(Program(prog.name, prog.decls, prog.stmts, ()))


def test_allowed_constructs() -> None:
    """Index reads via integer tensors, dead statements, unused params, bool == bool."""
    pb = ProgramBuilder("ok")
    X = pb.input("X", "p m")
    PT = pb.input("PT", "p", "i32")
    pb.param("unused", "f32")
    p, m = pb.ranks("p m")
    pb.stmt("Dead", [p], PT[p] * 2)
    Y = pb.stmt("Y", [p, m], X[PT[p], m], where=(p > m).eq(m > 0) | ~(p < 1))
    pb.output(Y)
    validate(pb.build())


def test_located_error_shows_caret_and_pickles() -> None:
    source = "program t\ninput X[p, m] : f32\n\nY[p, m] = X[p]\noutput Y\n"
    access = Access("X", (Name("p", Loc(4, 13)),), loc=Loc(4, 11, 4))
    prog = Program(
        "t",
        (Input("X", ("p", "m"), loc=Loc(2, 1)),),
        (Stmt("Y", ("p", "m"), access, loc=Loc(4, 1)),),
        ("Y",),
        source=source,
    )
    with pytest.raises(ShapeError) as info:
        validate(prog)
    err = info.value
    assert err.loc == Loc(4, 11, 4)
    assert "line 4, column 11" in str(err) and "^^^^" in str(err)
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is ShapeError
    assert (again.message, again.loc, str(again)) == (err.message, err.loc, str(err))


def test_parsed_program_errors_point_at_the_name() -> None:
    parse = pytest.importorskip("attncc.ir.parser").parse
    source = "program t\ninput X[p, m] : f32\n\nY[p] = X[p, m] * 2.0\noutput Y\n"
    with pytest.raises(ValidationError) as info:
        validate(parse(source))
    err = info.value
    assert err.loc is not None and err.loc.line == 4
    assert "rank m is used on the right of Y" in err.message
    assert "   4 | Y[p] = X[p, m] * 2.0" in str(err) and "^" in str(err)
