"""The cost model's feature layout: a fixed, versioned vector per :class:`Candidate`.

:data:`FEATURES` names every column in order; :data:`LAYOUT_VERSION` changes whenever a
name, its order or its meaning changes (a saved model records it and refuses another).
Missing values are NaN (XGBoost's missing value), never a guess. Sizes and counts are
``log2(1 + x)``: trees split on order, and the log keeps shapes of different scale apart.

Groups (prefix: meaning):

``ir_*`` -- the program at its extents, independent of the schedule:
    contraction / elementwise FLOPs (``2·|iteration space|`` per multiply-reduce), bytes of
    inputs read and outputs written, materialised intermediates (what the generic lowering
    stores), arithmetic intensity (visible contraction FLOPs / bytes), statements,
    transcendental calls, passes over the key rank (:func:`attncc.ir.analysis.count_passes`),
    the attention roles of the fused plan (batch, heads, kv group, queries, keys, head dims;
    the QK head dim sums every QK contraction of the score, MLA's RoPE part too),
    whether the fused lowering applies, whether a mask exists and is affine, and the visible
    fraction of (query, key) pairs on a 16 × 16 grid.
``tile_*`` -- mask density for the config's tiles: the fraction of (query tile, key tile)
    pairs that are empty / full / partial (:func:`attncc.ir.tiles.key_bands`, classified as
    :func:`attncc.ir.tiles.classify` does; tiles of ``bq`` rows — ``bq / group`` queries with
    ``pack_gqa`` — by ``bk`` keys; 64 × 64 for the generic lowering), the computed pairs and
    the share of computed pairs that are masked (waste) (:mod:`attncc.cost_models.
    mask_density`). A mask of indices and scalars that the bands cannot classify (``//``,
    ``%``, ``or``) is evaluated pair by pair (up to ``GRID_PAIRS``): its visible fraction is
    exact, and with the kernel's tile pre-pass on, tiles are classified as the pre-pass
    finds them. A bound that reads a tensor (a
    cache length ``m < KVLEN[b]``) is taken at the key extent, its upper bound: the tiles of
    a full cache, which is what the extents describe (before, such masks had no tile
    features and looked to the model like document masks).
``sched_*`` -- knobs (numeric, and one-hot for categorical ones) and what they imply:
    vector registers of the two microkernels (``register_demand``; also as a share of the
    machine's registers, and tile widths in vectors: the units that carry across ISAs), parallel
    work items, items per core and the load balance ``items / (cores · ceil(items / cores))``,
    the heads a work item walks (``parallel_over="bq"``: all of them, their state held at
    once), the working set of one key tile (the item's Q tiles and accumulators, the K and V
    tile, the scores) against L1 and L2, the K/V stream of one head against L2 and L3, the
    K pre-pack bytes, the bytes ``gather_kv`` copies, and ``prepass`` (NaN where the mask
    needs none).
``art_*`` -- the compiled artifact when given (``Candidate.artifact``: ``registers``,
    ``spills``, ``shared_memory``, ``instructions``); NaN otherwise (the CPU target fills none).
``hw_*`` -- the machine: the probe embedding (:mod:`attncc.cost_models.hardware`), threads,
    the vector unit kernels are built for (lanes and registers: also what the ``sched_regs_*``
    estimates divide by) and cache sizes (``Candidate.hardware["caches"]``, else this host's sysfs).

Program-level values are memoised per (program, extents); a pool of thousands of configs
of one program costs one analysis plus cheap arithmetic per config.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

import numpy as np

from attncc.cost_models.base import Candidate
from attncc.cost_models.hardware import PROBES
from attncc.cost_models.hardware import cache_sizes
from attncc.cost_models.mask_density import GRID_PAIRS
from attncc.cost_models.mask_density import grid_table
from attncc.cost_models.mask_density import mask_tiles
from attncc.errors import AttnccError
from attncc.ir.analysis import count_passes
from attncc.ir.analysis import reduced_ranks
from attncc.ir.bind import bind
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Name
from attncc.ir.nodes import walk
from attncc.ir.tiles import key_bands
from attncc.ir.tiles import query_rank
from attncc.ir.validate import validate
from attncc.targets.cpu import fused as cpu_fused
from attncc.targets.cpu.host import isa_features
from attncc.targets.cpu.isa import vector_unit
from attncc.targets.tvm.bound_plan import kv_group

__all__ = ["FEATURES", "LAYOUT_VERSION", "featurize", "featurize_many", "workload_kind"]

LAYOUT_VERSION = 5

_K_LAYOUTS = ("tiles", "rows", "packed", "transposed")
_PARALLEL_OVER = ("bhq", "bh", "bq")
_TRANSCENDENTAL = {"exp", "exp2", "log", "log2", "tanh", "sigmoid", "sqrt", "rsqrt"}

FEATURES: tuple[str, ...] = (
    # ir_*: the program at its extents
    "ir_log_flops_contract",
    "ir_log_flops_elementwise",
    "ir_log_flops_visible",
    "ir_log_bytes_read",
    "ir_log_bytes_written",
    "ir_log_bytes_intermediate",
    "ir_log_intensity",
    "ir_n_stmts",
    "ir_n_transcendental",
    "ir_key_passes",
    "ir_fusable",
    "ir_has_mask",
    "ir_mask_affine",
    "ir_visible_fraction",
    "ir_log_batch",
    "ir_log_heads",
    "ir_log_group",
    "ir_log_queries",
    "ir_log_keys",
    "ir_log_qk_dim",
    "ir_log_v_dim",
    "ir_decode",
    # tile_*: mask density at the config's tile sizes
    "tile_empty",
    "tile_full",
    "tile_partial",
    "tile_log_computed_pairs",
    "tile_waste",
    # sched_*: knobs and what they imply
    "sched_fused",
    "sched_bq",
    "sched_bk",
    "sched_rb",
    "sched_rbv",
    "sched_pv_cols",
    "sched_split_kv",
    *(f"sched_k_layout_{k}" for k in _K_LAYOUTS),
    *(f"sched_parallel_over_{k}" for k in _PARALLEL_OVER),
    "sched_pack_gqa",
    "sched_gather_kv",
    "sched_prepass",
    "sched_generic_parallel",
    "sched_generic_fuse",
    "sched_generic_unroll",
    "sched_regs_qk",
    "sched_regs_pv",
    "sched_regs_qk_share",
    "sched_regs_pv_share",
    "sched_bk_vectors",
    "sched_pv_vectors",
    "sched_log_work_items",
    "sched_log_heads_per_item",
    "sched_items_per_core",
    "sched_balance",
    "sched_ws_tile_l1",
    "sched_ws_tile_l2",
    "sched_kv_head_l2",
    "sched_kv_head_l3",
    "sched_log_pack_bytes",
    "sched_log_gather_bytes",
    # art_*: the compiled artifact
    "art_registers",
    "art_spills",
    "art_shared_memory",
    "art_log_instructions",
    # hw_*: the machine
    *(f"hw_probe_{p}" for p in PROBES),
    "hw_log_threads",
    "hw_vector_lanes",
    "hw_vector_registers",
    "hw_log_l1d",
    "hw_log_l2",
    "hw_log_l3",
)
_INDEX = {name: i for i, name in enumerate(FEATURES)}
NAN = math.nan


def _lg(x: float) -> float:
    return math.log2(1.0 + x) if x == x and x >= 0 else NAN


# ----------------------------------------------------------------------------- program level


@functools.lru_cache(maxsize=512)
def _program(program, extents: tuple[tuple[str, int], ...]) -> dict[str, Any]:
    """Schedule-independent facts of ``program`` at ``extents`` (memoised)."""

    ext = dict(extents)
    info = validate(program)
    size = {r: int(ext.get(r) or 1) for r in info.ranks}
    try:
        scalars = dict(bind(program, extents={r: size[r] for r in info.ranks}).scalars)
    except AttnccError:  # params without defaults, extents that break a check: no scalars
        scalars = {}

    def count(ranks) -> int:
        return math.prod(size.get(r, 1) for r in ranks)

    def nbytes(name: str, ranks, dtype) -> int:
        item = {"f64": 8, "f32": 4, "bf16": 4, "f16": 2, "i32": 4, "i8": 1, "bool": 1}
        return count(ranks) * item.get(getattr(dtype, "value", str(dtype)), 4)

    contract = elementwise = 0
    transcendental = 0
    for s in program.stmts:
        n = count(s.space)
        accesses = [a for a in walk(s.value) if isinstance(a, Access)]
        products = any(isinstance(e, Binary) and e.op is BinaryOp.MUL for e in walk(s.value))
        if s.reduce is not None and s.over and products and len(accesses) >= 2:
            contract += 2 * n
        else:
            elementwise += n
        transcendental += sum(
            1 for e in walk(s.value) if isinstance(e, Call) and e.fn.value in _TRANSCENDENTAL
        )
    read = sum(nbytes(d.name, d.ranks, d.dtype) for d in program.inputs)
    outs = set(program.outputs)
    written = inter = 0
    for s in program.stmts:
        b = count(s.ranks) * 4
        if s.out in outs:
            written += b
        else:
            inter += b
    out_ranks = next((s.ranks for s in program.stmts if s.out in outs), ())
    passes = count_passes(program)
    reduced = reduced_ranks(program)

    plan = cpu_fused.plan(program)
    roles: dict[str, float] = {}
    predicate, query, key = None, None, None
    if plan is not None:
        heads = size.get(plan.head, 1)
        try:
            group = kv_group(plan, ext)
        except AttnccError:  # heads that do not divide into kv groups at these extents
            group = 1
        roles = {
            "batch": size.get(plan.batch, 1),
            "heads": heads,
            "group": group,
            "queries": size.get(plan.query, 1),
            "keys": size.get(plan.key, 1),
            # every QK contraction the score sums (MLA: latent rank + RoPE dims), as the
            # kernel contracts them: one head dim, the parts concatenated
            "qk_dim": size.get(plan.qk_dim, 1) + sum(size.get(r, 1) for _, r, _ in plan.qk_parts),
            "v_dim": size.get(plan.v_dim, 1),
        }
        predicate, query, key = plan.predicate, plan.query, plan.key
    else:
        predicate, query, key = _generic_mask(program, reduced)
    has_mask = predicate is not None
    affine = NAN
    bands = None
    if has_mask and key is not None:
        try:
            bands = key_bands(predicate, query, key, info=info)
            affine = float(bands.affine)
        except AttnccError:
            bands = None
    rows = size.get(query, 1) if query else 1
    keys = size.get(key, 1) if key else 1
    env = {**scalars, **{r: 0 for r in info.ranks}}  # other ranks' indices: tile 0
    grid_args, table = None, None  # where the bands are not exact: the mask, pair by pair
    if has_mask and affine != 1.0 and query and key and rows * keys <= GRID_PAIRS:
        scalars_only = tuple(sorted((k, v) for k, v in env.items() if isinstance(v, int | float)))
        grid_args = (predicate, query, key, rows, keys, scalars_only)
        table = grid_table(*grid_args)
        grid_args = grid_args if table is not None else None
    return {
        "contract": contract,
        "elementwise": elementwise,
        "read": read,
        "written": written,
        "inter": inter,
        "n_stmts": len(program.stmts),
        "transcendental": transcendental,
        "key_passes": passes.get(key, max(passes.values(), default=0)) if key else NAN,
        "fusable": plan is not None,
        "has_mask": has_mask,
        "affine": affine if has_mask else 1.0,
        "roles": roles,
        "bands": bands,
        # the table itself lives in grid_table's small cache (16 MB at S2048): recomputed if
        # evicted, never held by the hundreds of entries this cache keeps
        "grid": grid_args,
        "grid_visible": NAN if table is None else float(table[-1, -1]) / (rows * keys or 1),
        "grid_tiles": {},  # (bq, bk) -> counts, memoised
        "env": env,
        "rows": rows,
        "keys": keys,
        "out_sizes": [size.get(r, 1) for r in out_ranks],
    }


def _generic_mask(program, reduced):
    """(predicate, query rank, key rank) of the first filter over a reduced rank."""

    for s in program.stmts:
        if s.where is None:
            continue
        names = {n.name for n in walk(s.where) if isinstance(n, Name)}
        key = next((r for r in reduced if r in names and r in s.space), None)
        if key is None:
            continue
        rows = [r for r in s.space if r != key]
        return s.where, query_rank(s.where, rows, key), key
    return None, None, None


# ----------------------------------------------------------------------------- candidates


def _hw_caches(hardware: Mapping[str, Any]) -> dict[str, int]:
    given = hardware.get("caches")
    return dict(given) if isinstance(given, Mapping) else cache_sizes()


def _vector_unit(hardware: Mapping[str, Any]) -> tuple[int, int]:
    """(float32 lanes, vector registers) the candidate's kernels are built for: from the
    machine description, else from its LLVM CPU name, else this process's build target."""
    if "lanes" in hardware and "vector_registers" in hardware:
        return int(hardware["lanes"]), int(hardware["vector_registers"])
    unit = _unit_of(str(hardware.get("mcpu") or ""))
    return unit.lanes, unit.registers


@functools.lru_cache(maxsize=16)
def _unit_of(mcpu: str):
    features = isa_features(mcpu) if mcpu else None
    return vector_unit(features) if features is not None else cpu_fused.build_unit()


def workload_kind(c: Candidate) -> str:
    """``"decode"`` (at most 16 query rows, the ``ir_decode`` feature) or ``"prefill"``.

    The model's calibration keeps a threshold per kind: held out, its decode picks that
    left the default never gained more than 2 % and often lost (down to 0.44x), while its
    prefill picks mostly gained; one threshold over both was set by decode losses and
    moved with every retrain (bench/RESULTS.md, tenth session)."""
    return "decode" if _decodes(_facts(c)) else "prefill"


def _facts(c: Candidate) -> dict[str, Any]:
    """The program's facts at the candidate's extents (cached per program and extents)."""
    return _program(
        c.program, tuple(sorted((k, int(v)) for k, v in c.extents.items() if v is not None))
    )


def _decodes(facts: Mapping[str, Any]) -> bool:
    """At most 16 query rows: ``ir_decode`` and :func:`workload_kind` share this rule."""
    return bool(facts["roles"]) and facts["rows"] <= 16


def featurize(c: Candidate) -> np.ndarray:
    """The feature vector of one candidate, in :data:`FEATURES` order (float64, NaN = missing)."""
    facts = _facts(c)
    cfg = c.config
    hw = c.hardware or {}
    caches = _hw_caches(hw)
    threads = int(hw.get("threads") or hw.get("cores") or 1)
    lanes, registers = _vector_unit(hw)
    x = np.full(len(FEATURES), NAN)

    def put(name: str, value: float) -> None:
        x[_INDEX[name]] = value

    roles = facts["roles"]
    rows, keys = facts["rows"], facts["keys"]
    fine = mask_tiles(facts, 16, 16)
    visible_frac = NAN
    if facts.get("grid") is not None:
        visible_frac = facts["grid_visible"]
    elif fine is not None:
        tot = sum(fine) or 1.0
        visible_frac = (fine[1] + 0.5 * fine[2]) / tot
    put("ir_log_flops_contract", _lg(facts["contract"]))
    put("ir_log_flops_elementwise", _lg(facts["elementwise"]))
    put("ir_log_flops_visible", _lg(facts["contract"] * visible_frac))
    put("ir_log_bytes_read", _lg(facts["read"]))
    put("ir_log_bytes_written", _lg(facts["written"]))
    put("ir_log_bytes_intermediate", _lg(facts["inter"]))
    moved = facts["read"] + facts["written"]
    put("ir_log_intensity", _lg(facts["contract"] * visible_frac / max(moved, 1)))
    put("ir_n_stmts", facts["n_stmts"])
    put("ir_n_transcendental", facts["transcendental"])
    put("ir_key_passes", facts["key_passes"])
    put("ir_fusable", float(facts["fusable"]))
    put("ir_has_mask", float(facts["has_mask"]))
    put("ir_mask_affine", facts["affine"])
    put("ir_visible_fraction", visible_frac)
    for r in ("batch", "heads", "group", "queries", "keys", "qk_dim", "v_dim"):
        put(f"ir_log_{r}", _lg(roles[r]) if r in roles else NAN)
    put("ir_decode", float(_decodes(facts)) if roles else NAN)

    fused = cfg.get("lowering", "generic") == "fused"
    put("sched_fused", float(fused))
    group = int(roles.get("group", 1) or 1)
    if fused:
        bq, bk = int(cfg.get("bq", 48)), int(cfg.get("bk", 64))
        rb, rbv = int(cfg.get("rb", 4)), int(cfg.get("rbv", 4))
        pv_cols, split = int(cfg.get("pv_cols", 64)), int(cfg.get("split_kv", 1))
        pack = bool(cfg.get("pack_gqa", False))
        k_layout, over = cfg.get("k_layout", "tiles"), cfg.get("parallel_over", "bhq")
        for name, v in (("bq", bq), ("bk", bk), ("rb", rb), ("rbv", rbv)):
            put(f"sched_{name}", v)
        put("sched_pv_cols", pv_cols)
        put("sched_split_kv", split)
        for k in _K_LAYOUTS:
            put(f"sched_k_layout_{k}", float(k_layout == k))
        for k in _PARALLEL_OVER:
            put(f"sched_parallel_over_{k}", float(over == k))
        put("sched_pack_gqa", float(pack))
        gather = bool(cfg.get("gather_kv", False))
        put("sched_gather_kv", float(gather))
        # the knob exists only where the mask needs a pre-pass to skip tiles (else NaN)
        put("sched_prepass", float(bool(cfg["prepass"])) if "prepass" in cfg else NAN)
        d, dv = int(roles.get("qk_dim", 64)), int(roles.get("v_dim", 64))
        vl = lanes
        qk_regs = rb + 2 if k_layout == "rows" else (rb + 1) * -(-bk // vl) + 1
        pv_regs = (rbv + 1) * -(-min(pv_cols, dv) // vl) + 1
        put("sched_regs_qk", qk_regs)
        put("sched_regs_pv", pv_regs)
        # the same in the machine's units: what transfers between AVX2 and AVX-512
        put("sched_regs_qk_share", qk_regs / registers)
        put("sched_regs_pv_share", pv_regs / registers)
        put("sched_bk_vectors", bk / vl)
        put("sched_pv_vectors", min(pv_cols, dv) / vl)
        q_rows = max(1, bq // group) if pack else bq  # queries per tile
        heads = int(roles.get("heads", 1))
        kv_heads = heads // max(group, 1)
        head_items = kv_heads if pack else heads
        n_qt = math.ceil(rows / q_rows)
        batch = int(roles.get("batch", 1))
        if over == "bq":  # an item walks every head inside each key tile, holding their state
            items = batch * split * n_qt
            item_heads, item_kv = head_items, kv_heads
        else:
            items = batch * head_items * split * (n_qt if over == "bhq" else 1)
            item_heads, item_kv = 1, 1
        put("sched_log_heads_per_item", _lg(item_heads))
        # working set while a key tile is in use: Q tiles and accumulators of the item's
        # heads, one score tile, and the key tile of K and V (every kv head with "bq")
        tile = 4 * (item_heads * bq * (d + dv) + item_kv * bk * (d + dv) + bq * bk)
        put("sched_ws_tile_l1", tile / caches.get("l1d", 32 << 10))
        put("sched_ws_tile_l2", tile / caches.get("l2", 1 << 20))
        # gather_kv copies each visited key tile of every kv head, once per work item
        gathered = items * kv_heads * math.ceil(keys / max(split, 1)) * 4 * (d + dv)
        put("sched_log_gather_bytes", _lg(gathered if gather else 0))
        kv_head = 4 * keys * (d + dv)
        put("sched_kv_head_l2", kv_head / caches.get("l2", 1 << 20))
        put("sched_kv_head_l3", kv_head / caches.get("l3", 32 << 20))
        pack_bytes = 4 * keys * d * batch * kv_heads
        put("sched_log_pack_bytes", _lg(pack_bytes if k_layout == "tiles" else 0))
        tiles = mask_tiles(facts, q_rows, bk, exact=bool(cfg.get("prepass", False)))
    else:
        put("sched_generic_parallel", float(bool(cfg.get("parallel", True))))
        put("sched_generic_fuse", float(cfg.get("fuse", 2)))
        put("sched_generic_unroll", float(cfg.get("unroll", 0)))
        fuse = int(cfg.get("fuse", 2))  # outer output ranks fused into the parallel loop
        items = math.prod(facts["out_sizes"][:fuse]) if cfg.get("parallel", True) else 1
        tiles = mask_tiles(facts, 64, 64)
    put("sched_log_work_items", _lg(items))
    put("sched_items_per_core", items / max(threads, 1))
    put("sched_balance", items / (max(threads, 1) * math.ceil(items / max(threads, 1))))
    if tiles is not None:
        tot = sum(tiles) or 1.0
        put("tile_empty", tiles[0] / tot)
        put("tile_full", tiles[1] / tot)
        put("tile_partial", tiles[2] / tot)
        computed = (tiles[1] + tiles[2]) / tot * rows * keys
        put("tile_log_computed_pairs", _lg(computed))
        if visible_frac == visible_frac and computed > 0:
            put("tile_waste", max(0.0, 1.0 - visible_frac * rows * keys / computed))

    art = c.artifact or {}
    for name, key in (
        ("art_registers", "registers"),
        ("art_spills", "spills"),
        ("art_shared_memory", "shared_memory"),
    ):
        if key in art:
            put(name, float(art[key]))
    if "instructions" in art:
        put("art_log_instructions", _lg(float(art["instructions"])))

    emb = hw.get("embedding") or {}
    for p in PROBES:
        if p in emb:
            put(f"hw_probe_{p}", float(emb[p]))
    put("hw_log_threads", _lg(threads))
    put("hw_vector_lanes", lanes)
    put("hw_vector_registers", registers)
    for lvl in ("l1d", "l2", "l3"):
        put(f"hw_log_{lvl}", _lg(caches.get(lvl, NAN)))
    return x


def featurize_many(candidates: Sequence[Candidate]) -> np.ndarray:
    """``[len(candidates), len(FEATURES)]`` float64."""
    if not candidates:
        return np.zeros((0, len(FEATURES)))
    return np.stack([featurize(c) for c in candidates])
