"""The ``fused`` lowering of the webgpu target: the attention plan
(:func:`attncc.lowering.plan.plan_attention`) bound to extents and printed as TVMScript
hooks (:class:`~attncc.targets.tvm.bound_plan.BoundPlan`, as on the CPU), generated as a
workgroup kernel by :mod:`attncc.targets.webgpu.flash`.

What differs from the CPU is storage: WGSL has no ``i8`` or ``bool`` storage, so such
inputs are widened to ``i32`` on the host (a ``bool`` load becomes ``x != 0``), and ``f16``
ones are read as ``f16`` when the device has ``shader-f16``, else widened to ``f32``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attncc.ir.exprs import substitute
from attncc.ir.nodes import Access
from attncc.lowering.plan import KV_HEAD
from attncc.lowering.plan import FusedPlan
from attncc.targets.base import Config
from attncc.targets.base import Constraint
from attncc.targets.base import Knob
from attncc.targets.tvm.bound_plan import BoundPlan
from attncc.targets.tvm.bound_plan import ClampedPrinter
from attncc.targets.tvm.flash_spec import FlashSpec
from attncc.targets.tvm.flash_spec import signature
from attncc.targets.tvm.script import CMP
from attncc.targets.tvm.script import Typed
from attncc.targets.webgpu.flash import WgFlashConfig
from attncc.targets.webgpu.flash import generate
from attncc.targets.webgpu.flash import workgroup_bytes
from attncc.targets.webgpu.wgsl import WEBGPU_LIMITS

__all__ = ["WorkgroupFlash", "constraints", "device_type", "knobs", "render"]

#: The element type a device buffer holds for each storage dtype (``f16``: see module doc).
_DEVICE = {"float32": "float32", "int32": "int32", "int8": "int32", "bool": "int32"}
_WGSL = {"float32": "f32", "float16": "f16", "int32": "i32"}


def device_type(storage: str, f16: bool) -> str:
    """The TVM dtype of the device buffer that holds a tensor stored as ``storage``."""
    if storage == "float16":
        return "float16" if f16 else "float32"
    return _DEVICE.get(storage, "float32")  # bfloat16 arrives rounded, in float32


def wgsl_type(dtype: str) -> str:
    return _WGSL[dtype]


class _Printer(ClampedPrinter):
    """The fused printer; a ``bool`` tensor lives in an ``i32`` buffer."""

    def load(self, a: Access) -> Typed:
        buf = self.buffers.get(a.tensor)
        if buf is not None and buf.dtype == "bool":
            return Typed(f"{buf.name}[{self.index(a)}] != 0", "bool", CMP)
        return super().load(a)


class _Render(BoundPlan):
    def _print(self, e, ranks: Mapping[str, str]) -> Typed:
        if self.head_index is not None:
            e = substitute(e, {KV_HEAD: self.head_index})
        return _Printer(self, ranks).expr(e)


class WorkgroupFlash:
    """A plan at given extents: the flash spec, its arguments and the names of its scalars."""

    def __init__(self, plan: FusedPlan, extents: Mapping[str, int | None]):
        self.plan = plan
        self.render = _Render(plan, extents)
        self.spec: FlashSpec = self.render.spec()
        self.args = self.render.args(self.spec)

    def text(self, config: Config, f16: bool) -> str:
        dtypes = {t.name: device_type(t.dtype, f16) for t in self.spec.tensors}
        return generate(self.spec, _config(config), dtypes)

    def scalar_sources(self) -> dict[str, dict[str, str]]:
        """``PODArgs`` field → value source: extents of symbolic ranks, then scalar args."""
        p, r = self.plan, self.render
        out = {r.extent(rank): {"kind": "extent", "of": rank} for rank in p.symbolic}
        kernel_names = [n for n in _signature(self.spec)]
        for name, arg in zip(kernel_names, self.args, strict=True):
            if arg.role == "param":
                kind = "extent" if arg.name in p.info.ranks else "scalar"
                out[name] = {"kind": kind, "of": arg.name}
        return out

    def buffer_names(self) -> dict[str, str]:
        """Kernel buffer name → program tensor name (``Q``, ``K``, ``V``, ``O`` and extras)."""
        names = _signature(self.spec)
        out = {}
        for name, arg in zip(names, self.args, strict=True):
            if arg.role != "param":
                out[name.upper() if name in ("q", "k", "v", "o") else name] = arg.name
        return out


def _signature(spec: FlashSpec) -> tuple[str, ...]:
    return signature(spec)


def _config(config: Config) -> WgFlashConfig:
    return WgFlashConfig(wg_x=config["wg_x"], bq=config["bq"], bk=config["bk"], vpt=config["vpt"])


def knobs(kernel: WorkgroupFlash, extents: Mapping[str, int | None]) -> tuple[Knob, ...]:
    """Workgroup shape (``wg_x`` × ``bq``), key tile ``bk``, value columns per thread."""
    dv = kernel.spec.DV
    p = extents.get(kernel.plan.query)
    decode = p is not None and p <= 4
    wg_x = 32 if dv > 64 else 16
    vpt = -(-dv // wg_x)
    vpts = tuple(sorted({1, 2, 3, 4, 6, 8, vpt}))
    return (
        Knob("wg_x", (8, 16, 32, 64), wg_x),
        Knob("bq", (1, 2, 4, 8, 16), 1 if decode else 8 if dv <= 64 else 4),
        Knob("bk", (16, 32, 64), 32 if max(kernel.spec.D, dv) <= 64 else 16),
        Knob("vpt", vpts, vpt),
    )


def constraints(kernel: WorkgroupFlash) -> tuple[Constraint, ...]:
    """WebGPU's default limits and a cover of the value columns, checked before lowering."""
    spec = kernel.spec
    lim = WEBGPU_LIMITS

    def fused(check):
        return lambda c: None if c.get("lowering", "fused") != "fused" else check(c)

    def invocations(c: Config) -> str | None:
        n = c["wg_x"] * c["bq"]
        if n > lim["max-compute-invocations-per-workgroup"]:
            return (
                f"workgroup {c['wg_x']}×{c['bq']} has {n} invocations, more than WebGPU's "
                f"limit of {lim['max-compute-invocations-per-workgroup']}; use a smaller wg_x or bq"
            )
        return None

    def storage(c: Config) -> str | None:
        n = workgroup_bytes(spec, _config(c))
        if n > lim["max-compute-workgroup-storage-size"]:
            return (
                f"the tiles need {n} bytes of workgroup storage, more than WebGPU's limit of "
                f"{lim['max-compute-workgroup-storage-size']}; use a smaller bk or bq"
            )
        return None

    def buffers(c: Config) -> str | None:
        n = len([a for a in kernel.args if a.role != "param"])
        if n > lim["max-storage-buffers-per-shader-stage"]:
            return (
                f"the kernel binds {n} storage buffers, more than WebGPU's limit of "
                f"{lim['max-storage-buffers-per-shader-stage']}"
            )
        return None

    def cover(c: Config) -> str | None:
        wx, vpt = c["wg_x"], c["vpt"]
        if wx * vpt < spec.DV:
            return f"wg_x={wx} × vpt={vpt} < {spec.DV} value columns: raise vpt or wg_x"
        if wx * (vpt - 1) >= spec.DV:
            return f"wg_x={wx} × vpt={vpt} leaves a whole column pass idle: lower vpt"
        return None

    return (
        Constraint("workgroup invocations", fused(invocations)),
        Constraint("workgroup storage", fused(storage)),
        Constraint("storage buffers", fused(buffers)),
        Constraint("value columns", fused(cover)),
    )


def render(plan: FusedPlan, extents: Mapping[str, int | None]) -> WorkgroupFlash:
    return WorkgroupFlash(plan, extents)


def meta_config(config: Config) -> dict[str, Any]:
    return {k: config[k] for k in ("wg_x", "bq", "bk", "vpt")}
