"""Tile classification of a mask: which key tiles a query tile can skip, and which need no mask.

For a query tile ``[p0, p1)`` (query rank ``p``) a mask predicate over ``p`` and the key
rank ``m`` leaves some keys visible. :func:`key_bands` derives, once per program, *bands*:
intervals of keys as IR expressions over ``p0``, ``p1``, params, lets, other ranks' indices
(constant over a tile: batch, head) and tensor reads such as ``KVLEN[b]``:

* keys outside every band ``[lo, hi)`` are masked for every row of the tile — a key tile
  there is *empty* and skipped;
* keys inside a band's ``[full_lo, full_hi)`` are visible for every row — a key tile there
  is *full* and runs without the predicate;
* anything else is *partial*: the predicate is evaluated per element.

A lowering prints the expressions (they are ordinary IR, so ``format_expr`` or a TVMScript /
WGSL / Triton printer works) and clamps them to ``[0, extent)``; bands come sorted by
(clamped) ``lo``, so a loop over them visits key tiles in increasing order, each once. That
is the contract of :class:`attncc.targets.cpu.flash.Band`.

How bands are derived. The predicate is put in disjunctive normal form (after pushing
``not`` into comparisons; at most :data:`MAX_DISJUNCTS` disjuncts, else one partial band).
An atom is an integer comparison; written as ``a·p + c·m + R ≤ 0`` with ``c = ±1`` and ``R``
free of ``p`` and ``m`` it bounds ``m`` by an affine function of ``p``; over the tile's rows
the *may* set (some row sees the key) takes the loosest bound and the *must* set (every row
sees it) the tightest. A conjunction intersects both (exact for *must*, an over-estimate for
*may*); each disjunct is one band, and a union of bands is exact for *may* and an
under-estimate for *must*. Atoms free of ``p`` and ``m`` (``KVLEN[b] > 0``) switch a band on
or off for the whole tile; atoms without ``m`` bound the rows (``p < P_LEN``). Anything else
— data-dependent masks (``SQ[b, p] == SK[b, m]``, tree masks), non-unit key coefficients —
is *unknown*: it leaves the band's keys partial (never full, never skipped).

Causal, offset-causal and windowed masks come out exact; :func:`classify` evaluates the
bands on numbers, which is how the tests check soundness against brute force.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from itertools import product as cartesian

import numpy as np

from attncc.ir.bind import eval_scalar
from attncc.ir.exprs import map_expr
from attncc.ir.exprs import substitute
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Name
from attncc.ir.nodes import Unary
from attncc.ir.nodes import UnaryOp
from attncc.ir.nodes import walk
from attncc.ir.validate import ProgramInfo

__all__ = ["MAX_DISJUNCTS", "Band", "Bands", "classify", "key_bands", "query_rank"]

#: Disjuncts a predicate may expand to before it is treated as partial everywhere.
MAX_DISJUNCTS = 16


@dataclass(frozen=True, slots=True)
class Band:
    """Keys ``[lo, hi)`` may be visible; keys ``[full_lo, full_hi)`` are all visible."""

    lo: Expr
    hi: Expr
    full_lo: Expr
    full_hi: Expr

    def map(self, fn) -> Band:
        return Band(fn(self.lo), fn(self.hi), fn(self.full_lo), fn(self.full_hi))


@dataclass(frozen=True)
class Bands:
    """The key bands of ``predicate`` for tiles of the ``query`` rank (module docstring).

    Expressions use ``p0`` / ``p1`` for the query tile ``[p0, p1)`` and ``extent`` for the
    key rank's extent (names chosen not to clash with the program's). ``affine``: every
    atom of the predicate was understood (affine comparisons of the query and key ranks,
    conditions constant over a tile); ``False`` when some atom is data-dependent (document
    ids, tree masks), whose keys are never full and never skipped for that disjunct, or
    when the predicate was too large to analyse in full (:data:`MAX_DISJUNCTS`).
    """

    query: str | None
    key: str
    bands: tuple[Band, ...]
    affine: bool
    predicate: Expr | None = field(default=None, compare=False)
    p0: str = "p0"
    p1: str = "p1"
    extent: str = "nkeys"

    def substitute(self, mapping: Mapping[str, Expr]) -> Bands:
        """Replace names in every bound (``{"p0": Name("qt") * 64}``, for a lowering)."""
        return replace(
            self, bands=tuple(b.map(lambda e: substitute(e, mapping)) for b in self.bands)
        )

    @property
    def skips_nothing(self) -> bool:
        """One band over every key with no full range: every tile is partial."""
        return len(self.bands) == 1 and self.bands[0] == _everything(self, full=False)


# ----------------------------------------------------------------------------- affine forms


@dataclass(frozen=True)
class _Aff:
    """``cq·query + ck·key + Σ coef·term + const``; terms are free of query and key."""

    cq: int = 0
    ck: int = 0
    terms: tuple[tuple[Expr, int], ...] = ()
    const: int = 0

    def __add__(self, o: _Aff) -> _Aff:
        terms = dict(self.terms)
        for t, c in o.terms:
            terms[t] = terms.get(t, 0) + c
        return _Aff(
            self.cq + o.cq,
            self.ck + o.ck,
            tuple((t, c) for t, c in terms.items() if c),
            self.const + o.const,
        )

    def scale(self, k: int) -> _Aff:
        return _Aff(
            self.cq * k, self.ck * k, tuple((t, c * k) for t, c in self.terms), self.const * k
        )

    @property
    def is_const(self) -> bool:
        return not (self.cq or self.ck or self.terms)


class _Parser:
    """Predicates → DNF over leaves: ``("le", _Aff)``, ``("cond", e)``, ``("unknown", e)``."""

    def __init__(self, query: str | None, key: str, info: ProgramInfo | None):
        self.q, self.k, self.info = query, key, info

    def mentions(self, e: Expr) -> bool:
        return any(isinstance(n, Name) and n.name in (self.q, self.k) for n in walk(e))

    def is_int(self, e: Expr) -> bool:
        if self.info is None:
            return not any(isinstance(n, Const) and isinstance(n.value, float) for n in walk(e))
        return self.info.expr_dtype(e).is_int

    def affine(self, e: Expr) -> _Aff | None:
        if isinstance(e, Const) and isinstance(e.value, int) and not isinstance(e.value, bool):
            return _Aff(const=e.value)
        if isinstance(e, Name) and e.name == self.q:
            return _Aff(cq=1)
        if isinstance(e, Name) and e.name == self.k:
            return _Aff(ck=1)
        if isinstance(e, Unary) and e.op is UnaryOp.NEG:
            a = self.affine(e.operand)
            return None if a is None else a.scale(-1)
        if isinstance(e, Binary) and e.op in (BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL):
            a, b = self.affine(e.lhs), self.affine(e.rhs)
            if a is not None and b is not None:
                if e.op is BinaryOp.ADD:
                    return a + b
                if e.op is BinaryOp.SUB:
                    return a + b.scale(-1)
                if b.is_const:
                    return a.scale(b.const)
                if a.is_const:
                    return b.scale(a.const)
        if self.mentions(e) or not self.is_int(e):
            return None
        return _Aff(terms=((e, 1),))  # an opaque integer, constant over a tile

    def dnf(self, e: Expr, negate: bool = False) -> list[list[tuple]]:
        """Disjuncts (lists of leaves) of ``e`` (or of ``not e``)."""
        if isinstance(e, Unary) and e.op is UnaryOp.NOT:
            return self.dnf(e.operand, not negate)
        if isinstance(e, Const) and isinstance(e.value, bool):
            return [[]] if e.value != negate else []
        if isinstance(e, Binary) and e.op.is_logical:
            a, b = self.dnf(e.lhs, negate), self.dnf(e.rhs, negate)
            if (e.op is BinaryOp.OR) != negate:
                return a + b
            return [x + y for x, y in cartesian(a, b)][: MAX_DISJUNCTS + 1]
        if isinstance(e, Binary) and e.op.is_comparison:
            leaves = self.compare(e, negate)
            if leaves is not None:
                return leaves
        atom = Unary(UnaryOp.NOT, e) if negate else e
        return [[("unknown" if self.mentions(e) else "cond", atom)]]

    def compare(self, e: Binary, negate: bool) -> list[list[tuple]] | None:
        if not (self.is_int(e.lhs) and self.is_int(e.rhs)):
            return None
        a, b = self.affine(e.lhs), self.affine(e.rhs)
        if a is None or b is None:
            return None
        d = a + b.scale(-1)  # lhs - rhs
        one = _Aff(const=1)
        op = e.op
        if negate:
            op = {
                BinaryOp.LT: BinaryOp.GE,
                BinaryOp.LE: BinaryOp.GT,
                BinaryOp.GT: BinaryOp.LE,
                BinaryOp.GE: BinaryOp.LT,
                BinaryOp.EQ: BinaryOp.NE,
                BinaryOp.NE: BinaryOp.EQ,
            }[op]
        le = {  # each comparison as "x ≤ 0" on integers
            BinaryOp.LT: [[d + one]],
            BinaryOp.LE: [[d]],
            BinaryOp.GT: [[d.scale(-1) + one]],
            BinaryOp.GE: [[d.scale(-1)]],
            BinaryOp.EQ: [[d, d.scale(-1)]],
            BinaryOp.NE: [[d + one], [d.scale(-1) + one]],
        }[op]
        return [[("le", x) for x in conj] for conj in le]


# ----------------------------------------------------------------------------- bands


class _Render:
    """Affine bounds over the tile → expressions over ``p0``, ``p1`` and the terms."""

    def __init__(self, bands: Bands):
        self.p0, self.p1, self.ext = Name(bands.p0), Name(bands.p1), Name(bands.extent)

    def at(self, a: _Aff, low_row: bool) -> _Aff:
        """``a`` with the query at the tile's first row (``p0``) or last (``p1 - 1``)."""
        row = _Aff(terms=((self.p0, 1),)) if low_row else _Aff(terms=((self.p1, 1),), const=-1)
        return _Aff(0, a.ck, a.terms, a.const) + row.scale(a.cq)

    def expr(self, a: _Aff) -> Expr:
        """``p0 + OFF - W + 1``: tile bounds first, then added terms, subtracted ones, const."""
        out: Expr | None = None
        rows = (self.p0, self.p1)
        for t, c in sorted(a.terms, key=lambda tc: (tc[0] not in rows, tc[1] < 0)):
            term = t if abs(c) == 1 else Binary(BinaryOp.MUL, Const(abs(c)), t)
            if out is None:
                out = term if c > 0 else Unary(UnaryOp.NEG, term)
            else:
                out = Binary(BinaryOp.ADD if c > 0 else BinaryOp.SUB, out, term)
        if out is None:
            return Const(a.const)
        if a.const:
            out = Binary(BinaryOp.ADD if a.const > 0 else BinaryOp.SUB, out, Const(abs(a.const)))
        return out

    def fold(self, fn: Fn, items: list[_Aff], empty: Expr) -> Expr:
        uniq = list(dict.fromkeys(items))
        consts = [a.const for a in uniq if a.is_const]
        rest = [a for a in uniq if not a.is_const]
        if consts:
            rest.append(_Aff(const=(max if fn is Fn.MAX else min)(consts)))
        if not rest:
            return empty
        out = self.expr(rest[0])
        for a in rest[1:]:
            out = Call(fn, (out, self.expr(a)))
        return out


def _band(r: _Render, leaves: list[tuple]) -> tuple[Band, bool] | None:
    """One disjunct's band and whether it was understood; ``None``: never true."""
    may_lo, may_hi, must_lo, must_hi = [], [], [], []
    may_if, must_if, known = [], [], True
    for kind, x in leaves:
        if kind == "unknown":
            known = False
        elif kind == "cond":
            may_if.append(x)
            must_if.append(x)
        elif x.ck == 1:  # key ≤ -(cq·q + R): an upper bound, loosest at one end of the tile
            bound = _Aff(0, 0, x.terms, x.const).scale(-1) + _Aff(cq=-x.cq) + _Aff(const=1)
            may_hi.append(r.at(bound, low_row=bound.cq < 0))
            must_hi.append(r.at(bound, low_row=bound.cq >= 0))
        elif x.ck == -1:  # key ≥ cq·q + R: a lower bound
            bound = _Aff(x.cq, 0, x.terms, x.const)
            may_lo.append(r.at(bound, low_row=bound.cq >= 0))
            must_lo.append(r.at(bound, low_row=bound.cq < 0))
        elif x.ck == 0:  # rows only: true for some row / for every row of the tile
            if x.is_const:
                if x.const > 0:
                    return None
                continue
            zero = Const(0)
            may_if.append(Binary(BinaryOp.LE, r.expr(r.at(x, low_row=x.cq >= 0)), zero))
            must_if.append(Binary(BinaryOp.LE, r.expr(r.at(x, low_row=x.cq < 0)), zero))
        else:
            known = False  # |coefficient| > 1 on the key: not an interval bound we keep
    lo = r.fold(Fn.MAX, may_lo, Const(0))
    hi = r.fold(Fn.MIN, may_hi, r.ext)
    if known:
        full_lo = r.fold(Fn.MAX, must_lo, Const(0))
        full_hi = r.fold(Fn.MIN, must_hi, r.ext)
    else:
        full_lo = full_hi = Const(0)
    if may_if:
        hi = Call(Fn.SELECT, (_all(may_if), hi, lo))
    if must_if and known:
        full_hi = Call(Fn.SELECT, (_all(must_if), full_hi, full_lo))
    return Band(lo, hi, full_lo, full_hi), known


def _all(conds: list[Expr]) -> Expr:
    out = conds[0]
    for c in conds[1:]:
        out = Binary(BinaryOp.AND, out, c)
    return out


def _everything(bands: Bands, full: bool) -> Band:
    ext = Name(bands.extent)
    return Band(Const(0), ext, Const(0), ext if full else Const(0))


def _no_full(b: Band) -> bool:
    return b.full_lo == b.full_hi


def _merge(bands: list[Band]) -> list[Band]:
    """Bands with one ``lo`` and one ``full_lo`` are one band: ``[lo, max(hi))``."""
    out: list[Band] = []
    for b in bands:
        twin = next((i for i, o in enumerate(out) if (o.lo, o.full_lo) == (b.lo, b.full_lo)), None)
        if twin is None:
            out.append(b)
            continue
        o = out[twin]
        hi = o.hi if o.hi == b.hi else Call(Fn.MAX, (o.hi, b.hi))
        fh = (
            o.full_hi
            if _no_full(b)
            else b.full_hi
            if _no_full(o)
            else Call(Fn.MAX, (o.full_hi, b.full_hi))
        )
        out[twin] = Band(o.lo, hi, o.full_lo, fh)
    return out


def _select(c: Expr, a: Band, b: Band) -> Band:
    return Band(
        *(
            Call(Fn.SELECT, (c, x, y))
            for x, y in zip(
                (a.lo, a.hi, a.full_lo, a.full_hi), (b.lo, b.hi, b.full_lo, b.full_hi), strict=True
            )
        )
    )


def _sorted(bands: list[Band], everything: Band) -> tuple[list[Band], bool]:
    """Bands sorted by ``lo`` (select networks for up to 3 symbolic ones), and whether the
    result is as tight as the input (else a hull band)."""
    first = [b for b in bands if isinstance(b.lo, Const) and b.lo.value <= 0]
    rest = [b for b in bands if b not in first]
    if len(rest) > 3:
        full = next((b for b in bands if not _no_full(b)), None)
        hull = (
            everything
            if full is None
            else replace(everything, full_lo=full.full_lo, full_hi=full.full_hi)
        )
        return [hull], False
    for i in range(len(rest)):  # a compare-exchange network: selection sort
        for j in range(i + 1, len(rest)):
            swap = Binary(BinaryOp.LT, rest[j].lo, rest[i].lo)
            rest[i], rest[j] = _select(swap, rest[j], rest[i]), _select(swap, rest[i], rest[j])
    return first + rest, True


def key_bands(
    predicate: Expr | None,
    query: str | None,
    key: str,
    *,
    info: ProgramInfo | None = None,
    names: tuple[str, str, str] = ("p0", "p1", "nkeys"),
) -> Bands:
    """The key bands of ``predicate`` for query tiles ``[p0, p1)`` (module docstring).

    ``query`` is the rank a tile spans (``None``: no rank varies within a tile); every other
    rank's index is constant over a tile. ``info`` (from :func:`attncc.validate`) types the
    names (a float param is not an offset); without it, every name is taken as an integer.
    ``names`` are the placeholders for the tile bounds and the key extent; with ``info``
    they are renamed (``p0_``...) where they clash with the program's names.

    >>> from attncc.ir.nodes import Name
    >>> p, m, W = Name("p"), Name("m"), Name("W")
    >>> (band,) = key_bands((p >= m) & (p - m < W), "p", "m").bands
    >>> [str(x) for x in (band.lo, band.hi, band.full_lo, band.full_hi)]
    ['p0 - W + 1', 'p1', 'p1 - W', 'p0 + 1']
    """
    if info is not None:
        taken = {*info.ranks, *info.scalars, *info.tensors}
        names = tuple(_fresh(n, taken) for n in names)  # type: ignore[assignment]
    base = Bands(query, key, (), True, predicate, *names)
    if predicate is None:
        return replace(base, bands=(_everything(base, full=True),))
    parser = _Parser(query, key, info)
    disjuncts = parser.dnf(predicate)
    if len(disjuncts) > MAX_DISJUNCTS:
        return replace(base, bands=(_everything(base, full=False),), affine=False)
    render = _Render(base)
    bands, affine = [], True
    for leaves in disjuncts:
        got = _band(render, leaves)
        if got is not None:
            bands.append(got[0])
            affine &= got[1]
    if not bands:
        zero = Const(0)
        return replace(base, bands=(Band(zero, zero, zero, zero),), affine=affine)
    everything = _everything(base, full=False)
    if _everything(base, full=True) in bands:
        return replace(base, bands=(_everything(base, full=True),), affine=affine)
    if everything in bands:  # every key partial: keep one full range, if any
        fulls = _merge([b for b in bands if not _no_full(b)])
        if fulls:
            everything = replace(everything, full_lo=fulls[0].full_lo, full_hi=fulls[0].full_hi)
        return replace(base, bands=(everything,), affine=affine)
    ordered, tight = _sorted(_merge(bands), everything)
    return replace(base, bands=tuple(ordered), affine=affine and tight)


def _fresh(name: str, taken: set[str]) -> str:
    while name in taken:
        name += "_"
    return name


def query_rank(predicate: Expr | None, rows: Iterable[str], key: str) -> str | None:
    """The row rank the predicate compares with the key affinely (``p`` in ``p >= m``)."""
    for r in rows:
        parser = _Parser(r, key, None)
        for leaves in [] if predicate is None else parser.dnf(predicate):
            if any(kind == "le" and x.cq and x.ck for kind, x in leaves):
                return r
    return None


# ----------------------------------------------------------------------------- numbers


def _value(e: Expr, env: Mapping[str, object]) -> int:
    def load(node: Expr) -> Expr | None:
        if isinstance(node, Access):
            idx = tuple(int(eval_scalar(i, env)) for i in node.indices)
            return Const(int(np.asarray(env[node.tensor])[idx]))
        return None

    return int(eval_scalar(map_expr(e, load), env))


def classify(bands: Bands, p0: int, p1: int, m0: int, m1: int, env: Mapping[str, object]) -> str:
    """``"empty"``, ``"full"`` or ``"partial"``: key tile ``[m0, m1)`` for query tile ``[p0, p1)``.

    ``env`` gives the key extent (by :attr:`Bands.extent`), params, lets, the indices of the
    other ranks and the tensors the bounds read (arrays).
    """
    env = {**env, bands.p0: p0, bands.p1: p1}
    ext = int(env[bands.extent])  # type: ignore[arg-type]
    m0, m1 = max(m0, 0), min(m1, ext)
    if m0 >= m1 or p0 >= p1:
        return "empty"
    spans = [tuple(_value(x, env) for x in (b.lo, b.hi, b.full_lo, b.full_hi)) for b in bands.bands]
    if all(max(lo, m0) >= min(hi, m1) for lo, hi, _, _ in spans):
        return "empty"
    if any(fl <= m0 and m1 <= fh for _, _, fl, fh in spans):
        return "full"
    return "partial"
