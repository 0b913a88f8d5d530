"""The ``webgpu`` target: TVM TIR with thread bindings to WGSL (:class:`WebGpuTarget`).

:mod:`~attncc.targets.webgpu.target` (the protocol), :mod:`~attncc.targets.webgpu.build`
(lowering to WGSL and launch metadata), :mod:`~attncc.targets.webgpu.fused` /
:mod:`~attncc.targets.webgpu.flash` (the workgroup flash kernel),
:mod:`~attncc.targets.webgpu.generic` (one kernel per statement),
:mod:`~attncc.targets.webgpu.wgsl` (TVM's WGSL and its limits),
:mod:`~attncc.targets.webgpu.launch` and :mod:`~attncc.targets.webgpu.runtime` (running
on wgpu).
"""

from attncc.targets.webgpu.target import WebGpuTarget

__all__ = ["WebGpuTarget"]
