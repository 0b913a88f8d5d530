"""The generic TVMScript lowering: every valid program compiles, one loop nest per statement.

:func:`lower_generic` turns a program into ONE TVMScript PrimFunc (its text is the kernel's
readable source). The CPU builds it with LLVM (:mod:`attncc.targets.cpu.target`); WebGPU
binds its loops to threads (:mod:`attncc.targets.webgpu.generic`, a subclass of
:class:`GenericLowering`).

Shape of the generated function:

* arguments: the inputs (declared dtypes: ``f16`` as float16, ``bf16`` as bfloat16, ``i8``
  as int8, ...), the params (``float32`` / ``int32`` / ``bool`` scalars), the outputs
  (``float32`` for ``f32`` and ``bf16``, else the declared dtype, as the interpreter returns);
* a rank whose extent is ``None`` stays symbolic, a ``T.int32()`` bound from the shape of the
  first input that has it, so one build serves many lengths; ``rank`` declarations and
  ``let`` s are literals where everything they read is bound, else expressions
  (``T.meta_var``) over the symbolic extents and the params;
* intermediates are ``global`` buffers allocated inside; a live statement (one an output
  depends on) is one loop nest over its iteration space, the leading output ranks fused
  into one ``T.parallel`` loop; dead statements are not computed.

Absence, decided statically (:func:`presence`): an intermediate gets a ``bool`` presence
buffer only when it can be absent element by element (a filter, or a read of such a tensor)
and a later statement reads it. A tensor that can only be absent as a whole (a reduction
over a symbolic rank that may be empty) carries that as a condition on extents
(``n_m > 0``), not as a buffer; fully present tensors carry nothing. A point is computed
only where its filter holds and every element it reads is present: the filter's conjuncts
are tested in order, each in its own ``if`` when it loads memory, so a conjunct guards the
loads of the ones after it and of the value (``where c * CH + n < M`` keeps
``K[c * CH + n]`` in bounds). Absent elements hold 0, in outputs and intermediates alike.

Reductions accumulate on the stack from the identity (0, -inf, +inf) with, when points can
be absent, a presence flag; an output element with no present point stores 0. A contraction
whose reads run along its last output rank (``O[.., f] = sum(m) E[.., m] * V[.., m, f]``)
accumulates a whole row of that rank per reduction step (unit stride, vectorisable); one
whose reads run along the reduced rank (``S = sum(e) Q[.., e] * K[.., e]``) is a dot product
per element. Builds use LLVM's float reassociation and FMA contraction
(:func:`generic_target`), so dot products vectorise too.

Pitfalls of TVM 0.27 this module works around: a ``bf16`` cast inside an expression
truncates (rounding is done with bit arithmetic); ``==`` on two bools emits an invalid
``fcmp`` (they are compared as ints); ``T.Select`` evaluates both branches and the
simplifier strips guards inside them (a runtime divisor uses ``T.if_then_else``);
``StorageRewrite`` may put a buffer in the memory of one its statement reads, element by
element, so no statement stores before it has read (if/else, never "store 0, overwrite");
let-bound names in buffer shapes fail in ``FlattenBuffer`` (extents are ``T.meta_var``).

Compute is ``float32`` / ``int32`` (the interpreter's float64 / int64): compare with a
tolerance. Every index that is not its dimension's own rank is clamped into the dimension
(:class:`_ClampedPrinter`): calls prove indices in bounds first (:mod:`attncc.ir.bounds`),
and what that proof leaves undecided still never reads outside a buffer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

import numpy as np

from attncc.errors import ArgumentError
from attncc.errors import LoweringError
from attncc.errors import ShapeError
from attncc.ir.nodes import Access
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Let
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.ir.nodes import RankDecl
from attncc.ir.nodes import ReduceOp
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import accesses_in
from attncc.ir.nodes import conjuncts
from attncc.ir.nodes import names_in
from attncc.ir.printer import format_decl
from attncc.ir.printer import format_stmt
from attncc.ir.validate import FrozenMap
from attncc.ir.validate import validate
from attncc.lowering.liveness import live_statements
from attncc.lowering.liveness import presence
from attncc.lowering.liveness import reads
from attncc.lowering.writer import Writer
from attncc.targets.base import Arg
from attncc.targets.tvm.loop_text import all_of
from attncc.targets.tvm.loop_text import bare
from attncc.targets.tvm.loop_text import direct_accesses
from attncc.targets.tvm.loop_text import fold
from attncc.targets.tvm.loop_text import output_dtype
from attncc.targets.tvm.loop_text import product_text
from attncc.targets.tvm.loop_text import shape_text
from attncc.targets.tvm.loop_text import split_levels
from attncc.targets.tvm.loop_text import stride_score
from attncc.targets.tvm.loop_text import subscript
from attncc.targets.tvm.script import ADD
from attncc.targets.tvm.script import AND
from attncc.targets.tvm.script import COMPUTE
from attncc.targets.tvm.script import STORAGE
from attncc.targets.tvm.script import Buffer
from attncc.targets.tvm.script import Namer
from attncc.targets.tvm.script import TvmScriptPrinter
from attncc.targets.tvm.script import Typed
from attncc.targets.tvm.script import convert_text
from attncc.targets.tvm.script import literal
from attncc.targets.tvm.script import nan_keeping
from attncc.targets.tvm.script import store_text
from attncc.targets.tvm.script import zero

__all__ = ["GenericConfig", "GenericLowering", "GenericSource", "lower_generic"]


@dataclass(frozen=True, slots=True)
class GenericConfig:
    """Knobs of the generic lowering.

    ``parallel``: run the outermost loop of each statement with ``T.parallel``.
    ``fuse``: how many leading output ranks form that loop (fused into one index).
    ``unroll``: fully unroll an innermost loop whose extent is a constant up to this.
    ``vector_math``: float functions as vectorisable polynomials (CPU kernels;
    :mod:`~attncc.targets.tvm.vector_math`), not one libm call per element.
    ``unaligned_inputs``: input buffers may start at any element boundary (CPU kernels take
    the caller's arrays without copying them to 64-byte-aligned ones).
    """

    parallel: bool = True
    fuse: int = 2
    unroll: int = 0
    vector_math: bool = False
    unaligned_inputs: bool = False

    def __post_init__(self) -> None:
        if self.fuse < 1 or self.unroll < 0:
            raise ArgumentError(
                f"GenericConfig needs fuse >= 1 and unroll >= 0, got fuse={self.fuse}, "
                f"unroll={self.unroll}"
            )


@dataclass(frozen=True)
class GenericSource:
    """What :func:`lower_generic` produced: the TVMScript text and its calling convention."""

    program: Program = field(repr=False)
    func_name: str
    text: str = field(repr=False)
    args: tuple[Arg, ...]
    extents: Mapping[str, int | None]  # as compiled: None is symbolic
    config: GenericConfig


# ----------------------------------------------------------------------------- writer


_IDENTITY = {
    (ReduceOp.SUM, "float32"): "T.float32(0)",
    (ReduceOp.MAX, "float32"): 'T.float32("-inf")',
    (ReduceOp.MIN, "float32"): 'T.float32("inf")',
    (ReduceOp.SUM, "int32"): "T.int32(0)",
    (ReduceOp.MAX, "int32"): "T.int32(-2147483648)",
    (ReduceOp.MIN, "int32"): "T.int32(2147483647)",
}
_MAX_ROW = 256  # a row accumulator up to 1 KB stays on the stack (in registers, often)
_SCALAR_ARG = {"float32": "T.float32", "int32": "T.int32", "bool": "T.bool"}


# ----------------------------------------------------------------------------- lowering


def lower_generic(
    program: Program,
    extents: Mapping[str, int | None] | None = None,
    *,
    config: GenericConfig | None = None,
) -> GenericSource:
    """TVMScript source of one PrimFunc computing ``program`` (see the module docstring).

    ``extents`` maps ranks to ints (compiled in) or ``None`` (symbolic); a rank it leaves
    out is symbolic. Raises :class:`~attncc.errors.ArgumentError` for an unknown rank and
    :class:`~attncc.errors.ShapeError` for extents that contradict a ``rank`` declaration.

    >>> from attncc import variants
    >>> src = lower_generic(variants.mha(), {"b": 1, "h": 2, "p": None, "m": None, "e": 8, "f": 8})
    >>> [a.name for a in src.args], src.text.splitlines()[1]
    (['Q', 'K', 'V', 'O'], '@T.prim_func')
    """
    return GenericLowering(program, extents or {}, config or GenericConfig()).run()


class GenericLowering:
    def __init__(self, program: Program, extents: Mapping[str, int | None], cfg: GenericConfig):
        self.p, self.cfg = program, cfg
        self.info = info = validate(program)
        unknown = [r for r in extents if r not in info.ranks]
        if unknown:
            raise ArgumentError(
                f"extents names {unknown[0]}, which is not a rank of {program.name}; its ranks "
                f"are {', '.join(info.ranks)}"
            )
        self.extents = {r: extents.get(r) for r in info.ranks}
        for r, n in self.extents.items():
            if n is not None and (not isinstance(n, int | np.integer) or n < 0):
                raise ArgumentError(f"the extent of rank {r} must be an int >= 0, got {n!r}")
        self.live = live_statements(program)
        self.pres = presence(program, self.extents, info)
        self.w = Writer()
        self.names = Namer()
        live_out = {s.out for s in self.live}
        self.tensors = [t for t, ti in info.tensors.items() if ti.is_input or t in live_out]
        self.buf = {t: self.names.fresh(t) for t in self.tensors}
        self.params = {p.name: self.names.fresh(p.name) for p in program.params}
        read_later = {a.tensor for s in self.live for a in reads(s)}
        self.mask = {
            t: self.names.fresh(f"{t}_ok")
            for t in self.tensors
            if self.pres[t].masked and t in read_later
        }
        self.ext: dict[str, str] = {}  # rank -> extent text
        self.const_ext: dict[str, int] = {}  # rank -> extent, where it is a known int
        self.scalars: dict[str, Typed] = {
            p.name: Typed(self.params[p.name], COMPUTE[p.dtype]) for p in program.params
        }
        self.loop_var: dict[str, str] = {}
        outputs = set(program.outputs)
        self.dtype = {  # each buffer's element dtype
            t: output_dtype(info.tensors[t].dtype)
            if t in outputs
            else STORAGE[info.tensors[t].dtype]
            for t in self.tensors
        }

    # -- the function ---------------------------------------------------------------------
    def run(self) -> GenericSource:
        p, w = self.p, self.w
        func = p.name if p.name.isidentifier() and p.name not in Namer.RESERVED else "kernel"
        func = self.names.fresh(func)
        args = self._args()
        handles = {
            a.name: self.names.fresh(f"{self.buf[a.name]}_h") for a in args if a.role != "param"
        }
        sig = [
            f"{handles[a.name]}: T.handle"
            if a.role != "param"
            else f"{self.params[a.name]}: {_SCALAR_ARG[a.dtype]}"
            for a in args
        ]
        w(f"# attncc generic lowering of `{p.name}`: one loop nest per statement")
        w("@T.prim_func")
        w.open(f"def {func}({', '.join(sig)}):")
        w(f'T.func_attr({{"global_symbol": "{func}", "tirx.noalias": True}})')
        asserts = self._extents_and_lets()
        for a in args:
            if a.role != "param":
                shape = shape_text(self.ext[r] for r in a.ranks)
                # align=4: inputs come zero-copy from numpy / torch at any element alignment
                align = ", align=4" if self.cfg.unaligned_inputs and a.role == "input" else ""
                buf, handle = self.buf[a.name], handles[a.name]
                w(f'{buf} = T.match_buffer({handle}, {shape}, "{a.dtype}"{align})')
        for cond, msg in asserts:
            w(f"assert {cond}, {msg!r}")
        outputs = set(p.outputs)
        for s in self.live:
            shape = shape_text(self.ext[r] for r in s.ranks)
            if s.out not in outputs:
                w(f'{self.buf[s.out]} = T.alloc_buffer({shape}, "{self.dtype[s.out]}")')
            if s.out in self.mask:
                w(f'{self.mask[s.out]} = T.alloc_buffer({shape}, "bool")')
        for s in self.live:
            self._stmt(s)
        text = "\n".join(w.lines) + "\n"
        return GenericSource(p, func, text, args, FrozenMap(self.extents), self.cfg)

    def _args(self) -> tuple[Arg, ...]:
        p, info = self.p, self.info
        args = [Arg(d.name, "input", STORAGE[d.dtype], d.ranks) for d in p.inputs]
        args += [Arg(q.name, "param", COMPUTE[q.dtype]) for q in p.params]
        for o in p.outputs:
            t = info.tensors[o]
            args.append(Arg(o, "output", output_dtype(t.dtype), t.ranks))
        return tuple(args)

    # -- extents and lets -------------------------------------------------------------------
    def _extents_and_lets(self) -> list[tuple[str, str]]:
        """Symbolic extent vars, then lets and declared ranks in order; returns the
        run-time checks of declared ranks that the build cannot check (a param decides
        them, or an input's shape binds them too)."""
        w, info = self.w, self.info
        env: dict[str, object] = {}  # names with compile-time values
        for r in info.ranks:
            if not info.rank_sources[r]:
                continue
            n = self.extents[r]
            if n is None:
                self.ext[r] = self.names.fresh(f"n_{r}")
                w(f"{self.ext[r]} = T.int32()")
            else:
                self.ext[r], self.const_ext[r], env[r] = str(n), int(n), int(n)
        asserts: list[tuple[str, str]] = []
        decl_printer = TvmScriptPrinter(ranks=self.ext, scalars=self.scalars, buffers={})
        for d in self.p.decls:
            if isinstance(d, Let):
                value = fold(d.value, env)
                kind = self.info.scalars[d.name]
                if value is not None:
                    value = (
                        bool(value)
                        if kind is DType.BOOL
                        else (int(value) if kind.is_int else float(value))
                    )
                    env[d.name] = value
                    self.scalars[d.name] = literal(value, COMPUTE[kind])
                else:
                    v = decl_printer.expr(d.value)
                    if v.text.isidentifier():  # an alias (`let M = m`): no name of its own
                        self.scalars[d.name] = v
                        continue
                    name = self.names.fresh(d.name)
                    w(f"{name} = T.meta_var({v.text})  # let {d.name} = {d.value}")
                    self.scalars[d.name] = Typed(name, v.dtype)
            elif isinstance(d, RankDecl):
                asserts += self._rank_decl(d, env, decl_printer)
        return asserts

    def _rank_decl(self, d: RankDecl, env: dict, pr: TvmScriptPrinter) -> list[tuple[str, str]]:
        r = d.name
        value = fold(d.extent, env)
        given = self.const_ext.get(r, self.extents[r])
        bound = r in self.ext  # also bound by an input's shape
        if given is not None and value is not None and int(given) != value:
            raise ShapeError(
                f"rank {r} is given extent {given} but its declaration `{format_decl(d)}` "
                f"gives {value}",
                loc=d.loc,
                source=self.p.source,
            )
        if not bound:
            if given is None and value is not None:
                given = value
            if given is not None:
                self.ext[r], self.const_ext[r], env[r] = str(int(given)), int(given), int(given)
            else:
                name = self.names.fresh(f"n_{r}")
                self.w(f"{name} = T.meta_var({pr.expr(d.extent).text})  # {format_decl(d)}")
                self.ext[r] = name
                return []
        if value is not None and r in self.const_ext:
            return []  # two constants, compared above
        expected = str(value) if value is not None else pr.expr(d.extent).text
        check = f"{self.ext[r]} == {expected}"
        return [(check, f"{format_decl(d)} must be {self.ext[r]} for this kernel")]

    # -- statements ---------------------------------------------------------------------
    def _printer(self) -> TvmScriptPrinter:
        bufs = {t: Buffer(self.buf[t], self.dtype[t]) for t in self.tensors}
        ranks = {r: self._var(r) for r in self.info.ranks}
        return _ClampedPrinter(
            self, ranks=ranks, scalars=self.scalars, buffers=bufs, vector_math=self.cfg.vector_math
        )

    def _var(self, r: str) -> str:
        if r not in self.loop_var:
            self.loop_var[r] = self.names.fresh(f"i_{r}")
        return self.loop_var[r]

    def _stmt(self, s: Stmt) -> None:
        w = self.w
        pr = self._printer()
        w("")
        w(f"# {format_stmt(s)}")
        depth = w.depth
        row = self._row_rank(s) if s.reduce is not None else None
        ranks = [r for r in s.ranks if r != row]
        # a map keeps its innermost rank out of the fused loop: it runs with unit stride
        fuse = self.cfg.fuse if s.reduce is not None else max(1, len(ranks) - 1)
        self._output_loops(ranks, min(fuse, self.cfg.fuse))
        if s.reduce is None:
            self._map_body(s, pr)
        else:
            self._reduce_body(s, pr, row)
        w.depth = depth

    def _output_loops(self, ranks: list[str], fuse: int) -> None:
        w = self.w
        if not ranks:
            return
        if self.cfg.parallel:
            fused = ranks[:fuse]
            ranks = ranks[len(fused) :]
            if len(fused) == 1:
                w.open(f"for {self._var(fused[0])} in T.parallel({self.ext[fused[0]]}):")
            else:
                key = "i_" + "_".join(fused)
                if key not in self.loop_var:
                    self.loop_var[key] = self.names.fresh(key)
                var = self.loop_var[key]
                total = " * ".join(self.ext[r] for r in fused)
                w.open(f"for {var} in T.parallel({total}):")
                for k, r in enumerate(fused):
                    inner = [self.ext[x] for x in fused[k + 1 :]]
                    div = f" // {product_text(inner)}" if inner else ""
                    mod = f" % {self.ext[r]}" if k else ""
                    w(f"{self._var(r)} = T.meta_var({var}{div}{mod})")
        self._loops(ranks)

    def _loops(self, ranks: list[str]) -> None:
        """Loops over ``ranks`` (innermost last); the innermost unrolled when it is small."""
        if not ranks:
            return
        w, last = self.w, ranks[-1]
        n = self.const_ext.get(last)
        unroll = n is not None and 1 < n <= self.cfg.unroll
        outer = ranks[:-1] if unroll else ranks
        if len(outer) == 1:
            w.open(f"for {self._var(outer[0])} in range({self.ext[outer[0]]}):")
        elif outer:
            vs = ", ".join(self._var(r) for r in outer)
            w.open(f"for {vs} in T.grid({', '.join(self.ext[r] for r in outer)}):")
        if unroll:
            w.open(f"for {self._var(last)} in T.unroll({n}):")

    def _guards(self, s: Stmt, pr: TvmScriptPrinter) -> list[list[tuple[str, bool]]]:
        """Nested ``if`` levels under which a point of ``s`` is present.

        Each level is a conjunction of ``(condition, reads an over rank)``. A level ends
        before every condition that loads memory, so that earlier conditions guard its
        loads.
        """
        levels: list[list[tuple[str, bool]]] = [[]]
        seen: set[str] = set()
        over = set(s.over)

        def add(cond: str, e: Expr | None, loads: bool) -> None:
            if cond in seen:
                return
            seen.add(cond)
            if loads and levels[-1]:
                levels.append([])
            levels[-1].append((cond, e is not None and bool(names_in(e) & over)))

        uniform = set().union(*(self.pres[a.tensor].nonempty for a in reads(s)))
        nonempty = self._nonempty(uniform - set(s.space))  # whole tensors read may be absent
        if nonempty:
            add(nonempty, None, False)
        for conj in conjuncts(s.where):
            self._mask_checks(conj, pr, add)
            add(pr.cond(conj).at(AND), conj, bool(accesses_in(conj)))
        self._mask_checks(s.value, pr, add)
        return [lv for lv in levels if lv]

    def _mask_checks(self, e: Expr, pr: TvmScriptPrinter, add) -> None:
        """Presence tests of the masked elements ``e`` reads, inner reads first."""
        by_depth: dict[int, list[tuple[str, Access]]] = {}

        def depth(a: Access) -> int:
            inner = [depth(b) + 1 for i in a.indices for b in direct_accesses(i)]
            d = max(inner, default=0)
            if self.pres[a.tensor].masked:
                by_depth.setdefault(d, []).append((f"{self.mask[a.tensor]}[{pr.index(a)}]", a))
            return d

        for a in direct_accesses(e):
            depth(a)
        for d in sorted(by_depth):
            for k, (cond, a) in enumerate(by_depth[d]):
                add(cond, a, k == 0)

    def _store(self, s: Stmt, v: Typed) -> str:
        """``v`` as stored in ``s.out``'s buffer (bf16 outputs round into float32)."""
        dtype = self.dtype[s.out]
        if self.info.tensors[s.out].dtype is DType.BF16 and dtype == "float32":
            v = convert_text(v, DType.BF16)
        return store_text(v, dtype)

    def _zero(self, s: Stmt) -> str:
        return zero(self.dtype[s.out])

    def _nonempty(self, ranks) -> str:
        """``n_r > 0 and ...`` for the ranks whose extents are not known positive."""
        ranks = [r for r in ranks if not self.const_ext.get(r, 0) > 0]
        if any(r in self.const_ext for r in ranks):
            return "T.bool(False)"  # an empty rank
        return " and ".join(f"{self.ext[r]} > 0" for r in sorted(ranks, key=self.info.ranks.index))

    def _map_body(self, s: Stmt, pr: TvmScriptPrinter) -> None:
        w = self.w
        idx = [self._var(r) for r in s.ranks]
        at, has_ok = subscript(self.buf[s.out], idx), s.out in self.mask
        ok = subscript(self.mask.get(s.out, ""), idx)
        levels = [[c for c, _ in lv] for lv in self._guards(s, pr)]
        value = self._store(s, pr.expr(s.value))
        if not levels:
            w(f"{at} = {bare(value)}")
            return
        # if/else at every level, never "store 0, then overwrite": TVM's StorageRewrite may
        # place this buffer in the memory of one it reads (in place), and an early store
        # would clobber the element before it is read.
        depth = w.depth
        for lv in levels:
            w.open(f"if {all_of(lv)}:")
        w(f"{at} = {bare(value)}")
        if has_ok:
            w(f"{ok} = T.bool(True)")
        for k in reversed(range(len(levels))):
            w.depth = depth + k
            w.open("else:")
            w(f"{at} = {self._zero(s)}")
            if has_ok:
                w(f"{ok} = T.bool(False)")
        w.depth = depth

    def _row_rank(self, s: Stmt) -> str | None:
        """The output rank to make the innermost loop of a reduction, or ``None``.

        ``O[p, f] = sum(m) E[p, m] * V[m, f]`` runs best as rows, ``acc[:] += E[p, m] *
        V[m, :]`` (unit stride, no loop-carried dependence: it vectorises), ``S[p, m] =
        sum(e) Q[p, e] * K[m, e]`` as dot products. The last output rank goes innermost when
        its extent is a small constant (the row accumulator lives on the stack), presence
        does not depend on it, and more reads run along it with unit stride than along the
        innermost reduced rank.
        """
        if not s.over or len(s.ranks) < (2 if self.cfg.parallel else 1):
            return None  # keep an output rank for the parallel loop
        r = s.ranks[-1]
        n = self.const_ext.get(r)
        if n is None or not 1 < n <= _MAX_ROW:
            return None
        presence_reads = [a for a in reads(s) if self.pres[a.tensor].masked]
        if (s.where is not None and r in names_in(s.where)) or any(
            r in names_in(a) for a in presence_reads
        ):
            return None
        loads = accesses_in(s.value)
        return r if stride_score(loads, r) > stride_score(loads, s.over[-1]) else None

    def _reduce_body(self, s: Stmt, pr: TvmScriptPrinter, row: str | None) -> None:
        w = self.w
        masked = self.pres[s.out].masked
        v = pr.expr(s.value)
        acc_t = COMPUTE[self.info.tensors[s.out].dtype]
        if acc_t not in ("float32", "int32"):
            raise LoweringError(f"{s.out}: cannot reduce {acc_t} values")
        if v.dtype != acc_t:
            v = Typed(f'T.Cast("{acc_t}", {v.text})', acc_t)
        acc = self.names.fresh(f"acc_{s.out}")
        flag = self.names.fresh(f"ok_{s.out}") if masked else None
        depth = w.depth
        a = f"{acc}[{self._var(row)}]" if row else f"{acc}[0]"
        w(f'{acc} = T.alloc_buffer(({self.ext[row] if row else 1},), "{acc_t}")')
        if row:
            self._loops([row])
        w(f"{a} = {_IDENTITY[s.reduce, acc_t]}")
        w.depth = depth
        if flag:
            w(f'{flag} = T.alloc_buffer((1,), "bool")')
            w(f"{flag}[0] = T.bool(False)")
        outer, inner = split_levels(self._guards(s, pr)) if masked else ([], [])
        for lv in outer:
            w.open(f"if {all_of(lv)}:")
        self._loops(list(s.over))
        for lv in inner:
            w.open(f"if {all_of(lv)}:")
        body = w.depth
        if row:
            self._loops([row])
        if s.reduce is ReduceOp.SUM:
            w(f"{a} = {a} + {v.at(ADD + 1)}")
        else:
            w(f"{a} = {nan_keeping(s.reduce.value, a, v.text, acc_t)}")
        w.depth = body
        if flag and inner:
            w(f"{flag}[0] = T.bool(True)")
        if flag and not inner:
            w.depth = depth + len(outer)
            w(f"{flag}[0] = {self._nonempty(s.over) or 'T.bool(True)'}")
        w.depth = depth
        if row:
            self._loops([row])
        idx = [self._var(r) for r in s.ranks]
        at = subscript(self.buf[s.out], idx)
        value = self._store(s, Typed(a, acc_t))
        cond = f"{flag}[0]" if flag else self._nonempty(self.pres[s.out].nonempty)
        w(f"{at} = T.Select({cond}, {value}, {self._zero(s)})" if cond else f"{at} = {value}")
        if s.out in self.mask:
            w(f"{subscript(self.mask[s.out], idx)} = {flag}[0]")
        w.depth = depth


class _ClampedPrinter(TvmScriptPrinter):
    """Every index that is not its dimension's own rank is clamped into the dimension.

    Calls prove indices in bounds before they run (:mod:`attncc.ir.bounds`); what that
    check leaves undecided (a guard that reads an intermediate result, too many points)
    must still never leave a buffer, whatever the input. Where the check proved the index,
    the clamp changes nothing.
    """

    def __init__(self, lowering: GenericLowering, **kwargs):
        super().__init__(**kwargs)
        self.lowering = lowering

    def index(self, a: Access) -> str:
        low = self.lowering
        dims = low.info.tensors[a.tensor].ranks
        parts = []
        for i, rank in zip(a.indices, dims, strict=True):
            v = self.expr(i)
            if v.dtype != "int32":
                raise LoweringError(f"index `{i}` of `{a}` is {v.dtype}, not an integer")
            known = low.const_ext.get(rank)
            exact = isinstance(i, Name) and i.name == rank
            constant = isinstance(i, Const) and known is not None and 0 <= i.value < known
            if exact or constant:
                parts.append(v.text)
            else:
                parts.append(f"T.max(T.min({v.text}, {low.ext[rank]} - 1), 0)")
        return ", ".join(parts) if parts else "()"
