"""Bounds: proof, before anything runs, that no index leaves its tensor.

A kernel turns indices into addresses, so an index outside its dimension is a read outside
a buffer. Every front door (``interpret``, a compiled kernel's call, a library's kernel)
runs :func:`check_bounds` on the bound extents before anything executes:

1. **Intervals.** Each index's range over the statement's ranks, by interval arithmetic on
   the bound extents and params (exact for affine indices: ``p - m + R0``, ``h / G`` with
   ``G`` known). Most indices are proven here.
2. **Data.** An index that reads an integer input (a page table, gather indices, a parent
   array) takes that input's value range: one vectorised min/max per call.
3. **Points.** What intervals cannot prove -- the statement's ``where`` may guard it, or the
   interval is loose -- is evaluated point by point (the interpreter's own evaluator) over
   the ranks the index and its guarding conjuncts use, at most :data:`GRID_POINTS` points.

An index that leaves its tensor at a point where the statement is present is a
:class:`~attncc.errors.BoundsError` naming the access, the index's range, the extent, a
point and the values of the integer inputs it reads. What stays undecided -- a guard reads
an intermediate result, or the points are too many -- is left to the kernels, which clamp
every index they cannot prove in bounds: memory-safe whatever the input, and the
interpreter still reports such a read at run time.

Verdicts that depend on extents and params only are cached per process, so a call at seen
extents costs a dictionary lookup plus the min/max of its integer index inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from attncc.errors import BoundsError
from attncc.ir._interp_eval import Space
from attncc.ir._interp_eval import StmtEvaluator
from attncc.ir._interp_eval import Stored
from attncc.ir.bind import Binding
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Let
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.ir.nodes import RankDecl
from attncc.ir.nodes import Scalar
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import Unary
from attncc.ir.nodes import UnaryOp
from attncc.ir.nodes import accesses_in
from attncc.ir.nodes import conjuncts
from attncc.ir.nodes import names_in
from attncc.ir.numerics import convert
from attncc.ir.printer import format_stmt
from attncc.ir.validate import ProgramInfo
from attncc.ir.validate import validate

__all__ = ["GRID_POINTS", "BoundsCheck", "Interval", "check_bounds", "index_interval"]

#: Points one point-by-point check may evaluate (int64: 32 MB per array at most).
GRID_POINTS = 1 << 22

Interval = tuple[int, int]
_INT_RANGE = {DType.I32: (-(2**31), 2**31 - 1), DType.I8: (-128, 127)}


# ----------------------------------------------------------------------------- intervals


def index_interval(
    e: Expr,
    ranges: Mapping[str, Interval],
    scalars: Mapping[str, Scalar],
    values: Mapping[str, Interval] | None = None,
) -> Interval | None:
    """The range of an integer index over rank ``ranges``; ``None`` when not decidable.

    ``values`` gives the value range of integer tensors the index reads (``PT[b, m / P]``
    lies in ``values["PT"]``). Affine parts are kept as rank coefficients, so their range is
    exact (``p + m - m`` is ``p``); other operators fall back to interval arithmetic.
    """
    form = _affine(e, ranges, scalars, values or {})
    return None if form is None else _span(form, ranges)


def _span(form: Affine, ranges: Mapping[str, Interval]) -> Interval:
    coefs, (lo, hi) = form
    for r, c in coefs.items():
        a, b = c * ranges[r][0], c * ranges[r][1]
        lo, hi = lo + min(a, b), hi + max(a, b)
    return (lo, hi)


Affine = tuple[dict[str, int], Interval]  # sum(coef * rank) + a value within the interval


def _affine(
    e: Expr,
    ranges: Mapping[str, Interval],
    scalars: Mapping[str, Scalar],
    values: Mapping[str, Interval],
) -> Affine | None:
    def aff(x: Expr) -> Affine | None:
        return _affine(x, ranges, scalars, values)

    if isinstance(e, Const):
        v = e.value
        return ({}, (v, v)) if isinstance(v, int) and not isinstance(v, bool) else None
    if isinstance(e, Name):
        if e.name in ranges:
            return ({e.name: 1}, (0, 0))
        v = scalars.get(e.name)
        return ({}, (v, v)) if isinstance(v, int) and not isinstance(v, bool) else None
    if isinstance(e, Unary) and e.op is UnaryOp.NEG:
        a = aff(e.operand)
        return None if a is None else _scale(a, -1)
    if isinstance(e, Binary) and e.op in (BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL):
        a, b = aff(e.lhs), aff(e.rhs)
        if a is None or b is None:
            return None
        if e.op is BinaryOp.SUB:
            e_op, b = BinaryOp.ADD, _scale(b, -1)
        else:
            e_op = e.op
        if e_op is BinaryOp.ADD:
            coefs = dict(a[0])
            for r, c in b[0].items():
                coefs[r] = coefs.get(r, 0) + c
            return coefs, (a[1][0] + b[1][0], a[1][1] + b[1][1])
        for x, y in ((a, b), (b, a)):
            if not y[0] and y[1][0] == y[1][1]:  # times a constant stays affine
                return _scale(x, y[1][0])
    iv = _interval(e, ranges, scalars, values)
    return None if iv is None else ({}, iv)


def _scale(a: Affine, k: int) -> Affine:
    lo, hi = a[1][0] * k, a[1][1] * k
    return {r: c * k for r, c in a[0].items()}, (min(lo, hi), max(lo, hi))


def _interval(
    e: Expr,
    ranges: Mapping[str, Interval],
    scalars: Mapping[str, Scalar],
    values: Mapping[str, Interval],
) -> Interval | None:
    """Interval arithmetic for the non-affine operators: / % * max min abs select casts,
    and reads of integer tensors whose value range is known."""

    def iv(x: Expr) -> Interval | None:
        return index_interval(x, ranges, scalars, values)

    if isinstance(e, Access):
        return values.get(e.tensor)
    if isinstance(e, Binary) and e.op.is_arithmetic:
        a, b = iv(e.lhs), iv(e.rhs)
        return None if a is None or b is None else _interval_op(e.op, a, b)
    if isinstance(e, Call):
        args = [iv(x) for x in e.args]
        if e.fn is Fn.SELECT:
            a, b = args[1], args[2]
            return None if a is None or b is None else (min(a[0], b[0]), max(a[1], b[1]))
        if any(a is None for a in args):
            return None
        if e.fn is Fn.MAX:
            return (max(args[0][0], args[1][0]), max(args[0][1], args[1][1]))
        if e.fn is Fn.MIN:
            return (min(args[0][0], args[1][0]), min(args[0][1], args[1][1]))
        (lo, hi) = args[0]
        if e.fn is Fn.ABS:
            return (0 if lo <= 0 <= hi else min(abs(lo), abs(hi)), max(abs(lo), abs(hi)))
        if e.fn in (Fn.I32, Fn.I8, Fn.FLOOR, Fn.CEIL):
            rng = _INT_RANGE[e.fn.cast_dtype or DType.I32]
            return (lo, hi) if rng[0] <= lo and hi <= rng[1] else None
    return None


def _interval_op(op: BinaryOp, a: Interval, b: Interval) -> Interval | None:
    if op is BinaryOp.ADD:
        return (a[0] + b[0], a[1] + b[1])
    if op is BinaryOp.SUB:
        return (a[0] - b[1], a[1] - b[0])
    if op is BinaryOp.MUL:
        corners = [x * y for x in a for y in b]
        return (min(corners), max(corners))
    if b[0] <= 0 <= b[1]:
        return None  # the divisor may be 0 (or change sign)
    if op is BinaryOp.DIV:
        corners = [x // y for x in a for y in b]
        return (min(corners), max(corners))
    # floor modulo: the result takes the divisor's sign and stays below it in magnitude
    if b[0] == b[1] and a[1] - a[0] + 1 < abs(b[0]):
        lo, hi = a[0] % b[0], a[1] % b[0]
        if lo <= hi:
            return (lo, hi)
    if b[0] > 0:
        return (0, min(b[1] - 1, a[1])) if a[0] >= 0 else (0, b[1] - 1)
    return (b[0] + 1, 0)


# ----------------------------------------------------------------------------- sites


@dataclass(frozen=True)
class _Site:
    """One index of one access: ``access.indices[dim]`` into a dimension of rank ``rank``.

    ``guards`` are the filter conjuncts that hold wherever the access is read: all of them
    for the value, the ones before it for an access inside the filter.
    """

    stmt: Stmt
    access: Access
    dim: int
    rank: str
    guards: tuple[Expr, ...]

    @property
    def index(self) -> Expr:
        return self.access.indices[self.dim]


def _sites(program: Program, info: ProgramInfo) -> tuple[_Site, ...]:
    """Every index that is not simply its own dimension's rank (those are in bounds)."""
    sites = []
    for stmt in program.stmts:
        conj = conjuncts(stmt.where)
        reads = [(a, tuple(conj)) for a in _outer_accesses(stmt.value)]
        for k, c in enumerate(conj):
            reads += [(a, tuple(conj[:k])) for a in _outer_accesses(c)]
        seen = set()
        for top, guards in reads:
            for a in accesses_in(top):  # the access and those nested in its indices
                dims = info.tensors[a.tensor].ranks
                for d, (index, rank) in enumerate(zip(a.indices, dims, strict=True)):
                    if isinstance(index, Name) and index.name == rank:
                        continue
                    key = (a, d, guards)
                    if key not in seen:
                        seen.add(key)
                        sites.append(_Site(stmt, a, d, rank, guards))
    return tuple(sites)


def _outer_accesses(e: Expr) -> list[Access]:
    """Accesses in ``e`` that are not inside another access's indices."""
    out, stack = [], [e]
    while stack:
        x = stack.pop()
        if isinstance(x, Access):
            out.append(x)
            continue
        if isinstance(x, Unary):
            stack.append(x.operand)
        elif isinstance(x, Binary):
            stack += [x.rhs, x.lhs]
        elif isinstance(x, Call):
            stack += reversed(x.args)
    return out


def _tensors_read(e: Expr) -> set[str]:
    return {a.tensor for a in accesses_in(e)}


# ----------------------------------------------------------------------------- check


class BoundsCheck:
    """The bounds checks of one program; verdicts that depend on extents, params and the
    value ranges of index inputs only are cached, so a repeated call costs a lookup."""

    def __init__(self, program: Program, info: ProgramInfo | None = None):
        self.program = program
        self.info = info or validate(program)
        self.sites = _sites(program, self.info)
        self.int_inputs = {d.name for d in program.inputs if d.dtype.is_int}
        self.index_inputs = tuple(
            sorted({t for s in self.sites for t in _tensors_read(s.index)} & self.int_inputs)
        )
        self._todo: dict[tuple, tuple[int, ...]] = {}
        moving = _param_dependent(program)
        self._extents_only = tuple(
            i
            for i, s in enumerate(self.sites)
            if not any(names_in(e) & moving or _tensors_read(e) for e in (s.index, *s.guards))
        )

    def check_shapes(self, binding: Binding) -> None:
        """What extents alone decide, for a build ahead of time that knows neither the
        params nor the data of its calls: indices and guards that read neither (``h / G``
        with ``h % g != 0`` is refused here, before anything is built)."""
        todo = self._triage(binding, {}, False, self._extents_only)
        points = _Points(self.program, binding, {})
        for i in todo:
            points.site(self.sites[i], {})

    def value_ranges(self, arrays: Mapping[str, np.ndarray]) -> dict[str, Interval]:
        """``(min, max)`` of every integer input an index reads (one vectorised pass each)."""
        out = {}
        for name in self.index_inputs:
            arr = arrays.get(name)
            if arr is not None and np.size(arr):
                out[name] = (int(np.min(arr)), int(np.max(arr)))
        return out

    def check(self, binding: Binding, arrays: Mapping[str, np.ndarray] | None = None) -> None:
        """Raise :class:`BoundsError` for an index that leaves its tensor where it is read.

        ``arrays`` are the call's inputs by name: without them, indices and guards that
        read inputs are not checked (the interpreter checks them as it runs).
        """
        values = self.value_ranges(arrays) if arrays is not None else {}
        key = (
            tuple(binding.extents.items()),
            tuple(binding.scalars.items()),
            tuple(sorted(values.items())),
            arrays is not None,
        )
        todo = self._todo.get(key)
        if todo is None:
            todo = self._triage(binding, values, arrays is not None)
            if len(self._todo) > 1024:
                self._todo.clear()
            self._todo[key] = todo
        if todo:
            points = _Points(self.program, binding, arrays or {})
            for i in todo:
                points.site(self.sites[i], values)

    def _triage(
        self,
        binding: Binding,
        values: Mapping[str, Interval],
        with_data: bool,
        only: tuple[int, ...] | None = None,
    ) -> tuple[int, ...]:
        """The sites (of ``only``) intervals do not prove (work for the point-by-point
        check); raises for an unguarded index that leaves its tensor at every point."""
        ext = binding.extents
        todo = []
        for i in range(len(self.sites)) if only is None else only:
            site = self.sites[i]
            if any(ext[r] == 0 for r in site.stmt.space):
                continue  # no points, no reads
            reads = _tensors_read(site.index)
            if reads - self.int_inputs:
                continue  # reads an intermediate result: left to the kernels' clamps
            if reads and not with_data:
                continue
            ranges = {r: (0, ext[r] - 1) for r in site.stmt.space}
            span = index_interval(site.index, ranges, binding.scalars, values)
            n = ext[site.rank]
            if span is not None and span[0] >= 0 and span[1] <= n - 1:
                continue
            if span is not None and (span[1] < 0 or span[0] > n - 1) and not site.guards:
                _raise(self.program, site, n, span, values, None)
            if with_data or not any(_tensors_read(g) for g in site.guards):
                todo.append(i)
        return tuple(todo)


def _param_dependent(program: Program) -> set[str]:
    """Params, and the lets and declared ranks whose value depends on one."""
    moving = {p.name for p in program.params}
    for d in program.decls:
        expr = getattr(d, "value", None) or getattr(d, "extent", None)
        if isinstance(d, (Let, RankDecl)) and expr is not None and names_in(expr) & moving:
            moving.add(d.name)
    return moving


def check_bounds(
    program: Program,
    binding: Binding,
    arrays: Mapping[str, np.ndarray] | None = None,
    info: ProgramInfo | None = None,
) -> None:
    """One-off :meth:`BoundsCheck.check` (callers that repeat keep a :class:`BoundsCheck`)."""
    BoundsCheck(program, info).check(binding, arrays)


class _Points:
    """Point-by-point checks with the interpreter's evaluator, over small grids of ranks."""

    def __init__(self, program: Program, binding: Binding, arrays: Mapping[str, np.ndarray]):
        self.program, self.binding, self.arrays = program, binding, arrays
        self.inputs = {d.name: d for d in program.inputs}
        self.stored: dict[str, Stored] = {}

    def _evaluable(self, e: Expr) -> bool:
        return all(t in self.inputs and t in self.arrays for t in _tensors_read(e))

    def site(self, site: _Site, values: Mapping[str, Interval]) -> None:
        """Raise for a present point where ``site``'s index leaves its dimension."""
        ext = self.binding.extents
        if not self._evaluable(site.index):
            return  # reads an intermediate: left to the kernels' clamps
        idx_ranks = _ranks(site.index, ext)
        joint, independent, decided = self._split_guards(site, idx_ranks)
        for group in independent:
            if not self._satisfiable(site.stmt, group):
                return  # the statement has no present point
        ranks = idx_ranks | {r for g in joint for r in _ranks(g, ext)}
        while joint and _points(ranks, ext) > GRID_POINTS:
            joint, decided = joint[:-1], False
            ranks = idx_ranks | {r for g in joint for r in _ranks(g, ext)}
        if _points(ranks, ext) > GRID_POINTS:
            return  # too many points: left to the kernels' clamps
        found = self._violation(site, joint, ranks, decided)
        if found is not None and decided:
            n = ext[site.rank]
            _raise(self.program, site, n, found[0], values, found[1])

    def _split_guards(
        self, site: _Site, idx_ranks: set[str]
    ) -> tuple[list[Expr], list[list[Expr]], bool]:
        """Guards that share ranks with the index (transitively), groups of the others,
        and whether every guard could be evaluated (else a violation decides nothing)."""
        ext = self.binding.extents
        usable, decided = [], True
        for g in site.guards:
            if not self._evaluable(g):
                decided = False
                break  # later conjuncts were guarded by this one
            usable.append(g)
        joint_ranks, joint, rest = set(idx_ranks), [], list(usable)
        changed = True
        while changed:
            changed = False
            for g in list(rest):
                if _ranks(g, ext) & joint_ranks or not _ranks(g, ext):
                    joint.append(g)
                    joint_ranks |= _ranks(g, ext)
                    rest.remove(g)
                    changed = True
        joint.sort(key=usable.index)
        groups: list[list[Expr]] = []
        for g in rest:
            for group in groups:
                if any(_ranks(g, ext) & _ranks(h, ext) for h in group):
                    group.append(g)
                    break
            else:
                groups.append([g])
        return joint, groups, decided

    def _evaluator(self, stmt: Stmt, ranks: set[str], exprs: list[Expr]) -> StmtEvaluator:
        ext = self.binding.extents
        order = tuple(r for r in stmt.space if r in ranks)
        space = Space(order, {r: 0 for r in order}, {r: ext[r] for r in order})
        for e in exprs:
            for t in _tensors_read(e):
                if t not in self.stored:
                    self.stored[t] = _stored(self.inputs[t], self.arrays[t])
        return StmtEvaluator(stmt, space, self.stored, self.binding.scalars, self.program.source)

    def _holds(self, ev: StmtEvaluator, guards: list[Expr]):
        ctx = None
        for g in guards:
            v = ev.value_of(g, ctx)
            holds = v.arr if v.mask is None else np.logical_and(v.arr, v.mask)
            ctx = holds if ctx is None else np.logical_and(ctx, holds)
        return ctx

    def _satisfiable(self, stmt: Stmt, group: list[Expr]) -> bool:
        ext = self.binding.extents
        ranks = {r for g in group for r in _ranks(g, ext)}
        if _points(ranks, ext) > GRID_POINTS:
            return True
        try:
            ctx = self._holds(self._evaluator(stmt, ranks, group), group)
        except BoundsError:
            return True  # its own reads are checked as sites of their own
        return ctx is None or bool(np.any(ctx))

    def _violation(
        self, site: _Site, guards: list[Expr], ranks: set[str], decided: bool
    ) -> tuple[Interval, dict[str, int]] | None:
        """The index's range at present points and one point outside, or ``None``."""
        ev = self._evaluator(site.stmt, ranks, [site.index, *guards])
        try:
            ctx = self._holds(ev, guards)
            v = ev.value_of(site.index, ctx)
        except BoundsError:
            if decided:
                raise
            return None
        n = self.binding.extents[site.rank]
        shape = np.broadcast_shapes(v.arr.shape, () if ctx is None else ctx.shape)
        idx = np.broadcast_to(v.arr, shape)
        present = np.ones(shape, bool) if ctx is None else np.broadcast_to(ctx, shape)
        if v.mask is not None:
            present = present & np.broadcast_to(v.mask, shape)
        bad = present & ((idx < 0) | (idx >= n))
        if not bad.any():
            return None
        point = tuple(int(c) for c in np.argwhere(bad)[0])
        at = {
            r: c for r, c in zip(ev.space.ranks, point, strict=True) if shape[ev.space.axis(r)] > 1
        }
        at["="] = int(idx[point])
        live = idx[present]
        return (int(live.min()), int(live.max())), at


def _stored(decl, arr: np.ndarray) -> Stored:
    arr = np.asarray(arr)
    value = arr.astype(np.int64) if decl.dtype.is_int else convert(arr, decl.dtype)
    return Stored(decl.name, decl.ranks, value, None, arr.shape, (0,) * arr.ndim)


def _ranks(e: Expr, ext: Mapping[str, int]) -> set[str]:
    return {n for n in names_in(e) if n in ext}


def _points(ranks: set[str], ext: Mapping[str, int]) -> int:
    total = 1
    for r in ranks:
        total *= max(1, ext[r])
    return total


def _raise(
    program: Program,
    site: _Site,
    n: int,
    span: Interval,
    values: Mapping[str, Interval],
    at: dict[str, int] | None,
) -> None:
    a, i, index = site.access, site.dim, site.index
    lo, hi = span
    data = [
        f"{t} holds values in [{values[t][0]}, {values[t][1]}]"
        for t in sorted(_tensors_read(index))
        if t in values
    ]
    ranges = f"[{lo}, {hi}]" + (f" ({'; '.join(data)})" if data else "")
    extent = f"dim {i} of {a.tensor} (rank {site.rank}) has extent {n} (valid indices [0, {n - 1}])"
    if at is None:
        what = f"`{index}`, which ranges over {ranges}, but {extent}: it is out of bounds at "
        what += "every point of the statement"
    else:
        value = at.pop("=")
        point = ", ".join(f"{r}={c}" for r, c in at.items()) or "every point"
        what = f"`{index}` = {value} at a point where {site.stmt.out} is present ({point}); "
        what += f"where it is read it ranges over {ranges}, but {extent}"
    raise BoundsError(
        f"index {i} of `{a}` is {what}. Fix: correct the index or the shapes, or filter the "
        "points that leave the tensor with `where`\n"
        f"  in statement: {format_stmt(site.stmt)}",
        loc=index.loc or a.loc or site.stmt.loc,
        source=program.source,
    )
