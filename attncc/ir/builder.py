"""The Python front door to the IR: builds exactly the nodes the parser builds.

>>> from attncc.ir.builder import ProgramBuilder, exp
>>> pb = ProgramBuilder("softmax_rows")
>>> X = pb.input("X", "p m")
>>> p, m = pb.ranks("p m")
>>> MX = pb.max("MX", [p], X[p, m], over=[m])
>>> E = pb.stmt("E", [p, m], exp(X[p, m] - MX[p]))
>>> L = pb.sum("L", [p], E[p, m], over=[m])
>>> Y = pb.stmt("Y", [p, m], E[p, m] / L[p])
>>> pb.output(Y)
>>> print(pb.build().text.splitlines()[4])
E[p, m] = exp(X[p, m] - MX[p])
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

from attncc.ir.nodes import Access
from attncc.ir.nodes import Call
from attncc.ir.nodes import Decl
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import ExprLike
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Input
from attncc.ir.nodes import Let
from attncc.ir.nodes import Name
from attncc.ir.nodes import Param
from attncc.ir.nodes import Program
from attncc.ir.nodes import RankDecl
from attncc.ir.nodes import ReduceOp
from attncc.ir.nodes import Scalar
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import as_expr

RankList = str | Sequence["str | Name"]


def _rank_names(ranks: RankList) -> tuple[str, ...]:
    if isinstance(ranks, str):
        return tuple(ranks.replace(",", " ").split())
    names = []
    for r in ranks:
        if isinstance(r, Name):
            names.append(r.name)
        elif isinstance(r, str):
            names.append(r)
        else:
            raise TypeError(f"a rank is a name or a Name node, got {r!r}")
    return tuple(names)


def _dtype(dtype: str | DType) -> DType:
    return dtype if isinstance(dtype, DType) else DType(dtype)


@dataclass(frozen=True, slots=True)
class TensorRef:
    """A declared tensor; index it to get an :class:`Access` (``K[b, h / G, m, e]``)."""

    name: str

    def __getitem__(self, index: ExprLike | tuple[ExprLike, ...]) -> Access:
        items = index if isinstance(index, tuple) else (index,)
        return Access(self.name, tuple(as_expr(i) for i in items))


class ProgramBuilder:
    """Accumulates declarations and statements in order; :meth:`build` returns the Program."""

    def __init__(self, name: str, doc: str = ""):
        self.name = name
        self.doc = doc
        self._decls: list[Decl] = []
        self._stmts: list[Stmt] = []
        self._outputs: list[str] = []

    # declarations -----------------------------------------------------------------
    def input(self, name: str, ranks: RankList, dtype: str | DType = DType.F32) -> TensorRef:
        self._decls.append(Input(name, _rank_names(ranks), _dtype(dtype)))
        return TensorRef(name)

    def param(
        self, name: str, dtype: str | DType = DType.F32, default: Scalar | None = None
    ) -> Name:
        self._decls.append(Param(name, _dtype(dtype), default))
        return Name(name)

    def let(self, name: str, value: ExprLike) -> Name:
        self._decls.append(Let(name, as_expr(value)))
        return Name(name)

    def rank(self, name: str, extent: ExprLike | None = None) -> Name:
        """A rank's name; with ``extent``, also declares a rank that no input binds."""
        if extent is not None:
            self._decls.append(RankDecl(name, as_expr(extent)))
        return Name(name)

    def ranks(self, names: str) -> tuple[Name, ...]:
        return tuple(Name(n) for n in _rank_names(names))

    # statements -------------------------------------------------------------------
    def stmt(
        self,
        name: str,
        ranks: RankList,
        value: ExprLike,
        *,
        reduce: str | ReduceOp | None = None,
        over: RankList = (),
        where: ExprLike | None = None,
        dtype: str | DType | None = None,
    ) -> TensorRef:
        op = None if reduce is None else ReduceOp(reduce) if isinstance(reduce, str) else reduce
        self._stmts.append(
            Stmt(
                name,
                _rank_names(ranks),
                as_expr(value),
                op,
                _rank_names(over),
                None if where is None else as_expr(where),
                None if dtype is None else _dtype(dtype),
            )
        )
        return TensorRef(name)

    def sum(
        self, name: str, ranks: RankList, value: ExprLike, *, over: RankList, **kw
    ) -> TensorRef:
        return self.stmt(name, ranks, value, reduce=ReduceOp.SUM, over=over, **kw)

    def max(
        self, name: str, ranks: RankList, value: ExprLike, *, over: RankList, **kw
    ) -> TensorRef:
        return self.stmt(name, ranks, value, reduce=ReduceOp.MAX, over=over, **kw)

    def min(
        self, name: str, ranks: RankList, value: ExprLike, *, over: RankList, **kw
    ) -> TensorRef:
        return self.stmt(name, ranks, value, reduce=ReduceOp.MIN, over=over, **kw)

    def output(self, *tensors: TensorRef | str) -> None:
        self._outputs += [t.name if isinstance(t, TensorRef) else t for t in tensors]

    def build(self) -> Program:
        return Program(
            self.name, tuple(self._decls), tuple(self._stmts), tuple(self._outputs), doc=self.doc
        )


# elementwise functions --------------------------------------------------------------


def _call(fn: Fn, *args: ExprLike) -> Expr:
    return Call(fn, tuple(as_expr(a) for a in args))


def exp(x: ExprLike) -> Expr:
    return _call(Fn.EXP, x)


def exp2(x: ExprLike) -> Expr:
    return _call(Fn.EXP2, x)


def log(x: ExprLike) -> Expr:
    return _call(Fn.LOG, x)


def log2(x: ExprLike) -> Expr:
    return _call(Fn.LOG2, x)


def tanh(x: ExprLike) -> Expr:
    return _call(Fn.TANH, x)


def sigmoid(x: ExprLike) -> Expr:
    return _call(Fn.SIGMOID, x)


def sqrt(x: ExprLike) -> Expr:
    return _call(Fn.SQRT, x)


def rsqrt(x: ExprLike) -> Expr:
    return _call(Fn.RSQRT, x)


def abs_(x: ExprLike) -> Expr:
    return _call(Fn.ABS, x)


def floor(x: ExprLike) -> Expr:
    return _call(Fn.FLOOR, x)


def ceil(x: ExprLike) -> Expr:
    return _call(Fn.CEIL, x)


def maximum(a: ExprLike, b: ExprLike) -> Expr:
    return _call(Fn.MAX, a, b)


def minimum(a: ExprLike, b: ExprLike) -> Expr:
    return _call(Fn.MIN, a, b)


def select(cond: ExprLike, if_true: ExprLike, if_false: ExprLike) -> Expr:
    return _call(Fn.SELECT, cond, if_true, if_false)


def cast(x: ExprLike, dtype: str | DType) -> Expr:
    return _call(Fn(_dtype(dtype).value), x)


def all_of(preds: Iterable[ExprLike]) -> Expr | None:
    """``p1 and p2 and ...`` (``None`` for no predicates): handy for composing masks."""
    result: Expr | None = None
    for p in preds:
        result = as_expr(p) if result is None else result & as_expr(p)
    return result
