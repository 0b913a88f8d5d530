"""The CPU this process runs on: TVM's LLVM target for it, its thread pool, and calling
compiled CPU kernels on numpy arrays.

``mcpu: "native"`` silently becomes ``generic`` under the wheel's LLVM triple (no AVX-512
code at all), so the CPU is named explicitly: LLVM's host detection when the wheel's LLVM
knows the name, else the best x86-64 micro-architecture level the CPU flags allow.

TVM's thread pool starts with half the hardware threads unless ``TVM_NUM_THREADS`` says
otherwise; :func:`configure_threads` sets it to the CPUs this process may use (before the
pool starts, i.e. before the first parallel kernel runs).

:class:`HostKernel` calls a compiled PrimFunc whose arguments are described by :class:`Arg`
records (inputs, params, outputs in call order) the way
:func:`attncc.ir.interpreter.interpret` is called: named numpy (or torch) arrays in,
outputs allocated from the bound extents and returned.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from attncc.errors import LoweringError
from attncc.errors import UnsupportedError
from attncc.ir.nodes import Program
from attncc.targets.base import Arg

__all__ = [
    "CPU_ENV",
    "Arg",
    "HostKernel",
    "build_cpu",
    "build_target",
    "compile_tvmscript",
    "configure_threads",
    "cpu_count",
    "generic_target",
    "host_cpu",
    "host_isa_features",
    "host_target",
    "isa_features",
    "np_dtype",
]

_V4 = {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"}
_V3 = {"avx2", "fma", "bmi2", "movbe"}


def cpu_count() -> int:
    """CPUs this process may run on (its affinity mask, else ``os.cpu_count()``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def configure_threads() -> int:
    """Set ``TVM_NUM_THREADS`` to :func:`cpu_count` unless the user set it; return it."""
    os.environ.setdefault("TVM_NUM_THREADS", str(cpu_count()))
    return int(os.environ["TVM_NUM_THREADS"])


def _cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith(("flags", "Features")):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


@functools.cache
def host_cpu() -> str:
    """The LLVM CPU name for this host, e.g. ``znver4``, ``skylake-avx512``, ``x86-64-v3``."""
    import tvm
    from tvm.target import codegen

    known = set(codegen.llvm_get_cpu_archlist(tvm.target.Target({"kind": "llvm"})))
    cpu = codegen.llvm_get_system_cpu()
    if cpu and cpu != "generic" and cpu in known:
        return cpu
    flags = _cpu_flags()
    for level, need in (("x86-64-v4", _V4), ("x86-64-v3", _V3)):
        if need <= flags and level in known:
            return level
    return "x86-64-v2" if "x86-64-v2" in known and "sse4_2" in flags else "generic"


#: Instruction-set extensions a kernel may be compiled to use, by LLVM's feature name: the
#: ones a CPU must have to run it (tuning-only LLVM features are left out).
ISA_FEATURES = (
    "sse4.1", "sse4.2", "popcnt", "avx", "avx2", "fma", "f16c", "bmi", "bmi2", "movbe",
    "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl", "avx512vnni", "avx512bf16",
    "avx512fp16", "avx512ifma", "avx512vbmi", "avx512vbmi2", "avx512bitalg",
    "avx512vpopcntdq", "avxvnni", "amx-tile", "amx-int8", "amx-bf16",
    "neon", "sve", "sve2",
)  # fmt: skip

#: /proc/cpuinfo spellings that differ from LLVM's once ``_ - .`` are dropped.
_CPUINFO_ALIASES = {"asimd": "neon", "bmi1": "bmi"}


def _isa_key(name: str) -> str:
    """``avx512_vnni`` (cpuinfo), ``avx512vnni`` (LLVM) and ``sse4_1`` / ``sse4.1`` alike."""
    key = name.lower().replace("_", "").replace("-", "").replace(".", "")
    return _CPUINFO_ALIASES.get(key, key)


def isa_features(mcpu: str) -> set[str] | None:
    """The :data:`ISA_FEATURES` code compiled for LLVM CPU ``mcpu`` may use, or ``None`` when
    this TVM's LLVM does not know ``mcpu`` (a CPU of another architecture or a newer LLVM)."""
    import tvm
    from tvm.target import codegen

    if not mcpu:
        return None
    known = set(codegen.llvm_get_cpu_archlist(tvm.target.Target({"kind": "llvm"})))
    if mcpu not in known and mcpu != "generic":
        return None
    features = codegen.llvm_get_cpu_features(tvm.target.Target({"kind": "llvm", "mcpu": mcpu}))
    return {f for f in ISA_FEATURES if f in features}


def host_isa_features() -> set[str]:
    """The :data:`ISA_FEATURES` this CPU has: its /proc/cpuinfo flags where readable, else
    what LLVM's name for it (:func:`host_cpu`) implies."""
    flags = {_isa_key(f) for f in _cpu_flags()}
    if not flags:
        return isa_features(host_cpu()) or set()
    return {f for f in ISA_FEATURES if _isa_key(f) in flags}


def host_target() -> dict:
    """An LLVM target dict for this host (``tvm.compile(func, target=host_target())``)."""
    return {"kind": "llvm", "mcpu": host_cpu()}


#: Builds for this LLVM CPU instead of the host's (``znver3`` on an AVX-512 host builds
#: AVX2 code, which it also runs: one session can measure both).
CPU_ENV = "ATTNCC_CPU"


def build_cpu() -> str:
    """The LLVM CPU kernels are built for: ``$ATTNCC_CPU`` when set, else :func:`host_cpu`.
    An unknown name, or one whose instructions this CPU lacks, is an
    :class:`~attncc.errors.UnsupportedError` naming the variable."""
    wanted = os.environ.get(CPU_ENV, "").strip()
    if not wanted:
        return host_cpu()
    needed = isa_features(wanted)
    if needed is None:
        raise UnsupportedError(
            f"{CPU_ENV}={wanted!r} is not a CPU this TVM's LLVM knows for this machine's "
            f"architecture (e.g. znver3, znver4, skylake-avx512, x86-64-v3); unset it to "
            f"build for this host ({host_cpu()})"
        )
    missing = sorted(needed - host_isa_features())
    if missing:
        raise UnsupportedError(
            f"{CPU_ENV}={wanted!r} builds kernels with {', '.join(missing)}, which this CPU "
            f"({host_cpu()}) lacks: they could not run here"
        )
    return wanted


def build_target() -> dict:
    """The LLVM target dict kernels are built for (:func:`build_cpu`)."""
    return {"kind": "llvm", "mcpu": build_cpu()}


# ----------------------------------------------------------------------------- kernels


def compile_tvmscript(text: str, target: dict, *, what: str = "the kernel"):
    """Parse TVMScript ``text`` and compile it for ``target``; a failure is a
    :class:`~attncc.errors.LoweringError` that names ``what``."""
    import tvm

    configure_threads()
    try:
        func = tvm.script.from_source(text)
    except Exception as err:
        raise LoweringError(f"{what} is TVMScript that does not parse: {err}\n{text}") from err
    try:
        return tvm.compile(func, target=target)
    except Exception as err:
        raise LoweringError(f"TVM could not compile {what}: {err}") from err


#: Source meta key: the kernel's input buffers may start at any element (``align=4``), so
#: :meth:`~attncc.targets.cpu.target.CpuTarget.run` passes the caller's arrays in place.
UNALIGNED = "unaligned_inputs"


class HostKernel:
    """A compiled CPU kernel of ``program``.

    Call it with ``tvm.runtime.Tensor`` s and scalars in ``args`` order (outputs
    preallocated; no checks, no copies): :meth:`attncc.targets.cpu.target.CpuTarget.run`
    does, after :func:`attncc.targets.invoke.call_kernel` has checked the arguments.
    ``extents`` are the ones it was compiled for (``None``: symbolic).
    """

    def __init__(
        self,
        program: Program,
        func_name: str,
        args: tuple[Arg, ...],
        extents: Mapping[str, int | None],
        lib: Any,
        target: dict,
        source: Any = None,
    ):
        self.program, self.func_name, self.args, self.extents = program, func_name, args, extents
        self.lib, self.target, self.source = lib, target, source
        self._func = lib[func_name]

    def __call__(self, *args) -> None:
        self._func(*args)


def np_dtype(dtype: str):
    """The numpy dtype of a TVM dtype name (``bfloat16`` through ``ml_dtypes``)."""
    if dtype == "bfloat16":
        import ml_dtypes

        return ml_dtypes.bfloat16
    return np.dtype(dtype)


def generic_target() -> dict:
    """This host's CPU, with the float reassociation that lets LLVM vectorise reductions
    (dot products) and FMA contraction; no NaN / inf assumptions (``-inf`` is an identity)."""
    return {**build_target(), "fast-math-reassoc": True, "fast-math-contract": True}
