"""Ahead-of-time compilation of generated Triton kernels, with no GPU present.

``triton.compile(ASTSource(kernel, signature, constexprs), target=GPUTarget(...))`` runs
Triton's whole pipeline (TTIR → TTGIR → LLVM → PTX → cubin, or AMDGCN → hsaco) for an
architecture named here: ``sm_80`` (A100), ``sm_90`` (H100) or ``gfx942`` (MI300).
:func:`compile_kernel` returns what the search space and the cost model need:

* shared memory per block (``metadata.shared``), checked against the architecture's
  per-block limit (:data:`ARCHS`);
* registers and spills: for CUDA from ``ptxas-blackwell -v`` on the PTX (the ptxas bundled
  for older GPUs rejects the PTX version Triton 3.9 emits), for AMD from the kernel
  descriptor in the AMDGCN text (``.vgpr_count``, ``.vgpr_spill_count``);
* the PTX and cubin themselves (what an exported library ships).

Compiling needs triton imported with its JIT: in a process that imported it under
``TRITON_INTERPRET=1`` (:func:`~attncc.targets.cuda.launch.interpreted_process`),
:func:`compile_kernels` sends the work to one long-lived worker process (spawned with the
variable unset), so that CI can interpret and compile in the same test session.

Pointer arguments get Triton's ``tt.divisibility=16`` hint, which its runtime also derives
for torch allocations, so the code compiled here is what a GPU would run.
"""

from __future__ import annotations

import functools
import os
import pickle
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from types import ModuleType
from typing import Any

from attncc.errors import LoweringError
from attncc.errors import UnsupportedError
from attncc.targets.cuda.launch import interpret_env
from attncc.targets.cuda.launch import interpreted_process
from attncc.targets.cuda.launch import load_module

__all__ = ["ARCHS", "Arch", "CompiledKernel", "compile_kernel", "compile_kernels", "ptxas_stats"]


@dataclass(frozen=True)
class Arch:
    """A GPU architecture: Triton's target triple, per-block limits and a roofline."""

    name: str
    backend: str
    arch: int | str
    warp_size: int
    #: bytes of shared memory (LDS) one block may use
    shared_per_block: int
    shared_per_sm: int
    registers_per_sm: int
    max_warps_per_sm: int
    max_blocks_per_sm: int
    sms: int
    #: dense float32 (ieee, CUDA cores) and fp16 / tf32 tensor-core FLOP/s, DRAM bytes/s
    fp32_flops: float
    tensor_flops: float
    tf32_flops: float
    dram_bytes: float

    def target(self):
        from triton.backends.compiler import GPUTarget

        return GPUTarget(self.backend, self.arch, self.warp_size)


#: Architectures attncc compiles for (limits from the vendors' tuning guides; the roofline
#: numbers are the data-sheet peaks of A100-SXM, H100-SXM and MI300X).
ARCHS = {
    "sm_80": Arch("sm_80", "cuda", 80, 32, 166912, 167936, 65536, 64, 32, 108,
                  19.5e12, 312e12, 156e12, 2.0e12),
    "sm_90": Arch("sm_90", "cuda", 90, 32, 232448, 233472, 65536, 64, 32, 132,
                  67e12, 989e12, 495e12, 3.35e12),
    "gfx942": Arch("gfx942", "hip", "gfx942", 64, 65536, 65536, 131072, 32, 32, 304,
                   163e12, 1307e12, 654e12, 5.3e12),
}  # fmt: skip


@dataclass(frozen=True)
class CompiledKernel:
    """One kernel compiled for one architecture."""

    kernel: str
    arch: str
    shared: int
    num_warps: int
    registers: int | None
    spill_bytes: int | None
    ptx: str | None = field(repr=False)
    binary: bytes = field(repr=False)
    #: Triton's launch metadata (JSON-able): what a host needs to load the binary
    metadata: Mapping[str, Any] = field(repr=False)


def arch(name: str) -> Arch:
    if name not in ARCHS:
        raise UnsupportedError(
            f"target cuda does not know the GPU architecture {name!r}; it compiles for "
            f"{', '.join(ARCHS)}"
        )
    return ARCHS[name]


def compile_kernel(
    module: ModuleType,
    kernel: str,
    signature: tuple[tuple[str, str], ...],
    constexprs: Mapping[str, Any],
    *,
    arch_name: str,
    num_warps: int,
    num_stages: int,
) -> CompiledKernel:
    """Compile ``module.kernel`` (a ``triton.jit`` function, not interpreted) for
    ``arch_name``; raises :class:`LoweringError` when Triton rejects it."""
    import triton
    from triton.compiler import ASTSource

    a = arch(arch_name)
    fn = getattr(module, kernel)
    names = list(fn.arg_names)
    sig = dict(signature)
    sig.update({k: "constexpr" for k in constexprs})
    attrs = {(names.index(n),): [["tt.divisibility", 16]] for n, t in signature if t[0] == "*"}
    source = ASTSource(fn, {n: sig[n] for n in names}, dict(constexprs), attrs)
    options = {"num_warps": num_warps, "num_stages": num_stages, "enable_fp_fusion": True}
    try:
        with interpret_env(False):  # a TRITON_INTERPRET=1 environment must not leak in
            compiled = triton.compile(source, target=a.target(), options=options)
    except Exception as e:  # Triton raises CompilationError, RuntimeError, ...
        if os.environ.get("ATTNCC_DEBUG"):
            raise
        first = str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__
        raise LoweringError(f"Triton could not compile {kernel} for {arch_name}: {first}") from e
    md = compiled.metadata
    meta = {k: _jsonable(v) for k, v in md._asdict().items()} if hasattr(md, "_asdict") else {}
    if a.backend == "cuda":
        ptx = compiled.asm["ptx"]
        regs, spills = ptxas_stats(ptx)
        binary = compiled.asm["cubin"]
    else:
        ptx = None
        regs, spills = _amdgcn_stats(compiled.asm["amdgcn"])
        binary = compiled.asm["hsaco"]
    return CompiledKernel(kernel, arch_name, int(md.shared), int(md.num_warps), regs, spills,
                          ptx, binary, meta)  # fmt: skip


def _jsonable(v: Any) -> Any:
    if isinstance(v, str | int | float | bool) or v is None:
        return v
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return str(v)


@functools.lru_cache(maxsize=1)
def _ptxas(arch: int) -> str | None:
    """The ptxas Triton compiles ``arch`` with: it honours ``TRITON_PTXAS_PATH`` (which
    ``torch.compile`` points at torch's own CUDA), and a ptxas older than the PTX Triton
    wrote refuses it ("Unsupported .version"); else the one bundled with Triton."""
    import triton

    try:
        from triton.backends.nvidia.compiler import get_ptxas

        return get_ptxas(arch).path
    except Exception:  # another Triton's layout: the bundled binaries
        pass
    root = os.path.join(os.path.dirname(triton.__file__), "backends", "nvidia", "bin")
    for name in ("ptxas-blackwell", "ptxas"):
        path = os.path.join(root, name)
        if os.access(path, os.X_OK):
            return path
    return None


_TARGET = re.compile(r"^\.target\s+(\w+)", re.M)
_USED = re.compile(r"Used (\d+) registers")
_SPILL = re.compile(r"(\d+) bytes spill stores, (\d+) bytes spill loads")


def ptxas_stats(ptx: str) -> tuple[int | None, int | None]:
    """Registers per thread and spill bytes (stores + loads) of the PTX's kernel, from
    ``ptxas -v``; ``(None, None)`` when no ptxas is available."""
    found = _TARGET.search(ptx)
    if found is None:
        return None, None
    tool = _ptxas(int(re.sub(r"\D", "", found.group(1)) or 0))
    if tool is None:
        return None, None
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "kernel.ptx")
        with open(src, "w") as f:
            f.write(ptx)
        run = subprocess.run(
            [tool, "-v", f"--gpu-name={found.group(1)}", src, "-o", os.path.join(tmp, "k.cubin")],
            capture_output=True,
            text=True,
            timeout=120,
        )
    if run.returncode != 0:
        raise LoweringError(f"ptxas rejected the PTX: {run.stderr.strip()[-500:]}")
    regs = [int(x) for x in _USED.findall(run.stderr)]
    spills = [int(s) + int(lo) for s, lo in _SPILL.findall(run.stderr)]
    return (max(regs) if regs else None), (sum(spills) if spills else 0)


def _amdgcn_stats(text: str) -> tuple[int | None, int | None]:
    vgpr = re.findall(r"\.vgpr_count:\s+(\d+)", text)
    spill = re.findall(r"\.vgpr_spill_count:\s+(\d+)", text)
    sspill = re.findall(r"\.sgpr_spill_count:\s+(\d+)", text)
    regs = max((int(x) for x in vgpr), default=None)
    spills = sum(int(x) for x in spill + sspill) * 4 if (spill or sspill) else 0
    return regs, spills


Job = tuple[str, tuple[tuple[str, str], ...], dict, int, int]


def compile_kernels(path: str, jobs: list[Job], arch_name: str) -> dict[str, CompiledKernel]:
    """Compile the kernels ``jobs`` (name, signature, constexprs, warps, stages) of the
    generated module at ``path`` for ``arch_name``: here, or in the worker process."""

    arch(arch_name)
    if not interpreted_process():
        return _compile_here(path, jobs, arch_name)
    return _worker().call(path, jobs, arch_name)


def _compile_here(path: str, jobs: list[Job], arch_name: str) -> dict[str, CompiledKernel]:
    module = _jit_module(path)
    return {
        name: compile_kernel(module, name, sig, consts, arch_name=arch_name, num_warps=w,
                             num_stages=st)
        for name, sig, consts, w, st in jobs
    }  # fmt: skip


@functools.lru_cache(maxsize=64)
def _jit_module(path: str) -> ModuleType:
    return load_module(path, interpret=False)


class _Worker:
    """A ``python`` child that compiles for us: pickled jobs in on stdin, results out."""

    def __init__(self) -> None:
        env = {**os.environ, "TRITON_INTERPRET": "0", "TRITON_DEFAULT_FP_FUSION": "1"}
        code = "from attncc.targets.cuda.aot import _serve; _serve()"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        self.lock = threading.Lock()

    def call(self, *args: Any) -> Any:
        with self.lock:
            if self.proc.poll() is not None:
                raise LoweringError("the ahead-of-time compile worker exited")
            pickle.dump(args, self.proc.stdin)
            self.proc.stdin.flush()
            ok, value = pickle.load(self.proc.stdout)
        if not ok:
            raise value
        return value


def _serve() -> None:
    """The worker's loop (see :class:`_Worker`); errors travel back pickled."""

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints must not corrupt the pipe
    while True:
        try:
            args = pickle.load(stdin)
        except EOFError:
            return
        try:
            result = (True, _compile_here(*args))
        except Exception as e:  # a failed compile is data for the caller
            result = (False, e if isinstance(e, LoweringError) else LoweringError(str(e)))
        pickle.dump(result, stdout)
        stdout.flush()


@functools.lru_cache(maxsize=1)
def _worker() -> _Worker:
    return _Worker()
