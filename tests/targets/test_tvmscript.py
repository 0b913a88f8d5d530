"""IR expressions → TVMScript text: the printer's text, and its semantics once compiled.

The semantic checks compile small one-statement programs through the generic CPU lowering
and compare with the reference interpreter, bit for bit where the language fixes the
result (integer arithmetic, casts, predicates) and to float32 rounding otherwise.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("tvm")

from attncc.ir.interpreter import interpret
from attncc.ir.nodes import Access
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Name
from attncc.ir.parser import parse
from attncc.targets.tvm.script import Buffer
from attncc.targets.tvm.script import Namer
from attncc.targets.tvm.script import TvmScriptPrinter
from attncc.targets.tvm.script import Typed
from attncc.targets.tvm.script import convert_text
from attncc.targets.tvm.script import literal
from attncc.targets.tvm.script import zero
from tests.targets.generic_kernel import run_generic

PR = TvmScriptPrinter(
    ranks={"i": "i_i", "j": "i_j"},
    scalars={"d": Typed("d", "int32"), "s": Typed("s", "float32"), "G": literal(2)},
    buffers={
        "X": Buffer("X", "float32"),
        "H": Buffer("H", "float16"),
        "B": Buffer("B", "bfloat16"),
        "N": Buffer("N", "int8"),
        "M": Buffer("M", "bool"),
        "P": Buffer("P", "int32"),
    },
)
i, j, d, s, G = Name("i"), Name("j"), Name("d"), Name("s"), Name("G")


def text(e) -> str:
    return PR.expr(e).text


# ----------------------------------------------------------------------------- text


def test_integer_division_is_floor_division_and_literal_divisors_are_plain():
    assert text((i - 3) / G) == "(i_i - 3) // 2"
    assert text(i % 4) == "i_i % 4"
    assert text(i / 0) == "0"  # x / 0 is 0, as in the interpreter


def test_a_runtime_divisor_is_guarded_lazily():
    assert text(i / d) == "T.if_then_else(d == 0, 0, i_i // d)"
    assert text(i % (d + 1)) == "T.if_then_else(d + 1 == 0, 0, i_i % (d + 1))"


def test_mixed_arithmetic_promotes_to_float_and_float_division_is_true_division():
    assert text(i * s) == 'T.Cast("float32", i_i) * s'
    assert text(s / 2) == "s / T.float32(2.0)"
    assert PR.expr(s / 2).dtype == "float32"
    assert text(s % 0.5) == "s - T.floor(s / T.float32(0.5)) * T.float32(0.5)"


def test_parentheses_follow_python_precedence():
    assert text((i + j) * (i - j)) == "(i_i + i_j) * (i_i - i_j)"
    assert text(i - (j - 1)) == "i_i - (i_j - 1)"
    assert text(i - j - 1) == "i_i - i_j - 1"
    assert text(-(i + 1)) == "-(i_i + 1)"
    both = Access("M", (i, j)) & (i.eq(j) | (i < 3))
    assert text(both) == "M[i_i, i_j] and (i_i == i_j or i_i < 3)"
    assert text(~(i < j)) == "not i_i < i_j"


def test_loads_convert_narrow_types_to_compute_types():
    assert text(Access("H", (i, j))) == 'T.Cast("float32", H[i_i, i_j])'
    assert text(Access("B", (j,))) == 'T.Cast("float32", B[i_j])'
    assert text(Access("N", (i,))) == 'T.Cast("int32", N[i_i])'
    assert PR.expr(Access("M", (i, j))).dtype == "bool"
    assert text(Access("X", (Access("P", (i,)), j / G))) == "X[P[i_i], i_j // 2]"


def test_select_max_min_and_functions():
    sel = Call(Fn.SELECT, (i < j, i, s))
    assert text(sel) == 'T.Select(i_i < i_j, T.Cast("float32", i_i), s)'
    assert text(Call(Fn.MAX, (i, j))) == "T.max(i_i, i_j)"
    assert text(Call(Fn.FLOOR, (i,))) == "i_i"  # integers stay as they are
    assert text(Call(Fn.EXP, (i,))) == 'T.exp(T.Cast("float32", i_i))'
    assert text(Call(Fn.RSQRT, (s,))) == "T.rsqrt(s)"


def test_casts():
    assert convert_text(Typed("x", "float32"), DType.F32).text == "x"
    assert convert_text(Typed("x", "float32"), DType.F16).text == (
        'T.Cast("float32", T.Cast("float16", x))'
    )
    assert "T.reinterpret" in convert_text(Typed("x", "float32"), DType.BF16).text
    assert "T.isfinite(x)" in convert_text(Typed("x", "float32"), DType.I32).text
    assert convert_text(Typed("k", "int32"), DType.I8).text == (
        'T.Cast("int32", T.Cast("int8", k))'
    )
    assert convert_text(Typed("a + b", "int32", 5), DType.BOOL).text == "a + b != 0"
    assert convert_text(Typed("c", "bool"), DType.I32).text == 'T.Cast("int32", c)'


def test_literals_and_zeros():
    assert literal(True).text == "T.bool(True)"
    assert literal(-3).text == "-3"
    assert literal(0.1).text == f"T.float32({float(np.float32(0.1))!r})"
    assert literal(float("-inf")).text == 'T.float32("-inf")'
    assert literal(1e300).text == 'T.float32("inf")'  # rounded to float32 first
    assert literal(3, "float32").text == "T.float32(3.0)"
    assert zero("float16") == "T.float16(0)"
    assert zero("bool") == "T.bool(False)"


def test_namer_avoids_python_and_tvmscript_names():
    names = Namer()
    assert names.fresh("T") == "T_1"
    assert names.fresh("range") == "range_1"
    assert names.fresh("if") == "if_1"
    assert names.fresh("S") == "S"
    assert names.fresh("S") == "S_1"


def test_an_unknown_name_is_a_lowering_error():
    from attncc.errors import LoweringError

    with pytest.raises(LoweringError, match="nope"):
        text(Name("nope") + 1)
    with pytest.raises(LoweringError, match="Y"):
        text(Access("Y", (i,)))
    assert text(Const(2.5)) == "T.float32(2.5)"


# ----------------------------------------------------------------------------- semantics

SEMANTICS = """
program semantics
input X[i, j] : f32
input Z[i, j] : f32
input H[i, j] : f16
input B[j] : bf16
input N[i] : i8
input M[i, j] : bool
param d : i32 = -3
param z : i32 = 0
param flag : bool = true
param s : f32 = 0.5
let k = j / 2
let w = d * 2
FD[i, j] = (i - 3) / d + (j - 5) % d + (i - 7) / 3 + (j - 8) % 4 + (i - j) / k
DZ[i, j] = i / z + i % z + i / (j - 4) + i % (j - 4) + i / w
C16[i, j] : f16 = X[i, j] * 100.0 + f32(H[i, j])
CB[i, j] : bf16 = X[i, j] * 3.0 + B[j]
CI8[i, j] : i8 = i32(X[i, j] * 128.0)
CI32[i, j] = i32(X[i, j] * 4.0) + i8(i * 50) + i32(M[i, j]) + i8(X[i, j] * 64.0)
SEL[i, j] = select(M[i, j] and flag, abs(N[i]), min(i, j)) where not (i == j)
MAXI[i] = max(j) N[i] * j where M[i, j]
MINF[i] = min(j) Z[i, j] * s + floor(Z[i, j]) - ceil(Z[i, j]) + Z[i, j] % 0.7
PRED[i, j] : bool = M[i, j] != (X[i, j] > 0.0) or bool(N[i]) == flag
FNS[i] = sum(j) (exp2(Z[i, j]) + log2(abs(Z[i, j]) + 1.0) + rsqrt(abs(Z[i, j]) + 1.0)
    + sigmoid(10.0 * Z[i, j]) + f16(Z[i, j]) + bf16(Z[i, j]) + tanh(Z[i, j]) + log(abs(Z[i, j])))
STORED[i, j] : bf16 = CB[i, j] * 2.0 + f32(C16[i, j]) where CI8[i, j] > 0
output FD, DZ, C16, CB, CI8, CI32, SEL, MAXI, MINF, PRED, FNS, STORED
"""


@pytest.fixture(scope="module")
def semantics_case():
    program = parse(SEMANTICS)
    rng = np.random.default_rng(1)
    n_i, n_j = 7, 11
    x = rng.standard_normal((n_i, n_j)).astype(np.float32)
    x[0, :5] = [np.inf, -np.inf, 3e9, -3e9, np.nan]  # out-of-range casts wrap or give 0
    x[1, :6] = [2.0**31, -(2.0**31), 2.0**31 - 128, 1e15, -1e15, 12345678.0]
    kw = {
        "X": x,
        "Z": rng.standard_normal((n_i, n_j)).astype(np.float32),
        "H": rng.standard_normal((n_i, n_j)).astype(np.float16),
        "B": rng.standard_normal(n_j).astype(np.float32),
        "N": rng.integers(-128, 128, n_i).astype(np.int8),
        "M": rng.random((n_i, n_j)) < 0.5,
    }
    return program, kw, interpret(program, **kw)


@pytest.mark.parametrize("symbolic", [(), ("i", "j")], ids=["constant", "symbolic"])
def test_compiled_expressions_match_the_interpreter(semantics_case, symbolic):
    program, kw, want = semantics_case
    got = run_generic(program, symbolic=symbolic, **kw)
    for name in program.outputs:
        w, g = want[name], got[name]
        assert g.dtype == w.dtype and g.shape == w.shape, name
        if w.dtype.kind in "biu":
            np.testing.assert_array_equal(g, w, err_msg=name)
        else:
            finite = np.isfinite(w)
            np.testing.assert_array_equal(np.isfinite(g), finite, err_msg=name)
            np.testing.assert_allclose(g[finite], w[finite], rtol=2e-6, atol=1e-6, err_msg=name)
