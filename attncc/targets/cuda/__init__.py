"""The ``cuda`` target: generated Triton, compiled ahead of time (:class:`CudaTarget`).

:mod:`~attncc.targets.cuda.target` (the protocol), :mod:`~attncc.targets.cuda.space`
(knobs, constraints, lowering), :mod:`~attncc.targets.cuda.fused` and
:mod:`~attncc.targets.cuda.generic` (the two lowerings), :mod:`~attncc.targets.cuda.blocks`
(block lists for data-dependent masks), :mod:`~attncc.targets.cuda.printer` (expressions as
Triton), :mod:`~attncc.targets.cuda.launch` (launch plans, running),
:mod:`~attncc.targets.cuda.aot` (PTX / cubin and their statistics),
:mod:`~attncc.targets.cuda.prior` (the analytic GPU prior).
"""

from attncc.targets.cuda.target import CudaTarget
from attncc.targets.cuda.target import gpu_present

__all__ = ["CudaTarget", "gpu_present"]
