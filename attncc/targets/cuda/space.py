"""The CUDA target's schedule space and lowering dispatch.

Knobs (``Knob.choices[0]`` is not always the default; defaults suit prefill):

* ``lowering``: ``fused`` when a softmax attention was recognised, and ``generic``;
* ``BLOCK_M``: query rows per program (fused), output elements per program (generic);
* ``BLOCK_N``: keys per tile (fused), reduced points per step (generic);
* ``num_warps``, ``num_stages``: Triton's launch options (software pipelining depth);
* ``split``: split-KV chunks with a merge kernel (fused; for decode);
* ``dot``: operand precision of ``tl.dot`` (fused; ``ieee`` is exact float32).

Constraints, cheapest first: knobs of the lowering not taken stay at their defaults (no
duplicate configs); then, for fused configs, an ahead-of-time compile for the target's
architecture (:mod:`attncc.targets.cuda.aot`, cached per source) whose shared memory must
fit the per-block limit and whose registers spill at most :data:`SPILL_LIMIT` bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from attncc.errors import AttnccError
from attncc.ir.nodes import Program
from attncc.lowering.plan import require_plain
from attncc.targets.base import Config
from attncc.targets.base import Constraint
from attncc.targets.base import Knob
from attncc.targets.base import Source
from attncc.targets.base import Space
from attncc.targets.cuda.aot import ARCHS
from attncc.targets.cuda.fused import generate_fused
from attncc.targets.cuda.generic import generate_generic
from attncc.targets.lowerings import fused_not_possible
from attncc.targets.lowerings import one_lowering
from attncc.targets.lowerings import printable_plans

__all__ = ["aot_report", "lower", "space"]

_FUSED_ONLY = ("split", "dot")
#: Spill bytes a config may have: a few stack bytes (one spilled index, 8 bytes, in the
#: tree mask) cost little; register pressure that spills tiles costs kilobytes.
SPILL_LIMIT = 64


def _knobs(plan, extents: Mapping[str, int | None]) -> tuple[Knob, ...]:
    if plan is None:
        return (
            Knob("lowering", ("generic",)),
            # [128, 16] tiles on 8 warps: zero spills on sm_90 for every generic statement of
            # the catalogue ([128, 32] on 4 warps spilled up to 1.9 KB on products of several
            # operands), and few programs for Triton's interpreter to step through
            Knob("BLOCK_M", (16, 32, 64, 128, 256), 128),
            Knob("BLOCK_N", (16, 32, 64, 128), 16),
            Knob("num_warps", (2, 4, 8), 8),
            Knob("num_stages", (1, 2, 3), 1),
            Knob("split", (1,)),
            Knob("dot", ("ieee",)),
        )
    d = max(extents.get(plan.qk_dim) or 64, extents.get(plan.v_dim) or 64)
    return (
        Knob("lowering", ("fused", "generic")),
        Knob("BLOCK_M", (16, 32, 64, 128, 256), 64 if d <= 64 else 32),
        Knob("BLOCK_N", (16, 32, 64, 128), 32),  # 64 spills with float32 dequantised loads
        Knob("num_warps", (2, 4, 8), 4 if d <= 64 else 8),
        Knob("num_stages", (1, 2, 3, 4), 2),
        Knob("split", (1, 2, 4, 8), 1),
        Knob("dot", ("ieee", "tf32", "fp16", "bf16"), "ieee"),
    )


def space(target, program: Program, extents: Mapping[str, int | None], plan) -> Space:
    knobs = _knobs(plan, extents)
    defaults = {k.name: k.initial for k in knobs}

    def limits(c: Config) -> str | None:
        if c["lowering"] != "fused":
            return None
        default = all(c[k] == v for k, v in defaults.items())  # spills: see _limits
        key = (tuple(sorted(extents.items())), tuple(sorted(c.items())))
        return _limits(target, program, *key, default)

    fused_only = [k for k in knobs if k.name in _FUSED_ONLY]
    return Space(knobs, (one_lowering({"fused": fused_only}), Constraint("GPU limits", limits)))


@functools.lru_cache(maxsize=512)
def _limits(target, program: Program, extents: tuple, config: tuple, default: bool) -> str | None:
    """Why the config's kernels do not fit the target's GPU: shared memory over the limit,
    or (except for the default config, which must stay usable) spills over SPILL_LIMIT.
    Float32 ``ieee`` dots at head dim 128 spill on sm_90 even at 32 x 32 tiles."""

    try:
        report = aot_report(target, program, dict(config), dict(extents))
    except AttnccError as e:
        return f"does not compile for {target.arch}: {e}"
    limit = ARCHS[target.arch].shared_per_block
    for name, c in report.items():
        if c.shared > limit:
            return (
                f"kernel {name} needs {c.shared} bytes of shared memory per block; "
                f"{target.arch} allows {limit}: use a smaller BLOCK_N or BLOCK_M, or fewer "
                "num_stages"
            )
        if (c.spill_bytes or 0) > SPILL_LIMIT and not default:
            return (
                f"kernel {name} spills {c.spill_bytes} bytes of registers on {target.arch} "
                f"({c.registers} registers per thread): use a smaller BLOCK_M or BLOCK_N"
            )
    return None


def aot_report(target, program: Program, config: Mapping[str, Any], extents) -> dict:
    """Every kernel of ``config`` compiled ahead of time for the target's architecture."""
    source = lower(target, program, config, extents, _plan(program))
    return target.build(source).handle.compiled()


def _plan(program: Program):
    return fused_plan(program)


def _prints(found) -> None:
    """The fused Triton generator prints the plan (lengths symbolic, the ranks a build
    fixes at a stand-in extent, the default config)."""
    require_plain(found, "cuda")
    extents = {r: (None if r in found.symbolic else 16) for r in found.info.ranks}
    generate_fused(found, extents, {k.name: k.initial for k in _knobs(found, extents)})


#: The attention plan of a program when the fused Triton generator can print it, else None.
fused_plan = printable_plans(_prints)


def lower(target, program: Program, config: Config, extents, plan) -> Source:
    """Triton source for ``config`` (knobs left out take the space's defaults)."""
    full = {k.name: k.initial for k in _knobs(plan, extents)} | dict(config)
    if full["lowering"] == "fused":
        if plan is None:
            raise fused_not_possible(program, target.name)

        k = generate_fused(plan, extents, full)
        text, entry = k.text, k.entry
    else:
        k = generate_generic(program, full)
        text, entry = k.text, k.launch.launches[-1].kernel
    meta = {
        "launch": k.launch.to_json(),
        "signatures": {n: [list(a) for a in s] for n, s in k.signatures.items()},
        "config": full,
        "lowering": full["lowering"],
        "arch": target.arch,
    }
    return Source("cuda", "triton", text, entry, dict(extents), meta)
