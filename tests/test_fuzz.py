"""Only ``AttnccError`` escapes the whole path, for any input.

Hypothesis writes programs (a grammar of declarations, statements, filters and reductions
with hostile literals, indices and divisors, and mutations of the catalogue's texts), then
runs text → parse → validate → interpret at tiny shapes with hostile arguments (empty
ranks, NaN, inf, huge integers, wrong dtypes, extra or missing names). Anything but a
result or an :class:`~attncc.AttnccError` -- a ``RecursionError``, ``OverflowError``,
``ValueError``, ``IndexError``, ``MemoryError`` -- fails the test.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import attncc
from attncc import variants
from attncc.errors import AttnccError
from attncc.ir.nodes import DType

_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)

INPUTS = {
    "X": ("[i, j]", "f32"),
    "Y": ("[j]", "f16"),
    "N": ("[i]", "i32"),
    "B": ("[i, j]", "bool"),
    "Q": ("[i, j]", "i8"),
}
FLOATS = ["0.5", "1e-30", "3.4e38", "1e39", "inf", "0.0", "-2.5", "1e-45"]
INTS = ["0", "1", "2", "-1", "3", "0", "1", "2147483647", "-2147483648", "2147483648", "9" * 40]
FUNCS = ["exp", "exp2", "log", "log2", "tanh", "sigmoid", "sqrt", "rsqrt", "abs", "floor",
         "ceil", "f16", "bf16"]  # fmt: skip
ARITH = ["+", "-", "*", "/", "%"]
COMPARE = ["<", "<=", ">", ">=", "==", "!="]


def _typed(depth: int, kind: str, stmt: str) -> st.SearchStrategy[str]:
    """Expressions of one kind (``float``, ``int``, ``bool``): mostly well typed, so that
    many programs get past validation and into binding and the interpreter."""
    if kind == "int":
        leaves = st.sampled_from([*INTS, "i", "j", "L", "N[i]", "N[N[i]]", "N[j]", "Q[i, j]"])
    elif kind == "bool":
        leaves = st.sampled_from(["true", "false", "B[i, j]", "i < j", "N[i] >= 0", "P > 0"])
    else:
        reads = ["X[i, j]", "Y[j]", "scale", "X[i + 1, j]", "X[N[i], j]", "Y[N[i] % 3]"]
        reads += ["X[i, 2147483647]", "X[0, j / 0]", "Y[Q[i, j]]"]
        reads += ["T[i, j]"] if stmt == "R" else []
        leaves = st.one_of(st.sampled_from(FLOATS), st.sampled_from(reads))
    if depth >= 4:
        return leaves
    f, i, b = (_typed(depth + 1, k, stmt) for k in ("float", "int", "bool"))
    if kind == "int":
        grown = [
            st.builds(lambda x, o, y: f"({x} {o} {y})", i, st.sampled_from(ARITH), i),
            f.map(lambda x: f"i32({x})"),
            i.map(lambda x: f"abs({x})"),
        ]
    elif kind == "bool":
        grown = [
            st.builds(lambda x, o, y: f"({x} {o} {y})", f, st.sampled_from(COMPARE), f),
            st.builds(lambda x, o, y: f"({x} {o} {y})", i, st.sampled_from(COMPARE), i),
            st.builds(lambda x, o, y: f"({x} {o} {y})", b, st.sampled_from(["and", "or"]), b),
            b.map(lambda x: f"not {x}"),
        ]
    else:
        grown = [
            st.builds(lambda x, o, y: f"({x} {o} {y})", f, st.sampled_from(ARITH), f),
            st.builds(lambda fn, x: f"{fn}({x})", st.sampled_from(FUNCS), f),
            st.builds(lambda x, y: f"max({x}, {y})", f, f),
            st.builds(lambda c, x, y: f"select({c}, {x}, {y})", b, f, f),
            i.map(lambda x: f"f32({x})"),
            f.map(lambda x: f"-{x}"),
            st.builds(lambda x, n: " + ".join([x] * n), f, st.sampled_from([2, 3, 8, 70, 600])),
        ]
    return st.one_of(leaves, *grown)


@st.composite
def programs(draw) -> str:
    body = []
    for out, ranks in (("T", "[i, j]"), ("R", "[i]")):
        reduce = "" if out == "T" else draw(st.sampled_from(["sum(j) ", "max(j) ", "min(j) "]))
        value = draw(_typed(0, "float", out))
        if out == "R":
            value = f"{draw(st.sampled_from(['T[i, j]', 'X[i, j]']))} * {value}"
        filt = _typed(2, "bool", out).map(lambda e: f" where {e}")
        body.append(f"{out}{ranks} = {reduce}{value}{draw(st.one_of(st.just(''), filt))}")
    read = {name for name in INPUTS if f"{name}[" in "".join(body)}
    lines = ["program fuzz"]
    lines += [f"input {n}{INPUTS[n][0]} : {INPUTS[n][1]}" for n in sorted(read)]
    lines.append(f"param P : f32 = {draw(st.sampled_from(FLOATS))}")
    lines.append(f"param L : i32 = {draw(st.sampled_from(INTS[:5]))}")
    scale = ["1 / sqrt(f32(j))", "0.125", "P * 2.0", "f32(i / j)", "exp(P)", "f32(L % 0)"]
    lines.append(f"let scale = {draw(st.sampled_from(scale))}")
    if draw(st.booleans()):
        lines.append(f"rank k = {draw(st.sampled_from(['i + j', 'i * j * 100000', 'L', 'i / 0']))}")
    lines += body
    lines.append(f"output {draw(st.sampled_from(['T', 'R', 'T, R']))}")
    lines = [ln for ln in lines if draw(st.integers(0, 80)) or ln.startswith(("program", "out"))]
    return "\n".join(lines) + "\n"


ARRAY_VALUES = [0.0, 1.0, -1.0, np.nan, np.inf, -np.inf, 1e38, 2**31 - 1, -(2**31), 7, 2]


@st.composite
def arguments(draw, program) -> dict:
    extents = {r: draw(st.integers(0, 3)) for r in ("i", "j")}
    args: dict = {}
    for d in program.inputs:
        shape = tuple(extents.get(r, 2) for r in d.ranks)
        fill = draw(st.sampled_from(ARRAY_VALUES))
        kind = draw(st.sampled_from(["declared", "float64", "int64", "bool", "list"]))
        base = np.full(shape, fill if np.isfinite(fill) else 0.0)
        if d.dtype.is_float:
            arr = base.astype(np.float64 if kind == "float64" else np.float32)
            arr = np.where(arr == 0, fill, arr) if kind != "float64" else arr
        elif d.dtype.is_int:
            arr = base.astype(np.int64 if kind == "int64" else np.int32)
        else:
            arr = base.astype(bool)
        args[d.name] = arr.tolist() if kind == "list" else arr
    for p in program.params:
        if draw(st.booleans()):
            args[p.name] = draw(st.sampled_from([0, 1, -1, 2**40, np.nan, np.inf, True, "x", 2]))
    if draw(st.integers(0, 9)) == 0:
        args["Z"] = 1.0  # an unknown name
    return args


def _run(text: str, data=None) -> None:
    """The whole path; ``data`` draws hostile arguments (else small well-formed arrays)."""
    try:
        program = attncc.parse(text)
        attncc.validate(program)
        if data is not None:
            args = data.draw(arguments(program))
        else:
            args = {d.name: np.ones([2] * len(d.ranks), _NUMPY[d.dtype]) for d in program.inputs}
        with np.errstate(all="ignore"):
            attncc.interpret(program, **args)
    except AttnccError as err:
        str(err)  # rendering the message must not fail either


_NUMPY = {"f32": np.float32, "f16": np.float16, "bf16": np.float32, "i32": np.int32}
_NUMPY = {DType(k): v for k, v in _NUMPY.items()} | {DType.I8: np.int8, DType.BOOL: np.bool_}

#: Inputs found by hand before the fuzzer existed (each once escaped as a Python error).
KNOWN = {
    "flat_chain": "program a\ninput X[i]\nY[i] = X[i]" + " + X[i]" * 500 + "\noutput Y\n",
    "huge_literal": "program a\ninput X[i]\nY[i] = X[i] * 1" + "0" * 400 + "\noutput Y\n",
    "huge_let": "program a\ninput X[i]\nlet N = i * i * i * i * i * i * i * i * 2147483647\n"
    "Y[i] = X[i] * f32(N)\noutput Y\n",
    "float_overflow": "program a\ninput X[i]\nlet N = f32(2147483647 * 2147483647 * 2147483647)"
    "\nY[i] = X[i] * N\noutput Y\n",
    "index_message": "program a\ninput X[i, j]\nY[i] = X[i, 5]\noutput Y\n",
    "deep_parens": "program a\ninput X[i]\nY[i] = "
    + "(" * 300
    + "X[i]"
    + ")" * 300
    + "\noutput Y\n",
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_known_hostile_programs(name: str) -> None:
    _run(KNOWN[name])


@_SETTINGS
@given(text=programs(), data=st.data())
def test_generated_programs_raise_only_attncc_errors(text, data) -> None:
    _run(text, data)


CATALOGUE = [str(p) for p in variants.catalogue().values()]


@st.composite
def mutated(draw) -> str:
    text = draw(st.sampled_from(CATALOGUE))
    for _ in range(draw(st.integers(1, 3))):
        pos = draw(st.integers(0, len(text)))
        pieces = [*FLOATS, *INTS, " + ", " / 0", "[", "]", ",", " where ", "\n", "-"]
        piece = draw(st.sampled_from(pieces))
        text = text[:pos] + piece + text[pos + draw(st.integers(0, 4)) :]
    return text


@_SETTINGS
@given(text=mutated(), data=st.data())
def test_mutated_catalogue_programs_raise_only_attncc_errors(text, data) -> None:
    _run(text, data)


def test_the_grammar_reaches_the_interpreter() -> None:
    """The strategy is not vacuous: some generated programs run to a result."""
    ran = []

    @settings(max_examples=80, deadline=None, derandomize=True, database=None)
    @given(text=programs(), data=st.data())
    def probe(text, data) -> None:
        try:
            program = attncc.parse(text)
            attncc.validate(program)
            args = data.draw(arguments(program))
            with np.errstate(all="ignore"):
                attncc.interpret(program, **args)
            ran.append(text)
        except AttnccError:
            pass

    probe()
    assert len(ran) >= 3
