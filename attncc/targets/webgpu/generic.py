"""The generic webgpu lowering: every valid program runs, one kernel per live statement.

It reuses the generic CPU lowering's statement bodies (:mod:`attncc.targets.tvm.generic`:
guards, presence, reductions, the shared expression printer) and changes what is around
them: each statement is its own PrimFunc, its output points spread over
``blockIdx.x × threadIdx.x`` (``wg`` threads a workgroup, one point a thread), its reduction
accumulators in ``local`` memory, and intermediates are device buffers the runtime
allocates (``role: temp`` in the launch metadata) instead of allocations inside one function.

WGSL has no ``i8`` or ``bool`` storage: such tensors and the presence masks live in ``i32``
buffers (a load of a ``bool`` is ``x != 0``, a store converts).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from attncc.ir.nodes import Access
from attncc.ir.nodes import Program
from attncc.lowering.writer import Writer
from attncc.targets.base import Config
from attncc.targets.base import Constraint
from attncc.targets.tvm.generic import GenericConfig
from attncc.targets.tvm.generic import GenericLowering
from attncc.targets.tvm.script import CMP
from attncc.targets.tvm.script import Buffer
from attncc.targets.tvm.script import TvmScriptPrinter
from attncc.targets.tvm.script import Typed
from attncc.targets.tvm.script import store_text
from attncc.targets.webgpu.fused import device_type
from attncc.targets.webgpu.wgsl import WEBGPU_LIMITS

__all__ = ["Lowered", "StatementKernel", "constraints", "lower_kernels"]

_WGSL = {"float32": "f32", "float16": "f16", "int32": "i32"}
_SCALAR = {"float32": "T.float32", "int32": "T.int32", "bool": "T.bool"}


@dataclass(frozen=True)
class StatementKernel:
    """One statement's kernel: its name, TVMScript and grid rule (launch metadata)."""

    name: str
    text: str
    grid: dict


@dataclass(frozen=True)
class Lowered:
    kernels: tuple[StatementKernel, ...]
    buffers: list[dict]
    scalars: dict[str, dict[str, str]]


class _Printer(TvmScriptPrinter):
    def load(self, a: Access) -> Typed:
        buf = self.buffers.get(a.tensor)
        if buf is not None and buf.dtype == "bool":
            return Typed(f"{buf.name}[{self.index(a)}] != 0", "bool", CMP)
        return super().load(a)


class _Lowering(GenericLowering):
    def __init__(self, program: Program, extents, wg: int, f16: bool):
        super().__init__(program, extents, GenericConfig(parallel=True, fuse=1, unroll=0))
        self.wg, self.f16 = wg, f16
        self.grid: dict = {}

    # -- hooks of the CPU lowering ----------------------------------------------------------
    def _printer(self) -> TvmScriptPrinter:
        bufs = {t: Buffer(self.buf[t], self.dtype[t]) for t in self.tensors}
        ranks = {r: self._var(r) for r in self.info.ranks}
        return _Printer(ranks=ranks, scalars=self.scalars, buffers=bufs)

    def _store(self, s, v: Typed) -> str:
        dtype = self.dtype[s.out]
        if dtype == "bool":
            return f'T.Cast("int32", {v.text})'
        if dtype == "int8":
            return f"T.floormod({v.at(0)} + 128, 256) - 128"
        if dtype == "float16" and not self.f16:
            return store_text(v, "float32")
        return super()._store(s, v)

    def _zero(self, s) -> str:
        dev = self._device(self.dtype[s.out])
        return f"T.{dev}(0)"

    def _output_loops(self, ranks: list[str], fuse: int) -> None:
        """Every output point is one invocation: ``i = bx · wg + tx`` decodes to the ranks."""
        w, wg = self.w, self.wg
        exts = [self.ext[r] for r in ranks]
        total = " * ".join(exts) if exts else "1"
        w.open(f'for bx in T.thread_binding(({total} + {wg - 1}) // {wg}, thread="blockIdx.x"):')
        w.open(f'for tx in T.thread_binding({wg}, thread="threadIdx.x"):')
        w(f"i_flat = T.meta_var(bx * {wg} + tx)")
        w.open(f"if i_flat < {total}:")
        for k, r in enumerate(ranks):
            inner = exts[k + 1 :]
            div = f" // ({' * '.join(inner)})" if inner else ""
            mod = f" % {exts[k]}" if k else ""
            w(f"{self._var(r)} = T.meta_var(i_flat{div}{mod})")
        fixed, factors = 1, []
        for r in ranks:
            if r in self.const_ext:
                fixed *= self.const_ext[r]
            else:
                factors.append({"rank": r})
        self.grid = {"factors": [*factors, {"const": fixed}], "div": wg}

    # -- kernels ------------------------------------------------------------------------------
    def _device(self, dtype: str) -> str:
        return device_type(dtype, self.f16)

    def kernels(self) -> Lowered:
        self.w = Writer()
        self._extents_and_lets()
        header = self.w.lines
        symbolic = [ln.split(" = ")[0] for ln in header if ln.endswith(" = T.int32()")]
        lets = [ln for ln in header if not ln.endswith(" = T.int32()")]
        by_var = {v: r for r, v in self.ext.items()}
        scalars = {v: {"kind": "extent", "of": by_var[v]} for v in symbolic}
        scalars |= {self.params[p.name]: {"kind": "scalar", "of": p.name} for p in self.p.params}
        masks = set(self.mask.values())
        names = {self.buf[t]: t for t in self.tensors} | {m: t for t, m in self.mask.items()}
        kernels = []
        for k, s in enumerate(self.live):
            self.w = Writer()
            self.w.depth = 1
            self._stmt(s)
            body = _localise(_int_masks("\n".join(self.w.lines), masks))
            used = [n for n in names if re.search(rf"\b{re.escape(n)}\[", body)]
            name = f"{self.p.name}_{k}_{s.out}" if self.p.name.isidentifier() else f"k{k}"
            text = self._kernel(name, used, names, masks, symbolic, lets, body)
            kernels.append(StatementKernel(name, text, self.grid))
        return Lowered(tuple(kernels), self._buffers(names, masks), scalars)

    def _kernel(self, name, used, names, masks, symbolic, lets, body) -> str:
        args = [f"{n}_h: T.handle" for n in used]
        args += [f"{v}: T.int32" for v in symbolic]
        args += [f"{self.params[p.name]}: {_SCALAR[self.scalars[p.name].dtype]}"
                 for p in self.p.params]  # fmt: skip
        lines = ["@T.prim_func", f"def {name}({', '.join(args)}):"]
        lines.append(f'    T.func_attr({{"global_symbol": "{name}", "tirx.noalias": True}})')
        lines += ["    " + ln for ln in lets]
        for n in used:
            t = names[n]
            ranks = self.info.tensors[t].ranks
            shape = ", ".join(self.ext[r] for r in ranks) if ranks else "1"
            dtype = "int32" if n in masks else self._device(self.dtype[t])
            lines.append(f'    {n} = T.match_buffer({n}_h, ({shape},), "{dtype}")')
        return "\n".join(lines) + "\n" + body + "\n"

    def _buffers(self, names, masks) -> list[dict]:
        outputs = set(self.p.outputs)
        out = []
        for n, t in names.items():
            ti = self.info.tensors[t]
            role = (
                "input" if ti.is_input else "output" if t in outputs and n not in masks else "temp"
            )
            dtype = "int32" if n in masks else self._device(self.dtype[t])
            out.append(
                {
                    "name": n,
                    "role": role,
                    "arg": t,
                    "ranks": list(ti.ranks),
                    "type": _WGSL[dtype],
                    "dtype": "bool" if n in masks else ti.dtype.value,
                }
            )
        return out


def _localise(text: str) -> str:
    """Accumulators allocated in a kernel live in ``local`` (invocation) memory."""
    return re.sub(r"= T\.alloc_buffer\((.*)\)$", r'= T.alloc_buffer(\1, scope="local")', text,
                  flags=re.M)  # fmt: skip


def _int_masks(text: str, masks: set[str]) -> str:
    """Presence masks in ``i32`` buffers: stores convert, loads compare with 0."""
    if not masks:
        return text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(masks))) + r")\[")
    out, pos = [], 0
    for m in pattern.finditer(text):
        if m.start() < pos:
            continue
        depth, end = 0, m.end() - 1
        while True:
            depth += {"[": 1, "]": -1}.get(text[end], 0)
            if depth == 0:
                break
            end += 1
        access = text[m.start() : end + 1]
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        rest = text[end + 1 : line_end]
        out.append(text[pos : m.start()])
        if not text[line_start : m.start()].strip() and rest.startswith(" = "):
            out.append(f'{access} = T.Cast("int32", {rest[3:]})')
            pos = line_end
        else:
            out.append(f"({access} != 0)")
            pos = end + 1
    out.append(text[pos:])
    return "".join(out)


def lower_kernels(
    program: Program, extents: Mapping[str, int | None], *, wg: int, f16: bool
) -> Lowered:
    """The statement kernels, device buffers and ``PODArgs`` sources of ``program``."""
    return _Lowering(program, extents, wg, f16).kernels()


def constraints(program: Program, extents: Mapping[str, int | None]) -> tuple[Constraint, ...]:
    """Each statement's kernel binds at most WebGPU's 8 storage buffers (presence masks
    included), counted on the kernels the lowering writes at ``extents`` (no TVM involved)."""
    limit = WEBGPU_LIMITS["max-storage-buffers-per-shader-stage"]
    counts: dict[str, int] = {}

    def buffers(c: Config) -> str | None:
        if c.get("lowering", "generic") != "generic":
            return None
        if not counts:
            lowered = _Lowering(program, extents, 64, False).kernels()
            for k in lowered.kernels:
                counts[k.name] = k.text.count("= T.match_buffer(")
        name, most = max(counts.items(), key=lambda kv: kv[1])
        if most <= limit:
            return None
        return f"kernel {name} binds {most} storage buffers, more than WebGPU's limit of {limit}"

    def threads(c: Config) -> str | None:
        wg = c.get("wg", 64)
        if c.get("lowering", "generic") == "generic" and wg > 256:
            return f"wg={wg} invocations per workgroup, more than WebGPU's limit of 256"
        return None

    return (Constraint("storage buffers", buffers), Constraint("workgroup invocations", threads))
