"""Targets: one package each behind the protocol in :mod:`attncc.targets.base`.

The rule of this folder (``tests/test_layers.py`` reads every import and checks it):

* a target package (``cpu/``, ``cuda/``, ``webgpu/``) imports the lowering core
  (:mod:`attncc.lowering`), :mod:`attncc.ir`, the target-neutral modules here (``base``,
  ``pipeline``, ``invoke``, ``lowerings``) and, for the TVM-based targets (cpu, webgpu),
  ``tvm/`` -- never another target;
* ``tvm/`` (what the TVM-based targets share) imports no target package;
* the target-neutral modules import no target package and nothing of ``tvm/``;
* nothing here imports :mod:`attncc.search`, :mod:`attncc.cost_models`,
  :mod:`attncc.library` or the front doors: the layers run one way,
  errors ← ir ← lowering ← targets ← cost_models ← search ← library ← compiler / cli.

Targets are found by name through :data:`TARGETS` and load on first use (TVM, Triton and wgpu
are heavy); a new target is one new package and one line there.
"""

from __future__ import annotations

import importlib

from attncc.errors import UnsupportedError
from attncc.targets.base import Target

__all__ = ["TARGETS", "get_target"]

#: Target name → "module:class". Modules load on first use (TVM and Triton are heavy).
TARGETS = {
    "cpu": "attncc.targets.cpu.target:CpuTarget",
    "cuda": "attncc.targets.cuda.target:CudaTarget",
    "webgpu": "attncc.targets.webgpu.target:WebGpuTarget",
}

_INSTANCES: dict[str, Target] = {}


def get_target(name: str) -> Target:
    """The target called ``name`` (``"cpu"``, ...); one shared instance per name."""
    if name not in TARGETS:
        raise UnsupportedError(
            f"unknown target {name!r}; attncc has targets {', '.join(sorted(TARGETS))}"
        )
    if name not in _INSTANCES:
        module_name, cls_name = TARGETS[name].split(":")
        _INSTANCES[name] = getattr(importlib.import_module(module_name), cls_name)()
    return _INSTANCES[name]
