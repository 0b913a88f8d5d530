"""Several worker processes on one study (SQLite and a real PostgreSQL): one is killed in
the middle of a trial, its trial goes stale and is failed by heartbeat, the others finish
the budget, every trial is accounted for, and the best read back is the best measured."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import warnings

import optuna
import pytest
from optuna.trial import TrialState

from attncc.search.database import best_trial
from attncc.search.database import measured_trials
from attncc.search.problem import Problem
from attncc.search.space import config_key
from attncc.search.tuner import Tuner
from attncc.search.tuner import best_config
from attncc.search.worker import spawn_workers
from attncc.search.worker import stop_workers
from attncc.variants import CATALOGUE
from tests.search.conftest import TINY
from tests.search.conftest import fast
from tests.search.fakes import SlowTarget

PG_URL = "postgresql+psycopg2://attncc:attncc@127.0.0.1/attncc_test"


def _psql(sql: str, db: str = "postgres") -> str:
    command = ["su", "postgres", "-c", f'psql -d {db} -tAc "{sql}"']
    return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()


@pytest.fixture(scope="module")
def postgres() -> str:
    """A running PostgreSQL with user attncc and database attncc_test (Debian's server)."""
    if shutil.which("pg_ctlcluster") is None or shutil.which("psql") is None:
        pytest.skip("PostgreSQL is not installed (Debian package postgresql)")
    if os.geteuid() != 0:
        pytest.skip("starting the PostgreSQL server needs root")
    pytest.importorskip("psycopg2", reason="psycopg2-binary is not installed")
    subprocess.run(["service", "postgresql", "start"], capture_output=True, timeout=60)
    for _ in range(50):
        if _psql("select 1") == "1":
            break
        time.sleep(0.2)
    else:
        pytest.skip("the PostgreSQL server did not start")
    if _psql("select 1 from pg_roles where rolname='attncc'") != "1":
        _psql("create user attncc with password 'attncc' superuser")
    if _psql("select 1 from pg_database where datname='attncc_test'") != "1":
        subprocess.run(["su", "postgres", "-c", "createdb -O attncc attncc_test"], timeout=30)
    return PG_URL


def _kill_one_worker_mid_trial(url: str) -> None:
    problem = Problem.create(CATALOGUE["mha_causal"](), SlowTarget(), TINY)
    if problem.study_name in optuna.get_all_study_names(url):
        optuna.delete_study(study_name=problem.study_name, storage=url)
    options = fast(trials=6, min_time=0.0, repeats=1, timeout=10, polish=0.0)
    tuner = Tuner(problem, url, options, cost_model=None)
    tuner.prepare()
    workers = spawn_workers(url, problem.study_name, options, 3, model=False)
    by_pid = {str(w.pid): w for w in workers}
    victim = None
    try:
        deadline = time.monotonic() + 60
        running = []
        while time.monotonic() < deadline:
            # the victim: whichever worker is measuring first (under load one worker can
            # start late and find every trial taken)
            running = [
                t
                for t in tuner.study.get_trials(states=(TrialState.RUNNING,))
                if t.user_attrs.get("worker", "").rsplit(":", 1)[-1] in by_pid and t.params
            ]
            if running:
                # A trial whose proposal turns out to be a duplicate ends within milliseconds;
                # one still running half a second later is being measured (SlowTarget).
                time.sleep(0.5)
                again = tuner.study.get_trials(states=(TrialState.RUNNING,))
                if any(t.number == running[0].number for t in again):
                    break
                running = []
            time.sleep(0.05)
        assert running, "no worker started measuring a trial"
        victim = by_pid[running[0].user_attrs["worker"].rsplit(":", 1)[-1]]
        victim.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        codes = stop_workers([w for w in workers if w is not victim], timeout=60)
    finally:
        stop_workers(workers, interrupt=True)
    assert codes == [0, 0]
    time.sleep(max(0.0, killed_at + options.grace_period + 0.5 - time.monotonic()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(tuner.study)

    study = optuna.load_study(study_name=problem.study_name, storage=url)
    trials = study.get_trials()
    killed = study.trials[running[0].number]
    # Failed as stale. (A kill landing between recording the measurement and completing the
    # trial leaves its status attribute behind; the trial still never counts as a result.)
    assert killed.state is TrialState.FAIL
    assert all(t.state in (TrialState.COMPLETE, TrialState.FAIL, TrialState.PRUNED) for t in trials)
    measured = measured_trials(study)
    assert 6 <= len(measured) <= 8
    # The killed trial may have recorded its measurement before it died; it failed, so its
    # config may be measured again by a live worker. Among the rest, no config twice.
    keys = [config_key(t.params) for t in measured if t.number != killed.number]
    assert len(keys) == len(set(keys)), "a config was measured twice"
    workers_seen = {t.user_attrs["worker"] for t in measured}
    assert len(workers_seen) >= 2
    ok = [t for t in measured if t.user_attrs["status"] == "ok" and t.value is not None]
    best = best_trial(study)
    assert best.value == min(t.value for t in ok)
    cached = best_config(problem.program, problem.target, TINY, tune="cached", storage=url)
    assert cached == best.params


def test_sqlite_workers_survive_a_killed_worker(storage):
    _kill_one_worker_mid_trial(storage)


def test_postgres_workers_survive_a_killed_worker(postgres):
    _kill_one_worker_mid_trial(postgres)
