"""Analysis of a cascade: its dataflow DAG, FuseMax-style pass counts, and a report.

Analysis runs after :func:`~attncc.ir.validate.validate` and never changes the program. It
is a flat list of named analyses (:data:`ANALYSES`), each a function of the program and the
results before it, so that a driver can stop after any of them and show what it found.

Passes
------
A *pass* over a rank ``r`` is one traversal of the fibers of ``r`` (FuseMax, Nayak et al.,
MICRO 2024, §III: "a read of a fiber after a full reduction over it forces a new pass").
Statements are placed into passes over ``r`` in dataflow order:

* a statement *iterates* ``r`` when ``r`` is in its iteration space (left side or reduction);
* ``done(t)`` is the pass after which tensor ``t`` is final: ``0`` for inputs (available
  before any pass), ``pass(t)`` for a statement that iterates ``r``, and for one that does
  not, the largest ``done`` of the tensors it reads;
* a statement ``s`` that iterates ``r`` runs in pass ``max(1, need(t) for each t it reads)``,
  where ``need(t) = pass(t)`` when ``t`` iterates ``r``, keeps ``r`` on its left and every
  read of ``t`` in ``s`` indexes that dimension with ``r`` itself (the same ``r``-point,
  streamed in the same traversal), and ``need(t) = done(t) + 1`` otherwise -- in particular
  when ``t`` reduced ``r`` (its value exists only after a full traversal of the fiber) or
  depends on such a reduction through statements without ``r``;
* the number of passes over ``r`` is the largest pass of a statement iterating ``r``.
  :func:`count_passes` reports it for every rank some statement reduces.

Worked example: the plain softmax cascade (``S = sum(e) Q*K; MX = max(m) S;
E = exp(S - MX); L = sum(m) E; O = sum(m) E*V / L``) over ``m``: ``S`` and ``MX`` stream in
pass 1; ``E`` reads ``MX``, a full reduction over ``m`` finished in pass 1, so it runs in pass
2, and ``L`` streams ``E`` in pass 2; ``O`` reads ``L`` (done in pass 2), so pass 3: three
passes over ``m``. Over ``e`` only ``S`` iterates: one pass. Deferring the division
(``N = sum(m) E*V`` in pass 2 and ``O = N / L`` outside ``m``) gives 2 passes; sigmoid or
linear attention, or a softmax whose exponent uses a known bound instead of the row max,
reduce ``m`` once and are read outside ``m`` only: 1 pass.

The count is a property of the cascade, not of a schedule: a kernel that keeps the whole
fiber on chip still revisits it (or recomputes it) once per pass. Ranks are compared by name,
so a prefix reduction written with a second rank (``max(n) X[p, n] where n <= m``) counts as
a read of a finished fiber; a read of ``t`` at another point of ``r`` (``E[p, m - 1]``,
``E[p, n]``) conservatively needs ``t`` final, i.e. a new pass.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from attncc.errors import CycleError
from attncc.errors import NameResolutionError
from attncc.ir.nodes import Access
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import children
from attncc.ir.printer import format_decl
from attncc.ir.printer import format_expr
from attncc.ir.printer import format_stmt
from attncc.ir.validate import validate

__all__ = [
    "ANALYSES",
    "Analysis",
    "EdgeRow",
    "RankRow",
    "Report",
    "StmtRow",
    "TensorRow",
    "Use",
    "analyse",
    "count_passes",
    "dataflow_graph",
    "format_report",
    "pass_schedule",
    "reduced_ranks",
    "render_report",
    "report",
    "stmt_uses",
    "topological_order",
]

# How a statement reads a tensor (``Use.access``).
DIRECT, INDIRECT, INDEX = "direct", "indirect", "index"


# ----------------------------------------------------------------------------- dataflow


@dataclass(frozen=True, slots=True)
class Use:
    """One read of a tensor by a statement.

    ``role``: ``"value"`` or ``"filter"`` (the ``where`` predicate). ``access``: ``"direct"``
    (indices over ranks, lets and params only), ``"indirect"`` (an index reads a tensor, as
    ``KC`` in ``KC[PT[b, m / P], m % P, g, e]``) or ``"index"`` (the read is itself inside
    another read's index, as ``PT`` there).
    """

    access_node: Access
    role: str
    access: str

    @property
    def tensor(self) -> str:
        return self.access_node.tensor

    @property
    def text(self) -> str:
        return format_expr(self.access_node)

    @property
    def indices(self) -> tuple[str, ...]:
        return tuple(format_expr(i) for i in self.access_node.indices)


def _uses_in(expr: Expr, role: str, in_index: bool = False) -> Iterator[Use]:
    if isinstance(expr, Access):
        inner = [u for i in expr.indices for u in _uses_in(i, role, in_index=True)]
        kind = INDEX if in_index else INDIRECT if inner else DIRECT
        yield Use(expr, role, kind)
        yield from inner
        return
    for child in children(expr):
        yield from _uses_in(child, role, in_index)


def stmt_uses(stmt: Stmt) -> tuple[Use, ...]:
    """Every tensor read of ``stmt``: its value's, then its filter's, outer reads first."""
    uses = list(_uses_in(stmt.value, "value"))
    if stmt.where is not None:
        uses += _uses_in(stmt.where, "filter")
    return tuple(uses)


def dataflow_graph(program: Program) -> nx.DiGraph:
    """The cascade as a DAG: a node per input and per statement, an edge per tensor read.

    Node attributes: ``kind`` (``"input"`` / ``"stmt"``), ``ranks`` (left side or input
    dimensions), ``reduce`` (a :class:`~attncc.ir.nodes.ReduceOp` or ``None``), ``over``
    (reduced ranks), ``space`` (iteration space), ``is_output``, ``text`` (the printed
    line), ``stmt`` (the :class:`Stmt`, ``None`` for inputs) and ``order`` (its position).
    Edge ``t -> s`` attributes: ``uses`` (every :class:`Use` of ``t`` in ``s``), ``roles``
    (``{"value", "filter"}`` subset) and ``access`` (subset of ``direct / indirect / index``).
    """
    g = nx.DiGraph(name=program.name)
    outputs = set(program.outputs)
    for i, d in enumerate(program.inputs):
        g.add_node(
            d.name,
            kind="input",
            ranks=d.ranks,
            reduce=None,
            over=(),
            space=d.ranks,
            is_output=d.name in outputs,
            text=format_decl(d),
            stmt=None,
            order=i,
        )
    for i, s in enumerate(program.stmts):
        g.add_node(
            s.out,
            kind="stmt",
            ranks=s.ranks,
            reduce=s.reduce,
            over=s.over,
            space=s.space,
            is_output=s.out in outputs,
            text=format_stmt(s),
            stmt=s,
            order=i,
        )
        for use in stmt_uses(s):
            if use.tensor not in g:
                raise NameResolutionError(
                    f"{s.out} reads {use.tensor}, which is neither an input nor an earlier "
                    "statement. Fix: validate the program before analysing it",
                    loc=use.access_node.loc or s.loc,
                    source=program.source,
                )
            if g.has_edge(use.tensor, s.out):
                g.edges[use.tensor, s.out]["uses"] += (use,)
            else:
                g.add_edge(use.tensor, s.out, uses=(use,))
    for _, _, attrs in g.edges(data=True):
        attrs["roles"] = frozenset(u.role for u in attrs["uses"])
        attrs["access"] = frozenset(u.access for u in attrs["uses"])
    return g


def topological_order(graph: nx.DiGraph) -> tuple[str, ...]:
    """Inputs and statements in dataflow order, ties broken by program order."""
    try:
        return tuple(nx.lexicographical_topological_sort(graph, key=_order_key(graph)))
    except nx.NetworkXUnfeasible:
        edges = nx.find_cycle(graph)
        cycle = " -> ".join([u for u, _ in edges] + [edges[0][0]])
        raise CycleError(f"statements depend on each other in a cycle: {cycle}") from None


def _order_key(graph: nx.DiGraph) -> Callable[[str], tuple[int, int]]:
    return lambda n: (graph.nodes[n]["kind"] == "stmt", graph.nodes[n]["order"])


# ----------------------------------------------------------------------------- passes


def reduced_ranks(program: Program) -> tuple[str, ...]:
    """Every rank some statement reduces, in order of first reduction."""
    return tuple(dict.fromkeys(r for s in program.stmts for r in s.over))


def _streams(graph: nx.DiGraph, t: str, s: str, rank: str) -> bool:
    """Does ``s`` read ``t`` only at its own ``rank``-point (``t[..., rank, ...]``)?"""
    ranks = graph.nodes[t]["ranks"]
    if graph.nodes[t]["kind"] != "stmt" or rank not in ranks:
        return False
    pos = ranks.index(rank)
    return all(u.access_node.indices[pos] == Name(rank) for u in graph.edges[t, s]["uses"])


def _passes_over(graph: nx.DiGraph, order: tuple[str, ...], rank: str) -> dict[str, int]:
    done: dict[str, int] = {}  # tensor -> the pass after which its value is final
    passes: dict[str, int] = {}  # statement iterating `rank` -> its pass
    for n in order:
        node = graph.nodes[n]
        if node["kind"] == "input":
            done[n] = 0
            continue
        iterates = rank in node["space"]
        need = 1 if iterates else 0
        for t in graph.predecessors(n):
            if not iterates:
                need = max(need, done[t])
            elif _streams(graph, t, n, rank):
                need = max(need, passes[t])  # same point, same traversal
            else:
                need = max(need, done[t] + 1)  # reads a finished fiber: a new traversal
        if iterates:
            passes[n] = need
        done[n] = need
    return passes


def pass_schedule(program: Program, graph: nx.DiGraph | None = None) -> dict[str, dict[str, int]]:
    """For each reduced rank, the pass of every statement that iterates it (module docs)."""
    graph = dataflow_graph(program) if graph is None else graph
    order = topological_order(graph)
    return {r: _passes_over(graph, order, r) for r in reduced_ranks(program)}


def count_passes(program: Program, graph: nx.DiGraph | None = None) -> dict[str, int]:
    """The number of passes over each reduced rank (see the module docstring).

    >>> from attncc.ir.builder import ProgramBuilder, exp
    >>> pb = ProgramBuilder("softmax_3pass")
    >>> Q, K, V = pb.input("Q", "p e"), pb.input("K", "m e"), pb.input("V", "m f")
    >>> p, m, e, f = pb.ranks("p m e f")
    >>> S = pb.sum("S", "p m", Q[p, e] * K[m, e], over="e")
    >>> MX = pb.max("MX", "p", S[p, m], over="m")
    >>> E = pb.stmt("E", "p m", exp(S[p, m] - MX[p]))
    >>> L = pb.sum("L", "p", E[p, m], over="m")
    >>> O = pb.sum("O", "p f", E[p, m] * V[m, f] / L[p], over="m")
    >>> pb.output(O)
    >>> count_passes(pb.build())
    {'e': 1, 'm': 3}
    """
    schedule = pass_schedule(program, graph)
    return {r: max(stmts.values(), default=0) for r, stmts in schedule.items()}


# ----------------------------------------------------------------------------- analyses


@dataclass(frozen=True, slots=True)
class Analysis:
    """A named analysis: ``run(program, results so far) -> its result``."""

    name: str
    doc: str
    run: Callable[[Program, Mapping[str, Any]], Any]


def _validate(program: Program, _: Mapping[str, Any]) -> Any:
    return validate(program)


def _elementwise(program: Program, r: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    g = r["dataflow"]
    return {s.out: tuple(g.successors(s.out)) for s in program.stmts if s.reduce is None}


ANALYSES: tuple[Analysis, ...] = (
    Analysis("validate", "check the program, infer ranks and dtypes", _validate),
    Analysis("dataflow", "the cascade as a DAG", lambda p, r: dataflow_graph(p)),
    Analysis("order", "dataflow order", lambda p, r: topological_order(r["dataflow"])),
    Analysis(
        "passes",
        "pass of each statement per reduced rank",
        lambda p, r: pass_schedule(p, r["dataflow"]),
    ),
    Analysis("elementwise", "maps (no reduction) and the statements reading them", _elementwise),
)


def analyse(program: Program, *, upto: str | None = None) -> dict[str, Any]:
    """Run :data:`ANALYSES` in order (up to and including ``upto``); results by name."""
    names = [a.name for a in ANALYSES]
    if upto is not None and upto not in names:
        raise ValueError(f"unknown analysis {upto!r}; the analyses are {', '.join(names)}")
    results: dict[str, Any] = {}
    for a in ANALYSES:
        results[a.name] = a.run(program, results)
        if a.name == upto:
            break
    return results


# ----------------------------------------------------------------------------- report


@dataclass(frozen=True, slots=True)
class RankRow:
    name: str
    bound_by: str  # "Q dim 2, K dim 2" or "rank c = (m + 63) / 64"


@dataclass(frozen=True, slots=True)
class TensorRow:
    name: str
    ranks: tuple[str, ...]
    dtype: str
    role: str  # input / intermediate / output


@dataclass(frozen=True, slots=True)
class StmtRow:
    name: str
    text: str
    kind: str  # "map" or "sum(e)", "max(m)", ...
    space: tuple[str, ...]
    passes: tuple[tuple[str, int], ...]  # (reduced rank, pass) for each one it iterates


@dataclass(frozen=True, slots=True)
class EdgeRow:
    src: str
    dst: str
    reads: tuple[str, ...]  # printed accesses
    roles: tuple[str, ...]
    access: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    """Everything ``attncc check`` shows about a program."""

    program: str
    doc: str
    ranks: tuple[RankRow, ...]
    tensors: tuple[TensorRow, ...]
    stmts: tuple[StmtRow, ...]
    edges: tuple[EdgeRow, ...]
    order: tuple[str, ...]
    passes: dict[str, int]
    schedule: dict[str, dict[str, int]]
    elementwise: dict[str, tuple[str, ...]]  # map statement -> its readers
    outputs: tuple[str, ...]

    @property
    def inlinable(self) -> tuple[str, ...]:
        """Maps that are read by other statements and are not outputs."""
        return tuple(n for n, rd in self.elementwise.items() if rd and n not in self.outputs)


def report(program: Program) -> Report:
    """Validate and analyse ``program``; raise the first error it has."""
    r = analyse(program)
    info, g, schedule = r["validate"], r["dataflow"], r["passes"]
    decls = {d.name: d for d in program.rank_decls}
    ranks = []
    for name in info.ranks:
        sources = info.rank_sources.get(name, ())
        bound = ", ".join(f"{t} dim {i}" for t, i in sources)
        if name in decls:
            bound = format_decl(decls[name]) + (f"; {bound}" if bound else "")
        ranks.append(RankRow(name, bound or "-"))
    tensors = []
    for t in info.tensors.values():
        role = "input" if t.is_input else "output" if t.name in program.outputs else "intermediate"
        tensors.append(TensorRow(t.name, t.ranks, str(t.dtype), role))
    stmts = []
    for s in program.stmts:
        kind = "map" if s.reduce is None else f"{s.reduce.value}({', '.join(s.over)})"
        passes = tuple((rk, sch[s.out]) for rk, sch in schedule.items() if s.out in sch)
        stmts.append(StmtRow(s.out, format_stmt(s), kind, s.space, passes))
    pos = {n: i for i, n in enumerate(r["order"])}
    edges = tuple(
        EdgeRow(
            u,
            v,
            tuple(dict.fromkeys(x.text for x in a["uses"])),
            tuple(sorted(a["roles"], reverse=True)),
            tuple(sorted(a["access"])),
        )
        for u, v, a in sorted(g.edges(data=True), key=lambda e: (pos[e[1]], pos[e[0]]))
    )
    return Report(
        program=program.name,
        doc=program.doc,
        ranks=tuple(ranks),
        tensors=tuple(tensors),
        stmts=tuple(stmts),
        edges=edges,
        order=r["order"],
        passes={rk: max(sch.values(), default=0) for rk, sch in schedule.items()},
        schedule=schedule,
        elementwise=r["elementwise"],
        outputs=program.outputs,
    )


def _pass_lines(rep: Report) -> list[str]:
    lines = []
    for rank, n in rep.passes.items():
        groups: dict[int, list[str]] = {}
        for stmt, k in rep.schedule[rank].items():
            groups.setdefault(k, []).append(stmt)
        detail = "; ".join(f"pass {k}: {', '.join(groups[k])}" for k in sorted(groups))
        lines.append(f"{rank}: {n} pass{'es' if n != 1 else ''}  ({detail})")
    return lines


def render_report(rep: Report) -> Any:
    """The report as rich tables (a ``rich.console.Group``)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    def table(title: str, *columns: str) -> Table:
        t = Table(title=title, title_justify="left", title_style="bold", show_edge=False)
        for c in columns:
            t.add_column(c, overflow="fold")
        return t

    def row(t: Table, *cells: str) -> None:
        t.add_row(*(Text(c) for c in cells))  # Text: brackets in `K[b, m]` are not markup

    parts: list[Any] = [Text(f"program {rep.program}", style="bold cyan")]
    if rep.doc:
        parts.append(Text(rep.doc.splitlines()[0], style="dim"))
    ranks = table("ranks", "rank", "bound by")
    for rk in rep.ranks:
        row(ranks, rk.name, rk.bound_by)
    tensors = table("tensors", "tensor", "ranks", "dtype", "role")
    for t in rep.tensors:
        row(tensors, t.name, f"[{', '.join(t.ranks)}]", t.dtype, t.role)
    stmts = table("statements", "#", "statement", "kind", "iteration space", "pass")
    for i, s in enumerate(rep.stmts):
        passes = " ".join(f"{rk}:{k}" for rk, k in s.passes) or "-"
        row(stmts, str(i), s.text, s.kind, " ".join(s.space), passes)
    edges = table("dataflow", "from", "to", "reads", "in", "access")
    for e in rep.edges:
        row(edges, e.src, e.dst, ", ".join(e.reads), "/".join(e.roles), "/".join(e.access))
    parts += [ranks, tensors, stmts, edges, Text("order: " + " -> ".join(rep.order))]
    parts.append(Text("passes", style="bold"))
    parts += [Text("  " + line) for line in _pass_lines(rep)] or [Text("  no reductions")]
    maps = [f"{n} (read by {', '.join(rd) or 'none'})" for n, rd in rep.elementwise.items()]
    parts.append(Text("elementwise: " + ("; ".join(maps) if maps else "none")))
    if rep.inlinable:
        parts.append(Text(f"inlinable into their readers: {', '.join(rep.inlinable)}"))
    return Group(*parts)


def format_report(rep: Report, width: int = 110) -> str:
    """The report as plain text (the same layout as :func:`render_report`)."""
    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, color_system=None, record=True)
    console.print(render_report(rep))
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"
