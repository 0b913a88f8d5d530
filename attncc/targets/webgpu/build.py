"""From a lowering's TVMScript to WGSL plus launch metadata (:mod:`attncc.targets.webgpu.launch`).

Each kernel is compiled by TVM on its own; its bindings and ``PODArgs`` fields are read back
from the WGSL (:func:`~attncc.targets.webgpu.wgsl.compile_wgsl`) and checked against what the
lowering declared: every buffer must be one of the program's (or an intermediate), every
scalar field an extent or a scalar the runtime can supply, and the workgroup within
WebGPU's default limits -- the constraints already promised it, this verifies TVM agreed.
"""

from __future__ import annotations

from collections.abc import Mapping

from attncc.errors import LoweringError
from attncc.ir.nodes import Program
from attncc.targets.base import Config
from attncc.targets.webgpu import fused as webgpu_fused
from attncc.targets.webgpu.fused import device_type
from attncc.targets.webgpu.generic import lower_kernels
from attncc.targets.webgpu.launch import FORMAT
from attncc.targets.webgpu.launch import binding_meta
from attncc.targets.webgpu.launch import join_wgsl
from attncc.targets.webgpu.wgsl import WEBGPU_LIMITS
from attncc.targets.webgpu.wgsl import WgslKernel
from attncc.targets.webgpu.wgsl import compile_wgsl

__all__ = ["lower_fused", "lower_generic"]

_WGSL = {"float32": "f32", "float16": "f16", "int32": "i32"}


def _check_kernel(k: WgslKernel, buffers: set[str], scalars: set[str], what: str) -> None:
    unknown = [n for n, _, _ in k.buffers if n not in buffers]
    unknown += [n for n, _ in k.pod[:-1] if n not in scalars]
    if unknown:
        raise LoweringError(f"{what}: TVM's WGSL binds {unknown}, which attncc cannot supply")
    x, y, z = k.workgroup_size
    lim = WEBGPU_LIMITS
    if (
        x * y * z > lim["max-compute-invocations-per-workgroup"]
        or k.workgroup_bytes > lim["max-compute-workgroup-storage-size"]
        or len(k.buffers) > lim["max-storage-buffers-per-shader-stage"]
    ):
        raise LoweringError(
            f"{what}: the WGSL exceeds WebGPU's default limits (workgroup {k.workgroup_size}, "
            f"{k.workgroup_bytes} bytes of workgroup storage, {len(k.buffers)} storage buffers)"
        )


def _kernel_json(k: WgslKernel, grid: dict) -> dict:
    return {**k.to_json(), "buffers": [n for n, _, _ in k.buffers], "grid": grid}


def lower_fused(plan, config: Config, extents: Mapping[str, int | None], f16: bool):
    """WGSL and launch metadata of the fused lowering."""

    fk = webgpu_fused.render(plan, extents)
    text = fk.text(config, f16)
    names = fk.buffer_names()
    sources = fk.scalar_sources()
    (k,) = compile_wgsl(text, what=f"the fused webgpu kernel of {plan.program.name}")
    _check_kernel(k, set(names), set(sources), plan.program.name)
    types = {n: t for n, _, t in k.buffers}
    by_arg = {a.name: a for a in fk.args}
    buffers = []
    for name, arg in names.items():
        a = by_arg[arg]
        storage = plan.info.tensors[arg].dtype.value if arg in plan.info.tensors else "f32"
        buffers.append(
            {
                "name": name,
                "role": a.role,
                "arg": arg,
                "ranks": list(a.ranks),
                "type": types.get(name, _device(a.dtype, f16)),
                "dtype": storage,
            }
        )
    spec = fk.spec
    grid = {
        "factors": [{"const": spec.B * spec.H}, {"rank": plan.query, "per": config["bq"]}],
        "div": 1,
    }
    launch = {
        "format": FORMAT,
        "program": plan.program.name,
        "entry": k.entry,
        "lowering": "fused",
        "f16": any(b["type"] == "f16" for b in buffers),
        "buffers": buffers,
        "scalars": sources,
        **binding_meta(plan.program),
        "kernels": [_kernel_json(k, grid)],
        "outputs": [plan.output],
        "tvmscript": text,
    }
    return join_wgsl([(k.entry, k.wgsl)]), launch


def _device(dtype: str, f16: bool) -> str:
    return _WGSL[device_type(dtype, f16)]


def lower_generic(program: Program, config: Config, extents: Mapping[str, int | None], f16: bool):
    """WGSL and launch metadata of the generic lowering: one kernel per live statement."""

    lowered = lower_kernels(program, extents, wg=config["wg"], f16=f16)
    kernels, texts, scripts = [], [], []
    names = {b["name"] for b in lowered.buffers}
    for stmt_kernel in lowered.kernels:
        what = f"kernel {stmt_kernel.name} of the generic webgpu lowering of {program.name}"
        (k,) = compile_wgsl(stmt_kernel.text, what=what)
        _check_kernel(k, names, set(lowered.scalars), what)
        kernels.append(_kernel_json(k, stmt_kernel.grid))
        texts.append((k.entry, k.wgsl))
        scripts.append(stmt_kernel.text)
    launch = {
        "format": FORMAT,
        "program": program.name,
        "entry": kernels[0]["entry"],
        "lowering": "generic",
        "f16": any(b["type"] == "f16" for b in lowered.buffers),
        "buffers": lowered.buffers,
        "scalars": lowered.scalars,
        **binding_meta(program),
        "kernels": kernels,
        "outputs": list(program.outputs),
        "tvmscript": "\n".join(scripts),
    }
    return join_wgsl(texts), launch
