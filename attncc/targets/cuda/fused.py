"""The fused lowering of the CUDA target: a recognised softmax attention as one Triton kernel.

The plan is the target-neutral attention plan (:func:`attncc.lowering.plan.plan_attention`:
the IR match, roles, head index, K / V expressions, score modification, mask and key
bands); this module prints it as Triton source with the variant's expressions inlined
(:class:`~attncc.targets.cuda.printer.TritonPrinter`):

* one program per (query block of ``BLOCK_M`` rows, batch × head), plus a split index when
  ``split > 1``; the kv head is the plan's head index evaluated on the query head (GQA
  ``h / G``, MQA: no head), so K / V loads read the shared head directly;
* K is loaded as a ``[BLOCK_D, BLOCK_N]`` tile and V as ``[BLOCK_N, BLOCK_DV]`` through the
  printed K / V expressions (a page-table gather, an int8 / fp16 dequantisation, MLA-style
  products are just expressions); ``tl.dot`` for QKᵀ and PV, an online softmax in log2
  units (NaN and ±inf as in the reference: see :func:`_write_finish`);
* key tiles come from the plan's bands (:mod:`attncc.ir.tiles`): per band, the tiles
  outside it are never visited (loop bounds), the tiles inside its full range run the tile
  body with ``MASKED=False`` (a constexpr: no predicate, no key-tail mask), the others with
  the mask; a mask that reads data (document ids, trees) gets block lists from a pre-pass
  kernel instead (:mod:`attncc.targets.cuda.blocks`): the kernel visits only the key blocks
  listed for its query block, the full ones without the mask;
* ``split > 1`` (decode): the key tiles are cut into ``split`` contiguous chunks, each
  writes its partial (max, sum, unnormalised output) and a merge kernel combines them
  (FlashInfer's ``merge_state`` algebra); a row with no visible key gets 0;
* NaN and ±inf as in the reference, as :mod:`~attncc.targets.cpu.flash` does it (V is 0
  in masked tiles outside the bands' ``[klo, khi)``), with the same exception: a NaN or ±inf
  in V at a key masked for one row but visible to another of the block is NaN there. A row
  max that drops a NaN (``fmax`` on GPUs) is harmless: ``exp2(NaN − m)`` is NaN.

``dot`` picks the operand precision: ``ieee`` (float32, exact against the reference: the
default), ``tf32``, or ``fp16`` / ``bf16`` operands (tensor cores, FlashAttention's numerics;
on float16 inputs ``fp16`` loses nothing in QKᵀ).
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from attncc.errors import LoweringError
from attncc.ir.exprs import free_ranks
from attncc.ir.nodes import Access
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Name
from attncc.lowering.bound import BoundAttention
from attncc.lowering.plan import KV_HEAD
from attncc.lowering.plan import SCORE
from attncc.lowering.plan import FusedPlan
from attncc.lowering.printer import COMPUTE
from attncc.lowering.printer import Typed
from attncc.lowering.tracked import Tracked
from attncc.lowering.writer import Writer
from attncc.targets.cuda.blocks import BLOCK_LOCALS
from attncc.targets.cuda.blocks import block_buffers
from attncc.targets.cuda.blocks import list_grid
from attncc.targets.cuda.blocks import uses_block_lists
from attncc.targets.cuda.blocks import write_band_tiles
from attncc.targets.cuda.blocks import write_list_loops
from attncc.targets.cuda.blocks import write_prepass
from attncc.targets.cuda.launch import ArgSpec
from attncc.targets.cuda.launch import BufferSpec
from attncc.targets.cuda.launch import GridDim
from attncc.targets.cuda.launch import Launch
from attncc.targets.cuda.launch import LaunchPlan
from attncc.targets.cuda.printer import HELPERS
from attncc.targets.cuda.printer import POINTER
from attncc.targets.cuda.printer import TensorRef
from attncc.targets.cuda.printer import TritonPrinter
from attncc.targets.cuda.printer import literal

__all__ = ["TritonFlashSource", "generate_fused"]

LOG2E = 1.4426950408889634
# NaN and inf as in the reference: the scheme of attncc.targets.cpu.flash (module docstring)
CONSTANTS = """\
NEG = tl.constexpr(float("-inf"))  # a masked score (log2 units), the max of a row with no key
FLOOR = tl.constexpr(-3.4028234663852886e38)  # the least max of a row with a present key
"""
_LOCALS = {
    "b", "h", "g", "p0", "p1", "offs_p", "offs_n", "offs_d", "offs_f", "q", "k", "v", "s", "qk",
    "vis", "acc", "m_i", "l_i", "m_new", "m_use", "alpha", "pexp", "kt", "klo", "khi", "pid_m",
    "pid_bh", "pid_s", "out", "l_safe", "nkt", "per", "ks0", "ks1", "NEG", "FLOOR", "LOG2E",
    "BLOCK_M", "BLOCK_N", "BLOCK_D", "BLOCK_DV", "MASKED", "SPLIT", "DOT", "triton", "tl", "split",
    "_nanmax", "_nanmin", "m_s", "l_s", "w", "lo", "hi", "ta", "tb", "tc", "td", "prev", "o_ptr",
    "row_ok", "_idiv", "_imod", "_tanh", "_f2i", "_wrap8", "_tile", "_merge", *BLOCK_LOCALS,
}  # fmt: skip
_DOT_DTYPES = {"fp16": "tl.float16", "bf16": "tl.bfloat16"}


@dataclass(frozen=True)
class TritonFlashSource:
    """Generated source, its entry kernel and how to launch it."""

    text: str
    entry: str
    launch: LaunchPlan
    #: kernel argument → (AOT signature type, program name, kind) for every kernel
    signatures: Mapping[str, tuple[tuple[str, str], ...]]


def _pow2(n: int) -> int:
    return max(16, 1 << (max(1, n) - 1).bit_length())


class _TritonFlashWriter(BoundAttention):
    """One plan at given extents (:class:`~attncc.lowering.bound.BoundAttention`) and
    config → Triton text."""

    def __init__(self, p: FusedPlan, extents: Mapping[str, int | None], cfg: Mapping[str, Any]):
        super().__init__(p, extents, reserved=_LOCALS, prefix="attn")
        self.cfg = dict(cfg)
        info = p.info
        for r in (p.batch, p.head, p.qk_dim, p.v_dim):
            if self.ext.get(r) is None:
                raise LoweringError(f"the fused Triton kernel needs the extent of rank {r}")
        self.D, self.DV = self.ext[p.qk_dim], self.ext[p.v_dim]
        self.BD, self.BDV = _pow2(self.D), _pow2(self.DV)
        self.H = self.ext[p.head]
        consts = self.consts
        self.extent_names: dict[str, str] = {}
        scalars: dict[str, Typed] = {}
        for name, dtype in info.scalars.items():
            if name in consts:
                scalars[name] = literal(consts[name], COMPUTE[dtype])
            else:
                arg = self.names.fresh(name)
                text = f"({arg} != 0)" if dtype is DType.BOOL else arg
                scalars[name] = Typed(text, COMPUTE[dtype])
                self.extent_names.setdefault(f"scalar:{name}", arg)
        self.scalars = Tracked(scalars)
        inputs = {d.name: d for d in info.program.inputs}
        refs = {}
        for name, d in inputs.items():
            dims = tuple(self.extent(r) for r in d.ranks)
            refs[name] = TensorRef(self.names.fresh(name), d.dtype, dims, d.ranks)
        self.tensors = Tracked(refs)
        self.out_name = self.names.fresh(p.output)

    # -- names ------------------------------------------------------------------------------
    def extent(self, rank: str) -> str:
        n = self.ext.get(rank)
        if n is not None:
            return str(n)
        key = f"extent:{rank}"
        if key not in self.extent_names:
            self.extent_names[key] = self.names.fresh(f"n_{rank}")
        return self.extent_names[key]

    def printer(
        self, ranks: Mapping[str, str], in_range: set[str], record: _Args | None = None
    ) -> TritonPrinter:
        """A printer over ``ranks``; the scalars and tensors it reads are recorded as the
        attention kernel's arguments, or as ``record``'s (another kernel's)."""
        scalars, tensors = (self.scalars, self.tensors) if record is None else record
        scalars = _Overlay(scalars, {SCORE: Typed("s", "float32")})
        return TritonPrinter(ranks=ranks, scalars=scalars, tensors=tensors, in_range=in_range)

    def band_texts(self, record: _Args | None = None) -> list[tuple[str, ...]]:
        """The bounds (lo, hi, full_lo, full_hi) of every band, printed over b, h, p0, p1."""
        p = self.p
        ranks = {p.batch: "b", p.head: "h", p.bands.p0: "p0", p.bands.p1: "p1",
                 p.bands.extent: self.extent(p.key)}  # fmt: skip
        printer = self.printer(ranks, set(), record)
        return [
            tuple(printer.expr(x).text for x in (b.lo, b.hi, b.full_lo, b.full_hi))
            for b in p.bands.bands
        ]

    def scalar_args(self, used: Iterator[str]) -> list[tuple[str, str]]:
        """(argument, program name) of the scalars read that are not compile-time constants."""
        return [(self.extent_names[f"scalar:{n}"], n) for n in used
                if f"scalar:{n}" in self.extent_names]  # fmt: skip

    # -- pieces -------------------------------------------------------------------------------
    def tile_ranks(self) -> dict[str, str]:
        p = self.p
        return {p.batch: "b", p.head: "h", KV_HEAD: "g", p.query: "offs_p[:, None]",
                p.key: "offs_n[None, :]"}  # fmt: skip

    def fixed_dims(self) -> set[str]:
        out = set()
        if self.BD == self.D:
            out.add(self.p.qk_dim)
        if self.BDV == self.DV:
            out.add(self.p.v_dim)
        return out

    def operand(self, e: Expr, ranks: dict[str, str], in_range: set[str], shape: str) -> str:
        text = self.printer(ranks, in_range).expr(e)
        if text.dtype != "float32":
            text = Typed(f"({text.text}).to(tl.float32)", "float32")
        used = free_ranks(e, [*ranks])
        wanted = {r for r, t in ranks.items() if ":" in t}
        return text.text if wanted <= used else f"tl.broadcast_to({text.text}, {shape})"

    def dot(self, a: str, b: str) -> str:
        kind = self.cfg["dot"]
        if kind in _DOT_DTYPES:
            t = _DOT_DTYPES[kind]
            return f"tl.dot({a}.to({t}), {b}.to({t}))"
        return f'tl.dot({a}, {b}, input_precision="{kind}")'

    # -- the kernel ----------------------------------------------------------------------------
    def generate(self) -> TritonFlashSource:
        p = self.p
        scale, score = self.scale_and_score()
        has_mod = score != Name(SCORE)
        fixed = self.fixed_dims()
        base = {p.batch, p.head, KV_HEAD} | fixed
        kv = {p.batch: "b", KV_HEAD: "g", p.key: "offs_n[None, :]", p.qk_dim: "offs_d[:, None]"}
        vv = {p.batch: "b", KV_HEAD: "g", p.key: "offs_n[:, None]", p.v_dim: "offs_f[None, :]"}
        k_shape, v_shape = "(BLOCK_D, BLOCK_N)", "(BLOCK_N, BLOCK_DV)"
        k_masked = self.operand(p.k_expr, kv, base, k_shape)
        k_full = self.operand(p.k_expr, kv, base | {p.key}, k_shape)
        v_masked = self.operand(p.v_expr, vv, base, v_shape)
        v_full = self.operand(p.v_expr, vv, base | {p.key}, v_shape)
        tile = self.tile_ranks()
        mod_text = self.printer(tile, base).expr(score) if has_mod else None
        mod_text = None if mod_text is None else _as_float(mod_text)
        pred = None if p.predicate is None else self.printer(tile, base).cond(p.predicate).text
        qr = {p.batch: "b", p.head: "h", p.query: "offs_p[:, None]", p.qk_dim: "offs_d[None, :]"}
        q_access = Access(p.q, tuple(Name(r) for r in p.program.input(p.q).ranks))
        q_text = self.operand(q_access, qr, base, "(BLOCK_M, BLOCK_D)")
        head_index = "h" if p.head_index is None else None
        if p.head_index is not None:
            head_index = self.printer({p.head: "h"}, set()).expr(p.head_index).text
        n_p, n_m = self.extent(p.query), self.extent(p.key)
        split = int(self.cfg["split"])
        lists = uses_block_lists(p)
        # with block lists the bands and the data-dependent predicate go to the pre-pass
        bands = [] if lists else self.band_texts()
        pre = self.prepass_args(base) if lists else None

        # arguments: tensors read, the output (or split scratch), scalars, extents
        tensor_args = [(ref.pointer, name) for name, ref in self.tensors.used.items()]
        scalar_args = self.scalar_args(self.scalars.used)
        extent_args = [(v, k.split(":", 1)[1]) for k, v in self.extent_names.items()
                       if k.startswith("extent:")]  # fmt: skip
        out_args = [(self.out_name, "$out")] if split == 1 else [("acc_part", "$acc"),
                                                                  ("ml_part", "$ml")]  # fmt: skip
        if lists:
            out_args += [("blk_num", "$blk_num"), ("blk_idx", "$blk_idx")]
        shared = [a for a, _ in tensor_args] + [a for a, _ in scalar_args]
        shared += [a for a, _ in extent_args]
        w = Writer()
        w("# Generated by attncc: the fused Triton kernel of program "
          f"{p.program.name} (attncc.targets.cuda.fused).")  # fmt: skip
        w("import triton")
        w("import triton.language as tl")
        w(HELPERS.rstrip())
        w("")
        w(CONSTANTS.rstrip())
        w("")
        w("")
        nospec = _nospec(p, scalar_args, extent_args)
        tile_args = ["acc", "m_i", "l_i", "q", "kt", "klo", "khi", "b", "h", "g", "offs_p"]
        params = ", ".join([*tile_args, *shared])
        consts = "BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_D: tl.constexpr, "
        consts += "BLOCK_DV: tl.constexpr"
        w(nospec)
        with w.block(f"def _tile({params}, {consts}, MASKED: tl.constexpr):"):
            w('"""One key tile of the online softmax; MASKED: evaluate the mask and the key'
              ' tail."""')  # fmt: skip
            w("offs_n = kt * BLOCK_N + tl.arange(0, BLOCK_N)")
            w("offs_d = tl.arange(0, BLOCK_D)")
            w("offs_f = tl.arange(0, BLOCK_DV)")
            with w.block("if MASKED:"):
                w(f"k = {k_masked}")
            with w.block("else:"):
                w(f"k = {k_full}")
            factor = scale if has_mod else scale * LOG2E
            w(f"s = {self.dot('q', 'k')} * {float(factor)!r}")
            if mod_text is not None:
                w(f"s = {mod_text} * {LOG2E!r}  # the variant's score, in log2 units")
            with w.block("if MASKED:"):
                vis = f"offs_n[None, :] < {n_m}"
                w(f"vis = ({pred}) & ({vis})" if pred else f"vis = {vis}")
                w("s = tl.where(vis, tl.where(s < FLOOR, FLOOR, s), NEG)  # keeps a NaN")
                w("m_new = tl.maximum(m_i, tl.max(s, 1))")
            with w.block("else:  # every row has keys here"):
                w("m_new = tl.maximum(m_i, tl.maximum(tl.max(s, 1), FLOOR))")
            w("m_use = tl.where(m_new == NEG, 0.0, m_new)")
            w("alpha = tl.exp2(m_i - m_use)")
            w("pexp = tl.exp2(s - m_use[:, None])")
            with w.block("if MASKED:"):
                w("pexp = tl.where(vis, pexp, 0.0)")
            w("l_i = l_i * alpha + tl.sum(pexp, 1)")
            with w.block("if MASKED:"):
                w(f"v = {v_masked}")
                w("v = tl.where((offs_n[:, None] >= klo) & (offs_n[:, None] < khi), v, 0.0)")
            with w.block("else:"):
                w(f"v = {v_full}")
            w(f"acc = acc * alpha[:, None] + {self.dot('pexp', 'v')}")
            w("return acc, m_new, l_i")
        w("")
        w("")
        if pre is not None:
            write_prepass(
                w, pre.kernel, p, pred=pre.pred, bands=pre.bands,
                tensors=[a for a, _ in pre.tensors],
                values=[a for a, _ in pre.scalars] + [a for a, _ in extent_args],
                nospec=_nospec(p, pre.scalars, extent_args), heads=self.H, n_p=n_p, n_m=n_m,
            )  # fmt: skip
            w("")
            w("")
        kernel_params = [a for a, _ in tensor_args] + [a for a, _ in out_args]
        kernel_params += [a for a, _ in scalar_args] + [a for a, _ in extent_args]
        w(nospec)
        sig = ", ".join(kernel_params)
        with w.block(f"def {self.entry}({sig}, {consts}, SPLIT: tl.constexpr):"):
            w(f'"""{p.program.name}: O[{p.batch}, {p.head}, {p.query}, {p.v_dim}] = softmax'
              ' over the visible keys, one query block per program."""')  # fmt: skip
            w("pid_m = tl.program_id(0)")
            w("pid_bh = tl.program_id(1)")
            w(f"b = pid_bh // {self.H}")
            w(f"h = pid_bh % {self.H}")
            w(f"g = {head_index}  # the kv head")
            w("p0 = pid_m * BLOCK_M")
            w(f"p1 = tl.minimum(p0 + BLOCK_M, {n_p})")
            w("offs_p = p0 + tl.arange(0, BLOCK_M)")
            w("offs_d = tl.arange(0, BLOCK_D)")
            w("offs_f = tl.arange(0, BLOCK_DV)")
            w(f"q = {q_text}")
            w("m_i = tl.full([BLOCK_M], NEG, tl.float32)")
            w("l_i = tl.zeros([BLOCK_M], tl.float32)")
            w("acc = tl.zeros([BLOCK_M, BLOCK_DV], tl.float32)")
            if split > 1:
                w("pid_s = tl.program_id(2)")
            call = ", ".join([*tile_args, *shared])
            call += ", BLOCK_M, BLOCK_N, BLOCK_D, BLOCK_DV"
            # keys outside [klo, khi) are masked for every row: V is 0 there (masked tiles)
            klo = _tree("tl.minimum", [f"tl.maximum({b[0]}, 0)" for b in bands] or ["0"])
            khi = _tree("tl.maximum", [f"tl.minimum({b[1]}, {n_m})" for b in bands] or [n_m])
            w(f"klo = {klo}")
            w(f"khi = {khi}")
            if lists:
                write_list_loops(w, p, call, n_p=n_p, n_m=n_m, split=split)
            elif split > 1:
                w(f"nkt = tl.cdiv({n_m}, BLOCK_N)")
                w("per = tl.cdiv(nkt, SPLIT)")
                w("ks0 = pid_s * per  # this split's key tiles: [ks0, ks1)")
                w("ks1 = tl.minimum(ks0 + per, nkt)")
            if bands:
                w("prev = 0")
            for i, band in enumerate(bands):
                write_band_tiles(w, i, band, n_m, split_clamp=split > 1)
                for a, z, masked in (("ta", "tb", True), ("tb", "tc", False), ("tc", "td", True)):
                    with w.block(f"for kt in range({a}, {z}):"):
                        w(f"acc, m_i, l_i = _tile({call}, MASKED={masked})")
                w("prev = td")
            if split == 1:
                _write_finish(w)
                o_off = f"((pid_bh * {n_p} + offs_p[:, None]) * {self.DV} + offs_f[None, :])"
                w(f"row_ok = (offs_p[:, None] < {n_p}) & (offs_f[None, :] < {self.DV})")
                w(f"tl.store({self.out_name} + {o_off}, out, mask=row_ok)")
            else:
                w("# partial state of this split: unnormalised output, max (log2) and sum")
                part = f"(pid_s * {self.H * self.ext[p.batch]} + pid_bh) * {n_p}"
                w(f"row_ok = offs_p < {n_p}")
                off = f"(({part} + offs_p[:, None]) * {self.DV} + offs_f[None, :])"
                w(f"tl.store(acc_part + {off}, acc, mask=row_ok[:, None] & "
                  f"(offs_f[None, :] < {self.DV}))")  # fmt: skip
                w(f"tl.store(ml_part + 2 * ({part} + offs_p), m_i, mask=row_ok)")
                w(f"tl.store(ml_part + 2 * ({part} + offs_p) + 1, l_i, mask=row_ok)")
        merge = None
        if split > 1:
            w("")
            w("")
            merge = self.names.fresh(f"merge_{p.program.name}")
            w(f"@triton.jit(do_not_specialize={[n_p] if self.ext.get(p.query) is None else []!r})")
            margs = f"acc_part, ml_part, {self.out_name}"
            if self.ext.get(p.query) is None:
                margs += f", {n_p}"
            with w.block(f"def {merge}({margs}, BLOCK_M: tl.constexpr, BLOCK_DV: tl.constexpr, "
                         "SPLIT: tl.constexpr):"):  # fmt: skip
                w('"""Combine the splits\' partial states (max, sum, output) per row."""')
                w("pid_m = tl.program_id(0)")
                w("pid_bh = tl.program_id(1)")
                w("offs_p = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)")
                w("offs_f = tl.arange(0, BLOCK_DV)")
                w(f"row_ok = offs_p < {n_p}")
                w("m_i = tl.full([BLOCK_M], NEG, tl.float32)")
                with w.block("for split in tl.static_range(SPLIT):"):
                    part = f"(split * {self.H * self.ext[p.batch]} + pid_bh) * {n_p}"
                    w(f"m_s = tl.load(ml_part + 2 * ({part} + offs_p), mask=row_ok, other=NEG)")
                    w("m_i = tl.maximum(m_i, m_s)")
                w("m_use = tl.where(m_i == NEG, 0.0, m_i)")
                w("l_i = tl.zeros([BLOCK_M], tl.float32)")
                w("acc = tl.zeros([BLOCK_M, BLOCK_DV], tl.float32)")
                with w.block("for split in tl.static_range(SPLIT):"):
                    part = f"(split * {self.H * self.ext[p.batch]} + pid_bh) * {n_p}"
                    w(f"m_s = tl.load(ml_part + 2 * ({part} + offs_p), mask=row_ok, other=NEG)")
                    w(f"l_s = tl.load(ml_part + 2 * ({part} + offs_p) + 1, mask=row_ok, other=0.0)")
                    w("alpha = tl.exp2(m_s - m_use)")
                    w("l_i = l_i + l_s * alpha")
                    off = f"(({part} + offs_p[:, None]) * {self.DV} + offs_f[None, :])"
                    fmask = f"row_ok[:, None] & (offs_f[None, :] < {self.DV})"
                    w(f"acc = acc + alpha[:, None] * tl.load(acc_part + {off}, mask={fmask}, "
                      "other=0.0)")  # fmt: skip
                _write_finish(w)
                o_off = f"((pid_bh * {n_p} + offs_p[:, None]) * {self.DV} + offs_f[None, :])"
                w(f"tl.store({self.out_name} + {o_off}, out, mask=row_ok[:, None] & "
                  f"(offs_f[None, :] < {self.DV}))")  # fmt: skip
        return self._package(w.text(), tensor_args, out_args, scalar_args, extent_args, merge, pre)

    def prepass_args(self, in_range: set[str]) -> _PrePass:
        """The pre-pass's predicate and bands, printed with the tensors and scalars they
        read recorded apart from the attention kernel's."""
        p = self.p
        record = (Tracked(self.scalars.table), Tracked(self.tensors.table))
        tile = self.tile_ranks()
        pred = self.printer(tile, in_range, record).cond(p.predicate).text
        bands = self.band_texts(record)
        scalars, tensors = record
        return _PrePass(
            self.names.fresh(f"blocks_{p.program.name}"),
            pred,
            bands,
            [(ref.pointer, name) for name, ref in tensors.used.items()],
            self.scalar_args(scalars.used),
        )

    def tensor_specs(self, tensor_args) -> tuple[list[ArgSpec], list[tuple[str, str]]]:
        """Launch arguments and AOT signature of the input tensors ``(arg, name)``."""
        types = [POINTER[self.p.program.input(name).dtype] for _, name in tensor_args]
        return ([ArgSpec("tensor", name) for _, name in tensor_args],
                [(arg, t) for (arg, _), t in zip(tensor_args, types, strict=True)])  # fmt: skip

    def value_specs(self, scalar_args, extent_args) -> tuple[list[ArgSpec], list[tuple]]:
        """Launch arguments and AOT signature of scalars, then extents."""
        kinds = self.p.info.scalars
        args = [ArgSpec("scalar", n) for _, n in scalar_args]
        args += [ArgSpec("extent", r) for _, r in extent_args]
        sig = [(a, "fp32" if kinds[n].is_float else "i32") for a, n in scalar_args]
        sig += [(a, "i32") for a, _ in extent_args]
        return args, sig

    def _package(self, text, tensor_args, out_args, scalar_args, extent_args, merge, pre):
        p, cfg = self.p, self.cfg
        split = int(cfg["split"])
        bm, bn = int(cfg["BLOCK_M"]), int(cfg["BLOCK_N"])
        constexprs = {"BLOCK_M": bm, "BLOCK_N": bn, "BLOCK_D": self.BD, "BLOCK_DV": self.BDV,
                      "SPLIT": split}  # fmt: skip
        args, sig = self.tensor_specs(tensor_args)
        out_buf = p.output
        buffers = [BufferSpec(out_buf, tuple(p.match.out_ranks), "fp32", p.output)]
        if split == 1:
            args.append(ArgSpec("tensor", out_buf))
            sig.append((self.out_name, "*fp32"))
        else:
            dims = (split, p.batch, p.head, p.query)
            buffers.append(BufferSpec("$acc", (*dims, p.v_dim), "fp32"))
            buffers.append(BufferSpec("$ml", (*dims, 2), "fp32"))
            args += [ArgSpec("tensor", "$acc"), ArgSpec("tensor", "$ml")]
            sig += [("acc_part", "*fp32"), ("ml_part", "*fp32")]
        launches, signatures = [], {}
        if pre is not None:  # the block lists first, then the kernel that reads them
            buffers += block_buffers(p, bm, bn)
            lists = [ArgSpec("tensor", "$blk_num"), ArgSpec("tensor", "$blk_idx")]
            lists_sig = [("blk_num", "*i32"), ("blk_idx", "*i32")]
            args += lists
            sig += lists_sig
            pargs, psig = self.tensor_specs(pre.tensors)
            more, more_sig = self.value_specs(pre.scalars, extent_args)
            pconst = {"BLOCK_M": bm, "BLOCK_N": bn}
            grid = list_grid(p, bm)
            pargs, psig = (*pargs, *lists, *more), (*psig, *lists_sig, *more_sig)
            launches.append(Launch(pre.kernel, pargs, grid, pconst, 4, 1))
            signatures[pre.kernel] = psig
        more, more_sig = self.value_specs(scalar_args, extent_args)
        args, sig = (*args, *more), (*sig, *more_sig)
        warps, stages = int(cfg["num_warps"]), int(cfg["num_stages"])
        grid = (GridDim((p.query,), bm), GridDim((p.batch, p.head)), GridDim((), 1, split))
        launches.append(Launch(self.entry, args, grid, constexprs, warps, stages))
        signatures[self.entry] = sig
        if merge is not None:
            margs = [ArgSpec("tensor", "$acc"), ArgSpec("tensor", "$ml"),
                     ArgSpec("tensor", out_buf)]  # fmt: skip
            msig = [("acc_part", "*fp32"), ("ml_part", "*fp32"), (self.out_name, "*fp32")]
            if self.ext.get(p.query) is None:
                margs.append(ArgSpec("extent", p.query))
                msig.append((self.extent(p.query), "i32"))
            mconst = {"BLOCK_M": bm, "BLOCK_DV": self.BDV, "SPLIT": split}
            mgrid = (GridDim((p.query,), bm), GridDim((p.batch, p.head)))
            launches.append(Launch(merge, tuple(margs), mgrid, mconst, 4, 1))
            signatures[merge] = tuple(msig)
        plan = LaunchPlan(tuple(launches), tuple(buffers), {p.output: (out_buf, "float32")})
        return TritonFlashSource(text, self.entry, plan, signatures)


_Args = tuple[Tracked, Tracked]  # the scalars and the tensors one kernel reads


@dataclass(frozen=True)
class _PrePass:
    """The block-list pre-pass: its kernel name, predicate and band bounds (printed), and
    the ``(argument, program name)`` of the tensors and scalars they read."""

    kernel: str
    pred: str
    bands: list[tuple[str, ...]]
    tensors: list[tuple[str, str]]
    scalars: list[tuple[str, str]]


def _nospec(p: FusedPlan, scalar_args, extent_args) -> str:
    """``@triton.jit``, not specialising integer arguments (one build serves every length)."""
    kinds = p.info.scalars
    ints = [a for a, n in scalar_args if kinds[n].is_int or kinds[n] is DType.BOOL]
    ints += [a for a, _ in extent_args]
    return f"@triton.jit(do_not_specialize={ints!r})" if ints else "@triton.jit"


class _Overlay(Mapping):
    def __init__(self, base: Mapping[str, Any], extra: Mapping[str, Any]):
        self.base, self.extra = base, extra

    def __getitem__(self, k: str) -> Any:
        return self.extra[k] if k in self.extra else self.base[k]

    def __iter__(self) -> Iterator[str]:
        yield from self.extra
        yield from self.base

    def __len__(self) -> int:
        return len(self.extra) + len(self.base)

    def __contains__(self, k: object) -> bool:
        return k in self.extra or k in self.base


def _write_finish(w: Writer) -> None:
    """``out = acc / l``: 0 for a row with no key, NaN where every present score was -inf
    (max FLOOR); a NaN ``l`` stays NaN (an ``l > 0`` test would make it 0)."""
    w("l_safe = tl.where(l_i == 0, 1.0, l_i)")
    w("out = tl.where(l_i[:, None] == 0, 0.0, acc / l_safe[:, None])")
    # NaN as 0 · -inf, not a module global: Triton checks before each launch that the globals
    # a kernel read are unchanged, and a NaN global never equals itself
    w("out = tl.where(m_i[:, None] == FLOOR, 0.0 * NEG, out)")


def _tree(op: str, items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{op}({items[0]}, {_tree(op, items[1:])})"


def _as_float(v: Typed) -> str:
    return v.text if v.dtype == "float32" else f"({v.text}).to(tl.float32)"


def generate_fused(
    p: FusedPlan, extents: Mapping[str, int | None], config: Mapping[str, Any]
) -> TritonFlashSource:
    """The Triton source of plan ``p`` at ``extents`` (``None``: symbolic) for ``config``
    (``BLOCK_M``, ``BLOCK_N``, ``num_warps``, ``num_stages``, ``split``, ``dot``)."""
    return _TritonFlashWriter(p, extents, config).generate()
