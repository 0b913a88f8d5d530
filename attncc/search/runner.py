"""Runners: measure configs and say how each went. A failed candidate is data.

:class:`Runner` is the interface (one batched method); :class:`LocalRunner` measures in a
separate process on this machine (:mod:`attncc.search.measure`), one config at a time, and
turns whatever happens into a :class:`RunnerResult`:

=================  ================================================================
``ok``             built, matched the reference, timed: ``seconds`` is the median
``compile_error``  lowering or building raised (message in ``error``)
``run_error``      the kernel raised a Python error when called
``wrong_result``   outputs differ from the reference by more than the tolerance
                   (``max |out - ref| / max(1, max |finite ref|)``, 1e-4 by default),
                   or differ in where they hold NaN, +inf or -inf
``crash``          the measurement process died (a signal such as SIGSEGV, an abort);
                   the next config gets a fresh process. A process killed from outside
                   (SIGKILL, SIGINT, SIGTERM, SIGHUP: the OOM killer, a user) is not
                   the config's fault: it is measured again once, in a fresh process,
                   and only a second death is a ``crash``
``timeout``        no answer within ``timeout`` seconds of the build (or
                   ``build_timeout`` for the build); the process is killed
=================  ================================================================

Anything but ``ok`` has ``seconds = inf``. Only ``ok`` results can become the best.
"""

from __future__ import annotations

import abc
import contextlib
import dataclasses
import enum
import math
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from multiprocessing.connection import Connection
from typing import Any

from attncc.search.measure import MeasureTask

__all__ = [
    "EXTERNAL_SIGNALS",
    "LocalRunner",
    "MeasureTask",
    "Runner",
    "RunnerInput",
    "RunnerResult",
    "Status",
]


#: Signals that come from outside a measurement (the OOM killer's SIGKILL, a user's Ctrl-C or
#: ``kill``): a child ended by one is measured again once before its config counts as failed.
EXTERNAL_SIGNALS = frozenset({signal.SIGKILL, signal.SIGINT, signal.SIGTERM, signal.SIGHUP})


class Status(str, enum.Enum):
    """How a candidate went (stored on its trial as the ``status`` user attribute)."""

    OK = "ok"
    COMPILE_ERROR = "compile_error"
    RUN_ERROR = "run_error"
    WRONG_RESULT = "wrong_result"
    CRASH = "crash"
    TIMEOUT = "timeout"
    # set by the tuner, never by a runner: the config was not measured
    INFEASIBLE = "infeasible"
    DUPLICATE = "duplicate"

    @property
    def measured(self) -> bool:
        """Whether a measurement was spent on it (counts towards the trial budget)."""
        return self not in (Status.INFEASIBLE, Status.DUPLICATE)


@dataclass(frozen=True)
class RunnerInput:
    config: Mapping[str, Any]


@dataclass(frozen=True)
class RunnerResult:
    config: Mapping[str, Any]
    status: Status
    seconds: float = math.inf
    error: str | None = None
    build_s: float | None = None
    max_error: float | None = None
    samples: int = 0
    artifact: Mapping[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status is Status.OK


class Runner(abc.ABC):
    """Measures candidates of one problem."""

    @abc.abstractmethod
    def run(self, inputs: Sequence[RunnerInput]) -> list[RunnerResult]:
        """One result per input, in order; never raises for a bad candidate."""

    def close(self) -> None:  # noqa: B027 -- optional hook
        """Release processes and files."""

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalRunner(Runner):
    """Measures in a child process (restarted after a crash or timeout).

    ``timeout`` bounds running one config (check and timing), ``build_timeout`` its build
    (and the child's start, which imports the target's toolchain).
    """

    def __init__(self, task: MeasureTask, *, timeout: float = 60.0, build_timeout: float = 600.0):
        self.task = task
        self.timeout = timeout
        self.build_timeout = max(build_timeout, timeout)
        self._proc: subprocess.Popen | None = None
        self._inbox = self._outbox = None
        self._log: Any = None
        self._killed_by: int | None = None  # the signal that ended the last attempt

    # ------------------------------------------------------------------ process
    def _start(self) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 -- lives as long as the child
        path = [os.getcwd() if p == "" else p for p in sys.path]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in path if os.path.isdir(p))}
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "attncc.search.measure", str(to_child_r), str(from_child_w)],
                pass_fds=(to_child_r, from_child_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._log,
                env=env,
                start_new_session=True,
            )
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self._outbox = Connection(to_child_w, readable=False)
        self._inbox = Connection(from_child_r, writable=False)

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        if proc is not None:
            proc.wait()
        for conn in (self._inbox, self._outbox):
            if conn is not None:
                conn.close()
        self._inbox = self._outbox = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def close(self) -> None:
        self._stop()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._stop()

    # ------------------------------------------------------------------ measuring
    def run(self, inputs: Sequence[RunnerInput]) -> list[RunnerResult]:
        return [self._one(dict(i.config)) for i in inputs]

    def _one(self, config: dict[str, Any]) -> RunnerResult:
        """One measurement; one killed from outside (the OOM killer's SIGKILL, a SIGINT or
        SIGTERM sent to the child) is measured again once, in a fresh process, before it
        counts: such a kill says nothing about the config. A second kill is a crash."""
        result = self._attempt(config)
        if self._killed_by not in EXTERNAL_SIGNALS:
            return result
        first = self._killed_by
        again = self._attempt(config)
        if again.status is not Status.CRASH:
            return again
        return dataclasses.replace(
            again,
            error=f"{again.error} (it was measured twice: the first process was killed by "
            f"{_signal_name(first)} too)",
        )

    def _attempt(self, config: dict[str, Any]) -> RunnerResult:
        self._killed_by = None
        if self._proc is None or self._proc.poll() is not None:
            self._stop()
            self._start()
        try:
            self._outbox.send(("measure", self.task, config))
        except OSError:
            return self._died(config, None)
        build_s = None
        deadline = self.build_timeout
        while True:
            if not self._inbox.poll(deadline):
                self._stop()
                what = "building" if build_s is None else "running"
                limit = self.build_timeout if build_s is None else self.timeout
                return RunnerResult(
                    config,
                    Status.TIMEOUT,
                    error=f"no answer after {limit:g} s {what} it",
                    build_s=build_s,
                )
            try:
                kind, payload = self._inbox.recv()
            except (EOFError, OSError):
                return self._died(config, build_s)
            if kind == "built":
                build_s, deadline = payload, self.timeout
                continue
            assert kind == "result", kind
            return _result(payload)

    def _died(self, config: dict[str, Any], build_s: float | None) -> RunnerResult:
        proc = self._proc
        code = proc.wait(timeout=10) if proc is not None else None
        tail = ""
        if self._log is not None:
            self._log.seek(0)
            lines = self._log.read().decode(errors="replace").strip().splitlines()
            tail = f"; its last output: {lines[-1][:300]}" if lines else ""
        self._stop()
        if code is not None and code < 0:
            self._killed_by = -code
            why = f"the measurement process was killed by {_signal_name(-code)}"
        else:
            why = f"the measurement process exited with code {code}"
        stage = "building" if build_s is None else "running"
        return RunnerResult(
            config, Status.CRASH, error=f"{why} while {stage}{tail}", build_s=build_s
        )


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _result(payload: dict[str, Any]) -> RunnerResult:
    return RunnerResult(
        config=payload["config"],
        status=Status(payload["status"]),
        seconds=payload.get("seconds", math.inf),
        error=payload.get("error"),
        build_s=payload.get("build_s"),
        max_error=payload.get("max_error"),
        samples=payload.get("samples", 0),
    )
