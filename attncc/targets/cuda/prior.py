"""An analytic GPU prior: a roofline with occupancy, from ahead-of-time compile metadata.

Where no GPU can measure, configs of the ``cuda`` target are ranked by :func:`predict`, a
latency estimate in seconds (meant for ranking, not as a timing):

* **work** of the fused kernel: per program (a query block, a head, a split), the key tiles
  it visits, each ``2·BLOCK_M·BLOCK_N·(D + DV)`` FLOPs and ``BLOCK_N·(D + DV)·4`` bytes of
  K / V (float32). A mask counts as half the keys (the causal case); split-KV divides the
  tiles among ``split`` programs and adds the merge; a mask that reads data adds its
  block-list pre-pass (one predicate evaluation and two index loads per query × key). The
  generic lowering counts one FLOP and one load per point of each statement's iteration
  space;
* **occupancy** from the compiled kernel: blocks per SM limited by warps, registers
  (``ptxas``) and shared memory (``metadata.shared``); fewer than 8 resident warps per SM
  cannot hide latency, so throughput scales down linearly below that;
* **roofline** per SM: ``max(FLOPs / peak, bytes / bandwidth)`` with the peak of the ``dot``
  precision (CUDA-core float32 for ``ieee``, tensor cores for ``tf32`` / ``fp16`` /
  ``bf16``), times the number of waves of programs over the SMs; spilled registers cost a
  factor ``1 + spill_bytes / 64``.

Real measurements replace it through :meth:`Target.run` when a GPU is present.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from attncc.ir.nodes import Program
from attncc.lowering.liveness import live_statements
from attncc.targets.cuda.aot import ARCHS
from attncc.targets.cuda.aot import Arch
from attncc.targets.cuda.aot import CompiledKernel
from attncc.targets.cuda.blocks import list_ranks
from attncc.targets.cuda.space import _plan
from attncc.targets.cuda.space import aot_report
from attncc.targets.cuda.space import lower

__all__ = ["occupancy", "predict"]


def occupancy(c: CompiledKernel, a: Arch) -> int:
    """Resident blocks per SM for kernel ``c`` on ``a`` (at least 1)."""
    warps = max(1, c.num_warps * 32 // a.warp_size)
    limits = [a.max_blocks_per_sm, a.max_warps_per_sm // warps]
    if c.registers:
        limits.append(a.registers_per_sm // (c.registers * warps * a.warp_size))
    if c.shared:
        limits.append(a.shared_per_sm // c.shared)
    return max(1, min(limits))


def _peak(a: Arch, dot: str) -> float:
    return {"ieee": a.fp32_flops, "tf32": a.tf32_flops}.get(dot, a.tensor_flops)


def _time(a: Arch, c: CompiledKernel, programs: int, flops: float, nbytes: float, dot: str):
    """Seconds for ``programs`` blocks of ``flops`` / ``nbytes`` each."""
    occ = occupancy(c, a)
    warps = occ * c.num_warps * 32 // a.warp_size
    latency_hiding = min(1.0, warps / 8)
    compute = _peak(a, dot) / a.sms * latency_hiding
    memory = a.dram_bytes / a.sms * latency_hiding
    per_block = max(flops / compute, nbytes / memory) * occ  # occ blocks share the SM
    waves = math.ceil(programs / (a.sms * occ))
    spill = 1.0 + (c.spill_bytes or 0) / 64
    return waves * per_block * spill


def predict(
    target, program: Program, extents: Mapping[str, int], config: Mapping[str, Any]
) -> float:
    """Estimated seconds of ``config`` for ``program`` at ``extents`` (module docstring)."""

    fixed = target.specialise(program, extents)
    compiled = aot_report(target, program, config, fixed)
    space = target.space(program, fixed)
    cfg = space.complete(config)
    a = ARCHS[target.arch]
    plan = _plan(program) if cfg["lowering"] == "fused" else None
    if plan is None:
        return _generic(a, program, extents, cfg, compiled)
    bm, bn, split = cfg["BLOCK_M"], cfg["BLOCK_N"], cfg["split"]
    d, dv = extents[plan.qk_dim], extents[plan.v_dim]
    p, m = extents[plan.query], extents[plan.key]
    tiles = math.ceil(m / bn) * (1.0 if plan.predicate is None else 0.5)
    tiles = max(1.0, tiles / split)
    programs = math.ceil(p / bm) * extents[plan.batch] * extents[plan.head] * split
    # launch order: [the block-list pre-pass,] the attention kernel[, the merge]
    entry = lower(target, program, cfg, fixed, plan).entry
    names = list(compiled)
    main = names.index(entry)
    flops = tiles * 2 * bm * bn * (d + dv)
    nbytes = tiles * bn * (d + dv) * 4 + bm * (d + dv) * 4
    total = _time(a, compiled[entry], programs, flops, nbytes, cfg["dot"])
    if main > 0:
        rows = math.prod(extents[r] for r in list_ranks(plan))
        pre = compiled[names[0]]
        total += _time(a, pre, math.ceil(p / bm) * rows, 2 * bm * m, 8 * (bm + m), "ieee")
    if split > 1:
        merge_bytes = split * bm * (dv + 2) * 4
        merge = compiled[names[main + 1]]
        total += _time(a, merge, programs // split, split * bm * dv, merge_bytes, "ieee")
    return total


def _generic(a: Arch, program: Program, extents, cfg, compiled) -> float:
    total = 0.0
    for s, c in zip(live_statements(program), compiled.values(), strict=True):
        outputs = math.prod(extents[r] for r in s.ranks)
        points = outputs * math.prod(extents[r] for r in s.over)
        programs = math.ceil(outputs / cfg["BLOCK_M"])
        per = points / max(1, programs)
        total += _time(a, c, programs, 2 * per, 8 * per, "ieee")
    return total
