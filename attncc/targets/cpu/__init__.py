"""The ``cpu`` target: TVM TIR through LLVM for this host (:class:`CpuTarget`).

:mod:`~attncc.targets.cpu.target` (the protocol), :mod:`~attncc.targets.cpu.fused` (the
fused lowering: space and lowering of the flash kernel), :mod:`~attncc.targets.cpu.flash`
(the flash kernel generator), :mod:`~attncc.targets.cpu.generic` (the generic lowering's
LLVM build), :mod:`~attncc.targets.cpu.host` (the host CPU, its threads, compiled kernels).
"""

from attncc.targets.cpu.target import CpuTarget

__all__ = ["CpuTarget"]
