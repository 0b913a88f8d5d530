"""Text pieces of the CPU flash kernel: TVMScript expressions for the online softmax.

Scores live in log2 units; :func:`exp2` is a range reduction and a degree-5 polynomial
(vectorises, where ``T.exp2`` is one libm call per lane); :func:`inverse` is ``1 / l`` with
the reference's answers for rows with no key or only ``-inf`` scores (see
:mod:`attncc.targets.cpu.flash`, "NaN and ±inf").
"""

from __future__ import annotations

import math

from attncc.targets.tvm.flash_spec import fill as fmt
from attncc.targets.tvm.vector_math import EXP2_POLY

__all__ = [
    "EXP2_POLY",
    "FLOOR",
    "LOG2E",
    "MASKED",
    "NAN",
    "exp2",
    "f32",
    "fmt",
    "inverse",
    "log_sum_exp",
    "tree",
]

LOG2E = 1.4426950408889634
MASKED = 'T.float32("-inf")'  # a masked score, and the running max of a row with no key yet
FLOOR = "T.float32(-3.4028234663852886e+38)"  # the least max of a row with a key (docstring)
NAN = 'T.float32("nan")'


def f32(x: float) -> str:
    return f"T.float32({float(x)!r})"


def exp2(x: str) -> str:
    """2**x for x <= 0 as a vectorisable expression: x = n + f, 2**n by exponent bits."""
    xc = f"T.max(T.float32(-127.0), {x})"  # max(c, NaN) is NaN (a > b ? a : b); max(NaN, c) is c
    n = f"T.nearbyint({xc})"
    f = f"({xc} - {n})"
    poly = f32(EXP2_POLY[-1])
    for coef in EXP2_POLY[-2::-1]:
        poly = f"T.fma({poly}, {f}, {f32(coef)})"
    bits = f'T.reinterpret("float32", T.shift_left(T.Cast("int32", {n}) + 127, 23))'
    return f"({bits} * {poly})"


def inverse(mx: str, total: str) -> str:
    """1 / the softmax sum of a row: 0 for a row with no key (0, never NaN), NaN when every
    present score was -inf (max ``FLOOR``: the reference's exp(-inf - -inf)); a NaN sum stays
    NaN (a ``total > 0`` test would turn it into 0)."""
    zero = "T.float32(0)"
    inv = f"T.if_then_else({total} == {zero}, {zero}, T.float32(1) / {total})"
    return f"T.if_then_else({mx} == {FLOOR}, {NAN}, {inv})"


def log_sum_exp(mx: str, total: str) -> str:
    """A row's natural log-sum-exp from its running max (log2 units) and sum: 0 for a row
    with no key (the reference's absent value), NaN when every present score was -inf."""
    value = f"({mx} + T.log2({total})) * {f32(math.log(2.0))}"
    return (
        f"T.if_then_else({mx} == {MASKED}, T.float32(0), "
        f"T.if_then_else({mx} == {FLOOR}, {NAN}, {value}))"
    )


def tree(op: str, items: list[str]) -> str:
    while len(items) > 1:
        nxt = [f"{op}({items[i]}, {items[i + 1]})" for i in range(0, len(items) - 1, 2)]
        if len(items) % 2:
            nxt.append(items[-1])
        items = nxt
    return items[0]
