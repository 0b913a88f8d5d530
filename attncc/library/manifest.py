"""``manifest.json``: the schema of a kernel library, written and read back with validation.

The manifest is the one file a loader trusts first, so reading it checks everything before
any artifact is touched: the format and schema version, every field's type, every file
path (relative, inside the library, no ``..``), every sha256 (64 hex digits). The full
schema, with an example, is in ``docs/library.md``; the JS loader follows the same one.

Writing is deterministic: programs by name, kernels by target then bucket, ranks in the
program's order, and no timestamp but ``created`` (which nothing hashes).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from attncc.errors import ExportError

__all__ = [
    "FORMAT",
    "MANIFEST",
    "SCHEMA_VERSION",
    "FileRef",
    "KernelEntry",
    "Manifest",
    "ProgramEntry",
    "SourceEntry",
    "json_meta",
    "parse_manifest",
    "safe_relative_path",
]

FORMAT = "attncc-library"
SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
#: A manifest larger than this is not one attncc wrote (programs are a few KB each).
MAX_MANIFEST_BYTES = 64 << 20

_SHA256 = re.compile(r"[0-9a-f]{64}")
PROVENANCES = ("tuned", "model", "default")


@dataclass(frozen=True)
class FileRef:
    """A file of the library: a relative POSIX path and the sha256 of its bytes."""

    path: str
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256}


@dataclass(frozen=True)
class SourceEntry:
    """What :meth:`Target.lower` produced, minus the program (the library holds it)."""

    language: str
    entry: str
    extents: dict[str, int | None]  # None: symbolic, the build serves any extent
    meta: dict[str, Any]
    text: FileRef  # the generated source, for people and for targets that compile on load

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "entry": self.entry,
            "extents": self.extents,
            "meta": self.meta,
            "text": self.text.to_json(),
        }


@dataclass(frozen=True)
class KernelEntry:
    """One built kernel: a program on a target for one shape bucket."""

    target: str
    bucket: dict[str, int]  # rank -> exact extent, or the power of two a length rounds up to
    shape: dict[str, int]  # the extents it was tuned (or ranked by the cost model) at
    config: dict[str, Any]
    # "tuned": the fastest verified trial; "model": the cost model's pick; "default": the
    # target's default schedule (nothing measured, no model for the target)
    provenance: str
    tuning: dict[str, Any]  # how the config was found (study, trials, median, date, ...)
    source: SourceEntry
    files: dict[str, FileRef]  # role -> file, as Target.save named them

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "bucket": self.bucket,
            "shape": self.shape,
            "config": self.config,
            "provenance": self.provenance,
            "tuning": self.tuning,
            "source": self.source.to_json(),
            "files": {role: ref.to_json() for role, ref in self.files.items()},
        }

    @property
    def bucket_key(self) -> str:
        return ",".join(f"{r}={n}" for r, n in self.bucket.items())


@dataclass(frozen=True)
class ProgramEntry:
    name: str
    text: str
    sha256: str  # of ``text`` encoded as UTF-8
    kernels: tuple[KernelEntry, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "sha256": self.sha256,
            "kernels": [k.to_json() for k in self.kernels],
        }


@dataclass(frozen=True)
class Manifest:
    created: str
    versions: dict[str, str]
    targets: dict[str, dict[str, Any]]  # target name -> {"fingerprint": describe()}
    programs: dict[str, ProgramEntry]
    schema_version: int = SCHEMA_VERSION
    format: str = FORMAT

    def to_json(self) -> str:
        data = {
            "format": self.format,
            "schema_version": self.schema_version,
            "created": self.created,
            "versions": self.versions,
            "targets": self.targets,
            "programs": {name: p.to_json() for name, p in sorted(self.programs.items())},
        }
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    def files(self) -> list[FileRef]:
        """Every file the manifest names (source texts and artifacts)."""
        out = []
        for program in self.programs.values():
            for k in program.kernels:
                out.append(k.source.text)
                out.extend(k.files.values())
        return out


# ----------------------------------------------------------------------------- writing


def json_meta(meta: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A target's ``Source.meta`` as JSON values: dataclasses become objects, tuples lists.

    ``meta["program"]`` (the :class:`Program`) is left out: the library stores the program
    once and the loader puts it back. Anything else JSON cannot hold is an
    :class:`ExportError` naming the key (the target's ``lower`` must keep meta JSON-able).
    """
    return {k: _json_value(v, f"{where}.{k}") for k, v in meta.items() if k != "program"}


def _json_value(value: Any, where: str) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ExportError(f"{where} is {value}, which JSON cannot hold")
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return {f.name: _json_value(getattr(value, f.name), f"{where}.{f.name}") for f in fields}
    if isinstance(value, Mapping):
        return {str(k): _json_value(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:  # a numpy scalar
        return _json_value(value.item(), where)
    raise ExportError(
        f"{where} is a {type(value).__name__}, which a kernel library cannot store: a "
        "target's Source.meta must hold JSON values (numbers, strings, lists, objects)"
    )


# ----------------------------------------------------------------------------- reading


def safe_relative_path(path: Any, where: str) -> str:
    """``path`` when it is a relative POSIX path that stays inside the library; else an
    :class:`ExportError` (absolute paths, ``..``, backslashes and drive letters are refused)."""
    if not isinstance(path, str) or not path:
        raise ExportError(f"{where}: expected a relative file path, got {path!r}")
    pure = PurePosixPath(path)
    bad = (
        pure.is_absolute()
        or "\\" in path
        or "\0" in path
        or ":" in path
        or any(part in ("", ".", "..") for part in path.split("/"))
    )
    if bad:
        raise ExportError(
            f"{where}: file path {path!r} is not a plain relative path inside the library "
            "(absolute paths, '..', '.', backslashes and ':' are refused)"
        )
    return path


class _Reader:
    """Typed access to one JSON object, with errors that name the field's path."""

    def __init__(self, value: Any, where: str):
        if not isinstance(value, dict):
            raise ExportError(f"{where}: expected a JSON object, got {_kind(value)}")
        self.value, self.where = value, where

    def get(self, key: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
        if key not in self.value:
            if optional:
                return None
            raise ExportError(f"{self.where}: missing field {key!r}")
        v = self.value[key]
        if (isinstance(v, bool) and bool not in _as_tuple(kind)) or not isinstance(v, kind):
            names = " or ".join(_json_name(k) for k in _as_tuple(kind))
            raise ExportError(f"{self.where}.{key}: expected {names}, got {_kind(v)}")
        return v

    def obj(self, key: str) -> _Reader:
        return _Reader(self.get(key, dict), f"{self.where}.{key}")


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _json_name(kind: type) -> str:
    return {dict: "an object", list: "a list", str: "a string", int: "an integer"}.get(
        kind, kind.__name__
    )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    ) + (f" {value!r}" if isinstance(value, (int, float, bool, str)) else "")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ExportError(f"manifest.json names the key {k!r} twice in one object")
        out[k] = v
    return out


def _no_constant(name: str) -> Any:
    raise ExportError(f"manifest.json holds {name}, which is not JSON")


def parse_manifest(text: str | bytes, where: str = MANIFEST) -> Manifest:
    """A :class:`Manifest` from the JSON text of ``manifest.json``, fully validated."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ExportError(f"{where} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        truncated = " (the file is truncated)" if e.pos >= len(text.rstrip()) else ""
        raise ExportError(
            f"{where} is not valid JSON{truncated}: {e.msg} at line {e.lineno} column "
            f"{e.colno}. Fix: export the library again"
        ) from None
    top = _Reader(data, "manifest")
    fmt = top.get("format", str)
    if fmt != FORMAT:
        raise ExportError(f"{where} is not an attncc kernel library (format {fmt!r})")
    version = top.get("schema_version", int)
    if version != SCHEMA_VERSION:
        newer = "newer than" if version > SCHEMA_VERSION else "older than"
        raise ExportError(
            f"{where} has schema version {version}, {newer} the version this attncc reads "
            f"({SCHEMA_VERSION}). Fix: load it with a matching attncc, or export it again"
        )
    versions = top.get("versions", dict)
    targets_r = top.obj("targets")
    targets = {}
    for name in targets_r.value:
        entry = targets_r.obj(name)
        entry.get("fingerprint", dict)
        targets[name] = entry.value
    programs_r = top.obj("programs")
    programs = {name: _program(programs_r.obj(name), name, targets) for name in programs_r.value}
    seen: dict[str, str] = {}
    manifest = Manifest(top.get("created", str), versions, targets, programs)
    for ref in manifest.files():
        if ref.path in seen or ref.path == MANIFEST:
            raise ExportError(f"manifest: the file {ref.path!r} is named twice")
        seen[ref.path] = ref.sha256
    return manifest


def _program(r: _Reader, name: str, targets: Mapping[str, Any]) -> ProgramEntry:
    text = r.get("text", str)
    sha = _sha(r, "sha256")
    kernels_raw = r.get("kernels", list)
    kernels = tuple(
        _kernel(_Reader(k, f"{r.where}.kernels[{i}]"), targets) for i, k in enumerate(kernels_raw)
    )
    return ProgramEntry(name, text, sha, kernels)


def _kernel(r: _Reader, targets: Mapping[str, Any]) -> KernelEntry:
    target = r.get("target", str)
    if target not in targets:
        raise ExportError(f"{r.where}.target: {target!r} is not one of the library's targets")
    provenance = r.get("provenance", str)
    if provenance not in PROVENANCES:
        raise ExportError(
            f"{r.where}.provenance: expected one of {', '.join(PROVENANCES)}, got {provenance!r}"
        )
    src = r.obj("source")
    source = SourceEntry(
        src.get("language", str),
        src.get("entry", str),
        _extents(src, "extents", allow_none=True),
        src.get("meta", dict),
        _file(src.obj("text")),
    )
    files_r = r.obj("files")
    files = {role: _file(files_r.obj(role)) for role in files_r.value}
    return KernelEntry(
        target,
        _extents(r, "bucket"),
        _extents(r, "shape"),
        r.get("config", dict),
        provenance,
        r.get("tuning", dict),
        source,
        files,
    )


def _extents(r: _Reader, key: str, *, allow_none: bool = False) -> dict[str, Any]:
    raw = r.get(key, dict)
    for rank, n in raw.items():
        ok = (n is None and allow_none) or (isinstance(n, int) and not isinstance(n, bool))
        if not ok or (n is not None and n < 1):
            raise ExportError(f"{r.where}.{key}.{rank}: expected a positive integer, got {n!r}")
    return dict(raw)


def _file(r: _Reader) -> FileRef:
    return FileRef(safe_relative_path(r.get("path", str), f"{r.where}.path"), _sha(r, "sha256"))


def _sha(r: _Reader, key: str) -> str:
    sha = r.get(key, str)
    if not _SHA256.fullmatch(sha):
        raise ExportError(f"{r.where}.{key}: expected 64 lowercase hex digits, got {sha!r}")
    return sha
