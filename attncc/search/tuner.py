"""The tuner: measure configs of one problem, guided by a cost model and Optuna's TPE.

Optuna is the system of record: every measurement is a trial of the problem's study (see
:mod:`attncc.search.database` for storage and attributes, :mod:`attncc.search.problem` for
the study name), so any number of workers, here or on other machines, share one study, and
an interrupted run resumes where it stopped.

One worker's loop, until the study holds ``trials`` measurements:

1. read every trial; retrain the cost model on the measured ones (failures count as
   infinitely slow);
2. propose: draw a pool of feasible, never-seen configs (:class:`~.space.SearchSpace`),
   rank it with the cost model and ``enqueue_trial`` the top ones; in the last ``polish``
   fraction of the budget, propose the unmeasured one-knob neighbours of the best instead;
3. run trials: enqueued ones first, then ``explore`` of them from the TPE sampler. A TPE
   proposal that is infeasible or already measured is recorded PRUNED (``status``
   infeasible / duplicate, no measurement spent) and its nearest fresh feasible config is
   enqueued in its place;
4. each trial is measured in a separate process (:class:`~.runner.LocalRunner`) and checked
   against the reference; a failure (compile error, crash, timeout, wrong result) is a
   FAIL trial with its reason, never the best.

No config is measured twice (dedupe by config across all trials, including other workers'
running ones); unmeasured candidates are never excluded for good. A new study starts with
the cost model's pick when the model is sure of it (as ``tune="model"``), then the target's
default config (the incumbent); else with the default. Without a cost model every proposal
comes from TPE.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import math
import os
import random
import socket
import time
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from attncc.cost_models.base import Candidate
from attncc.cost_models.base import CostModel
from attncc.cost_models.base import Record
from attncc.errors import TuningError
from attncc.search.cost_model import ModelPick
from attncc.search.cost_model import load_cost_model
from attncc.search.cost_model import model_pick
from attncc.search.cost_model import spearman
from attncc.search.database import best_trial
from attncc.search.database import open_storage
from attncc.search.database import open_study
from attncc.search.database import quiet_optuna
from attncc.search.database import storage_errors
from attncc.search.database import storage_url
from attncc.search.options import TrialReport
from attncc.search.options import TuneOptions
from attncc.search.options import TuneResult
from attncc.search.params import tuning_params
from attncc.search.problem import Problem
from attncc.search.reference import inputs_digest
from attncc.search.reference import reference_file
from attncc.search.runner import LocalRunner
from attncc.search.runner import MeasureTask
from attncc.search.runner import Runner
from attncc.search.runner import RunnerInput
from attncc.search.runner import Status
from attncc.search.space import config_key

__all__ = [
    "TrialReport",
    "TuneOptions",
    "TuneResult",
    "Tuner",
    "best_config",
    "tune",
]

_log = logging.getLogger("attncc.search")


# ----------------------------------------------------------------------------- the tuner


class _Failed(Exception):
    """A measurement failed; the trial becomes FAIL (its reason is in its attributes)."""


class Tuner:
    """Tunes one :class:`Problem` in one study; one instance is one worker."""

    def __init__(
        self,
        problem: Problem,
        storage: str | None = None,
        options: TuneOptions | None = None,
        *,
        cost_model: str | CostModel | None = "auto",
        runner: Runner | None = None,
        inputs: Mapping[str, Any] | None = None,
        on_trial: Callable[[TrialReport], None] | None = None,
    ):
        if not problem.target.can_run:
            raise TuningError(
                f"target {problem.target.name} cannot run kernels on this machine, so it "
                "cannot be tuned here; tune on a machine that has it"
            )
        if inputs is not None:  # params among the inputs must be the ones tuned at
            tuning_params(problem.program, problem.params, inputs)
        self.problem = problem
        self.options = options or TuneOptions()
        self.url = storage_url(storage)
        self.model = load_cost_model(cost_model, problem.target.name)
        self.on_trial = on_trial
        self._runner = runner
        self._inputs = inputs
        self._rng = random.Random(self.options.seed + os.getpid())
        self._fitted = -1
        self._worker = f"{socket.gethostname()}:{os.getpid()}"
        self.storage = open_storage(
            self.url,
            heartbeat_interval=self.options.heartbeat_interval,
            grace_period=self.options.grace_period,
        )
        with quiet_optuna():
            self.study = open_study(
                self.storage,
                problem.study_name,
                attrs=problem.study_attrs(),
                seed=self.options.seed,
            )
        self._check_fingerprint()
        self._data_seed = self._measurement_inputs()

    @classmethod
    def join(cls, storage: str, study_name: str, options: TuneOptions | None = None, **kw) -> Tuner:
        """A worker for an existing study (``attncc worker``): the problem comes from the
        study's attributes, and this machine must match its target fingerprint."""
        url = storage_url(storage)
        study = open_study(open_storage(url), study_name)
        problem = Problem.from_study_attrs(study.user_attrs)
        if problem.study_name != study_name:
            raise TuningError(
                f"this machine's {problem.target.name} target differs from the one study "
                f"{study_name} was made for (its fingerprint {study.user_attrs.get('fingerprint')}"
                f", here {problem.fingerprint}): workers must run on matching hardware"
            )
        return cls(problem, url, options, **kw)

    def _check_fingerprint(self) -> None:
        stored = self.study.user_attrs.get("fingerprint")
        if stored is not None and stored != self.problem.fingerprint:
            raise TuningError(f"study {self.study.study_name} was made on other hardware")

    def _measurement_inputs(self) -> int:
        """Every worker of a study measures on the same inputs: the study records which (a
        seed, or the digest of the user's arrays) and a worker that brings other ones is
        refused. Returns the seed of the seeded inputs this worker must use."""

        mine = (
            {"seed": self.options.seed}
            if self._inputs is None
            else {"sha256": inputs_digest(self.problem.program, self._inputs)}
        )
        with storage_errors(self.url):
            stored = self.study.user_attrs.get("inputs")
            if stored is None:
                self.study.set_user_attr("inputs", mine)
                stored = mine
        name = self.study.study_name
        if "sha256" in stored and self._inputs is None:
            raise TuningError(
                f"study {name} measures on inputs of its own (sha256 {stored['sha256'][:12]}); "
                "pass the same arrays (attncc: --inputs FILE.npz) to join it"
            )
        if "sha256" in stored and stored != mine:
            raise TuningError(
                f"study {name} measures on other inputs (sha256 {stored['sha256'][:12]}, these "
                f"are {mine['sha256'][:12]}): tune these in another storage"
            )
        if "seed" in stored and self._inputs is not None:
            raise TuningError(
                f"study {name} measures on seeded random inputs; tune your own inputs in "
                "another storage"
            )
        return int(stored.get("seed", 0))

    # ------------------------------------------------------------------ reading trials
    def _trials(self) -> list:
        with storage_errors(self.url):
            return self.study.get_trials(deepcopy=False)

    def _records(self, trials: Sequence) -> list[Record]:
        out = []
        for t in trials:
            status = t.user_attrs.get("status")
            if status is None or not Status(status).measured:
                continue
            seconds = t.value if status == "ok" and t.value is not None else math.inf
            out.append(Record(self._candidate(t.params), seconds, t.user_attrs.get("error")))
        return out

    def _candidate(self, config: Mapping[str, Any]) -> Candidate:
        p = self.problem
        return Candidate(p.measured_program, dict(p.extents), dict(config), hardware=p.hardware)

    @staticmethod
    def _seen(trials: Sequence) -> set[str]:
        """Keys of configs measured, or waiting / running to be (never propose them)."""
        from optuna.trial import TrialState

        keys = set()
        for t in trials:
            status = t.user_attrs.get("status")
            params = t.params or t.system_attrs.get("fixed_params") or {}
            if not params:
                continue
            if (status is not None and Status(status).measured) or t.state in (
                TrialState.WAITING,
                TrialState.RUNNING,
            ):
                keys.add(config_key(params))
        return keys

    @staticmethod
    def _taken(trials: Sequence, number: int, key: str, *, claimed_only: bool = False) -> bool:
        """Whether trial ``number``, about to measure ``key``, must leave it to another trial.

        Workers share nothing but the storage's reads and writes, so a trial takes a config
        in two steps. It announces the config (its params as the sampler sets them, or the
        fixed params of the enqueued trial it popped) and reads: it yields to a trial that
        measured the config, to a running one with a lower number, and to a running one
        that has claimed it. Then it claims (the ``claimed`` attribute) and reads again,
        yielding to any other claimant (``claimed_only``). Of two trials that both claim,
        the one claiming second reads the other's claim, so at most one measures. The
        lower number settles the common case (two enqueued copies, popped in order) before
        anyone claims; both yield only when both claim at once, which leaves the config
        unmeasured, to be proposed again -- a trial slot lost, never a second measurement.
        """
        for t in trials:
            if t.number == number:
                continue
            status = t.user_attrs.get("status")
            if status is not None:  # decided: measured, or left unmeasured
                if Status(status).measured and t.params and config_key(t.params) == key:
                    return True
                continue
            if t.state.name != "RUNNING":
                continue
            params = t.params or t.system_attrs.get("fixed_params") or {}
            if not params or config_key(params) != key:
                continue
            if t.user_attrs.get("claimed") or (not claimed_only and t.number < number):
                return True
        return False

    @staticmethod
    def _measured_count(trials: Sequence) -> int:
        return sum(
            1
            for t in trials
            if t.user_attrs.get("status") is not None and Status(t.user_attrs["status"]).measured
        )

    # ------------------------------------------------------------------ proposing
    def _scores(self, configs: Sequence[Mapping[str, Any]]) -> list[float] | None:
        if self.model is None or not configs:
            return None
        try:
            if not self.model.trained:
                return None
            return [float(s) for s in self.model.predict([self._candidate(c) for c in configs])]
        except Exception as e:  # a broken model degrades the search, never stops it
            _log.warning("cost model failed to predict (%s); tuning without it", e)
            self.model = None
            return None

    def _retrain(self, trials: Sequence) -> None:
        if self.model is None:
            return
        records = self._records(trials)
        if len(records) == self._fitted or not records:
            return
        try:
            self.model.fit(records)
            self._fitted = len(records)
        except Exception as e:
            _log.warning("cost model failed to train (%s); tuning without it", e)
            self.model = None

    def _ranked(self, configs: list[dict[str, Any]]) -> list[tuple[dict[str, Any], float | None]]:
        scores = self._scores(configs)
        if scores is None:
            configs = list(configs)
            self._rng.shuffle(configs)
            return [(c, None) for c in configs]
        order = sorted(range(len(configs)), key=lambda i: -scores[i])
        return [(configs[i], scores[i]) for i in order]

    def _propose(self, trials: Sequence, n: int) -> tuple[list[tuple[dict, float | None]], str]:
        """Up to ``n`` configs to enqueue, ranked, and where they come from."""
        seen = self._seen(trials)
        opts = self.options
        measured = self._measured_count(trials)
        best = best_trial(self.study)
        polish_from = opts.trials - math.ceil(opts.polish * opts.trials)
        space = self.problem.space
        if best is not None and measured >= polish_from:
            near = [c for c in space.neighbours(best.params) if config_key(c) not in seen]
            if near:
                return self._ranked(near)[:n], "polish"
        n_model = n - max(1, round(opts.explore * n))
        if self.model is None or n_model <= 0:
            return [], "model"
        seeds = [t.params for t in sorted(self._ok(trials), key=lambda t: t.value)[:4]]
        pool = space.pool(opts.pool, self._rng, seeds=seeds, exclude=seen)
        ranked = self._ranked(pool)[:n_model]
        scored = any(score is not None for _, score in ranked)
        return ranked, "model" if scored else "pool"

    @staticmethod
    def _ok(trials: Sequence) -> list:
        return [t for t in trials if t.user_attrs.get("status") == "ok" and t.value is not None]

    def _replacement(self, config: Mapping[str, Any], seen: set[str]) -> dict[str, Any] | None:
        """The fresh feasible config nearest to a TPE proposal that cannot be measured."""
        space = self.problem.space
        near = [c for c in space.neighbours(config) if config_key(c) not in seen]
        if not near:
            near = space.pool(64, self._rng, seeds=[config], exclude=seen)
        return space.nearest(config, near)

    def _enqueue(self, config: Mapping[str, Any], source: str, predicted: float | None) -> None:
        attrs: dict[str, Any] = {"source": source}
        if predicted is not None:
            attrs["predicted"] = predicted
        with storage_errors(self.url):
            self.study.enqueue_trial(dict(config), user_attrs=attrs)

    # ------------------------------------------------------------------ measuring
    def _objective(self, trial) -> float:
        # Optuna's heartbeat thread writes its first beat asynchronously; a worker killed
        # before it would leave a trial that never goes stale. Beat once, now.
        self.storage.record_heartbeat(trial._trial_id)
        trial.set_user_attr("worker", self._worker)
        space = self.problem.space
        config = {
            name: trial.suggest_categorical(name, d.choices)
            for name, d in space.distributions().items()
        }
        source = trial.user_attrs.get("source", "tpe")
        if source == "tpe":
            trial.set_user_attr("source", "tpe")
        reason = space.why_infeasible(config)
        trials = self._trials()
        key = config_key(config)
        duplicate = self._taken(trials, trial.number, key)
        if not (reason or duplicate):
            trial.set_user_attr("claimed", True)
            duplicate = self._taken(self._trials(), trial.number, key, claimed_only=True)
        if reason or duplicate:
            status = Status.INFEASIBLE if reason else Status.DUPLICATE
            trial.set_user_attr("status", status.value)
            trial.set_user_attr("error", reason or "measured by another trial")
            seen = self._seen(trials) | {key}
            fresh = self._replacement(config, seen)
            if fresh is not None:
                self._enqueue(fresh, "repair", None)
            import optuna

            raise optuna.TrialPruned(f"{status.value}: {reason or key}")
        result = self._runner_for().run([RunnerInput(config)])[0]
        attrs = {
            "status": result.status.value,
            "build_s": result.build_s,
            "max_error": result.max_error,
            "samples": result.samples,
        }
        if result.error:
            attrs["error"] = result.error[:2000]
        for k, v in attrs.items():
            if v is not None:
                trial.set_user_attr(k, v)
        self._last = (trial.number, config, result, source, trial.user_attrs.get("predicted"))
        if not result.ok:
            raise _Failed(f"{result.status.value}: {result.error}")
        return result.seconds

    def _runner_for(self) -> Runner:
        if self._runner is None:
            p, o = self.problem, self.options
            data = reference_file(
                p.program, p.extents, seed=self._data_seed, inputs=self._inputs, params=p.params
            )
            task = MeasureTask.of(
                p, data, min_time=o.min_time, repeats=o.repeats, tolerance=o.tolerance
            )
            self._runner = LocalRunner(task, timeout=o.timeout, build_timeout=o.build_timeout)
        return self._runner

    def _run_trial(self) -> None:
        self._last = None
        with storage_errors(self.url):
            self.study.optimize(self._objective, n_trials=1, catch=(_Failed,))
        if self._last is not None and self.on_trial is not None:
            self._report()

    def _report(self) -> None:
        number, config, result, source, predicted = self._last
        trials = self._trials()
        best = best_trial(self.study)
        pairs = [
            (t.user_attrs["predicted"], -t.value)
            for t in self._ok(trials)
            if t.user_attrs.get("predicted") is not None
        ]
        rho = spearman([a for a, _ in pairs], [b for _, b in pairs]) if pairs else None
        self.on_trial(
            TrialReport(
                number=number,
                config=config,
                status=result.status,
                seconds=result.seconds,
                source=source,
                predicted=predicted,
                measured=self._measured_count(trials),
                trials=self.options.trials,
                best_seconds=None if best is None else best.value,
                error=result.error,
                rank_correlation=rho,
            )
        )

    # ------------------------------------------------------------------ the loop
    def run(self) -> TuneResult:
        """Measure until the study holds ``options.trials`` measurements (or the space runs
        out); returns the best. Ctrl-C leaves the study consistent: run again to resume."""
        opts = self.options
        self.prepare()
        with quiet_optuna(), storage_errors(self.url):
            idle_rounds = 0
            try:
                while True:
                    trials = self._trials()
                    measured = self._measured_count(trials)
                    running = sum(t.state.name == "RUNNING" for t in trials)
                    if measured >= opts.trials:
                        break
                    if measured + running >= opts.trials:
                        # others' trials may finish the budget; a dead worker's goes stale
                        time.sleep(min(1.0, opts.heartbeat_interval))
                        self._reap()
                        continue
                    self._retrain(trials)
                    n = min(opts.batch, opts.trials - measured - running)
                    polish_from = opts.trials - math.ceil(opts.polish * opts.trials)
                    if measured < polish_from:  # search rounds stop where the polish starts
                        n = min(n, polish_from - measured)
                    proposals, source = self._propose(trials, n)
                    for config, score in proposals:
                        self._enqueue(config, source, score)
                    before = measured
                    for _ in range(2 * n + 2):
                        now = self._trials()
                        done = self._measured_count(now)
                        busy = sum(t.state.name == "RUNNING" for t in now)
                        if done + busy >= opts.trials or done - before >= n:
                            break
                        if not self._has_waiting(now) and self._exhausted(now):
                            break
                        self._run_trial()
                    after = self._measured_count(self._trials())
                    idle_rounds = idle_rounds + 1 if after == before else 0
                    if idle_rounds >= 3 or self._exhausted(self._trials()):
                        break
            finally:
                if self._runner is not None:
                    self._runner.close()
                    self._runner = None
            return self.result()

    def prepare(self) -> None:
        """Fail stale trials of dead workers, record the budget, and enqueue the first
        trials of a new study (done by :meth:`run`; call it before starting helpers).

        A new study starts where ``compile(tune="model")`` would: the cost model's pick when
        the model is sure of it by its own calibration, then the target's default config;
        else the default first. On held-out groups of the CPU dataset this made the first
        trial land within 95 % of the best at least as often as the default first in every
        split (two CPU models: a held-out CPU 0.886 vs 0.881, machines 0.912, variants
        0.889, shapes 0.904; the model's pick always first: 0.876, 0.922, 0.868, 0.910 --
        worse on an unseen CPU or variant; bench/RESULTS.md, eleventh session). The default
        is always the first or second trial, so a search is never left without the
        incumbent."""
        with quiet_optuna(), storage_errors(self.url):
            self._reap()
            if self.options.trials > int(self.study.user_attrs.get("trials", 0)):
                self.study.set_user_attr("trials", self.options.trials)
            if not self._trials():
                pick = self._sure_pick()
                if pick is not None:
                    score = self._scores([pick.config])
                    self._enqueue(pick.config, "model", score[0] if score else None)
                self._enqueue(self.problem.space.default(), "default", None)

    def _sure_pick(self) -> ModelPick | None:
        """The cost model's first choice when it is sure of it and it is not the default."""
        if self.model is None or self.options.trials < 2:
            return None
        try:
            if not self.model.trained:
                return None
            pick = model_pick(self.problem, self.model)
        except Exception as e:  # a broken model degrades the search, never stops it
            _log.warning("cost model failed to pick (%s); starting from the default", e)
            return None
        if not pick.sure or config_key(pick.config) == config_key(pick.default):
            return None
        return pick

    def _reap(self) -> None:
        """Fail RUNNING trials of dead workers: those whose heartbeat went stale (Optuna),
        and those whose worker died before its first heartbeat (Optuna never sees them
        stale): no ``worker`` attribute a minute after they started."""
        import optuna
        from optuna.trial import TrialState

        optuna.storages.fail_stale_trials(self.study)
        orphaned = datetime.timedelta(seconds=max(60, 3 * (self.storage.grace_period or 0)))
        now = datetime.datetime.now()
        for t in self.study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            if (
                "worker" not in t.user_attrs
                and t.datetime_start
                and now - t.datetime_start > orphaned
            ):
                with contextlib.suppress(ValueError, RuntimeError):  # finished meanwhile
                    self.study.tell(t.number, state=TrialState.FAIL)

    def _has_waiting(self, trials: Sequence) -> bool:
        return any(t.state.name == "WAITING" for t in trials)

    def _exhausted(self, trials: Sequence) -> bool:
        """Whether every feasible config has been measured (only knowable for small spaces)."""
        everything = self.problem.space.everything()
        if everything is None:
            return False
        seen = self._seen(trials)
        return all(config_key(c) in seen for c in everything)

    def result(self) -> TuneResult:
        trials = self._trials()
        statuses: dict[str, int] = {}
        for t in trials:
            s = t.user_attrs.get("status")
            if s is not None:
                statuses[s] = statuses.get(s, 0) + 1
        best = best_trial(self.study)
        return TuneResult(
            study=self.study.study_name,
            storage=self.url,
            config=None if best is None else dict(best.params),
            seconds=None if best is None else best.value,
            trial=None if best is None else best.number,
            measured=self._measured_count(trials),
            statuses=statuses,
        )


# ----------------------------------------------------------------------------- front doors


def tune(
    program,
    target="cpu",
    shapes: Mapping[str, int] | None = None,
    *,
    storage: str | None = None,
    options: TuneOptions | None = None,
    params: Mapping[str, Any] | None = None,
    **kw: Any,
) -> TuneResult:
    """Tune ``program`` at ``shapes`` (every rank) and ``params`` (the rest at their
    defaults) on ``target``; the best config found."""
    problem = Problem.create(program, target, dict(shapes or {}), params)
    return Tuner(problem, storage, options, **kw).run()


def best_config(
    program,
    target="cpu",
    shapes: Mapping[str, int] | None = None,
    *,
    tune: int | str,
    storage: str | None = None,
    options: TuneOptions | None = None,
    params: Mapping[str, Any] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """The config :func:`attncc.compile` uses for ``tune=``:

    * ``N`` (int): tune until the study holds N measurements, then its best;
    * ``"cached"``: the best already in ``storage`` (:class:`TuningError` if none);
    * ``"model"``: the feasible config the cost model scores highest, with no measurement
      (:class:`UnsupportedError` when no cost model is available; the model sees the
      params as the program's defaults).

    ``params``: the param values to measure at (the study is keyed by them).
    """
    problem = Problem.create(program, target, dict(shapes or {}), params)
    if isinstance(tune, bool) or not isinstance(tune, (int, str)):
        raise TuningError(f"tune= takes a number of trials, 'cached' or 'model'; got {tune!r}")
    if isinstance(tune, int):
        base = options or TuneOptions()
        opts = TuneOptions(**{**base.__dict__, "trials": tune})
        result = Tuner(problem, storage, opts, **kw).run()
    elif tune == "cached":
        import optuna

        url = storage_url(storage)
        st = open_storage(url)
        with storage_errors(url):
            names = {s.study_name for s in st.get_all_studies()}
            best = None
            if problem.study_name in names:
                best = best_trial(optuna.load_study(study_name=problem.study_name, storage=st))
        if best is None:
            at = f" and params {problem.params_text}" if problem.params_text else ""
            raise TuningError(
                f"no tuned config of {problem.program.name} for this target and shape{at} in "
                f"{url} (study {problem.study_name}). Fix: tune it first, e.g. tune=50"
            )
        return dict(best.params)
    elif tune == "model":
        model = load_cost_model(kw.get("cost_model") or "required", problem.target.name)
        pick = model_pick(problem, model)
        if pick.never_sure:
            _log.info(
                "the cost model is never sure of picks for workloads like %s (held out, none "
                "beat the default): keeping the default config",
                problem.program.name,
            )
        elif not pick.sure:
            _log.info(
                "the cost model is unsure about %s (its pick scores %.3g over the default, "
                "below its calibrated %.3g): keeping the default config",
                problem.program.name,
                pick.margin,
                pick.threshold,
            )
        return dict(pick.chosen)
    else:
        raise TuningError(f"tune= takes a number of trials, 'cached' or 'model'; got {tune!r}")
    if result.config is None:
        raise TuningError(
            f"tuning {problem.program.name} found no config that builds and matches the "
            f"reference in {result.measured} trials ({result.statuses})"
        )
    return result.config
