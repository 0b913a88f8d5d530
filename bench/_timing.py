"""Timing helpers and machine limits shared by the CPU benchmarks.

* :func:`host_lines` -- date, CPU model, cores and library versions, for a result's header;
* :func:`interleaved` -- round-robin timing of several callables in one process, a pause
  before every block (torch's OpenMP pool and TVM's pool both spin after a call, so a block
  must not start while the other runtime's threads are still burning the cores);
* the machine's limits, measured in the run that reports against them:
  :func:`sgemm_gflops` (torch ``2048³`` SGEMM, ``2·n³`` FLOPs), :func:`copy_gbs` (a 256 MB
  float32 copy; read + write bytes, ``2 · 256 MB`` per copy, write-allocate traffic not
  counted) and :func:`fma_peak_gflops` (a register-only FMA loop generated as TVMScript:
  independent vector accumulators in a stack buffer, ``T.parallel`` over the cores, built
  for this host with :func:`attncc.targets.cpu.host.host_target`).
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import time
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

__all__ = [
    "Timing",
    "copy_gbs",
    "cpu_model",
    "fma_peak_gflops",
    "host_lines",
    "interleaved",
    "sgemm_gflops",
    "time_block",
]


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def host_lines(threads: int) -> list[str]:
    """Header lines: date, CPU, cores, versions."""
    import numpy as np
    import torch
    import tvm

    import attncc
    from attncc.targets.cpu.fused import build_unit
    from attncc.targets.cpu.host import CPU_ENV
    from attncc.targets.cpu.host import build_cpu
    from attncc.targets.cpu.host import cpu_count
    from attncc.targets.cpu.host import host_cpu

    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"date: {now}",
        f"CPU: {cpu_model()} (LLVM mcpu {host_cpu()}), {cpu_count()} cores usable, "
        f"{threads} threads (TVM_NUM_THREADS, torch.set_num_threads)",
        f"attncc builds for: {build_cpu()} ({build_unit().name}, {build_unit().registers} vector "
        f"registers of {build_unit().lanes} fp32 lanes; ${CPU_ENV}="
        f"{os.environ.get(CPU_ENV, 'unset: the host')}); torch and Flex use the host's ISA",
        f"versions: attncc {attncc.__version__}, torch {torch.__version__}, tvm {tvm.__version__}"
        f", numpy {np.__version__}, python {platform.python_version()}",
    ]


# ------------------------------------------------------------------------------ timing


def time_block(fn: Callable[[], object], reps: int, warmup: bool = True) -> list[float]:
    """An untimed warm-up call (wakes the thread pool), then ``reps`` timed calls (s)."""
    if warmup:
        fn()
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


@dataclass
class Timing:
    """Per-block medians of one callable; ``median`` is their median (seconds)."""

    blocks: list[float] = field(default_factory=list)
    calls: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.blocks) if self.blocks else float("nan")

    @property
    def best(self) -> float:
        return min(self.blocks) if self.blocks else float("nan")


def reps_for(seconds: float, budget: float = 0.1, cap: int = 20) -> int:
    """Calls per block so that a block lasts about ``budget`` seconds (1 .. cap)."""
    if not seconds or seconds != seconds:
        return 1
    return max(1, min(cap, round(budget / seconds)))


def interleaved(
    fns: Sequence[tuple[str, Callable[[], object], int, bool]], rounds: int, pause: float
) -> dict[str, Timing]:
    """``rounds`` rounds; in each, every ``(name, fn, reps, warmup)`` runs one block, in
    order, after ``pause`` seconds of sleep. Returns per-name :class:`Timing` (block medians)."""
    res = {name: Timing() for name, *_ in fns}
    for _ in range(rounds):
        for name, fn, reps, warmup in fns:
            time.sleep(pause)
            ts = time_block(fn, reps, warmup)
            res[name].blocks.append(statistics.median(ts))
            res[name].calls += reps
    return res


# ------------------------------------------------------------------------------ limits


def sgemm_gflops(threads: int, runs: int, pause: float, n: int = 2048) -> float:
    """torch ``n³`` SGEMM, ``2·n³`` FLOPs, median of ``runs`` calls."""
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    time.sleep(pause)
    ts = time_block(lambda: torch.mm(a, b), runs)
    return 2 * n**3 / statistics.median(ts) / 1e9


def copy_gbs(runs: int, pause: float, mbytes: int = 256) -> tuple[float, float]:
    """(torch ``copy_`` on all threads, numpy ``copyto`` on one) GB/s for a ``mbytes`` MB
    float32 copy; bytes = read + written = ``2 · mbytes · 2²⁰``."""
    import numpy as np
    import torch

    n = mbytes * 2**20 // 4
    src, dst = torch.rand(n), torch.empty(n)
    moved = 2 * n * 4
    time.sleep(pause)
    t_torch = statistics.median(time_block(lambda: dst.copy_(src), runs))
    a, b = src.numpy(), dst.numpy()
    time.sleep(pause)
    t_np = statistics.median(time_block(lambda: np.copyto(b, a), runs))
    return moved / t_torch / 1e9, moved / t_np / 1e9


_ACC, _LANES = 16, 16  # 16 independent zmm accumulators: > latency × FMA pipes on any x86


def _fma_source(threads: int, acc: int, lanes: int) -> str:
    return f"""
@T.prim_func
def fma_peak(a_h: T.handle, n: T.int32):
    T.func_attr({{"global_symbol": "fma_peak", "tirx.noalias": True}})
    A = T.match_buffer(a_h, ({threads}, {acc + 2}, {lanes}), "float32")
    for t in T.parallel({threads}):
        acc = T.alloc_buffer(({acc}, {lanes}), "float32")
        x = T.alloc_buffer(({lanes},), "float32")
        y = T.alloc_buffer(({lanes},), "float32")
        for l in T.vectorized({lanes}):
            x[l] = A[t, {acc}, l]
            y[l] = A[t, {acc + 1}, l]
        for a in T.unroll({acc}):
            for l in T.vectorized({lanes}):
                acc[a, l] = A[t, a, l]
        for i in range(n):
            for a in T.unroll({acc}):
                for l in T.vectorized({lanes}):
                    acc[a, l] = acc[a, l] * x[l] + y[l]
        for a in T.unroll({acc}):
            for l in T.vectorized({lanes}):
                A[t, a, l] = acc[a, l]
"""


def fma_peak_gflops(threads: int, runs: int, pause: float) -> tuple[float, str]:
    """FP32 FMA peak: ``threads × n × acc × lanes × 2`` FLOPs of a register-only loop.

    Returns (GFLOP/s, a description with the vector FMA count found in the assembly)."""
    import re

    import numpy as np
    import tvm

    from attncc.targets.cpu.host import compile_tvmscript
    from attncc.targets.cpu.host import host_target

    target = host_target()
    lib = compile_tvmscript(_fma_source(threads, _ACC, _LANES), target, what="the FMA loop")
    asm = lib.mod.inspect_source("asm") if hasattr(lib, "mod") else ""
    zmm = len(re.findall(r"vfmadd\w*ps\s+[^\n]*zmm", asm))
    a = np.full((threads, _ACC + 2, _LANES), 0.5, np.float32)
    a[:, _ACC], a[:, _ACC + 1] = 0.999, 1e-3  # a fixed point near 1: no overflow, no denormals
    buf = tvm.runtime.tensor(a)
    f = lib["fma_peak"]
    n = 200_000
    while True:  # calibrate: about 0.1 s per call
        t = time.perf_counter()
        f(buf, n)
        if time.perf_counter() - t > 0.05 or n > 1 << 30:
            break
        n *= 4
    time.sleep(pause)
    ts = time_block(lambda: f(buf, n), runs)
    flops = threads * n * _ACC * _LANES * 2
    return flops / statistics.median(ts) / 1e9, (
        f"{_ACC} accumulators x {_LANES} lanes, {threads} threads, {zmm} zmm FMAs in asm, "
        f"mcpu {target['mcpu']}"
    )
