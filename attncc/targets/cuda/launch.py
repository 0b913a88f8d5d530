"""How generated Triton kernels are launched: a JSON-able plan, module loading, running.

A :class:`LaunchPlan` is everything a host needs besides the kernel code: the buffers to
allocate (outputs, intermediates, presence flags, scratch), and per kernel launch the
argument order (by role and program name), the grid arithmetic over rank extents, the
constexprs, ``num_warps`` and ``num_stages``. The CUDA target keeps it in
``Source.meta["launch"]``; an exported library ships it next to the cubin / PTX.

Triton's JIT needs the kernel's source through :mod:`inspect`, so the generated text is
written to a real ``.py`` file and imported (:func:`load_module`). The file must be one no
other user could have written or replaced (:func:`attncc.cache.read_private`: the CUDA
target writes it to a private directory); its bytes are read once, executed, and pinned in
:mod:`linecache` for Triton to read -- what runs and what Triton compiles are the bytes
that were checked, and no bytecode (``__pycache__``) is read or written beside it.

``triton.jit`` reads ``TRITON_INTERPRET`` when the decorator runs (triton 3.9:
``knobs.runtime.interpret``), not when triton is imported: :func:`load_module` sets it
around the import of each generated module, for the mode asked for. Triton's own library,
though, is decorated when triton is imported (:func:`interpreted_process`): the interpreter
runs only in a process that imported triton under ``TRITON_INTERPRET=1``.

Triton 3.9's interpreter also patches ``triton.language`` while it runs and leaves some of
it patched (the ``@triton.jit`` helpers a kernel calls, modules it imports meanwhile): a
process that interprets does not compile (:mod:`attncc.targets.cuda.aot` uses a worker).
"""

from __future__ import annotations

import contextlib
import linecache
import os
import threading
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from attncc.cache import read_private
from attncc.errors import ArgumentError
from attncc.errors import LoweringError

__all__ = [
    "ArgSpec",
    "BufferSpec",
    "GridDim",
    "Launch",
    "LaunchPlan",
    "interpret_env",
    "interpreted_process",
    "load_module",
    "run_plan",
]

_LOCK = threading.RLock()


@dataclass(frozen=True)
class ArgSpec:
    """One kernel argument: ``kind`` is ``tensor`` (an input or a buffer of the plan),
    ``scalar`` (a param or let) or ``extent`` (a rank's extent); ``name`` its program name."""

    kind: str
    name: str


@dataclass(frozen=True)
class GridDim:
    """``ceil(prod(extents of ranks) / block) * mult`` programs along one grid axis."""

    ranks: tuple[str, ...]
    block: int = 1
    mult: int = 1

    def size(self, extents: Mapping[str, int]) -> int:
        n = 1
        for r in self.ranks:
            n *= int(extents[r])
        return -(-n // self.block) * self.mult


@dataclass(frozen=True)
class BufferSpec:
    """A tensor the host allocates: ``dims`` are ints, rank names or ``"rank/block"`` (the
    number of blocks of ``block`` indices, ``ceil(extent / block)``: block lists); ``dtype``
    a Triton element type (``fp32``, ``i32``, ``i8``); ``output`` when it is returned."""

    name: str
    dims: tuple[str | int, ...]
    dtype: str
    output: str | None = None

    def shape(self, extents: Mapping[str, int]) -> tuple[int, ...]:
        return tuple(_dim(d, extents) for d in self.dims)


def _dim(d: str | int, extents: Mapping[str, int]) -> int:
    if isinstance(d, int):
        return d
    rank, _, block = d.partition("/")
    n = int(extents[rank])
    return -(-n // int(block)) if block else n


@dataclass(frozen=True)
class Launch:
    kernel: str
    args: tuple[ArgSpec, ...]
    grid: tuple[GridDim, ...]
    constexprs: Mapping[str, Any] = field(default_factory=dict)
    num_warps: int = 4
    num_stages: int = 2


@dataclass(frozen=True)
class LaunchPlan:
    """Buffers, then kernels launched in order on one stream (module docstring)."""

    launches: tuple[Launch, ...]
    buffers: tuple[BufferSpec, ...]
    #: program output name → (buffer name, numpy dtype name returned to the caller)
    outputs: Mapping[str, tuple[str, str]]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> LaunchPlan:
        launches = tuple(
            Launch(
                x["kernel"],
                tuple(ArgSpec(**a) for a in x["args"]),
                tuple(GridDim(tuple(g["ranks"]), g["block"], g["mult"]) for g in x["grid"]),
                dict(x["constexprs"]),
                x["num_warps"],
                x["num_stages"],
            )
            for x in data["launches"]
        )
        buffers = tuple(
            BufferSpec(b["name"], tuple(b["dims"]), b["dtype"], b["output"])
            for b in data["buffers"]
        )
        outputs = {k: tuple(v) for k, v in data["outputs"].items()}
        return LaunchPlan(launches, buffers, outputs)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- modules


def interpreted_process() -> bool:
    """Whether triton was imported here under ``TRITON_INTERPRET=1``.

    Triton's own library (``tl.cdiv``, ``tl.max``) is decorated once, at import: interpreted
    functions then, which the interpreter needs and the compiler cannot use, or JIT
    functions, the other way round. So a process either interprets kernels (ahead-of-time
    compiles then run in a worker process, :mod:`attncc.targets.cuda.aot`) or compiles them.
    """
    import triton.language.standard as std

    return type(std.cdiv).__name__ == "InterpretedFunction"


def load_module(path: str | os.PathLike, *, interpret: bool) -> ModuleType:
    """Import the generated module at ``path`` from the bytes read once after checking that
    no one else could have written it (:class:`~attncc.cache.CacheError` otherwise);
    ``interpret`` decides what ``triton.jit`` makes of its kernels (module docstring)."""

    path = Path(path)
    data = read_private(path)
    filename = str(path)
    name = f"attncc_triton_{path.stem.replace('-', '_')}_{'interp' if interpret else 'jit'}"
    try:
        text = data.decode("utf-8")
        code = compile(text, filename, "exec", dont_inherit=True)
    except (UnicodeDecodeError, SyntaxError, ValueError) as e:
        raise LoweringError(f"the generated Triton module {path} is not Python: {e}") from None
    # Triton reads kernel source through inspect -> linecache: pin it to these bytes (an
    # entry without an mtime is never re-read from the file).
    linecache.cache[filename] = (len(data), None, text.splitlines(keepends=True), filename)
    module = ModuleType(name)
    module.__file__ = filename
    with interpret_env(interpret):
        exec(code, module.__dict__)
    return module


@contextlib.contextmanager
def interpret_env(interpret: bool) -> Iterator[None]:
    """``TRITON_INTERPRET`` set to ``interpret`` for the duration (triton reads it when a
    kernel is decorated, and again while the interpreter runs)."""
    with _LOCK:
        before = os.environ.get("TRITON_INTERPRET")
        os.environ["TRITON_INTERPRET"] = "1" if interpret else "0"
        try:
            yield
        finally:
            if before is None:
                del os.environ["TRITON_INTERPRET"]
            else:
                os.environ["TRITON_INTERPRET"] = before


# ----------------------------------------------------------------------------- running

_TORCH_DTYPES = {"fp32": "float32", "i32": "int32", "i8": "int8", "fp16": "float16"}


def device_tensors(
    plan: LaunchPlan, arrays: Mapping[str, np.ndarray], extents: Mapping[str, int], device: str
) -> dict[str, Any]:
    """Inputs (bool → int8) and the plan's buffers as torch tensors on ``device``."""
    import torch

    out: dict[str, Any] = {}
    for name, a in arrays.items():
        a = np.ascontiguousarray(a)
        if a.dtype == np.bool_:
            a = a.astype(np.int8)
        out[name] = torch.from_numpy(a).to(device)
    for b in plan.buffers:
        dtype = getattr(torch, _TORCH_DTYPES[b.dtype])
        out[b.name] = torch.zeros(b.shape(extents), dtype=dtype, device=device)
    return out


def launch_all(
    plan: LaunchPlan,
    module: ModuleType,
    tensors: Mapping[str, Any],
    scalars: Mapping[str, Any],
    extents: Mapping[str, int],
    *,
    interpret: bool,
) -> None:
    """Launch every kernel of ``plan`` in order."""
    for x in plan.launches:
        args = []
        for a in x.args:
            if a.kind == "tensor":
                args.append(tensors[a.name])
            elif a.kind == "scalar":
                if a.name not in scalars:
                    raise ArgumentError(f"the kernel needs the value of {a.name}")
                v = scalars[a.name]
                args.append(int(v) if isinstance(v, bool | np.bool_) else v)
            else:
                args.append(int(extents[a.name]))
        grid = tuple(max(1, g.size(extents)) for g in x.grid)
        kernel = getattr(module, x.kernel)
        with interpret_env(True) if interpret else contextlib.nullcontext():
            kernel[grid](*args, **x.constexprs, num_warps=x.num_warps, num_stages=x.num_stages)


def run_plan(
    plan: LaunchPlan,
    module: ModuleType,
    arrays: Mapping[str, np.ndarray],
    scalars: Mapping[str, Any],
    extents: Mapping[str, int],
    *,
    device: str,
    interpret: bool,
) -> dict[str, np.ndarray]:
    """Copy inputs to ``device``, launch, and return the outputs as numpy arrays."""
    tensors = device_tensors(plan, arrays, extents, device)
    launch_all(plan, module, tensors, scalars, extents, interpret=interpret)
    outputs = {}
    for name, (buffer, dtype) in plan.outputs.items():
        value = tensors[buffer].cpu().numpy()
        outputs[name] = value.astype(np.dtype(dtype), copy=False)
    return outputs
