"""The ``webgpu`` target: TVM TIR with thread bindings → WGSL, dispatched through wgpu-native
here (:mod:`attncc.targets.webgpu.runtime`) and through the browser's WebGPU by
``attncc/runtime/attncc.js``, both reading the same launch metadata
(:mod:`attncc.targets.webgpu.launch`).

Two lowerings, one calling convention (the CPU target's):

* ``fused`` -- a softmax attention the CPU's matcher recognises
  (:func:`attncc.lowering.plan.plan_attention`) becomes one flash-style workgroup kernel
  (:mod:`attncc.targets.webgpu.fused`, :mod:`attncc.targets.webgpu.flash`);
* ``generic`` -- any valid program, one kernel per statement
  (:mod:`attncc.targets.webgpu.generic`).

:meth:`WebGpuTarget.lower` runs TVM, so a :class:`~attncc.targets.base.Source` holds the
WGSL (``kernel.source``) and the launch metadata; the TVMScript it came from is in
``meta["tvmscript"]``. Whether ``f16`` tensors stay ``f16`` on the device is decided when
lowering, from the adapter (``shader-f16``); without it they are widened to ``f32``, and a
message says so once. Configs beyond WebGPU's default limits (16 KB of workgroup storage,
256 invocations, workgroup ≤ (256, 256, 64), 8 storage buffers) fail the space's
constraints, before anything is compiled.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from attncc.errors import ExportError
from attncc.ir.nodes import DType
from attncc.ir.nodes import Program
from attncc.jsonsafe import read_json_object
from attncc.lowering.plan import require_plain
from attncc.targets.base import Artifact
from attncc.targets.base import Config
from attncc.targets.base import Knob
from attncc.targets.base import Source
from attncc.targets.base import Space
from attncc.targets.base import Target
from attncc.targets.lowerings import fused_not_possible
from attncc.targets.lowerings import one_lowering
from attncc.targets.lowerings import printable_plans
from attncc.targets.lowerings import specialise_lengths
from attncc.targets.webgpu import fused as webgpu_fused
from attncc.targets.webgpu import generic as webgpu_generic
from attncc.targets.webgpu import runtime
from attncc.targets.webgpu.build import lower_fused
from attncc.targets.webgpu.build import lower_generic
from attncc.targets.webgpu.runtime import DeviceProgram
from attncc.targets.webgpu.runtime import host_array

__all__ = ["WebGpuTarget"]

_GENERIC_KNOBS = (Knob("wg", (64, 128, 256)),)


class WebGpuTarget(Target):
    """``f16``: whether f16 tensors stay f16 on the device; ``None`` (the default) asks this
    machine's adapter for shader-f16. Set it to build for another device (a browser)."""

    name = "webgpu"
    language = "wgsl"

    def __init__(self, f16: bool | None = None):
        self.f16 = f16

    # ------------------------------------------------------------------ protocol
    def specialise(self, program: Program, extents: Mapping[str, int]) -> dict[str, int | None]:
        """Sequence lengths stay symbolic (one build serves every length)."""
        return specialise_lengths(_plan(program), program, extents)

    def space(self, program: Program, extents: Mapping[str, int | None]) -> Space:
        generic_limits = webgpu_generic.constraints(program, extents)
        plan = _plan(program)
        if plan is None:
            return Space((Knob("lowering", ("generic",)), *_GENERIC_KNOBS), generic_limits)
        kernel = webgpu_fused.render(plan, extents)
        flash_knobs = webgpu_fused.knobs(kernel, extents)
        return Space(
            (Knob("lowering", ("fused", "generic")), *flash_knobs, *_GENERIC_KNOBS),
            (
                one_lowering({"fused": flash_knobs, "generic": _GENERIC_KNOBS}),
                *webgpu_fused.constraints(kernel),
                *generic_limits,
            ),
        )

    def lower(self, program: Program, config: Config, extents: Mapping[str, int | None]) -> Source:
        f16 = _f16_decision(program, self.f16)
        if config["lowering"] == "fused":
            plan = _plan(program)
            if plan is None:
                raise fused_not_possible(program, self.name)
            wgsl, launch = lower_fused(plan, config, extents, f16)
        else:
            wgsl, launch = lower_generic(program, config, extents, f16)
        meta = {
            "launch": launch,
            "tvmscript": launch.pop("tvmscript"),
            "config": dict(config),
            "lowering": config["lowering"],
            "program": program,
        }
        return Source("webgpu", self.language, wgsl, launch["entry"], dict(extents), meta)

    def build(self, source: Source) -> Artifact:
        return Artifact(source, DeviceProgram(source.text, source.meta["launch"]))

    def run(
        self,
        artifact: Artifact,
        arrays: Mapping[str, np.ndarray],
        scalars: Mapping[str, Any],
        extents: Mapping[str, int],
    ) -> dict[str, np.ndarray]:
        prog = artifact.handle
        given = {}
        for b in prog.launch["buffers"]:
            if b["role"] == "input":
                given[b["arg"]] = host_array(np.asarray(arrays[b["arg"]]), b["type"])
        out = prog.run(given, scalars, extents)
        return {name: out[name] for name in prog.launch["outputs"]}

    def describe(self) -> dict[str, Any]:
        import tvm

        dev = runtime.device()
        return {"target": "webgpu", **dev.info, "shader-f16": dev.f16, "tvm": tvm.__version__}

    # ------------------------------------------------------------------ export
    def save(self, artifact: Artifact, directory: Path, stem: str) -> dict[str, str]:
        """``STEM.wgsl`` (every kernel, after its marker line) and ``STEM.json`` (the launch
        metadata), the two files ``attncc.js`` loads."""
        directory = Path(directory)
        wgsl, launch = f"{stem}.wgsl", f"{stem}.json"
        (directory / wgsl).write_text(artifact.source.text)
        (directory / launch).write_text(json.dumps(artifact.source.meta["launch"], indent=1))
        return {"wgsl": wgsl, "launch": launch}

    def load(self, source: Source, files: Mapping[str, Path]) -> Artifact:
        wgsl = Path(files["wgsl"]).read_text()
        launch = read_json_object(files["launch"], f"the launch metadata of {source.entry}")
        if launch.get("f16") and not runtime.device().f16:
            raise ExportError(
                f"the webgpu kernel {source.entry} stores f16 tensors (built for an adapter "
                "with shader-f16); this adapter lacks shader-f16. Fix: export it with "
                "WebGpuTarget(f16=False)"
            )
        meta = {**source.meta, "launch": launch}
        loaded = Source(source.target, source.language, wgsl, source.entry, source.extents, meta)
        return Artifact(loaded, DeviceProgram(wgsl, launch), str(files["wgsl"]))

    def incompatibility(self, fingerprint: Mapping[str, Any]) -> str | None:
        """None: the fingerprint's ``shader-f16`` says what the exporting adapter offered, not
        what a kernel needs; :meth:`load` refuses a kernel that stores f16 where the adapter
        cannot (``launch["f16"]``)."""
        return None


# ---------------------------------------------------------------------------- helpers


def _prints(found) -> None:
    """The workgroup flash generator prints the plan (lengths symbolic, the ranks a build
    fixes at a stand-in extent, the default config)."""
    require_plain(found, "webgpu")
    extents = {r: (None if r in found.symbolic else 16) for r in found.info.ranks}
    kernel = webgpu_fused.render(found, extents)
    kernel.text({k.name: k.initial for k in webgpu_fused.knobs(kernel, extents)}, True)


#: The attention plan of a program when the workgroup flash generator can print it.
_plan = printable_plans(_prints)


_F16_TOLD: set[bool] = set()


def _f16_decision(program: Program, f16: bool | None) -> bool:
    """Whether ``f16`` tensors stay ``f16`` on the device (it has shader-f16)."""
    if not any(d.dtype is DType.F16 for d in program.inputs):
        return False
    if f16 is None:
        f16 = runtime.device().f16
    if f16 not in _F16_TOLD:
        _F16_TOLD.add(f16)
        how = (
            "read as f16 on the device (it has shader-f16)"
            if f16
            else "widened to f32 on the host (the device lacks shader-f16)"
        )
        warnings.warn(f"attncc webgpu: f16 tensors are {how}", stacklevel=3)
    return f16
