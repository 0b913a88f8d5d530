"""Fused one-pass attention for WebGPU, generated as TVMScript with thread bindings.

``generate(spec, config)`` takes the shared :class:`~attncc.targets.tvm.flash_spec.FlashSpec`
(the same hooks as the CPU flash kernel: score_mod, mask, bands, K / V loads, extra tensors
and scalars, so the IR matching and expression printing are shared) and returns one
PrimFunc whose body is bound to ``blockIdx.x`` × ``threadIdx.y`` × ``threadIdx.x``; TVM's
``webgpu`` target turns it into one WGSL compute shader.

One workgroup computes ``bq`` query rows of one (batch, head): thread row ``ty`` owns query
``p0 + ty`` and its ``wg_x`` threads split the work along keys (scores) and value columns
(each owns ``vpt`` of them, ``f = tx + c · wg_x``). Per key tile of ``bk`` keys, in
workgroup memory: K tile → ``S = q · Kᵀ`` (scaled, score_mod, mask, log2 units) → V tile in
K's place → running max / rescale → ``P = exp2(S − max)`` in place → ``acc = acc · α + P V``.
Key tiles outside every band are never visited (sliding windows, causal); a row that sees
no key gets 0.

NaN and ±inf propagate as in the reference (docs/language.md, "NaN and infinities") with
finite sentinels, since WGSL has neither literal: a masked score is ``NEG`` (−3e38), a
present one at least ``FLOOR`` (−2e38, a select: WGSL's ``max`` may drop a NaN), so a row
whose present scores are all −inf ends ``0 / 0`` = NaN at run time and a row with no key
0; the final division has no ``l > 0`` test that would turn a NaN into 0. V is 0 at keys
outside the bands' range for the workgroup (masked for every row). The exception: a NaN or
±inf in V at a key masked for one row but visible to another row of the workgroup reaches
the first as NaN (``0 · NaN``): over-reported, never hidden.

Workgroup storage is ``4 · (bk · max(D, DV) + bq · bk)`` bytes; the target's constraints
keep it, the invocations and the workgroup shape within WebGPU's default limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from attncc.errors import LoweringError
from attncc.lowering.writer import Writer
from attncc.targets.tvm.flash_spec import Band
from attncc.targets.tvm.flash_spec import FlashSpec
from attncc.targets.tvm.flash_spec import fill
from attncc.targets.tvm.flash_spec import signature

__all__ = ["WgFlashConfig", "generate", "workgroup_bytes"]

LOG2E = 1.4426950408889634
NEG = "T.float32(-3.0e38)"  # a masked score, and the running max of a row with no key yet
_MASKED = "T.float32(-1.0e38)"  # below this a score is masked (P = 0)
# A present score counts at least FLOOR (a -inf one too): a row max above NEG means "some
# key", so "every present score -inf" (NaN in the reference) stays apart from "no key" (0).
# WGSL has no infinity or NaN literal; the NaN is 0 / 0 at run time (see generate()).
FLOOR = "T.float32(-2.0e38)"
_SCALAR = {"float32": "T.float32", "int32": "T.int32", "bool": "T.bool"}


@dataclass(frozen=True, slots=True)
class WgFlashConfig:
    """Knobs: threads per query row ``wg_x`` (the workgroup is ``wg_x × bq``), query rows
    per workgroup ``bq``, keys per tile ``bk``, value columns per thread ``vpt``."""

    wg_x: int = 16
    bq: int = 8
    bk: int = 32
    vpt: int = 4


def workgroup_bytes(spec: FlashSpec, cfg: WgFlashConfig) -> int:
    """Bytes of workgroup storage: one K-or-V tile and one score tile, float32."""
    return 4 * (cfg.bk * max(spec.D, spec.DV) + cfg.bq * cfg.bk)


def generate(spec: FlashSpec, cfg: WgFlashConfig, dtypes: dict[str, str] | None = None) -> str:
    """TVMScript of ``spec.name(*signature(spec))`` for WebGPU; ``dtypes`` maps an extra
    tensor's name to the element type its device buffer holds (widened i8 / bool / f16)."""
    if cfg.wg_x * cfg.vpt < spec.DV:
        raise LoweringError(
            f"wg_x={cfg.wg_x} threads × vpt={cfg.vpt} values cover {cfg.wg_x * cfg.vpt} "
            f"value columns, fewer than DV={spec.DV}"
        )
    dtypes = dtypes or {}
    w = Writer()
    B, H, HK, D, DV = spec.B, spec.H, spec.HK, spec.D, spec.DV
    grp = H // HK
    bq, bk, wx, vpt = cfg.bq, cfg.bk, cfg.wg_x, cfg.vpt
    nthreads = wx * bq
    dmax = max(D, DV)
    scale = spec.scale if spec.scale is not None else 1.0 / math.sqrt(D)
    scalars = {s.name: s.dtype for s in spec.scalars}
    sig = signature(spec)
    if sig[-1] == "M" and "M" not in scalars:
        scalars["M"] = "int32"
    args = []
    for name in sig:
        if name in scalars:
            if scalars[name] not in _SCALAR:
                raise LoweringError(f"scalar {name}: dtype {scalars[name]} has no WGSL type")
            args.append(f"{name}: {_SCALAR[scalars[name]]}")
        else:
            args.append(f"{name}_h: T.handle")
    w("@T.prim_func")
    w.open(f"def {spec.name}({', '.join(args)}):")
    w(f'T.func_attr({{"global_symbol": "{spec.name}", "tirx.noalias": True}})')
    w("P = T.int32()" if spec.P is None else f"P = T.meta_var({spec.P})")
    if spec.M is not None:
        w(f"M = T.meta_var({spec.M})")
    elif "M" not in scalars:
        w("M = T.int32()")
    own = {x for t in spec.tensors for x in t.shape if isinstance(x, str)}
    for x in sorted(own - {"B", "H", "HK", "P", "M", "D", "DV"}):
        w(f"{x} = T.int32()")
    w(f'Q = T.match_buffer(q_h, ({B}, {H}, P, {D}), "float32")')
    if spec.k_load is None:
        w(f'K = T.match_buffer(k_h, ({B}, {HK}, M, {D}), "float32")')
    if spec.v_load is None:
        w(f'V = T.match_buffer(v_h, ({B}, {HK}, M, {DV}), "float32")')
    w(f'O = T.match_buffer(o_h, ({B}, {H}, P, {DV}), "float32")')
    dims = {"B": B, "H": H, "HK": HK, "P": "P", "M": "M", "D": D, "DV": DV}
    for t in spec.tensors:
        shape = ", ".join(str(dims.get(x, x)) if isinstance(x, str) else str(x) for x in t.shape)
        dtype = dtypes.get(t.name, t.dtype)
        w(f'{t.name} = T.match_buffer({t.name}_h, ({shape},), "{dtype}")')

    nqt = f"((P + {bq - 1}) // {bq})"
    w.open(f'for bx in T.thread_binding({B * H} * {nqt}, thread="blockIdx.x"):')
    w.open(f'for ty in T.thread_binding({bq}, thread="threadIdx.y"):')
    w.open(f'for tx in T.thread_binding({wx}, thread="threadIdx.x"):')
    w(f'KV = T.alloc_buffer(({bk * dmax},), "float32", scope="shared")')
    w(f'S = T.alloc_buffer(({bq * bk},), "float32", scope="shared")')
    w(f'qr = T.alloc_buffer(({D},), "float32", scope="local")')
    w(f'acc = T.alloc_buffer(({vpt},), "float32", scope="local")')
    w('st = T.alloc_buffer((4,), "float32", scope="local")')  # max, sum, alpha, dot
    w(f"b = T.meta_var(bx // ({H} * {nqt}))")
    w(f"h = T.meta_var(bx // {nqt} % {H})")
    w(f"g = T.meta_var(bx // {nqt} % {H} // {grp})")
    w(f"p0 = T.meta_var(bx % {nqt} * {bq})")
    w(f"p1 = T.meta_var(T.min(bx % {nqt} * {bq} + {bq}, P))")
    w("p = T.meta_var(p0 + ty)")
    w("pc = T.meta_var(T.min(p0 + ty, P - 1))")
    w(f"tid = T.meta_var(ty * {wx} + tx)")
    w.open(f"for d in range({D}):")
    w("qr[d] = Q[b, h, pc, d]")
    w.close()
    w(f"st[0] = {NEG}")
    w("st[1] = T.float32(0)")
    w.open(f"for c in range({vpt}):")
    w("acc[c] = T.float32(0)")
    w.close()
    tile = {"p0": "p0", "p1": "p1", "b": "b", "h": "h", "g": "g"}
    bands = [{k: fill(getattr(b, k), **tile) for k in ("lo", "hi")} for b in _bands(spec)]
    # keys outside [_klo, _khi) are masked for every row of the workgroup: V is 0 there, so
    # garbage (a page's slots past KVLEN) never meets P = 0
    klo = _tree("T.min", ["T.max({}, 0)".format(e["lo"]) for e in bands])
    khi = _tree("T.max", ["T.min({}, M)".format(e["hi"]) for e in bands])
    w(f"_klo = T.meta_var({klo})")
    w(f"_khi = T.meta_var({khi})")
    prev = None
    for i, e in enumerate(bands):
        lo = f"T.max({e['lo']}, 0) // {bk}"
        ta = lo if prev is None else f"T.max({lo}, {prev})"
        td = f"T.max((T.min({e['hi']}, M) + {bk - 1}) // {bk}, {ta})"
        w(f"ta{i} = T.meta_var({ta})")
        w(f"td{i} = T.meta_var({td})")
        w.open(f"for kt in range(ta{i}, td{i}):")
        _tile(w, spec, cfg, nthreads, scale)
        w.close()
        prev = f"td{i}"
    w.open(f"for c in range({vpt}):")
    w(f"f = T.meta_var(tx + c * {wx})")
    cond = "p < P" if wx * vpt == DV else f"p < P and f < {DV}"
    w.open(f"if {cond}:")
    # no key: 0. Every present score -inf: l == 0 with a max of FLOOR, acc / l = 0 / 0 = NaN.
    # A NaN l stays NaN (an "l > 0" test would give 0).
    none = f"T.And(st[0] == {NEG}, st[1] == T.float32(0))"
    inv = f"T.if_then_else({none}, T.float32(0), acc[c] / st[1])"
    w(f"O[b, h, p, f] = {inv}")
    return "\n".join(w.lines) + "\n"


def _bands(spec: FlashSpec) -> tuple[Band, ...]:
    if spec.bands is not None:
        return spec.bands
    return (Band("0", "M"),)


def _tree(op: str, items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{op}({items[0]}, {_tree(op, items[1:])})"


def _cooperative_load(w: Writer, nthreads: int, rows: int, cols: int, value: str) -> None:
    """``KV[j * cols + x] = value(j, x)`` for a ``rows × cols`` tile, by every thread."""
    n = rows * cols
    w.open(f"for it in range({-(-n // nthreads)}):")
    w(f"idx = T.meta_var(it * {nthreads} + tid)")
    if n % nthreads:
        w.open(f"if idx < {n}:")
    w(f"KV[idx] = {value.format(j=f'(idx // {cols})', x=f'(idx % {cols})')}")
    w.depth -= 1 + bool(n % nthreads)


def _tile(w: Writer, spec: FlashSpec, cfg: WgFlashConfig, nthreads: int, scale: float) -> None:
    bk, wx, vpt = cfg.bk, cfg.wg_x, cfg.vpt
    D, DV = spec.D, spec.DV
    m = "(kt * {bk} + {j})"
    mc = f"T.min(kt * {bk} + {{j}}, M - 1)"

    def kload(j: str, d: str) -> str:
        mm = mc.format(j=j)
        if spec.k_load is None:
            return f"K[b, g, {mm}, {d}]"
        return fill(spec.k_load, b="b", g="g", m=mm, d=d)

    def vload(j: str, f: str) -> str:
        mm = mc.format(j=j)
        if spec.v_load is None:
            return f"V[b, g, {mm}, {f}]"
        return fill(spec.v_load, b="b", g="g", m=mm, f=f)

    zero = "T.float32(0)"
    kv = "T.if_then_else(kt * {bk} + {j} < M, {v}, " + zero + ")"
    vv = "T.if_then_else(T.And(kt * {bk} + {j} >= _klo, kt * {bk} + {j} < _khi), {v}, "
    vv += zero + ")"
    _cooperative_load(
        w, nthreads, bk, D,
        kv.replace("{bk}", str(bk)).replace("{v}", kload("{j}", "{x}")),
    )  # fmt: skip
    w('T.tvm_storage_sync("shared")')
    # scores: thread (ty, tx) computes keys j = tx + c * wg_x of its row
    w.open(f"for c in range({-(-bk // wx)}):")
    w(f"j = T.meta_var(tx + c * {wx})")
    if bk % wx:
        w.open(f"if j < {bk}:")
    w("st[3] = T.float32(0)")
    w.open(f"for d in range({D}):")
    w(f"st[3] = st[3] + qr[d] * KV[j * {D} + d]")
    w.close()
    s = f"st[3] * T.float32({scale!r})"
    mk = m.format(bk=bk, j="j")
    mck = mc.format(j="j")
    hook = {"b": "b", "h": "h", "g": "g", "p": "pc", "m": mck}
    if spec.score_mod is not None:
        s = fill(spec.score_mod, s=s, **hook)
    visible = f"p < P and {mk} < M"
    if spec.mask is not None:
        visible += f" and ({fill(spec.mask, **hook)})"
    w(f"st[3] = ({s}) * T.float32({LOG2E!r})")
    # a select, not max(): WGSL's max may drop a NaN; this keeps it
    present = f"T.if_then_else(st[3] < {FLOOR}, {FLOOR}, st[3])"
    w(f"S[ty * {bk} + j] = T.if_then_else({visible}, {present}, {NEG})")
    w.depth -= 1 + bool(bk % wx)
    w('T.tvm_storage_sync("shared")')
    # V in K's place; the row's new max
    _cooperative_load(
        w, nthreads, bk, DV,
        vv.replace("{bk}", str(bk)).replace("{v}", vload("{j}", "{x}")),
    )  # fmt: skip
    w("st[3] = st[0]")
    w.open(f"for j in range({bk}):")
    w(f"st[3] = T.max(st[3], S[ty * {bk} + j])")
    w.close()
    w("st[2] = T.exp2(st[0] - st[3])")
    w("st[0] = st[3]")
    w('T.tvm_storage_sync("shared")')
    w.open(f"for c in range({-(-bk // wx)}):")
    w(f"j = T.meta_var(tx + c * {wx})")
    if bk % wx:
        w.open(f"if j < {bk}:")
    sv = f"S[ty * {bk} + j]"
    w(f"{sv} = T.if_then_else({sv} < {_MASKED}, T.float32(0), T.exp2({sv} - st[0]))")
    w.depth -= 1 + bool(bk % wx)
    w('T.tvm_storage_sync("shared")')
    w("st[1] = st[1] * st[2]")
    w.open(f"for j in range({bk}):")
    w(f"st[1] = st[1] + S[ty * {bk} + j]")
    w.close()
    w.open(f"for c in range({vpt}):")
    fcol = f"T.min(tx + c * {wx}, {DV - 1})" if wx * vpt > DV else f"tx + c * {wx}"
    w("acc[c] = acc[c] * st[2]")
    w.open(f"for j in range({bk}):")
    w(f"acc[c] = acc[c] + S[ty * {bk} + j] * KV[j * {DV} + {fcol}]")
    w.close(2)
    w('T.tvm_storage_sync("shared")')
