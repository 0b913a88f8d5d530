"""Text pieces of the generic loop-nest lowering (:mod:`attncc.targets.tvm.generic`):
buffer shapes and subscripts, guard levels, loop order by stride, constant folding."""

from __future__ import annotations

from collections.abc import Mapping

from attncc.errors import NameResolutionError
from attncc.ir.bind import eval_scalar
from attncc.ir.nodes import Access
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Name
from attncc.ir.nodes import children
from attncc.ir.nodes import names_in
from attncc.targets.tvm.script import STORAGE

__all__ = [
    "all_of",
    "bare",
    "direct_accesses",
    "fold",
    "output_dtype",
    "product_text",
    "shape_text",
    "split_levels",
    "stride_score",
    "subscript",
]


def stride_score(reads: list[Access], rank: str) -> int:
    """Reads that run along ``rank`` with unit stride, less those it strides through."""
    score = 0
    for a in reads:
        if a.indices and a.indices[-1] == Name(rank):
            score += 1
        elif any(rank in names_in(i) for i in a.indices):
            score -= 1
    return score


def split_levels(levels: list[list[tuple[str, bool]]]) -> tuple[list[list[str]], list[list[str]]]:
    """Guard levels → (outside a reduction's loop, inside it): the leading conditions that
    read no reduced rank are tested once per output point."""
    outer: list[list[str]] = []
    for k, lv in enumerate(levels):
        free = [c for c, over in lv if not over]
        rest = [c for c, over in lv if over]
        if free:
            outer.append(free)
        if rest:
            return outer, [rest] + [[c for c, _ in x] for x in levels[k + 1 :]]
    return outer, []


def all_of(conds: list[str]) -> str:
    return bare(conds[0]) if len(conds) == 1 else " and ".join(conds)


def product_text(dims: list[str]) -> str:
    return dims[0] if len(dims) == 1 else f"({' * '.join(dims)})"


def shape_text(dims) -> str:
    dims = list(dims)
    return f"({dims[0]},)" if len(dims) == 1 else f"({', '.join(dims)})"


def subscript(buf: str, idx: list[str]) -> str:
    return f"{buf}[{', '.join(idx) if idx else '()'}]"


def bare(text: str) -> str:
    """``text`` without one pair of enclosing parentheses, when they enclose all of it."""
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and i < len(text) - 1:
            return text
    return text[1:-1]


def output_dtype(dtype: DType) -> str:
    return "float32" if dtype is DType.BF16 else STORAGE[dtype]


def fold(e: Expr, env: Mapping[str, object]):
    """``e``'s value when every name it reads has one, else ``None``."""
    try:
        return eval_scalar(e, env)
    except NameResolutionError:
        return None


def direct_accesses(e: Expr) -> list[Access]:
    """Accesses in ``e`` that are not inside another access's indices."""
    if isinstance(e, Access):
        return [e]
    return [a for c in children(e) for a in direct_accesses(c)]
