"""The CPU flash kernel's schedule knobs, their static checks and starting points.

:class:`FlashConfig` is what :func:`attncc.targets.cpu.flash.generate` takes;
:func:`register_demand` estimates the vector registers its two microkernels keep live (the
tuner's static constraint); :func:`suggest_config` is a starting point on an AVX-512 core;
:func:`check_config` refuses a spec or config the generator cannot print.
"""

from __future__ import annotations

from dataclasses import dataclass

from attncc.errors import LoweringError
from attncc.targets.cpu.isa import AVX512
from attncc.targets.cpu.isa import VectorUnit
from attncc.targets.tvm.flash_spec import FlashSpec

__all__ = [
    "DIM_NAMES",
    "FlashConfig",
    "check_config",
    "query_tiles",
    "register_demand",
    "suggest_config",
]

#: The kernel's own dimension names (a spec's extra tensors may use others).
DIM_NAMES = ("B", "H", "HK", "P", "M", "D", "DV")
_K_LAYOUTS = ("tiles", "packed", "transposed", "rows")
_RESERVED = {"Q", "K", "V", "O", "LSE", "T", "P", "M"}


@dataclass(frozen=True, slots=True)
class FlashConfig:
    """Schedule knobs (the tuner's search space; :func:`register_demand` constrains it).

    * ``bq`` × ``bk``: query-tile rows × key-tile columns; ``bq`` a multiple of ``rb``, ``rbv``
      (and of ``H // HK`` with ``pack_gqa``), ``bk`` a multiple of ``vl``.
    * ``rb``: rows of the QKᵀ register block (``rb × bk`` accumulators); ``rbv`` × ``pv_cols``:
      the PV register block (``DV`` is split into ``pv_cols`` chunks).
    * ``vl``: vector lanes (16 = one zmm of fp32) for the row max / sum reductions.
    * ``k_layout``: what the QKᵀ microkernel reads. ``"tiles"``: a pre-pass packs K into
      ``[B, HK, ceil(M/bk), D, bk]``; ``"packed"``: the caller passes K in that layout (a KV
      cache kept in kernel layout); ``"transposed"``: a pre-pass into ``[B, HK, D, M']``;
      ``"rows"``: K as given, dot products along D, no pre-pass (decode).
    * ``unroll_d``: unroll of the reduction over D in QKᵀ (LLVM unrolls 2× by itself).
    * ``parallel``: ``"bhq"`` = batch × heads × query tiles, ``"bh"`` = batch × heads,
      ``"bq"`` = batch × query tiles, each work item walking every head of a key tile while
      the tile is in cache (a paged NHD pool: a page holds every head's keys; masks and
      bands must not read the head).
    * ``split_kv``: key-range splits per query tile, merged at the end (decode parallelism).
    * ``fuse_pv``: PV right after each row block's softmax instead of after the whole tile.
    * ``pack_gqa``: a tile's rows are (query, head) pairs of one kv-head group.
    * ``gather_kv``: with ``parallel="bq"`` and ``k_layout="rows"``, copy each key tile of K
      and V (every kv head, in key order) into a local buffer before the heads read it.
    * ``prepass``: classify key tiles of a mask the bands cannot (``FlashSpec.tile_prepass``)
      before attending, to skip empty tiles and unmask full ones (:mod:`.flash_tiles`).
    """

    bq: int = 48
    bk: int = 64
    rb: int = 3
    rbv: int = 3
    pv_cols: int = 64
    vl: int = 16
    k_layout: str = "tiles"
    unroll_d: int = 1
    parallel: str = "bhq"
    split_kv: int = 1
    fuse_pv: bool = False
    pack_gqa: bool = False
    prepass: bool = True
    gather_kv: bool = False


def register_demand(spec: FlashSpec, cfg: FlashConfig) -> tuple[int, int]:
    """Vector registers live in the QKᵀ and PV microkernels (accumulators + loads + broadcast).

    LLVM keeps a block in registers only with a few to spare: above ~28 of the 32 zmm
    registers it spills accumulators to the stack in the inner loop (a 6 x 64 PV block needs 29:
    it spilled and ran up to 2x slower). A tuner should use this as a static constraint.
    """
    qk = (cfg.rb + 1) * -(-cfg.bk // cfg.vl) + 1
    cw = min(cfg.pv_cols, spec.DV)
    pv = (cfg.rbv + 1) * -(-cw // cfg.vl) + 1
    if cfg.k_layout == "rows":
        qk = cfg.rb + 2
    return qk, pv


def suggest_config(spec: FlashSpec, decode: bool = False, unit: VectorUnit = AVX512) -> FlashConfig:
    """A starting point for ``unit``: on AVX-512 the tuned configs of
    ``bench/proto_flash.py``; on narrower units (AVX2, NEON, SSE) register blocks of four
    vectors a row and as many rows as fit the budget (:func:`register_demand`): two on
    AVX2's 16 registers, four on NEON's 32."""
    grp = spec.H // spec.HK
    decode = decode or spec.kv_by_query  # one query per tile, as decode
    if unit != AVX512:
        width = 4 * unit.lanes  # bk and pv_cols: four vectors a row
        if decode:
            rb = next(r for r in (8, 6, 4, 3, 2, 1) if grp % r == 0 and r + 2 <= unit.budget)
            rbv = next(r for r in (2, 1) if grp % r == 0)
            return FlashConfig(
                bq=grp, bk=2 * width, rb=rb, rbv=rbv, pv_cols=width, vl=unit.lanes,
                pack_gqa=grp > 1, k_layout="rows", **_decode_walk(spec),
            )  # fmt: skip
        # the most rows whose block fits the budget: 2 on AVX2 (16 registers), 4 on NEON (32)
        rows = [
            r
            for r in (4, 3, 2, 1)
            if max(register_demand(spec, FlashConfig(bk=width, rb=r, rbv=r, pv_cols=width,
                                                     vl=unit.lanes))) <= unit.budget
        ]  # fmt: skip
        r = rows[0] if rows else 1
        return FlashConfig(bq=32, bk=width, rb=r, rbv=r, pv_cols=width, vl=unit.lanes)
    if decode:  # one query row per head: rows of a tile are the heads of a group
        rb = next(r for r in (8, 6, 4, 3, 2, 1) if grp % r == 0)
        rbv = next(r for r in (4, 3, 2, 1) if grp % r == 0)
        return FlashConfig(
            bq=grp, bk=64, rb=rb, rbv=rbv, pack_gqa=grp > 1, k_layout="rows",
            **_decode_walk(spec),
        )  # fmt: skip
    if spec.bands is not None and any(b.lo.strip() != "0" for b in spec.bands):  # windowed
        return FlashConfig(bq=32, bk=32, rb=8, rbv=4)
    if grp > 1 and 96 % grp == 0 and spec.DV >= 128:
        return FlashConfig(bq=96, bk=64, rb=3, rbv=3, pack_gqa=True)
    return FlashConfig(bq=48, bk=64, rb=4, rbv=4)


def _decode_walk(spec: FlashSpec) -> dict:
    """How decode walks K and V: a head at a time in four key splits (GQA 32/8 D128, 32k
    keys on Zen 4: 12.8 ms against 14.4 with two); a pool whose pages hold every head's keys
    (``kv_heads_inner``) a key tile at a time for every head, gathered front to back (the
    same in 16-key pages: 20.9 -> 14.9 ms; contiguous K/V 11.3 ms in that run, where
    gathering is slower: 17.4 ms)."""
    splits = 1 if spec.normalized else 4  # normalised weighted sums are not split (merge)
    if spec.kv_heads_inner and not bands_read_head(spec):
        return {"split_kv": splits, "parallel": "bq", "gather_kv": True}
    return {"split_kv": splits}


def query_tiles(spec: FlashSpec, cfg: FlashConfig) -> str | None:
    """Why ``cfg`` cannot hold K / V rows chosen per query (``spec.kv_by_query``): every
    tile must be one query's (its rows the heads of a group), K read as given."""
    if not spec.kv_by_query:
        return None
    one = spec.H // spec.HK if cfg.pack_gqa else 1
    if cfg.bq != one or cfg.k_layout != "rows":
        return (
            f"K / V rows chosen per query need one query a tile: bq={one} "
            f"({'the heads of a group' if cfg.pack_gqa else 'no pack_gqa'}) and "
            f"k_layout='rows' (got bq={cfg.bq}, k_layout={cfg.k_layout!r})"
        )
    return None


def bands_read_head(spec: FlashSpec) -> bool:
    """Whether a key-tile range depends on the head (then it is computed per work item)."""
    texts = [t for b in spec.bands or () for t in (b.lo, b.hi, b.full_lo, b.full_hi)]
    return any("{h}" in t or "{g}" in t for t in texts)


def batch(spec: FlashSpec) -> int | str:
    """The batch extent as the kernel prints it: a number, or ``B`` (symbolic, bound by Q's
    shape)."""
    return "B" if spec.B is None else spec.B


def times_b(spec: FlashSpec, n: int | str) -> int | str:
    """``B * n`` as the kernel prints it (a number when both are known)."""
    if spec.B is None or isinstance(n, str):
        return f"{batch(spec)} * {n}"
    return spec.B * n


def check_config(spec: FlashSpec, cfg: FlashConfig) -> None:
    """A :class:`~attncc.errors.LoweringError` for a spec or config the generator cannot print."""

    def bad(msg: str) -> None:
        raise LoweringError(msg)

    for dim in ("B", "H", "HK", "D", "DV"):
        if dim == "B" and spec.B is None:
            continue  # symbolic
        if getattr(spec, dim) < 1:
            bad(f"FlashSpec.{dim} must be >= 1, got {getattr(spec, dim)}")
    if spec.H % spec.HK:
        bad(f"H={spec.H} must be a multiple of HK={spec.HK} (query heads per kv head)")
    for n in ("P", "M"):
        v = getattr(spec, n)
        if v is not None and v < 1:
            bad(f"FlashSpec.{n} must be >= 1 or None (symbolic), got {v}")
    if not spec.name.isidentifier():
        bad(f"FlashSpec.name must be an identifier (it names the PrimFunc), got {spec.name!r}")
    names = [t.name for t in spec.tensors] + [s.name for s in spec.scalars]
    for n in names:
        if not n.isidentifier() or n in _RESERVED or n.startswith("_") or n in DIM_NAMES:
            bad(f"extra argument name {n!r} is reserved or not an identifier; rename it")
    if len(set(names)) != len(names):
        bad(f"extra argument names must be unique, got {names}")
    for role, dtype in (("q_dtype", spec.q_dtype), ("o_dtype", spec.o_dtype)):
        if dtype not in ("float32", "float16", "bfloat16"):
            bad(f"FlashSpec.{role} must be float32, float16 or bfloat16, got {dtype!r}")
    if cfg.bq % cfg.rb or cfg.bq % cfg.rbv:
        bad(f"bq={cfg.bq} must be a multiple of rb={cfg.rb} and rbv={cfg.rbv}")
    if (why := query_tiles(spec, cfg)) is not None:
        bad(why)
    if spec.normalized and cfg.split_kv > 1:
        bad("a normalised weighted sum is not split (split_kv=1): its merge is not written")
    if cfg.bk % cfg.vl:
        bad(f"bk={cfg.bk} must be a multiple of vl={cfg.vl}")
    if cfg.fuse_pv and cfg.rb != cfg.rbv:
        bad("fuse_pv needs rb == rbv")
    if cfg.k_layout not in _K_LAYOUTS:
        bad(f"k_layout must be one of {_K_LAYOUTS}, got {cfg.k_layout!r}")
    if cfg.parallel not in ("bhq", "bh", "bq"):
        bad(f"parallel must be 'bhq', 'bh' or 'bq', got {cfg.parallel!r}")
    if cfg.gather_kv and (cfg.parallel != "bq" or cfg.k_layout != "rows"):
        bad("gather_kv copies a key tile for every head: it needs parallel='bq' and "
            "k_layout='rows'")  # fmt: skip
    if cfg.parallel == "bq" and bands_read_head(spec):
        bad("parallel='bq' walks every head inside a key tile: the bands must not read the head")
    if cfg.pack_gqa and cfg.bq % (spec.H // spec.HK):
        bad(f"pack_gqa: bq={cfg.bq} must be a multiple of H // HK = {spec.H // spec.HK}")
    if cfg.split_kv < 1 or cfg.unroll_d < 1:
        bad("split_kv and unroll_d must be >= 1")
    if spec.bands is not None and spec.mask is None:
        bad("bands classify a mask's tiles: give the mask too")
    if spec.k_load is not None and cfg.k_layout == "packed":
        bad("k_layout='packed' reads K as the caller packed it: no k_load hook with it")
    dims = {t for x in spec.tensors for t in x.shape if isinstance(t, str)} - set(DIM_NAMES)
    for d in sorted(dims):
        if not d.isidentifier() or d in _RESERVED or d.startswith("_") or d in names:
            bad(f"tensor dim name {d!r} is reserved, not an identifier or an argument's name")
