"""Targets: one module each behind the protocol in :mod:`attncc.targets.base`."""

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
