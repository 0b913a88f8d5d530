"""Liveness and absence for the generic lowerings (one loop nest per statement).

Which statements an output needs, and where each tensor's elements may be absent -- element
by element (a filter, or a read of such a tensor: it needs a presence buffer) or as a whole
(a reduction over a rank that may be empty). Every target's generic lowering decides its
buffers and guards from these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from attncc.ir.nodes import Access
from attncc.ir.nodes import Program
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import accesses_in
from attncc.ir.validate import ProgramInfo
from attncc.ir.validate import validate

__all__ = ["Presence", "live_statements", "presence", "reads"]


@dataclass(frozen=True, slots=True)
class Presence:
    """Where a tensor's elements may be absent.

    ``masked``: element by element (it needs a presence buffer when read). ``nonempty``:
    ranks whose extents must all be > 0 for the tensor to be present at all.
    """

    masked: bool = False
    nonempty: frozenset[str] = frozenset()


def live_statements(program: Program) -> tuple[Stmt, ...]:
    """The statements some output depends on, in program order."""
    needed = set(program.outputs)
    live: list[Stmt] = []
    for s in reversed(program.stmts):
        if s.out in needed:
            live.append(s)
            needed |= {a.tensor for a in reads(s)}
    return tuple(reversed(live))


def reads(s: Stmt) -> list[Access]:
    """Every access of ``s``, in its filter and its value."""
    return [a for e in (s.where, s.value) if e is not None for a in accesses_in(e)]


def presence(
    program: Program, extents: Mapping[str, int | None], info: ProgramInfo | None = None
) -> dict[str, Presence]:
    """Every tensor's :class:`Presence`, statically, for the given extents."""
    info = info or validate(program)
    pres = {t: Presence() for t, ti in info.tensors.items() if ti.is_input}
    for s in program.stmts:
        read = [pres[a.tensor] for a in reads(s)]
        uniform = frozenset().union(*(p.nonempty for p in read))
        masked = s.where is not None or any(p.masked for p in read)
        if s.reduce is not None and masked:
            pres[s.out] = Presence(True)
            continue
        if s.reduce is not None:
            maybe_empty = {r for r in s.over if not (extents.get(r) or 0) > 0}
            uniform |= maybe_empty
        pres[s.out] = Presence(masked, frozenset(uniform - set(s.ranks)))
    return pres
