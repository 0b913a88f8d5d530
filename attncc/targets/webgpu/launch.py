"""Launch metadata: what both runtimes (Python on wgpu, ``attncc.js`` in a browser) need to
dispatch a lowered program, as one JSON document, so that they compute the same grids and
uniforms from the same rules.

A program lowers to one or more kernels that run in order over named device buffers:

* ``buffers``: every device buffer -- the program's inputs, its outputs and the
  intermediates of a multi-kernel lowering (``role`` ``temp``) -- with its ranks, the
  element type on the device (``f32``, ``f16``, ``i32``) and the program's dtype (an ``i8``
  or ``bool`` input is widened to ``i32``, an ``f16`` one to ``f32`` without ``shader-f16``);
* ``scalars``: each ``PODArgs`` field name → where its value comes from: ``extent`` of a
  rank or ``scalar`` (a param or let, by the program's name);
* ``kernels``: entry, buffers in binding order, the ``PODArgs`` fields, and the grid: the
  number of workgroups is ``ceil(prod(factors) / div)`` where a factor is
  ``ceil(extent(rank) / per)`` or a constant; the uniform's ``packGridDimX`` is that number
  plus ``pack_offset``. Grids of more than 65,535 workgroups fold into z;
* ``params`` (dtype, default) and ``decls``: the program's ``let`` and ``rank``
  declarations in order, each expression a small JSON tree (:func:`scalar_decls`), so that
  ``attncc.js`` computes lets that depend on extents (``OFF = m - p``, ``scale = 1 /
  sqrt(e)``) by :func:`attncc.ir.bind.bind`'s rules instead of asking its caller.

The WGSL of all kernels is one text; each kernel starts at a line ``//// attncc kernel: NAME``.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from typing import Any

from attncc.errors import ArgumentError
from attncc.ir.nodes import Binary
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Let
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.ir.nodes import RankDecl
from attncc.ir.nodes import Unary
from attncc.ir.validate import validate

__all__ = [
    "FORMAT",
    "KERNEL_MARK",
    "MAX_GROUPS",
    "binding_meta",
    "dispatch_size",
    "expr_tree",
    "join_wgsl",
    "pod_bytes",
    "scalar_decls",
    "split_wgsl",
    "workgroups",
]

FORMAT = "attncc-webgpu-launch/1"
KERNEL_MARK = "//// attncc kernel: "
MAX_GROUPS = 65535


def join_wgsl(kernels: list[tuple[str, str]]) -> str:
    """One text holding every kernel's WGSL, each after its marker line."""
    return "".join(f"{KERNEL_MARK}{name}\n{text}" for name, text in kernels)


def split_wgsl(text: str) -> dict[str, str]:
    """Kernel name → WGSL, from :func:`join_wgsl`'s text."""
    out: dict[str, str] = {}
    name = None
    for line in text.splitlines(keepends=True):
        if line.startswith(KERNEL_MARK):
            name = line[len(KERNEL_MARK) :].strip()
            out[name] = ""
        elif name is not None:
            out[name] += line
    return out


def workgroups(grid: Mapping[str, Any], extents: Mapping[str, int]) -> int:
    """The number of workgroups a kernel's grid rule gives at ``extents``."""
    total = 1
    for f in grid["factors"]:
        if "rank" in f:
            total *= -(-int(extents[f["rank"]]) // int(f.get("per", 1)))
        else:
            total *= int(f["const"])
    return -(-total // int(grid.get("div", 1)))


def dispatch_size(n: int) -> tuple[int, int, int]:
    """Workgroups (x, y, z) for ``n`` of them: x up to 65,535, the rest in z."""
    if n <= MAX_GROUPS:
        return (max(n, 1), 1, 1)
    z = math.ceil(n / MAX_GROUPS)
    return (MAX_GROUPS, 1, z)


def pod_bytes(
    kernel: Mapping[str, Any],
    sources: Mapping[str, Mapping[str, str]],
    extents: Mapping[str, int],
    scalars: Mapping[str, Any],
    groups: int,
) -> bytes:
    """The ``PODArgs`` uniform of one kernel: its fields in order, 4 bytes each, little
    endian, padded to 16 bytes (a uniform buffer's size must be a multiple of 16)."""

    out = bytearray()
    for f in kernel["pod"]:
        name, ty = f["name"], f["type"]
        if name == "packGridDimX":
            value: Any = groups + int(kernel["pack_offset"])
        else:
            src = sources.get(name)
            if src is None:
                raise ArgumentError(f"kernel {kernel['entry']}: PODArgs field {name} has no source")
            table = extents if src["kind"] == "extent" else scalars
            if src["of"] not in table:
                raise ArgumentError(
                    f"kernel {kernel['entry']} needs the {src['kind']} {src['of']!r}; pass it"
                )
            value = table[src["of"]]
        fmt = {"f32": "<f", "i32": "<i", "u32": "<I"}[ty]
        value = float(value) if ty == "f32" else int(value)
        out += struct.pack(fmt, value)
    out += bytes(-len(out) % 16)
    return bytes(out)


# ----------------------------------------------------------------------------- lets


def binding_meta(program: Program) -> dict[str, Any]:
    """The launch metadata's part that binds a call as :func:`attncc.ir.bind.bind` does:
    every rank (``ranks``), each input's ranks (``inputs``: shapes bind them), ``params``
    (dtype, default) and the ``let``/``rank`` declarations (``decls``)."""

    params = {}
    for p in program.params:
        default = None if p.default is None else getattr(p.default, "value", p.default)
        params[p.name] = {"dtype": p.dtype.value, "default": default}
    return {
        "ranks": list(validate(program).ranks),
        "inputs": {d.name: list(d.ranks) for d in program.inputs},
        "params": params,
        "decls": scalar_decls(program),
    }


def scalar_decls(program: Program) -> list[dict[str, Any]]:
    """The ``let`` and ``rank`` declarations, in order, as JSON a runtime evaluates.

    ``{"let": NAME, "dtype": "i32" | "f32" | "bool", "value": TREE}`` or ``{"rank": NAME,
    "value": TREE}``; a tree is ``{"int": 3}``, ``{"float": 0.5}`` (``"inf"``, ``"-inf"``,
    ``"nan"`` as strings), ``{"bool": true}``, ``{"name": "m"}``, ``{"op": "/", "args":
    [a, b]}`` (the language's operators, ``"neg"`` and ``"not"`` for the unary ones) or
    ``{"fn": "sqrt", "args": [...]}``. Literal kinds are explicit because integer ``/``
    floors and float ``/`` does not (JSON numbers cannot tell ``1`` from ``1.0``). Data,
    never code: a runtime interprets it, it evaluates no text.
    """

    kinds = validate(program).scalars
    out: list[dict[str, Any]] = []
    for d in program.decls:
        if isinstance(d, Let):
            out.append({"let": d.name, "dtype": kinds[d.name].value, "value": expr_tree(d.value)})
        elif isinstance(d, RankDecl):
            out.append({"rank": d.name, "value": expr_tree(d.extent)})
    return out


def expr_tree(e: Expr) -> dict[str, Any]:
    """A scalar expression as the JSON tree of :func:`scalar_decls`."""
    if isinstance(e, Const):
        v = e.value
        if isinstance(v, bool):
            return {"bool": v}
        if isinstance(v, int):
            return {"int": v}
        return {"float": v if math.isfinite(v) else str(v)}
    if isinstance(e, Name):
        return {"name": e.name}
    if isinstance(e, Unary):
        return {"op": "neg" if e.op.value == "-" else "not", "args": [expr_tree(e.operand)]}
    if isinstance(e, Binary):
        return {"op": e.op.value, "args": [expr_tree(e.lhs), expr_tree(e.rhs)]}
    if isinstance(e, Call):
        return {"fn": e.fn.value, "args": [expr_tree(a) for a in e.args]}
    raise ArgumentError(f"`{e}` is not a scalar expression (it reads a tensor)")
