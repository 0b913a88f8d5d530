"""Static verification and type inference: one rule per construct.

:func:`validate` walks a :class:`~attncc.ir.nodes.Program` once, in order, and either
raises the :class:`~attncc.errors.ValidationError` subclass that names the first problem
(with the node's location, the program source for a caret, the offending line and the fix)
or returns a :class:`ProgramInfo`: every tensor's ranks and dtype, every rank, every
scalar's dtype, and what each statement reads.

Decisions (see ``docs/language.md`` for the language itself):

* Outputs must be statement outputs: returning an input unchanged is a copy statement.
* An input that no statement reads (directly or inside an index) is an error: its only
  effect would be to bind ranks, which a ``rank`` declaration says plainly.
* Unused params and lets are fine: a family of variants can share one calling convention
  (a window ``W`` that one variant ignores), and an unused scalar costs nothing.
* Dead statements (contributing to no output) are allowed; they are still checked, and
  their reads count as uses of inputs.
* ``==`` and ``!=`` compare two bools or two numbers; ordering comparisons need numbers.
* Arithmetic yields the compute type: ``f32`` when any operand is a float, else ``i32``;
  a bare access keeps its tensor's dtype (``f16``, ``i8``, ...).
* A statement's ``: DTYPE`` must agree in kind (float / integer / bool) with its value;
  the conversion is spelled with a cast (``i32(x)``), never implied.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace

from attncc.errors import CycleError
from attncc.errors import DTypeError
from attncc.errors import NameResolutionError
from attncc.errors import ShapeError
from attncc.errors import UnusedInputError
from attncc.errors import ValidationError
from attncc.ir.nodes import I32_MAX
from attncc.ir.nodes import I32_MIN
from attncc.ir.nodes import MAX_DEPTH
from attncc.ir.nodes import Access
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Input
from attncc.ir.nodes import Let
from attncc.ir.nodes import Name
from attncc.ir.nodes import Param
from attncc.ir.nodes import Program
from attncc.ir.nodes import RankDecl
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import accesses_in
from attncc.ir.nodes import depth
from attncc.ir.nodes import walk
from attncc.ir.typecheck import A_KIND
from attncc.ir.typecheck import FrozenMap
from attncc.ir.typecheck import Site
from attncc.ir.typecheck import TensorInfo
from attncc.ir.typecheck import Typer
from attncc.ir.typecheck import compute_dtype
from attncc.ir.typecheck import kind_of
from attncc.ir.typecheck import suggest

__all__ = ["FrozenMap", "ProgramInfo", "TensorInfo", "compute_dtype", "kind_of", "validate"]

# What a declared name is. Ranks come from inputs and `rank` declarations.
INPUT, PARAM, LET, RANK, TENSOR = "input", "param", "let", "rank", "tensor"


@dataclass(frozen=True)
class ProgramInfo:
    """What :func:`validate` learnt about a valid program.

    ``tensors``: inputs, then statement outputs, in declaration order. ``ranks``: every rank
    in first-declaration order. ``scalars``: params (declared dtype) and lets (``i32``,
    ``f32`` or ``bool``). ``rank_sources``: for each rank, the ``(input, dim)`` pairs that
    bind it (empty for a rank declared with ``rank``). ``reads``: for each statement, the
    tensors it reads (value, filter and indices), first-read order.
    """

    program: Program = field(repr=False)
    tensors: Mapping[str, TensorInfo]
    ranks: tuple[str, ...]
    scalars: Mapping[str, DType]
    rank_sources: Mapping[str, tuple[tuple[str, int], ...]] = field(default_factory=FrozenMap)
    reads: Mapping[str, tuple[str, ...]] = field(default_factory=FrozenMap)

    def kind(self, name: str) -> str | None:
        """``"input"``, ``"tensor"``, ``"param"``, ``"let"``, ``"rank"`` or ``None``."""
        if name in self.tensors:
            return INPUT if self.tensors[name].is_input else TENSOR
        if name in self.ranks:
            return RANK
        if name in self.scalars:
            return PARAM if any(p.name == name for p in self.program.params) else LET
        return None

    def expr_dtype(self, expr: Expr, stmt: Stmt | None = None) -> DType:
        """The dtype of ``expr`` (rank names are integers, as indices or as extents)."""
        site = Site.of(stmt, self.program) if stmt is not None else Site("expression", "")
        return Typer(self._scope(), self.tensors, site).dtype(expr)

    def _scope(self) -> dict[str, DType]:
        scope = {r: DType.I32 for r in self.ranks}
        scope.update(self.scalars)
        return scope


def validate(program: Program) -> ProgramInfo:
    """Check ``program`` and infer its dtypes; raise the first :class:`ValidationError`.

    Memoised by program value (every front door and every stage validates what it is
    given): equal programs share one check, and the info names the caller's program."""
    info = _validated(program)
    return info if info.program is program else replace(info, program=program)


@functools.lru_cache(maxsize=512)
def _validated(program: Program) -> ProgramInfo:
    return _Validator(program).run()


class _Validator:
    def __init__(self, program: Program):
        self.p = program
        self.kinds: dict[str, str] = {}  # every declared name -> its kind
        self.origin: dict[str, str] = {}  # name -> "input K" / "let G" / ..., for messages
        self.rank_sources: dict[str, list[tuple[str, int]]] = {}
        self.scalars: dict[str, DType] = {}
        self.tensors: dict[str, TensorInfo] = {}
        self.reads: dict[str, tuple[str, ...]] = {}
        self.stmt_index = {}
        for i, s in enumerate(program.stmts):
            self.stmt_index.setdefault(s.out, i)

    def run(self) -> ProgramInfo:
        for item in (*self.p.decls, *self.p.stmts):
            self._bounded(item)
        for decl in self.p.decls:
            site = Site.of(decl, self.p)
            if isinstance(decl, Input):
                self._input(decl, site)
            elif isinstance(decl, Param):
                self._param(decl, site)
            elif isinstance(decl, Let):
                self._let(decl, site)
            elif isinstance(decl, RankDecl):
                self._rank_decl(decl, site)
            else:
                raise TypeError(f"not an attncc declaration: {decl!r}")
        for stmt in self.p.stmts:
            self._stmt(stmt, Site.of(stmt, self.p))
        self._outputs()
        self._unused_inputs()
        return ProgramInfo(
            program=self.p,
            tensors=FrozenMap(self.tensors),
            ranks=tuple(self.rank_sources),
            scalars=FrozenMap(self.scalars),
            rank_sources=FrozenMap({r: tuple(s) for r, s in self.rank_sources.items()}),
            reads=FrozenMap(self.reads),
        )

    def _bounded(self, item: object) -> None:
        """Rule: expressions are at most MAX_DEPTH deep and integer literals fit i32.

        Checked first and without recursion: every later rule (and printing the statement
        for a message) walks the tree recursively."""
        exprs = [getattr(item, f, None) for f in ("value", "extent", "where")]
        for e in (e for e in exprs if isinstance(e, Expr)):
            levels = depth(e)
            if levels > MAX_DEPTH:
                name = getattr(item, "out", None) or getattr(item, "name", "?")
                raise ValidationError(
                    f"expression too deep: {levels} levels of operators (at most "
                    f"{MAX_DEPTH}); split it into 'let' declarations or extra statements\n"
                    f"  in the {'statement' if isinstance(item, Stmt) else 'declaration'} "
                    f"of {name}",
                    loc=e.loc or getattr(item, "loc", None),
                    source=self.p.source,
                )
        for e in (e for e in exprs if isinstance(e, Expr)):
            for node in walk(e):
                v = node.value if isinstance(node, Const) else None
                if isinstance(v, int) and not isinstance(v, bool) and not I32_MIN <= v <= I32_MAX:
                    Site.of(item, self.p).fail(
                        DTypeError,
                        f"integer literal {v} does not fit i32, the language's integer type "
                        f"([{I32_MIN}, {I32_MAX}]); for a float write {float(v)!r}",
                        node.loc,
                    )

    # names ---------------------------------------------------------------------------
    def _declare(self, name: str, kind: str, origin: str, site: Site) -> None:
        """Rule: every name is declared once, across inputs, params, lets, ranks, tensors."""
        if name in self.kinds:
            site.fail(
                NameResolutionError,
                f"{name} is declared twice: as {origin} and before as {self.origin[name]}. "
                "Fix: rename one of them",
            )
        self.kinds[name] = kind
        self.origin[name] = origin

    def _scope(self) -> dict[str, DType]:
        scope = {r: DType.I32 for r in self.rank_sources}
        scope.update(self.scalars)
        return scope

    def _resolve_scalar_names(self, expr: Expr, site: Site, context: str) -> None:
        """Rule: a bare name is a rank, let or param declared before this line."""
        for node in walk(expr):
            if not isinstance(node, Name):
                continue
            kind = self.kinds.get(node.name)
            if kind in (RANK, LET, PARAM):
                continue
            if kind in (INPUT, TENSOR) and node.name in self.tensors:
                ranks = ", ".join(self.tensors[node.name].ranks)
                site.fail(
                    NameResolutionError,
                    f"{node.name} is a tensor but is used as a scalar; index it, e.g. "
                    f"{node.name}[{ranks}]",
                    node.loc,
                )
            later = self.stmt_index.get(node.name)
            if later is not None:
                site.fail(
                    NameResolutionError,
                    f"{node.name} is a tensor (statement {later + 1}) but is used as a "
                    f"scalar in {context}. Fix: index it",
                    node.loc,
                )
            site.fail(
                NameResolutionError,
                f"unknown name {node.name}{suggest(node.name, list(self.kinds))}; {context} "
                "may use ranks, params, lets and literals declared before it",
                node.loc,
            )

    # declarations --------------------------------------------------------------------
    def _input(self, d: Input, site: Site) -> None:
        """Rule: an input has a fresh name and distinct ranks; each dimension binds a rank."""
        self._declare(d.name, INPUT, f"input {d.name}", site)
        if not d.ranks:
            site.fail(ShapeError, f"input {d.name} has no ranks; a scalar argument is a param")
        for dim, r in enumerate(d.ranks):
            if d.ranks.index(r) != dim:
                site.fail(
                    NameResolutionError,
                    f"input {d.name} lists rank {r} twice; an input's ranks must be distinct. "
                    "Fix: give each dimension its own rank",
                    d.loc,
                )
            if r not in self.kinds:
                self._declare(r, RANK, f"rank {r} (bound by input {d.name})", site)
                self.rank_sources[r] = []
            elif self.kinds[r] != RANK:
                site.fail(
                    NameResolutionError,
                    f"input {d.name} uses {r} as a rank, but {r} is {self.origin[r]}. "
                    "Fix: rename the rank",
                )
            self.rank_sources[r].append((d.name, dim))
        self.tensors[d.name] = TensorInfo(d.name, d.ranks, d.dtype, True)

    def _param(self, d: Param, site: Site) -> None:
        """Rule: a param's default agrees in kind with its dtype (an int may default a float)."""
        self._declare(d.name, PARAM, f"param {d.name}", site)
        v = d.default
        if v is not None:
            ok = (
                isinstance(v, bool)
                if d.dtype is DType.BOOL
                else isinstance(v, int) and not isinstance(v, bool)
                if d.dtype.is_int
                else isinstance(v, (int, float)) and not isinstance(v, bool)
            )
            huge = isinstance(v, int) and not isinstance(v, bool) and not I32_MIN <= v <= I32_MAX
            if ok and huge:  # a literal: integers are i32 in text too
                site.fail(
                    DTypeError,
                    f"param {d.name}'s default {v} does not fit i32, the language's integer "
                    f"type; for a float param write {float(v)!r}",
                )
            if not ok:
                site.fail(
                    DTypeError,
                    f"param {d.name} is {d.dtype} but its default {v!r} is a "
                    f"{type(v).__name__}. Fix: give {A_KIND[kind_of(d.dtype)]} default",
                )
        self.scalars[d.name] = d.dtype

    def _scalar_expr(self, expr: Expr, site: Site, context: str) -> DType:
        """Rule: a let/rank expression reads no tensor; rank names there are extents."""
        for a in accesses_in(expr):
            site.fail(
                ValidationError,
                f"{context} reads tensor {a.tensor} in `{a}`; declarations are scalars over "
                "rank extents, params and lets. Fix: compute it in a statement",
                a.loc,
            )
        self._resolve_scalar_names(expr, site, context)
        return Typer(self._scope(), self.tensors, site).dtype(expr)

    def _let(self, d: Let, site: Site) -> None:
        t = self._scalar_expr(d.value, site, f"let {d.name}")
        self._declare(d.name, LET, f"let {d.name}", site)
        self.scalars[d.name] = compute_dtype(t)

    def _rank_decl(self, d: RankDecl, site: Site) -> None:
        """Rule: a `rank` declares a new rank whose extent is an integer expression."""
        t = self._scalar_expr(d.extent, site, f"rank {d.name}")
        if not t.is_int:
            site.fail(
                DTypeError,
                f"the extent of rank {d.name} is `{d.extent}`, of dtype {t}; an extent must be "
                "an integer. Fix: use integer arithmetic (/ on integers floors), or i32(...)",
                d.extent.loc,
            )
        self._declare(d.name, RANK, f"rank {d.name} (declared by `rank`)", site)
        self.rank_sources[d.name] = []

    # statements ----------------------------------------------------------------------
    def _stmt(self, s: Stmt, site: Site) -> None:
        self._declare(s.out, TENSOR, f"the output of statement {s.out}", site)
        self._stmt_ranks(s, site)
        self._stmt_accesses(s, site)
        for e in (s.value, s.where):
            if e is not None:
                self._resolve_scalar_names(e, site, "a statement")
        self._stmt_rank_use(s, site)
        self._stmt_types(s, site)

    def _rank_list(self, ranks: tuple[str, ...], side: str, site: Site) -> None:
        for i, r in enumerate(ranks):
            if self.kinds.get(r) != RANK:
                what = self.origin.get(r, "not declared")
                hint = suggest(r, list(self.rank_sources))
                site.fail(
                    NameResolutionError,
                    f"{r} on the {side} is not a rank ({what}){hint}; ranks come from inputs "
                    "and `rank` declarations",
                )
            if ranks.index(r) != i:
                site.fail(ValidationError, f"rank {r} appears twice on the {side}; list it once")

    def _stmt_ranks(self, s: Stmt, site: Site) -> None:
        """Rule: the left lists distinct known ranks; a reduction has its own distinct ranks."""
        self._rank_list(s.ranks, "left side", site)
        if s.reduce is None and s.over:
            site.fail(ValidationError, f"{s.out} lists reduction ranks but no reduction")
        if s.reduce is not None and not s.over:
            site.fail(
                ValidationError,
                f"{s.out} has {s.reduce.value}() with no ranks; a reduction needs ranks, e.g. "
                f"{s.reduce.value}(m). Fix: name the reduced ranks or drop the reduction",
            )
        self._rank_list(s.over, "reduction", site)
        for r in s.over:
            if r in s.ranks:
                site.fail(
                    ValidationError,
                    f"rank {r} is both on the left of {s.out} and reduced; a reduction runs over "
                    f"ranks absent from the left. Fix: drop {r} from the left or from "
                    f"{s.reduce.value}(...)",
                )

    def _stmt_accesses(self, s: Stmt, site: Site) -> None:
        """Rule: reads go to inputs and earlier statements, one index per declared rank."""
        reads: list[str] = []
        for e in (s.value, s.where):
            for a in [] if e is None else accesses_in(e):
                self._access(s, a, site)
                if a.tensor not in reads:
                    reads.append(a.tensor)
        self.reads[s.out] = tuple(reads)

    def _access(self, s: Stmt, a: Access, site: Site) -> None:
        kind = self.kinds.get(a.tensor)
        if kind in (RANK, LET, PARAM):
            site.fail(
                NameResolutionError,
                f"{a.tensor} is a {kind}, not a tensor, but is indexed in `{a}`. "
                f"Fix: use {a.tensor} without brackets",
                a.loc,
            )
        if a.tensor == s.out and a.tensor not in self.tensors:
            site.fail(
                CycleError,
                f"{s.out} reads itself in `{a}` (cycle: {s.out} → {s.out}); a statement may "
                "only read inputs and earlier statements. Fix: read an earlier tensor",
                a.loc,
            )
        if kind is None:
            later = self.stmt_index.get(a.tensor)
            if later is None:
                site.fail(
                    NameResolutionError,
                    f"unknown tensor {a.tensor} in `{a}`{suggest(a.tensor, list(self.tensors))}",
                    a.loc,
                )
            cycle = self._cycle(a.tensor, s.out)
            msg = (
                f"cycle: {' → '.join([s.out, *cycle])}"
                if cycle
                else f"{a.tensor} is defined later, by statement {later + 1}"
            )
            site.fail(
                CycleError,
                f"{s.out} reads {a.tensor} in `{a}` before it is defined ({msg}); a statement "
                f"may only read inputs and earlier statements. Fix: move {a.tensor}'s "
                "statement before this one" + (" and break the cycle" if cycle else ""),
                a.loc,
            )
        ranks = self.tensors[a.tensor].ranks
        if len(a.indices) != len(ranks):
            site.fail(
                ShapeError,
                f"{a.tensor} has {len(ranks)} ranks [{', '.join(ranks)}] but `{a}` gives "
                f"{len(a.indices)} indices. Fix: index every rank once",
                a.loc,
            )

    def _cycle(self, start: str, target: str) -> list[str] | None:
        """A read path start → ... → target among statements, if there is one."""
        graph = {
            st.out: [
                a.tensor for e in (st.value, st.where) if e is not None for a in accesses_in(e)
            ]
            for st in self.p.stmts
        }
        stack, seen = [(start, [start])], {start}
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, []):
                if nxt == target:
                    return [*path, nxt]
                if nxt in graph and nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
        return None

    def _stmt_rank_use(self, s: Stmt, site: Site) -> None:
        """Rule: right-side ranks not on the left are exactly the reduction ranks."""
        used: dict[str, Name] = {}
        for e in (s.value, s.where):
            for n in [] if e is None else walk(e):
                if isinstance(n, Name) and self.kinds[n.name] == RANK:
                    used.setdefault(n.name, n)
        for r, node in used.items():
            if r not in s.space:
                fix = (
                    f"add it to the reduction: {s.reduce.value}({', '.join([*s.over, r])})"
                    if s.reduce
                    else f"reduce over it, e.g. `{s.out}[{', '.join(s.ranks)}] = sum({r}) ...`"
                )
                site.fail(
                    ValidationError,
                    f"rank {r} is used on the right of {s.out} but is neither on its left "
                    f"[{', '.join(s.ranks)}] nor reduced. Fix: {fix}, or add {r} to the left",
                    node.loc,
                )
        for r in s.over:
            if r not in used:
                site.fail(
                    ValidationError,
                    f"{s.out} reduces over rank {r}, which its right side never uses; a "
                    f"reduction rank must index the value or the filter. Fix: drop {r}",
                )

    def _stmt_types(self, s: Stmt, site: Site) -> None:
        """Rule: a filter is a bool, a reduced value a number, an annotation of the value's kind."""
        typer = Typer(self._scope(), self.tensors, site)
        t = typer.dtype(s.value)
        if s.where is not None:
            wt = typer.dtype(s.where)
            if wt is not DType.BOOL:
                site.fail(
                    DTypeError,
                    f"the filter `where {s.where}` is {wt}; a filter must be a bool. "
                    f"Fix: compare it, e.g. `where {s.where} != 0`",
                    s.where.loc,
                )
        if s.reduce is not None and t is DType.BOOL:
            site.fail(
                DTypeError,
                f"{s.reduce.value}() reduces a bool value `{s.value}`; reductions need "
                "numbers. Fix: cast it, e.g. i32(...)",
                s.value.loc,
            )
        dtype = compute_dtype(t)
        if s.dtype is not None:
            if kind_of(s.dtype) != kind_of(t):
                site.fail(
                    DTypeError,
                    f"{s.out} is annotated {s.dtype} ({kind_of(s.dtype)}) but its value is "
                    f"{kind_of(t)} ({t}). Fix: cast the value, e.g. {s.dtype}(...), or "
                    f"annotate : {dtype}",
                )
            dtype = s.dtype
        self.tensors[s.out] = TensorInfo(s.out, s.ranks, dtype, False)

    # program-level rules -------------------------------------------------------------
    def _outputs(self) -> None:
        """Rule: outputs are distinct statement outputs, at least one."""
        site = Site("output line", f"output {', '.join(self.p.outputs)}", self.p.loc, self.p.source)
        if not self.p.outputs:
            site.fail(ValidationError, "the program has no outputs. Fix: end with `output NAME`")
        for i, name in enumerate(self.p.outputs):
            if self.p.outputs.index(name) != i:
                site.fail(ValidationError, f"output {name} is listed twice; list it once")
            info = self.tensors.get(name)
            if info is None:
                site.fail(
                    NameResolutionError,
                    f"output {name} is not a statement's output"
                    f"{suggest(name, [s.out for s in self.p.stmts])}",
                )
            if info.is_input:
                ranks = ", ".join(info.ranks)
                site.fail(
                    ValidationError,
                    f"output {name} is an input; outputs must be computed by statements. "
                    f"Fix: copy it, e.g. `Y[{ranks}] = {name}[{ranks}]` and `output Y`",
                )

    def _unused_inputs(self) -> None:
        """Rule: every input is read by some statement (directly or in an index)."""
        read = {t for ts in self.reads.values() for t in ts}
        for d in self.p.inputs:
            if d.name not in read:
                Site.of(d, self.p).fail(
                    UnusedInputError,
                    f"input {d.name} is never read by any statement. Fix: remove it, or "
                    "declare its ranks with `rank NAME = ...` if it was only there to bind them",
                )
