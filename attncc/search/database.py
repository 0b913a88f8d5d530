"""The tuning database: Optuna RDB storage (SQLite file or PostgreSQL), one study per problem.

A storage is a SQLAlchemy URL (``sqlite:///attncc-tuning.db``,
``postgresql+psycopg2://user:pass@host/db``); a bare path means a SQLite file. Storages are
opened with heartbeats: a worker that dies in the middle of a trial stops beating, and after
``grace_period`` seconds any worker (or the next run) fails that trial as stale, so nothing
stays RUNNING forever. Study naming: :class:`attncc.search.problem.Problem`.

Trial attributes written by the tuner (``trial.user_attrs``):

* ``status`` -- :class:`~attncc.search.runner.Status`: ``ok``, ``compile_error``,
  ``run_error``, ``wrong_result``, ``crash``, ``timeout`` (measured), or ``infeasible`` /
  ``duplicate`` (PRUNED, not measured); a trial without it was interrupted or went stale;
* ``error`` -- why it failed; ``build_s``, ``max_error``, ``samples`` -- how it measured;
* ``source`` -- ``default`` (the target's default config), ``model`` (ranked first by the
  cost model), ``pool`` (drawn while the model is untrained), ``tpe`` (Optuna's sampler),
  ``repair`` (the nearest fresh config to an unmeasurable TPE proposal), ``polish`` (a
  neighbour of the best); ``predicted`` -- the cost-model score (higher = faster);
* ``worker`` -- ``host:pid`` of the worker that ran it; ``claimed`` -- set when it took
  its config to measure (how workers keep from measuring one config twice; see
  :meth:`attncc.search.tuner.Tuner._taken`).

A trial's value is its median seconds; only trials with ``status == "ok"`` are COMPLETE.
The study's attributes: :mod:`attncc.search.problem`, plus ``trials`` (the largest budget
asked for, which ``attncc worker`` joins with).

Every storage failure (a malformed or unreachable URL, a missing driver, a locked file)
becomes a :class:`~attncc.errors.TuningError` naming the URL.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from attncc.errors import AttnccError
from attncc.errors import TuningError
from attncc.search.runner import Status

__all__ = [
    "DEFAULT_STORAGE",
    "StudySummary",
    "best_trial",
    "measured_trials",
    "open_storage",
    "open_study",
    "quiet_optuna",
    "storage_errors",
    "storage_url",
    "summaries",
]

#: Where tuning results go unless a storage is given: a SQLite file in the working directory.
DEFAULT_STORAGE = "sqlite:///attncc-tuning.db"


def storage_url(url: str | None) -> str:
    """``url``, the default for ``None``, and ``sqlite:///PATH`` for a bare path; relative
    SQLite paths are made absolute (workers may start elsewhere)."""
    url = url or DEFAULT_STORAGE
    if "://" not in url:
        return f"sqlite:///{os.path.abspath(url)}"
    prefix = "sqlite:///"
    path = url[len(prefix) :]
    if url.startswith(prefix) and path and not path.startswith(("/", ":memory:")):
        return prefix + os.path.abspath(path)  # relative to the working directory, now
    return url


def _redact(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@/]*@", r"://\1:***@", url)


@contextmanager
def storage_errors(url: str) -> Iterator[None]:
    """Turn SQLAlchemy / Optuna / driver errors inside into a :class:`TuningError`."""

    try:
        yield
    except AttnccError:
        raise
    except Exception as e:
        if not _is_storage_error(e):
            raise
        detail = " ".join(str(e).split())[:300]
        raise TuningError(
            f"tuning storage {_redact(url)} failed: {type(e).__name__}: {detail}. Fix: pass a "
            "reachable SQLAlchemy URL, e.g. --storage sqlite:///tuning.db or "
            "postgresql+psycopg2://user:password@host/db"
        ) from None


def _is_storage_error(error: Exception) -> bool:
    module = type(error).__module__ or ""
    if module.startswith(("sqlalchemy", "psycopg2", "sqlite3", "alembic")):
        return True
    import optuna

    if isinstance(error, optuna.exceptions.StorageInternalError):
        return True
    return isinstance(error, ImportError)  # a missing driver (psycopg2, ...)


def open_storage(
    url: str | None = None, *, heartbeat_interval: int = 5, grace_period: int | None = None
):
    """An ``optuna.storages.RDBStorage`` with heartbeats (raises :class:`TuningError`)."""
    import optuna

    url = storage_url(url)
    grace_period = grace_period or 4 * heartbeat_interval
    key = (url, heartbeat_interval, grace_period, os.getpid())
    if key in _STORAGES:
        return _STORAGES[key]
    engine: dict[str, Any] = {}
    if url.startswith("sqlite"):
        engine["connect_args"] = {"timeout": 60}
    else:
        engine["pool_pre_ping"] = True
        if url.startswith("postgresql"):
            engine["connect_args"] = {"connect_timeout": 10}
    with storage_errors(url), warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        storage = optuna.storages.RDBStorage(
            url,
            engine_kwargs=engine,
            heartbeat_interval=heartbeat_interval,
            grace_period=grace_period,
        )
        if url.startswith("sqlite"):
            _sqlite_wal(storage.engine)
    _STORAGES[key] = storage
    return storage


#: Open storages by URL and heartbeat settings: one engine per process, not one per call.
_STORAGES: dict[tuple, Any] = {}


@contextmanager
def quiet_optuna() -> Iterator[None]:
    """Optuna's per-trial log lines and experimental warnings off (the tuner reports)."""
    import optuna

    level = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            yield
    finally:
        optuna.logging.set_verbosity(level)


def _sqlite_wal(engine) -> None:
    """Make a SQLite file safe for several local workers, and quick.

    Optuna pops an enqueued trial by reading it WAITING and then marking it RUNNING; it
    relies on ``SELECT ... FOR UPDATE``, which SQLite ignores, and pysqlite runs the read
    outside any transaction -- two workers could pop (and measure) the same trial. Every
    transaction here starts with ``BEGIN IMMEDIATE`` (the write lock), so they serialise.
    Write-ahead logging keeps readers off the writer's back, and ``synchronous=NORMAL``
    spares a full sync per commit (a crash loses at most the last trials, never the file).
    """
    from sqlalchemy import event

    def on_connect(connection, _record) -> None:
        connection.isolation_level = None  # no implicit transactions: we begin them
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    def on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", on_begin)
    engine.dispose()  # pooled connections predate the listeners


def open_study(storage, name: str, *, attrs: dict[str, Any] | None = None, seed: int = 0):
    """The study ``name``; created with ``attrs`` as user attributes when ``attrs`` is given
    and it does not exist yet, else it must exist (raises :class:`TuningError`)."""
    import optuna

    url = storage.url
    sampler = optuna.samplers.TPESampler(seed=seed + os.getpid(), n_startup_trials=5)
    with storage_errors(url), quiet_optuna():
        names = {s.study_name for s in storage.get_all_studies()}
        if name not in names and attrs is None:
            known = ", ".join(sorted(names)) or "none"
            raise TuningError(f"no study {name!r} in {_redact(url)}; its studies: {known}")
        study = optuna.create_study(
            storage=storage,
            study_name=name,
            direction="minimize",
            sampler=sampler,
            load_if_exists=True,
        )
        if attrs is not None and "program" not in study.user_attrs:
            for key, value in attrs.items():
                study.set_user_attr(key, value)
    return study


def measured_trials(study) -> list:
    """Trials that spent a measurement (any status but infeasible / duplicate)."""

    out = []
    for t in study.get_trials(deepcopy=False):
        status = t.user_attrs.get("status")
        if status is not None and Status(status).measured:
            out.append(t)
    return out


def best_trial(study):
    """The fastest trial that matched the reference, or ``None``."""
    from optuna.trial import TrialState

    best = None
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        if t.user_attrs.get("status") != "ok" or t.value is None or not math.isfinite(t.value):
            continue
        if best is None or t.value < best.value:
            best = t
    return best


@dataclass(frozen=True)
class StudySummary:
    """One study's row in ``attncc show``."""

    name: str
    program: str
    target: str
    extents: dict[str, int]
    measured: int
    failed: int
    best_seconds: float | None
    best_config: dict[str, Any] | None
    best_trial: int | None
    params: dict[str, Any] = field(default_factory=dict)  # the values it measures at
    target_options: dict[str, Any] = field(default_factory=dict)


def summaries(url: str | None = None) -> list[StudySummary]:
    """Every attncc study in the storage at ``url`` with its best config."""
    import optuna

    url = storage_url(url)
    if url.startswith("sqlite:///") and not os.path.exists(url[len("sqlite:///") :]):
        return []  # nothing tuned here yet; don't create the file just to look
    storage = open_storage(url)
    rows = []
    with storage_errors(storage.url):
        for s in storage.get_all_studies():
            if "program" not in s.user_attrs:
                continue
            study = optuna.load_study(study_name=s.study_name, storage=storage)
            measured = measured_trials(study)
            best = best_trial(study)
            rows.append(
                StudySummary(
                    name=s.study_name,
                    program=str(s.user_attrs.get("program_name", "?")),
                    target=str(s.user_attrs.get("target", "?")),
                    extents=_dict(s.user_attrs.get("extents")),
                    measured=len(measured),
                    failed=sum(t.user_attrs.get("status") != "ok" for t in measured),
                    best_seconds=None if best is None else best.value,
                    best_config=None if best is None else dict(best.params),
                    best_trial=None if best is None else best.number,
                    params=_dict(s.user_attrs.get("params")),
                    target_options=_dict(s.user_attrs.get("target_options")),
                )
            )
    return rows


def _dict(value: Any) -> dict[str, Any]:
    """A study attribute that should be a JSON object (anything else shows as empty)."""
    return dict(value) if isinstance(value, dict) else {}
