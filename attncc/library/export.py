"""``attncc.export``: kernel libraries from a tuning database.

What goes in: for each program × target × shape bucket that has a study in the tuning
database, the config of its fastest trial that matched the reference (``"provenance":
"tuned"``). Programs and shapes with nothing measured are asked for explicitly --
``programs=[...]`` with ``shapes=[...]`` (``--program NAME_OR_FILE --shape b=1,h=8,...`` on
the command line): each shape of each listed program gets its tuned config when the
database has one, else the config the pre-trained cost model ranks first (``"provenance":
"model"``), else the target's default (``"default"``: a target with no pre-trained model,
whose timings cannot be taken here, or a pick the model is unsure of by its own calibration:
``tuning.model_unsure``). ``programs`` alone restricts the export to those programs.

Param values: a study is keyed by the param values it was tuned at (``attncc tune --param
W=256``), and its kernel is exported with them (the problem is rebuilt from the study's
attributes). ``params={"W": 256}`` (``--param W=256``, with ``programs``) exports only
studies tuned at those values and ranks or looks up the requested ``shapes`` at them. Each
kernel's ``tuning.params`` in the manifest records every param's value it was chosen at --
provenance only: params are run-time scalars, so a library kernel called with other values
computes the right answer, tuned for the recorded ones (docs/library.md).

How it is written: into a temporary directory next to ``out``, renamed into place once the
manifest is complete, so a crash never leaves half a library. An existing non-empty ``out``
is refused unless ``replace=True`` (``--force``), and then only when it is itself a kernel
library; the old one is moved aside, the new one renamed in, the old one deleted.

Artifacts come from the targets' own :meth:`~attncc.targets.base.Target.save`, so a target
that implements it exports with no change here.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import importlib.util
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from attncc.cache import sha256_file
from attncc.errors import ArgumentError
from attncc.errors import AttnccError
from attncc.errors import ExportError
from attncc.ir.nodes import Program
from attncc.library.buckets import bucket_of
from attncc.library.jobs import Job
from attncc.library.jobs import export_targets
from attncc.library.jobs import plan_jobs
from attncc.library.manifest import MANIFEST
from attncc.library.manifest import FileRef
from attncc.library.manifest import KernelEntry
from attncc.library.manifest import Manifest
from attncc.library.manifest import ProgramEntry
from attncc.library.manifest import SourceEntry
from attncc.library.manifest import digest_text
from attncc.library.manifest import json_meta
from attncc.library.manifest import parse_manifest
from attncc.library.manifest import safe_relative_path
from attncc.targets.base import Target
from attncc.targets.pipeline import Specialised
from attncc.version import __version__

__all__ = ["ExportReport", "ExportedKernel", "export"]

KERNELS = "kernels"  # the folder of the library that holds the artifacts
_SOURCE_SUFFIX = {"tvmscript": "py", "triton": "py", "wgsl": "wgsl", "cuda": "cu", "ptx": "ptx"}


@dataclass(frozen=True)
class ExportedKernel:
    """One kernel written into the library (a row of ``attncc export``'s table)."""

    program: str
    target: str
    bucket: str
    provenance: str
    config: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)  # every param's value, as tuned at


@dataclass(frozen=True)
class ExportReport:
    """What :func:`export` wrote, and the studies it passed over with the reason."""

    path: Path
    manifest: Manifest
    kernels: tuple[ExportedKernel, ...]
    skipped: tuple[tuple[str, str], ...]  # (study or request, why)

    @property
    def sha256(self) -> str:
        """The library digest, to pin the library: ``load_library(path, sha256=...)``."""
        return self.manifest.sha256


def export(
    out: str | os.PathLike,
    storage: str | None = None,
    *,
    targets: Sequence[str | Target] = ("cpu",),
    programs: Sequence[Program | str] | None = None,
    shapes: Sequence[Mapping[str, int]] | None = None,
    params: Mapping[str, Any] | None = None,
    replace: bool = False,
) -> ExportReport:
    """Write a kernel library to the directory ``out`` from the tuning database ``storage``.

    ``targets``: the targets to export (names or :class:`Target` s). ``programs``: restrict
    to these (a :class:`Program`, or a program name as the database or the catalogue knows
    it); ``shapes``: extents (every rank) to export for each of ``programs`` even when
    nothing was measured there (the cost model then picks). ``params``: param values for
    ``programs`` (a value, or its ``--param`` text: ``{"W": "256"}``), each program taking
    those it declares: only studies tuned at them are exported, and ``shapes`` are exported
    at them (the rest at their declared defaults). ``replace``: replace an existing library
    at ``out``. Raises :class:`ExportError` when there is nothing to export, when ``out``
    exists, or when a kernel cannot be built or saved; :class:`ArgumentError` for a bad param.
    """
    if not isinstance(out, (str, os.PathLike)):
        raise ExportError(f"export() writes to a directory path, got {type(out).__name__}")
    if isinstance(targets, str):
        targets = (targets,)
    out = Path(out)
    _check_destination(out, replace)
    if shapes and not programs:
        raise ExportError("shapes= (--shape) needs programs= (--program) to say which programs")
    if params and not programs:
        raise ExportError(
            "params= (--param) needs programs= (--program) to say whose params they are. Fix: "
            "add --program NAME (the studies of other programs keep their own params)"
        )
    if params is not None and not isinstance(params, Mapping):
        raise ArgumentError(
            f"params= maps param names to values, e.g. {{'W': 256}}; got {type(params).__name__}"
        )
    tgts = export_targets(targets)
    jobs, skipped = plan_jobs(
        storage, tgts, list(programs or []), list(shapes or []), dict(params or {})
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        manifest, rows = _write_library(stage, jobs, tgts)
        _fsync_tree(stage)
        _install(stage, out, replace)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return ExportReport(out, manifest, tuple(rows), tuple(skipped))


# ----------------------------------------------------------------------------- writing


def _write_library(
    stage: Path, jobs: list[Job], targets: Mapping[str, Target]
) -> tuple[Manifest, list[ExportedKernel]]:
    (stage / KERNELS).mkdir()
    kernels: dict[str, list[KernelEntry]] = {}
    texts: dict[str, str] = {}
    rows = []
    used: set[str] = set()
    for job in jobs:
        entry = _build(stage, job, used)
        name = job.problem.program.name
        kernels.setdefault(name, []).append(entry)
        texts[name] = job.problem.program.text
        row = ExportedKernel(
            name,
            entry.target,
            entry.bucket_key,
            entry.provenance,
            entry.config,
            dict(job.problem.params),
        )
        rows.append(row)
    used_targets = sorted({k.target for ks in kernels.values() for k in ks})
    fingerprints = {t: json_meta(targets[t].describe(), "fingerprint") for t in used_targets}
    manifest = Manifest(
        created=datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        versions=_versions(),
        targets={t: {"fingerprint": f} for t, f in fingerprints.items()},
        programs={
            name: ProgramEntry(name, texts[name], digest_text(texts[name]), tuple(ks))
            for name, ks in sorted(kernels.items())
        },
    )
    text = manifest.to_json()
    parse_manifest(text, f"the manifest being exported to {stage}")  # the loaders accept it
    (stage / MANIFEST).write_text(text, encoding="utf-8")
    return manifest, rows


def _build(stage: Path, job: Job, used: set[str]) -> KernelEntry:
    """Lower, build and save one kernel into ``stage/kernels``; its manifest entry."""
    problem, target = job.problem, job.problem.target
    program, name = problem.program, problem.program.name
    what = f"{name} on {target.name} at {problem.bucket}"
    specialised = Specialised.of(target, program, problem.extents)
    fixed = specialised.extents
    reason = specialised.space.why_infeasible(job.config)
    if reason:
        raise ExportError(f"the {job.provenance} config of {what} is no longer possible: {reason}")
    artifact = specialised.build(job.config)
    source = artifact.source
    stem = _stem(name, target.name, bucket_of(problem.extents, fixed), used)
    directory = stage / KERNELS
    text_name = f"{stem}.source.{_SOURCE_SUFFIX.get(source.language, 'txt')}"
    (directory / text_name).write_text(source.text, encoding="utf-8")
    try:
        saved = target.save(artifact, directory, stem)
    except AttnccError:
        raise
    except Exception as e:  # a target's own failure to write: one readable error
        raise ExportError(f"target {target.name} could not save {what}: {e}") from e
    files = {}
    for role, file_name in sorted(saved.items()):
        safe_relative_path(file_name, f"{target.name}.save() file {role!r}")
        path = directory / file_name
        if file_name == text_name or not path.is_file() or path.is_symlink():
            raise ExportError(
                f"target {target.name} saved {what} as {file_name!r} ({role}), which is not a "
                "new regular file in the library"
            )
        files[role] = FileRef(f"{KERNELS}/{file_name}", sha256_file(path))
    meta = json_meta(source.meta, f"{target.name} source meta of {what}")
    complete = specialised.complete(job.config)
    full_config = json_meta(dict(source.meta.get("config", complete)), "config")
    return KernelEntry(
        target=target.name,
        bucket=bucket_of(problem.extents, fixed),
        shape=dict(problem.extents),
        config=full_config,
        provenance=job.provenance,
        tuning=json_meta(job.tuning, "tuning"),
        source=SourceEntry(
            source.language,
            source.entry,
            dict(source.extents),
            meta,
            FileRef(f"{KERNELS}/{text_name}", sha256_file(directory / text_name)),
        ),
        files=files,
    )


def _stem(program: str, target: str, bucket: Mapping[str, int], used: set[str]) -> str:
    """A file stem that says what the kernel is: ``gqa.cpu.b1_h8_p2048`` (unique)."""
    base = re.sub(r"[^A-Za-z0-9_]", "_", program)
    base += f".{target}." + "_".join(f"{r}{n}" for r, n in bucket.items())
    stem, i = base, 1
    while stem in used:
        stem, i = f"{base}.{i}", i + 1
    used.add(stem)
    return stem


def _versions() -> dict[str, str]:
    """attncc's version and the toolchains' (Triton only when installed; nothing imported)."""

    versions = {"attncc": __version__}
    for key, dist, module in (("tvm", "apache-tvm", "tvm"), ("triton", "triton", "triton")):
        if importlib.util.find_spec(module) is None:
            continue
        try:
            versions[key] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


# ----------------------------------------------------------------------------- installing


def _check_destination(out: Path, replace: bool) -> None:
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise ExportError(f"{out} exists and is not a directory; pick another --out")
    if out.is_dir() and any(out.iterdir()):
        if not replace:
            raise ExportError(
                f"{out} already exists and is not empty. Fix: pass --force (replace=True) to "
                "replace the library there, or pick another --out"
            )
        if not (out / MANIFEST).is_file():
            raise ExportError(
                f"{out} exists and is not a kernel library (no {MANIFEST}); refusing to "
                "replace it. Fix: pick another --out"
            )


def _fsync_tree(root: Path) -> None:
    """Flush every file to disk before the rename makes the library visible."""
    for path in sorted(root.rglob("*")):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _install(stage: Path, out: Path, replace: bool) -> None:
    """Rename the finished ``stage`` to ``out`` (moving an old library aside first)."""
    umask = os.umask(0)
    os.umask(umask)
    stage.chmod(0o777 & ~umask)  # mkdtemp made it private
    _check_destination(out, replace)  # again: it may have appeared while building
    if not out.exists() or not any(out.iterdir()):
        try:
            os.replace(stage, out)  # an empty directory is replaced atomically
            return
        except OSError as e:
            raise ExportError(f"cannot move the library into {out}: {e.strerror}") from None
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    os.replace(out, old / "library")
    try:
        os.replace(stage, out)
    except OSError as e:
        os.replace(old / "library", out)  # put the old one back
        shutil.rmtree(old, ignore_errors=True)
        raise ExportError(f"cannot move the library into {out}: {e.strerror}") from None
    shutil.rmtree(old, ignore_errors=True)
