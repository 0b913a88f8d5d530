"""``attncc.load_library``: a kernel library directory back into callable kernels.

Loading trusts nothing it has not checked, in this order, and loads nothing if any check
fails: the manifest (JSON, format, schema version, every field, every path relative and
inside the directory), then the sha256 of every file it names and of every program text,
then, per target, whether its kernels can run on this machine
(:meth:`~attncc.targets.base.Target.incompatibility`: a CPU kernel built for AVX-512 on a
CPU without it is refused) -- and only then the native code (:meth:`Target.load`).

Each file is read once: the bytes that are hashed are the bytes that are loaded, from a
private copy (a temporary directory only this process writes, kept while the library is
alive), so a file swapped in the library after its check is never the one loaded.

Running a loaded library needs the target's runtime (TVM for ``cpu``) and nothing of the
tuner: neither Optuna nor XGBoost is imported. Which kernel serves a call is the bucket
policy of :mod:`attncc.library.buckets`.

Shape legend for the example: ``b`` batch, ``h`` heads, ``p`` queries, ``m`` keys,
``e``/``f`` head dims.

>>> lib = attncc.load_library("gqa-lib")                        # doctest: +SKIP
>>> out = lib("gqa_causal", Q=q, K=k, V=v)                      # doctest: +SKIP
>>> attn = lib.kernel("gqa_causal"); out = attn(Q=q, K=k, V=v)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attncc.errors import AttnccError, ExportError
from attncc.ir.nodes import Program
from attncc.library.buckets import bucket_key, select
from attncc.library.manifest import (
    MANIFEST,
    MAX_MANIFEST_BYTES,
    FileRef,
    KernelEntry,
    Manifest,
    parse_manifest,
)
from attncc.targets.base import Artifact, Source, Target

__all__ = ["Library", "LibraryKernel", "load_library"]


def load_library(path: str | os.PathLike, *, target: str | None = None) -> Library:
    """The kernel library in directory ``path``, verified and loaded.

    ``target`` loads only that target's kernels (an error if they cannot run here); by
    default every target of the library that can run here is loaded, and the library is
    refused only when none can. Raises :class:`~attncc.errors.ExportError` for a missing,
    malformed, tampered or incompatible library.
    """
    root = Path(path)
    manifest = _read_manifest(root)
    wanted = [target] if target is not None else list(manifest.targets)
    if target is not None and target not in manifest.targets:
        raise ExportError(
            f"library {root} has no {target} kernels; its targets: "
            f"{', '.join(manifest.targets) or 'none'}"
        )
    private = tempfile.TemporaryDirectory(prefix="attncc-library-")
    verified = {ref.path: _verify(root, ref, Path(private.name)) for ref in manifest.files()}
    programs = {name: _program(name, entry.text, entry.sha256) for name, entry in _items(manifest)}
    targets, refused = _usable_targets(manifest, wanted)
    if not targets:
        why = "; ".join(f"{t}: {r}" for t, r in refused.items())
        raise ExportError(f"library {root} cannot run on this machine: {why}")
    loaded: dict[str, list[_Loaded]] = {}
    for name, entry in _items(manifest):
        for k in entry.kernels:
            if k.target in targets:
                artifact = _load_kernel(verified, programs[name], k, targets[k.target])
                loaded.setdefault(name, []).append(_Loaded(k, artifact))
    return Library(root, manifest, programs, targets, loaded, refused, private)


# ----------------------------------------------------------------------------- checks


def _read_manifest(root: Path) -> Manifest:
    file = root / MANIFEST
    if not root.is_dir():
        raise ExportError(f"{root} is not a kernel library: no such directory")
    if not file.is_file():
        raise ExportError(f"{root} is not a kernel library: it has no {MANIFEST}")
    if file.stat().st_size > MAX_MANIFEST_BYTES:
        raise ExportError(f"{file} is larger than any manifest attncc writes; refusing it")
    try:
        data = file.read_bytes()
    except OSError as e:
        raise ExportError(f"cannot read {file}: {e.strerror}") from None
    return parse_manifest(data, str(file))


def _verify(root: Path, ref: FileRef, private: Path) -> Path:
    """A private copy of the file ``ref`` names, once it is inside ``root`` and the bytes
    read (once) match its sha256."""
    path = root / ref.path
    real, top = path.resolve(), root.resolve()
    if top not in real.parents:
        raise ExportError(f"{ref.path} leads outside the library {root} (a link?); refusing it")
    if not real.is_file():
        raise ExportError(f"library {root} is missing {ref.path}. Fix: export it again")
    try:
        data = real.read_bytes()
    except OSError as e:
        raise ExportError(f"cannot read {ref.path} in library {root}: {e.strerror}") from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != ref.sha256:
        raise ExportError(
            f"{ref.path} in library {root} does not match its sha256 in {MANIFEST} (expected "
            f"{ref.sha256[:16]}..., found {actual[:16]}...): it was changed or corrupted after "
            "export. Nothing was loaded. Fix: export the library again"
        )
    copy = private / ref.path  # ref.path was checked relative and plain by the manifest
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(data)
    return copy


def _items(manifest: Manifest):
    return sorted(manifest.programs.items())


def _program(name: str, text: str, sha256: str) -> Program:
    import hashlib

    from attncc.ir.parser import parse
    from attncc.ir.validate import validate

    if hashlib.sha256(text.encode("utf-8")).hexdigest() != sha256:
        raise ExportError(
            f"the text of program {name} in {MANIFEST} does not match its sha256: the "
            "manifest was edited after export. Fix: export the library again"
        )
    try:
        program = parse(text)
        validate(program)
    except AttnccError as e:
        raise ExportError(f"program {name} of the library is not valid here: {e}") from None
    if program.name != name:
        raise ExportError(f"{MANIFEST} files the program {program.name} under the name {name}")
    return program


def _usable_targets(
    manifest: Manifest, wanted: list[str]
) -> tuple[dict[str, Target], dict[str, str]]:
    """Targets whose kernels can run here, and why each other one cannot."""
    from attncc.targets import get_target

    usable, refused = {}, {}
    for name in wanted:
        try:
            tgt = get_target(name)
            reason = tgt.incompatibility(manifest.targets[name]["fingerprint"])
        except AttnccError as e:
            reason = e.message
        except Exception as e:  # a runtime that fails to start (no adapter, no driver)
            reason = f"{type(e).__name__}: {e}"
        if reason is None:
            usable[name] = tgt
        else:
            refused[name] = reason
    if len(wanted) == 1 and refused:
        ((name, reason),) = refused.items()
        raise ExportError(f"the {name} kernels of this library cannot run here: {reason}")
    return usable, refused


def _load_kernel(
    verified: Mapping[str, Path], program: Program, k: KernelEntry, target: Target
) -> Artifact:
    text = verified[k.source.text.path].read_text(encoding="utf-8")
    source = Source(
        k.target,
        k.source.language,
        text,
        k.source.entry,
        dict(k.source.extents),
        {**k.source.meta, "program": program},
    )
    files = {role: verified[ref.path] for role, ref in k.files.items()}
    what = f"the {k.target} kernel of {program.name} for {k.bucket_key}"
    try:
        return target.load(source, files)
    except AttnccError:
        raise
    except Exception as e:  # a malformed meta or a shared object the runtime rejects
        raise ExportError(f"cannot load {what}: {type(e).__name__}: {e}") from None


# ----------------------------------------------------------------------------- library


@dataclass(frozen=True)
class _Loaded:
    entry: KernelEntry
    artifact: Artifact

    @property
    def bucket(self) -> dict[str, int]:
        return self.entry.bucket

    @property
    def source(self) -> Any:
        return self.entry.source


class Library:
    """A loaded kernel library: ``lib(program, **inputs)`` or ``lib.kernel(program)``."""

    def __init__(
        self,
        path: Path,
        manifest: Manifest,
        programs: Mapping[str, Program],
        targets: Mapping[str, Target],
        kernels: Mapping[str, list[_Loaded]],
        refused: Mapping[str, str],
        private: tempfile.TemporaryDirectory | None = None,
    ):
        self._private = private  # the verified copies the kernels were loaded from
        self.path, self.manifest = path, manifest
        self._programs, self._targets = dict(programs), dict(targets)
        self._kernels, self.refused = dict(kernels), dict(refused)

    @property
    def programs(self) -> tuple[str, ...]:
        """Names of the programs the library holds."""
        return tuple(sorted(self._programs))

    def kernel(self, program: str, target: str | None = None) -> LibraryKernel:
        """The callable for ``program`` (on ``target``; default the first usable one)."""
        if program not in self._programs:
            raise ExportError(
                f"library {self.path} has no program {program!r}; its programs: "
                f"{', '.join(self.programs) or 'none'}"
            )
        loaded = self._kernels.get(program, [])
        names = sorted({k.entry.target for k in loaded})
        if target is None and names:
            target = names[0]
        chosen = [k for k in loaded if k.entry.target == target]
        if not chosen:
            why = self.refused.get(target or "", "")
            raise ExportError(
                f"library {self.path} has no {target or 'runnable'} kernel of {program}"
                + (f": {why}" if why else f"; it has {', '.join(names) or 'none'}")
            )
        return LibraryKernel(self._programs[program], self._targets[target], chosen)

    def __call__(self, program: str, /, **inputs_and_params: Any) -> Any:
        """Run ``program`` on named inputs and params, as :func:`attncc.interpret` does."""
        return self.kernel(program)(**inputs_and_params)

    def __repr__(self) -> str:
        return f"<attncc.Library {self.path} programs={list(self.programs)}>"


class LibraryKernel:
    """One program's kernels on one target; a call picks the kernel for its shape."""

    def __init__(self, program: Program, target: Target, kernels: list[_Loaded]):
        from attncc.ir.validate import validate

        self.program, self.target, self._kernels = program, target, kernels
        self._info = validate(program)

    @property
    def buckets(self) -> tuple[str, ...]:
        return tuple(bucket_key(k.bucket) for k in self._kernels)

    def select(self, extents: Mapping[str, int]) -> KernelEntry:
        """The manifest entry of the kernel that serves ``extents`` (every rank)."""
        return self._select(extents).entry

    def _select(self, extents: Mapping[str, int]) -> _Loaded:
        return select(self._kernels, extents, self.program.name, self.target.name)

    def __call__(self, **arguments: Any) -> Any:
        from attncc.compiler import call_kernel

        choose = lambda extents: self._select(extents).artifact  # noqa: E731
        return call_kernel(self.program, self.target, self._info, arguments, choose)

    def __repr__(self) -> str:
        return (
            f"<attncc.LibraryKernel {self.program.name} on {self.target.name} "
            f"buckets={list(self.buckets)}>"
        )
