"""The ``fused`` lowering of the CPU target: a recognised softmax attention becomes one
flash-style kernel of :mod:`attncc.targets.cpu.flash`, with the variant's expressions inlined.

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
  build serves every length. The default config is ``flash_config.suggest_config``'s for
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
from collections.abc import Mapping
from typing import Any

from attncc.lowering.plan import FusedPlan
from attncc.targets.base import Arg
from attncc.targets.base import Config
from attncc.targets.base import Constraint
from attncc.targets.base import Knob
from attncc.targets.base import Source
from attncc.targets.cpu import flash
from attncc.targets.cpu.flash_tiles import TILE_CLASSES
from attncc.targets.cpu.flash_tiles import class_shape
from attncc.targets.cpu.flash_tiles import classes_cached
from attncc.targets.cpu.host import UNALIGNED
from attncc.targets.cpu.host import build_cpu
from attncc.targets.cpu.host import build_target
from attncc.targets.cpu.host import host_isa_features
from attncc.targets.cpu.host import isa_features
from attncc.targets.cpu.isa import VectorUnit
from attncc.targets.cpu.isa import vector_unit
from attncc.targets.lowerings import printable_plans
from attncc.targets.tvm.bound_plan import BoundPlan

__all__ = ["DECODE_QUERIES", "constraints", "knobs", "lower", "plan", "prepass_source"]


def build_unit() -> VectorUnit:
    """The vector unit of the CPU kernels are built for (``$ATTNCC_CPU`` or the host)."""
    return _unit(build_cpu())


@functools.lru_cache(maxsize=16)
def _unit(mcpu: str) -> VectorUnit:
    features = isa_features(mcpu)
    return vector_unit(host_isa_features() if features is None else features)


# ----------------------------------------------------------------------------- planning


def _prints(found: FusedPlan) -> None:
    """The flash generator prints the plan (symbolic extents, a small config)."""
    dry = BoundPlan(found, {r: None for r in found.info.ranks}, vector_math=True)
    spec = dry.spec()
    small = flash.FlashConfig(bq=4, bk=16, rb=4, rbv=4)
    flash.generate(spec, flash.suggest_config(spec) if spec.kv_by_query else small)


#: The attention plan of a program when this target's flash kernel can print it, else None.
plan = printable_plans(_prints)


# ----------------------------------------------------------------------------- space


def _render(p: FusedPlan, extents: Mapping[str, int | None]) -> tuple[BoundPlan, flash.FlashSpec]:
    r = BoundPlan(p, extents, vector_math=True, symbolic_batch=True)
    return r, r.spec()


#: Query lengths up to this are decode: built for that exact length (a build per length, at
#: most this many), with decode defaults (a group's heads as a tile's rows, K read as given,
#: split KV); longer ones share one build with a symbolic length.
DECODE_QUERIES = 4


def _suggest(p: FusedPlan, spec: flash.FlashSpec, extents: Mapping[str, int | None]):
    n = extents.get(p.query)
    decode = n is not None and n <= DECODE_QUERIES
    return flash.suggest_config(spec, decode=decode, unit=build_unit())


def knobs(p: FusedPlan, extents: Mapping[str, int | None]) -> tuple[Knob, ...]:
    """The flash kernel's schedule knobs; defaults are ``flash_config.suggest_config``'s."""
    r, spec = _render(p, extents)
    cfg = _suggest(p, spec, extents)

    def knob(name: str, choices: tuple, default: Any) -> Knob:
        return Knob(name, choices if default in choices else (*choices, default), default)

    grp = r.grp if r.grp > 1 else 0  # decode tiles: the heads of a group (pack_gqa)
    packs = (False, True) if grp and not r.bands_read_head else (False,)
    bqs = tuple(sorted({16, 24, 32, 48, 64, 96} | ({grp, 2 * grp, 4 * grp} - {0})))
    one = (1,) if spec.kv_by_query else ()  # a tile of one query's row (no pack_gqa)
    bqs = tuple(sorted({*bqs, *one}))
    pv_cols = (32, 64, 128) if spec.DV >= 128 else (32, 64)
    if cfg.vl < 16:  # narrower vectors: narrower tiles and PV blocks too
        pv_cols = (16, *pv_cols)
    prepass = (knob("prepass", (True, False), True),) if spec.tile_prepass else ()
    return (
        *prepass,
        knob("bq", bqs, cfg.bq),
        knob("bk", (16, 32, 64), cfg.bk),
        knob("rb", (*one, 2, 3, 4, 6, 8), cfg.rb),
        knob("rbv", (*one, 2, 3, 4, 6), cfg.rbv),
        knob("pv_cols", pv_cols, cfg.pv_cols),
        knob("k_layout", ("tiles", "rows"), cfg.k_layout),
        knob("parallel_over", ("bhq", "bh", "bq"), cfg.parallel),
        knob("pack_gqa", packs, cfg.pack_gqa and True in packs),
        knob("split_kv", (1, 2, 4), cfg.split_kv),
        knob("gather_kv", (False, True), cfg.gather_kv),
    )


def _flash_config(config: Config, lanes: int | None = None) -> flash.FlashConfig:
    return flash.FlashConfig(
        vl=build_unit().lanes if lanes is None else lanes,
        bq=config["bq"],
        bk=config["bk"],
        rb=config["rb"],
        rbv=config["rbv"],
        pv_cols=config["pv_cols"],
        k_layout=config["k_layout"],
        parallel=config["parallel_over"],
        pack_gqa=config["pack_gqa"],
        split_kv=config["split_kv"],
        prepass=config.get("prepass", True),
        gather_kv=config.get("gather_kv", False),
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

    unit = build_unit()

    def registers(c: Config) -> str | None:
        qk, pv = flash.register_demand(spec, _flash_config(c, unit.lanes))
        if max(qk, pv) > unit.budget:
            return (
                f"the microkernels need {qk} (QK) and {pv} (PV) vector registers, more than "
                f"{unit.budget} of {unit.name}'s {unit.registers}: they would spill; use "
                "smaller rb / rbv / pv_cols"
            )
        return None

    def lanes(c: Config) -> str | None:
        wide = [k for k in ("bk", "pv_cols") if c[k] % unit.lanes]
        return f"{', '.join(wide)} must be multiples of {unit.lanes} lanes" if wide else None

    def packing(c: Config) -> str | None:
        if c["pack_gqa"] and c["bq"] % r.grp:
            return f"pack_gqa needs bq={c['bq']} to be a multiple of the group size {r.grp}"
        return None

    def per_query(c: Config) -> str | None:
        return flash.query_tiles(spec, _flash_config(c, unit.lanes))

    def splits(c: Config) -> str | None:
        if spec.normalized and c["split_kv"] > 1:
            return "a normalised weighted sum is not split: split_kv must be 1"
        return None

    def walk(c: Config) -> str | None:
        if c.get("gather_kv") and (c["parallel_over"] != "bq" or c["k_layout"] != "rows"):
            return "gather_kv needs parallel_over='bq' and k_layout='rows'"
        if c["parallel_over"] == "bq" and flash.bands_read_head(spec):
            return "parallel_over='bq' walks every head in a work item: the bands read the head"
        return None

    return (
        Constraint("row blocks", fused(row_blocks)),
        Constraint("head walk", fused(walk)),
        Constraint("keys per query", fused(per_query)),
        Constraint("weight sums", fused(splits)),
        Constraint("register budget", fused(registers)),
        Constraint("vector lanes", fused(lanes)),
        Constraint("pack_gqa", fused(packing)),
    )


# ----------------------------------------------------------------------------- lowering


def lower(
    p: FusedPlan, config: Config, extents: Mapping[str, int | None], attend: bool = True
) -> Source:
    """The flash kernel of ``p`` at ``extents`` (``None``: symbolic) for ``config``;
    ``attend=False``: its tile pre-pass alone (see :func:`prepass_source`)."""
    r, spec = _render(p, extents)
    defaults = {k.name: k.initial for k in knobs(p, extents)}
    full = {**defaults, **config}
    cfg = _flash_config(full)
    text = flash.generate(spec, cfg, attend=attend)
    meta = {
        "args": r.args(spec),
        "program": p.program,
        "config": {**full, "lowering": "fused"},
        "lowering": "fused",
        "llvm_target": build_target(),
        UNALIGNED: True,  # the flash kernel's inputs are align=4
    }
    if classes_cached(spec, cfg):  # the target keeps the tile classes between calls
        meta["args"] += (Arg(TILE_CLASSES[0], "tile_classes", "int8", (p.query, p.key)),)
        rows, qp, bk = class_shape(spec, cfg)
        meta["tile_classes"] = {"rows": rows, "query_tile": qp, "key_tile": bk}
    return Source("cpu", "tvmscript", text, spec.name, dict(extents), meta)


def prepass_source(
    p: FusedPlan, config: Config, extents: Mapping[str, int | None]
) -> Source | None:
    """The kernel's tile-classification pre-pass alone, with the kernel's arguments (the
    output untouched), to time what it costs; ``None`` when the kernel has no pre-pass."""
    _, spec = _render(p, extents)
    if not spec.tile_prepass or not config.get("prepass", True):
        return None
    return lower(p, config, extents, attend=False)
