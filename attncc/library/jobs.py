"""What an export builds: one :class:`Job` (a tuning problem and its config) per program ×
target × shape bucket, chosen from the tuning database and the explicit requests.

* every study of the database for an exported target becomes a job with the config of its
  fastest verified trial (``"tuned"``). The study's problem -- program, extents and param
  values -- is rebuilt from its attributes (:meth:`Problem.from_study_attrs`) with the
  exporter's target, and its name must come out the same: a study tuned on other hardware,
  toolchain or attncc version is skipped, with the reason;
* each requested program × shape (``programs=`` with ``shapes=``) at the params asked for:
  its study's best when there is one, else the cost model's pick (``"model"``), else the
  target's default (``"default"``);
* ``params=`` (``--param NAME=VALUE``, with ``programs=``) keeps only studies tuned at those
  values; two studies of one bucket at different params give one kernel (a library holds
  one per target and bucket): the first by name -- the one at the declared defaults when
  there is one -- and the other is listed as skipped, with the fix.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from attncc.cost_models import xgb
from attncc.errors import ArgumentError
from attncc.errors import AttnccError
from attncc.errors import ExportError
from attncc.ir.nodes import Program
from attncc.ir.parser import parse
from attncc.library.manifest import digest_text
from attncc.search.cost_model import load_cost_model
from attncc.search.cost_model import model_pick
from attncc.search.database import best_trial
from attncc.search.database import measured_trials
from attncc.search.database import open_storage
from attncc.search.database import quiet_optuna
from attncc.search.database import storage_errors
from attncc.search.database import storage_url
from attncc.search.params import parse_params
from attncc.search.problem import Problem
from attncc.search.problem import format_param
from attncc.search.problem import target_spec
from attncc.targets import get_target
from attncc.targets.base import Target
from attncc.variants import CATALOGUE

__all__ = ["Job", "export_targets", "plan_jobs"]


@dataclass(frozen=True)
class Job:
    """One kernel to build: a tuning problem and the config chosen for it."""

    problem: Any  # attncc.search.problem.Problem
    config: dict[str, Any]
    provenance: str
    tuning: dict[str, Any]

    @property
    def key(self) -> tuple[str, str, str]:
        p = self.problem
        return (p.program.name, p.target.name, p.bucket)


def export_targets(targets: Sequence[str | Target]) -> dict[str, Target]:
    """The targets to export, by name (names resolved, duplicates merged, sorted)."""

    if not targets:
        raise ExportError("export needs at least one target, e.g. --target cpu")
    out: dict[str, Target] = {}
    for t in targets:
        tgt = get_target(t) if isinstance(t, str) else t
        out[tgt.name] = tgt
    return dict(sorted(out.items()))


def plan_jobs(
    storage: str | None,
    targets: Mapping[str, Target],
    selectors: list[Program | str],
    shapes: list[Mapping[str, int]],
    params: dict[str, Any],
) -> tuple[list[Job], list[tuple[str, str]]]:
    """The jobs to build, sorted, and the studies passed over with the reason (module
    docstring); an :class:`ExportError` when there is nothing to export."""

    url = storage_url(storage)
    wanted = _Selection(selectors)
    jobs: dict[tuple[str, str, str], Job] = {}
    skipped: list[tuple[str, str]] = []
    studies = _studies(url)
    selected = wanted.programs(studies)
    asked = _selected_params(selected, params)
    for name, attrs in studies:
        try:
            job = _study_job(url, name, attrs, targets, wanted, asked)
        except AttnccError as e:
            skipped.append((name, (e.message.splitlines() or [type(e).__name__])[0]))
            continue
        if job is None:
            continue
        if isinstance(job, str):
            skipped.append((name, job))
            continue
        kept = jobs.setdefault(job.key, job)
        if kept is not job:  # same bucket tuned at other params: the library holds one
            skipped.append((name, _second_study(job, kept)))
    for program in selected:
        for shape in shapes:
            for target in targets.values():
                chosen = asked.get(program.name, {})
                job = _requested_job(url, program, target, shape, chosen, {n for n, _ in studies})
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

            if s not in CATALOGUE:
                raise ExportError(
                    f"unknown program {s!r}: no study in the tuning database has it and it is "
                    "not in the catalogue (attncc variants). Fix: pass its .attn file"
                )
            out.append(CATALOGUE[s]())
        return out


def _selected_params(
    programs: list[Program], params: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Program name → its share of ``params`` (those it declares), typed by its declarations
    as ``attncc tune --param`` types them; a name no program declares is an ArgumentError."""

    if not params:
        return {}
    for name in params:
        if not isinstance(name, str):
            raise ArgumentError(f"params= takes param names as keys, got {name!r}")
    out = {}
    for program in programs:
        declared = {p.name for p in program.params}
        texts = [f"{k}={_param_text(v)}" for k, v in params.items() if k in declared]
        out[program.name] = parse_params(program, texts)
    unknown = [k for k in params if not any(k in out[p.name] for p in programs)]
    if unknown and len(programs) == 1:  # the tuner's message, with its "did you mean"
        parse_params(programs[0], [f"{unknown[0]}={_param_text(params[unknown[0]])}"])
    if unknown:
        listing = "; ".join(
            f"{p.name}: {', '.join(d.name for d in p.params) or 'none'}" for p in programs
        )
        raise ArgumentError(
            f"--param {unknown[0]}: none of the programs exported has a param named "
            f"{unknown[0]!r}; their params are {listing}. Fix: drop it, or check the spelling"
        )
    return out


def _param_text(value: Any) -> str:
    """A value as ``--param`` text (text as it is; numpy scalars as Python numbers)."""

    if isinstance(value, str):
        return value
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()
    return format_param(value)


def _second_study(job: Job, kept: Job) -> str:
    return (
        f"the library's {kept.problem.target.name} kernel of {kept.problem.program.name} at "
        f"{kept.problem.bucket} comes from {kept.tuning.get('study')} (params "
        f"{_params_text(kept.problem)}); a library holds one kernel per target and bucket, and "
        f"this study was tuned at {_params_text(job.problem)}. Fix: choose with --program "
        f"{job.problem.program.name} --param NAME=VALUE"
    )


def _params_text(problem: Any) -> str:
    return ",".join(f"{k}={format_param(v)}" for k, v in problem.params.items()) or "none"


def _studies(url: str) -> list[tuple[str, dict]]:
    """(name, attributes) of every attncc study in the storage at ``url``."""

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
    url: str,
    name: str,
    attrs: dict,
    targets: Mapping[str, Target],
    wanted: _Selection,
    asked: Mapping[str, Mapping[str, Any]],
) -> Job | str | None:
    """The job of one study; ``None`` when it is not asked for, a reason when it can't be
    (``asked``: program name → the param values the export asks for)."""

    spec = str(attrs.get("target", ""))
    target = targets.get(spec) or next((t for t in targets.values() if _spec(t) == spec), None)
    if target is None:
        return None
    if not isinstance(attrs.get("program"), str) or not isinstance(attrs.get("extents"), dict):
        return "the study has no program text or extents: it was not made by attncc tune"
    program = parse(attrs["program"])
    if program not in wanted:
        return None
    # The study's own problem: its program, extents and param values, on our target
    problem = Problem.from_study_attrs(attrs, target)
    if problem.study_name != name:
        return (
            "tuned on other hardware, toolchain or attncc version (its fingerprint "
            f"{attrs.get('fingerprint')}); export it on a machine like the one it was tuned on"
        )
    want = asked.get(program.name, {})
    if any(problem.params.get(k) != v for k, v in want.items()):
        wanted_text = ",".join(f"{k}={_param_text(v)}" for k, v in want.items())
        return f"tuned at {_params_text(problem)}, not at the params asked for ({wanted_text})"
    tuned = _tuned(url, name)
    if tuned is None:
        return "no trial built and matched the reference"
    config, tuning = tuned
    return Job(problem, config, "tuned", {**tuning, "params": dict(problem.params)})


def _spec(target: Target) -> str:
    return target_spec(target)


def _tuned(url: str, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The best verified trial's config and how it was measured, or ``None``."""
    import optuna

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
    url: str,
    program: Program,
    target: Target,
    shape: Mapping[str, int],
    params: Mapping[str, Any],
    studies: set[str],
) -> Job:
    """An explicitly requested program × shape at ``params`` (the rest at their defaults):
    tuned if the database has it, else the cost model's pick, else (no model for the
    target) the target's default. ``tuning.params`` records the values measured or ranked
    at (not for a default schedule: params took no part in choosing it)."""

    problem = Problem.create(program, target, dict(shape), dict(params))
    if problem.study_name in studies:
        tuned = _tuned(url, problem.study_name)
        if tuned is not None:
            return Job(problem, tuned[0], "tuned", {**tuned[1], "params": dict(problem.params)})
    if not xgb.pretrained_path(target.name).exists():
        # Nothing measured and no model for this target (WebGPU and CUDA timings cannot be
        # taken on this kind of machine): the target's default schedule, marked as such.
        return Job(problem, problem.space.default(), "default", {"trials": 0})
    try:
        pick = model_pick(problem, load_cost_model("required", target.name))
    except AttnccError as e:
        raise ExportError(
            f"{program.name} at {problem.bucket} on {target.name} has no measurement and no "
            f"cost model to pick a config: {e.message}. Fix: tune it first"
        ) from None
    ranked = {"cost_model": "pretrained", "trials": 0, "params": dict(problem.params)}
    if not pick.sure:  # the model's own calibration: not reliably faster than the default
        return Job(problem, dict(pick.default), "default", {**ranked, "model_unsure": True})
    return Job(problem, dict(pick.config), "model", ranked)


def _check_unique_programs(jobs: Iterable[Job]) -> None:
    texts: dict[str, set[str]] = {}
    for j in jobs:
        texts.setdefault(j.problem.program.name, set()).add(j.problem.program.text)
    for name, variants in texts.items():
        if len(variants) > 1:
            hashes = ", ".join(sorted(digest_text(t)[:10] for t in variants))
            raise ExportError(
                f"the tuning database holds {len(variants)} different programs named {name} "
                f"(sha256 {hashes}); a library names programs uniquely. Fix: pass the one to "
                "export with --program FILE.attn"
            )
