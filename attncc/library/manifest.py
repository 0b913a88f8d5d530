"""``manifest.json``: the schema of a kernel library, written and read back with validation.

The manifest is the one file a loader trusts first, so reading it checks everything before
any artifact is touched: bounded JSON (:mod:`attncc.library.canonical`), the format and
schema version, every field's type and no unknown field, every file path (relative, inside
the library, no ``..``), every sha256 (64 hex digits), and the hash of every field that
decides what runs. The full schema, with an example, is in ``docs/library.md``; the JS
loader (``checkManifest``, ``checkHashes`` in ``attncc.js``) follows the same one.

Why field hashes: the artifacts' sha256 alone left ``source.meta.args`` (the argument
order), extents, entry names, buckets and fingerprints editable, and an edit there silently
changes results (K and V swapped). Each kernel entry and each target entry therefore keeps
``hashes``: per field, the sha256 of the canonical JSON of ``{"scope", "field", "value"}``
(:func:`~attncc.library.canonical.field_hash`), the scope being the program's text sha256
(or ``target:NAME``) so that an entry moved to another program does not match. A loader
recomputes each one and names the first field that differs. Whoever can rewrite the whole
manifest can rewrite these hashes too; :attr:`Manifest.sha256` (the library digest, which
``load_library(path, sha256=...)`` pins) is the answer to that.

Writing is deterministic: programs by name, kernels by target then bucket, ranks in the
program's order, and no timestamp but ``created`` (which nothing hashes).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from attncc.errors import ExportError
from attncc.library.canonical import MAX_SAFE_INTEGER
from attncc.library.canonical import digest
from attncc.library.canonical import field_hash
from attncc.library.canonical import load_json

__all__ = [
    "FORMAT",
    "MANIFEST",
    "SCHEMA_VERSION",
    "FileRef",
    "KernelEntry",
    "Manifest",
    "ProgramEntry",
    "SourceEntry",
    "digest_text",
    "json_meta",
    "kernel_fields",
    "kernel_hashes",
    "library_digest",
    "parse_manifest",
    "safe_relative_path",
    "seal",
    "target_hashes",
]

FORMAT = "attncc-library"
#: 2: field hashes (``hashes`` in kernel and target entries), no unknown fields.
SCHEMA_VERSION = 2
MANIFEST = "manifest.json"
#: A manifest larger than this is not one attncc wrote (a kernel takes about 5 KB).
MAX_MANIFEST_BYTES = 16 << 20
#: The hashed fields of a kernel entry, besides one ``source.meta.KEY`` per meta key.
KERNEL_FIELDS = (
    "target",
    "bucket",
    "shape",
    "config",
    "provenance",
    "tuning",
    "source.language",
    "source.entry",
    "source.extents",
    "source.meta",
    "source.text",
    "files",
)

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

    def to_json(self, program_sha256: str) -> dict[str, Any]:
        """The entry as JSON, with the hashes of its fields (bound to its program)."""
        data = {
            "target": self.target,
            "bucket": self.bucket,
            "shape": self.shape,
            "config": self.config,
            "provenance": self.provenance,
            "tuning": self.tuning,
            "source": self.source.to_json(),
            "files": {role: ref.to_json() for role, ref in self.files.items()},
        }
        return {**data, "hashes": kernel_hashes(program_sha256, data)}

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
            "kernels": [k.to_json(self.sha256) for k in self.kernels],
        }


@dataclass(frozen=True)
class Manifest:
    created: str
    versions: dict[str, str]
    targets: dict[str, dict[str, Any]]  # target name -> {"fingerprint": describe()} (no hashes)
    programs: dict[str, ProgramEntry]
    schema_version: int = SCHEMA_VERSION
    format: str = FORMAT

    def to_data(self) -> dict[str, Any]:
        """The manifest as JSON values, hashes included."""
        targets = {
            name: {**entry, "hashes": target_hashes(name, entry)}
            for name, entry in self.targets.items()
        }
        return {
            "format": self.format,
            "schema_version": self.schema_version,
            "created": self.created,
            "versions": self.versions,
            "targets": targets,
            "programs": {name: p.to_json() for name, p in sorted(self.programs.items())},
        }

    def to_json(self) -> str:
        data = self.to_data()
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    @functools.cached_property
    def sha256(self) -> str:
        """The library digest: what ``load_library(path, sha256=...)`` pins."""
        return library_digest(self.to_data())

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
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER:
        raise ExportError(
            f"{where} is {value}, beyond ±(2**53 - 1): a kernel library holds integers that "
            "JavaScript reads exactly"
        )
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


# ----------------------------------------------------------------------------- hashes


def kernel_fields(kernel: Mapping[str, Any]) -> dict[str, Any]:
    """The hashed fields of a kernel entry (JSON), by name: :data:`KERNEL_FIELDS` and one
    ``source.meta.KEY`` per key of the meta, so that an error can say which one changed."""
    source = kernel["source"]
    fields: dict[str, Any] = {}
    for name in KERNEL_FIELDS:
        if name == "source.meta":  # each key first, so that the error names it
            fields.update({f"source.meta.{k}": v for k, v in source["meta"].items()})
        part, _, sub = name.partition(".")
        fields[name] = source[sub] if sub else kernel[part]
    return fields


def kernel_hashes(program_sha256: str, kernel: Mapping[str, Any]) -> dict[str, str]:
    """``hashes`` of a kernel entry (JSON) of the program whose text has ``program_sha256``."""
    scope = f"program:{program_sha256}"
    return {name: field_hash(scope, name, v) for name, v in kernel_fields(kernel).items()}


def target_hashes(name: str, entry: Mapping[str, Any]) -> dict[str, str]:
    """``hashes`` of the entry of target ``name`` (its fingerprint decides what may run)."""
    return {"fingerprint": field_hash(f"target:{name}", "fingerprint", entry["fingerprint"])}


def library_digest(data: Mapping[str, Any]) -> str:
    """The digest of a whole manifest (JSON): the canonical sha256 of everything but
    ``created``, so that exporting the same kernels twice gives the same digest."""
    return digest({k: v for k, v in data.items() if k != "created"})


def seal(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (a manifest as JSON) with every field hash recomputed, in place: what an
    exporter that edits a manifest must do (tests use it to make libraries "from elsewhere").
    Parts too malformed to hash are left as they are, for the loader to refuse."""
    targets = data.get("targets")
    for name, entry in targets.items() if isinstance(targets, dict) else ():
        if isinstance(entry, dict) and "fingerprint" in entry:
            with contextlib.suppress(ExportError):  # e.g. a non-finite number: not hashable
                entry["hashes"] = target_hashes(name, entry)
    programs = data.get("programs")
    for program in programs.values() if isinstance(programs, dict) else ():
        if not isinstance(program, dict) or not isinstance(program.get("kernels"), list):
            continue
        for kernel in program["kernels"]:
            try:
                kernel["hashes"] = kernel_hashes(str(program.get("sha256")), kernel)
            except (KeyError, TypeError, AttributeError, ExportError):
                continue
    return data


# ----------------------------------------------------------------------------- reading


def safe_relative_path(path: Any, where: str) -> str:
    """``path`` when it is a relative POSIX path that stays inside the library; else an
    :class:`ExportError` (absolute paths, ``..``, backslashes, drive letters, control
    characters and over-long names are refused)."""
    if not isinstance(path, str) or not path:
        raise ExportError(f"{where}: expected a relative file path, got {path!r}")
    pure = PurePosixPath(path)
    parts = path.split("/")
    bad = (
        pure.is_absolute()
        or "\\" in path
        or ":" in path
        or any(ord(c) < 0x20 or c == "\x7f" for c in path)
        or any(part in ("", ".", "..") for part in parts)
    )
    if bad:
        raise ExportError(
            f"{where}: file path {path!r} is not a plain relative path inside the library "
            "(absolute paths, '..', '.', backslashes, ':' and control characters are refused)"
        )
    if len(path.encode("utf-8")) > 1024 or any(len(p.encode("utf-8")) > 255 for p in parts):
        raise ExportError(
            f"{where}: file path {path[:60]!r}... is longer than a library's paths can be "
            "(255 bytes a name, 1024 in all)"
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

    def only(self, *keys: str) -> None:
        """Refuse a field this schema does not have (it would be read by nothing, and
        hashed by nothing)."""
        extra = [k for k in self.value if k not in keys]
        if extra:
            raise ExportError(
                f"{self.where}: unknown field {extra[0]!r} (expected only {', '.join(keys)}). "
                "Fix: load the library with the attncc that exported it, or export it again"
            )


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _json_name(kind: type) -> str:
    return {dict: "an object", list: "a list", str: "a string", int: "an integer"}.get(
        kind, kind.__name__
    )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    name = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )
    if isinstance(value, (int, float, bool, str)):
        shown = repr(value)
        name += f" {shown[:60]}{'...' if len(shown) > 60 else ''}"
    return name


def parse_manifest(text: str | bytes, where: str = MANIFEST) -> Manifest:
    """A :class:`Manifest` from the JSON text of ``manifest.json``, fully validated: every
    field's type, path and hash. Raises :class:`ExportError` (only) for anything else."""
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogatepass")
    if not isinstance(text, (bytes, bytearray)):
        raise ExportError(f"{where}: expected the bytes of a manifest, got {_kind(text)}")
    if len(text) > MAX_MANIFEST_BYTES:
        raise ExportError(
            f"{where} has {len(text):,} bytes, more than any manifest attncc writes "
            f"({MAX_MANIFEST_BYTES:,}); refusing it"
        )
    top = _Reader(load_json(bytes(text), where), "manifest")
    fmt = top.get("format", str)
    if fmt != FORMAT:
        raise ExportError(f"{where} is not an attncc kernel library (format {fmt[:60]!r})")
    version = top.get("schema_version", int)
    if version != SCHEMA_VERSION:
        newer = "newer than" if version > SCHEMA_VERSION else "older than"
        raise ExportError(
            f"{where} has schema version {version}, {newer} the version this attncc reads "
            f"({SCHEMA_VERSION}). Fix: load it with a matching attncc, or export it again"
        )
    top.only("format", "schema_version", "created", "versions", "targets", "programs")
    versions = top.get("versions", dict)
    targets_r = top.obj("targets")
    targets = {name: _target(targets_r.obj(name), name) for name in targets_r.value}
    programs_r = top.obj("programs")
    programs = {name: _program(programs_r.obj(name), name, targets) for name in programs_r.value}
    seen: dict[str, str] = {}
    manifest = Manifest(top.get("created", str), versions, targets, programs)
    for ref in manifest.files():
        if ref.path in seen or ref.path == MANIFEST:
            raise ExportError(f"manifest: the file {ref.path!r} is named twice")
        seen[ref.path] = ref.sha256
    return manifest


def _target(r: _Reader, name: str) -> dict[str, Any]:
    r.only("fingerprint", "hashes")
    r.get("fingerprint", dict)
    _check_hashes(r, target_hashes(name, r.value))
    return {"fingerprint": r.value["fingerprint"]}


def _program(r: _Reader, name: str, targets: Mapping[str, Any]) -> ProgramEntry:
    r.only("text", "sha256", "kernels")
    text = r.get("text", str)
    sha = _sha(r, "sha256")
    if digest_text(text) != sha:
        raise ExportError(
            f"the text of program {name} in {MANIFEST} does not match its sha256 "
            f"({r.where}.sha256): the manifest was edited after export. Nothing was loaded. "
            "Fix: export the library again"
        )
    kernels_raw = r.get("kernels", list)
    kernels = tuple(
        _kernel(_Reader(k, f"{r.where}.kernels[{i}]"), targets, sha)
        for i, k in enumerate(kernels_raw)
    )
    served: dict[tuple[str, frozenset], int] = {}
    for i, k in enumerate(kernels):
        key = (k.target, frozenset(k.bucket.items()))
        if key in served:
            raise ExportError(
                f"{r.where}.kernels[{i}] serves the same {k.target} bucket {k.bucket_key} as "
                f"kernels[{served[key]}]: a library has one kernel per target and bucket"
            )
        served[key] = i
    return ProgramEntry(name, text, sha, kernels)


def digest_text(text: str) -> str:
    """The sha256 of a program text (UTF-8), as the manifest keeps it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _kernel(r: _Reader, targets: Mapping[str, Any], program_sha256: str) -> KernelEntry:
    r.only(*(f for f in KERNEL_FIELDS if "." not in f), "source", "hashes")
    target = r.get("target", str)
    if target not in targets:
        raise ExportError(f"{r.where}.target: {target[:60]!r} is not one of the library's targets")
    provenance = r.get("provenance", str)
    if provenance not in PROVENANCES:
        raise ExportError(
            f"{r.where}.provenance: expected one of {', '.join(PROVENANCES)}, got "
            f"{provenance[:60]!r}"
        )
    src = r.obj("source")
    src.only("language", "entry", "extents", "meta", "text")
    source = SourceEntry(
        src.get("language", str),
        src.get("entry", str),
        _extents(src, "extents", allow_none=True),
        src.get("meta", dict),
        _file(src.obj("text")),
    )
    files_r = r.obj("files")
    files = {role: _file(files_r.obj(role)) for role in files_r.value}
    bucket = _extents(r, "bucket")
    for rank, n in source.extents.items():
        if n is None and rank not in bucket:
            raise ExportError(
                f"{r.where}.bucket: rank {rank!r} is symbolic in source.extents but has no "
                "bucket; a kernel's bucket names every rank its build leaves symbolic"
            )
    entry = KernelEntry(
        target,
        bucket,
        _extents(r, "shape"),
        r.get("config", dict),
        provenance,
        r.get("tuning", dict),
        source,
        files,
    )
    _check_hashes(r, kernel_hashes(program_sha256, r.value))
    return entry


def _check_hashes(r: _Reader, expected: Mapping[str, str]) -> None:
    """The entry's ``hashes`` against ``expected`` (recomputed): the first field that
    differs, or a field without a hash, is named."""
    hashes = r.obj("hashes")
    for name in hashes.value:
        if name not in expected:
            raise ExportError(
                f"{hashes.where} has a hash for {name!r}, which is not a field of this entry: "
                "the entry was edited after export. Nothing was loaded. Fix: export the "
                "library again"
            )
    for name, want in expected.items():
        if name not in hashes.value:
            raise ExportError(
                f"{r.where}.{name} has no hash in {hashes.where}: the field was added after "
                "export. Nothing was loaded. Fix: export the library again"
            )
        stored = _sha(hashes, name)
        if stored != want:
            raise ExportError(
                f"{r.where}.{name} does not match its hash in {hashes.where} (expected "
                f"{stored[:16]}..., found {want[:16]}...): the field was edited after export, "
                "which would change what runs. Nothing was loaded. Fix: export the library "
                "again (a library is not edited by hand)"
            )


def _extents(r: _Reader, key: str, *, allow_none: bool = False) -> dict[str, Any]:
    raw = r.get(key, dict)
    for rank, n in raw.items():
        ok = (n is None and allow_none) or (isinstance(n, int) and not isinstance(n, bool))
        if not ok or (n is not None and n < 1):
            what = "a positive integer" + (" or null (symbolic)" if allow_none else "")
            raise ExportError(f"{r.where}.{key}.{rank}: expected {what}, got {_kind(n)}")
    return dict(raw)


def _file(r: _Reader) -> FileRef:
    r.only("path", "sha256")
    return FileRef(safe_relative_path(r.get("path", str), f"{r.where}.path"), _sha(r, "sha256"))


def _sha(r: _Reader, key: str) -> str:
    sha = r.get(key, str)
    if not _SHA256.fullmatch(sha):
        raise ExportError(f"{r.where}.{key}: expected 64 lowercase hex digits, got {sha[:80]!r}")
    return sha
