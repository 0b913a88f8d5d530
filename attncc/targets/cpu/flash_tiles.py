"""Which key tiles a query tile of the CPU flash kernel visits, and which need the mask.

Bands (:class:`~attncc.targets.tvm.flash_spec.Band`) bound the keys a query tile may see
from the index expressions alone: key tiles outside every band are never visited, tiles
inside a band's full range run without the mask. A mask the bands cannot classify
(``FlashSpec.tile_prepass``: document ids, ancestor matrices, page maps, ``//`` and ``%``
of indices) leaves every tile of its bands partial, so nothing is skipped; a dilated
window or a 2-D neighbourhood then costs as much as dense attention.

The **pre-pass** fixes that, as the CUDA target's block lists do: before attending, a
parallel loop over query tiles evaluates the mask on every (row, key) pair of each key tile
its bands reach and stores the tile's class in ``_Tc[rows, query tiles, key tiles]``
(``int8``: 0 empty, 1 partial, 2 full; tiles in a band's full range are 2 without
evaluating). The key loop then skips empty tiles and runs full ones unmasked. ``rows`` spans
only the batch and head indices the mask and bands read (a document mask of one batch is
classified once for all heads). It costs one vectorised predicate evaluation per pair the
bands leave, against ``4·D`` flops per pair for attention, and reads no Q, K or V; it runs on
every call when the mask reads tensors (document ids, page maps may change between calls).
A mask of indices and scalars alone (a 2-D neighbourhood, block-causal, global tokens) has
classes fixed by the extents and the scalars: the kernel then takes ``_Tc`` as an argument
with a flag, and the CPU target keeps the classes of each (extents, scalars) between calls
(:func:`classes_cached`, :data:`TILE_CLASSES`): the pre-pass runs on the first call only.
``FlashConfig.prepass = False`` turns it off (every tile partial), for the tuner to weigh.
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from typing import Protocol

from attncc.errors import LoweringError
from attncc.lowering.writer import Writer
from attncc.targets.cpu.flash_config import FlashConfig
from attncc.targets.cpu.flash_text import fmt
from attncc.targets.cpu.flash_text import tree
from attncc.targets.tvm.flash_spec import Band
from attncc.targets.tvm.flash_spec import FlashSpec


class _Emitter(Protocol):
    """What the flash generator's emitter offers these functions (``flash._Emitter``)."""

    spec: FlashSpec
    cfg: FlashConfig
    w: Writer

    @property
    def nqt(self) -> str: ...
    @property
    def nkt(self) -> str: ...
    @property
    def qp(self) -> int: ...
    @property
    def grp(self) -> int: ...
    def row_h(self, r: str) -> str: ...
    def row_p(self, r: str, clamp: bool = True) -> str: ...


__all__ = [
    "TILE_CLASSES",
    "band_ranges",
    "bands",
    "class_buffer",
    "class_shape",
    "classes_cached",
    "emit_prepass",
    "prepass_used",
    "tile_class",
]

#: The kernel arguments of cached classes: the ``int8`` buffer and its "already filled" flag.
TILE_CLASSES = ("_tc", "_tc_ready")


def bands(ctx: _Emitter) -> tuple[Band, ...]:
    """The spec's bands; one band over every key (full when there is no mask) otherwise."""
    return _spec_bands(ctx.spec)


def _spec_bands(spec: FlashSpec) -> tuple[Band, ...]:
    if spec.bands is not None:
        return spec.bands
    if spec.mask is None:
        return (Band("0", "M", "0", "M"),)
    return (Band("0", "M"),)


def band_ranges(ctx: _Emitter, main: bool) -> list[tuple[str, str]]:
    """Emit each band's key-tile range ``[_ta, _td)`` (full tiles ``[_tb, _tc)``) for the query
    tile ``[_p0, _p1)``; return the loop bounds. ``main``: the attention loop, which also
    needs the PV key range ``[_klo, _khi)`` and clamps to its split's tiles."""
    w, bk = ctx.w, ctx.cfg.bk
    tile = {"p0": "_p0", "p1": "_p1", "b": "_b", "g": "_g"}
    if not ctx.cfg.pack_gqa:
        tile["h"] = "_h"
    texts = [
        {k: fmt(getattr(band, k), **tile) for k in ("lo", "hi", "full_lo", "full_hi")}
        for band in bands(ctx)
    ]
    for i, e in enumerate(texts):
        w(f"_lo{i} = T.max({e['lo']}, 0)")
        w(f"_hi{i} = T.min({e['hi']}, M)")
    if main:  # keys outside [_klo, _khi) are masked for every row of the tile: PV skips them
        w(f"_klo = {tree('T.min', [f'_lo{i}' for i in range(len(texts))])}")
        w(f"_khi = {tree('T.max', [f'_hi{i}' for i in range(len(texts))])}")
    out, prev = [], None
    for i, e in enumerate(texts):
        a = f"(_lo{i} // {bk})"
        w(f"_ta{i} = {a if prev is None else f'T.max({a}, {prev})'}")
        w(f"_td{i} = T.max((_hi{i} + {bk - 1}) // {bk}, _ta{i})")
        w(f"_tb{i} = (T.max({e['full_lo']}, 0) + {bk - 1}) // {bk}")
        w(f"_tc{i} = T.min({e['full_hi']}, M) // {bk}")
        if main and ctx.cfg.split_kv > 1:
            w(f"_ta{i}s = T.max(_ta{i}, _sa)")
            w(f"_td{i}s = T.max(T.min(_td{i}, _sd), _ta{i}s)")
            out.append((f"_ta{i}s", f"_td{i}s"))
        else:
            out.append((f"_ta{i}", f"_td{i}"))
        prev = f"_td{i}"
    return out


def _used(spec: FlashSpec, cfg: FlashConfig) -> bool:
    return spec.tile_prepass and spec.mask is not None and cfg.prepass


def prepass_used(ctx: _Emitter) -> bool:
    """Whether the kernel classifies tiles before attending (module docstring)."""
    return _used(ctx.spec, ctx.cfg)


def _texts(spec: FlashSpec) -> str:
    texts = [spec.mask or ""]
    texts += [t for b in _spec_bands(spec) for t in (b.lo, b.hi, b.full_lo, b.full_hi)]
    return " ".join(texts)


def classes_cached(spec: FlashSpec, cfg: FlashConfig) -> bool:
    """Whether the classes depend on extents and scalars only (the mask and bands read no
    tensor), so that they may be kept between calls (module docstring)."""
    reads = any(re.search(rf"\b{re.escape(t.name)}\[", _texts(spec)) for t in spec.tensors)
    return _used(spec, cfg) and not reads


def _reads_spec(spec: FlashSpec) -> tuple[bool, bool]:
    joined = _texts(spec)
    return "{b}" in joined, "{h}" in joined or "{g}" in joined


def _reads(ctx: _Emitter) -> tuple[bool, bool]:
    """Whether the mask or the bands read the batch, and the head (the class rows)."""
    return _reads_spec(ctx.spec)


def _heads_of(spec: FlashSpec, cfg: FlashConfig) -> tuple[int, str]:
    return (spec.HK, "_g") if cfg.pack_gqa else (spec.H, "_h")


def _heads(ctx: _Emitter) -> tuple[int, str]:
    """The kernel's work-item heads and the name of the head variable."""
    return _heads_of(ctx.spec, ctx.cfg)


def class_shape(spec: FlashSpec, cfg: FlashConfig) -> tuple[int, int, int]:
    """``(rows, query positions per tile, bk)``: ``_Tc`` is ``[rows, ceil(P / qp),
    ceil(M / bk)]``."""
    reads_b, reads_h = _reads_spec(spec)
    heads, _ = _heads_of(spec, cfg)
    qp = cfg.bq // (spec.H // spec.HK) if cfg.pack_gqa else cfg.bq
    if reads_b and spec.B is None:
        raise LoweringError("tile classes of a mask that reads the batch need a fixed batch")
    return (spec.B if reads_b else 1) * (heads if reads_h else 1), qp, cfg.bk


def _row(ctx: _Emitter) -> str:
    reads_b, reads_h = _reads(ctx)
    heads, hv = _heads(ctx)
    b = "_b" if reads_b else "0"
    return f"{b} * {heads} + {hv}" if reads_h else b


def tile_class(ctx: _Emitter) -> str | None:
    """The class of key tile ``_kt`` for the attention loop, or None without a pre-pass."""
    return f"_Tc[{_row(ctx)}, _qt, _kt]" if prepass_used(ctx) else None


def _condition(ctx: _Emitter) -> str:
    """Key ``_kt * bk + _j`` is visible to tile row ``_r`` (inside ``[0, M)`` too)."""
    m = f"_kt * {ctx.cfg.bk} + _j"
    idx = {"b": "_b", "g": "_g", "h": ctx.row_h("_r"), "p": ctx.row_p("_r")}
    mask = fmt(ctx.spec.mask, m=f"T.min({m}, M - 1)", **idx)
    return f"T.And({m} < M, {mask})"


def _rows(ctx: _Emitter) -> tuple[int, int]:
    reads_b, reads_h = _reads(ctx)
    heads, _ = _heads(ctx)
    if reads_b and ctx.spec.B is None:
        raise LoweringError("tile classes of a mask that reads the batch need a fixed batch")
    return ctx.spec.B if reads_b else 1, heads if reads_h else 1


def class_buffer(ctx: _Emitter) -> str | None:
    """The ``match_buffer`` line of cached classes (an argument), or None."""
    if not classes_cached(ctx.spec, ctx.cfg):
        return None
    nb, nh = _rows(ctx)
    shape = f"({nb * nh}, {ctx.nqt}, {ctx.nkt})"
    return f'_Tc = T.match_buffer({TILE_CLASSES[0]}_h, {shape}, "int8")'


def emit_prepass(ctx: _Emitter) -> None:
    """The classification loop, and its ``_Tc`` buffer unless the caller keeps it (then the
    loop runs only while ``_tc_ready`` is 0; module docstring)."""
    if not prepass_used(ctx):
        return
    w = ctx.w
    nb, nh = _rows(ctx)
    cached = classes_cached(ctx.spec, ctx.cfg)
    if not cached:
        w(f'_Tc = T.alloc_buffer(({nb * nh}, {ctx.nqt}, {ctx.nkt}), "int8")')
    with ExitStack() as stack:
        if cached:
            stack.enter_context(w.block(f"if {TILE_CLASSES[1]} == 0:"))
        _emit_classify(ctx, nb, nh)


def _emit_classify(ctx: _Emitter, nb: int, nh: int) -> None:
    w, cfg = ctx.w, ctx.cfg
    reads_b, reads_h = _reads(ctx)
    _, hv = _heads(ctx)
    bk = cfg.bk
    with w.block(f"for _w in T.parallel({nb * nh} * {ctx.nqt}):"):
        w(f"_b = _w // ({nh} * {ctx.nqt})" if reads_b else "_b = 0")
        w(f"{hv} = _w // {ctx.nqt} % {nh}" if reads_h else f"{hv} = 0")
        w(f"_qt = _w % {ctx.nqt}")
        if not cfg.pack_gqa:
            w(f"_g = _h // {ctx.grp}")
        w(f"_p0 = _qt * {ctx.qp}")
        w(f"_p1 = T.min(_p0 + {ctx.qp}, P)")
        w(f"_nr = (_p1 - _p0) * {ctx.grp}" if cfg.pack_gqa else "_nr = _p1 - _p0")
        row = _row(ctx)
        for i, (lo, hi) in enumerate(band_ranges(ctx, main=False)):
            with w.block(f"for _kt in range({lo}, {hi}):"):
                with w.block(f"if _tb{i} <= _kt and _kt < _tc{i}:"):
                    w(f"_Tc[{row}, _qt, _kt] = T.int8(2)")
                with w.block("else:"):
                    # per key: some row sees it (max), every row sees it (min)
                    w(f'_sv = T.alloc_buffer(({bk},), "int32")')
                    w(f'_ev = T.alloc_buffer(({bk},), "int32")')
                    with w.block(f"for _j in T.vectorized({bk}):"):
                        w("_sv[_j] = 0")
                        w("_ev[_j] = 1")
                    with (
                        w.block("for _r in range(_nr):"),
                        w.block(f"for _j in T.vectorized({bk}):"),
                    ):
                        w(f"_v = T.meta_var(T.Cast('int32', {_condition(ctx)}))")
                        w("_sv[_j] = T.max(_sv[_j], _v)")
                        w("_ev[_j] = T.min(_ev[_j], _v)")
                    some = tree("T.max", [f"_sv[{j}]" for j in range(bk)])
                    every = tree("T.min", [f"_ev[{j}]" for j in range(bk)])
                    w(f"_Tc[{row}, _qt, _kt] = T.Cast('int8', {some} + {every})")
