"""The canonical printer: minimal parentheses, and print → parse gives back an equal IR."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from attncc.ir.builder import ProgramBuilder
from attncc.ir.builder import exp
from attncc.ir.builder import maximum
from attncc.ir.builder import select
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Input
from attncc.ir.nodes import Let
from attncc.ir.nodes import Name
from attncc.ir.nodes import Param
from attncc.ir.nodes import Program
from attncc.ir.nodes import RankDecl
from attncc.ir.nodes import ReduceOp
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import Unary
from attncc.ir.nodes import UnaryOp
from attncc.ir.nodes import neg
from attncc.ir.parser import RESERVED
from attncc.ir.parser import parse
from attncc.ir.printer import format_expr
from attncc.ir.printer import format_program
from attncc.ir.printer import format_stmt

a, b, c = Name("a"), Name("b"), Name("c")


def _not(x: Expr) -> Expr:
    return Unary(UnaryOp.NOT, x)


def _expr(text: str) -> Expr:
    return parse(f"program t\nlet x = {text}\noutput Y\n").decls[0].value


PRECEDENCE = [
    (a - (b - c), "a - (b - c)"),
    ((a - b) - c, "a - b - c"),
    (a / (b * c), "a / (b * c)"),
    ((a * b) / c, "a * b / c"),
    (a % (b % c), "a % (b % c)"),
    (a * (b + c), "a * (b + c)"),
    ((a + b) * c, "(a + b) * c"),
    (a + b * c, "a + b * c"),
    (-(a + b), "-(a + b)"),
    (-(a * b), "-(a * b)"),
    (-a * b, "-a * b"),
    (a * -b, "a * -b"),
    (neg(neg(a)), "--a"),
    (a - Const(-1), "a - -1"),
    (Const(-2) * a, "-2 * a"),
    (neg(_not(a)), "-(not a)"),
    (_not(-a), "not -a"),
    (_not(a & b), "not (a and b)"),
    (_not(a) & b, "not a and b"),
    (a & _not(b), "a and not b"),
    (_not(a < b), "not a < b"),
    (_not(a) < b, "(not a) < b"),
    (a.eq(_not(b)), "a == (not b)"),
    (_not(_not(a)), "not not a"),
    ((a < b).eq(c), "(a < b) == c"),
    (a.eq(b < c), "a == (b < c)"),
    ((a < b) < c, "(a < b) < c"),
    (a < (b < c), "a < (b < c)"),
    (a + b < c * 2, "a + b < c * 2"),
    (a & (b | c), "a and (b or c)"),
    ((a | b) & c, "(a or b) and c"),
    (a | (b & c), "a or b and c"),
    ((a & b) | c, "a and b or c"),
    (a | (b | c), "a or (b or c)"),
    ((a < b) & (b <= c), "a < b and b <= c"),
    (maximum(a + b, c), "max(a + b, c)"),
    (select(a > 0, exp(-b), Const(0.0)), "select(a > 0, exp(-b), 0.0)"),
    (Access("K", (b, a / Name("G"), Const(0))), "K[b, a / G, 0]"),
    (Access("X", ()), "X[]"),
    (Const(-math.inf), "-inf"),
    (Const(1e-05), "1e-05"),
    (Const(50.0), "50.0"),
    (Const(True), "true"),
    (neg(Const(True)), "-true"),
    (Call(Fn.BF16, (a,)), "bf16(a)"),
]


@pytest.mark.parametrize(("expr", "text"), PRECEDENCE, ids=[t for _, t in PRECEDENCE])
def test_precedence(expr, text):
    assert format_expr(expr) == text
    assert _expr(text) == expr


def test_reduced_value_starting_with_minus_is_parenthesised():
    stmt = Stmt(
        "Y", ("p",), -Access("T", (Name("p"), Name("m"), Name("n"))), ReduceOp.MAX, ("m", "n")
    )
    assert format_stmt(stmt) == "Y[p] = max(m, n) (-T[p, m, n])"
    call = Stmt("Y", ("p",), maximum(Name("m"), Name("n")) - Access("T", (Name("p"),)))
    assert format_stmt(call) == "Y[p] = max(m, n) - T[p]"
    for s in (stmt, call, Stmt("Y", ("p",), Const(-1), ReduceOp.MIN, ("m",))):
        program = Program("t", (), (s,), ("Y",))
        assert parse(format_program(program)) == program


def test_program_text():
    pb = ProgramBuilder("softmax_rows", doc="row softmax\n\nwith a mask")
    X = pb.input("X", "p m", "f16")
    pb.param("lo", "f32", -math.inf)
    pb.param("on", "bool", True)
    p, m = pb.ranks("p m")
    pb.rank("c", (m + 63) / 64)
    MX = pb.max("MX", [p], X[p, m], over=[m], where=m <= p)
    pb.stmt("Y", [p, m], exp(X[p, m] - MX[p]), dtype="f16")
    pb.output("Y", MX)
    program = pb.build()
    text = format_program(program)
    assert text == (
        "# row softmax\n#\n# with a mask\n"
        "program softmax_rows\n"
        "input X[p, m] : f16\n"
        "param lo : f32 = -inf\n"
        "param on : bool = true\n"
        "rank c = (m + 63) / 64\n"
        "\n"
        "MX[p] = max(m) X[p, m] where m <= p\n"
        "Y[p, m] : f16 = exp(X[p, m] - MX[p])\n"
        "output Y, MX\n"
    )
    again = parse(text)
    assert again == program and again.doc == program.doc
    assert format_program(program, doc=False).startswith("program softmax_rows\n")


# ----------------------------------------------------------------- round-trip properties

_NAMES = st.sampled_from(["a", "b", "p", "m", "G", "x1", "_t", "e", "sum_", "inff", "notx"])
_CONSTS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
    st.floats(allow_nan=False),
).map(Const)
_FUNCTIONS = list(Fn)


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.builds(lambda x: neg(x), children),  # the parser folds -literal, like neg()
        st.builds(_not, children),
        st.builds(Binary, st.sampled_from(list(BinaryOp)), children, children),
        st.sampled_from(_FUNCTIONS).flatmap(
            lambda fn: st.lists(children, min_size=fn.arity, max_size=fn.arity).map(
                lambda args: Call(fn, tuple(args))
            )
        ),
        st.builds(
            lambda t, ix: Access(t, tuple(ix)),
            st.sampled_from(["X", "KC", "PT"]),
            st.lists(children, max_size=3),
        ),
    )


EXPRS = st.recursive(st.one_of(_CONSTS, _NAMES.map(Name)), _extend, max_leaves=12)
_RANKS = st.lists(_NAMES, max_size=3).map(tuple)
_DTYPES = st.sampled_from(list(DType))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRS)
def test_expression_round_trip(expr):
    text = format_expr(expr)
    assert _expr(text) == expr, text


_STMTS = st.builds(
    Stmt,
    st.sampled_from(["Y", "S", "MX"]),
    _RANKS,
    EXPRS,
    st.one_of(st.none(), st.sampled_from(list(ReduceOp))),
    _RANKS,
    st.one_of(st.none(), EXPRS),
    st.one_of(st.none(), _DTYPES),
)
_DECLS = st.one_of(
    st.builds(Input, st.sampled_from(["Q", "K"]), _RANKS, _DTYPES),
    st.builds(
        Param,
        _NAMES,
        _DTYPES,
        st.one_of(
            st.none(), st.booleans(), st.integers(-(2**31), 2**31 - 1), st.floats(allow_nan=False)
        ),
    ),
    st.builds(Let, _NAMES, EXPRS),
    st.builds(RankDecl, _NAMES, EXPRS),
)


def _fix_stmt(stmt: Stmt) -> Stmt:
    # Without a reduction there are no reduced ranks (over=() is the only text for that).
    return (
        stmt
        if stmt.reduce is not None
        else Stmt(stmt.out, stmt.ranks, stmt.value, None, (), stmt.where, stmt.dtype)
    )


PROGRAMS = st.builds(
    Program,
    _NAMES,
    st.lists(_DECLS, max_size=4).map(tuple),
    st.lists(_STMTS.map(_fix_stmt), max_size=4).map(tuple),
    st.lists(_NAMES, max_size=3).map(tuple),
    doc=st.text(alphabet="abc #\n", max_size=20),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PROGRAMS)
def test_program_round_trip(program):
    text = format_program(program)
    again = parse(text)
    assert again == program, text
    assert format_program(again, doc=False) == format_program(program, doc=False)


def test_generated_names_are_not_reserved():
    # The strategies above must only produce names the parser accepts.
    assert not {"a", "b", "p", "m", "G", "x1", "_t", "e", "sum_", "inff", "notx"} & RESERVED
