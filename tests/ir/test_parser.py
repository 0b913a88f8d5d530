"""The text front door: lexer and parser, their error messages, and fuzzing.

The parser must accept the language of docs/language.md exactly as written there, report
every mistake as a ParseError at the right line and column, and raise nothing else for
any input string.
"""

from __future__ import annotations

import math
import pathlib
import re

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from attncc.errors import AttnccError
from attncc.errors import Loc
from attncc.errors import ParseError
from attncc.ir.builder import ProgramBuilder
from attncc.ir.builder import exp
from attncc.ir.builder import maximum
from attncc.ir.builder import select
from attncc.ir.builder import sqrt
from attncc.ir.builder import tanh
from attncc.ir.lexer import Kind
from attncc.ir.lexer import tokenize
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
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
from attncc.ir.parser import MAX_NESTING
from attncc.ir.parser import RESERVED
from attncc.ir.parser import parse
from attncc.ir.printer import format_program

DESIGN_EXAMPLE = """\
# grouped-query attention, sliding window, logit soft-capping
program gqa_window_softcap
input  Q[b, h, p, e]  : f32
input  K[b, g, m, e]  : f32
input  V[b, g, m, f]  : f32
param  cap : f32 = 50.0
param  W   : i32 = 4096
let    G = h / g                      # sizes are rank extents, bound at compile time
let    scale = 1 / sqrt(e)

S[b,h,p,m]  = sum(e) Q[b,h,p,e] * K[b,h/G,m,e] * scale
T[b,h,p,m]  = cap * tanh(S[b,h,p,m] / cap)  where p >= m and p - m < W
MX[b,h,p]   = max(m) T[b,h,p,m]
E[b,h,p,m]  = exp(T[b,h,p,m] - MX[b,h,p])
L[b,h,p]    = sum(m) E[b,h,p,m]
O[b,h,p,f]  = sum(m) E[b,h,p,m] * V[b,h/G,m,f] / L[b,h,p]
output O
"""

PAGED = """\
# paged KV decode with a causal offset
program paged_decode

input  Q[b, h, p, e]
input  KC[n, s, g, e] : f16
input  VC[n, s, g, f] : f16
input  PT[b, c]       : i32
param  on : bool = true
param  lo : f32 = -inf
let    P = s
rank   m = c * s

S[b, h, p, m] : f32 = sum(e) Q[b, h, p, e] * f32(KC[PT[b, m / P], m % P, h / (h / g), e])
MX[b, h, p] = max(m) (-S[b, h, p, m]) where not (m > p) or on
E[b, h, p, m] = select(S[b, h, p, m] >= lo, exp(-1 * S[b, h, p, m] + MX[b, h, p]), 0.0)
O[b, h, p, f] = sum(m) E[b, h, p,
                         m] * f32(VC[PT[b, m / P], m % P, 0, f])
Z[] = 1e-05
output O, Z
"""

MINIMAL = "program t\ninput X[p, m]\nY[p] = sum(m) X[p, m]\noutput Y\n"

VALID_TEXTS = [DESIGN_EXAMPLE, PAGED, MINIMAL]


def _design_program() -> Program:
    """The DESIGN.md §2 program, built independently with the Python builder."""
    pb = ProgramBuilder(
        "gqa_window_softcap", doc="grouped-query attention, sliding window, logit soft-capping"
    )
    Q = pb.input("Q", "b h p e", "f32")
    K = pb.input("K", "b g m e", "f32")
    V = pb.input("V", "b g m f", "f32")
    cap = pb.param("cap", "f32", 50.0)
    W = pb.param("W", "i32", 4096)
    b, h, p, m, e, f, g = pb.ranks("b h p m e f g")
    G = pb.let("G", h / g)
    scale = pb.let("scale", 1 / sqrt(e))
    S = pb.sum("S", [b, h, p, m], Q[b, h, p, e] * K[b, h / G, m, e] * scale, over=[e])
    T = pb.stmt("T", [b, h, p, m], cap * tanh(S[b, h, p, m] / cap), where=(p >= m) & (p - m < W))
    MX = pb.max("MX", "b h p", T[b, h, p, m], over="m")
    E = pb.stmt("E", "b h p m", exp(T[b, h, p, m] - MX[b, h, p]))
    L = pb.sum("L", "b h p", E[b, h, p, m], over="m")
    O = pb.sum("O", "b h p f", E[b, h, p, m] * V[b, h / G, m, f] / L[b, h, p], over="m")
    pb.output(O)
    return pb.build()


def _expr(text: str):
    """Parse ``text`` as the value of a ``let``."""
    return parse(f"program t\nlet x = {text}\noutput Y\n").decls[0].value


# ----------------------------------------------------------------------------- valid text


def test_design_example_parses_as_written_to_the_builder_program():
    parsed = parse(DESIGN_EXAMPLE)
    assert parsed == _design_program()
    assert parsed.doc == "grouped-query attention, sliding window, logit soft-capping"
    assert parsed.source == DESIGN_EXAMPLE
    assert parsed.hash == _design_program().hash


def test_language_reference_example_is_the_design_example():
    doc = pathlib.Path(__file__).parents[2] / "docs" / "language.md"
    block = re.search(r"```\n(.*?)```", doc.read_text(), re.S)
    assert block is not None
    assert parse(block.group(1)) == _design_program()


def test_locations_point_at_the_first_token_of_each_node():
    p = parse(DESIGN_EXAMPLE)
    assert p.loc == Loc(2, 1, 7)
    assert p.decls[0].loc == Loc(3, 1, 5)  # input
    assert p.decls[5].loc == Loc(8, 1, 3)  # let G
    s = p.stmts[0]
    assert s.loc == Loc(11, 1, 1)
    assert s.value.loc == Loc(11, 22, 1)  # Q[...] * K[...] * scale starts at Q
    k = s.value.lhs.rhs
    assert isinstance(k, Access) and k.loc == Loc(11, 35, 1)
    assert k.indices[1].loc == Loc(11, 39, 1)  # h/G
    t = p.stmts[1]
    assert t.value.rhs.loc == Loc(12, 21, 4)  # tanh
    assert t.where.loc == Loc(12, 51, 1)
    assert _expr("-12").loc == Loc(2, 9, 3)
    assert _expr("- 12").loc == Loc(2, 9, 4)


def test_paged_program_and_continuation_lines():
    p = parse(PAGED)
    assert [d.name for d in p.decls] == ["Q", "KC", "VC", "PT", "on", "lo", "P", "m"]
    assert p.params == (Param("on", DType.BOOL, True), Param("lo", DType.F32, -math.inf))
    assert p.inputs[0] == Input("Q", ("b", "h", "p", "e"), DType.F32)
    assert p.rank_decls == (RankDecl("m", Binary(BinaryOp.MUL, Name("c"), Name("s"))),)
    s, mx, e, o, z = p.stmts
    assert s.dtype is DType.F32 and s.reduce is ReduceOp.SUM
    cast = s.value.rhs
    assert isinstance(cast, Call) and cast.fn is Fn.F32
    kc = cast.args[0]
    assert kc.indices[0] == Access("PT", (Name("b"), Binary(BinaryOp.DIV, Name("m"), Name("P"))))
    assert mx.reduce is ReduceOp.MAX and mx.over == ("m",)
    assert mx.value == Unary(UnaryOp.NEG, Access("S", tuple(map(Name, "bhpm"))))
    assert mx.where.op is BinaryOp.OR and mx.where.lhs.op is UnaryOp.NOT
    assert e.value.args[1].args[0].lhs.lhs == Const(-1)
    assert o.value.lhs == Access("E", tuple(map(Name, "bhpm")))
    assert z == Stmt("Z", (), Const(1e-05))
    assert p.outputs == ("O", "Z")
    assert p.doc == "paged KV decode with a causal offset"


@pytest.mark.parametrize("text", VALID_TEXTS)
def test_text_print_parse_is_stable(text):
    once = parse(text)
    printed = format_program(once)
    twice = parse(printed)
    assert twice == once
    assert format_program(twice) == printed


def test_doc_comments_and_blank_lines():
    text = "\n#  indented\n#\n#no space\n\nprogram t  # trailing\n\n\noutput Y  # done"
    p = parse(text)
    assert p.doc == " indented\n\nno space"
    assert p.outputs == ("Y",)
    assert parse("program t\noutput\n").outputs == ()


def test_line_endings_and_tabs():
    text = "program t\r\ninput\tX[p,\r\n  m]\r\nY[p] = sum(m)\tX[p, m]\r\noutput Y"
    assert parse(text) == parse(MINIMAL)
    with pytest.raises(ParseError) as info:
        parse("program t\r\nY[p] = X[p] $\r\noutput Y\r\n")
    assert info.value.loc == Loc(2, 13, 1)


@pytest.mark.parametrize(
    ("value", "reduce", "over", "expected"),
    [
        ("max(m) T[p, m]", ReduceOp.MAX, ("m",), "T[p, m]"),
        ("max(m, n) T[p, m, n] + 1", ReduceOp.MAX, ("m", "n"), "T[p, m, n] + 1"),
        ("max(m) -T[p, m]", ReduceOp.MAX, ("m",), "-T[p, m]"),
        ("min(m, n) (-T[p, m, n])", ReduceOp.MIN, ("m", "n"), "-T[p, m, n]"),
        ("min() X[p]", ReduceOp.MIN, (), "X[p]"),
        ("max(m) exp(T[p, m])", ReduceOp.MAX, ("m",), "exp(T[p, m])"),
        ("max(m) not B[p, m]", ReduceOp.MAX, ("m",), "not B[p, m]"),
        ("sum(m) -X[p, m]", ReduceOp.SUM, ("m",), "-X[p, m]"),
        ("max(X[p], 0.0)", None, (), "max(X[p], 0.0)"),
        ("max(a, b) + 1", None, (), "max(a, b) + 1"),
        ("max(a, b) - 1", None, (), "max(a, b) - 1"),
        ("min(a, b)", None, (), "min(a, b)"),
        ("max(a, b) where p > 0", None, (), "max(a, b)"),
        ("max(p, 1) * max(a, b)", None, (), "max(p, 1) * max(a, b)"),
    ],
)
def test_reduction_or_elementwise_call(value, reduce, over, expected):
    stmt = parse(f"program t\nY[p] = {value}\noutput Y\n").stmts[0]
    assert (stmt.reduce, stmt.over) == (reduce, over)
    assert stmt.value == _expr(expected)


def test_negative_literals_fold_like_the_builder():
    assert _expr("-1") == Const(-1)
    assert _expr("-(1)") == Const(-1)
    assert _expr("--2.5") == Const(2.5)
    assert _expr("-inf") == Const(-math.inf)
    assert _expr("-true") == Unary(UnaryOp.NEG, Const(True))
    assert _expr("-x") == Unary(UnaryOp.NEG, Name("x"))
    assert _expr("2 - -3") == Binary(BinaryOp.SUB, Const(2), Const(-3))
    assert _expr("-2 * x") == Binary(BinaryOp.MUL, Const(-2), Name("x"))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("4096", 4096),
        ("0.5", 0.5),
        ("50.0", 50.0),
        ("2.", 2.0),
        (".25", 0.25),
        ("1e-05", 1e-05),
        ("1E+16", 1e16),
        ("3e2", 300.0),
        ("true", True),
        ("false", False),
        ("inf", math.inf),
    ],
)
def test_literals(text, value):
    const = _expr(text)
    assert isinstance(const, Const)
    assert type(const.value) is type(value) and const.value == value


def test_precedence_and_associativity():
    a, b, c = Name("a"), Name("b"), Name("c")
    assert _expr("a - b - c") == (a - b) - c
    assert _expr("a / b * c") == (a / b) * c
    assert _expr("a + b * c % 2") == a + (b * c) % 2
    assert _expr("a < b + 1 and not b or c") == ((a < b + 1) & ~b) | c
    assert _expr("not a == b") == ~a.eq(b)
    assert _expr("(a < b) == c") == (a < b).eq(c)
    assert _expr("select(a, max(b, c), -c)") == select(a, maximum(b, c), -c)


def test_tokens_carry_locations():
    tokens = tokenize("S[b,h/G] <= 1e-05  # c\n")
    assert [(t.kind, t.text) for t in tokens] == [
        (Kind.NAME, "S"),
        (Kind.OP, "["),
        (Kind.NAME, "b"),
        (Kind.OP, ","),
        (Kind.NAME, "h"),
        (Kind.OP, "/"),
        (Kind.NAME, "G"),
        (Kind.OP, "]"),
        (Kind.OP, "<="),
        (Kind.NUMBER, "1e-05"),
        (Kind.NEWLINE, ""),
        (Kind.EOF, ""),
    ]
    assert tokens[8].loc == Loc(1, 10, 2)
    assert tokens[9].loc == Loc(1, 13, 5) and tokens[9].value == 1e-05
    assert tokens[10].loc == Loc(1, 18, 1)


def test_reserved_words_cannot_be_names():
    for word in sorted(RESERVED - {"program"}):
        with pytest.raises(ParseError, match="reserved word"):
            parse(f"program t\nlet {word} = 1\noutput Y\n")


def test_duplicate_declarations_are_left_to_validation():
    p = parse("program t\nlet a = 1\nlet a = 2\noutput Y, Y\n")
    assert p.decls == (Let("a", Const(1)), Let("a", Const(2)))


def test_nesting_limit_is_a_parse_error():
    ok = "(" * (MAX_NESTING - 2) + "1" + ")" * (MAX_NESTING - 2)
    assert _expr(ok) == Const(1)
    for deep in ["(" * 5000, "-" * 5000 + "1", "not " * 3000 + "1", "exp(" * 300, "X[" * 300]:
        with pytest.raises(ParseError, match="nested too deeply"):
            _expr(deep)


def test_non_str_input():
    with pytest.raises(ParseError, match="expected program text"):
        parse(b"program t\n")  # type: ignore[arg-type]


# ------------------------------------------------------------------------- malformed text

_H = "program t\ninput X[p, m]\n"

MALFORMED = [
    ("empty", "", 1, 1, "expected 'program NAME' as the first line, found end of input"),
    ("no_header", "input X[p]\noutput X\n", 1, 1, "first line, found 'input'"),
    ("header_no_name", "program\noutput Y\n", 1, 8, "expected a program name, found end of line"),
    ("header_reserved", "program where\noutput Y\n", 1, 9, "'where' is a reserved word"),
    ("header_extra", "program t u\noutput Y\n", 1, 11, "expected end of line after the program"),
    ("missing_output", _H + "Y[p] = X[p, 0]\n", 3, 15, "expected 'output NAME, ...' as the last"),
    ("second_program", _H + "program u\noutput Y\n", 3, 1, "may appear only once"),
    ("decl_after_stmt", _H + "Y[p] = X[p, 0]\nlet a = 1\noutput Y\n", 4, 1, "statement at 3:1"),
    ("after_output", _H + "Y[p] = X[p, 0]\noutput Y\nZ[p] = Y[p]\n", 5, 1, "must be the last"),
    ("output_comma", _H + "output Y,\n", 3, 10, "expected an output tensor name after ','"),
    (
        "input_unclosed",
        "program t\ninput X[p, m\nY[p] = X[p, 0]\noutput Y\n",
        2,
        13,
        "expected ',' or ']' to close the ranks of input 'X' opened at 2:8, found end of line",
    ),
    ("input_no_bracket", "program t\ninput X : f32\noutput Y\n", 2, 9, "a scalar argument is"),
    ("input_expr_rank", "program t\ninput X[p + 1]\noutput Y\n", 2, 9, "plain rank names"),
    ("input_bad_dtype", "program t\ninput X[p] : float32\noutput Y\n", 2, 14, "expected a dtype"),
    ("param_no_dtype", "program t\nparam cap = 50.0\noutput Y\n", 2, 11, "expected ':' and a"),
    ("param_bad_default", "program t\nparam c : f32 = c\noutput Y\n", 2, 17, "literal default"),
    ("param_neg_bool", "program t\nparam b : bool = -true\noutput Y\n", 2, 19, "after '-'"),
    ("let_reserved", "program t\nlet exp = 1\noutput Y\n", 2, 5, "'exp' is a reserved word"),
    ("let_no_eq", "program t\nlet a 1\noutput Y\n", 2, 7, "expected '=' after the let name"),
    ("rank_no_value", "program t\nrank c =\noutput Y\n", 2, 9, "expected an expression, found"),
    (
        "lhs_expression",
        _H + "Y[p + 1] = X[p, 0]\noutput Y\n",
        3,
        3,
        "the left side of a statement lists plain rank names",
    ),
    ("lhs_number", _H + "Y[0] = X[0, 0]\noutput Y\n", 3, 3, "found an expression"),
    ("lhs_no_bracket", _H + "Y = X[0, 0]\noutput Y\n", 3, 3, "a rank-0 tensor is Y[]"),
    ("lhs_unclosed", _H + "Y[p = X[p, 0]\noutput Y\n", 3, 5, "index list of 'Y' opened at 3:2"),
    ("stmt_no_eq", _H + "Y[p] X[p, 0]\noutput Y\n", 3, 6, "expected '=' after the left side"),
    (
        "index_unclosed",
        _H + "Y[p] = X[p, 0\nZ[p] = Y[p]\noutput Z\n",
        3,
        14,
        "expected ',' or ']' to close the index list of 'X' opened at 3:9, found end of line",
    ),
    (
        "call_unclosed",
        _H + "Y[p] = exp(X[p, 0]\nZ[p] = Y[p]\noutput Z\n",
        3,
        19,
        "to close the arguments of 'exp' opened at 3:11, found end of line",
    ),
    ("paren_unclosed", _H + "Y[p] = (X[p, 0] + 1\noutput Y\n", 3, 20, "'(' opened at 3:8"),
    ("chained_cmp", _H + "Y[p] = X[p, 0] where 0 < p < 4\noutput Y\n", 3, 28, "do not chain"),
    ("chained_eq", _H + "Y[p] = p == 1 == 1\noutput Y\n", 3, 15, "second '=='"),
    ("unknown_fn", _H + "Y[p] = foo(X[p, 0])\noutput Y\n", 3, 8, "unknown function 'foo'"),
    ("tensor_call", _H + "Y[p] = X(p, 0)\noutput Y\n", 3, 8, "write X[...]"),
    ("arity_exp", _H + "Y[p] = exp(X[p, 0], 2)\noutput Y\n", 3, 8, "'exp' takes 1 argument, got 2"),
    ("arity_select", _H + "Y[p] = select(p > 0, 1)\noutput Y\n", 3, 8, "takes 3 arguments"),
    ("arity_max", _H + "Y[p] = max(m) + X[p, m]\noutput Y\n", 3, 8, "a reduction is written"),
    ("fn_no_paren", _H + "Y[p] = exp + 1\noutput Y\n", 3, 12, "expected '(' after the function"),
    ("sum_in_expr", _H + "Y[p] = 2 * sum(m) X[p, m]\noutput Y\n", 3, 12, "'sum' is a reduction"),
    ("reduce_no_value", _H + "Y[p] = sum(m)\noutput Y\n", 3, 14, "to reduce after 'sum(m)'"),
    ("reduce_expr_rank", _H + "Y[p] = sum(m + 1) X[p, m]\noutput Y\n", 3, 12, "plain rank"),
    ("not_after_op", _H + "Y[p] = p * not p\noutput Y\n", 3, 12, "parenthesise it: (not ...)"),
    ("bad_char", _H + "Y[p] = X[p, 0] $ 2\noutput Y\n", 3, 16, "unexpected character '$'"),
    ("bang", _H + "Y[p] = X[p, 0] where !p\noutput Y\n", 3, 22, "did you mean '!=' or 'not'"),
    ("unicode_name", _H + "Y[p] = X[p, 0] * π\noutput Y\n", 3, 18, "U+03C0"),
    ("control_char", _H + "Y[p] = X[p,\x01 0]\noutput Y\n", 3, 12, "U+0001"),
    ("malformed_exp", _H + "Y[p] = X[p, 0] * 1e-\noutput Y\n", 3, 18, "malformed number '1e-'"),
    ("number_then_name", _H + "Y[p] = 2p\noutput Y\n", 3, 9, "unexpected 'p' right after '2'"),
    ("trailing_garbage", _H + "Y[p] = X[p, 0] X[p, 1]\noutput Y\n", 3, 16, "found 'X'"),
    ("double_where", _H + "Y[p] = X[p, 0] where p > 0 where p\noutput Y\n", 3, 28, "'where'"),
    ("empty_where", _H + "Y[p] = X[p, 0] where\noutput Y\n", 3, 21, "found end of line"),
    ("keyword_name", _H + "Y[p] = input + 1\noutput Y\n", 3, 8, "'input' is a reserved word"),
    ("keyword_value", _H + "Y[p] = and\noutput Y\n", 3, 8, "expected an expression, found 'and'"),
    ("trailing_op", _H + "Y[p] = X[p, 0] +\noutput Y\n", 3, 17, "expected an expression"),
    ("stray_close", _H + "Y[p] = X[p, 0])\noutput Y\n", 3, 15, "found ')'"),
    ("mismatched_close", _H + "Y[p] = exp(X[p, 0]]\noutput Y\n", 3, 19, "found ']'"),
    ("empty_arg", _H + "Y[p] = max(X[p, 0], )\noutput Y\n", 3, 21, "found ')'"),
    ("too_deep", "program t\nlet a = " + "(" * 150 + "\noutput Y\n", 2, 109, "nested too"),
    ("stmt_bad_dtype", _H + "Y[p] : int = X[p, 0]\noutput Y\n", 3, 8, "found 'int'"),
    ("misspelled", "program t\ninptu X[p] : f32\noutput Y\n", 2, 7, "did you mean 'input'?"),
    ("output_reserved", _H + "output sum\n", 3, 8, "cannot be used as an output tensor"),
    ("int_too_long", "program t\nlet a = " + "9" * 5000 + "\noutput Y\n", 2, 9, "does not fit i32"),
    ("int_over_i32", "program t\nlet a = 2147483649\noutput Y\n", 2, 9, "does not fit i32"),
    (
        "too_deep_chain",
        "program t\ninput X[i]\nY[i] = X[i]" + " + X[i]" * 80 + "\noutput Y\n",
        3,
        8,
        "expression too deep",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "col", "fragment"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_program(text, line, col, fragment):
    with pytest.raises(ParseError) as info:
        parse(text)
    err = info.value
    assert (err.loc.line, err.loc.col) == (line, col), err.message
    assert fragment in err.message
    assert err.source == text
    rendered = str(err).splitlines()
    assert rendered[0].startswith(f"line {line}, column {col}: ")
    source_line = text.splitlines()[line - 1].expandtabs(1) if text else ""
    if source_line:
        gutter = f"{line:>4} | "
        caret = rendered[2].index("^")
        if len(source_line) <= 100:
            assert rendered[1] == gutter + source_line
            assert caret == len(gutter) + col - 1
        else:  # a long line shows a window around the caret, marked with "..."
            assert rendered[1].startswith(gutter) and "..." in rendered[1]
            assert len(rendered[1]) <= len(gutter) + 106
            assert rendered[1][caret] == source_line[col - 1]


def test_malformed_table_is_large_enough():
    assert len(MALFORMED) >= 30


# -------------------------------------------------------------------------------- fuzzing


def _parse_or_attncc_error(text: str) -> None:
    try:
        parse(text)
    except AttnccError as err:
        str(err)  # rendering the excerpt must not fail either


_FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_TOKENS = [
    *"()[],:=+-*/%<>",
    "<=",
    ">=",
    "==",
    "!=",
    "\n",
    "#",
    "program",
    "input",
    "param",
    "let",
    "rank",
    "output",
    "where",
    "and",
    "or",
    "not",
    "sum",
    "max",
    "min",
    "exp",
    "select",
    "f32",
    "i32",
    "true",
    "inf",
    "1",
    "0.5",
    "1e-05",
    "p",
    "m",
    "X",
    "Y",
]


@_FUZZ
@given(st.text(max_size=200))
def test_fuzz_random_text(text):
    _parse_or_attncc_error(text)


@_FUZZ
@given(st.lists(st.sampled_from(_TOKENS), max_size=60).map(" ".join))
def test_fuzz_random_tokens(text):
    _parse_or_attncc_error("program t\n" + text)


@st.composite
def _mutated(draw) -> str:
    text = draw(st.sampled_from(VALID_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "token", "swap", "drop"]))
        pos = draw(st.integers(0, len(text)))
        if kind == "insert":
            text = text[:pos] + draw(st.text(min_size=1, max_size=3)) + text[pos:]
        elif kind == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 8)) :]
        elif kind == "replace":
            text = text[:pos] + draw(st.characters()) + text[pos + 1 :]
        elif kind == "token":
            text = text[:pos] + draw(st.sampled_from(_TOKENS)) + text[pos:]
        else:
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if kind == "swap":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                del lines[i]
            text = "\n".join(lines)
    return text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_fuzz_mutated_programs(text):
    _parse_or_attncc_error(text)
