"""A HELP-style hardware embedding: latencies of a fixed set of probe kernels.

HELP (Lee et al., NeurIPS 2021) describes a device by the latencies of a fixed set of
reference networks, so that a latency predictor conditioned on that vector adapts to a new
device from a handful of measurements. Here the references are eight small CPU kernels,
written as TVMScript and built for this host (:func:`attncc.targets.cpu.host.host_target`), each
isolating one thing attention kernels are made of:

==============  ==========================================================  ===============
probe           what it does                                                unit
==============  ==========================================================  ===============
``fma``         16 independent vector FMA chains in registers, 1 thread     one 16-lane FMA
``fma_par``     the same on every thread (``T.parallel``)                    one 16-lane FMA
``exp``         ``x = exp(-x)`` over 16 lanes (libm per lane), 1 thread      one exp
``gemm_tile``   ``C[64,64] += A[64,64] B[64,64]``, j vectorised, 1 thread    one FMA
``copy_l2``     512 KiB read + write, repeated, 1 thread                     one 4-byte copy
``copy_dram``   64 MiB read + write on every thread                          one 4-byte copy
``chase``       dependent loads along a random cycle over 8 MiB              one load
``launch``      a near-empty ``T.parallel`` kernel over the threads          one call
==============  ==========================================================  ===============

The embedding is ``log2(nanoseconds per unit)`` per probe, in :data:`PROBES` order: fixed
units, so values are comparable across machines (a 2× faster memory is -1 on
``copy_dram``). A call is calibrated to ~``CALL_S`` seconds; the value is the median of
``RUNS`` calls. Measuring compiles the eight probes (one TVM build each) and takes ~3-6 s.

Results are cached per machine fingerprint (CPU model, LLVM ``mcpu``, usable cores, TVM
version, :data:`VERSION`) in ``<attncc cache dir>/hardware/<hash>.json``
(:func:`attncc.cache.cache_dir`: ``$ATTNCC_CACHE_DIR``, else ``~/.cache/attncc``), and in
memory for the process. :func:`host_hardware` is what a tuner puts into
``Candidate.hardware``: the target's fingerprint, cache sizes, cores and the embedding.
"""

from __future__ import annotations

import functools
import json
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from attncc.cache import cache_subdir
from attncc.targets import get_target
from attncc.targets.base import stable_hash
from attncc.targets.cpu.fused import build_unit
from attncc.targets.cpu.host import build_cpu
from attncc.targets.cpu.host import build_target
from attncc.targets.cpu.host import compile_tvmscript
from attncc.targets.cpu.host import configure_threads
from attncc.targets.cpu.host import cpu_count
from attncc.targets.cpu.host import host_cpu

__all__ = [
    "PROBES",
    "VERSION",
    "cache_sizes",
    "embedding",
    "embedding_vector",
    "fingerprint",
    "host_hardware",
    "measure",
]

#: Bump when a probe, its unit or the normalisation changes (invalidates cached embeddings).
VERSION = 1
PROBES: tuple[str, ...] = (
    "fma",
    "fma_par",
    "exp",
    "gemm_tile",
    "copy_l2",
    "copy_dram",
    "chase",
    "launch",
)
CALL_S = 0.01
RUNS = 5
_L = 16  # lanes: one zmm of float32 (two ymm on AVX2; LLVM splits it)
_memo: dict[str, dict[str, float]] = {}


# ----------------------------------------------------------------------------- machine


def _first_processor(cpuinfo: str = "/proc/cpuinfo") -> dict[str, str]:
    """The first processor's block of ``/proc/cpuinfo`` as ``{field: value}`` (empty where
    there is none): the model name and vendor / family / model read from it."""
    fields: dict[str, str] = {}
    try:
        with open(cpuinfo) as fh:
            for line in fh:
                if not line.strip():
                    break
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return fields


def _cpu_model() -> str:
    return _first_processor().get("model name") or platform.processor() or platform.machine()


def _cpu_id(cpuinfo: str = "/proc/cpuinfo") -> str:
    """Vendor, family and model as the kernel reports them (``AuthenticAMD 25-17``: Zen 4;
    ``25-33``: Zen 3): a virtual machine's model name is often only "AMD EPYC", the same for
    three generations of cores; ``""`` where ``/proc/cpuinfo`` says none of it."""
    fields = _first_processor(cpuinfo)
    if "vendor_id" in fields:  # x86
        return f"{fields['vendor_id']} {fields.get('cpu family', '?')}-{fields.get('model', '?')}"
    if "CPU implementer" in fields:  # Arm
        return f"arm {fields['CPU implementer']}-{fields.get('CPU part', '?')}"
    return ""


def _parse_size(text: str) -> int:
    text = text.strip().upper()
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
    return int(text.rstrip("KMG") or 0) * mult


def cache_sizes(root: str = "/sys/devices/system/cpu/cpu0/cache") -> dict[str, int]:
    """Data cache sizes in bytes (``l1d``, ``l2``, ``l3``) from sysfs; defaults where absent
    (32 KiB, 1 MiB, 32 MiB: a common x86 server core). Read once per root."""
    return dict(_cache_sizes(root))


@functools.lru_cache(maxsize=8)
def _cache_sizes(root: str) -> dict[str, int]:
    sizes = {"l1d": 32 << 10, "l2": 1 << 20, "l3": 32 << 20}
    base = Path(root)
    if not base.is_dir():
        return sizes
    for d in sorted(base.glob("index*")):
        try:
            level = int((d / "level").read_text())
            kind = (d / "type").read_text().strip()
            size = _parse_size((d / "size").read_text())
        except (OSError, ValueError):
            continue
        if kind == "Instruction" or not size:
            continue
        sizes[{1: "l1d", 2: "l2", 3: "l3"}.get(level, f"l{level}")] = size
    return sizes


def fingerprint() -> dict[str, Any]:
    """What identifies this machine's embedding (the cache key's parts)."""
    import tvm

    return {
        "cpu": _cpu_model(),
        "cpu_id": _cpu_id(),
        "mcpu": build_cpu(),
        "threads": configure_threads(),
        "tvm": tvm.__version__,
        "version": VERSION,
    }


# ----------------------------------------------------------------------------- probes


def _head(name: str, args: str) -> str:
    return (
        f"@T.prim_func\ndef {name}({args}):\n"
        f'    T.func_attr({{"global_symbol": "{name}", "tirx.noalias": True}})\n'
    )


def _sources(threads: int) -> dict[str, str]:
    acc = 16
    fma_body = f"""
        acc = T.alloc_buffer(({acc}, {_L}), "float32")
        for a in T.unroll({acc}):
            for l in T.vectorized({_L}):
                acc[a, l] = A[t, a, l]
        for i in range(n):
            for a in T.unroll({acc}):
                for l in T.vectorized({_L}):
                    acc[a, l] = acc[a, l] * A[t, {acc}, l] + A[t, {acc + 1}, l]
        for a in T.unroll({acc}):
            for l in T.vectorized({_L}):
                A[t, a, l] = acc[a, l]
"""
    l2 = (512 << 10) // 8  # floats per buffer: 256 KiB each, 512 KiB together
    dram = (64 << 20) // 8
    chunk = dram // threads // _L
    return {
        "fma": _head("fma", "a_h: T.handle, n: T.int32")
        + f'    A = T.match_buffer(a_h, (1, {acc + 2}, {_L}), "float32")\n'
        + "    for t in range(1):"
        + fma_body,
        "fma_par": _head("fma_par", "a_h: T.handle, n: T.int32")
        + f'    A = T.match_buffer(a_h, ({threads}, {acc + 2}, {_L}), "float32")\n'
        + f"    for t in T.parallel({threads}):"
        + fma_body,
        "exp": _head("exp", "a_h: T.handle, n: T.int32")
        + f"""    A = T.match_buffer(a_h, ({_L},), "float32")
    x = T.alloc_buffer(({_L},), "float32")
    for l in T.vectorized({_L}):
        x[l] = A[l]
    for i in range(n):
        for l in T.vectorized({_L}):
            x[l] = T.exp(T.float32(0) - x[l])
    for l in T.vectorized({_L}):
        A[l] = x[l]
""",
        "gemm_tile": _head("gemm_tile", "a_h: T.handle, b_h: T.handle, c_h: T.handle, n: T.int32")
        + """    A = T.match_buffer(a_h, (64, 64), "float32")
    B = T.match_buffer(b_h, (64, 64), "float32")
    C = T.match_buffer(c_h, (64, 64), "float32")
    for r in range(n):
        for i in range(64):
            for k in range(64):
                for j in T.vectorized(64):
                    C[i, j] = C[i, j] + A[i, k] * B[k, j]
""",
        "copy_l2": _head("copy_l2", "a_h: T.handle, b_h: T.handle, n: T.int32")
        + f"""    A = T.match_buffer(a_h, ({l2},), "float32")
    B = T.match_buffer(b_h, ({l2},), "float32")
    for r in range(n):
        for i in range({l2 // _L}):
            for l in T.vectorized({_L}):
                B[i * {_L} + l] = A[i * {_L} + l] + T.Cast("float32", r)
""",
        "copy_dram": _head("copy_dram", "a_h: T.handle, b_h: T.handle, n: T.int32")
        + f"""    A = T.match_buffer(a_h, ({dram},), "float32")
    B = T.match_buffer(b_h, ({dram},), "float32")
    for r in range(n):
        for t in T.parallel({threads}):
            for i in range({chunk}):
                for l in T.vectorized({_L}):
                    B[(t * {chunk} + i) * {_L} + l] = (
                        A[(t * {chunk} + i) * {_L} + l] + T.Cast("float32", r)
                    )
""",
        "chase": _head("chase", "i_h: T.handle, o_h: T.handle, n: T.int32")
        + """    I = T.match_buffer(i_h, (2097152,), "int32")
    O = T.match_buffer(o_h, (1,), "int32")
    cur = T.alloc_buffer((1,), "int32")
    cur[0] = O[0]
    for i in range(n):
        cur[0] = I[cur[0]]
    O[0] = cur[0]
""",
        "launch": _head("launch", "a_h: T.handle, n: T.int32")
        + f"""    A = T.match_buffer(a_h, ({threads},), "float32")
    for t in T.parallel({threads}):
        A[t] = A[t] + T.Cast("float32", n)
""",
    }


def _runner(name: str, lib, threads: int) -> tuple[Callable[[int], None], float]:
    """``(call(n), units per n)`` for probe ``name``: arguments allocated here."""
    import tvm

    f = lib[name]
    t = tvm.runtime.tensor
    if name in ("fma", "fma_par"):
        rows = 1 if name == "fma" else threads
        a = np.full((rows, 18, _L), 0.5, np.float32)
        a[:, 16], a[:, 17] = 0.999, 1e-3  # a fixed point near 1: no overflow, no denormals
        buf = t(a)
        return (lambda n: f(buf, n)), 16.0 * rows
    if name == "exp":
        buf = t(np.full(_L, 0.5, np.float32))
        return (lambda n: f(buf, n)), float(_L)
    if name == "gemm_tile":
        a, b, c = (t(np.full((64, 64), 1e-3, np.float32)) for _ in range(3))
        return (lambda n: f(a, b, c, n)), 64.0**3
    if name in ("copy_l2", "copy_dram"):
        size = ((512 << 10) if name == "copy_l2" else (64 << 20)) // 8
        a, b = t(np.ones(size, np.float32)), t(np.zeros(size, np.float32))
        return (lambda n: f(a, b, n)), float(size)
    if name == "chase":
        rng = np.random.default_rng(0)
        perm = rng.permutation(2097152).astype(np.int32)
        nxt = np.empty_like(perm)
        nxt[perm] = np.roll(perm, -1)  # one cycle through every slot, in random order
        idx, out = t(nxt), t(np.zeros(1, np.int32))
        return (lambda n: f(idx, out, n)), 1.0
    if name == "launch":
        buf = t(np.zeros(threads, np.float32))
        return (lambda n: [f(buf, 1) for _ in range(n)] and None), 1.0
    raise KeyError(name)


def _time(call: Callable[[int], None], units: float, n0: int = 1) -> float:
    """Seconds per unit: ``n`` grown until a call lasts ``CALL_S``; median of ``RUNS``."""
    call(n0)  # warm-up (pages, thread pool)
    n = n0
    while True:
        t = time.perf_counter()
        call(n)
        dt = time.perf_counter() - t
        if dt >= CALL_S / 2 or n > 1 << 30:
            break
        n = n * 2 if dt <= 0 else max(n * 2, int(n * CALL_S / dt))
    runs = []
    for _ in range(RUNS):
        t = time.perf_counter()
        call(n)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs) / (n * units)


def measure(probes: tuple[str, ...] = PROBES) -> dict[str, float]:
    """Build and time the probes now: ``{probe: log2(ns per unit)}`` (module docstring)."""

    threads = configure_threads()
    target = build_target()  # what kernels are built for: AVX2 probes on an AVX2 build
    sources = _sources(threads)
    out = {}
    for name in probes:
        lib = compile_tvmscript(sources[name], target, what=f"the {name} probe")
        call, units = _runner(name, lib, threads)
        out[name] = round(math.log2(_time(call, units) * 1e9), 4)
    return out


# ----------------------------------------------------------------------------- cache


def _cache_path(key: str) -> Path | None:
    """Where this machine's embedding is kept: a private (0700, checked) cache directory."""

    root = cache_subdir("hardware")
    return None if root is None else root / f"{key}.json"


def embedding(*, refresh: bool = False, measure_fn=None) -> dict[str, float]:
    """This machine's embedding, from the in-process memo, the disk cache, or measured.

    ``refresh`` measures again (and rewrites the cache); ``measure_fn`` replaces
    :func:`measure` (tests inject a fake)."""

    fp = fingerprint()
    key = stable_hash(fp)[:20]
    if not refresh and key in _memo:
        return dict(_memo[key])
    path = _cache_path(key)
    if not refresh and path is not None and path.is_file():
        try:
            data = json.loads(path.read_text())
            if data.get("fingerprint") == fp and list(data["embedding"]) == list(PROBES):
                _memo[key] = data["embedding"]
                return dict(data["embedding"])
        except (OSError, ValueError, KeyError):
            pass  # unreadable: measure again
    emb = (measure_fn or measure)()
    emb = {p: float(emb[p]) for p in PROBES}
    _memo[key] = emb
    if path is not None:
        try:
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(json.dumps({"fingerprint": fp, "embedding": emb}, indent=1))
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache dir: keep the in-memory value
    return dict(emb)


def embedding_vector(hardware: Mapping[str, Any]) -> list[float]:
    """The embedding of a ``Candidate.hardware`` mapping in :data:`PROBES` order (NaN where
    a probe is missing: XGBoost treats it as missing)."""
    emb = hardware.get("embedding") or {}
    return [float(emb.get(p, math.nan)) for p in PROBES]


def host_hardware(target=None, *, measure_embedding: bool = True) -> dict[str, Any]:
    """``Candidate.hardware`` for this machine: ``target.describe()`` (the ``cpu`` target by
    default), the CPU's model name, its vendor / family / model (``cpu_id``) and LLVM name
    (``host_mcpu``: ``mcpu`` is what kernels are built for, which ``$ATTNCC_CPU`` may
    narrow), the vector unit kernels are built for (``isa``,
    ``lanes``, ``vector_registers``: an AVX2 build on an AVX-512 host says AVX2), ``caches``
    (bytes), ``cores`` and, unless ``measure_embedding=False``, the embedding (cached; the
    first call on a machine measures, ~3-6 s)."""

    target = get_target("cpu") if target is None else target
    unit = build_unit()
    out: dict[str, Any] = {
        **target.describe(),
        "cpu": _cpu_model(),
        "cpu_id": _cpu_id(),
        "host_mcpu": host_cpu(),
        "isa": unit.name,
        "lanes": unit.lanes,
        "vector_registers": unit.registers,
        "caches": cache_sizes(),
        "cores": cpu_count(),
    }
    if measure_embedding:
        out["embedding"] = embedding()
    return out
