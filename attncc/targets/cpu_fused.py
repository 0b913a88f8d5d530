"""The ``fused`` lowering of the CPU target: a recognised softmax attention becomes one
flash-style kernel of :mod:`attncc.targets.cpu_flash`, with the variant's expressions inlined.

Pipeline: :func:`plan` validates and inlines the program and runs
:func:`~attncc.ir.rewrites.match_attention`; a match the kernel computes *exactly* becomes a
:class:`FusedPlan`, anything else is ``None`` (the CPU target then takes the generic
lowering). :func:`knobs` / :func:`constraints` describe the schedule space; :func:`lower`
prints the plan's IR expressions as the kernel's TVMScript hooks
(:class:`~attncc.targets.tvm.script.ExprPrinter`, the generic lowering's printer: same floor
division, casts and selects) and generates the kernel.

How the match maps onto ``O = softmax(mask(score_mod(Q Kᵀ · scale))) V``:

* **Q** is the contraction factor that reads the query: an ``f32`` input read at its own
  ranks, which name the roles: ``Q[batch, head, query, qk_dim]``. The output must be
  ``O[batch, head, query, v_dim]``, normalised, the program's only output.
* **K** is the product of the other factors over the reduced rank (``K[b, h / G, m, e]``,
  ``f32(KQ[...])``, ``KC[PT[b, m / P], m % P, h / G, e]``); **V** is the match's value.
  They may read the head only through one index expression ``X``, the kv head. The kernel
  maps query head ``h`` to kv head ``h // grp``; ``grp`` is checked against ``X`` at
  lowering, from the index expression and the extents, never from names: ``X = h`` (MHA,
  ``grp = 1``), ``X = h / Y`` with ``Y`` a compile-time constant dividing the heads (GQA,
  ``grp = Y``), no head at all (MQA ``K[b, 0, m, e]``: ``grp = heads``); any other ``X``
  takes ``grp = 1`` with ``X`` evaluated in the load. K and V are the kernel's own buffers
  when they are plain ``f32`` reads of the kv head; otherwise load hooks (dequantise,
  page-table gather, fp16) read the inputs. A per-key factor of the contraction (a
  dequantisation scale ``KS[b, h / G, m]``) joins K in its pre-pass.
* **score_mod** is the logits with the contraction replaced by the scaled score ``s``;
  contraction factors over no rank fold into the kernel's scale when they are constants,
  other factors over no reduced rank multiply ``s``. **mask** is the match's predicate,
  and :func:`attncc.ir.tiles.key_bands` gives the bands that skip empty key tiles and
  unmask full ones.
* Params, and lets that are not compile-time constants, are scalar arguments (the target
  passes every param and let by name); other inputs the expressions read are tensor
  arguments. The query and key lengths, and every rank that is not batch, head, head dim,
  needed for ``grp`` or for a constant in a K / V load (a page size), stay symbolic: one
  build serves every length. The default config is :func:`cpu_flash.suggest_config`'s for
  prefill (the length is unknown at build time); decode configs (``k_layout="rows"``,
  ``split_kv``, a group's heads as a tile's rows) are knobs.

Loads are memory-safe: an index that is not the tensor's own rank (``RB[h, p - m + R0]``,
``PT[b, m / P]``, a page number) is clamped into the dimension. A valid program reads in
bounds wherever its result matters, so the clamp changes nothing there; where a guard of
the mask or a masked key makes the value irrelevant, it keeps a vectorised or speculative
load inside the buffer.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from attncc.errors import AttnccError, LoweringError
from attncc.ir.bind import eval_scalar
from attncc.ir.nodes import (
    Access,
    Binary,
    BinaryOp,
    Const,
    DType,
    Expr,
    Name,
    Program,
)
from attncc.ir.rewrites._expr import substitute
from attncc.lowering.plan import FusedPlan, G, S, fixed_lets, plan_attention, product
from attncc.targets import cpu_flash as flash
from attncc.targets.base import Config, Constraint, Knob, Source
from attncc.targets.host import Arg, host_target
from attncc.targets.tvm.script import COMPUTE, STORAGE, Buffer, ExprPrinter, Namer, Typed, literal

__all__ = ["constraints", "group", "knobs", "lower", "plan"]

_KERNEL_NAMES = frozenset({"Q", "K", "V", "O", "T", "P", "M", "B", "H", "HK", "D", "DV", "q"})
#: zmm registers a microkernel may keep live before LLVM spills (cpu_flash.register_demand).
REGISTER_BUDGET = 28


# ----------------------------------------------------------------------------- planning


def plan(program: Program) -> FusedPlan | None:
    """The attention plan of ``program`` (:func:`attncc.lowering.plan.plan_attention`) when
    this target's flash kernel can print it, else ``None``."""
    found = _cached_plan(program)  # by value: equal programs share one analysis
    return found if found is None or found.program is program else replace(found, program=program)


@functools.lru_cache(maxsize=256)
def _cached_plan(program: Program) -> FusedPlan | None:
    try:
        found = plan_attention(program)
        if found is not None:
            dry = _Render(found, {r: None for r in found.info.ranks})  # does it all print?
            flash.generate(dry.spec(), flash.FlashConfig(bq=4, bk=16, rb=4, rbv=4))
        return found
    except LoweringError:
        return None


# ----------------------------------------------------------------------------- rendering


class _Tracked(Mapping):
    """A mapping that records which keys were read (what a kernel needs as arguments)."""

    def __init__(self, table: Mapping[str, Any], track: set[str]):
        self.table, self.track, self.used = table, track, {}

    def __getitem__(self, k: str) -> Any:
        v = self.table[k]
        if k in self.track:
            self.used.setdefault(k, v)
        return v

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def __contains__(self, k: object) -> bool:
        return k in self.table


class _Printer(ExprPrinter):
    """The shared printer, with every index that is not its dimension's rank clamped."""

    def __init__(self, r: _Render, ranks: Mapping[str, str]):
        super().__init__(ranks=ranks, scalars=r.scalars, buffers=r.buffers)
        self.r = r

    def index(self, a: Access) -> str:
        dims = self.r.inputs[a.tensor].ranks
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


class _Render:
    """A plan at given extents: head grouping, names, hooks, arguments."""

    def __init__(self, p: FusedPlan, extents: Mapping[str, int | None]):
        self.p, self.ext = p, dict(extents)
        info = p.info
        self.inputs = {d.name: d for d in info.program.inputs}
        for r in (p.batch, p.head, p.qk_dim, p.v_dim):
            if self.ext.get(r) is None and any(v is not None for v in self.ext.values()):
                raise LoweringError(f"the fused lowering needs the extent of rank {r}")
        self.names = Namer()
        self.names.used |= _KERNEL_NAMES
        self.entry = self.names.fresh(f"fused_{p.program.name}")
        self.kernel_names: dict[tuple[str, str], str] = {}
        self.consts = self._constants()
        self.H = self.ext.get(p.head) or 1
        self.grp, self.head_index = self._grouping()
        self.HK = self.H // self.grp
        self.k_direct = self._direct(p.k_expr, p.qk_dim)
        self.v_direct = self._direct(p.v_expr, p.v_dim)
        kernel = {p.q: "Q"} | ({p.k_expr.tensor: "K"} if self.k_direct else {})
        kernel |= {p.v_expr.tensor: "V"} if self.v_direct else {}
        self.kernel_buffers = kernel
        self.bands_read_head = False  # a band bound reads the head: no pack_gqa (spec())
        buffers = {}
        for name, d in self.inputs.items():
            buffers[name] = Buffer(kernel.get(name) or self._name(name), STORAGE[d.dtype])
        self.buffers = _Tracked(buffers, set(buffers) - set(kernel))
        scalars = {}
        for name, dtype in info.scalars.items():
            if name in self.consts:
                scalars[name] = literal(self.consts[name], COMPUTE[dtype])
            else:
                scalars[name] = Typed(self._name(name), COMPUTE[dtype])
        scalars[S] = Typed("{s}", "float32")
        self.scalars = _Tracked(scalars, set(info.scalars) - set(self.consts))

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
        return index == Name(G) and n is not None and n >= self.HK

    def _constants(self) -> dict[str, Any]:
        return fixed_lets(self.p, self.ext)

    def _value(self, e: Expr) -> Any:
        env = {**{r: n for r, n in self.ext.items() if n is not None}, **self.consts}
        try:
            return eval_scalar(e, env)
        except (AttnccError, ArithmeticError, ValueError):
            return None

    def _grouping(self) -> tuple[int, Expr | None]:
        """``grp`` (query heads per kv head) and the head index left to evaluate in loads."""
        x, head = self.p.head_index, self.p.head
        if x is None:
            return self.H, None
        if x == Name(head):
            return 1, None
        if isinstance(x, Binary) and x.op is BinaryOp.DIV and x.lhs == Name(head):
            y = self._value(x.rhs)
            if isinstance(y, int) and not isinstance(y, bool) and y >= 1 and self.H % y == 0:
                return y, None
        return 1, substitute(x, {head: Name(G)})  # kernel kv head = query head

    def _direct(self, x: Expr, dim: str) -> bool:
        """K / V as the kernel's own ``[B, HK, M, D]`` f32 buffer."""
        d = self.inputs.get(x.tensor) if isinstance(x, Access) else None
        if d is None or d.dtype is not DType.F32 or len(d.ranks) != 4:
            return False
        if self.head_index is not None:
            return False
        b, g, m, e = d.ranks
        head = Name(G) if self.p.head_index is not None else x.indices[1]
        ok_head = head == Name(G) or (head == Const(0) and self.HK == 1)
        return (
            x.indices == (Name(b), head, Name(m), Name(e))
            and ok_head
            and (b, m, e) == (self.p.batch, self.p.key, dim)
            and self.ext.get(g) == self.HK
        )

    # -- text -----------------------------------------------------------------------------
    def _print(self, e: Expr, ranks: Mapping[str, str]) -> Typed:
        if self.head_index is not None:
            e = substitute(e, {G: self.head_index})
        return _Printer(self, ranks).expr(e)

    def spec(self) -> flash.FlashSpec:
        p = self.p
        rows = {p.batch: "{b}", p.head: "{h}", p.query: "{p}", p.key: "{m}"}
        scale, mods = 1.0, []
        for f in p.scale:
            v = self._value(f)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                scale *= float(v)
            else:
                mods.append(f)
        score = substitute(p.score, {S: product([Name(S), *mods])}) if mods else p.score
        score_mod = None if score == Name(S) else self._print(score, rows).text
        mask = None if p.predicate is None else self._print(p.predicate, rows).text
        kv = {p.batch: "{b}", p.key: "{m}", G: "{g}"}
        k_load = None if self.k_direct else self._print(p.k_expr, kv | {p.qk_dim: "{d}"}).text
        v_load = None if self.v_direct else self._print(p.v_expr, kv | {p.v_dim: "{f}"}).text
        bands = None
        if p.predicate is not None and not p.bands.skips_nothing:
            b = p.bands
            br = {p.batch: "{b}", p.head: "{h}", b.p0: "{p0}", b.p1: "{p1}", b.extent: "M"}
            bands = tuple(
                flash.Band(*(self._print(x, br).text for x in (x.lo, x.hi, x.full_lo, x.full_hi)))
                for x in b.bands
            )
            texts = [t for x in bands for t in (x.lo, x.hi, x.full_lo, x.full_hi)]
            self.bands_read_head = any("{h}" in t for t in texts)
        tensors = tuple(
            flash.Tensor(buf.name, tuple(self._dim(r) for r in self.inputs[n].ranks), buf.dtype)
            for n, buf in self.buffers.used.items()
        )
        scalars = tuple(flash.Scalar(t.text, t.dtype) for t in self.scalars.used.values())
        return flash.FlashSpec(
            B=self.ext.get(p.batch) or 1, H=self.H, HK=self.HK,
            D=self.ext.get(p.qk_dim) or 1, DV=self.ext.get(p.v_dim) or 1,
            P=self.ext.get(p.query), M=self.ext.get(p.key), scale=scale,
            score_mod=score_mod, mask=mask, bands=bands, tensors=tensors, scalars=scalars,
            name=self.entry, k_load=k_load, v_load=v_load,
        )  # fmt: skip

    def _dim(self, rank: str) -> int | str:
        n = self.ext.get(rank)
        return n if n is not None else self.extent(rank)

    def args(self, spec: flash.FlashSpec) -> tuple[Arg, ...]:
        """The kernel's arguments as the target passes them (program names, roles)."""
        p = self.p
        by_kernel = {buf.name: n for n, buf in self.buffers.used.items()}
        by_kernel |= {t.text: n for n, t in self.scalars.used.items()}
        inv = {v: k for k, v in self.kernel_buffers.items()}
        out = []
        for a in flash.signature(spec):
            if a in ("q", "k", "v"):
                d = self.inputs[inv[a.upper()]]
                out.append(Arg(d.name, "input", "float32", d.ranks))
            elif a == "o":
                out.append(Arg(p.output, "output", "float32", p.match.out_ranks))
            elif a == "M":
                out.append(Arg(p.key, "param", "int32"))
            elif by_kernel[a] in self.inputs:
                d = self.inputs[by_kernel[a]]
                out.append(Arg(d.name, "input", STORAGE[d.dtype], d.ranks))
            else:
                out.append(Arg(by_kernel[a], "param", COMPUTE[p.info.scalars[by_kernel[a]]]))
        return tuple(out)


def group(p: FusedPlan, extents: Mapping[str, int | None]) -> int:
    """Query heads per kv head of the kernel at ``extents`` (1 when the head index is not a
    grouping ``h / G`` the kernel can use)."""
    return _Render(p, extents).grp


# ----------------------------------------------------------------------------- space


def _render(p: FusedPlan, extents: Mapping[str, int | None]) -> tuple[_Render, flash.FlashSpec]:
    r = _Render(p, extents)
    return r, r.spec()


def _suggest(p: FusedPlan, spec: flash.FlashSpec, extents: Mapping[str, int | None]):
    n = extents.get(p.query)
    return flash.suggest_config(spec, decode=n is not None and n <= 4)


def knobs(p: FusedPlan, extents: Mapping[str, int | None]) -> tuple[Knob, ...]:
    """The flash kernel's schedule knobs; defaults are :func:`cpu_flash.suggest_config`'s."""
    r, spec = _render(p, extents)
    cfg = _suggest(p, spec, extents)

    def knob(name: str, choices: tuple, default: Any) -> Knob:
        return Knob(name, choices if default in choices else (*choices, default), default)

    grp = r.grp if r.grp > 1 else 0  # decode tiles: the heads of a group (pack_gqa)
    packs = (False, True) if grp and not r.bands_read_head else (False,)
    bqs = tuple(sorted({16, 24, 32, 48, 64, 96} | ({grp, 2 * grp, 4 * grp} - {0})))
    return (
        knob("bq", bqs, cfg.bq),
        knob("bk", (32, 64), cfg.bk),
        knob("rb", (2, 3, 4, 6, 8), cfg.rb),
        knob("rbv", (2, 3, 4, 6), cfg.rbv),
        knob("pv_cols", (32, 64, 128) if spec.DV >= 128 else (32, 64), cfg.pv_cols),
        knob("k_layout", ("tiles", "rows"), cfg.k_layout),
        knob("parallel_over", ("bhq", "bh"), cfg.parallel),
        knob("pack_gqa", packs, cfg.pack_gqa and True in packs),
        knob("split_kv", (1, 2, 4), cfg.split_kv),
    )


def _flash_config(config: Config) -> flash.FlashConfig:
    return flash.FlashConfig(
        bq=config["bq"],
        bk=config["bk"],
        rb=config["rb"],
        rbv=config["rbv"],
        pv_cols=config["pv_cols"],
        k_layout=config["k_layout"],
        parallel=config["parallel_over"],
        pack_gqa=config["pack_gqa"],
        split_kv=config["split_kv"],
    )


def constraints(p: FusedPlan, extents: Mapping[str, int | None]) -> tuple[Constraint, ...]:
    """Static feasibility of a fused config (each check returns the reason it fails)."""
    r, spec = _render(p, extents)

    def fused(check):
        return lambda c: None if c.get("lowering", "fused") != "fused" else check(c)

    def row_blocks(c: Config) -> str | None:
        if c["bq"] % c["rb"] or c["bq"] % c["rbv"]:
            return f"bq={c['bq']} is not a multiple of rb={c['rb']} and rbv={c['rbv']}"
        return None

    def registers(c: Config) -> str | None:
        qk, pv = flash.register_demand(spec, _flash_config(c))
        if max(qk, pv) > REGISTER_BUDGET:
            return (
                f"the microkernels need {qk} (QK) and {pv} (PV) vector registers, more than "
                f"{REGISTER_BUDGET}: they would spill; use smaller rb / rbv / pv_cols"
            )
        return None

    def packing(c: Config) -> str | None:
        if c["pack_gqa"] and c["bq"] % r.grp:
            return f"pack_gqa needs bq={c['bq']} to be a multiple of the group size {r.grp}"
        return None

    return (
        Constraint("row blocks", fused(row_blocks)),
        Constraint("register budget", fused(registers)),
        Constraint("pack_gqa", fused(packing)),
    )


# ----------------------------------------------------------------------------- lowering


def lower(p: FusedPlan, config: Config, extents: Mapping[str, int | None]) -> Source:
    """The flash kernel of ``p`` at ``extents`` (``None``: symbolic) for ``config``."""
    r, spec = _render(p, extents)
    defaults = {k.name: k.initial for k in knobs(p, extents)}
    full = {**defaults, **config}
    cfg = _flash_config(full)
    text = flash.generate(spec, cfg)
    meta = {
        "args": r.args(spec),
        "program": p.program,
        "config": {**full, "lowering": "fused"},
        "lowering": "fused",
        "llvm_target": host_target(),
    }
    return Source("cpu", "tvmscript", text, spec.name, dict(extents), meta)
