"""Block lists for data-dependent masks: which key blocks each query block of the fused
Triton kernel visits, and which of them need the mask.

Index predicates (causal, windows, prefixes) are classified per tile from the IR alone
(:mod:`attncc.ir.tiles`). A predicate that reads data -- document ids
``SQ[b, p] == SK[b, m]``, a boolean tree ``MASK[b, p, m - OFF]`` -- leaves its bands partial
(``Bands.affine`` is false), so nothing would be skipped. For such a plan the cuda target
adds a pre-pass, as FlexAttention's ``BlockMask`` does:

* ``blocks_<program>``, a Triton kernel with one program per query block and per batch /
  head the predicate reads, evaluates the plan's predicate (the IR's, printed like the
  attention kernel's mask) on each ``BLOCK_M x BLOCK_N`` tile and appends the key block to
  the *partial* list (some key visible to some row) or the *full* list (every key visible
  to every row, the block inside the key extent). Empty key blocks are in neither list.
* The index bands still apply: the pre-pass visits only the key blocks inside a band, and
  the blocks in a band's full range join the full list without evaluating the predicate
  (``document_causal``: blocks above the diagonal are never looked at).
* The attention kernel then iterates the two lists, partial blocks with the mask
  (``MASKED=True``), full ones without; split-KV gives each split a chunk of each list.

Layout: int32 buffers the host allocates (:class:`~attncc.targets.cuda.launch.BufferSpec`
dims ``"p/64"`` are block counts): ``$blk_num[rows, QB, 2]`` holds the number of partial
and of full key blocks, ``$blk_idx[rows, QB, 2, KB]`` their key-block indices in
increasing order; ``rows`` spans the batch and head ranks the predicate reads (``b * H + h``,
``b``, ``h`` or a single row), ``QB = ceil(P / BLOCK_M)``, ``KB = ceil(M / BLOCK_N)``.

Why a device pre-pass and not a host (numpy) one: the lists depend on the call's data, so
they are rebuilt on every call; on a GPU a host pass would copy the mask's inputs to the
host and the lists back each call, and a Triton kernel also runs in the interpreter, so CI
checks the code a GPU runs. It costs one predicate evaluation per (query, key) pair and no
load of Q, K or V: ``O(P·M)`` against the attention's ``O(P·M·D)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from attncc.ir.exprs import free_ranks
from attncc.lowering.plan import FusedPlan
from attncc.targets.cuda.launch import BufferSpec
from attncc.targets.cuda.launch import GridDim

__all__ = [
    "BLOCK_LOCALS",
    "block_buffers",
    "list_grid",
    "list_ranks",
    "uses_block_lists",
    "write_band_tiles",
    "write_list_loops",
    "write_prepass",
]

#: Names the generated block-list code uses (program names are renamed around them).
BLOCK_LOCALS = frozenset({
    "blk_num", "blk_idx", "blk", "kb", "n_part", "n_full", "part_at", "full_at", "i", "i0",
    "i1", "rows", "some", "every", "pid_r", "_classify",
})  # fmt: skip
NUM, IDX = "$blk_num", "$blk_idx"


def uses_block_lists(p: FusedPlan) -> bool:
    """Whether the plan's mask reads data the index bands cannot classify (module docstring)."""
    return p.predicate is not None and not p.bands.affine


def list_ranks(p: FusedPlan) -> tuple[str, ...]:
    """The batch and head ranks the predicate reads: the lists' leading dimensions."""
    used = free_ranks(p.predicate, [p.batch, p.head])
    return tuple(r for r in (p.batch, p.head) if r in used)


def block_buffers(p: FusedPlan, bm: int, bn: int) -> tuple[BufferSpec, BufferSpec]:
    """``$blk_num[rows, QB, 2]`` and ``$blk_idx[rows, QB, 2, KB]`` (module docstring)."""
    rows = list_ranks(p)
    qb, kb = f"{p.query}/{bm}", f"{p.key}/{bn}"
    return BufferSpec(NUM, (*rows, qb, 2), "i32"), BufferSpec(IDX, (*rows, qb, 2, kb), "i32")


def list_grid(p: FusedPlan, bm: int) -> tuple[GridDim, GridDim]:
    """The pre-pass grid: query blocks × the lists' rows."""
    return GridDim((p.query,), bm), GridDim(list_ranks(p))


def _row_in_attention(p: FusedPlan) -> str:
    """The lists' row of the attention kernel's program (``pid_bh = b * H + h``)."""
    rows = list_ranks(p)
    if len(rows) == 2:
        return "pid_bh"
    return "0" if not rows else "b" if rows == (p.batch,) else "h"


def _prepass_row(p: FusedPlan, heads: int) -> list[str]:
    rows = list_ranks(p)
    if len(rows) == 2:
        return [f"b = pid_r // {heads}", f"h = pid_r % {heads}"]
    if rows == (p.batch,):
        return ["b = pid_r", "h = 0  # the mask does not read the head"]
    if rows == (p.head,):
        return ["b = 0  # the mask does not read the batch", "h = pid_r"]
    return ["b = 0  # the mask reads neither batch nor head", "h = 0"]


def write_band_tiles(w, i: int, band: Sequence[str], n_m: str, split_clamp: bool) -> None:
    """Key tiles ``[ta, td)`` of band ``i`` after the previous band's (``prev``), of which
    ``[tb, tc)`` are full; ``split_clamp``: only those of this split's ``[ks0, ks1)``."""
    lo, hi, flo, fhi = band
    w(f"# band {i}: keys outside [lo, hi) are masked for every row of the block, "
      "keys in [full_lo, full_hi) visible to all")  # fmt: skip
    w(f"lo = tl.maximum({lo}, 0)")
    w(f"hi = tl.minimum({hi}, {n_m})")
    w("ta = tl.maximum(lo // BLOCK_N, prev)")
    w("td = tl.maximum(tl.cdiv(hi, BLOCK_N), ta)")
    if split_clamp:
        w("ta = tl.minimum(tl.maximum(ta, ks0), ks1)")
        w("td = tl.maximum(tl.minimum(td, ks1), ta)")
    w(f"tb = tl.minimum(tl.maximum(tl.cdiv(tl.maximum({flo}, 0), BLOCK_N), ta), td)")
    w(f"tc = tl.minimum(tl.maximum(tl.minimum({fhi}, {n_m}) // BLOCK_N, tb), td)")


def write_prepass(
    w,
    kernel: str,
    p: FusedPlan,
    *,
    pred: str,
    bands: Sequence[Sequence[str]],
    tensors: Sequence[str],
    values: Sequence[str],
    nospec: str,
    heads: int,
    n_p: str,
    n_m: str,
) -> None:
    """The pre-pass kernel (module docstring). ``pred`` is the predicate printed over ``b``,
    ``h``, ``offs_p[:, None]`` and ``offs_n[None, :]``; ``bands`` the band bounds printed
    over ``b``, ``h``, ``p0``, ``p1``; ``tensors`` the pointer arguments and ``values`` the
    scalar and extent arguments they read (the kernel takes the list buffers in between)."""
    common = ["n_part", "n_full", "kt", "part_at", "full_at", "b", "h", "offs_p", *tensors, *values]
    w(nospec)
    with w.block(f"def _classify({', '.join(common)}, BLOCK_N: tl.constexpr):"):
        w('"""Key block kt for one query block: appended to the partial list (a key visible'
          ' to some row), the full list (every key to every row) or neither."""')  # fmt: skip
        w("offs_n = kt * BLOCK_N + tl.arange(0, BLOCK_N)")
        w(f"vis = ({pred}) & (offs_n[None, :] < {n_m})")
        w(f"rows = offs_p[:, None] < {n_p}  # rows past the end do not count")
        w("some = tl.max(tl.max((vis & rows).to(tl.int32), 1), 0)")
        w("every = tl.min(tl.min((vis | ~rows).to(tl.int32), 1), 0) * some")
        w("tl.store(part_at + n_part, kt, mask=some > every)")
        w("tl.store(full_at + n_full, kt, mask=every > 0)")
        w("return n_part + some - every, n_full + every")
    w("")
    w("")
    args = [*tensors, "blk_num", "blk_idx", *values]
    w(nospec)
    with w.block(f"def {kernel}({', '.join(args)}, BLOCK_M: tl.constexpr, "
                 "BLOCK_N: tl.constexpr):"):  # fmt: skip
        w(f'"""Block lists of the mask of {p.program.name}: per query block, the key blocks'
          ' to visit with the mask (partial) and without it (full)."""')  # fmt: skip
        w("pid_m = tl.program_id(0)")
        w("pid_r = tl.program_id(1)  # the lists' row")
        for line in _prepass_row(p, heads):
            w(line)
        w("p0 = pid_m * BLOCK_M")
        w(f"p1 = tl.minimum(p0 + BLOCK_M, {n_p})")
        w("offs_p = p0 + tl.arange(0, BLOCK_M)")
        w(f"blk = (pid_r * tl.cdiv({n_p}, BLOCK_M) + pid_m) * 2  # this query block's lists")
        w(f"kb = tl.cdiv({n_m}, BLOCK_N)")
        w("part_at = blk_idx + blk * kb")
        w("full_at = part_at + kb")
        w("n_part = 0")
        w("n_full = 0")
        call = ", ".join([*common, "BLOCK_N"])
        w("prev = 0")
        for i, band in enumerate(bands):
            write_band_tiles(w, i, band, n_m, split_clamp=False)
            with w.block("for kt in range(ta, tb):"):
                w(f"n_part, n_full = _classify({call})")
            with w.block("for kt in range(tb, tc):  # full by the index bounds alone"):
                w("tl.store(full_at + n_full, kt)")
                w("n_full += 1")
            with w.block("for kt in range(tc, td):"):
                w(f"n_part, n_full = _classify({call})")
            w("prev = td")
        w("tl.store(blk_num + blk, n_part)")
        w("tl.store(blk_num + blk + 1, n_full)")


def write_list_loops(w, p: FusedPlan, call: str, *, n_p: str, n_m: str, split: int) -> None:
    """The attention kernel's loops over the block lists (module docstring)."""
    w("# key blocks from the mask's block lists (written by the pre-pass): partial blocks")
    w("# evaluate the mask, full blocks skip it, empty blocks are in neither list")
    w(f"blk = ({_row_in_attention(p)} * tl.cdiv({n_p}, BLOCK_M) + pid_m) * 2")
    w(f"kb = tl.cdiv({n_m}, BLOCK_N)")
    lists = (("n_part", "blk", True), ("n_full", "(blk + 1)", False))
    for count, at, masked in lists:
        w(f"{count} = tl.load(blk_num + {at})")
        if split > 1:
            w(f"i0 = pid_s * tl.cdiv({count}, SPLIT)  # this split's chunk of the list")
            w(f"i1 = tl.minimum(i0 + tl.cdiv({count}, SPLIT), {count})")
        else:
            w(f"i0, i1 = 0, {count}")
        with w.block("for i in range(i0, i1):"):
            w(f"kt = tl.load(blk_idx + {at} * kb + i)")
            w(f"acc, m_i, l_i = _tile({call}, MASKED={masked})")
