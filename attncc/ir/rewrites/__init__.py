"""IR → IR rewrites: the ``rewrite`` stage of the pipeline (DESIGN §3).

* :func:`inline` substitutes elementwise statements into their readers (a pass);
* :func:`match_attention` finds softmax attentions by the structure of their cascade
  (max → exp → sum → div → contract) and describes each in its fused one-pass form
  (:class:`AttentionMatch`); the one-pass form is a recurrence over key tiles, which the
  einsum IR does not express, so it is handed to the lowerings as a description, and
  :func:`execute_online` runs it in numpy for tests;
* :func:`match_weighted_sum` finds attentions without a softmax (sigmoid attention): a
  sum over the keys of weights that are a function of one contraction's logits;
* :func:`split_kv` rewrites a match into partial states over key chunks and their merge.

Passes are a flat list of named ``Program → Program`` functions (:data:`PASSES`), run in
order by :func:`run_passes`, so a driver can stop after any of them (``--dump-after``).
``split_kv`` is not in the list: how many chunks is a schedule decision, taken per target
(``split_kv_pass(chunks)`` makes a pass of it).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence

from attncc.errors import ArgumentError
from attncc.ir.nodes import Program
from attncc.ir.rewrites.execute import Layout
from attncc.ir.rewrites.execute import evaluate
from attncc.ir.rewrites.execute import execute_online
from attncc.ir.rewrites.inline import inline
from attncc.ir.rewrites.inline import inline_into
from attncc.ir.rewrites.online import AttentionMatch
from attncc.ir.rewrites.online import Contraction
from attncc.ir.rewrites.online import RowStat
from attncc.ir.rewrites.online import match_attention
from attncc.ir.rewrites.split_kv import split_kv
from attncc.ir.rewrites.weighted import match_weighted_sum

__all__ = [
    "PASSES",
    "AttentionMatch",
    "Contraction",
    "Layout",
    "Pass",
    "RowStat",
    "evaluate",
    "execute_online",
    "inline",
    "inline_into",
    "match_attention",
    "match_weighted_sum",
    "run_passes",
    "split_kv",
    "split_kv_pass",
]

Pass = tuple[str, Callable[[Program], Program]]

#: The rewrite pipeline, in order.
PASSES: tuple[Pass, ...] = (("inline", inline),)


def split_kv_pass(chunks: int) -> Pass:
    """A pass that splits the first softmax attention of a program into ``chunks`` states
    (a program with no match passes through unchanged)."""

    def run(program: Program) -> Program:
        found = match_attention(program)
        return split_kv(program, found[0], chunks) if found else program

    return (f"split_kv[{chunks}]", run)


def run_passes(
    program: Program,
    upto: str | None = None,
    *,
    passes: Sequence[Pass] = PASSES,
    trace: Callable[[str, Program], None] | None = None,
) -> Program:
    """Run ``passes`` in order, stopping after the one named ``upto``.

    ``trace(name, program)`` sees the program after each pass (for ``--dump-after``).

    >>> from attncc import variants
    >>> [s.out for s in run_passes(variants.mha()).stmts]
    ['S', 'MX', 'L', 'O']
    """
    names = [name for name, _ in passes]
    if upto is not None and upto not in names:
        raise ArgumentError(f"unknown pass {upto!r}; the passes are {', '.join(names)}")
    for name, fn in passes:
        program = fn(program)
        if trace is not None:
            trace(name, program)
        if name == upto:
            break
    return program
