"""How much of a mask a kernel computes, without running it: the cost model's tile features.

Two sources, as the kernels have two ways of skipping tiles:

* the mask's **bands** (:func:`attncc.ir.tiles.key_bands`): each query tile's key ranges, the
  rule the kernels' affine tile skipping follows (:func:`attncc.ir.tiles.classify`);
* the mask **pair by pair** (a summed-area table of a ``[rows, keys]`` grid) where it reads
  only indices and scalars: what a kernel's tile pre-pass finds for masks the bands cannot
  describe (``//``, ``%``, ``or``: 2-D neighbourhoods, dilated and block masks).

A mask that reads a tensor (document ids, a tree's ancestors) is unknown before a call: its
bands are taken at their open end (:func:`_bound`), and it has no grid.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from attncc.errors import AttnccError
from attncc.ir.bind import eval_scalar
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Name
from attncc.ir.nodes import Unary
from attncc.ir.nodes import UnaryOp

__all__ = ["GRID_PAIRS", "grid_table", "mask_tiles"]


# ----------------------------------------------------------------------------- mask grid

#: Largest (query × key) square whose mask is evaluated pair by pair (S2048 × S2048).
GRID_PAIRS = 1 << 22


class _NotStatic(Exception):
    """The predicate reads a tensor or a name without a value: unknown before a call."""


def _visible_grid(predicate, query: str, key: str, rows: int, keys: int, env) -> np.ndarray | None:
    """The mask as a ``[rows, keys]`` bool array when it depends on indices and scalars only
    (a 2-D neighbourhood, block-causal, dilated or global-token masks: the ones the kernel's
    tile pre-pass classifies and the bands cannot); ``None`` when it reads a tensor (document
    ids, a tree's ancestors). Other ranks' indices are 0, as for the bands."""
    idx = {query: np.arange(rows)[:, None], key: np.arange(keys)[None, :]}
    try:
        with np.errstate(all="ignore"):
            out = _grid_eval(predicate, {**env, **idx})
    except _NotStatic:
        return None
    return np.broadcast_to(np.asarray(out, bool), (rows, keys))


def _grid_eval(e, env):
    if isinstance(e, Const):
        return e.value
    if isinstance(e, Name):
        if e.name not in env:
            raise _NotStatic(e.name)
        return env[e.name]
    if isinstance(e, Unary):
        v = _grid_eval(e.operand, env)
        return np.logical_not(v) if e.op is UnaryOp.NOT else -v
    if isinstance(e, Binary):
        a, b = _grid_eval(e.lhs, env), _grid_eval(e.rhs, env)
        both_int = all(np.issubdtype(np.asarray(v).dtype, np.integer) for v in (a, b))
        return _GRID_OPS[e.op](a, b, both_int)
    if isinstance(e, Call) and e.fn in _GRID_FNS:
        return _GRID_FNS[e.fn](*(_grid_eval(a, env) for a in e.args))
    raise _NotStatic(type(e).__name__)  # a tensor read, a float function: not an index mask


_GRID_OPS = {
    BinaryOp.AND: lambda a, b, _: np.logical_and(a, b),
    BinaryOp.OR: lambda a, b, _: np.logical_or(a, b),
    BinaryOp.LT: lambda a, b, _: np.less(a, b),
    BinaryOp.LE: lambda a, b, _: np.less_equal(a, b),
    BinaryOp.GT: lambda a, b, _: np.greater(a, b),
    BinaryOp.GE: lambda a, b, _: np.greater_equal(a, b),
    BinaryOp.EQ: lambda a, b, _: np.equal(a, b),
    BinaryOp.NE: lambda a, b, _: np.not_equal(a, b),
    BinaryOp.ADD: lambda a, b, _: np.add(a, b),
    BinaryOp.SUB: lambda a, b, _: np.subtract(a, b),
    BinaryOp.MUL: lambda a, b, _: np.multiply(a, b),
    # the language's integer / and % floor, as numpy's do
    BinaryOp.DIV: lambda a, b, i: np.floor_divide(a, b) if i else np.true_divide(a, b),
    BinaryOp.MOD: lambda a, b, i: np.mod(a, b),
}
_GRID_FNS = {Fn.MIN: np.minimum, Fn.MAX: np.maximum, Fn.ABS: np.abs, Fn.SELECT: np.where}


@functools.lru_cache(maxsize=4)
def grid_table(predicate, query: str, key: str, rows: int, keys: int, env_items):
    """The summed-area table of the mask's visible pairs, or ``None`` (not an index mask)."""
    grid = _visible_grid(predicate, query, key, rows, keys, dict(env_items))
    return None if grid is None else _integral(grid)


def _integral(grid: np.ndarray) -> np.ndarray:
    """Summed-area table, ``[rows + 1, keys + 1]``: any tile's visible count in 4 reads."""
    out = np.zeros((grid.shape[0] + 1, grid.shape[1] + 1), np.int32)
    np.cumsum(np.cumsum(grid, axis=0, dtype=np.int32), axis=1, out=out[1:, 1:])
    return out


def _grid_tiles(table: np.ndarray, bq: int, bk: int) -> tuple[float, float, float]:
    """(empty, full, partial) tile counts of ``bq × bk`` tiles by the visible pairs they hold
    (``table``: :func:`_integral`): what the kernel's pre-pass finds; last tiles may be short."""
    rows, keys = table.shape[0] - 1, table.shape[1] - 1
    r = np.append(np.arange(0, rows, bq), rows)
    k = np.append(np.arange(0, keys, bk), keys)
    t = table[np.ix_(r, k)]
    count = t[1:, 1:] - t[:-1, 1:] - t[1:, :-1] + t[:-1, :-1]
    size = np.outer(np.diff(r), np.diff(k))
    empty, full = int(np.sum(count == 0)), int(np.sum(count == size))
    return float(empty), float(full), float(count.size - empty - full)


# ----------------------------------------------------------------------------- mask tiles


@functools.lru_cache(maxsize=4096)
def _tiles_cached(bands, env_items, rows: int, keys: int, bq: int, bk: int):
    return _classify_grid(bands, dict(env_items), rows, keys, bq, bk)


def _classify_grid(bands, env, rows: int, keys: int, bq: int, bk: int) -> tuple[float, ...]:
    """(empty, full, partial) tile counts over the ``ceil(rows/bq) × ceil(keys/bk)`` grid,
    with :func:`attncc.ir.tiles.classify`'s rule: bands evaluated once per query tile,
    then every key tile at once."""

    m0 = np.arange(0, keys, bk)
    m1 = np.minimum(m0 + bk, keys)
    counts = np.zeros(3)
    env = {**env, bands.extent: keys}
    for p0 in range(0, rows, bq):
        p1 = min(p0 + bq, rows)
        e = {**env, bands.p0: p0, bands.p1: p1}
        visible = np.zeros(len(m0), bool)
        full = np.zeros(len(m0), bool)
        for b in bands.bands:
            lo, hi = _bound(b.lo, e, 0), _bound(b.hi, e, keys)
            fl, fh = _bound(b.full_lo, e, 0), _bound(b.full_hi, e, keys)
            visible |= np.maximum(lo, m0) < np.minimum(hi, m1)
            full |= (fl <= m0) & (m1 <= fh)
        counts += [np.sum(~visible), np.sum(visible & full), np.sum(visible & ~full)]
    return tuple(float(c) for c in counts)


def _bound(x, env, open_end: int) -> int:
    """A band bound's value for a query tile; a bound that reads a tensor (a cache length
    ``KVLEN[b]``, known only at the call) is taken at its open end: the whole key range, as
    when the cache is full (the kernel stops at the real length at run time)."""
    try:
        return int(eval_scalar(x, env))
    except AttnccError:
        return open_end


def mask_tiles(
    facts: Mapping[str, Any], bq: int, bk: int, exact: bool = False
) -> tuple[float, float, float] | None:
    """(empty, full, partial) tile counts for ``bq``-query × ``bk``-key tiles (a bound that
    reads a tensor at its open end: :func:`_bound`), or ``None`` when the bands are unknown.
    ``exact``: classify by the mask itself where it is known pair by pair (what a kernel
    with a tile pre-pass skips); else by the bands alone (what a kernel without one does)."""
    rows, keys = facts["rows"], facts["keys"]
    if exact and facts.get("grid") is not None:
        memo = facts["grid_tiles"]
        if (bq, bk) not in memo:
            memo[bq, bk] = _grid_tiles(grid_table(*facts["grid"]), max(1, bq), max(1, bk))
        return memo[bq, bk]
    if not facts["has_mask"]:
        n = float(math.ceil(rows / bq) * math.ceil(keys / bk))
        return 0.0, n, 0.0
    if facts["bands"] is None:
        return None
    env_items = tuple(sorted((k, v) for k, v in facts["env"].items() if isinstance(v, int | float)))
    return _tiles_cached(facts["bands"], env_items, rows, keys, max(1, bq), max(1, bk))
