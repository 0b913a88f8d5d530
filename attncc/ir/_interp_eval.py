"""Statement evaluation for the reference interpreter: values, presence, gathers, reductions.

Every value of a statement lives in the statement's *canonical layout*: one axis per rank of
its iteration space (left ranks, then reduced ranks), of size 1 where the value does not
depend on the rank. Rank names evaluate to ``np.arange`` index arrays laid out that way, so
numpy broadcasting is the language's map semantics. Floats are float64, integers int64.

Presence rides along as a bool mask in the same layout (``None``: fully present, the fast
path). Where a value is absent its number is garbage (it may be inf or NaN); it never leaks
because every consumer masks: stores write 0, reductions skip, contractions zero factors.
The caller runs everything under ``np.errstate(all="ignore")``.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from attncc.errors import BoundsError
from attncc.ir._interp_contract import Factor
from attncc.ir._interp_contract import Mask
from attncc.ir._interp_contract import and_masks
from attncc.ir._interp_contract import masked_sum
from attncc.ir._interp_contract import normalise
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Name
from attncc.ir.nodes import ReduceOp
from attncc.ir.nodes import Scalar
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import Unary
from attncc.ir.nodes import UnaryOp
from attncc.ir.nodes import conjuncts
from attncc.ir.numerics import convert
from attncc.ir.numerics import round_bf16
from attncc.ir.printer import format_stmt

__all__ = ["Space", "Stored", "convert", "evaluate_stmt", "round_bf16"]

# ----------------------------------------------------------------------------- data


@dataclass(slots=True)
class Val:
    """A value in canonical layout, its presence mask, and what may be done with it.

    ``owned``: ``arr`` is a fresh temporary that an operation may overwrite.
    ``clean``: ``arr`` is already 0 wherever ``mask`` is False.
    """

    arr: np.ndarray
    mask: Mask = None
    owned: bool = False
    clean: bool = False


@dataclass(slots=True)
class Stored:
    """A tensor as statements read it: an input, or a statement's (chunk of) output.

    ``value`` and ``mask`` have one axis per dimension, each of full size or of size 1 (the
    tensor is constant along it); ``shape`` is the full size. ``offsets[d]`` is the global
    index of element 0 along dimension ``d`` (non-zero for the chunked rank). Absent
    elements of ``value`` are 0.
    """

    name: str
    ranks: tuple[str, ...]
    value: np.ndarray
    mask: Mask
    shape: tuple[int, ...]
    offsets: tuple[int, ...]


@dataclass(frozen=True)
class Space:
    """A statement's iteration space, or the part of it one chunk covers."""

    ranks: tuple[str, ...]
    lo: Mapping[str, int]  # global index of the first point, per rank
    size: Mapping[str, int]  # number of points, per rank

    def axis(self, rank: str) -> int:
        return self.ranks.index(rank)

    def index(self, rank: str) -> np.ndarray:
        shape = [1] * len(self.ranks)
        shape[self.axis(rank)] = self.size[rank]
        lo = self.lo[rank]
        return np.arange(lo, lo + self.size[rank], dtype=np.int64).reshape(shape)


def scalar_array(value: Scalar) -> np.ndarray:
    dtype = np.bool_ if isinstance(value, bool) else np.int64 if isinstance(value, int) else None
    return np.asarray(value, dtype=dtype or np.float64)


# ----------------------------------------------------------------------------- elementwise


def _sigmoid(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _round_fn(fn: Callable) -> Callable:
    """floor/ceil keep integers as they are (numpy would make them float)."""
    return lambda x: x if x.dtype.kind in "iub" else fn(x)


UNARY_FNS: dict[Fn, Callable[[np.ndarray], np.ndarray]] = {
    Fn.EXP: np.exp,
    Fn.EXP2: np.exp2,
    Fn.LOG: np.log,
    Fn.LOG2: np.log2,
    Fn.TANH: np.tanh,
    Fn.SIGMOID: _sigmoid,
    Fn.SQRT: np.sqrt,
    Fn.RSQRT: lambda x: 1.0 / np.sqrt(x),
    Fn.ABS: np.abs,
    Fn.FLOOR: _round_fn(np.floor),
    Fn.CEIL: _round_fn(np.ceil),
}
_INPLACE_FLOAT_FNS = {
    Fn.EXP: np.exp,
    Fn.EXP2: np.exp2,
    Fn.LOG: np.log,
    Fn.LOG2: np.log2,
    Fn.TANH: np.tanh,
    Fn.SQRT: np.sqrt,
}

_COMPARE = {
    BinaryOp.LT: np.less,
    BinaryOp.LE: np.less_equal,
    BinaryOp.GT: np.greater,
    BinaryOp.GE: np.greater_equal,
    BinaryOp.EQ: np.equal,
    BinaryOp.NE: np.not_equal,
    BinaryOp.AND: np.logical_and,
    BinaryOp.OR: np.logical_or,
}
_ARITH = {BinaryOp.ADD: np.add, BinaryOp.SUB: np.subtract, BinaryOp.MUL: np.multiply}


def _is_int(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "iu"


def _apply(fn: np.ufunc, *vals: Val, dtype: np.dtype) -> Val:
    """``fn`` over broadcast values, writing into an owned operand when one fits."""
    arrs = [v.arr for v in vals]
    shape = np.broadcast_shapes(*(a.shape for a in arrs))
    reuse = next(
        (
            v.arr
            for v in vals
            if v.owned and v.arr.shape == shape and v.arr.dtype == dtype and v.arr.ndim > 0
        ),
        None,
    )
    result = fn(*arrs, out=reuse) if reuse is not None else fn(*arrs)
    return Val(np.asarray(result), and_masks(*(v.mask for v in vals)), owned=True)


def _fresh(v: Val, result: np.ndarray) -> Val:
    """``result`` computed from ``v``: owned unless it is ``v``'s own (shared) array."""
    return Val(result, v.mask, owned=v.owned or result is not v.arr)


def _binary_arith(op: BinaryOp, a: Val, b: Val) -> Val:
    both_int = _is_int(a.arr) and _is_int(b.arr)
    if op in _ARITH:
        dtype = np.result_type(a.arr, b.arr)
        return _apply(_ARITH[op], a, b, dtype=dtype)
    if op is BinaryOp.DIV and not both_int:
        return _apply(np.true_divide, a, b, dtype=np.dtype(np.float64))
    fn = np.floor_divide if op is BinaryOp.DIV else np.mod  # floor semantics, like Python
    return _apply(fn, a, b, dtype=np.result_type(a.arr, b.arr))


# ----------------------------------------------------------------------------- statements


class StmtEvaluator:
    """Evaluates one statement over one :class:`Space` (the whole space, or one chunk)."""

    def __init__(
        self,
        stmt: Stmt,
        space: Space,
        tensors: Mapping[str, Stored],
        scalars: Mapping[str, Scalar],
        source: str | None = None,
    ):
        self.stmt, self.space, self.tensors, self.source = stmt, space, tensors, source
        self.scalars = {k: scalar_array(v) for k, v in scalars.items()}
        self._indices: dict[str, np.ndarray] = {}
        self._dispatch: dict[type, Callable[[Expr, Mask], Val]] = {
            Const: self._const,
            Name: self._name,
            Access: self._access,
            Unary: self._unary,
            Binary: self._binary,
            Call: self._call,
        }

    # -- the statement ------------------------------------------------------------------
    def run(self) -> tuple[np.ndarray, Mask, bool]:
        """The statement's value and presence in the layout of its left side, and whether
        the value array is a fresh temporary."""
        ctx = self.filter()
        s = self.stmt
        if s.reduce is None:
            v = self.value_of(s.value, ctx)
            return v.arr, and_masks(ctx, v.mask), v.owned
        if s.reduce is ReduceOp.SUM:
            arr, mask = self._sum(ctx)
        else:
            arr, mask = self._extremum(ctx)
        return arr, mask, True

    def filter(self) -> Mask:
        """Presence from ``where``: its conjuncts in order, each checking bounds only where
        the ones before it hold (so ``i < N and X[i] > 0`` is a legal guard)."""
        ctx: Mask = None
        for conjunct in conjuncts(self.stmt.where):
            v = self.value_of(conjunct, ctx)
            holds = v.arr if v.mask is None else np.logical_and(v.arr, v.mask)
            ctx = holds if ctx is None else np.logical_and(ctx, holds)
        if ctx is not None and ctx.ndim == 0:
            ctx = np.broadcast_to(ctx, (1,) * len(self.space.ranks))
        return normalise(ctx)

    # -- expressions ----------------------------------------------------------------------
    def value_of(self, e: Expr, ctx: Mask) -> Val:
        """``e``'s value; ``ctx`` marks the present points, where bounds are checked."""
        return self._dispatch[type(e)](e, ctx)

    def _const(self, e: Const, ctx: Mask) -> Val:
        return Val(scalar_array(e.value))

    def _name(self, e: Name, ctx: Mask) -> Val:
        if e.name in self.space.lo:
            if e.name not in self._indices:
                self._indices[e.name] = self.space.index(e.name)
            return Val(self._indices[e.name])
        return Val(self.scalars[e.name])

    def _unary(self, e: Unary, ctx: Mask) -> Val:
        v = self.value_of(e.operand, ctx)
        if e.op is UnaryOp.NOT:
            return _apply(np.logical_not, v, dtype=np.dtype(np.bool_))
        return _apply(np.negative, v, dtype=v.arr.dtype)

    def _binary(self, e: Binary, ctx: Mask) -> Val:
        a, b = self.value_of(e.lhs, ctx), self.value_of(e.rhs, ctx)
        if e.op in _COMPARE:
            return _apply(_COMPARE[e.op], a, b, dtype=np.dtype(np.bool_))
        return _binary_arith(e.op, a, b)

    def _call(self, e: Call, ctx: Mask) -> Val:
        args = [self.value_of(a, ctx) for a in e.args]
        fn = e.fn
        if fn.cast_dtype is not None:
            (v,) = args
            return _fresh(v, convert(v.arr, fn.cast_dtype))
        if fn is Fn.SELECT:
            c, a, b = args
            return Val(np.where(c.arr, a.arr, b.arr), and_masks(c.mask, a.mask, b.mask), True)
        if fn in (Fn.MAX, Fn.MIN):
            ufunc = np.maximum if fn is Fn.MAX else np.minimum
            return _apply(ufunc, *args, dtype=np.result_type(args[0].arr, args[1].arr))
        (v,) = args
        if fn in _INPLACE_FLOAT_FNS and v.arr.dtype == np.float64:
            return _apply(_INPLACE_FLOAT_FNS[fn], v, dtype=v.arr.dtype)
        return _fresh(v, np.asarray(UNARY_FNS[fn](v.arr)))

    # -- accesses -----------------------------------------------------------------------
    def _access(self, e: Access, ctx: Mask) -> Val:
        t = self.tensors[e.tensor]
        direct = self._direct(e, t)
        return direct if direct is not None else self._gather(e, t, ctx)

    def _direct(self, e: Access, t: Stored) -> Val | None:
        """Fast path: every index is a distinct rank inside the tensor → slice + transpose."""
        ranks: list[str] = []
        slices: list[slice] = []
        for dim, index in enumerate(e.indices):
            if not isinstance(index, Name) or index.name not in self.space.lo:
                return None
            r = index.name
            lo = self.space.lo[r] - t.offsets[dim]
            hi = lo + self.space.size[r]
            if r in ranks or lo < 0 or hi > t.shape[dim]:
                return None
            ranks.append(r)
            slices.append(slice(lo, hi))
        return Val(
            self._place(t.value, ranks, slices), self._place(t.mask, ranks, slices), clean=True
        )

    def _place(self, arr: Mask, ranks: list[str], slices: list[slice]) -> Mask:
        """Slice a stored array and lay it out in canonical order (size-1 axes stay 1)."""
        if arr is None:
            return None
        sel = tuple(s if n != 1 else slice(None) for s, n in zip(slices, arr.shape, strict=True))
        order = sorted(range(len(ranks)), key=lambda d: self.space.axis(ranks[d]))
        arr = arr[sel].transpose(order)
        present = {self.space.axis(r) for r in ranks}
        expand = tuple(
            slice(None) if ax in present else None for ax in range(len(self.space.ranks))
        )
        return arr[expand]

    def _gather(self, e: Access, t: Stored, ctx: Mask) -> Val:
        """General path: fancy indexing with broadcast index arrays.

        Bounds are checked at present points (``ctx`` and present indices); elsewhere the
        indices are clamped, so a guarded access never reads outside the tensor.
        """
        idx = [self.value_of(i, ctx) for i in e.indices]
        idx_mask = and_masks(*(v.mask for v in idx))
        check = and_masks(ctx, idx_mask)
        shape = np.broadcast_shapes(*(v.arr.shape for v in idx))
        if 0 in t.shape:
            return self._gather_empty(e, t, idx, check, shape)
        local = [self._in_bounds(e, t, d, v.arr, check) for d, v in enumerate(idx)]
        value = t.value[
            tuple(li if n != 1 else 0 for li, n in zip(local, t.value.shape, strict=True))
        ]
        mask = None
        if t.mask is not None:
            mask = t.mask[
                tuple(li if n != 1 else 0 for li, n in zip(local, t.mask.shape, strict=True))
            ]
        value = np.asarray(value)  # advanced indexing copies: the result is ours
        return Val(value, and_masks(mask, idx_mask), owned=value.ndim > 0, clean=idx_mask is None)

    def _in_bounds(self, e: Access, t: Stored, dim: int, index: np.ndarray, check: Mask):
        local = index - t.offsets[dim] if t.offsets[dim] else index
        n = t.shape[dim]
        bad = (local < 0) | (local >= n)
        if not bad.any():
            return local
        err = bad if check is None else np.logical_and(bad, check)
        if err.any():
            self._bounds_error(e, t, dim, index, err)
        return np.clip(local, 0, n - 1)

    def _gather_empty(self, e, t, idx, check, shape) -> Val:
        """A tensor with an empty dimension: every present read is out of bounds."""
        for d, v in enumerate(idx):
            if t.shape[d] == 0:
                err = np.ones(shape, bool) if check is None else np.broadcast_to(check, shape)
                if err.any():
                    self._bounds_error(e, t, d, np.broadcast_to(v.arr, shape), err)
        return Val(np.zeros(shape), np.zeros(shape, bool), owned=True, clean=True)

    def _bounds_error(self, e: Access, t: Stored, dim: int, index, err: np.ndarray):
        # In canonical layout (one axis per rank of the space; a scalar index or mask has
        # fewer), so that the point names its ranks.
        rank_shape = (1,) * len(self.space.ranks)
        err = np.broadcast_to(err, np.broadcast_shapes(err.shape, np.shape(index), rank_shape))
        point = tuple(int(c) for c in np.argwhere(err)[0])
        value = int(np.broadcast_to(index, err.shape)[point])
        at = ", ".join(
            f"{r}={self.space.lo[r] + c}"
            for r, c, n in zip(self.space.ranks, point, err.shape, strict=True)
            if n > 1
        )
        extent = t.shape[dim] + t.offsets[dim]
        raise BoundsError(
            f"index {dim} of `{e}` is `{e.indices[dim]}` = {value} at a point where "
            f"{self.stmt.out} is present ({at or 'every point'}), but dim {dim} of {t.name} "
            f"(rank {t.ranks[dim]}) has extent {extent} (valid indices [0, {extent - 1}]). "
            "Fix: correct the index, or filter the points that leave the tensor with `where`"
            f"\n  in statement: {format_stmt(self.stmt)}",
            loc=e.indices[dim].loc or e.loc or self.stmt.loc,
            source=self.source,
        )

    # -- reductions -----------------------------------------------------------------------
    def _over_axes(self) -> tuple[int, ...]:
        return tuple(self.space.axis(r) for r in self.stmt.over)

    def _extremum(self, ctx: Mask) -> tuple[np.ndarray, Mask]:
        """max/min: absent points contribute the identity; all-absent rows are absent."""
        v = self.value_of(self.stmt.value, ctx)
        mask = and_masks(ctx, v.mask)
        shape = list(np.broadcast_shapes(v.arr.shape, () if mask is None else mask.shape))
        axes = self._over_axes()
        for ax in axes:
            shape[ax] = self.space.size[self.space.ranks[ax]]
        arr = np.broadcast_to(v.arr, shape)
        is_max = self.stmt.reduce is ReduceOp.MAX
        ufunc = np.maximum if is_max else np.minimum
        ident = _identity(arr.dtype, is_max)
        where = True if mask is None else np.broadcast_to(mask, shape)
        out = ufunc.reduce(arr, axis=axes, where=where, initial=ident)
        if mask is None:
            empty = 0 in (shape[ax] for ax in axes)
            return out, (np.zeros(out.shape, bool) if empty else None)
        return out, normalise(np.any(np.broadcast_to(mask, shape), axis=axes))

    def _sum(self, ctx: Mask) -> tuple[np.ndarray, Mask]:
        """sum: a contraction per additive term, each over its factors' own ranks."""
        terms = [
            (sign, [Factor(v.arr, v.mask, v.clean) for v in self._factorise_eval(e, ctx)])
            for sign, e in _terms(self.stmt.value)
        ]
        return masked_sum(terms, ctx, self.space.ranks, self.stmt.ranks, self.space.size)

    def _factorise_eval(self, e: Expr, ctx: Mask) -> list[Val]:
        """The factors of a product; a float ``/ x`` becomes the factor ``1 / x``."""
        if isinstance(e, Binary) and e.op is BinaryOp.MUL:
            return self._factorise_eval(e.lhs, ctx) + self._factorise_eval(e.rhs, ctx)
        if isinstance(e, Unary) and e.op is UnaryOp.NEG:
            return [*self._factorise_eval(e.operand, ctx), Val(np.asarray(-1, np.int64))]
        if isinstance(e, Binary) and e.op is BinaryOp.DIV:
            num, den = self._factorise_eval(e.lhs, ctx), self.value_of(e.rhs, ctx)
            if all(_is_int(v.arr) for v in num) and _is_int(den.arr):
                return [_binary_arith(BinaryOp.DIV, _product(num), den)]  # floor division
            one = Val(np.asarray(1.0))
            return [*num, _binary_arith(BinaryOp.DIV, one, den)]
        return [self.value_of(e, ctx)]


def _identity(dtype: np.dtype, is_max: bool):
    if dtype.kind == "f":
        return -np.inf if is_max else np.inf
    info = np.iinfo(np.int64)
    return info.min if is_max else info.max


def _product(vals: list[Val]) -> Val:
    out = vals[0]
    for v in vals[1:]:
        out = _binary_arith(BinaryOp.MUL, out, v)
    return out


def _terms(e: Expr) -> list[tuple[int, Expr]]:
    """The additive terms of a sum's value, each with its sign: Σ distributes over them."""
    if isinstance(e, Binary) and e.op in (BinaryOp.ADD, BinaryOp.SUB):
        rhs = _terms(e.rhs)
        if e.op is BinaryOp.SUB:
            rhs = [(-sign, t) for sign, t in rhs]
        return _terms(e.lhs) + rhs
    return [(1, e)]


def evaluate_stmt(
    stmt: Stmt,
    space: Space,
    tensors: Mapping[str, Stored],
    scalars: Mapping[str, Scalar],
    source: str | None = None,
) -> tuple[np.ndarray, Mask, bool]:
    """Evaluate ``stmt`` over ``space``: its value and presence (left-side layout)."""
    return StmtEvaluator(stmt, space, tensors, scalars, source).run()
