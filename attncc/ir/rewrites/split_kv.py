"""Split-KV: a matched softmax attention → partial states over key chunks + their merge.

The keys ``0 .. M-1`` of the match are cut into ``chunks`` chunks of ``KCH = ceil(M /
chunks)`` keys: key ``c * KCH + n`` for chunk ``c`` and slot ``n``, present when it is
``< M`` (the last chunk may be ragged, later ones empty). Each chunk keeps a softmax state;
the states merge with the algebra of FlashInfer's ``merge_state`` (``attncc.variants`` uses
it for its split-KV program)::

    # softmax over k = merge over c of softmax over n:   k = c * KCH + n
    MXC[R, c] = max(n) X'                  LC[R, c] = sum(n) exp(X' - MXC)
    OC[R, c, F] = sum(n) exp(X' - MXC) * V' / LC
    LSEC = MXC + log(LC);  LM = max(c) LSEC;  W = exp(LSEC - LM);  WS = sum(c) W
    O[R, F] = sum(c) W * OC / WS           LSE = LM + log(WS)

An absent state (a chunk with no visible key) is skipped by the merge's reductions, so a
row with no visible key at all is absent, as before. The result is a plain program: every
reduction is a statement, so it validates, interprets and lowers like any other. The
variants' own ``merge_states`` block is not reused: it fixes tensor names (``W``, ``LM``,
``O``) that a program being rewritten may already use (``param W`` of a sliding window).
"""

from __future__ import annotations

from dataclasses import replace

from attncc.errors import ArgumentError
from attncc.ir.builder import exp
from attncc.ir.builder import log
from attncc.ir.exprs import conjoin
from attncc.ir.exprs import conjuncts
from attncc.ir.exprs import free_ranks
from attncc.ir.exprs import fresh
from attncc.ir.exprs import identity
from attncc.ir.exprs import map_expr
from attncc.ir.exprs import program_names
from attncc.ir.exprs import substitute
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Const
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Let
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.ir.nodes import RankDecl
from attncc.ir.nodes import ReduceOp
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import accesses_in
from attncc.ir.rewrites.online import AttentionMatch
from attncc.ir.validate import validate

__all__ = ["split_kv"]


def split_kv(program: Program, match: AttentionMatch, chunks: int) -> Program:
    """``program`` with ``match`` computed as ``chunks`` partial states and a merge.

    Every tensor the match produces keeps its name (output and extras); the statements it
    replaces are removed; new names are fresh. The key extent may stay symbolic.

    >>> from attncc import variants
    >>> from attncc.ir.rewrites import match_attention
    >>> p = variants.gqa()
    >>> q = split_kv(p, match_attention(p)[0], 4)
    >>> [s.out for s in q.stmts]
    ['SC', 'MXC', 'EC', 'LC', 'OC', 'LSEC', 'LM', 'WC', 'WS', 'O']
    >>> print(q.stmt("SC").value, "where", q.stmt("SC").where)
    Q[b, h, p, e] * K[b, h / G, c * KCH + n, e] * scale where c * KCH + n < KLEN
    """
    if isinstance(chunks, bool) or not isinstance(chunks, int) or chunks < 1:
        raise ArgumentError(f"chunks must be a positive integer, got {chunks!r}")
    if match.program != program:
        raise ArgumentError(
            f"the match was found in program {match.program.name}, not in {program.name}; "
            "match the program being rewritten (match_attention(program))"
        )
    b = _Builder(program, match, chunks)
    b.chunk_states()
    b.merge()
    stmts = [s for s in program.stmts if s.out not in match.stmts]
    anchor = next(i for i, s in enumerate(program.stmts) if s.out == match.output)
    out = replace(
        program,
        decls=program.decls + tuple(b.decls),
        stmts=_dataflow_order(stmts, b.stmts, program, anchor),
        source=None,
    )
    validate(out)
    return out


class _Builder:
    """Fresh names and the new statements, in the order they are written."""

    def __init__(self, program: Program, match: AttentionMatch, chunks: int):
        self.p, self.m = program, match
        self.taken = program_names(program)
        key = match.key
        self.klen = fresh("KLEN", self.taken)
        self.kch = fresh("KCH", self.taken)
        self.c = fresh("c", self.taken)
        self.n = fresh("n", self.taken)
        self.decls = [
            Let(self.klen, Name(key)),
            Let(self.kch, (Name(key) + (chunks - 1)) / chunks),
            RankDecl(self.c, Const(chunks)),
            RankDecl(self.n, Name(self.kch)),
        ]
        self.index = Name(self.c) * Name(self.kch) + Name(self.n)
        self.guard = self.index < Name(self.klen)
        self.rows_c = (*match.rows, self.c)
        self.all_ranks = {*validate(program).ranks, self.c, self.n}
        self.renamed: dict[Access, Access] = {}
        self.stmts: list[Stmt] = []

    def name(self, base: str) -> str:
        return fresh(base, self.taken)

    def emit(self, out: str, ranks, value: Expr, **kw) -> Access:
        self.stmts.append(Stmt(out, tuple(ranks), value, **kw))
        return identity(out, ranks)

    def keyed(self, e: Expr | None) -> Expr | None:
        """``e`` with key ``k`` read as ``c * KCH + n`` (contractions renamed first)."""
        if e is None:
            return None
        renamed = map_expr(
            e, lambda node: self.renamed.get(node) if isinstance(node, Access) else None
        )
        return substitute(renamed, {self.m.key: self.index})

    def split_ranks(self, ranks) -> tuple[str, ...]:
        out: list[str] = []
        for r in ranks:
            out += [self.c, self.n] if r == self.m.key else [r]
        return tuple(out)

    def guarded(self, space: set[str]) -> Expr | None:
        """The bounds guard and the predicate's conjuncts that live in ``space``."""
        guard = self.guard if {self.c, self.n} <= space else None
        pred = conjuncts(self.keyed(self.m.predicate))
        return conjoin([guard, *(c for c in pred if free_ranks(c, self.all_ranks) <= space)])

    def chunk_states(self) -> None:
        m = self.m
        logits: Access | None = None
        for ct in m.contractions:
            ranks = self.split_ranks(ct.out_ranks)
            space = {*ranks, *ct.over}
            factors = [substitute(f, {m.key: self.index}) for f in ct.factors]
            value = factors[0]
            for f in factors[1:]:
                value = Binary(BinaryOp.MUL, value, f)
            where = conjoin(
                [
                    self.guarded(space),
                    substitute(ct.where, {m.key: self.index}) if ct.where else None,
                ]
            )
            name = self.name(f"{ct.name}C")
            acc = self.emit(name, ranks, value, reduce=ReduceOp.SUM, over=ct.over, where=where)
            self.renamed[identity(ct.name, ct.out_ranks)] = acc
            if identity(ct.name, ct.out_ranks) == m.score and ranks == (*self.rows_c, self.n):
                logits = acc
        rk = (*self.rows_c, self.n)
        if logits is None:  # a score modification: a map over the contractions
            logits = self.emit(
                self.name("XC"), rk, self.keyed(m.score), where=self.guarded(set(rk))
            )
        self.mxc = self.emit(
            self.name(f"{m.max}C"), self.rows_c, logits, reduce=ReduceOp.MAX, over=(self.n,)
        )
        ec = self.emit(self.name("EC"), rk, exp(logits - self.mxc))
        self.lc = self.emit(
            self.name(f"{m.sum}C"), self.rows_c, ec, reduce=ReduceOp.SUM, over=(self.n,)
        )
        vr = m.value_ranks
        oranks = (*self.rows_c, *vr)
        weighted = ec * self.keyed(m.value)
        if m.normalized:
            weighted = weighted / self.lc
        space = {*oranks, self.n}
        self.oc = self.emit(
            self.name(f"{m.output}C"),
            oranks,
            weighted,
            reduce=ReduceOp.SUM,
            over=(self.n,),
            where=self.guarded(space),
        )

    def merge(self) -> None:
        m, c, rows = self.m, self.c, self.m.rows
        kinds = {x.kind: x.name for x in m.extras}
        dtype = self.p.stmt(m.output).dtype
        if m.normalized:
            # merge_state: LM = max(c) LSEC, W = exp(LSEC - LM), O = sum(c) W * OC / sum(c) W
            lsec = self.emit(self.name("LSEC"), self.rows_c, self.mxc + log(self.lc))
            lm = self.emit(self.name("LM"), rows, lsec, reduce=ReduceOp.MAX, over=(c,))
            w = self.emit(self.name("WC"), self.rows_c, exp(lsec - lm))
            ws = self.emit(self.name("WS"), rows, w, reduce=ReduceOp.SUM, over=(c,))
            self.emit(
                m.output, m.out_ranks, w * self.oc / ws, reduce=ReduceOp.SUM, over=(c,), dtype=dtype
            )
            if "lse" in kinds:
                self.emit(kinds["lse"], rows, lm + log(ws))
        gmax = None
        if not m.normalized or "max" in kinds or "sum" in kinds:
            gmax = self.emit(
                kinds.get("max") or self.name(f"{m.max}G"),
                rows,
                self.mxc,
                reduce=ReduceOp.MAX,
                over=(c,),
            )
        if not m.normalized:
            # unnormalised: N = sum(c) exp(MXC - MX) * NC, relative to the global max
            self.emit(
                m.output,
                m.out_ranks,
                exp(self.mxc - gmax) * self.oc,
                reduce=ReduceOp.SUM,
                over=(c,),
                dtype=dtype,
            )
        if "sum" in kinds or (not m.normalized and "lse" in kinds):
            total = self.emit(
                kinds.get("sum") or self.name(f"{m.sum}G"),
                rows,
                self.lc * exp(self.mxc - gmax),
                reduce=ReduceOp.SUM,
                over=(c,),
            )
            if not m.normalized and "lse" in kinds:
                self.emit(kinds["lse"], rows, gmax + log(total))


def _dataflow_order(
    kept: list[Stmt], new: list[Stmt], program: Program, anchor: int
) -> tuple[Stmt, ...]:
    """``kept`` and ``new`` statements in a valid order: each after what it reads, ties broken
    by the original position (the new block sits where the match's output was)."""
    names = {s.out for s in kept}
    key = {s.out: (i, 0) for i, s in enumerate(program.stmts) if s.out in names}
    key.update({s.out: (anchor, j + 1) for j, s in enumerate(new)})
    todo = {s.out: s for s in [*kept, *new]}
    deps = {
        name: {
            a.tensor
            for e in (s.value, s.where)
            if e is not None
            for a in accesses_in(e)
            if a.tensor in todo
        }
        for name, s in todo.items()
    }
    order: list[Stmt] = []
    done: set[str] = set()
    while todo:
        ready = [n for n in todo if deps[n] <= done]
        assert ready, "the rewritten program has a cycle"
        nxt = min(ready, key=key.__getitem__)
        order.append(todo.pop(nxt))
        done.add(nxt)
    return tuple(order)
