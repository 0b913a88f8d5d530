"""The reference interpreter: what an attncc program means, on numpy arrays.

Every backend is tested against :func:`interpret`, so it favours exactness and clarity over
speed, while staying usable on real sizes: floats are computed in float64, contractions go
through BLAS over each factor's own ranks, and long sequences are evaluated in chunks of one
rank so that an ``S×S`` score matrix is never materialised at once.

Shape legend for the example below: ``p`` queries, ``m`` keys, ``e`` head dim.

>>> import numpy as np
>>> from attncc.ir.builder import ProgramBuilder, exp
>>> pb = ProgramBuilder("softmax_attention")
>>> Q, K, V = pb.input("Q", "p e"), pb.input("K", "m e"), pb.input("V", "m e")
>>> p, m, e = pb.ranks("p m e")
>>> S = pb.sum("S", [p, m], Q[p, e] * K[m, e], over=[e])
>>> MX = pb.max("MX", [p], S[p, m], over=[m])
>>> E = pb.stmt("E", [p, m], exp(S[p, m] - MX[p]))
>>> L = pb.sum("L", [p], E[p, m], over=[m])
>>> O = pb.sum("O", [p, e], E[p, m] * V[m, e] / L[p], over=[m])
>>> pb.output(O)
>>> x = np.ones((3, 4), np.float32)
>>> interpret(pb.build(), Q=x, K=x, V=x).shape
(3, 4)

Decisions (the language itself is docs/language.md):

* Inputs: an ``f32``/``f16``/``bf16`` input takes any float array; ``f16``/``bf16`` inputs are
  rounded to their precision on load (the declared storage type is part of the program),
  ``f32`` ones are not (f32 is the compute type, carried in float64). Integer inputs take
  any integer array whose values fit the declared type; bool inputs take bool arrays.
  torch tensors are accepted (bf16 through float32).
* Stored statement tensors follow the same rule: ``: f16`` / ``: bf16`` round, ``: i8`` /
  ``: i32`` wrap, ``f32`` stays float64. Outputs come back as float32 (float16 for ``f16``),
  int32 (int8 for ``i8``) or bool; absent elements read as 0.
* Casts: ``f32(x)`` converts to float without rounding; ``f16``/``bf16`` round to nearest
  even (bf16 through an exact emulation); ``i32``/``i8`` truncate toward zero and wrap to the
  width (NaN and ±inf give 0); ``bool(x)`` is ``x != 0``. Integer division or modulo by zero
  at a present point gives 0 (numpy's result), float division IEEE inf/NaN.
* Bounds: an index outside its dimension at a point where the statement's filter holds is
  a :class:`~attncc.errors.BoundsError`; elsewhere it is clamped, so a guarded access
  (``X[c*N + n] where c*N + n < M``) is legal. A filter's conjuncts guard the ones after
  them (``where i < M and X[i] > 0``).
* IEEE: absent elements take no part in arithmetic. A sum adds the products of its present
  points only, each in IEEE arithmetic (``0 · inf`` at a present point is NaN), so a NaN or
  ±inf in one factor where another factor, or the filter, is absent contributes nothing.
  Finite data take the BLAS path; a non-finite value that meets a possibly absent point
  takes an exact one (``_interp_contract._exact_term``). Kernels may over-report such a
  value, never hide it (docs/language.md, "NaN and infinities").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from attncc.errors import ArgumentError
from attncc.ir._interp_contract import normalise
from attncc.ir._interp_eval import Space
from attncc.ir._interp_eval import Stored
from attncc.ir._interp_eval import convert
from attncc.ir._interp_eval import evaluate_stmt
from attncc.ir.arguments import check_int_range
from attncc.ir.arguments import split_arguments
from attncc.ir.bind import Binding
from attncc.ir.bind import bind
from attncc.ir.bounds import check_bounds
from attncc.ir.footprint import check_memory
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.ir.nodes import ReduceOp
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import Unary
from attncc.ir.nodes import UnaryOp
from attncc.ir.nodes import accesses_in
from attncc.ir.nodes import names_in
from attncc.ir.parser import parse
from attncc.ir.validate import ProgramInfo
from attncc.ir.validate import validate

__all__ = ["interpret"]

#: Elements the largest per-chunk intermediate may hold (float64: 8 bytes each). Tests
#: monkeypatch it to force chunking on small programs.
CHUNK_ELEMS = 1 << 24

_OUT_DTYPES = {
    DType.F32: np.float32,
    DType.F16: np.float16,
    DType.BF16: np.float32,
    DType.I32: np.int32,
    DType.I8: np.int8,
    DType.BOOL: np.bool_,
}


def interpret(program: Program | str, /, **inputs_and_params) -> np.ndarray | dict[str, np.ndarray]:
    """Run ``program`` on numpy arrays (or torch tensors) and return its output(s).

    Keyword arguments name the program's inputs (arrays) and params (scalars; defaults fill
    the rest). Returns one array for a program with one output, else a dict by output name.
    Raises :class:`~attncc.errors.ArgumentError` for missing, extra or ill-typed arguments,
    :class:`~attncc.errors.ShapeError` for disagreeing shapes, and
    :class:`~attncc.errors.BoundsError` for an index outside its tensor at a present point.
    """
    program = _as_program(program)
    info = validate(program)
    arrays, params = split_arguments(program, inputs_and_params)
    binding = bind(
        program, shapes={n: a.shape for n, a in arrays.items()}, params=params, info=info
    )
    # Before anything runs, with the ranges and extents in the message (the statements
    # check each read again as they run, which covers what this cannot decide).
    check_bounds(program, binding, arrays, info=info)
    check_memory(program, info, binding.extents, program.outputs, itemsize=8, what="interpret")
    tensors = {
        d.name: _load_input(d.name, d.ranks, d.dtype, arrays[d.name]) for d in program.inputs
    }
    plan = plan_chunks(program, info, binding.extents)
    with np.errstate(all="ignore"):
        outputs = _Run(program, info, binding, tensors, plan).outputs()
    if len(outputs) == 1:
        return next(iter(outputs.values()))
    return outputs


def _as_program(program: Program | str) -> Program:
    if isinstance(program, Program):
        return program
    if isinstance(program, str):
        return parse(program)
    raise ArgumentError(
        f"interpret() takes a Program or program text, got {type(program).__name__}"
    )


def _load_input(name: str, ranks: tuple[str, ...], dtype: DType, arr: np.ndarray) -> Stored:
    check_int_range(name, dtype, arr)
    value = convert(arr, dtype) if not dtype.is_int else arr.astype(np.int64)
    value = np.array(value, dtype=value.dtype, copy=value is arr)  # never alias the caller
    return Stored(name, ranks, value, None, arr.shape, (0,) * arr.ndim)


# ----------------------------------------------------------------------------- chunk plan


@dataclass(frozen=True)
class ChunkPlan:
    """Evaluate the statements over ``rank`` in chunks of ``size`` (no chunking: ``None``)."""

    rank: str | None
    size: int


def plan_chunks(
    program: Program, info: ProgramInfo, extents: Mapping[str, int], budget: int | None = None
) -> ChunkPlan:
    """Pick the chunk rank and a chunk size that keeps intermediates under ``budget``."""
    budget = CHUNK_ELEMS if budget is None else budget
    rank = chunk_rank(program, info, extents)
    if rank is None or extents[rank] <= 1:
        return ChunkPlan(None, 0)
    per_point = max(
        _peak_elems(s, extents) / extents[rank] for s in program.stmts if rank in s.space
    )
    size = max(1, min(extents[rank], int(budget // max(per_point, 1))))
    return ChunkPlan(rank, size) if size < extents[rank] else ChunkPlan(None, 0)


def chunk_rank(program: Program, info: ProgramInfo, extents: Mapping[str, int]) -> str | None:
    """The largest output rank that no statement reduces and that every statement tensor
    having it is read at exactly that rank: chunks of it are then independent."""
    reduced = {r for s in program.stmts for r in s.over}
    candidates = {r for o in program.outputs for r in info.tensors[o].ranks} - reduced
    reads = [
        a
        for s in program.stmts
        for e in (s.value, s.where)
        if e is not None
        for a in accesses_in(e)
    ]
    for a in reads:
        t = info.tensors[a.tensor]
        if t.is_input:
            continue
        for r, index in zip(t.ranks, a.indices, strict=True):
            if r in candidates and index != Name(r):
                candidates.discard(r)
    if not candidates:
        return None
    return max(sorted(candidates), key=lambda r: extents[r])


def _peak_elems(s: Stmt, extents: Mapping[str, int]) -> int:
    """Elements of the largest array ``s`` materialises: its space, or for a sum, its
    factors' and result's own rank sets (a contraction never builds the product space)."""
    ranks = set(s.space)

    def size(rs: set[str]) -> int:
        return math.prod(extents[r] for r in rs)

    if s.reduce is not ReduceOp.SUM:
        return size(ranks)
    parts = [set(s.ranks)] + [names_in(f) & ranks for f in _static_factors(s.value)]
    if s.where is not None:
        parts.append(names_in(s.where) & ranks)
    return max(size(p) for p in parts)


def _static_factors(e: Expr) -> list[Expr]:
    if isinstance(e, Binary) and e.op in (BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV):
        return _static_factors(e.lhs) + _static_factors(e.rhs)
    if isinstance(e, Unary) and e.op is UnaryOp.NEG:
        return _static_factors(e.operand)
    return [e]


# ----------------------------------------------------------------------------- driver


class _Run:
    """Statements without the chunk rank once, then the others chunk by chunk."""

    def __init__(self, program, info, binding: Binding, tensors: dict[str, Stored], plan):
        self.program, self.info, self.plan = program, info, plan
        self.extents, self.scalars = binding.extents, binding.scalars
        self.tensors = tensors
        self.results: dict[str, np.ndarray] = {}

    def outputs(self) -> dict[str, np.ndarray]:
        rank = self.plan.rank
        once = [s for s in self.program.stmts if rank is None or rank not in s.space]
        chunked = [s for s in self.program.stmts if rank is not None and rank in s.space]
        self._execute(once, self.tensors, lo=None, later=chunked)
        if chunked:
            self._allocate(chunked)
            extent, size = self.extents[rank], self.plan.size
            for lo in range(0, extent, size):
                self._execute(chunked, dict(self.tensors), lo=(lo, min(size, extent - lo)))
        return {o: self.results[o] for o in self.program.outputs}

    def _execute(self, stmts: list[Stmt], env: dict[str, Stored], lo, later=()) -> None:
        """Evaluate ``stmts`` in order, dropping each tensor after its last reader."""
        needed_later = {
            a.tensor
            for s in later
            for e in (s.value, s.where)
            if e is not None
            for a in accesses_in(e)
        }
        last = _last_reads(stmts)
        for i, s in enumerate(stmts):
            space = self._space(s, lo)
            value, mask, owned = evaluate_stmt(s, space, env, self.scalars, self.program.source)
            env[s.out] = self._store(s, space, value, mask, owned)
            if s.out in self.program.outputs:
                self._emit(s, env[s.out], lo)
            dead = [n for n, j in last.items() if j == i]
            if s.out not in last:
                dead.append(s.out)  # read by no later statement here
            for name in dead:
                if (
                    name in env
                    and name not in needed_later
                    and not self.info.tensors[name].is_input
                ):
                    del env[name]

    def _space(self, s: Stmt, lo) -> Space:
        starts = {r: 0 for r in s.space}
        sizes = {r: self.extents[r] for r in s.space}
        if lo is not None:
            starts[self.plan.rank], sizes[self.plan.rank] = lo
        return Space(s.space, starts, sizes)

    def _store(self, s: Stmt, space: Space, value, mask, owned: bool) -> Stored:
        """Convert to the stored dtype, write 0 where absent, keep size-1 axes compact."""
        n = len(s.ranks)
        value = np.asarray(value)
        value = value.reshape((1,) * n) if value.ndim == 0 else value
        stored = convert(value, self.info.tensors[s.out].dtype)
        owned = owned or stored is not value
        mask = normalise(mask)
        if mask is not None:
            mask = mask.reshape((1,) * n) if mask.ndim == 0 else mask
            full = np.broadcast_shapes(stored.shape, mask.shape)
            if owned and stored.shape == full and stored.flags.writeable:
                np.copyto(stored, 0, where=np.logical_not(mask))
            else:
                stored = np.where(mask, stored, 0).astype(stored.dtype, copy=False)
        shape = tuple(space.size[r] for r in s.ranks)
        offsets = tuple(space.lo[r] for r in s.ranks)
        return Stored(s.out, s.ranks, stored, mask, shape, offsets)

    def _allocate(self, chunked: list[Stmt]) -> None:
        for s in chunked:
            if s.out in self.program.outputs:
                shape = tuple(self.extents[r] for r in s.ranks)
                dtype = _OUT_DTYPES[self.info.tensors[s.out].dtype]
                self.results[s.out] = np.zeros(shape, dtype)

    def _emit(self, s: Stmt, t: Stored, lo) -> None:
        dtype = _OUT_DTYPES[self.info.tensors[s.out].dtype]
        if lo is None:
            self.results[s.out] = np.array(np.broadcast_to(t.value, t.shape), dtype=dtype)
            return
        axis = s.ranks.index(self.plan.rank)
        sel = [slice(None)] * len(s.ranks)
        sel[axis] = slice(lo[0], lo[0] + lo[1])
        self.results[s.out][tuple(sel)] = t.value


def _last_reads(stmts: list[Stmt]) -> dict[str, int]:
    last: dict[str, int] = {}
    for i, s in enumerate(stmts):
        for e in (s.value, s.where):
            for a in [] if e is None else accesses_in(e):
                last[a.tensor] = i
    return last
