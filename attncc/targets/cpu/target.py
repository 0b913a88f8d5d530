"""The ``cpu`` target: TVM TIR through LLVM for this host (AVX-512 / AVX2 picked from it).

Two lowerings, one calling convention:

* ``fused`` -- a softmax attention recognised in the cascade
  (:func:`attncc.ir.rewrites.match_attention`) becomes one flash-style kernel with the
  variant's expressions inlined, empty key tiles skipped and full ones unmasked
  (:mod:`attncc.targets.cpu.fused`);
* ``generic`` -- any valid program, one loop nest per statement
  (:mod:`attncc.targets.tvm.generic`, built with LLVM).

The space offers ``lowering`` as a knob when both apply; the fused one is the default.
Builds are cached on disk (:mod:`attncc.cache`) by a hash of the source text, the LLVM
target and the TVM version. A cached shared object is checked (an HMAC under a per-user
key) and loaded from a private copy of the bytes that were checked, never from the cache
file itself; an export copies those same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from attncc.cache import cached_file
from attncc.cache import read_private
from attncc.errors import UnsupportedError
from attncc.ir.exprs import free_ranks
from attncc.ir.nodes import Program
from attncc.lowering.plan import FusedPlan
from attncc.targets.base import Artifact
from attncc.targets.base import Config
from attncc.targets.base import Knob
from attncc.targets.base import Source
from attncc.targets.base import Space
from attncc.targets.base import Target
from attncc.targets.base import stable_hash
from attncc.targets.cpu import fused
from attncc.targets.cpu.host import UNALIGNED
from attncc.targets.cpu.host import Arg
from attncc.targets.cpu.host import HostKernel
from attncc.targets.cpu.host import build_cpu
from attncc.targets.cpu.host import compile_tvmscript
from attncc.targets.cpu.host import configure_threads
from attncc.targets.cpu.host import cpu_count
from attncc.targets.cpu.host import generic_target
from attncc.targets.cpu.host import host_cpu
from attncc.targets.cpu.host import host_isa_features
from attncc.targets.cpu.host import isa_features
from attncc.targets.cpu.host import np_dtype
from attncc.targets.lowerings import fused_not_possible
from attncc.targets.lowerings import one_lowering
from attncc.targets.lowerings import specialise_lengths
from attncc.targets.tvm.generic import GenericConfig
from attncc.targets.tvm.generic import lower_generic
from attncc.version import __version__

__all__ = ["CpuTarget"]

#: TVM's allocator aligns to 64 bytes and a kernel built with the default assumes it.
_ALIGN = 64

_GENERIC_KNOBS = (
    Knob("parallel", (True, False)),
    Knob("fuse", (2, 1, 3)),
    Knob("unroll", (0, 4, 8)),
)


class CpuTarget(Target):
    name = "cpu"
    language = "tvmscript"
    reads_bf16 = True  # bf16 inputs are bfloat16 buffers (STORAGE)

    # ------------------------------------------------------------------ protocol
    def specialise(self, program: Program, extents: Mapping[str, int]) -> dict[str, int | None]:
        """Sequence lengths stay symbolic (one build serves every length), and so does the
        batch where the mask does not read it (:func:`batch_free`); the rest is fixed.
        A query length up to ``fused.DECODE_QUERIES`` is fixed too: decode gets its own
        build, with decode defaults, whatever length the prefill build serves."""
        plan = fused.plan(program)
        out = specialise_lengths(plan, program, extents)
        if plan is not None and batch_free(plan):
            out[plan.batch] = None
        n = extents.get(plan.query) if plan is not None else None
        if n is not None and 1 <= n <= fused.DECODE_QUERIES:
            out[plan.query] = n
        return out

    def space(self, program: Program, extents: Mapping[str, int | None]) -> Space:
        plan = fused.plan(program)
        if plan is None:
            return Space((Knob("lowering", ("generic",)), *_GENERIC_KNOBS))
        flash_knobs = fused.knobs(plan, extents)
        return Space(
            (Knob("lowering", ("fused", "generic")), *flash_knobs, *_GENERIC_KNOBS),
            (
                one_lowering({"fused": flash_knobs, "generic": _GENERIC_KNOBS}),
                *fused.constraints(plan, extents),
            ),
        )

    def lower(self, program: Program, config: Config, extents: Mapping[str, int | None]) -> Source:
        if config.get("lowering", "generic") == "fused":
            plan = fused.plan(program)
            if plan is None:
                raise fused_not_possible(program, self.name)
            return fused.lower(plan, config, extents)

        generic = GenericConfig(
            config["parallel"],
            config["fuse"],
            config["unroll"],
            vector_math=True,
            unaligned_inputs=True,
        )
        src = lower_generic(program, extents, config=generic)
        return Source(
            "cpu",
            self.language,
            src.text,
            src.func_name,
            dict(src.extents),
            {
                "args": src.args,
                "config": dict(config),
                "lowering": "generic",
                "program": program,
                UNALIGNED: True,
            },
        )

    def build(self, source: Source) -> Artifact:
        """The kernel, loaded from a private copy of its checked cache entry (built and
        cached when there is none), or compiled in memory when caching is off."""
        import tvm

        configure_threads()
        target = source.meta.get("llvm_target") or _generic_llvm_target()
        key = _build_key(source, target, tvm.__version__)

        def write(path: str) -> None:
            lib = compile_tvmscript(source.text, target, what=f"the {source.entry} kernel")
            lib.export_library(path)

        path = cached_file(key, ".so", write)
        if path is None:
            lib = compile_tvmscript(source.text, target, what=f"the {source.entry} kernel")
        else:
            lib = tvm.runtime.load_module(path)
        kernel = HostKernel(
            source.meta.get("program"),
            source.entry,
            source.meta["args"],
            source.extents,
            lib,
            target,
            source,
        )
        return Artifact(source, kernel, path)

    def run(
        self,
        artifact: Artifact,
        arrays: Mapping[str, np.ndarray],
        scalars: Mapping[str, Any],
        extents: Mapping[str, int],
    ) -> dict[str, np.ndarray]:
        """Call the kernel: inputs go in without a copy when aligned, outputs come back."""
        import tvm

        kernel: HostKernel = artifact.handle
        call, outputs, keep = [], {}, None
        for a in kernel.args:
            if a.role == "input":
                any_alignment = kernel.source.meta.get(UNALIGNED, False)
                call.append(_tvm_tensor(arrays[a.name], np_dtype(a.dtype), any_alignment))
            elif a.role == "param":  # a param or let; a rank's extent (the fused lowering's M)
                call.append(scalars[a.name] if a.name in scalars else extents[a.name])
            elif a.role == "tile_classes":
                classes, ready, keep = _tile_classes(kernel, a, scalars, extents)
                call += [tvm.runtime.from_dlpack(classes), ready]
            else:
                shape = tuple(extents[r] for r in a.ranks)
                out = _aligned_empty(shape, np_dtype(a.dtype))
                outputs[a.name] = out
                call.append(tvm.runtime.from_dlpack(out))
        kernel(*call)
        if keep is not None:
            keep()
        return outputs

    def describe(self) -> dict[str, Any]:
        import tvm

        return {
            "target": "cpu",
            "mcpu": build_cpu(),
            "threads": int(os.environ.get("TVM_NUM_THREADS", cpu_count())),
            "tvm": tvm.__version__,
        }

    # ------------------------------------------------------------------ export (libraries)
    def save(self, artifact: Artifact, directory: Path, stem: str) -> dict[str, str]:
        """One shared object, ``{stem}.so``: the bytes the kernel was loaded from when there
        are some (the private copy of a checked cache entry, or of a verified library file:
        what ran, re-checked to be a file no one else could have replaced), else the loaded
        module exported again (TVM's ``export_library``)."""
        name = f"{stem}.so"
        dest = Path(directory) / name
        if artifact.path and os.path.isfile(artifact.path):
            dest.write_bytes(read_private(artifact.path))
        else:
            artifact.handle.lib.export_library(str(dest))
        return {"library": name}

    def load(self, source: Source, files: Mapping[str, Path]) -> Artifact:
        """The kernel in ``files["library"]``; the caller has verified its sha256 (loading
        a shared object runs its code)."""
        import tvm

        if "library" not in files:
            raise UnsupportedError("a cpu kernel needs a 'library' file (the shared object)")
        configure_threads()
        args = tuple(
            a if isinstance(a, Arg) else Arg(a["name"], a["role"], a["dtype"], tuple(a["ranks"]))
            for a in source.meta["args"]
        )
        lib = tvm.runtime.load_module(str(files["library"]))
        target = source.meta.get("llvm_target") or _generic_llvm_target()
        kernel = HostKernel(
            source.meta.get("program"), source.entry, args, source.extents, lib, target, source
        )
        return Artifact(source, kernel, str(files["library"]))

    def incompatibility(self, fingerprint: Mapping[str, Any]) -> str | None:
        """A kernel runs here when it was built by the same TVM minor version (the runtime
        ABI of the shared object) for a CPU whose instruction-set extensions this one has."""
        import tvm

        if fingerprint.get("target") != "cpu":
            return f"built for target {fingerprint.get('target')!r}, not cpu"
        built, here = str(fingerprint.get("tvm", "?")), tvm.__version__
        if built.split(".")[:2] != here.split(".")[:2]:
            return (
                f"built with TVM {built}; this machine has TVM {here}. Fix: export the library "
                "again with this TVM"
            )
        mcpu = str(fingerprint.get("mcpu", ""))
        needed = isa_features(mcpu)
        if needed is None:
            return (
                f"built for CPU {mcpu!r}, which this machine's LLVM does not know (another "
                "architecture?). Fix: export the library on a machine like this one"
            )
        missing = sorted(needed - host_isa_features())
        if missing:
            family = " (AVX-512)" if "avx512f" in needed else " (AVX2)" if "avx2" in needed else ""
            return (
                f"built for {mcpu}{family}; this CPU ({host_cpu()}) lacks "
                f"{', '.join(missing)}. Fix: export the library on a machine like this one"
            )
        return None


# ---------------------------------------------------------------------------- helpers


def _generic_llvm_target() -> dict:
    return generic_target()


def _build_key(source: Source, target: dict, tvm_version: str) -> str:
    return stable_hash("cpu", source.text, source.entry, target, tvm_version, __version__)


#: Tile classes kept per kernel (the most recent (extents, scalars) first).
_KEPT_CLASSES = 16


def _tile_classes(kernel: HostKernel, arg: Arg, scalars: Mapping[str, Any], extents):
    """The buffer of a kernel's tile classes (``flash_tiles``: a mask of indices and scalars
    alone), the flag saying it is filled, and what to call once the kernel has filled it.
    Kept per (extents, scalars), in memory only, after a call that completed."""
    info = kernel.source.meta["tile_classes"]
    key = (tuple(sorted(extents.items())), tuple(sorted((k, repr(v)) for k, v in scalars.items())))
    kept = kernel.__dict__.setdefault("tile_classes", {})
    if key in kept:
        return kept[key], 1, None
    p, m = (extents[r] for r in arg.ranks)
    qt, kt = info["query_tile"], info["key_tile"]
    shape = (info["rows"], -(-p // qt), -(-m // kt))  # as the kernel's match_buffer says
    classes = _aligned_empty(shape, np.int8)

    def keep() -> None:
        while len(kept) >= _KEPT_CLASSES:
            kept.pop(next(iter(kept)))
        kept[key] = classes

    return classes, 0, keep


def _aligned_empty(shape: tuple[int, ...], dtype) -> np.ndarray:
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    raw = np.empty(nbytes + _ALIGN, np.uint8)
    offset = (-raw.ctypes.data) % _ALIGN
    return raw[offset : offset + nbytes].view(dtype).reshape(shape)


def _tvm_tensor(array: np.ndarray, dtype, any_alignment: bool) -> Any:
    """A TVM tensor over ``array``: without a copy when it is C-contiguous and of the kernel's
    dtype, and either aligned to 64 bytes or passed to a kernel built for any alignment
    (``Source.meta[UNALIGNED]``; older builds assume 64 and would fault). DLPack has no
    ``ml_dtypes.bfloat16``: a bfloat16 array goes in as its 16-bit pattern, viewed as
    bfloat16 (the same bytes)."""
    import tvm_ffi

    if array.dtype != dtype:
        array = array.astype(dtype)
    if not array.flags.c_contiguous or (not any_alignment and array.ctypes.data % _ALIGN):
        aligned = _aligned_empty(array.shape, array.dtype)
        aligned[...] = array
        array = aligned
    if array.dtype.name == "bfloat16":
        bits = tvm_ffi.from_dlpack(array.view(np.uint16), require_alignment=2)
        return bits._create_view(array.shape, "bfloat16")
    return tvm_ffi.from_dlpack(array, require_alignment=array.dtype.itemsize)


def batch_free(plan: FusedPlan) -> bool:
    """Whether a fused build may keep the batch symbolic: the mask (hence its bands and tile
    classes) and the helpers do not read it. Reads elsewhere (a bias by batch in the score)
    index buffers whose shapes bind their own extents."""
    if plan.predicate is not None and plan.batch in free_ranks(plan.predicate, [plan.batch]):
        return False
    return not any(plan.batch in s.ranks for s in plan.helpers)
