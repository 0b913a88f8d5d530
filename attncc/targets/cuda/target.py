"""The ``cuda`` target: generated Triton source → PTX / cubin (``sm_80``, ``sm_90``; ``gfx942``
for ROCm), run through Triton's runtime on a GPU or its interpreter on the CPU.

Two lowerings, one calling convention (as on the ``cpu`` target):

* ``fused`` -- a softmax attention recognised in the cascade (the CPU fused lowering's
  :func:`~attncc.lowering.plan.plan_attention`) becomes one flash-style Triton kernel with the
  variant's expressions inlined, empty key blocks skipped, full ones unmasked, GQA / MQA
  head mapping, paged / quantised K-V loads, and split-KV with a merge kernel
  (:mod:`attncc.targets.cuda.fused`); a mask that reads data (document ids, a tree) gets a
  pre-pass kernel computing block lists (:mod:`attncc.targets.cuda.blocks`);
* ``generic`` -- any valid program, one Triton kernel per statement
  (:mod:`attncc.targets.cuda.generic`).

Where kernels run. On a machine with a CUDA GPU (``torch.cuda.is_available()``) through
Triton's JIT. Without one, with ``TRITON_INTERPRET=1`` in the environment at call time,
in Triton's interpreter on the CPU (numpy underneath: slow, exact, what CI verifies).
Otherwise a call raises :class:`~attncc.errors.UnsupportedError`; the kernel's source, PTX
and cubin are still available (``kernel.source``, ``kernel.ptx``, ``kernel.cubin``), compiled
ahead of time (:mod:`attncc.targets.cuda.aot`). The variable is read when a kernel is
*called*, not when triton is imported: :mod:`attncc.targets.cuda.launch` imports each
generated module once per mode with the variable set accordingly.

The search space checks configs statically, before anything runs: fused configs are
compiled ahead of time for the target's architecture (``arch``: the GPU's own, else
``$ATTNCC_CUDA_ARCH``, else ``sm_90``) and rejected when their shared memory exceeds the
per-block limit or ``ptxas`` reports spills. :func:`attncc.targets.cuda.prior.predict` ranks
configs from that metadata where nothing can be measured.

Generated modules are never read back from a shared place: the source text is in memory,
so a build writes it to a private file of this process (:func:`attncc.cache.private_copy`:
``0600`` in a ``0700`` directory; Triton reads kernel source through :mod:`inspect`, which
needs a real file) and :func:`~attncc.targets.cuda.launch.load_module` executes the bytes it
read from there, once. Nothing is kept in the build cache: there is nothing to save by
reading generated Python back (Triton caches its own compiled binaries).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from attncc.cache import private_copy
from attncc.errors import LoweringError
from attncc.errors import UnsupportedError
from attncc.ir.nodes import Program
from attncc.jsonsafe import read_json_object
from attncc.targets.base import Artifact
from attncc.targets.base import Config
from attncc.targets.base import Source
from attncc.targets.base import Space
from attncc.targets.base import Target
from attncc.targets.base import stable_hash
from attncc.targets.cuda import space as cuda_space
from attncc.targets.cuda.aot import ARCHS
from attncc.targets.cuda.aot import CompiledKernel
from attncc.targets.cuda.aot import compile_kernels
from attncc.targets.cuda.launch import LaunchPlan
from attncc.targets.cuda.launch import interpreted_process
from attncc.targets.cuda.launch import load_module
from attncc.targets.cuda.launch import run_plan
from attncc.targets.cuda.space import fused_plan
from attncc.targets.cuda.space import lower

__all__ = ["CudaModule", "CudaTarget", "gpu_present"]

NO_GPU = (
    "target cuda: no CUDA GPU is present, so its kernels cannot run here; set "
    "TRITON_INTERPRET=1 to run them in Triton's interpreter on the CPU (slow, exact), or use "
    "kernel.source / kernel.ptx / kernel.cubin"
)
LATE_INTERPRET = (
    "target cuda: TRITON_INTERPRET=1 was set after triton was imported in this process, so "
    "Triton's interpreter cannot run here (triton decides at import); set it in the "
    "environment before the process starts (or before anything imports triton)"
)


def gpu_present() -> bool:
    """Whether torch sees a CUDA (or ROCm) GPU."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def _interpreting() -> bool:
    return os.environ.get("TRITON_INTERPRET", "0").lower() in ("1", "true", "on", "yes")


def _fused_plan(program: Program):
    return fused_plan(program)


class CudaModule:
    """A built source: the generated module file, loaded lazily per mode, and its kernels
    compiled ahead of time per architecture (``compiled(arch)``)."""

    def __init__(self, source: Source, path: str, arch: str):
        self.source, self.path, self.arch = source, path, arch
        self.launch = LaunchPlan.from_json(source.meta["launch"])
        self._modules: dict[bool, Any] = {}
        self._compiled: dict[str, dict[str, CompiledKernel]] = {}

    def module(self, *, interpret: bool):
        if interpret not in self._modules:
            self._modules[interpret] = load_module(self.path, interpret=interpret)
        return self._modules[interpret]

    def compiled(self, arch: str | None = None) -> dict[str, CompiledKernel]:
        """Every kernel of the plan compiled for ``arch`` (default: the target's)."""
        arch = arch or self.arch
        if arch not in self._compiled:
            sigs = self.source.meta["signatures"]
            jobs = [
                (x.kernel, tuple(tuple(a) for a in sigs[x.kernel]), dict(x.constexprs),
                 x.num_warps, x.num_stages)
                for x in self.launch.launches
            ]  # fmt: skip
            self._compiled[arch] = compile_kernels(self.path, jobs, arch)
        return self._compiled[arch]

    @property
    def ptx(self) -> dict[str, str]:
        """PTX of every kernel, by name, in launch order (for the target's CUDA arch)."""
        arch = self.arch if ARCHS[self.arch].backend == "cuda" else "sm_90"
        return {k: c.ptx or "" for k, c in self.compiled(arch).items()}

    @property
    def cubin(self) -> dict[str, bytes]:
        """cubin of every kernel, by name, in launch order (for the target's CUDA arch)."""
        arch = self.arch if ARCHS[self.arch].backend == "cuda" else "sm_90"
        return {k: c.binary for k, c in self.compiled(arch).items()}


class CudaTarget(Target):
    name = "cuda"
    language = "triton"

    def __init__(self, arch: str | None = None):
        self.arch = arch or os.environ.get("ATTNCC_CUDA_ARCH") or _gpu_arch() or "sm_90"
        if self.arch not in ARCHS:
            raise UnsupportedError(
                f"target cuda does not know the GPU architecture {self.arch!r}; "
                f"it compiles for {', '.join(ARCHS)}"
            )

    @property
    def can_run(self) -> bool:  # type: ignore[override]
        """Only a GPU gives timings worth tuning on (the interpreter runs, but slowly)."""
        return gpu_present()

    # ------------------------------------------------------------------ protocol
    def specialise(self, program: Program, extents: Mapping[str, int]) -> dict[str, int | None]:
        """Fused: the plan's lengths stay symbolic; generic: every extent is an argument."""
        plan = _fused_plan(program)
        if plan is None:
            return {r: None for r in extents}
        return {r: (None if r in plan.symbolic else n) for r, n in extents.items()}

    def space(self, program: Program, extents: Mapping[str, int | None]) -> Space:
        return cuda_space.space(self, program, extents, _fused_plan(program))

    def lower(self, program: Program, config: Config, extents: Mapping[str, int | None]) -> Source:
        return lower(self, program, config, extents, _fused_plan(program))

    def build(self, source: Source) -> Artifact:
        """The generated module as a private file (module docstring); its kernels are
        imported and compiled lazily."""
        import triton

        key = stable_hash("cuda", source.text, triton.__version__)
        path = private_copy(key, ".py", source.text.encode("utf-8"))
        return Artifact(source, CudaModule(source, path, self.arch), path)

    def run(
        self,
        artifact: Artifact,
        arrays: Mapping[str, np.ndarray],
        scalars: Mapping[str, Any],
        extents: Mapping[str, int],
    ) -> dict[str, np.ndarray]:
        handle: CudaModule = artifact.handle
        if gpu_present():
            device, interpret = "cuda", False
        elif _interpreting():
            device, interpret = "cpu", True
            if not interpreted_process():
                raise UnsupportedError(LATE_INTERPRET)
        else:
            raise UnsupportedError(NO_GPU)
        module = handle.module(interpret=interpret)
        return run_plan(
            handle.launch, module, arrays, scalars, extents, device=device, interpret=interpret
        )

    def describe(self) -> dict[str, Any]:
        import triton

        return {
            "target": "cuda",
            "arch": self.arch,
            "backend": ARCHS[self.arch].backend,
            "triton": triton.__version__,
            "device": _gpu_name(),
        }

    # ------------------------------------------------------------------ export
    def save(self, artifact: Artifact, directory: Path, stem: str) -> dict[str, str]:
        """The binary and PTX of every kernel for the target's arch, the Triton source,
        and ``<stem>.launch.json`` (launch plan, signatures, per-kernel shared memory,
        warps, Triton's launch metadata). Kernels are numbered in launch order: the
        block-list pre-pass of a data-dependent mask comes first, and the plan's buffers
        include its lists (dims ``"p/64"``: block counts, see ``BufferSpec``)."""
        handle: CudaModule = artifact.handle
        compiled = handle.compiled()
        directory = Path(directory)
        files = {"source": f"{stem}.triton.py", "launch": f"{stem}.launch.json"}
        (directory / files["source"]).write_text(artifact.source.text)
        ext = "cubin" if ARCHS[self.arch].backend == "cuda" else "hsaco"
        kernels = {}
        for i, (name, c) in enumerate(compiled.items()):
            binary = f"{stem}.{i}.{ext}"
            (directory / binary).write_bytes(c.binary)
            files[f"binary:{name}"] = binary
            if c.ptx is not None:
                ptx = f"{stem}.{i}.ptx"
                (directory / ptx).write_text(c.ptx)
                files[f"ptx:{name}"] = ptx
            kernels[name] = {
                "shared": c.shared,
                "num_warps": c.num_warps,
                "registers": c.registers,
                "spill_bytes": c.spill_bytes,
                "metadata": c.metadata,
            }
        launch = {
            "arch": self.arch,
            "plan": artifact.source.meta["launch"],
            "signatures": artifact.source.meta["signatures"],
            "kernels": kernels,
        }
        (directory / files["launch"]).write_text(json.dumps(launch, indent=1, sort_keys=True))
        return files

    def load(self, source: Source, files: Mapping[str, Path]) -> Artifact:
        """The saved kernels: runnable on a GPU (Triton re-JITs the saved source, which it
        caches) or in the interpreter; ``compiled()`` returns the saved binaries."""
        launch = read_json_object(files["launch"], f"the launch metadata of {source.entry}")
        text = Path(files["source"]).read_text()
        if text != source.text:
            raise LoweringError("the saved Triton source differs from the library's manifest")
        artifact = self.build(source)
        handle: CudaModule = artifact.handle
        saved = {}
        for name, info in launch["kernels"].items():
            ptx = files.get(f"ptx:{name}")
            saved[name] = CompiledKernel(
                name,
                launch["arch"],
                info["shared"],
                info["num_warps"],
                info["registers"],
                info["spill_bytes"],
                Path(ptx).read_text() if ptx else None,
                Path(files[f"binary:{name}"]).read_bytes(),
                info["metadata"],
            )
        handle._compiled[launch["arch"]] = saved
        return artifact

    def incompatibility(self, fingerprint: Mapping[str, Any]) -> str | None:
        import triton

        arch = fingerprint.get("arch")
        if arch != self.arch:
            return f"built for {arch}; this machine's cuda target is {self.arch}"
        if fingerprint.get("triton") != triton.__version__:
            return (
                f"built with triton {fingerprint.get('triton')}; this machine has "
                f"triton {triton.__version__}"
            )
        return None


@functools.lru_cache(maxsize=1)
def _gpu_arch() -> str | None:
    if not gpu_present():
        return None
    import torch

    props = torch.cuda.get_device_properties(0)
    gcn = getattr(props, "gcnArchName", "")
    if gcn:
        name = gcn.split(":")[0]
        return name if name in ARCHS else None
    name = f"sm_{props.major}{props.minor}"
    return name if name in ARCHS else ("sm_90" if props.major >= 9 else "sm_80")


def _gpu_name() -> str | None:
    if not gpu_present():
        return None
    import torch

    return torch.cuda.get_device_name(0)
