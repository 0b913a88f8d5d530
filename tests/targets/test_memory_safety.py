"""Memory safety on every target: no input, however wrong, makes a kernel read outside a
buffer, and a bad index is the same :class:`BoundsError` the interpreter gives.

* Every catalogue variant with an index input (page tables, top-k indices, parent arrays),
  fed hostile values, on every target and lowering: the call raises exactly when the
  reference interpreter raises, and otherwise equals it (garbage that a filter guards --
  page-table entries past a sequence, -1 top-k slots -- is never read).
* Uneven GQA heads (h % g != 0) are refused before any build.
* On the CPU, where a stray read could go unnoticed, every variant runs with its inputs
  placed flush against an inaccessible page (before and after): a read one element outside
  any input kills the child process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import attncc
from attncc.errors import BoundsError
from attncc.ir.bounds import BoundsCheck
from tests.targets.conformance import max_rel_err as _max_rel_err
from tests.variants.cases import CASES
from tests.variants.cases import WIDE

INDEXED = sorted(
    name
    for name in CASES
    if BoundsCheck(CASES[name](np.random.default_rng(0), WIDE, name=name)[0]).index_inputs
)

#: (target, config) pairs: each lowering of each target that runs here.
TARGETS = [
    ("cpu", None),
    ("cpu", {"lowering": "generic"}),
    ("webgpu", None),
    ("cuda", None),
]


def _available(target: str) -> str | None:
    """Why ``target`` cannot run here, or ``None``."""
    if target == "webgpu":
        try:
            from attncc.targets.webgpu.runtime import device

            device()
        except Exception as err:  # no wgpu or no Vulkan driver
            return f"webgpu: {err}"
    if target == "cuda":
        try:
            from attncc.targets.cuda.launch import interpreted_process

            if not interpreted_process():
                return "triton was imported before TRITON_INTERPRET=1"
        except ImportError as err:
            return f"cuda: {err}"
    return None


def _hostile(name: str, value: int, seed: int = 0):
    rng = np.random.default_rng(zlib.crc32(f"{name}/{value}/{seed}".encode()))
    program, kwargs, _ = CASES[name](rng, replace(WIDE, p=9, m=23), name=name)
    for t in BoundsCheck(program).index_inputs:
        arr = kwargs[t]
        flat = arr.reshape(-1)
        flat[rng.integers(0, flat.size, 3)] = value  # three entries, somewhere
    return program, kwargs


def _outcome(fn):
    try:
        return fn()
    except BoundsError as err:
        return err


@pytest.mark.parametrize(("target", "config"), TARGETS, ids=lambda x: str(x))
@pytest.mark.parametrize("name", INDEXED)
@pytest.mark.parametrize("value", [2**24, -(2**20), -1, 2**31 - 1])
def test_hostile_index_inputs(target, config, name, value) -> None:
    why = _available(target)
    if why:
        pytest.skip(why)
    program, kwargs = _hostile(name, value)
    want = _outcome(lambda: attncc.interpret(program, **kwargs))
    got = _outcome(lambda: attncc.compile(program, target, config=config)(**kwargs))
    if isinstance(want, BoundsError):
        assert isinstance(got, BoundsError), f"{name}: the kernel ran where the reference raised"
        return
    assert not isinstance(got, BoundsError), f"{name}: {got}"
    if not isinstance(want, dict):
        want, got = {"out": want}, {"out": got}
    for out in want:
        assert _max_rel_err(got[out], want[out]) <= 1e-4, f"{name} on {target}: {out}"


@pytest.mark.parametrize("name", sorted(n for n in CASES if "gqa" in n or n == "alibi"))
def test_uneven_heads_are_refused_before_a_build(name: str) -> None:
    program = CASES[name](np.random.default_rng(0), WIDE, name=name)[0]
    shapes = {"b": 1, "h": 8, "g": 3, "p": 4, "m": 4, "e": 8, "f": 8}
    if not set(shapes) >= {r for d in program.inputs for r in d.ranks}:
        pytest.skip("more ranks than the dense ones")
    with pytest.raises(BoundsError, match=r"`h / G` = 3 at a point .* ranges over \[0, 3\]"):
        attncc.compile(program, "cpu", shapes=shapes)


# ---------------------------------------------------------------------------- guard pages

GUARDED = r'''
import json, mmap, sys, zlib
from dataclasses import replace
import numpy as np
sys.path.insert(0, {root!r})
import attncc
from attncc.targets.cpu import target as cpu
from tests.variants.cases import CASES, DECODE, WIDE

PAGE = mmap.PAGESIZE
KEEP = []


def guarded(nbytes, flush_end):
    """A buffer of nbytes whose end (or start) touches a PROT_NONE page."""
    pages = -(-nbytes // PAGE) + 2
    region = mmap.mmap(-1, pages * PAGE, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    KEEP.append(region)
    import ctypes
    base = ctypes.addressof(ctypes.c_char.from_buffer(region))
    libc = ctypes.CDLL(None)
    libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    libc.mprotect(base, PAGE, 0)
    libc.mprotect(base + (pages - 1) * PAGE, PAGE, 0)
    start = (pages - 1) * PAGE - nbytes if flush_end else PAGE
    return np.frombuffer(region, np.uint8, nbytes, start)


def place(arr, flush_end):
    out = guarded(arr.nbytes, flush_end).view(arr.dtype).reshape(arr.shape)
    out[...] = arr
    return out


aligned_empty = cpu._aligned_empty
FLUSH = [True]
def guarded_empty(shape, dtype):
    arr = np.zeros(shape, dtype)  # from_dlpack wants 64-byte alignment: flush only then
    return place(arr, FLUSH[0] and arr.nbytes % 64 == 0)
cpu._aligned_empty = guarded_empty

results = {{}}
for name in {names!r}:
    for shape in (replace(WIDE, p=16, m=48, e=16, f=16), replace(DECODE, m=64, e=16, f=16)):
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        program, kwargs, _ = CASES[name](rng, shape, name=name)
        for config in (None, {{"lowering": "generic"}}):
            kernel = attncc.compile(program, "cpu", config=config)
            want = attncc.interpret(program, **kwargs)
            for flush_end in (True, False):
                FLUSH[0] = flush_end
                args = {{k: place(v, flush_end) if isinstance(v, np.ndarray) else v
                        for k, v in kwargs.items()}}
                got = kernel(**args)
                w, g = (want, got) if isinstance(want, dict) else ({{"o": want}}, {{"o": got}})
                err = max(float(np.abs(np.asarray(g[o], np.float64) - w[o]).max()) for o in w)
                results[f"{{name}}/{{shape.p}}/{{config}}/{{flush_end}}"] = err
print(json.dumps(results))
'''


@pytest.mark.slow
def test_cpu_kernels_read_nothing_outside_their_inputs() -> None:
    """Inputs and outputs flush against inaccessible pages, both ends: a stray read or write
    of one element kills the child (the shapes keep every buffer a multiple of 64 bytes, so
    the kernels take them without a copy)."""
    root = str(Path(__file__).resolve().parents[2])
    names = sorted(CASES)
    script = GUARDED.format(root=root, names=names)
    env = {**os.environ, "TVM_NUM_THREADS": "2"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=1500, env=env
    )
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stderr[-3000:]}"
    import json

    errors = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(errors) == len(names) * 2 * 2 * 2
    bad = {k: v for k, v in errors.items() if not v <= 1e-3}
    assert not bad, bad
