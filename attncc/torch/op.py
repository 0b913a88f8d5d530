"""The ``attncc::flex_attention`` custom op: what ``torch.compile`` and ``torch.export`` see.

A call carries the query, key and value, the tensors the mods captured, and a *spec*: the
traced program's text with the target and config (JSON). The spec is all a graph needs to
rebuild the kernel: an exported program runs in a process that never saw the mods. Kernels
are cached by the program with its params' values left out, so a new sequence length, batch
element, captured tensor or captured number reuses the build (:func:`cache_info` counts).
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import torch

from attncc.compiler import Kernel
from attncc.compiler import compile as compile_kernel
from attncc.errors import UnsupportedError
from attncc.ir.nodes import DType
from attncc.ir.nodes import Program
from attncc.ir.parser import parse

__all__ = ["cache_info", "clear_cache", "flex_attention_op", "spec_of"]

_PARAM_VALUE = re.compile(r"^(param \S+ : \S+) = .*$", re.MULTILINE)
_ENTRIES_KEPT = 256  # specs differ by param values too: keep the latest few hundred


@dataclass(frozen=True)
class _Entry:
    """One spec, ready to call: its kernel (shared by every spec of the same program) and
    the values it passes."""

    kernel: Kernel
    captured: tuple[str, ...]  # input names of the captured tensors, in call order
    params: dict[str, int | float]
    lse: bool


_kernels: dict[tuple[str, str, str], Kernel] = {}
_entries: OrderedDict[str, _Entry] = OrderedDict()


def spec_of(program: Program, captured: list[str], target: str, config: dict | None) -> str:
    """The op's spec for ``program`` reading the captured tensors named ``captured``."""
    body = {"program": program.text, "captured": captured, "target": target}
    body |= {"config": dict(config or {}), "lse": "LSE" in program.outputs}
    return json.dumps(body, sort_keys=True)


def _entry(spec: str) -> _Entry:
    found = _entries.get(spec)
    if found is not None:
        _entries.move_to_end(spec)
        return found
    body = json.loads(spec)
    text, target = body["program"], body["target"]
    config = json.dumps(body["config"], sort_keys=True)
    key = (_PARAM_VALUE.sub(r"\1", text), target, config)
    program = parse(text)
    kernel = _kernels.get(key)
    if kernel is None:
        kernel = _kernels[key] = compile_kernel(program, target, config=body["config"] or None)
    params = {
        d.name: int(d.default) if d.dtype is DType.I32 else d.default
        for d in program.params
        if d.default is not None
    }
    entry = _Entry(kernel, tuple(body["captured"]), params, body["lse"])
    _entries[spec] = entry
    if len(_entries) > _ENTRIES_KEPT:
        _entries.popitem(last=False)
    return entry


def cache_info() -> dict[str, int]:
    """How many kernels the op holds, and how many builds they made (one per kernel unless
    a target specialises on an extent that changed: see ``Target.specialise``)."""
    return {"kernels": len(_kernels), "builds": sum(k.builds for k in _kernels.values())}


def clear_cache() -> None:
    """Forget every kernel (the next call of each program builds again)."""
    _kernels.clear()
    _entries.clear()


@torch.library.custom_op("attncc::flex_attention", mutates_args=())
def flex_attention_op(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    captured: list[torch.Tensor],
    spec: str,
) -> tuple[torch.Tensor, torch.Tensor]:
    """attncc attention for a traced program (see :func:`attncc.torch.flex_attention`): the
    output and the log-sum-exp (empty unless the spec's program returns one)."""
    entry = _entry(spec)
    arguments: dict[str, Any] = {"Q": query, "K": key, "V": value}
    arguments |= dict(zip(entry.captured, captured, strict=True))
    arguments = {n: t.detach() for n, t in arguments.items()} | entry.params
    out = entry.kernel(**arguments)
    if entry.lse:
        return out["O"], out["LSE"]
    return out, query.new_empty((0,), dtype=torch.float32)


@flex_attention_op.register_fake
def _shapes(query, key, value, captured, spec):
    out = query.new_empty((*query.shape[:-1], value.shape[-1]))
    if json.loads(spec)["lse"]:
        return out, query.new_empty(query.shape[:-1], dtype=torch.float32)
    return out, query.new_empty((0,), dtype=torch.float32)


def _no_backward(ctx, grad_out, grad_lse):
    raise UnsupportedError(
        "attncc kernels are forward-only: attncc.torch.flex_attention has no backward. "
        "Fix: run it under torch.no_grad() (inference) or detach its inputs"
    )


flex_attention_op.register_autograd(_no_backward)
