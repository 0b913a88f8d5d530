"""A numpy executor of a matched attention in its one-pass form: a test oracle, not a kernel.

:func:`execute_online` runs what an :class:`~attncc.ir.rewrites.online.AttentionMatch`
describes the way a flash kernel does — key tile by key tile, with a running max, a running
sum and an accumulator rescaled by correction factors — and never builds the three-pass
cascade. Tests compare it with :func:`~attncc.ir.interpreter.interpret` on the original
program: equal results mean the match describes the same computation.

Scope: float64 throughout; tensors the match reads that are neither inputs nor its own
contractions (``A2``, ``A3`` of a tree mask, the partial states a merge reads) come from the
reference interpreter, so they are rounded to f32 there and read as 0 where absent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace

import numpy as np

from attncc.errors import ArgumentError
from attncc.ir._interp_eval import UNARY_FNS
from attncc.ir.bind import Binding
from attncc.ir.interpreter import interpret
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Name
from attncc.ir.nodes import Scalar
from attncc.ir.nodes import Unary
from attncc.ir.nodes import UnaryOp
from attncc.ir.nodes import accesses_in
from attncc.ir.numerics import convert
from attncc.ir.rewrites.online import AttentionMatch

__all__ = ["Layout", "evaluate", "execute_online"]


_BINARY = {
    BinaryOp.ADD: np.add,
    BinaryOp.SUB: np.subtract,
    BinaryOp.MUL: np.multiply,
    BinaryOp.LT: np.less,
    BinaryOp.LE: np.less_equal,
    BinaryOp.GT: np.greater,
    BinaryOp.GE: np.greater_equal,
    BinaryOp.EQ: np.equal,
    BinaryOp.NE: np.not_equal,
    BinaryOp.AND: np.logical_and,
    BinaryOp.OR: np.logical_or,
}


@dataclass(frozen=True)
class Layout:
    """Named axes, each ``size`` long from index ``lo``: rank names evaluate to aranges."""

    axes: tuple[str, ...]
    lo: Mapping[str, int]
    size: Mapping[str, int]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.size[a] for a in self.axes)

    def index(self, rank: str) -> np.ndarray:
        shape = [1] * len(self.axes)
        axis = self.axes.index(rank)
        shape[axis] = self.size[rank]
        lo = self.lo.get(rank, 0)
        return np.arange(lo, lo + self.size[rank], dtype=np.int64).reshape(shape)


def evaluate(
    e: Expr,
    layout: Layout,
    tensors: Mapping[str, np.ndarray],
    scalars: Mapping[str, Scalar],
    given: Mapping[str, np.ndarray] | None = None,
) -> np.ndarray:
    """``e`` at every point of ``layout`` (broadcastable to its shape); float64 / int64.

    ``given`` holds arrays already in the layout, for accesses at their own point. Indices
    outside a tensor are clamped (guarded reads; their points are filtered out anyway).
    """
    given = given or {}

    def ev(x: Expr) -> np.ndarray:
        if isinstance(x, Const):
            v = x.value
            return np.asarray(
                v,
                np.bool_ if isinstance(v, bool) else np.int64 if isinstance(v, int) else np.float64,
            )
        if isinstance(x, Name):
            if x.name in layout.axes:
                return layout.index(x.name)
            v = scalars[x.name]
            return ev(Const(v))
        if isinstance(x, Access):
            if x.tensor in given:
                return given[x.tensor]
            arr = tensors[x.tensor]
            idx = [np.clip(ev(i), 0, n - 1) for i, n in zip(x.indices, arr.shape, strict=True)]
            return arr[tuple(idx)]
        if isinstance(x, Unary):
            v = ev(x.operand)
            return np.logical_not(v) if x.op is UnaryOp.NOT else np.negative(v)
        if isinstance(x, Binary):
            a, b = ev(x.lhs), ev(x.rhs)
            if x.op in _BINARY:
                return _BINARY[x.op](a, b)
            ints = a.dtype.kind in "iu" and b.dtype.kind in "iu"
            if x.op is BinaryOp.MOD:
                return np.mod(a, b)
            return np.floor_divide(a, b) if ints else np.true_divide(a, b)
        if isinstance(x, Call):
            args = [ev(a) for a in x.args]
            if x.fn.cast_dtype is not None:
                return convert(args[0], x.fn.cast_dtype)
            if x.fn is Fn.SELECT:
                return np.where(*args)
            if x.fn in (Fn.MAX, Fn.MIN):
                return (np.maximum if x.fn is Fn.MAX else np.minimum)(*args)
            if x.fn in (Fn.FLOOR, Fn.CEIL):
                v = args[0]
                return v if v.dtype.kind in "iu" else (np.floor if x.fn is Fn.FLOOR else np.ceil)(v)
            return UNARY_FNS[x.fn](args[0].astype(np.float64))
        raise TypeError(f"not an attncc expression: {x!r}")

    return ev(e)


def _inputs(match: AttentionMatch, binding: Binding, inputs: Mapping[str, object]):
    program = match.program
    tensors = {}
    for d in program.inputs:
        arr = np.asarray(inputs[d.name])
        tensors[d.name] = arr.astype(np.int64) if d.dtype.is_int else convert(arr, d.dtype)
    exprs = [match.score, match.predicate, match.value]
    for c in match.contractions:
        exprs += [*c.factors, c.where]
    own = {c.name for c in match.contractions}
    needed = {
        a.tensor
        for e in exprs
        if e is not None
        for a in accesses_in(e)
        if a.tensor not in tensors and a.tensor not in own
    }
    if needed:
        params = {p.name: binding.scalars[p.name] for p in program.params}
        sub = replace(program, outputs=tuple(s.out for s in program.stmts if s.out in needed))
        got = interpret(sub, **{d.name: inputs[d.name] for d in program.inputs}, **params)
        got = got if isinstance(got, dict) else {sub.outputs[0]: got}
        tensors.update(
            {
                k: np.asarray(v, np.float64 if v.dtype.kind == "f" else v.dtype)
                for k, v in got.items()
            }
        )
    return tensors


def _contract(c, tile: Layout, ext, tensors, scalars) -> tuple[np.ndarray, np.ndarray]:
    """A contraction over one key tile: its value and presence, in the tile's layout."""
    layout = Layout((*tile.axes, *c.over), tile.lo, {**ext, **tile.size})
    full = layout.shape
    prod = np.ones((), np.float64)
    for f in c.factors:
        prod = prod * evaluate(f, layout, tensors, scalars)
    prod = np.broadcast_to(prod, full)
    axes = tuple(range(len(tile.axes), len(full)))
    if c.where is None:
        present = np.full(tile.shape, all(full[a] > 0 for a in axes))
        return prod.sum(axis=axes), present
    mask = np.broadcast_to(evaluate(c.where, layout, tensors, scalars), full)
    return np.where(mask, prod, 0.0).sum(axis=axes), mask.any(axis=axes)


def execute_online(
    match: AttentionMatch,
    binding: Binding,
    inputs: Mapping[str, object],
    key_tile: int,
) -> dict[str, np.ndarray]:
    """Run ``match`` one key tile at a time; the output and extras by name (absent → 0).

    ``binding`` gives extents and params (:func:`attncc.ir.bind.bind`); ``inputs`` the
    program's input arrays. Arrays come back float64, each in its statement's rank order.
    """
    if isinstance(key_tile, bool) or not isinstance(key_tile, int) or key_tile < 1:
        raise ArgumentError(f"key_tile must be a positive integer, got {key_tile!r}")
    with np.errstate(all="ignore"):
        return _online(match, binding, inputs, key_tile)


def _online(match, binding, inputs, key_tile) -> dict[str, np.ndarray]:
    # max→exp→sum→div→contract  ⇒  running (max, sum, acc)
    ext = dict(binding.extents)
    scalars = binding.scalars
    tensors = _inputs(match, binding, inputs)
    rows, key, vr = match.rows, match.key, match.value_ranks
    shape_r = tuple(ext[r] for r in rows)
    shape_v = tuple(ext[r] for r in vr)
    run_max = np.full(shape_r, -np.inf)
    run_sum = np.zeros(shape_r)
    acc = np.zeros(shape_r + shape_v)
    seen = np.zeros(shape_r, bool)
    lift = (...,) + (None,) * len(vr)
    for k0 in range(0, ext[key], key_tile):
        size = {**ext, key: min(key_tile, ext[key] - k0)}
        tile = Layout((*rows, key), {key: k0}, size)
        full = tile.shape
        given, present = {}, np.ones(full, bool)
        for c in match.contractions:
            given[c.name], pc = _contract(c, tile, ext, tensors, scalars)
            present &= pc
        x = np.broadcast_to(evaluate(match.score, tile, tensors, scalars, given), full)
        if match.predicate is not None:
            present &= np.broadcast_to(
                evaluate(match.predicate, tile, tensors, scalars, given), full
            )
        present &= x > -np.inf
        x = np.where(present, x, -np.inf)
        new_max = np.maximum(run_max, x.max(axis=-1))
        live = new_max > -np.inf
        corr = np.where(live, np.exp(run_max - np.where(live, new_max, 0.0)), 0.0)
        w = np.where(present, np.exp(x - np.where(live, new_max, 0.0)[..., None]), 0.0)
        vtile = Layout((*rows, key, *vr), {key: k0}, size)
        v = np.broadcast_to(evaluate(match.value, vtile, tensors, scalars), vtile.shape)
        run_sum = run_sum * corr + w.sum(axis=-1)
        wv = np.einsum("...k,...kf->...f", w, v.reshape(*full, math.prod(shape_v)))
        acc = acc * corr[lift] + wv.reshape(acc.shape)
        run_max, seen = new_max, seen | present.any(axis=-1)
    ok = seen & (run_sum > 0)
    safe = np.where(ok, run_sum, 1.0)
    out = acc / safe[lift] if match.normalized else acc
    out = np.where(ok[lift], out, 0.0)
    order = [(*rows, *vr).index(r) for r in match.out_ranks]
    results = {match.output: np.transpose(out, order)}
    for stat in match.extras:
        value = {"max": run_max, "sum": run_sum, "lse": run_max + np.log(safe)}[stat.kind]
        results[stat.name] = np.where(ok, value, 0.0)
    return results
