"""TVMScript kernels → WGSL through TVM's ``webgpu`` target, and the layout a dispatcher needs.

TVM cannot run a WebGPU module from Python, so attncc dispatches the WGSL itself. What a
dispatcher must know is read back from the WGSL TVM emitted, not assumed:

* storage buffers: ``@binding(i) var<storage, read|read_write> NAME_ptr : array<T>`` -- the
  binding of each kernel buffer (TVM orders them by buffer name; the tests check it);
* the ``PODArgs`` uniform at the last binding: the kernel's scalar arguments in order, 4 bytes
  each, then ``packGridDimX: u32``;
* the guard ``if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }``.
  TVM compares with ``>``, so the value written is the number of workgroups minus one
  (``pack_offset = -1``): a dispatch folded into z never runs a workgroup past the grid;
* ``@workgroup_size(x, y, z)`` and the ``var<workgroup>`` arrays (their bytes).

TVM's common-subexpression pass hoists expressions of scalar arguments into new ``PODArgs``
fields (``cse_v1 = n * 16``) that only TVM's own host code can fill; it is disabled, and a
field that is not an argument of the kernel is a :class:`~attncc.errors.LoweringError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from attncc.errors import LoweringError

__all__ = ["WEBGPU_LIMITS", "WgslKernel", "compile_wgsl", "parse_wgsl"]

#: WebGPU's default device limits (what a browser grants without asking).
WEBGPU_LIMITS = {
    "max-compute-workgroup-storage-size": 16384,
    "max-compute-invocations-per-workgroup": 256,
    "max-compute-workgroup-size-x": 256,
    "max-compute-workgroup-size-y": 256,
    "max-compute-workgroup-size-z": 64,
    "max-storage-buffers-per-shader-stage": 8,
    "max-compute-workgroups-per-dimension": 65535,
}
_BYTES = {"f32": 4, "i32": 4, "u32": 4, "f16": 2}


@dataclass(frozen=True)
class WgslKernel:
    """One WGSL compute shader and the layout :mod:`attncc.targets.webgpu.runtime` binds.

    ``buffers`` are kernel buffer names in binding order with their access (``read`` /
    ``read_write``) and element type; ``pod`` the uniform's fields in order (name, type),
    ``packGridDimX`` last; ``pack_offset`` what to add to the workgroup count for it.
    """

    entry: str
    wgsl: str
    buffers: tuple[tuple[str, str, str], ...]
    pod: tuple[tuple[str, str], ...]
    workgroup_size: tuple[int, int, int]
    workgroup_bytes: int
    pack_offset: int

    def to_json(self) -> dict:
        return {
            "entry": self.entry,
            "buffers": [{"name": n, "access": a, "type": t} for n, a, t in self.buffers],
            "pod": [{"name": n, "type": t} for n, t in self.pod],
            "workgroup_size": list(self.workgroup_size),
            "workgroup_bytes": self.workgroup_bytes,
            "pack_offset": self.pack_offset,
        }


def webgpu_tvm_target() -> dict:
    """TVM's webgpu target, with the browser's 16 KB of workgroup storage."""
    return {"kind": "webgpu", "max_shared_memory_per_block": 16384, "max_num_threads": 256}


def compile_wgsl(text: str, *, what: str = "the kernel") -> list[WgslKernel]:
    """Parse TVMScript ``text`` (one PrimFunc) and compile it to WGSL; one
    :class:`WgslKernel` per device kernel TVM split it into (one, for attncc's kernels)."""
    import tvm

    try:
        func = tvm.script.from_source(text)
    except Exception as err:
        raise LoweringError(f"{what} is TVMScript that does not parse: {err}\n{text}") from err
    target = tvm.target.Target(webgpu_tvm_target(), host={"kind": "llvm"})
    try:
        with tvm.transform.PassContext(config={"tirx.disable_cse_tir": True}):
            lib = tvm.compile(func, target=target)
    except Exception as err:
        raise LoweringError(f"TVM could not compile {what} for webgpu: {err}") from err
    sources = [m.inspect_source() for m in lib.mod.imports if m.kind == "webgpu"]
    if len(sources) != 1:
        raise LoweringError(f"TVM gave {len(sources)} webgpu modules for {what}, expected 1")
    return parse_wgsl(sources[0])


_FUNC = re.compile(r"^// Function: (\w+)\n//-+\n", re.M)
_BINDING = re.compile(
    r"@group\(0\) @binding\((\d+)\) var<storage, (read|read_write)> (\w+)_ptr : array<(\w+)>;"
)
_POD = re.compile(r"struct PODArgs \{([^}]*)\}")
_UNIFORM = re.compile(r"@group\(0\) @binding\((\d+)\) var<uniform> podArgs : PODArgs;")
_WGSIZE = re.compile(r"@workgroup_size\((\d+), (\d+), (\d+)\)")
_SHARED = re.compile(r"var<workgroup> \w+ : array<(\w+), (\d+)>;")
_GUARD = re.compile(r"blockIdx\.z \* gridDim\.x \+ blockIdx\.x (>=?) podArgs\.packGridDimX")


def parse_wgsl(source: str) -> list[WgslKernel]:
    """The kernels of a TVM webgpu module's source (``inspect_source()``)."""
    heads = list(_FUNC.finditer(source))
    kernels, seen = [], set()
    for k, head in enumerate(heads):
        body = source[head.end() : heads[k + 1].start() if k + 1 < len(heads) else len(source)]
        if head.group(1) in seen or "@compute" not in body:
            continue  # TVM prints each function's header twice
        seen.add(head.group(1))
        kernels.append(_parse_one(head.group(1), body.strip() + "\n"))
    if not kernels:
        raise LoweringError(f"no WGSL compute kernel in TVM's output:\n{source}")
    return kernels


_INF = re.compile(r"(?<![\w.])inff\b")


def _finite_infinities(wgsl: str) -> str:
    """WGSL has no infinity literal (TVM prints ``inff``): use the largest finite f32. attncc
    uses ±inf only as the identity of max / min, which the largest finite value also is for
    every finite operand."""
    return _INF.sub("3.4028234663852886e+38f", wgsl)


_I32_MIN = re.compile(r"(?<![\w.])-2147483648i\b")


def _representable_i32_min(wgsl: str) -> str:
    """WGSL parses ``-2147483648i`` as the negation of ``2147483648i``, which i32 cannot
    hold (TVM prints it for the identity of an integer ``max``): spell it as a constant
    expression."""
    return _I32_MIN.sub("(-2147483647i - 1i)", wgsl)


def _parse_one(entry: str, wgsl: str) -> WgslKernel:
    wgsl = _representable_i32_min(_finite_infinities(wgsl))
    bindings = sorted((int(i), n, a, t) for i, a, n, t in _BINDING.findall(wgsl))
    if [b[0] for b in bindings] != list(range(len(bindings))):
        raise LoweringError(f"{entry}: storage bindings are not 0..N-1: {bindings}")
    pod_match, uniform = _POD.search(wgsl), _UNIFORM.search(wgsl)
    if pod_match is None or uniform is None or int(uniform.group(1)) != len(bindings):
        raise LoweringError(f"{entry}: no PODArgs uniform after the storage buffers")
    pod = tuple(
        (name.strip(), ty.strip())
        for name, ty in (f.split(":") for f in pod_match.group(1).split(",") if f.strip())
    )
    if not pod or pod[-1] != ("packGridDimX", "u32"):
        raise LoweringError(f"{entry}: PODArgs does not end in packGridDimX: u32: {pod}")
    guard = _GUARD.search(wgsl)
    size = _WGSIZE.search(wgsl)
    if guard is None or size is None:
        raise LoweringError(f"{entry}: no workgroup size or grid guard in the WGSL")
    shared = sum(_BYTES.get(t, 4) * int(n) for t, n in _SHARED.findall(wgsl))
    return WgslKernel(
        entry=entry,
        wgsl=wgsl,
        buffers=tuple((n, a, t) for _, n, a, t in bindings),
        pod=pod,
        workgroup_size=tuple(int(x) for x in size.groups()),
        workgroup_bytes=shared,
        pack_offset=-1 if guard.group(1) == ">" else 0,
    )
