"""An attention plan bound to extents, printed as the TVMScript hooks of a flash spec.

The TVM-based fused lowerings (``cpu``, ``webgpu``) start from the same
:class:`~attncc.lowering.plan.FusedPlan`; :class:`BoundPlan` decides what the extents
decide (query heads per kv head, whether K and V are plain buffers, which lets are
literals), prints score modification, mask, key bands and K / V loads with
:class:`ClampedPrinter` (every index that is not its dimension's own rank clamped, so a
speculative load stays inside its buffer), and lists the kernel's arguments.
"""

from __future__ import annotations

from collections.abc import Mapping

from attncc.errors import LoweringError
from attncc.ir.exprs import substitute
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Name
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import accesses_in
from attncc.ir.nodes import names_in
from attncc.lowering.bound import BoundAttention
from attncc.lowering.plan import KV_HEAD
from attncc.lowering.plan import Q_VALUE
from attncc.lowering.plan import SCORE
from attncc.lowering.plan import FusedPlan
from attncc.lowering.tracked import Tracked
from attncc.targets.base import Arg
from attncc.targets.tvm.flash_spec import Band
from attncc.targets.tvm.flash_spec import FlashSpec
from attncc.targets.tvm.flash_spec import Helper
from attncc.targets.tvm.flash_spec import Scalar
from attncc.targets.tvm.flash_spec import Tensor
from attncc.targets.tvm.flash_spec import signature
from attncc.targets.tvm.script import COMPUTE
from attncc.targets.tvm.script import STORAGE
from attncc.targets.tvm.script import Buffer
from attncc.targets.tvm.script import TvmScriptPrinter
from attncc.targets.tvm.script import Typed
from attncc.targets.tvm.script import convert_text
from attncc.targets.tvm.script import literal
from attncc.targets.tvm.script import store_text

__all__ = ["BoundPlan", "ClampedPrinter", "kv_group"]

#: Names a kernel's own identifiers take: program names are renamed around them.
KERNEL_NAMES = frozenset({"Q", "K", "V", "O", "LSE", "T", "P", "M", "B", "H", "HK", "D", "DV", "q"})


class ClampedPrinter(TvmScriptPrinter):
    """The shared printer, with every index that is not its dimension's rank clamped."""

    def __init__(self, r: BoundPlan, ranks: Mapping[str, str]):
        super().__init__(
            ranks=ranks, scalars=r.scalars, buffers=r.buffers, vector_math=r.vector_math
        )
        self.r = r

    def index(self, a: Access) -> str:
        dims = self.r.dims[a.tensor]
        parts = []
        for i, rank in zip(a.indices, dims, strict=True):
            v = self.expr(i)
            if v.dtype != "int32":
                raise LoweringError(f"index `{i}` of `{a}` is {v.dtype}, not an integer")
            if not self.r.in_range(i, rank):
                top = self.r.extent(rank)
                v = Typed(f"T.max(T.min({v.text}, {top} - 1), 0)", "int32")
            parts.append(v.text)
        return ", ".join(parts)


class BoundPlan(BoundAttention):
    """An attention plan at given extents (:class:`~attncc.lowering.bound.BoundAttention`):
    head grouping, the flash spec's hooks printed as TVMScript (:meth:`spec`) and the
    kernel's arguments (:meth:`args`).

    A target's fused lowering subclasses it where its printing differs (WebGPU's types)."""

    def __init__(
        self,
        p: FusedPlan,
        extents: Mapping[str, int | None],
        *,
        vector_math: bool = False,
        symbolic_batch: bool = False,
    ):
        super().__init__(p, extents, reserved=KERNEL_NAMES, prefix="fused")
        self.vector_math = vector_math  # float functions as polynomials (CPU kernels)
        # the batch may stay symbolic (FlashSpec.B = None) where the mask does not read it
        self.symbolic_batch = symbolic_batch
        info = p.info
        self.inputs = {d.name: d for d in info.program.inputs}
        self.helpers = {s.out: s for s in p.helpers}
        self.dims = {d.name: d.ranks for d in info.program.inputs}
        self.dims |= {s.out: s.ranks for s in p.helpers}
        for r in (p.batch, p.head, p.qk_dim, p.v_dim, *(r for _, r, _ in p.qk_parts)):
            if r == p.batch and symbolic_batch:
                continue
            if self.ext.get(r) is None and any(v is not None for v in self.ext.values()):
                raise LoweringError(f"the fused lowering needs the extent of rank {r}")
        self.kernel_names: dict[tuple[str, str], str] = {}
        self.H = self.ext.get(p.head) or 1
        self.grp, self.head_index = self._grouping()
        self.HK = self.H // self.grp
        self.k_direct = self._direct(p.k_expr, p.qk_dim) and not p.qk_parts
        self.v_direct = self._direct(p.v_expr, p.v_dim)
        kernel = {p.q: "Q"} | ({p.k_expr.tensor: "K"} if self.k_direct else {})
        kernel |= {p.v_expr.tensor: "V"} if self.v_direct else {}
        self.kernel_buffers = kernel
        self.bands_read_head = False  # a band bound reads the head: no pack_gqa (spec())
        buffers = {}
        for name, d in self.inputs.items():
            buffers[name] = Buffer(kernel.get(name) or self._name(name), STORAGE[d.dtype])
        for name in self.helpers:
            buffers[name] = Buffer(self._name(name), STORAGE[info.tensors[name].dtype])
        self.buffers = Tracked(buffers, set(buffers) - set(kernel))
        scalars = {}
        for name, dtype in info.scalars.items():
            if name in self.consts:
                scalars[name] = literal(self.consts[name], COMPUTE[dtype])
            else:
                scalars[name] = Typed(self._name(name), COMPUTE[dtype])
        scalars[SCORE] = Typed("{s}", "float32")
        scalars[Q_VALUE] = Typed("{q}", "float32")
        self.scalars = Tracked(scalars, set(info.scalars) - set(self.consts))

    # -- names and extents --------------------------------------------------------------
    def _name(self, name: str, kind: str = "arg") -> str:
        """The kernel's identifier for an argument (``kind="arg"``) or a rank's extent."""
        if (kind, name) not in self.kernel_names:
            base = name.lstrip("_") or "x"
            self.kernel_names[kind, name] = self.names.fresh(base)
        return self.kernel_names[kind, name]

    def extent(self, rank: str) -> str:
        n = self.ext.get(rank)
        if n is not None:
            return str(n)
        if rank == self.p.query:
            return "P"
        if rank == self.p.key:
            return "M"
        return self._name(f"n_{rank}", "extent")

    def in_range(self, index: Expr, rank: str) -> bool:
        """``index`` stays in ``[0, extent(rank))`` at every point the kernel evaluates."""
        if index == Name(rank):
            return True
        n = self.ext.get(rank)
        return index == Name(KV_HEAD) and n is not None and n >= self.HK

    def _grouping(self) -> tuple[int, Expr | None]:
        """``grp`` (query heads per kv head) and the head index left to evaluate in loads."""
        x, head = self.p.head_index, self.p.head
        if x is None:
            return self.H, None
        if x == Name(head):
            return 1, None
        if isinstance(x, Binary) and x.op is BinaryOp.DIV and x.lhs == Name(head):
            y = self.value(x.rhs)
            if isinstance(y, int) and not isinstance(y, bool) and y >= 1 and self.H % y == 0:
                return y, None
        return 1, substitute(x, {head: Name(KV_HEAD)})  # kernel kv head = query head

    def _direct(self, x: Expr, dim: str) -> bool:
        """K / V as the kernel's own ``[B, HK, M, D]`` f32 buffer."""
        d = self.inputs.get(x.tensor) if isinstance(x, Access) else None
        if d is None or d.dtype is not DType.F32 or len(d.ranks) != 4:
            return False
        if self.head_index is not None:
            return False
        b, g, m, e = d.ranks
        head = Name(KV_HEAD) if self.p.head_index is not None else x.indices[1]
        ok_head = head == Name(KV_HEAD) or (head == Const(0) and self.HK == 1)
        return (
            x.indices == (Name(b), head, Name(m), Name(e))
            and ok_head
            and (b, m, e) == (self.p.batch, self.p.key, dim)
            and self.ext.get(g) == self.HK
        )

    def kv_heads_inner(self) -> bool:
        """K or V is read from a buffer whose kv-head dimension comes after a dimension the
        key position indexes (a paged NHD pool ``KC[page, slot, head, e]``): one head's keys
        are short runs far apart, every head's keys of a page one run."""
        for x in (self.p.k_expr, self.p.v_expr):
            for a in accesses_in(x):
                at = [i for i, ix in enumerate(a.indices) if KV_HEAD in names_in(ix)]
                keyed = [i for i, ix in enumerate(a.indices) if self.p.key in names_in(ix)]
                if at and keyed and min(keyed) < min(at):
                    return True
        return False

    # -- text -----------------------------------------------------------------------------
    def _print(self, e: Expr, ranks: Mapping[str, str]) -> Typed:
        if self.head_index is not None:
            e = substitute(e, {KV_HEAD: self.head_index})
        return ClampedPrinter(self, ranks).expr(e)

    def spec(self) -> FlashSpec:
        p = self.p
        helpers = tuple(self._helper(s) for s in p.helpers)  # marks the inputs they read
        rows = {p.batch: "{b}", p.head: "{h}", p.query: "{p}", p.key: "{m}"}
        scale, score = self.scale_and_score()
        score_mod = None if score == Name(SCORE) else self._print(score, rows).text
        mask = None if p.predicate is None else self._print(p.predicate, rows).text
        weight = None if p.weight is None else self._print(p.weight, rows).text
        q_map = None if p.q_map is None else self._print(p.q_map, rows).text
        q_parts, k_parts = [], []
        for q, rank, k in p.qk_parts:  # QK concatenated along the head dim (MLA)
            width = self.ext.get(rank) or 1
            q_parts.append((self.buffers[q].name, width))
            kv = {p.batch: "{b}", p.key: "{m}", KV_HEAD: "{g}", p.query: "{p}", rank: "{d}"}
            k_parts.append((self._print(k, kv).text, width))
        kv = {p.batch: "{b}", p.key: "{m}", KV_HEAD: "{g}", p.query: "{p}"}
        k_load = None if self.k_direct else self._print(p.k_expr, kv | {p.qk_dim: "{d}"}).text
        v_load = None if self.v_direct else self._print(p.v_expr, kv | {p.v_dim: "{f}"}).text
        bands = None
        if p.predicate is not None and not p.bands.skips_nothing:
            b = p.bands
            br = {p.batch: "{b}", p.head: "{h}", b.p0: "{p0}", b.p1: "{p1}", b.extent: "M"}
            bands = tuple(
                Band(*(self._print(x, br).text for x in (x.lo, x.hi, x.full_lo, x.full_hi)))
                for x in b.bands
            )
            texts = [t for x in bands for t in (x.lo, x.hi, x.full_lo, x.full_hi)]
            self.bands_read_head = any("{h}" in t for t in texts)
        tensors = tuple(
            Tensor(buf.name, tuple(self._dim(r) for r in self.inputs[n].ranks), buf.dtype)
            for n, buf in self.buffers.used.items()
            if n in self.inputs
        )
        bound = {"P", "M"} | {x for t in tensors for x in t.shape if isinstance(x, str)}
        for h in helpers:
            unbound = [x for x in h.shape if isinstance(x, str) and x not in bound]
            if unbound:
                raise LoweringError(
                    f"helper {h.name}: no input of the kernel has the length {unbound[0]}"
                )
        scalars = tuple(Scalar(t.text, t.dtype) for t in self.scalars.used.values())
        return FlashSpec(
            B=self._batch(mask, bands), H=self.H, HK=self.HK,
            D=(self.ext.get(p.qk_dim) or 1) + sum(n for _, n in q_parts),
            DV=self.ext.get(p.v_dim) or 1,
            P=self.ext.get(p.query), M=self.ext.get(p.key), scale=scale,
            score_mod=score_mod, mask=mask, bands=bands, tensors=tensors, scalars=scalars,
            name=self.entry, k_load=k_load, v_load=v_load,
            tile_prepass=p.predicate is not None and not p.bands.affine,
            kv_heads_inner=self.kv_heads_inner(),
            q_dtype=STORAGE[p.q_dtype], o_dtype=STORAGE[p.out_dtype], lse=p.lse is not None,
            helpers=helpers, weight=weight, q_parts=tuple(q_parts), k_parts=tuple(k_parts),
            kv_by_query=p.kv_by_query, q_map=q_map,
            normalized=p.weight is not None and p.match.normalized,
        )  # fmt: skip

    def _batch(self, mask: str | None, bands: tuple[Band, ...] | None) -> int | None:
        """The spec's batch: its extent, or None (symbolic) where the target allows it and
        neither the mask, its bands nor a helper reads the batch (their tile classes and
        buffers have a row per batch element)."""
        b = self.ext.get(self.p.batch)
        if b is not None or not self.symbolic_batch:
            return b or 1
        texts = [mask or ""] + [t for x in bands or () for t in (x.lo, x.hi, x.full_lo, x.full_hi)]
        helpers = any(self.p.batch in s.ranks for s in self.p.helpers)
        return 1 if helpers or any("{b}" in t for t in texts) else None

    def _helper(self, s: Stmt) -> Helper:
        """Helper statement ``s`` (a map or a sum over inputs) as the kernel computes it."""
        dtype = self.p.info.tensors[s.out].dtype
        if dtype in (DType.F16, DType.BF16):
            raise LoweringError(f"helper {s.out}: the fused kernel keeps no {dtype} tensor")
        loops = {r: f"_x{i}" for i, r in enumerate(s.ranks)}
        over = {r: f"_y{i}" for i, r in enumerate(s.over)}
        dry = all(v is None for v in self.ext.values())  # a print at no extents at all
        lengths = {r: 1 if dry else self.ext.get(r) for r in s.over}
        for r, n in lengths.items():
            if not n:  # fixed per build (plan.py): 0 would be an absent sum, not 0
                raise LoweringError(f"helper {s.out}: its sum over {r} has length {n}")
        value = self._print(s.value, loops | over)
        if s.reduce is not None and value.dtype == "bool":
            value = convert_text(value, DType.I32)
        store = store_text(convert_text(Typed("{v}", value.dtype), dtype), STORAGE[dtype])
        return Helper(
            self.buffers[s.out].name,
            tuple(self._dim(r) for r in s.ranks),
            STORAGE[dtype],
            tuple(loops.values()),
            value.text,
            value.dtype,
            store,
            tuple((over[r], lengths[r]) for r in s.over),
        )

    def _dim(self, rank: str) -> int | str:
        n = self.ext.get(rank)
        return n if n is not None else self.extent(rank)

    def args(self, spec: FlashSpec) -> tuple[Arg, ...]:
        """The kernel's arguments as the target passes them (program names, roles)."""
        p = self.p
        by_kernel = {buf.name: n for n, buf in self.buffers.used.items() if n in self.inputs}
        by_kernel |= {t.text: n for n, t in self.scalars.used.items()}
        inv = {v: k for k, v in self.kernel_buffers.items()}
        out = []
        for a in signature(spec):
            if a in ("q", "k", "v"):
                d = self.inputs[inv[a.upper()]]
                out.append(Arg(d.name, "input", STORAGE[d.dtype], d.ranks))
            elif a == "o":  # a bf16 output is held in float32 (rounded)
                dtype = "float16" if p.out_dtype is DType.F16 else "float32"
                out.append(Arg(p.output, "output", dtype, p.match.out_ranks))
            elif a == "lse":
                out.append(Arg(p.lse, "output", "float32", (p.batch, p.head, p.query)))
            elif a == "M":
                out.append(Arg(p.key, "param", "int32"))
            elif by_kernel[a] in self.inputs:
                d = self.inputs[by_kernel[a]]
                out.append(Arg(d.name, "input", STORAGE[d.dtype], d.ranks))
            else:
                out.append(Arg(by_kernel[a], "param", COMPUTE[p.info.scalars[by_kernel[a]]]))
        return tuple(out)


def kv_group(p: FusedPlan, extents: Mapping[str, int | None]) -> int:
    """Query heads per kv head of the kernel at ``extents`` (1 when the head index is not a
    grouping ``h / G`` the kernel can use)."""
    return BoundPlan(p, extents).grp
