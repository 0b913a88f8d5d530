"""Fused one-pass (flash-style) attention for CPUs, generated as TVMScript text.

``generate(spec, config)`` returns the source of one TVM 0.27 ``tirx`` PrimFunc computing
``O = softmax(mask(score_mod(Q Kᵀ · scale))) V`` with an online softmax; the CPU target
(:mod:`attncc.targets.cpu.target`) parses and compiles it for the host. What a variant
may change is text: :class:`FlashSpec` holds TVMScript expression templates (``score_mod``,
``mask``), extra tensors and scalars they read by name, and :class:`Band` s that classify key
tiles for affine masks; :class:`FlashConfig` holds the schedule knobs. A compiler inlines its
rewritten map expressions into the templates.

The kernel (one PrimFunc, Q/K/V/O in BHSD layout, P and M symbolic unless fixed):

1. K pre-pass (``k_layout="tiles"``): K → ``[B, HK, ceil(M/bk), D, bk]``, the tail zero-padded.
2. ``parallel`` over batch × heads × query tiles (zigzag order, so that TVM's static per-thread
   chunks get equal causal work); with ``pack_gqa`` over batch × kv heads × tiles whose rows
   are (query, head) pairs sharing one K/V stream. Per work item: running max / sum / rescale
   (stack arrays) and an accumulator ``Oa[bq, DV]``. For each band the key-tile loop runs over
   the tiles the band can reach (empty tiles never enter the loop); tiles inside the band's
   full range run a predicate-free body, the others a masked body (mask, key tail ``m < M``).
   A mask the bands cannot classify is classified per tile by a pre-pass before the loop
   (:mod:`~attncc.targets.cpu.flash_tiles`): empty tiles skipped, full ones unmasked;
   row blocks past the tile's last query row are skipped (a short last tile, decode).
   Tile body, per ``rb``-row block: ``S = Q Kᵀ`` in an ``rb × bk`` register block → scale /
   score_mod / mask → row max (``vl``-lane vector max, then a tree) → ``alpha``,
   ``P = exp2(S - max)``; then PV per ``rbv × pv_cols`` block, the accumulator loaded as
   ``Oa · alpha`` (the softmax rescale folded into the load) and ``+= P[i, k] · V[k, :]``.
   Finally ``O = Oa / l``; a row that saw no key (``l == 0``) gets 0, never NaN.
3. ``split_kv > 1`` (decode): each split of the key tiles writes its partial (max, sum, out)
   state; a merge loop combines them (FlashInfer's ``merge_state`` algebra, in log2 units).
4. ``parallel="bq"``: a work item holds the state of every head and walks them inside each
   key tile, so a tile is read for all heads while it is in cache; with ``gather_kv`` the
   tile of K and V (every kv head) is first copied into a local buffer in key order. A paged
   NHD pool (``FlashSpec.kv_heads_inner``) keeps a page's keys of every head together but a
   head's 512-byte rows 4 KB apart: read a head at a time, every row stalled on memory
   (the prefetchers stop at each 4 KB page, and software prefetch did not help); read a
   page at a time, front to back, the paged decode ran 20.9 -> 14.9 ms (contiguous: 11.3).

Half-precision Q (``FlashSpec.q_dtype``: float16 / bfloat16) is converted into a float32
tile once per work item; half K / V are converted by their load hooks; O is rounded once at
the final store (``o_dtype``). Everything in between is float32.

Scores live in log2 units (``scale · log2 e`` folded into one multiply), and ``exp2`` is a
range reduction (``nearbyint``, exponent bits by shift + reinterpret) and a degree-5
polynomial on [−½, ½] (max relative error 2.4e-7): it vectorises, where ``T.exp`` /
``T.exp2`` become one libm call per lane.

NaN and ±inf propagate as in the reference (docs/language.md, "NaN and infinities"). Masked
scores and the max of a row with no key yet are −inf; a present score counts at least
``FLOOR`` (−FLT_MAX) in the max, so all-−inf rows end NaN, key-less rows 0. While the max is
−inf, 0 is subtracted (no ``inf − inf``); ``exp2`` clamps as ``max(c, x)`` (TVM's
``a > b ? a : b`` keeps a NaN only in ``b``); ``1 / l`` tests ``l == 0``, not ``l > 0``.
Full tiles run the same instructions; partial tiles one ``max`` more per score, and their PV
skips keys outside the bands' range (masked for every row: a page's slots past KVLEN). The
exception: PV multiplies a key tile for all rows, so a NaN or ±inf in V at a key masked for
one row but visible to another of the tile is NaN in the first: over-reported, not hidden.

Measured on this host (AMD EPYC Zen 4, 2 cores, AVX-512 with 512-bit FMAs double-pumped:
1 zmm FMA per cycle per core; torch SGEMM 2048³ ≈ 88 GFLOP/s per core). FLOPs are
``4·B·H·D·unmasked pairs``; ``python bench/proto_flash.py`` (2 threads, own process per side):

    ====================================  ==========  ==========  =========  ==========
    case (fp32)                           SDPA ms     attncc ms   GFLOP/s    vs SDPA
    ====================================  ==========  ==========  =========  ==========
    causal, B1 H8 S2048 D64               33.3        25.0        172        1.33×
    window 256 (SDPA: explicit bool mask) 71.6        8.4–12.2    83–121     5.9–8.6×
    GQA 32/8, S1024 D128, causal          75.6        47.9        180        1.58×
    decode, P1 M4096, GQA 32/8, D128      4.7         1.34        50         3.5×
    ====================================  ==========  ==========  =========  ==========

(2 threads, wall time, best-of-rounds medians; torch SGEMM 173–177 GFLOP/s in the same runs;
errors vs SDPA in float64 ≤ 4e-7, decode 1.5e-6.) The host is shared and noisy: runs under
load gave 1.26–1.39× / 5.9–8.6× / 1.46–1.71× / 1.9–3.8×. The window range spans configs
(bq 24 × bk 32 × 6/6 rows: 8.4 ms; the default bq 32 × bk 32 × 8/4: 9.5–12.2 ms), which tie
within 5 % in single-thread CPU time. ``--cpu-time`` (1 thread, thread CPU
time) gave 1.35× (82.8 GFLOP/s), 7.2×, 1.58× (88.6 GFLOP/s) and 3.2×.

What mattered (single thread, B1 H8 S2048 D64 causal, unless noted):

* exp2 polynomial instead of ``T.exp2`` (libm per lane): 94.2 → 51.5 ms (1.8×).
* Register blocks in small ``global`` stack buffers (``T.alloc_buffer`` inside the loop,
  < 1 KB): LLVM promotes them to zmm registers (checked in the IR: no alloca left in the
  microkernels). The QKᵀ (``rb × bk``) and PV (``rbv × pv_cols``) inner loops are pure
  broadcast-load + FMA and run at the SGEMM rate; 4×64 beats 3×64 by 2 %.
* Register pressure: a 6×64 PV block needs 29 zmm registers, spills, and ran 2× slower
  (window, bq 12: 30.2 vs 15.6 ms); :func:`register_demand` gives the static estimate.
* K packed per key tile vs a transposed ``[D, M]`` pre-pass: +7 % (171.9 vs 160.7 GFLOP/s,
  2 threads). Decode must not pre-pack (it triples the traffic over K: 3.7–5.6 ms): K read
  as given (``k_layout="rows"``, dot products along D, 1.3–1.9 ms) or a cache kept in the
  packed layout (``k_layout="packed"``, 1.34 ms); split-KV ×2 helps rows (2.7 → 1.3–1.8 ms).
* ``pack_gqa`` (GQA 32/8, D128): K/V tiles reused by the 4 heads of a group, +8 %.
* Sliding window 256: smaller tiles waste less on partial tiles (bq 24 × bk 32: 8.4 ms vs
  bq 48 × bk 64: 12.4 ms); empty tiles cost nothing, partial tiles are ~25 % of the time.
* Work-item scalars (``_b``, ``_p0``, tile bounds) as plain assignments (an immutable
  ``Bind`` in 0.27), not ``T.meta_var``: meta_var pastes the expression into every index and
  ``tirx.LowerIntrin`` then spent 4.5 s on it; builds went from 1.5–7 s to 0.3–0.8 s, same speed.

What limits further speed: the two microkernels already run at ~97 % of torch's SGEMM rate;
the rest is the softmax (~15 % of instructions: scale, max, exp2, sum per score), the masked
halves of diagonal tiles (~5 % at bq 48 × bk 64) and the K pre-pass (~3 %). SDPA itself runs
at ~75 % of the SGEMM rate on dense causal, so on this Zen 4 box the ceiling for dense causal
is ~1.35× SDPA (the ~3× of DESIGN.md was measured on a Zen 5 core with twice the FMA width);
sparse masks (window: 5.9–8.6×) and decode (3.5×) are where the structure pays. Decode
moves K+V at ~25 GB/s against ~50 GB/s for a plain torch read of the same 33.5 MB.

TVM 0.27 pitfalls met here: ``mcpu`` must be named (``native`` → ``generic``: SSE code, no
zmm); ``T.vectorized`` needs a constant extent (a symbolic one fails in VectorizeLoop);
a name assigned twice in one scope is a parse error (hence ``_o0``, ``_o1``… per PV chunk);
``tvm.tirx.get_tir_pipeline`` returns a (pipeline, host, device) tuple, not a Pass; FMAs are
contracted without ``fast-math`` flags (checked: identical asm).
"""

from __future__ import annotations

import math
from contextlib import ExitStack
from dataclasses import dataclass
from dataclasses import field

from attncc.errors import LoweringError
from attncc.ir.nodes import DType
from attncc.lowering.writer import Writer
from attncc.targets.cpu.flash_config import DIM_NAMES
from attncc.targets.cpu.flash_config import FlashConfig
from attncc.targets.cpu.flash_config import bands_read_head
from attncc.targets.cpu.flash_config import batch
from attncc.targets.cpu.flash_config import check_config
from attncc.targets.cpu.flash_config import query_tiles
from attncc.targets.cpu.flash_config import register_demand
from attncc.targets.cpu.flash_config import suggest_config
from attncc.targets.cpu.flash_config import times_b
from attncc.targets.cpu.flash_helpers import emit_helpers
from attncc.targets.cpu.flash_text import FLOOR
from attncc.targets.cpu.flash_text import LOG2E
from attncc.targets.cpu.flash_text import MASKED
from attncc.targets.cpu.flash_text import exp2
from attncc.targets.cpu.flash_text import f32
from attncc.targets.cpu.flash_text import fmt
from attncc.targets.cpu.flash_text import inverse
from attncc.targets.cpu.flash_text import log_sum_exp
from attncc.targets.cpu.flash_text import tree
from attncc.targets.cpu.flash_tiles import TILE_CLASSES
from attncc.targets.cpu.flash_tiles import band_ranges
from attncc.targets.cpu.flash_tiles import class_buffer
from attncc.targets.cpu.flash_tiles import classes_cached
from attncc.targets.cpu.flash_tiles import emit_prepass
from attncc.targets.cpu.flash_tiles import prepass_used
from attncc.targets.cpu.flash_tiles import tile_class
from attncc.targets.tvm.flash_spec import FlashSpec
from attncc.targets.tvm.flash_spec import m_is_arg
from attncc.targets.tvm.flash_spec import signature
from attncc.targets.tvm.script import Typed
from attncc.targets.tvm.script import convert_text

__all__ = [
    "FlashConfig",
    "bands_read_head",
    "generate",
    "query_tiles",
    "register_demand",
    "suggest_config",
]

# ---------------------------------------------------------------------------------------------
# generator


@dataclass
class _Emitter:
    spec: FlashSpec
    cfg: FlashConfig
    w: Writer = field(default_factory=Writer)

    @property
    def nkt(self) -> str:
        return f"((M + {self.cfg.bk - 1}) // {self.cfg.bk})"

    @property
    def grp(self) -> int:
        return self.spec.H // self.spec.HK

    @property
    def qp(self) -> int:
        """Query positions per tile."""
        return self.cfg.bq // self.grp if self.cfg.pack_gqa else self.cfg.bq

    @property
    def nqt(self) -> str:
        return f"((P + {self.qp - 1}) // {self.qp})"

    @property
    def inside(self) -> bool:
        """A work item walks every head of each key tile (``parallel="bq"``)."""
        return self.cfg.parallel == "bq"

    @property
    def heads(self) -> int:
        """Heads of work items: kv heads with ``pack_gqa``, else query heads."""
        return self.spec.HK if self.cfg.pack_gqa else self.spec.H

    def srow(self, r: str) -> str:
        """Row of the running state (max, sum, accumulator) for tile row ``r``: with
        ``parallel="bq"`` the state holds every head's tile, head ``_hi`` at ``_hi * bq``."""
        return f"_hi * {self.cfg.bq} + {r}" if self.inside else r

    def row_h(self, r: str) -> str:
        """Query head of tile row ``r``."""
        return f"(_g * {self.grp} + ({r}) % {self.grp})" if self.cfg.pack_gqa else "_h"

    def row_p(self, r: str, clamp: bool = True) -> str:
        """Query position of tile row ``r`` (clamped into [0, P) for loads)."""
        p = f"_p0 + ({r}) // {self.grp}" if self.cfg.pack_gqa else f"_p0 + {r}"
        return f"T.min({p}, P - 1)" if clamp else f"({p})"


def _score(ctx: _Emitter, acc: str, h: str, p: str, m_raw: str, full: bool) -> str:
    """The masked, modified score of accumulator ``acc`` in log2 units."""
    spec = ctx.spec
    scale = spec.scale if spec.scale is not None else 1.0 / math.sqrt(spec.D)
    m = m_raw if full else f"T.min({m_raw}, M - 1)"
    idx = {"b": "_b", "h": h, "g": "_g", "p": p, "m": m}
    if spec.weight is not None:  # no softmax: the weight of the score in ``acc``
        val = fmt(spec.weight, s=acc, **idx)
    elif spec.score_mod is None:
        val = f"{acc} * {f32(scale * LOG2E)}"
    else:
        mod = fmt(spec.score_mod, s=f"{acc} * {f32(scale)}", **idx)
        val = f"({mod}) * {f32(LOG2E)}"
    if full:
        return val
    cond = _visible(ctx, h, p, m_raw)
    if spec.weight is not None:
        return f"T.if_then_else({cond}, {val}, T.float32(0))"
    return f"T.if_then_else({cond}, T.max({FLOOR}, {val}), {MASKED})"  # NaN stays NaN


def _visible(ctx: _Emitter, h: str, p: str, m_raw: str) -> str:
    """Whether key ``m_raw`` is visible to the row (inside ``M`` and the mask)."""
    cond = f"{m_raw} < M"
    if ctx.spec.mask is not None:
        idx = {"b": "_b", "h": h, "g": "_g", "p": p, "m": f"T.min({m_raw}, M - 1)"}
        cond = f"T.And({cond}, {fmt(ctx.spec.mask, **idx)})"
    return cond


def _modified(ctx: _Emitter, acc: str, h: str, p: str, m: str) -> str:
    """The scaled, modified score of accumulator ``acc`` in natural units (weighted sums:
    stored before the weight reads it, so that the weight's text holds it once)."""
    spec = ctx.spec
    scale = spec.scale if spec.scale is not None else 1.0 / math.sqrt(spec.D)
    val = f"{acc} * {f32(scale)}"
    if spec.score_mod is None:
        return val
    return fmt(spec.score_mod, s=val, b="_b", h=h, g="_g", p=p, m=m)


def _k_load(ctx: _Emitter, b: str, g: str, m: str, d: str, local: str | None = None) -> str:
    """K[b, g, m, d] as float32: the buffer, or the ``k_load`` hook; with ``gather_kv`` and
    ``local`` (``m``'s place in tile ``_kt``), the tile's gathered copy. The caller passes
    ``local``: TVM 0.27 failed to compile ``_kt * bk + _j - _kt * bk`` as an index
    ("Divide by zero" in its simplifier)."""
    if ctx.cfg.gather_kv and local is not None:
        return f"_Kl[{g}, {local}, {d}]"
    if ctx.spec.k_load is None:
        return f"K[{b}, {g}, {m}, {d}]"
    if not ctx.spec.k_parts:
        return f"({fmt(ctx.spec.k_load, b=b, g=g, m=m, d=d, p='_p0')})"
    # concatenated parts: the part ``d`` falls in, each read at a clamped index of its own
    parts = _k_segments(ctx)
    template, off, width = parts[-1]
    text = _k_part(template, b, g, m, d, off, width)
    for template, off, width in reversed(parts[:-1]):
        part = _k_part(template, b, g, m, d, off, width)
        text = f"T.if_then_else({d} < {off + width}, {part}, {text})"
    return text


def _k_segments(ctx: _Emitter) -> list[tuple[str, int, int]]:
    """``(load template, offset, width)`` of each concatenated K part along D."""
    spec = ctx.spec
    first = spec.D - sum(n for _, n in spec.k_parts)
    out, off = [(spec.k_load or "", 0, first)], first
    for template, width in spec.k_parts:
        out.append((template, off, width))
        off += width
    return out


def _k_part(template: str, b: str, g: str, m: str, d: str, off: int, width: int) -> str:
    local = f"T.min(T.max({d} - {off}, 0), {width - 1})" if off else f"T.min({d}, {width - 1})"
    return f"({fmt(template, b=b, g=g, m=m, d=local, p='_p0')})"


def _v_load(ctx: _Emitter, b: str, g: str, m: str, f: str, local: str | None = None) -> str:
    if ctx.cfg.gather_kv and local is not None:
        return f"_Vl[{g}, {local}, {f}]"
    if ctx.spec.v_load is None:
        return f"V[{b}, {g}, {m}, {f}]"
    return f"({fmt(ctx.spec.v_load, b=b, g=g, m=m, f=f, p='_p0')})"


def _k_index(ctx: _Emitter, d: str, j: str) -> str:
    if ctx.cfg.k_layout == "tiles":
        return f"_Kp[_b, _g, _kt, {d}, {j}]"
    if ctx.cfg.k_layout == "packed":
        return f"K[_b, _g, _kt, {d}, {j}]"
    return f"_Kp[_b, _g, {d}, _kt * {ctx.cfg.bk} + {j}]"


def _q(ctx: _Emitter, row: str, qh: str, qrow: str, d: str) -> str:
    """Q of tile row ``row`` (head ``qh``, position ``qrow``) at ``d`` as float32: a half Q
    from the work item's float32 copy (:func:`_emit_q_copy`)."""
    if not _copies_q(ctx.spec):
        return f"Q[_b, {qh}, {qrow}, {d}]"
    return f"_Qf[{ctx.srow(row)}, {d}]"


def _copies_q(spec: FlashSpec) -> bool:
    """Whether a work item first copies its Q tile to float32 (half Q, or Q in parts)."""
    return spec.q_dtype != "float32" or bool(spec.q_parts) or spec.q_map is not None


def _enter_tile_rows(ctx: _Emitter, loops: ExitStack) -> None:
    """Open the loops over the work item's tile rows ``_r``: every head's (``_hi``, with its
    head variables) with ``parallel="bq"``, else the one head's."""
    if ctx.inside:
        loops.enter_context(ctx.w.block(f"for _hi in range({ctx.heads}):"))
        _emit_head(ctx, "_hi")
    loops.enter_context(ctx.w.block(f"for _r in range({ctx.cfg.bq}):"))


def _emit_q_copy(ctx: _Emitter) -> None:
    """A half-precision Q tile (every head's with ``parallel="bq"``) converted to float32
    once per work item, so that the microkernels broadcast float32 as they do for f32 Q."""
    w, spec, cfg = ctx.w, ctx.spec, ctx.cfg
    rows = cfg.bq * ctx.heads if ctx.inside else cfg.bq
    w(f'_Qf = T.alloc_buffer(({rows}, {spec.D}), "float32")')
    first = spec.D - sum(n for _, n in spec.q_parts)
    with ExitStack() as loops:
        _enter_tile_rows(ctx, loops)
        off = 0
        for buf, width in (("Q", first), *spec.q_parts):
            with w.block(f"for _d in T.vectorized({width}):"):
                src = f"{buf}[_b, {ctx.row_h('_r')}, {ctx.row_p('_r')}, _d]"
                value = f'T.Cast("float32", {src})'
                if buf == "Q" and spec.q_map is not None:  # a feature map of Q
                    value = fmt(spec.q_map, q=value)
                w(f"_Qf[{ctx.srow('_r')}, {off} + _d] = {value}")
            off += width


def _o_value(ctx: _Emitter, value: str) -> str:
    """``value`` (float32) as O holds it: float16, bfloat16-rounded float32, or float32."""
    if ctx.spec.o_dtype == "float16":
        return f'T.Cast("float16", {value})'
    if ctx.spec.o_dtype == "bfloat16":
        return convert_text(Typed(value, "float32"), DType.BF16).text
    return value


def _emit_qk_tiles(ctx: _Emitter, row: str, qh: str, qrow: str) -> None:
    """_s[i, :] += Q[row i, d] * Kp[d, :]: rb x bk register block, broadcast Q, vector K."""
    w, cfg, spec = ctx.w, ctx.cfg, ctx.spec
    rb, bk = cfg.rb, cfg.bk
    with ExitStack() as loops:
        if cfg.unroll_d > 1 and spec.D % cfg.unroll_d == 0:
            loops.enter_context(w.block(f"for _do in range({spec.D // cfg.unroll_d}):"))
            loops.enter_context(w.block(f"for _du in T.unroll({cfg.unroll_d}):"))
            w(f"_d = T.meta_var(_do * {cfg.unroll_d} + _du)")
        else:
            loops.enter_context(w.block(f"for _d in range({spec.D}):"))
        with w.block(f"for _i in T.unroll({rb}):"), w.block(f"for _j in T.vectorized({bk}):"):
            k = _k_index(ctx, "_d", "_j")
            w(f"_s[_i, _j] = _s[_i, _j] + {_q(ctx, row, qh, qrow, '_d')} * {k}")


def _emit_qk_rows(ctx: _Emitter, full: bool, row: str, qh: str, qrow: str) -> None:
    """_s[i, j] = Q[row i, :] . K[key j, :]: vectors along D, one horizontal sum per score."""
    w, cfg, spec = ctx.w, ctx.cfg, ctx.spec
    rb, bk, d = cfg.rb, cfg.bk, spec.D
    vd = cfg.vl if d % cfg.vl == 0 else d
    key = f"_kt * {bk} + _j" if full else f"T.min(_kt * {bk} + _j, M - 1)"
    local = "_j" if full else f"T.min(_j, M - 1 - _kt * {bk})"  # in the gathered tile
    # K in parts (MLA) whose bounds fall on vector chunks: each chunk loop reads one part
    segments = [(0, d, None, 0)]
    if spec.k_parts and not cfg.gather_kv:
        parts = _k_segments(ctx)
        if all(off % vd == 0 and width % vd == 0 for _, off, width in parts):
            segments = [(off, off + width, t, off) for t, off, width in parts]
    with w.block(f"for _j in range({bk}):"), w.block(f"for _i in T.unroll({rb}):"):
        w(f'_dv = T.alloc_buffer(({vd},), "float32")')

        def k_at(e: str, part: str | None, off: int) -> str:
            if part is None:
                return _k_load(ctx, "_b", "_g", key, e, local)
            at = f"{e} - {off}" if off else e
            return f"({fmt(part, b='_b', g='_g', m=key, d=at, p='_p0')})"

        first = segments[0]
        with w.block(f"for _e in T.vectorized({vd}):"):
            w(f"_dv[_e] = {_q(ctx, row, qh, qrow, '_e')} * {k_at('_e', first[2], 0)}")
        for lo, hi, part, off in segments:
            start = max(lo // vd, 1)
            if start >= hi // vd:
                continue
            with (
                w.block(f"for _do in range({start}, {hi // vd}):"),
                w.block(f"for _e in T.vectorized({vd}):"),
            ):
                e = f"_do * {vd} + _e"
                w(f"_dv[_e] = _dv[_e] + {_q(ctx, row, qh, qrow, e)} * {k_at(e, part, off)}")
        # the horizontal sum in halves (vector adds of the upper half onto the lower) down to
        # 4 lanes, then a scalar tree
        live = vd
        while live % 2 == 0 and live // 2 >= 4:
            live //= 2
            with w.block(f"for _e in T.vectorized({live}):"):
                w(f"_dv[_e] = _dv[_e] + _dv[_e + {live}]")
        w(f"_s[_i, _j] = {tree('T.Add', [f'_dv[{e}]' for e in range(live)])}")


def _emit_qk_softmax(ctx: _Emitter, full: bool, ib: str) -> None:
    """Scores of rows [ib*rb, ib*rb + rb) against key tile _kt, then the online softmax."""
    w, cfg = ctx.w, ctx.cfg
    rb, bk, vl = cfg.rb, cfg.bk, cfg.vl
    w(f'_s = T.alloc_buffer(({rb}, {bk}), "float32")')
    with w.block(f"for _i in T.unroll({rb}):"), w.block(f"for _j in T.vectorized({bk}):"):
        w("_s[_i, _j] = T.float32(0)")
    row = f"{ib} * {rb} + _i"
    qh, qrow = ctx.row_h(row), ctx.row_p(row)
    if cfg.k_layout == "rows":
        _emit_qk_rows(ctx, full, row, qh, qrow)
    else:
        _emit_qk_tiles(ctx, row, qh, qrow)
    if ctx.spec.weight is not None:  # no softmax: the weights are the PV operand, no state
        with (
            w.block(f"for _i in T.unroll({rb}):"),
            w.block(f"for _jo in T.unroll({bk // vl}):"),
            w.block(f"for _j in T.vectorized({vl}):"),
        ):
            w(f"_r = T.meta_var({ib} * {rb} + _i)")
            sv = f"_s[_i, _jo * {vl} + _j]"
            mk = f"_kt * {bk} + _jo * {vl} + _j"
            rh, rp = ctx.row_h("_r"), ctx.row_p("_r")
            w(f"{sv} = {_modified(ctx, sv, rh, rp, mk if full else f'T.min({mk}, M - 1)')}")
            w(f"_Pt[_r, _jo * {vl} + _j] = {_score(ctx, sv, rh, rp, mk, full)}")
        if ctx.spec.normalized:
            _emit_weight_sums(ctx, full, ib)
        return
    with w.block(f"for _i in T.unroll({rb}):"):
        w(f"_r = T.meta_var({ib} * {rb} + _i)")
        rs = "_r"
        if ctx.inside:  # the row's running state: every head's tile in one buffer
            rs = "_rs"
            w(f"_rs = T.meta_var({ctx.srow('_r')})")
        w(f'_mx = T.alloc_buffer(({vl},), "float32")')
        with w.block(f"for _j in T.vectorized({vl}):"):  # a full tile: every row has keys
            w(f"_mx[_j] = {FLOOR if full else MASKED}")
        with (
            w.block(f"for _jo in T.unroll({bk // vl}):"),
            w.block(f"for _j in T.vectorized({vl}):"),
        ):
            sv = f"_s[_i, _jo * {vl} + _j]"
            mk = f"_kt * {bk} + _jo * {vl} + _j"
            w(f"{sv} = {_score(ctx, sv, ctx.row_h('_r'), ctx.row_p('_r'), mk, full)}")
            w(f"_mx[_j] = T.max(_mx[_j], {sv})")
        w('_st = T.alloc_buffer((2,), "float32")')
        w(f"_st[0] = T.max(_mrun[{rs}], {tree('T.max', [f'_mx[{i}]' for i in range(vl)])})")
        w(f"_st[1] = T.if_then_else(_st[0] == {MASKED}, T.float32(0), _st[0])")
        w(f"_alpha[{rs}] = {exp2(f'_mrun[{rs}] - _st[1]')}")
        w(f"_mrun[{rs}] = _st[0]")
        w(f'_sm = T.alloc_buffer(({vl},), "float32")')
        with w.block(f"for _j in T.vectorized({vl}):"):
            w("_sm[_j] = T.float32(0)")
        with (
            w.block(f"for _jo in T.unroll({bk // vl}):"),
            w.block(f"for _j in T.vectorized({vl}):"),
        ):
            sv = f"_s[_i, _jo * {vl} + _j]"
            pt = f"_Pt[_r, _jo * {vl} + _j]"
            w(f"{pt} = {exp2(f'{sv} - _st[1]')}")
            w(f"_sm[_j] = _sm[_j] + {pt}")
        total = tree("T.Add", [f"_sm[{i}]" for i in range(vl)])
        w(f"_lrun[{rs}] = _lrun[{rs}] * _alpha[{rs}] + {total}")


def _emit_weight_sums(ctx: _Emitter, full: bool, ib: str) -> None:
    """Normalised weighted sums: each row's running sum of its weights (``_lrun``) and
    whether it saw a visible key (``_mrun`` 0, else -inf): a row with none gives 0, a row
    whose weights sum to 0 divides by it, as the reference."""
    w, cfg = ctx.w, ctx.cfg
    rb, bk, vl = cfg.rb, cfg.bk, cfg.vl
    with w.block(f"for _i in T.unroll({rb}):"):
        w(f"_r = T.meta_var({ib} * {rb} + _i)")
        rs = ctx.srow("_r")
        w(f'_sm = T.alloc_buffer(({vl},), "float32")')
        w(f'_fv = T.alloc_buffer(({vl},), "float32")')
        with w.block(f"for _j in T.vectorized({vl}):"):
            w("_sm[_j] = T.float32(0)")
            w(f"_fv[_j] = {MASKED}")
        with (
            w.block(f"for _jo in T.unroll({bk // vl}):"),
            w.block(f"for _j in T.vectorized({vl}):"),
        ):
            w(f"_sm[_j] = _sm[_j] + _Pt[_r, _jo * {vl} + _j]")
            mk = f"_kt * {bk} + _jo * {vl} + _j"
            seen = (
                "T.float32(0)"
                if full
                else (
                    f"T.if_then_else({_visible(ctx, ctx.row_h('_r'), ctx.row_p('_r'), mk)}, "
                    f"T.float32(0), {MASKED})"
                )
            )
            w(f"_fv[_j] = T.max(_fv[_j], {seen})")
        w(f"_lrun[{rs}] = _lrun[{rs}] + {tree('T.Add', [f'_sm[{i}]' for i in range(vl)])}")
        w(f"_mrun[{rs}] = T.max(_mrun[{rs}], {tree('T.max', [f'_fv[{i}]' for i in range(vl)])})")


def _pv_chunks(ctx: _Emitter) -> list[tuple[int, int]]:
    dv, cw = ctx.spec.DV, ctx.cfg.pv_cols
    return [(c0, min(cw, dv - c0)) for c0 in range(0, dv, cw)]


def _emit_pv(ctx: _Emitter, full: bool, ib: str) -> None:
    """Rows [ib*rbv, ib*rbv + rbv) of the output accumulator += P-tile · V-tile."""
    w, cfg = ctx.w, ctx.cfg
    rbv, bk = cfg.rbv, cfg.bk
    k0 = "0"
    keys = str(bk)
    if not full:  # keys in [_klo, _khi) only; TVM 0.27 miscompiles range(start, stop) here
        w(f"_k0 = T.max(_klo - _kt * {bk}, 0)")
        k0, keys = "_k0", f"T.min({bk}, _khi - _kt * {bk}) - _k0"
    for c, (c0, cw) in enumerate(_pv_chunks(ctx)):
        o = f"_o{c}"
        w(f'{o} = T.alloc_buffer(({rbv}, {cw}), "float32")')
        row = f"{ib} * {rbv} + _i"
        srow = ctx.srow(row)
        with w.block(f"for _i in T.unroll({rbv}):"), w.block(f"for _j in T.vectorized({cw}):"):
            rescale = "" if ctx.spec.weight is not None else f" * _alpha[{srow}]"
            w(f"{o}[_i, _j] = _Oa[{srow}, {c0} + _j]{rescale}")
        with (
            w.block(f"for _k in range({keys}):"),
            w.block(f"for _i in T.unroll({rbv}):"),
            w.block(f"for _j in T.vectorized({cw}):"),
        ):
            vk = _v_load(ctx, "_b", "_g", f"_kt * {bk} + {k0} + _k", f"{c0} + _j", f"{k0} + _k")
            w(f"{o}[_i, _j] = {o}[_i, _j] + _Pt[{row}, {k0} + _k] * {vk}")
        with w.block(f"for _i in T.unroll({rbv}):"), w.block(f"for _j in T.vectorized({cw}):"):
            w(f"_Oa[{srow}, {c0} + _j] = {o}[_i, _j]")


def _emit_tile(ctx: _Emitter, full: bool) -> None:
    w, cfg = ctx.w, ctx.cfg
    if cfg.fuse_pv:
        with w.block(f"for _ib in range((_nr + {cfg.rb - 1}) // {cfg.rb}):"):
            _emit_qk_softmax(ctx, full, "_ib")
            _emit_pv(ctx, full, "_ib")
        return
    # row blocks past the tile's last row are skipped (a short last tile; decode, P = 1)
    with w.block(f"for _ib in range((_nr + {cfg.rb - 1}) // {cfg.rb}):"):
        _emit_qk_softmax(ctx, full, "_ib")
    with w.block(f"for _ib in range((_nr + {cfg.rbv - 1}) // {cfg.rbv}):"):
        _emit_pv(ctx, full, "_ib")


def _emit_key_loop(ctx: _Emitter) -> None:
    """Key tiles of every band: skipped when empty, predicate-free when full; with the
    pre-pass (:mod:`~attncc.targets.cpu.flash_tiles`), as its classes say."""
    w = ctx.w
    cls = tile_class(ctx)
    for i, (lo, hi) in enumerate(band_ranges(ctx, main=True)):
        with ExitStack() as loops:
            loops.enter_context(w.block(f"for _kt in range({lo}, {hi}):"))
            if ctx.cfg.gather_kv:
                _emit_gather(ctx)
            if ctx.inside:  # every head reads this key tile while it is in cache
                loops.enter_context(w.block(f"for _hi in range({ctx.heads}):"))
                _emit_head(ctx, "_hi")
            if cls is not None:
                w(f"_c{i} = {cls}")
                full, part = f"_c{i} == 2", f"_c{i} == 1"
            else:
                full, part = f"_tb{i} <= _kt and _kt < _tc{i}", None
            with w.block(f"if {full}:"):
                _emit_tile(ctx, full=True)
            if part is None:
                with w.block("else:"):
                    _emit_tile(ctx, full=False)
            else:
                with w.block("else:"), w.block(f"if {part}:"):
                    _emit_tile(ctx, full=False)


def _emit_gather(ctx: _Emitter) -> None:
    """Copy key tile ``_kt`` of K and V, every kv head, into ``_Kl`` / ``_Vl`` in key order:
    a paged NHD pool is then read a page at a time, front to back, as the prefetchers like
    (one 512-byte row of a head per 4 KB stalled on every load when each head read its own
    rows)."""
    w, spec, bk = ctx.w, ctx.spec, ctx.cfg.bk
    with w.block(f"for _j in range({bk}):"), w.block(f"for _gg in range({spec.HK}):"):
        key = f"T.min(_kt * {bk} + _j, M - 1)"
        with w.block(f"for _d in T.vectorized({spec.D}):"):
            w(f"_Kl[_gg, _j, _d] = {_k_load(ctx, '_b', '_gg', key, '_d')}")
        with w.block(f"for _d in T.vectorized({spec.DV}):"):
            w(f"_Vl[_gg, _j, _d] = {_v_load(ctx, '_b', '_gg', key, '_d')}")


def _emit_head(ctx: _Emitter, head: str) -> None:
    """The work item's head variables (``_g``; ``_h`` unless ``pack_gqa``) from ``head``."""
    if ctx.cfg.pack_gqa:
        ctx.w(f"_g = {head}")
    else:
        ctx.w(f"_h = {head}")
        ctx.w(f"_g = _h // {ctx.grp}")


def _emit_pack(ctx: _Emitter) -> None:
    w, spec, cfg = ctx.w, ctx.spec, ctx.cfg
    bk = cfg.bk
    if cfg.k_layout in ("rows", "packed"):
        return
    if cfg.k_layout == "tiles":
        shape = f"{batch(spec)}, {spec.HK}, {ctx.nkt}, {spec.D}, {bk}"
    else:
        shape = f"{batch(spec)}, {spec.HK}, {spec.D}, {ctx.nkt} * {bk}"
    w(f'_Kp = T.alloc_buffer(({shape}), "float32")')
    with w.block(f"for _w in T.parallel({times_b(spec, spec.HK)} * {ctx.nkt}):"):
        w(f"_b = _w // ({spec.HK} * {ctx.nkt})")
        w(f"_g = _w // {ctx.nkt} % {spec.HK}")
        w(f"_kt = _w % {ctx.nkt}")
        with w.block(f"for _j in range({bk}):"), w.block(f"for _d in range({spec.D}):"):
            mk = f"_kt * {bk} + _j"
            k = _k_load(ctx, "_b", "_g", f"T.min({mk}, M - 1)", "_d")
            val = f"T.if_then_else({mk} < M, {k}, T.float32(0))"
            w(f"{_k_index(ctx, '_d', '_j')} = {val}")


def _emit_main(ctx: _Emitter) -> None:
    w, spec, cfg = ctx.w, ctx.spec, ctx.cfg
    bq, dv = cfg.bq, spec.DV
    ns = cfg.split_kv
    heads = ctx.heads
    hv = "_g" if cfg.pack_gqa else "_h"
    loops = ExitStack()
    if cfg.parallel in ("bhq", "bq"):
        items = heads * ns if cfg.parallel == "bhq" else ns
        loops.enter_context(w.block(f"for _w in T.parallel({times_b(spec, items)} * {ctx.nqt}):"))
        w(f"_b = _w // ({items} * {ctx.nqt})")
        if cfg.parallel == "bhq":
            w(f"{hv} = _w // ({ns} * {ctx.nqt}) % {heads}")
        # zigzag: TVM splits a parallel loop into contiguous chunks, one per thread; this mixes
        # cheap and expensive causal query tiles in every chunk
        w(f"_qi = _w // {ns} % {ctx.nqt}")
        w(f"_qt = T.if_then_else(_qi % 2 == 0, _qi // 2, {ctx.nqt} - 1 - _qi // 2)")
        w(f"_sp = _w % {ns}")
    else:
        loops.enter_context(w.block(f"for _w in T.parallel({times_b(spec, heads * ns)}):"))
        w(f"_b = _w // {heads * ns}")
        w(f"{hv} = _w // {ns} % {heads}")
        w(f"_sp = _w % {ns}")
        loops.enter_context(w.block(f"for _qt in range({ctx.nqt}):"))
    if not cfg.pack_gqa and not ctx.inside:
        w(f"_g = _h // {ctx.grp}")
    w(f"_p0 = _qt * {ctx.qp}")
    w(f"_p1 = T.min(_p0 + {ctx.qp}, P)")
    w(f"_nr = (_p1 - _p0) * {ctx.grp}" if cfg.pack_gqa else "_nr = _p1 - _p0")  # rows in use
    if ns > 1:
        w(f"_cs = ({ctx.nkt} + {ns - 1}) // {ns}")
        w("_sa = _sp * _cs")
        w("_sd = _sa + _cs")
    rows = bq * heads if ctx.inside else bq  # state rows: every head's with parallel="bq"
    for name in ("_mrun", "_lrun", "_alpha"):
        w(f'{name} = T.alloc_buffer(({rows},), "float32")')
    w(f'_Oa = T.alloc_buffer(({rows}, {dv}), "float32")')
    w(f'_Pt = T.alloc_buffer(({bq}, {cfg.bk}), "float32")')
    if _copies_q(spec):
        _emit_q_copy(ctx)
    if cfg.gather_kv:
        w(f'_Kl = T.alloc_buffer(({spec.HK}, {cfg.bk}, {spec.D}), "float32")')
        w(f'_Vl = T.alloc_buffer(({spec.HK}, {cfg.bk}, {dv}), "float32")')
    with w.block(f"for _r in range({rows}):"):
        w(f"_mrun[_r] = {MASKED}")
        w("_lrun[_r] = T.float32(0)")
        with w.block(f"for _j in T.vectorized({dv}):"):
            w("_Oa[_r, _j] = T.float32(0)")
    _emit_key_loop(ctx)
    rp, rh = ctx.row_p("_r", clamp=False), ctx.row_h("_r")
    with ExitStack() as out:
        _enter_tile_rows(ctx, out)
        out.enter_context(w.block(f"if {rp} < P:"))
        rs = ctx.srow("_r")
        if ns == 1 and spec.normalized:  # divided by the weights' sum; no key: 0
            rl, rm = f"_lrun[{rs}]", f"_mrun[{rs}]"
            inv = f"T.if_then_else({rm} == {MASKED}, T.float32(0), T.float32(1) / {rl})"
            w(f"_inv = T.meta_var({inv})")
            with w.block(f"for _j in T.vectorized({dv}):"):
                w(f"O[_b, {rh}, {rp}, _j] = {_o_value(ctx, f'_Oa[{rs}, _j] * _inv')}")
        elif ns == 1 and spec.weight is not None:  # a weighted sum: the accumulator as it is
            with w.block(f"for _j in T.vectorized({dv}):"):
                w(f"O[_b, {rh}, {rp}, _j] = {_o_value(ctx, f'_Oa[{rs}, _j]')}")
        elif ns == 1:
            w(f"_inv = T.meta_var({inverse(f'_mrun[{rs}]', f'_lrun[{rs}]')})")
            with w.block(f"for _j in T.vectorized({dv}):"):
                w(f"O[_b, {rh}, {rp}, _j] = {_o_value(ctx, f'_Oa[{rs}, _j] * _inv')}")
            if spec.lse:
                w(f"LSE[_b, {rh}, {rp}] = {log_sum_exp(f'_mrun[{rs}]', f'_lrun[{rs}]')}")
        else:
            if spec.weight is None:
                w(f"_Ms[_b, {rh}, _sp, {rp}] = _mrun[{rs}]")
                w(f"_Ls[_b, {rh}, _sp, {rp}] = _lrun[{rs}]")
            with w.block(f"for _j in T.vectorized({dv}):"):
                w(f"_Os[_b, {rh}, _sp, {rp}, _j] = _Oa[{rs}, _j]")
    loops.close()


def _emit_merge(ctx: _Emitter) -> None:
    """Split-KV: merge the partial (max, sum, out) states of every split (log2 units)."""
    w, spec, ns, dv = ctx.w, ctx.spec, ctx.cfg.split_kv, ctx.spec.DV
    with w.block(f"for _w in T.parallel({times_b(spec, spec.H)} * P):"):
        w(f"_b = _w // ({spec.H} * P)")
        w(f"_h = _w // P % {spec.H}")
        w("_p = _w % P")
        if spec.weight is not None:  # weighted sums add up
            with w.block(f"for _j in T.vectorized({dv}):"):
                total = tree("T.Add", [f"_Os[_b, _h, {s}, _p, _j]" for s in range(ns)])
                w(f"O[_b, _h, _p, _j] = {_o_value(ctx, total)}")
            return
        w('_st = T.alloc_buffer((3,), "float32")')
        mx = tree("T.max", [f"_Ms[_b, _h, {s}, _p]" for s in range(ns)])
        w(f"_st[0] = T.if_then_else({mx} == {MASKED}, T.float32(0), {mx})")
        w(f'_c = T.alloc_buffer(({ns},), "float32")')
        w("_st[1] = T.float32(0)")
        with w.block(f"for _s in T.unroll({ns}):"):
            w(f"_c[_s] = {exp2('_Ms[_b, _h, _s, _p] - _st[0]')}")
            w("_st[1] = _st[1] + _c[_s] * _Ls[_b, _h, _s, _p]")
        w(f"_st[2] = {inverse(mx, '_st[1]')}")
        with w.block(f"for _j in T.vectorized({dv}):"):
            terms = [f"_c[{s}] * _Os[_b, _h, {s}, _p, _j]" for s in range(ns)]
            merged = f"({tree('T.Add', terms)}) * _st[2]"
            w(f"O[_b, _h, _p, _j] = {_o_value(ctx, merged)}")
        if spec.lse:  # in log2 units the merged max is mx (the split with the largest)
            w(f"LSE[_b, _h, _p] = {log_sum_exp(mx, '_st[1]')}")


_ARG_DTYPE = {
    "float32": "T.float32",
    "int32": "T.int32",
    "bool": "T.bool",
    "int64": "T.int64",
    "float64": "T.float64",
}


def generate(spec: FlashSpec, config: FlashConfig | None = None, attend: bool = True) -> str:
    """TVMScript source of one PrimFunc ``spec.name(q, k, v, o, *tensors, *scalars)``.

    ``attend=False``: the tile-classification pre-pass alone, ``O`` left untouched (what a
    benchmark times to report the pre-pass's cost).

    >>> src = generate(FlashSpec(B=1, H=2, HK=1, D=16, DV=16, **causal()))
    >>> src.splitlines()[0]
    '@T.prim_func'
    """
    cfg = config or FlashConfig()
    check_config(spec, cfg)
    ctx = _Emitter(spec, cfg)
    w = ctx.w
    scalars = {s.name: s.dtype for s in spec.scalars}
    if m_is_arg(spec):
        scalars["M"] = "int32"
    args = []
    cached = classes_cached(spec, cfg)
    for name in signature(spec) + (TILE_CLASSES if cached else ()):
        if name == TILE_CLASSES[1]:
            args.append(f"{name}: T.int32")
            continue
        if name not in scalars:
            args.append(f"{name}_h: T.handle")
        elif scalars[name] not in _ARG_DTYPE:
            raise LoweringError(
                f"scalar {name}: dtype {scalars[name]!r} not in {sorted(_ARG_DTYPE)}"
            )
        else:
            args.append(f"{name}: {_ARG_DTYPE[scalars[name]]}")
    w("@T.prim_func")
    with w.block(f"def {spec.name}({', '.join(args)}):"):
        w(f'T.func_attr({{"global_symbol": "{spec.name}", "tirx.noalias": True}})')
        w("P = T.int32()" if spec.P is None else f"P = T.meta_var({spec.P})")
        if spec.B is None:
            w("B = T.int32()")
        if spec.M is not None:
            w(f"M = T.meta_var({spec.M})")
        elif not m_is_arg(spec):
            w("M = T.int32()")
        dims_own = {x for t in spec.tensors for x in t.shape if isinstance(x, str)}
        for x in sorted(dims_own - set(DIM_NAMES)):
            w(f"{x} = T.int32()")
        b, h, hk, d, dv = batch(spec), spec.H, spec.HK, spec.D, spec.DV
        # inputs: align=4, they come zero-copy from numpy / torch at any element alignment
        dq = d - sum(n for _, n in spec.q_parts)  # Q's own part of the head dim
        w(f'Q = T.match_buffer(q_h, ({b}, {h}, P, {dq}), "{spec.q_dtype}", align=4)')
        if spec.v_load is None:
            w(f'V = T.match_buffer(v_h, ({b}, {hk}, M, {dv}), "float32", align=4)')
        if spec.k_load is not None:
            pass
        elif cfg.k_layout == "packed":
            shape = f"({b}, {hk}, {ctx.nkt}, {d}, {cfg.bk})"
            w(f'K = T.match_buffer(k_h, {shape}, "float32", align=4)')
        else:
            w(f'K = T.match_buffer(k_h, ({b}, {hk}, M, {d}), "float32", align=4)')
        o_buf = "float16" if spec.o_dtype == "float16" else "float32"  # bf16: held in f32
        w(f'O = T.match_buffer(o_h, ({b}, {h}, P, {dv}), "{o_buf}")')
        if spec.lse:
            w(f'LSE = T.match_buffer(lse_h, ({b}, {h}, P), "float32")')
        dims = {"B": b, "H": h, "HK": hk, "P": "P", "M": "M", "D": d, "DV": dv}
        for t in spec.tensors:
            shape = ", ".join(
                str(dims.get(x, x)) if isinstance(x, str) else str(x) for x in t.shape
            )
            w(f'{t.name} = T.match_buffer({t.name}_h, ({shape},), "{t.dtype}", align=4)')
        emit_helpers(w, spec)
        if (line := class_buffer(ctx)) is not None:
            w(line)
        if cfg.split_kv > 1:
            ns = cfg.split_kv
            if spec.weight is None:  # (unread buffers fail in TVM 0.27: "used before def")
                w(f'_Ms = T.alloc_buffer(({b}, {h}, {ns}, P), "float32")')
                w(f'_Ls = T.alloc_buffer(({b}, {h}, {ns}, P), "float32")')
            w(f'_Os = T.alloc_buffer(({b}, {h}, {ns}, P, {dv}), "float32")')
        if attend:
            _emit_pack(ctx)
        emit_prepass(ctx)
        if not attend and prepass_used(ctx):  # a read of the classes keeps the pass alive
            w(f"O[0, 0, 0, 0] = {_o_value(ctx, 'T.Cast(' + repr('float32') + ', _Tc[0, 0, 0])')}")
        if attend:
            _emit_main(ctx)
        if attend and cfg.split_kv > 1:
            _emit_merge(ctx)
    return "\n".join(w.lines) + "\n"
