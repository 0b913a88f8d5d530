"""Shared fixtures of the search tests: tiny problems on fake targets, fast options."""

from __future__ import annotations

import pytest

from attncc.search.problem import Problem
from attncc.search.tuner import TuneOptions
from attncc.variants import CATALOGUE
from tests.search.fakes import FakeTarget
from tests.search.fakes import FaultyTarget

TINY = {"b": 1, "h": 2, "p": 8, "m": 8, "e": 4, "f": 4}


def fast(**kw) -> TuneOptions:
    """Options that keep a trial to a few milliseconds (and a hang to half a second)."""
    base = dict(
        trials=8,
        timeout=0.5,
        build_timeout=60,
        min_time=0.002,
        repeats=3,
        batch=4,
        heartbeat_interval=1,
        grace_period=3,
    )
    return TuneOptions(**{**base, **kw})


@pytest.fixture(autouse=True)
def python_sigint():
    """Measuring children and tuning workers inherit the test process's SIGINT disposition;
    tests that interrupt them assume Python's own handler (a plain ``pytest`` run's). Set it
    for each test and put back what was there: a library that left SIGINT ignored earlier in
    the session (the killed-runner test saw its SIGINT-once child sleep into a timeout in one
    full run) cannot change what these tests see."""
    import signal

    before = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before if before is not None else signal.SIG_DFL)


@pytest.fixture
def problem() -> Problem:
    return Problem.create(CATALOGUE["mha_causal"](), FakeTarget(), TINY)


@pytest.fixture
def faulty() -> Problem:
    return Problem.create(CATALOGUE["mha_causal"](), FaultyTarget(), TINY)


@pytest.fixture
def storage(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'tuning.db'}"
