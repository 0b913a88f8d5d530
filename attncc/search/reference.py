"""Measurement data: seeded inputs for a problem and the reference outputs they must give.

The reference (:func:`attncc.interpret`) takes seconds at long sequences, so it is computed
once per (program, extents, seed) and kept on disk -- ``$ATTNCC_CACHE_DIR/tuning/KEY.npz``,
or a per-process temporary directory when the cache is off -- and every measurement process
loads the same file. The file holds the inputs in their storage dtype (what ``Target.run``
takes), the bound scalars and extents, and the expected outputs.

Inputs: floats are standard normal, ``i8`` uniform in [-127, 127], ``bool`` fair coins.
``i32`` inputs are indices (page tables, segment ids, lengths, parents, top-k), which only a
program's author knows the valid range of: they are drawn uniformly below the largest rank
extent, then below the smallest, then set to zero, and the first fill the reference
interpreter accepts (no :class:`~attncc.errors.BoundsError`) is kept. Pass ``inputs=`` to
the tuner to measure on inputs of your own.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from attncc.cache import cache_dir
from attncc.errors import AttnccError
from attncc.errors import TuningError
from attncc.ir.arguments import split_arguments
from attncc.ir.bind import bind
from attncc.ir.interpreter import interpret
from attncc.ir.nodes import DType
from attncc.ir.nodes import Program
from attncc.targets.base import stable_hash
from attncc.targets.invoke import storage_array

__all__ = [
    "MeasureData",
    "inputs_digest",
    "load_data",
    "load_inputs",
    "make_inputs",
    "reference_file",
]


@dataclass(frozen=True)
class MeasureData:
    """What every measurement of a problem runs on and is checked against."""

    arrays: dict[str, np.ndarray]
    scalars: dict[str, Any]
    extents: dict[str, int]
    expected: dict[str, np.ndarray]


def make_inputs(program: Program, extents: Mapping[str, int], seed: int, fill: str = "max"):
    """Seeded random inputs for ``program`` at ``extents`` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    top = max(extents.values()) if fill == "max" else min(extents.values())
    out: dict[str, np.ndarray] = {}
    for d in program.inputs:
        shape = tuple(int(extents[r]) for r in d.ranks)
        if d.dtype is DType.I32:
            high = 1 if fill == "zero" else max(1, int(top))
            out[d.name] = rng.integers(0, high, size=shape, dtype=np.int32)
        elif d.dtype is DType.I8:
            out[d.name] = rng.integers(-127, 128, size=shape, dtype=np.int8)
        elif d.dtype is DType.BOOL:
            out[d.name] = rng.random(shape) < 0.5
        elif d.dtype is DType.F16:
            out[d.name] = rng.standard_normal(shape).astype(np.float16)
        else:
            out[d.name] = rng.standard_normal(shape).astype(np.float32)
    return out


_TEMP: list[str] = []


def _data_dir() -> Path:
    root = cache_dir()
    if root is not None:
        path = root / "tuning"
        try:
            path.mkdir(parents=True, exist_ok=True)
            return path
        except OSError:
            pass
    if not _TEMP:
        _TEMP.append(tempfile.mkdtemp(prefix="attncc-tuning-"))
        atexit.register(shutil.rmtree, _TEMP[0], True)
    return Path(_TEMP[0])


def reference_file(
    program: Program,
    extents: Mapping[str, int],
    *,
    seed: int = 0,
    inputs: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
) -> str:
    """The path of the data file of ``program`` at ``extents``, computing it if absent.

    ``inputs`` (arrays and params by name) replaces the seeded inputs; ``params`` are the
    param values to measure at (over any in ``inputs``; the rest take their defaults).
    Raises :class:`TuningError` when no inputs the reference accepts can be made.
    """

    given = None if inputs is None else dict(inputs)
    chosen = dict(params or {})
    key = stable_hash(
        "tuning-data",
        program.text,
        dict(extents),
        seed,
        None if given is None else {k: _digest(np.asarray(v)) for k, v in given.items()},
        chosen,
    )
    path = _data_dir() / f"{key}.npz"
    if path.exists():
        try:
            load_data(str(path))
            return str(path)
        except Exception:  # a torn or foreign file: compute it again
            path.unlink(missing_ok=True)
    has_ints = any(d.dtype is DType.I32 for d in program.inputs)
    fills = ["given"] if given is not None else (["max", "min", "zero"] if has_ints else ["max"])
    last: AttnccError | None = None
    for fill in fills:
        arguments = dict(given) if given is not None else make_inputs(program, extents, seed, fill)
        arguments.update(chosen)
        try:
            expected = interpret(program, **arguments)
        except AttnccError as e:
            last = e
            continue
        break
    else:
        raise TuningError(
            f"cannot make inputs the reference interpreter accepts for {program.name}: {last}. "
            "Fix: pass inputs= of your own"
        )
    arrays, params = split_arguments(program, arguments)
    binding = bind(program, shapes={n: a.shape for n, a in arrays.items()}, params=params)
    if any(binding.extents[r] != int(n) for r, n in extents.items()):
        raise TuningError(
            f"the inputs give extents {dict(binding.extents)}, not the tuned {dict(extents)}"
        )
    if not isinstance(expected, dict):
        expected = {program.outputs[0]: expected}
    payload = {f"in:{d.name}": storage_array(arrays[d.name], d.dtype) for d in program.inputs}
    payload.update({f"out:{k}": np.asarray(v) for k, v in expected.items()})
    meta = {"scalars": dict(binding.scalars), "extents": dict(binding.extents)}
    payload["meta"] = np.array(json.dumps(meta, default=_scalar))
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return str(path)


def inputs_digest(program: Program, inputs: Mapping[str, Any]) -> str:
    """A digest of user inputs as the kernel sees them (storage dtype, C order), so that the
    same arrays given as float64 or as a torch tensor name the same measurement data."""

    arrays, params = split_arguments(program, dict(inputs))
    stored = {d.name: storage_array(arrays[d.name], d.dtype) for d in program.inputs}
    return stable_hash(
        {k: _digest(v) for k, v in sorted(stored.items())},
        {k: _scalar(v) if isinstance(v, np.generic) else v for k, v in sorted(params.items())},
    )


def load_inputs(path: str | os.PathLike) -> dict[str, Any]:
    """User inputs from an ``.npz`` file (``np.savez(path, Q=q, K=k, ...)``): arrays by
    input name, 0-d arrays for params. Nothing is unpickled; anything but a readable
    ``.npz`` of plain arrays is a :class:`TuningError` that says what was found."""

    name = os.fspath(path)
    fix = "inputs are an .npz of arrays by input name (np.savez(path, Q=q, K=k, V=v))"
    if os.path.isdir(name):
        raise TuningError(f"cannot read inputs from {name}: it is a directory; {fix}")
    try:
        with open(name, "rb") as f:
            magic = f.read(6)
    except OSError as e:
        raise TuningError(f"cannot read inputs from {name}: {e.strerror or e}") from None
    if magic == b"\x93NUMPY":
        raise TuningError(f"{name} holds one array (np.save); {fix}")
    if not zipfile.is_zipfile(name):
        raise TuningError(f"cannot read inputs from {name}: it is not an .npz file; {fix}")
    out: dict[str, Any] = {}
    try:
        with np.load(name, allow_pickle=False) as f:
            for key in f.files:
                value = f[key]
                if not isinstance(value, np.ndarray):
                    raise TuningError(
                        f"cannot read inputs from {name}: its member {key!r} is not a .npy "
                        f"array; {fix}"
                    )
                out[key] = value.item() if value.ndim == 0 else value
    except (OSError, ValueError, EOFError, KeyError, MemoryError, zipfile.BadZipFile) as e:
        pickled = "pickle" in str(e)
        detail = "it holds object arrays, which are never unpickled" if pickled else str(e)
        raise TuningError(f"cannot read inputs from {name}: {detail}; {fix}") from None
    return out


def _digest(array: np.ndarray) -> str:
    return hashlib.sha256(array.tobytes()).hexdigest() + str(array.dtype) + str(array.shape)


def _scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not a scalar: {value!r}")


def load_data(path: str) -> MeasureData:
    """The data file written by :func:`reference_file`."""
    with np.load(path, allow_pickle=False) as f:
        meta = json.loads(str(f["meta"]))
        arrays = {k[3:]: f[k] for k in f.files if k.startswith("in:")}
        expected = {k[4:]: f[k] for k in f.files if k.startswith("out:")}
    return MeasureData(arrays, meta["scalars"], meta["extents"], expected)
