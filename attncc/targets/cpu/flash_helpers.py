"""The helper statements a flash kernel computes before it attends.

A program may compute small tensors from its inputs that the mask, the score or the loads
then read: tree ancestors by pointer chasing (``A2[b, p] = PAR[b, PAR[b, p]]``), document
ids counted from offsets (``DOC[b, m] = sum(j) OFFS[b, j] <= m``), tile maps of a 2-D
canvas. They are not inlined when read more than once (inlining never duplicates work), so
the kernel keeps each in a buffer of its own (:class:`~attncc.targets.tvm.flash_spec.Helper`)
filled by one loop nest at the top of the PrimFunc, in program order, before the tile
pre-pass and the attention read them. Their cost is one pass over a ``[B, P]``-sized
tensor: nothing next to the attention.
"""

from __future__ import annotations

from contextlib import ExitStack

from attncc.lowering.writer import Writer
from attncc.targets.tvm.flash_spec import FlashSpec

__all__ = ["emit_helpers"]

_DIMS = ("B", "H", "HK", "D", "DV")


def emit_helpers(w: Writer, spec: FlashSpec) -> None:
    """Allocate and fill every helper of ``spec`` (parallel over its first dimension)."""
    b = "B" if spec.B is None else spec.B  # symbolic: bound by Q's shape
    dims = dict(zip(_DIMS, (b, spec.H, spec.HK, spec.D, spec.DV), strict=True))
    for i, h in enumerate(spec.helpers):
        shape = [str(dims.get(x, x)) if isinstance(x, str) else str(x) for x in h.shape]
        w(f'{h.name} = T.alloc_buffer(({", ".join(shape or ["1"])},), "{h.dtype}")')
        with ExitStack() as loops:
            for k, (var, n) in enumerate(zip(h.loops, shape, strict=True)):
                kind = "T.parallel" if k == 0 else "range"
                loops.enter_context(w.block(f"for {var} in {kind}({n}):"))
            at = f"{h.name}[{', '.join(h.loops) or '0'}]"
            if not h.over:
                w(f"{at} = {h.store.replace('{v}', h.value)}")
                continue
            acc = f"_acc{i}"
            w(f'{acc} = T.alloc_buffer((1,), "{h.acc}")')
            w(f"{acc}[0] = {'T.float32(0)' if h.acc == 'float32' else '0'}")
            names = ", ".join(v for v, _ in h.over)
            with w.block(f"for {names} in T.grid({', '.join(str(n) for _, n in h.over)}):"):
                w(f"{acc}[0] = {acc}[0] + {h.value}")
            w(f"{at} = {h.store.replace('{v}', f'{acc}[0]')}")
