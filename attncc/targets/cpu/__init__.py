"""The ``cpu`` target: TVM TIR through LLVM for this host (:class:`CpuTarget`).

:mod:`~attncc.targets.cpu.target` (the protocol), :mod:`~attncc.targets.cpu.fused` (the
fused lowering: space and lowering of the flash kernel), :mod:`~attncc.targets.cpu.flash`
(the flash kernel generator), :mod:`~attncc.targets.cpu.host` (the host CPU, its ISA and
threads, LLVM targets for the fused and the generic lowering, compiled kernels). The generic
lowering itself is shared with WebGPU: :mod:`attncc.targets.tvm.generic`.
"""

from attncc.targets.cpu.target import CpuTarget

__all__ = ["CpuTarget"]
