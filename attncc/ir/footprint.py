"""Footprint: refuse, before allocating, what this machine cannot hold or a kernel address.

A request for a 100 GB output should be a clear error naming the tensor and its size, not
a ``MemoryError`` from numpy or a crash inside a kernel. And every target computes offsets
in 32-bit integers (TVM's int32 shapes, Triton's default, WGSL's ``i32``), so a tensor of
2**31 elements or more would wrap an offset: it is refused before anything runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from collections.abc import Mapping

from attncc.errors import ShapeError
from attncc.errors import UnsupportedError
from attncc.ir.nodes import DType
from attncc.ir.nodes import Program
from attncc.ir.validate import ProgramInfo

__all__ = ["MAX_ELEMENTS", "check_addressable", "check_memory", "elements", "memory_bytes"]

#: Elements a tensor may hold in a compiled kernel (offsets are 32-bit signed integers).
MAX_ELEMENTS = 2**31 - 1

_ITEMSIZE = {DType.F32: 4, DType.F16: 2, DType.BF16: 4, DType.I32: 4, DType.I8: 1, DType.BOOL: 1}


def elements(info: ProgramInfo, name: str, extents: Mapping[str, int]) -> int:
    total = 1
    for r in info.tensors[name].ranks:
        total *= extents[r]
    return total


def memory_bytes() -> int | None:
    """Physical memory of this machine, or ``None`` where the OS does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if n < 1024 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PB"  # pragma: no cover


def check_memory(
    program: Program,
    info: ProgramInfo,
    extents: Mapping[str, int],
    tensors: Iterable[str],
    *,
    itemsize: int | None = None,
    what: str = "this call",
) -> None:
    """Raise :class:`ShapeError` when ``tensors`` at ``extents`` need more memory than the
    machine has (``itemsize`` overrides the declared dtypes': the interpreter's float64)."""
    names = list(tensors)
    sizes = {
        n: elements(info, n, extents) * (itemsize or _ITEMSIZE[info.tensors[n].dtype])
        for n in names
    }
    total, limit = sum(sizes.values()), memory_bytes()
    if limit is None or total <= limit:
        return
    biggest = max(sizes, key=sizes.__getitem__)
    ranks = info.tensors[biggest].ranks
    shape = ", ".join(f"{r}={extents[r]}" for r in ranks)
    raise ShapeError(
        f"{what} needs {_size(total)} for {', '.join(names)} of {program.name}, more than "
        f"this machine's {_size(limit)} of memory ({biggest}[{shape}] alone is "
        f"{_size(sizes[biggest])}). Fix: check the shapes, or split the work (batch, heads)"
    )


def check_addressable(
    program: Program,
    info: ProgramInfo,
    extents: Mapping[str, int],
    tensors: Iterable[str],
    target: str,
) -> None:
    """Raise :class:`UnsupportedError` for a tensor too large for 32-bit offsets."""
    for name in tensors:
        n = elements(info, name, extents)
        if n > MAX_ELEMENTS:
            shape = ", ".join(f"{r}={extents[r]}" for r in info.tensors[name].ranks)
            raise UnsupportedError(
                f"tensor {name}[{shape}] of {program.name} has {n} elements; kernels on target "
                f"{target} address at most {MAX_ELEMENTS} (2**31 - 1) elements per tensor with "
                "32-bit offsets. Fix: split the work (batch, heads) into several calls"
            )
