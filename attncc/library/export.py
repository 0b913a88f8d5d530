"""``attncc.export``: kernel libraries from a tuning database.

What goes in: for each program × target × shape bucket that has a study in the tuning
database, the config of its fastest trial that matched the reference (``"provenance":
"tuned"``). Programs and shapes with nothing measured are asked for explicitly --
``programs=[...]`` with ``shapes=[...]`` (``--program NAME_OR_FILE --shape b=1,h=8,...`` on
the command line): each shape of each listed program gets its tuned config when the
database has one, else the config the pre-trained cost model ranks first (``"provenance":
"model"``), else the target's default (``"default"``: a target with no pre-trained model,
whose timings cannot be taken here). ``programs`` alone restricts the export to those programs.

How it is written: into a temporary directory next to ``out``, renamed into place once the
manifest is complete, so a crash never leaves half a library. An existing non-empty ``out``
is refused unless ``replace=True`` (``--force``), and then only when it is itself a kernel
library; the old one is moved aside, the new one renamed in, the old one deleted.

Artifacts come from the targets' own :meth:`~attncc.targets.base.Target.save`, so a target
that implements it exports with no change here.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.metadata
import importlib.util
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attncc.cache import sha256_file
from attncc.errors import AttnccError, ExportError
from attncc.ir.nodes import Program
from attncc.library.buckets import bucket_of
from attncc.library.manifest import (
    MANIFEST,
    FileRef,
    KernelEntry,
    Manifest,
    ProgramEntry,
    SourceEntry,
    json_meta,
    parse_manifest,
    safe_relative_path,
)
from attncc.targets.base import Target

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


@dataclass(frozen=True)
class _Job:
    """One kernel to build: a tuning problem and the config chosen for it."""

    problem: Any  # attncc.search.problem.Problem
    config: dict[str, Any]
    provenance: str
    tuning: dict[str, Any]

    @property
    def key(self) -> tuple[str, str, str]:
        p = self.problem
        return (p.program.name, p.target.name, p.bucket)


def export(
    out: str | os.PathLike,
    storage: str | None = None,
    *,
    targets: Sequence[str | Target] = ("cpu",),
    programs: Sequence[Program | str] | None = None,
    shapes: Sequence[Mapping[str, int]] | None = None,
    replace: bool = False,
) -> ExportReport:
    """Write a kernel library to the directory ``out`` from the tuning database ``storage``.

    ``targets``: the targets to export (names or :class:`Target` s). ``programs``: restrict
    to these (a :class:`Program`, or a program name as the database or the catalogue knows
    it); ``shapes``: extents (every rank) to export for each of ``programs`` even when
    nothing was measured there (the cost model then picks). ``replace``: replace an existing
    library at ``out``. Raises :class:`ExportError` when there is nothing to export, when
    ``out`` exists, or when a kernel cannot be built or saved.
    """
    out = Path(out)
    _check_destination(out, replace)
    if shapes and not programs:
        raise ExportError("shapes= (--shape) needs programs= (--program) to say which programs")
    tgts = _targets(targets)
    jobs, skipped = _jobs(storage, tgts, list(programs or []), list(shapes or []))
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


# ----------------------------------------------------------------------------- choosing


def _targets(targets: Sequence[str | Target]) -> dict[str, Target]:
    from attncc.targets import get_target

    if not targets:
        raise ExportError("export needs at least one target, e.g. --target cpu")
    out: dict[str, Target] = {}
    for t in targets:
        tgt = get_target(t) if isinstance(t, str) else t
        out[tgt.name] = tgt
    return dict(sorted(out.items()))


def _jobs(
    storage: str | None,
    targets: Mapping[str, Target],
    selectors: list[Program | str],
    shapes: list[Mapping[str, int]],
) -> tuple[list[_Job], list[tuple[str, str]]]:
    from attncc.search.database import storage_url

    url = storage_url(storage)
    wanted = _Selection(selectors)
    jobs: dict[tuple[str, str, str], _Job] = {}
    skipped: list[tuple[str, str]] = []
    studies = _studies(url)
    for name, attrs in studies:
        try:
            job = _study_job(url, name, attrs, targets, wanted)
        except AttnccError as e:
            skipped.append((name, (e.message.splitlines() or [type(e).__name__])[0]))
            continue
        if job is None:
            continue
        if isinstance(job, str):
            skipped.append((name, job))
            continue
        jobs.setdefault(job.key, job)
    for program in wanted.programs(studies):
        for shape in shapes:
            for target in targets.values():
                job = _requested_job(url, program, target, shape, {n for n, _ in studies})
                jobs.setdefault(job.key, job)
    _check_unique_programs(jobs.values())
    if not jobs:
        where = f"{url}: no tuning studies" if not studies else f"{len(studies)} studies in {url}"
        why = "".join(f"\n  {s}: {r}" for s, r in skipped)
        raise ExportError(
            f"nothing to export from {where} for target(s) {', '.join(targets)}"
            f"{' matching the programs given' if selectors else ''}.{why}\nFix: tune first "
            "(attncc tune PROGRAM --shape ...), or pass --program NAME --shape ... to export "
            "the cost model's pick"
        )
    return sorted(jobs.values(), key=lambda j: j.key), skipped


class _Selection:
    """Which programs to export: all (no selectors), or those named / given."""

    def __init__(self, selectors: list[Program | str]):
        self.selectors = selectors
        for s in selectors:
            if not isinstance(s, (Program, str)):
                raise ExportError(f"programs= takes Programs or names, got {type(s).__name__}")

    def __contains__(self, program: Program) -> bool:
        if not self.selectors:
            return True
        return any(
            s.text == program.text if isinstance(s, Program) else s == program.name
            for s in self.selectors
        )

    def programs(self, studies: list[tuple[str, dict]]) -> list[Program]:
        """The selected programs themselves: a name means the program of that name in the
        database (one text only), else the catalogue's."""
        from attncc.ir.parser import parse

        out = []
        for s in self.selectors:
            if isinstance(s, Program):
                out.append(s)
                continue
            texts = sorted({a["program"] for _, a in studies if a.get("program_name") == s})
            if len(texts) > 1:
                raise ExportError(
                    f"the tuning database holds {len(texts)} different programs named {s}; "
                    "pass the program's file to --program to say which"
                )
            if texts:
                out.append(parse(texts[0]))
                continue
            from attncc.variants import CATALOGUE

            if s not in CATALOGUE:
                raise ExportError(
                    f"unknown program {s!r}: no study in the tuning database has it and it is "
                    "not in the catalogue (attncc variants). Fix: pass its .attn file"
                )
            out.append(CATALOGUE[s]())
        return out


def _studies(url: str) -> list[tuple[str, dict]]:
    """(name, attributes) of every attncc study in the storage at ``url``."""
    from attncc.search.database import open_storage, storage_errors

    if url.startswith("sqlite:///") and not os.path.exists(url[len("sqlite:///") :]):
        return []  # nothing tuned there; don't create the file just to look
    storage = open_storage(url)
    with storage_errors(url):
        return [
            (s.study_name, dict(s.user_attrs))
            for s in sorted(storage.get_all_studies(), key=lambda s: s.study_name)
            if "program" in s.user_attrs
        ]


def _study_job(
    url: str, name: str, attrs: dict, targets: Mapping[str, Target], wanted: _Selection
) -> _Job | str | None:
    """The job of one study; ``None`` when it is not asked for, a reason when it can't be."""
    from attncc.ir.parser import parse
    from attncc.ir.validate import validate
    from attncc.search.problem import Problem

    spec = str(attrs.get("target", ""))
    target = targets.get(spec) or next((t for t in targets.values() if _spec(t) == spec), None)
    if target is None:
        return None
    if not isinstance(attrs.get("program"), str) or not isinstance(attrs.get("extents"), dict):
        return "the study has no program text or extents: it was not made by attncc tune"
    program = parse(attrs["program"])
    if program not in wanted:
        return None
    validate(program)
    problem = Problem(program, target, dict(attrs["extents"]))
    if problem.study_name != name:
        return (
            "tuned on other hardware, toolchain or attncc version (its fingerprint "
            f"{attrs.get('fingerprint')}); export it on a machine like the one it was tuned on"
        )
    tuned = _tuned(url, name)
    if tuned is None:
        return "no trial built and matched the reference"
    config, tuning = tuned
    return _Job(problem, config, "tuned", tuning)


def _spec(target: Target) -> str:
    from attncc.search.problem import target_spec

    return target_spec(target)


def _tuned(url: str, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The best verified trial's config and how it was measured, or ``None``."""
    import optuna

    from attncc.search.database import (
        best_trial,
        measured_trials,
        open_storage,
        quiet_optuna,
        storage_errors,
    )

    with storage_errors(url), quiet_optuna():
        study = optuna.load_study(study_name=name, storage=open_storage(url))
        best = best_trial(study)
        if best is None:
            return None
        measured = len(measured_trials(study))
    when = best.datetime_complete
    tuning = {
        "study": name,
        "trial": best.number,
        "trials": measured,
        "median_s": float(best.value),
        "max_error": best.user_attrs.get("max_error"),
        "measured_at": when.replace(microsecond=0).isoformat() if when else None,
    }
    return dict(best.params), tuning


def _requested_job(
    url: str, program: Program, target: Target, shape: Mapping[str, int], studies: set[str]
) -> _Job:
    """An explicitly requested program × shape: tuned if the database has it, else the
    cost model's pick, else (no model for the target) the target's default."""
    from attncc.cost_models.xgb import pretrained_path
    from attncc.search.problem import Problem
    from attncc.search.tuner import best_config

    problem = Problem.create(program, target, dict(shape))
    if problem.study_name in studies:
        tuned = _tuned(url, problem.study_name)
        if tuned is not None:
            return _Job(problem, tuned[0], "tuned", tuned[1])
    if not pretrained_path(target.name).exists():
        # Nothing measured and no model for this target (WebGPU and CUDA timings cannot be
        # taken on this kind of machine): the target's default schedule, marked as such.
        return _Job(problem, problem.space.default(), "default", {"trials": 0})
    try:
        config = best_config(program, target, problem.extents, tune="model")
    except AttnccError as e:
        raise ExportError(
            f"{program.name} at {problem.bucket} on {target.name} has no measurement and no "
            f"cost model to pick a config: {e.message}. Fix: tune it first"
        ) from None
    return _Job(problem, config, "model", {"cost_model": "pretrained", "trials": 0})


def _check_unique_programs(jobs: Iterable[_Job]) -> None:
    texts: dict[str, set[str]] = {}
    for j in jobs:
        texts.setdefault(j.problem.program.name, set()).add(j.problem.program.text)
    for name, variants in texts.items():
        if len(variants) > 1:
            hashes = ", ".join(sorted(_sha256_text(t)[:10] for t in variants))
            raise ExportError(
                f"the tuning database holds {len(variants)} different programs named {name} "
                f"(sha256 {hashes}); a library names programs uniquely. Fix: pass the one to "
                "export with --program FILE.attn"
            )


# ----------------------------------------------------------------------------- writing


def _write_library(
    stage: Path, jobs: list[_Job], targets: Mapping[str, Target]
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
        row = ExportedKernel(name, entry.target, entry.bucket_key, entry.provenance, entry.config)
        rows.append(row)
    used_targets = sorted({k.target for ks in kernels.values() for k in ks})
    fingerprints = {t: json_meta(targets[t].describe(), "fingerprint") for t in used_targets}
    manifest = Manifest(
        created=datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        versions=_versions(),
        targets={t: {"fingerprint": f} for t, f in fingerprints.items()},
        programs={
            name: ProgramEntry(name, texts[name], _sha256_text(texts[name]), tuple(ks))
            for name, ks in sorted(kernels.items())
        },
    )
    text = manifest.to_json()
    parse_manifest(text, f"the manifest being exported to {stage}")  # the loaders accept it
    (stage / MANIFEST).write_text(text, encoding="utf-8")
    return manifest, rows


def _build(stage: Path, job: _Job, used: set[str]) -> KernelEntry:
    """Lower, build and save one kernel into ``stage/kernels``; its manifest entry."""
    problem, target = job.problem, job.problem.target
    program, name = problem.program, problem.program.name
    what = f"{name} on {target.name} at {problem.bucket}"
    fixed = target.specialise(program, problem.extents)
    space = target.space(program, fixed)
    config = space.complete(job.config)
    reason = space.why_infeasible(config)
    if reason:
        raise ExportError(f"the {job.provenance} config of {what} is no longer possible: {reason}")
    source = target.lower(program, config, fixed)
    artifact = target.build(source)
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
    full_config = json_meta(dict(source.meta.get("config", config)), "config")
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


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _versions() -> dict[str, str]:
    """attncc's version and the toolchains' (Triton only when installed; nothing imported)."""
    from attncc import __version__

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
