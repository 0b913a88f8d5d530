"""Float functions as TVMScript arithmetic that vectorises on CPUs.

On the LLVM CPU backend ``T.exp``, ``T.tanh``, ``T.log``, ``T.sigmoid`` become one libm call
per lane: a vectorised loop is split into scalar calls, and every vector register is saved
around each call (a soft-capped causal kernel reloaded vectors from the stack 1,400 times
against 4 without ``tanh``). Here each is range reduction plus a polynomial in ``T.fma``,
``T.nearbyint``, shifts and selects, which LLVM keeps in vector registers:

* ``exp2`` / ``exp``: ``2**n`` from exponent bits, ``2**f`` (``|f| <= 1/2``) or ``e**r``
  (Cody-Waite, ``|r| <= ln 2 / 2``) by a degree-5 / 6 polynomial; relative error ≲ 3e-7.
  Subnormal results as a multiply rounds them; above ``FLT_MAX``, ``inf``.
* ``tanh``: an odd polynomial below 0.625, ``1 - 2 / (e**(2|x|) + 1)`` above.
* ``sigmoid``: ``1 / (1 + e**-x)``.
* ``log`` / ``log2``: exponent and mantissa from the bits (subnormals scaled first), the
  mantissa folded into ``[√½, √2)``, ``log1p`` by a degree-8 polynomial; relative error
  ≲ 2e-7.

Specials follow the reference: NaN stays NaN, ``exp(-inf) = 0``, ``exp(inf) = inf``,
``tanh(±inf) = ±1``, ``log(0) = -inf``, ``log(x < 0) = NaN``, ``log(inf) = inf``. The argument
text is repeated (TVMScript has no expression-local binding without a function-level
declaration); LLVM's value numbering computes it once.
"""

from __future__ import annotations

from collections.abc import Callable

from attncc.ir.nodes import Fn

__all__ = ["VECTOR_FNS", "exp", "exp2", "log", "log2", "sigmoid", "tanh"]

LOG2E = 1.4426950408889634
LN2_HI = 0.693359375  # ln 2 = LN2_HI + LN2_LO, LN2_HI with few mantissa bits: n * LN2_HI exact
LN2_LO = -2.12194440e-4
INF, NEG_INF, NAN = 'T.float32("inf")', 'T.float32("-inf")', 'T.float32("nan")'
# 2**f on [-0.5, 0.5] (relative-error fit), Horner order from the constant term
EXP2_POLY = (
    1.0000001192092896,
    0.6931469440460205,
    0.24022120237350464,
    0.05550713092088699,
    0.009675541892647743,
    0.0013276472454890609,
)
# e**r on [-ln2/2, ln2/2]: Taylor terms to r**6 (truncation ≤ 1.2e-7 relative)
EXP_POLY = (1.0, 1.0, 0.5, 1 / 6, 1 / 24, 1 / 120, 1 / 720)
# tanh(x) = x + x * z * P(z), z = x², |x| < 0.625 (odd minimax fit, coefficients of z**k)
TANH_POLY = (
    -3.33332819422e-1,
    1.33314422036e-1,
    -5.37397155531e-2,
    2.06390887954e-2,
    -5.70498872745e-3,
)
TANH_SMALL = 0.625
# log(1 + f) = f - f²/2 + f³ * P(f), f in [√½ - 1, √2 - 1] (minimax fit, coefficients of f**k)
LOG_POLY = (
    3.3333331174e-1,
    -2.4999993993e-1,
    2.0000714765e-1,
    -1.6668057665e-1,
    1.4249322787e-1,
    -1.2420140846e-1,
    1.1676998740e-1,
    -1.1514610310e-1,
    7.0376836292e-2,
)
SQRT2 = 1.4142135623730951
FLT_MIN = 1.1754943508222875e-38


def _f(x: float) -> str:
    return f"T.float32({float(x)!r})"


def _horner(coefs: tuple[float, ...], x: str) -> str:
    """``coefs[0] + coefs[1] x + ...`` in fused multiply-adds."""
    acc = _f(coefs[-1])
    for c in coefs[-2::-1]:
        acc = f"T.fma({acc}, {x}, {_f(c)})"
    return acc


def _scaled(n: str, y: str) -> str:
    """``2**n * y`` for an integral float ``n`` in ``[-150, 128]``: two factors ``2**h`` and
    ``2**(n - h)``, ``h = n >> 1``, each a valid float (``2**128 * y`` with ``y < 1`` stays
    finite; results below 2**-126 round into subnormals as a multiply does)."""
    ni = f'T.Cast("int32", {n})'
    h = f"T.shift_right({ni}, 1)"
    lo = f'T.reinterpret("float32", T.shift_left({h} + 127, 23))'
    hi = f'T.reinterpret("float32", T.shift_left({ni} - {h} + 127, 23))'
    return f"(({y} * {lo}) * {hi})"


def _clamp(x: str) -> str:
    """``x`` clamped into ``[-150, 128]``, NaN kept (TVM's min / max keep a NaN only in
    their second operand)."""
    return f"T.max(T.float32(-150.0), T.min(T.float32(128.0), {x}))"


def exp2(x: str) -> str:
    """``2**x``."""
    x = f"({x})"  # an operand of every operator below
    xc = _clamp(x)
    n = f"T.nearbyint({xc})"
    return _scaled(n, _horner(EXP2_POLY, f"({xc} - {n})"))


def exp(x: str) -> str:
    """``e**x``: ``n = round(x log2 e)``, ``r = x - n ln 2`` in two steps (Cody-Waite)."""
    x = f"({x})"  # an operand of every operator below
    n = f"T.nearbyint({_clamp(f'{x} * {_f(LOG2E)}')})"
    r = f"T.fma(-{n}, {_f(LN2_LO)}, T.fma(-{n}, {_f(LN2_HI)}, {x}))"
    core = _scaled(n, _horner(EXP_POLY, r))
    # below -104 the clamped reduction leaves the polynomial's range (and e**x < 2**-149): 0
    return f"T.if_then_else({x} < T.float32(-104.0), T.float32(0), {core})"


def tanh(x: str) -> str:
    """``tanh(x)``; NaN fails both comparisons and takes the large branch, which keeps it."""
    x = f"({x})"  # an operand of every operator below
    z = f"({x} * {x})"
    small = f"T.fma({x} * {z}, {_horner(TANH_POLY, z)}, {x})"
    big = f"(T.float32(1) - T.float32(2) / ({exp(f'T.float32(2) * T.abs({x})')} + T.float32(1)))"
    signed = f"T.if_then_else({x} < T.float32(0), -{big}, {big})"
    return f"T.if_then_else(T.abs({x}) < {_f(TANH_SMALL)}, {small}, {signed})"


def sigmoid(x: str) -> str:
    """``1 / (1 + e**-x)``: 0 at ``-inf`` (``1 / inf``), 1 at ``inf``."""
    x = f"({x})"  # an operand of every operator below
    return f"(T.float32(1) / (T.float32(1) + {exp(f'-({x})')}))"


def _log_parts(x: str) -> tuple[str, str]:
    """``(e, log(m))`` with ``x = 2**e * m``, ``m`` in ``[√½, √2)``, for finite ``x > 0``."""
    tiny = f"{x} < {_f(FLT_MIN)}"
    xs = f"T.if_then_else({tiny}, {x} * {_f(2.0**23)}, {x})"  # subnormals: scale up first
    bits = f'T.reinterpret("int32", {xs})'
    e0 = f"(T.shift_right({bits}, 23) - 127 - T.if_then_else({tiny}, 23, 0))"
    m0 = f'T.reinterpret("float32", T.bitwise_or(T.bitwise_and({bits}, 8388607), 1065353216))'
    big = f"{m0} > {_f(SQRT2)}"
    m = f"T.if_then_else({big}, {m0} * T.float32(0.5), {m0})"
    e = f'T.Cast("float32", {e0} + T.if_then_else({big}, 1, 0))'
    f = f"({m} - T.float32(1))"
    z = f"({f} * {f})"
    log1p = f"T.fma({f} * {z}, {_horner(LOG_POLY, f)}, T.fma(T.float32(-0.5), {z}, {f}))"
    return e, log1p


def _log_specials(x: str, core: str) -> str:
    """``core`` for finite ``x > 0``; ``-inf`` at 0, ``inf`` at ``inf``, NaN otherwise."""
    rest = f"T.if_then_else({x} == {INF}, {INF}, {NAN})"
    rest = f"T.if_then_else({x} == T.float32(0), {NEG_INF}, {rest})"
    return f"T.if_then_else(T.And({x} > T.float32(0), {x} < {INF}), {core}, {rest})"


def log(x: str) -> str:
    """``ln x``."""
    x = f"({x})"  # an operand of every operator below
    e, log1p = _log_parts(x)
    core = f"T.fma({e}, {_f(LN2_LO)}, T.fma({e}, {_f(LN2_HI)}, {log1p}))"
    return _log_specials(x, core)


def log2(x: str) -> str:
    """``log2 x``."""
    x = f"({x})"  # an operand of every operator below
    e, log1p = _log_parts(x)
    return _log_specials(x, f"T.fma({log1p}, {_f(LOG2E)}, {e})")


#: The functions this module replaces, by the language's function.
VECTOR_FNS: dict[Fn, Callable[[str], str]] = {
    Fn.EXP: exp,
    Fn.EXP2: exp2,
    Fn.LOG: log,
    Fn.LOG2: log2,
    Fn.TANH: tanh,
    Fn.SIGMOID: sigmoid,
}
