"""``attncc.load_library``: a kernel library directory back into callable kernels.

Loading trusts nothing it has not checked, in this order, and loads nothing if any check
fails: the manifest (bounded JSON, format, schema version, every field, every path relative
and inside the directory, the hash of every field that decides what runs), the library
digest when the caller pinned one (``sha256=``), then the sha256 of every file it names and
of every program text, then, per target, whether its kernels can run on this machine
(:meth:`~attncc.targets.base.Target.incompatibility`: a CPU kernel built for AVX-512 on a
CPU without it is refused) -- and only then the native code (:meth:`Target.load`).

Each file is opened without following links, read once, in chunks, up to a size cap
(:mod:`attncc.library.files`), and streamed into a private copy (a temporary directory only
this process writes, kept while the library is alive) while it is hashed: the bytes that are
hashed are the bytes that are loaded, so a file swapped in the library after its check is
never the one loaded. Whatever the directory holds, the only exception that escapes is an
:class:`~attncc.errors.ExportError`.

Running a loaded library needs the target's runtime (TVM for ``cpu``) and nothing of the
tuner: neither Optuna nor XGBoost is imported. Which kernel serves a call is the bucket
policy of :mod:`attncc.library.buckets`.

Shape legend for the example: ``b`` batch, ``h`` heads, ``p`` queries, ``m`` keys,
``e``/``f`` head dims.

>>> lib = attncc.load_library("gqa-lib")                        # doctest: +SKIP
>>> out = lib("gqa_causal", q, k, v)          # inputs in order  # doctest: +SKIP
>>> out = lib("gqa_causal", Q=q, K=k, V=v)                      # doctest: +SKIP
>>> attn = lib.kernel("gqa_causal"); out = attn(q, k, v)        # doctest: +SKIP
>>> pinned = attncc.load_library("gqa-lib", sha256=DIGEST)      # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attncc.errors import AttnccError
from attncc.errors import ExportError
from attncc.ir.arguments import bind_positional
from attncc.ir.bounds import BoundsCheck
from attncc.ir.nodes import Program
from attncc.ir.parser import parse
from attncc.ir.validate import validate
from attncc.library import files as library_files
from attncc.library import manifest as manifest_module
from attncc.library.buckets import bucket_key
from attncc.library.buckets import select
from attncc.library.files import Budget
from attncc.library.files import copy_verified
from attncc.library.files import open_library
from attncc.library.files import read_capped
from attncc.library.manifest import MANIFEST
from attncc.library.manifest import KernelEntry
from attncc.library.manifest import Manifest
from attncc.library.manifest import parse_manifest
from attncc.targets import get_target
from attncc.targets.base import Artifact
from attncc.targets.base import Source
from attncc.targets.base import Target
from attncc.targets.invoke import call_kernel

__all__ = ["Library", "LibraryKernel", "load_library"]

#: A generated source text larger than this is not one attncc wrote (they are a few KB);
#: it is read whole, so it is capped below the artifacts' cap.
MAX_SOURCE_BYTES = 64 << 20


def load_library(
    path: str | os.PathLike, *, target: str | None = None, sha256: str | None = None
) -> Library:
    """The kernel library in directory ``path``, verified and loaded.

    ``target`` loads only that target's kernels (an error if they cannot run here); by
    default every target of the library that can run here is loaded, and the library is
    refused only when none can. ``sha256`` pins the library: its digest
    (:attr:`Library.sha256`, printed by ``attncc export``) must equal it, so that a manifest
    rewritten whole -- hashes and all -- is refused too. Raises
    :class:`~attncc.errors.ExportError` for a missing, malformed, tampered, unpinned or
    incompatible library.
    """
    root = _root(path)
    pinned = _pin(sha256)
    root_fd = open_library(root)
    private = None
    try:
        manifest = _read_manifest(root_fd, root)
        if pinned is not None and manifest.sha256 != pinned:
            raise ExportError(
                f"library {root} has digest {manifest.sha256}, not the pinned {pinned}: it is "
                "not the library you pinned (exported again, or edited). Nothing was loaded. "
                "Fix: if it was exported again on purpose, pin the digest attncc export printed"
            )
        wanted = [target] if target is not None else list(manifest.targets)
        if target is not None and target not in manifest.targets:
            raise ExportError(
                f"library {root} has no {target} kernels; its targets: "
                f"{', '.join(manifest.targets) or 'none'}"
            )
        private = tempfile.TemporaryDirectory(prefix="attncc-library-")
        library_files.private_dirs(Path(private.name), Path(private.name))  # 0700, any umask
        budget = Budget(library_files.MAX_LIBRARY_BYTES)
        here = Path(private.name)
        verified = {
            ref.path: copy_verified(root_fd, root, ref.path, ref.sha256, here, budget)
            for ref in manifest.files()
        }
    except BaseException:
        if private is not None:
            private.cleanup()
        raise
    finally:
        os.close(root_fd)
    try:
        return _load(root, manifest, wanted, verified, private)
    except BaseException:
        private.cleanup()
        raise


def _load(
    root: Path,
    manifest: Manifest,
    wanted: list[str],
    verified: Mapping[str, Path],
    private: tempfile.TemporaryDirectory,
) -> Library:
    programs = {name: _program(name, entry.text) for name, entry in _items(manifest)}
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


def _root(path: Any) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise ExportError(
            f"load_library takes the path of a library directory, got {type(path).__name__}"
        )
    try:
        return Path(path)
    except TypeError as e:  # a PathLike whose __fspath__ returns no str
        raise ExportError(f"load_library: {e}") from None


def _pin(sha256: Any) -> str | None:
    if sha256 is None:
        return None
    if not isinstance(sha256, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
        raise ExportError(
            f"sha256= pins a library by its digest, 64 hex digits (attncc export prints it, "
            f"Library.sha256 holds it); got {sha256!r:.80}"
        )
    return sha256.lower()


def _read_manifest(root_fd: int, root: Path) -> Manifest:
    try:
        os.stat(MANIFEST, dir_fd=root_fd, follow_symlinks=False)
    except FileNotFoundError:
        raise ExportError(f"{root} is not a kernel library: it has no {MANIFEST}") from None
    except OSError:
        pass  # read_capped says why
    data = read_capped(root_fd, MANIFEST, root, manifest_module.MAX_MANIFEST_BYTES)
    return parse_manifest(data, str(root / MANIFEST))


def _items(manifest: Manifest):
    return sorted(manifest.programs.items())


def _program(name: str, text: str) -> Program:
    """The library's program ``name``, parsed and validated (its text's sha256 was checked
    with the manifest)."""

    try:
        program = parse(text)
        validate(program)
    except AttnccError as e:
        raise ExportError(f"program {name} of the library is not valid here: {e}") from None
    except Exception as e:  # a parser defect must not escape as a traceback of the loader
        raise ExportError(
            f"program {name} of the library could not be read ({type(e).__name__}: "
            f"{str(e)[:200]}); this is a defect in attncc's parser, please report it"
        ) from None
    if program.name != name:
        raise ExportError(f"{MANIFEST} files the program {program.name} under the name {name}")
    return program


def _usable_targets(
    manifest: Manifest, wanted: list[str]
) -> tuple[dict[str, Target], dict[str, str]]:
    """Targets whose kernels can run here, and why each other one cannot."""

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
    what = f"the {k.target} kernel of {program.name} for {k.bucket_key}"
    copy = verified[k.source.text.path]
    if copy.stat().st_size > MAX_SOURCE_BYTES:
        raise ExportError(
            f"{k.source.text.path}, the source text of {what}, has {copy.stat().st_size:,} "
            f"bytes, more than any source attncc generates ({MAX_SOURCE_BYTES:,})"
        )
    try:
        text = copy.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise ExportError(
            f"{k.source.text.path}, the source text of {what}, is not UTF-8 ({e.reason} at "
            f"byte {e.start})"
        ) from None
    source = Source(
        k.target,
        k.source.language,
        text,
        k.source.entry,
        dict(k.source.extents),
        {**k.source.meta, "program": program},
    )
    files = {role: verified[ref.path] for role, ref in k.files.items()}
    try:
        return target.load(source, files)
    except AttnccError as e:
        if isinstance(e, ExportError):
            raise
        raise ExportError(f"cannot load {what}: {e}") from None
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
    """A loaded kernel library: ``lib(program, q, k, v, **params)`` or
    ``lib.kernel(program)``."""

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
        #: The library digest (docs/library.md): pin it with ``load_library(path, sha256=...)``.
        self.sha256 = manifest.sha256
        self._programs, self._targets = dict(programs), dict(targets)
        self._kernels, self.refused = dict(kernels), dict(refused)
        # One bounds check per program, kept across calls (as a compiled Kernel keeps one):
        # its verdicts for extents and params already seen cost a lookup.
        self._bounds: dict[str, BoundsCheck] = {}

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
        bounds = self._bounds.get(program)
        if bounds is None:
            bounds = self._bounds[program] = BoundsCheck(self._programs[program])
        return LibraryKernel(self._programs[program], self._targets[target], chosen, bounds)

    def __call__(self, program: str, /, *inputs: Any, **arguments: Any) -> Any:
        """Run ``program``: inputs by position in declaration order (``lib("gqa", q, k,
        v)``) or by name, params by name -- as a compiled kernel takes them."""
        return self.kernel(program)(*inputs, **arguments)

    def __repr__(self) -> str:
        return f"<attncc.Library {self.path} programs={list(self.programs)}>"


class LibraryKernel:
    """One program's kernels on one target; a call picks the kernel for its shape."""

    def __init__(
        self,
        program: Program,
        target: Target,
        kernels: list[_Loaded],
        bounds: BoundsCheck | None = None,
    ):
        self.program, self.target, self._kernels = program, target, kernels
        self._bounds = bounds if bounds is not None else BoundsCheck(program)
        self._info = self._bounds.info

    @property
    def buckets(self) -> tuple[str, ...]:
        return tuple(bucket_key(k.bucket) for k in self._kernels)

    def select(self, extents: Mapping[str, int]) -> KernelEntry:
        """The manifest entry of the kernel that serves ``extents`` (every rank)."""
        return self._select(extents).entry

    def _select(self, extents: Mapping[str, int]) -> _Loaded:
        return select(self._kernels, extents, self.program.name, self.target.name)

    def __call__(self, *inputs: Any, **arguments: Any) -> Any:
        """Inputs by position in declaration order (``attn(q, k, v)``) or by name; params
        by name. The same checks and errors as a compiled :class:`attncc.Kernel`."""
        given = bind_positional(self.program, inputs, arguments)
        choose = lambda extents: self._select(extents).artifact  # noqa: E731
        return call_kernel(
            self.program, self.target, self._info, given, choose, bounds=self._bounds
        )

    def __repr__(self) -> str:
        return (
            f"<attncc.LibraryKernel {self.program.name} on {self.target.name} "
            f"buckets={list(self.buckets)}>"
        )
