"""A fake target for tuner tests: instant builds, known timings, injectable faults.

``FakeTarget`` runs the reference interpreter (once per build) and busy-waits a delay set
by its knobs, so the fastest config is known: ``tile=4, order=ij``. ``FaultyTarget`` adds a
``fault`` knob whose values crash the measurement process (SIGSEGV), hang it, return a wrong
answer or fail to build: the tuner must survive all of them. Importing this module
registers the fakes (``fake``, ``faulty``, ``killed``, ``slow``) as tuning targets.
"""

from __future__ import annotations

import json
import os
import signal
import time

import numpy as np

from attncc.cost_models.base import CostModel
from attncc.errors import LoweringError
from attncc.search.registry import register_target
from attncc.search.runner import Runner
from attncc.search.runner import RunnerResult
from attncc.search.runner import Status
from attncc.targets.base import Artifact
from attncc.targets.base import Constraint
from attncc.targets.base import Knob
from attncc.targets.base import Source
from attncc.targets.base import Space
from attncc.targets.base import Target

TILES = (1, 2, 4, 8, 16)


def delay(config) -> float:
    """Seconds one call of ``config`` takes (best: tile=4, order=ij)."""
    tile = TILES.index(config["tile"])
    return 2e-4 * (1 + abs(tile - 2)) * (1.0 if config["order"] == "ij" else 1.6)


def _wait(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


class FakeTarget(Target):
    name = "fake"
    language = "text"
    knobs = (Knob("tile", TILES, 1), Knob("order", ("ij", "ji")))

    def space(self, program, extents) -> Space:
        def too_big(c):
            return "tile 16 needs order ij" if c["tile"] == 16 and c["order"] != "ij" else None

        return Space(self.knobs, (Constraint("tile", too_big),))

    def lower(self, program, config, extents) -> Source:
        meta = {"config": dict(config), "program": program}
        return Source("fake", "text", f"kernel {dict(config)}", "k", dict(extents), meta)

    def build(self, source) -> Artifact:
        if source.meta["config"].get("fault") == "build":
            raise LoweringError("injected build failure")
        return Artifact(source, {"outputs": None})

    def run(self, artifact, arrays, scalars, extents):
        from attncc.ir.interpreter import interpret

        config = artifact.source.meta["config"]
        fault = config.get("fault", "none")
        if fault == "segv":
            os.kill(os.getpid(), signal.SIGSEGV)
        if fault == "hang":
            time.sleep(3600)
        if artifact.handle["outputs"] is None:
            program = artifact.source.meta["program"]
            params = {p.name: scalars[p.name] for p in program.params}
            out = interpret(program, **arrays, **params)
            artifact.handle["outputs"] = out if isinstance(out, dict) else {program.outputs[0]: out}
        _wait(delay(config))
        outputs = {k: np.array(v) for k, v in artifact.handle["outputs"].items()}
        if fault == "wrong":
            outputs = {k: v + 1.0 for k, v in outputs.items()}
        return outputs

    def describe(self):
        return {"target": "fake", "version": 1}


class FaultyTarget(FakeTarget):
    name = "faulty"
    knobs = (*FakeTarget.knobs, Knob("fault", ("none", "segv", "hang", "wrong", "build")))


class KilledTarget(FakeTarget):
    """Measurement processes killed by a signal, as the OOM killer or a user would: ``fault``
    ``sigkill`` / ``sigint`` every time, ``sigkill_once`` / ``sigint_once`` only in the first
    process that measures the config, ``nap`` sleeps 0.2 s a call (time to be killed from
    outside). Every attempt adds a line ``FAULT CONFIG-JSON`` to ``$ATTNCC_TEST_ATTEMPTS``."""

    name = "killed"
    knobs = (
        *FakeTarget.knobs,
        # the default config (a study's first trial) is killed once, as by the OOM killer
        Knob(
            "fault",
            ("none", "sigkill", "sigkill_once", "sigint", "sigint_once", "nap"),
            "sigkill_once",
        ),
    )

    def run(self, artifact, arrays, scalars, extents):
        config = artifact.source.meta["config"]
        fault = config.get("fault", "none")
        if not artifact.handle.get("counted"):  # once per process and config
            artifact.handle["counted"] = True
            log = os.environ["ATTNCC_TEST_ATTEMPTS"]
            line = f"{fault} {json.dumps(config, sort_keys=True)}"  # "once" is per config
            with open(log, "a") as f:
                f.write(f"{line}\n")
            with open(log) as f:
                attempts = f.read().splitlines().count(line)
            kind = fault.removesuffix("_once")
            if fault.startswith("sig") and (kind == fault or attempts == 1):
                os.kill(os.getpid(), signal.SIGKILL if kind == "sigkill" else signal.SIGINT)
                time.sleep(10)  # the signal arrives
        if fault == "nap":
            time.sleep(0.2)
        return super().run(artifact, arrays, scalars, extents)


class SlowTarget(FakeTarget):
    """Every call takes 0.15 s: trials last long enough to kill a worker in the middle."""

    name = "slow"

    def run(self, artifact, arrays, scalars, extents):
        time.sleep(0.15)
        return super().run(artifact, arrays, scalars, extents)


class OptionTarget(FakeTarget):
    """A target with constructor arguments (like ``CudaTarget(arch)``): a study records them
    as ``target_options`` and a worker rebuilds the target with them."""

    name = "optioned"

    def __init__(self, lanes: int = 4, mode: str | None = None, exact: bool = True):
        self.lanes, self.mode, self.exact = lanes, mode, exact

    def describe(self):
        return {"target": "optioned", "lanes": self.lanes, "mode": self.mode}


# Tuning studies name their target from the registry only; registering is what a test (or a
# user with a target of their own) does. Measurement and worker processes started by this
# process are handed these registrations; a database cannot add one.
for _cls in (FakeTarget, FaultyTarget, KilledTarget, OptionTarget, SlowTarget):
    register_target(_cls)


# ---------------------------------------------------------------------------- test doubles


class ScriptedRunner(Runner):
    """Measures nothing: ``delay(config)`` seconds, in process. ``interrupt_at``: the call
    (0-based) that raises KeyboardInterrupt, as Ctrl-C in the middle of a trial would."""

    def __init__(self, interrupt_at: int | None = None):
        self.calls: list[dict] = []
        self.interrupt_at = interrupt_at

    def run(self, inputs):
        out = []
        for i in inputs:
            if len(self.calls) == self.interrupt_at:
                self.interrupt_at = None
                raise KeyboardInterrupt
            self.calls.append(dict(i.config))
            out.append(RunnerResult(dict(i.config), Status.OK, seconds=delay(i.config), samples=1))
        return out


class OracleModel(CostModel):
    """Knows the fake target's timings: scores ``-delay``; remembers what it was fit on."""

    def __init__(self):
        self.fits: list[list] = []

    def fit(self, records):
        self.fits.append(list(records))

    def predict(self, candidates):
        return [-delay(c.config) for c in candidates]

    def save(self, path):
        raise NotImplementedError

    @classmethod
    def load(cls, path):
        raise NotImplementedError
