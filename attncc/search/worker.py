"""Tuning workers: processes that join one study and measure until it holds its trials.

``python -m attncc.search.worker --storage URL --study NAME [--options JSON]`` is what
``attncc tune --workers N`` starts N - 1 times beside itself (and what ``attncc worker``
runs). Workers share nothing but the storage: each reads the problem from the study's
attributes, trains its own cost model on every measured trial, and pops enqueued trials
atomically, so any of them may die at any time (its running trial goes stale and is failed
after the heartbeat grace period; its config is proposed again later).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict

from attncc.errors import AttnccError
from attncc.search.database import open_storage
from attncc.search.database import open_study
from attncc.search.reference import load_inputs
from attncc.search.registry import adopt
from attncc.search.registry import registrations
from attncc.search.tuner import TuneOptions
from attncc.search.tuner import Tuner
from attncc.search.tuner import TuneResult

__all__ = ["run_worker", "spawn_workers", "stop_workers", "study_budget"]


def study_budget(storage: str, study: str) -> int:
    """The trial budget ``study`` was last tuned towards (what a joining worker aims for)."""

    return int(open_study(open_storage(storage), study).user_attrs.get("trials", 64))


def run_worker(storage: str, study: str, options: TuneOptions | None = None, **kw) -> TuneResult:
    """Join ``study`` and measure until it holds ``options.trials`` measurements (default
    options: the budget of the run that created or last extended it)."""
    options = options or TuneOptions(trials=study_budget(storage, study))
    return Tuner.join(storage, study, options, **kw).run()


def spawn_workers(
    storage: str,
    study: str,
    options: TuneOptions,
    count: int,
    *,
    model: bool = True,
    inputs: str | None = None,
) -> list[subprocess.Popen]:
    """Start ``count`` worker processes on ``study`` (they are handed the targets registered
    in this process); ``model=False``: they search with TPE alone; ``inputs``: the ``.npz``
    of the user's inputs the study measures on."""
    path = [os.getcwd() if p == "" else p for p in sys.path]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in path if os.path.isdir(p))}
    command = [sys.executable, "-m", "attncc.search.worker", "--storage", storage]
    command += ["--study", study, "--options", json.dumps(asdict(options))]
    command += [] if model else ["--no-model"]
    command += [] if inputs is None else ["--inputs", os.path.abspath(inputs)]
    registered = registrations()
    command += ["--targets", json.dumps(registered)] if registered else []
    return [
        subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        for _ in range(count)
    ]


def stop_workers(
    procs: Sequence[subprocess.Popen], *, interrupt: bool = False, timeout: float | None = None
) -> list[int]:
    """Wait for the workers (after SIGINT to each when ``interrupt``; killed after
    ``timeout`` seconds, 60 when interrupting); their exit codes."""
    if interrupt:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        timeout = 60 if timeout is None else timeout
    codes = []
    for p in procs:
        try:
            codes.append(p.wait(timeout=timeout))
        except subprocess.TimeoutExpired:
            p.kill()
            codes.append(p.wait())
    return codes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m attncc.search.worker")
    parser.add_argument("--storage", required=True)
    parser.add_argument("--study", required=True)
    parser.add_argument("--options", default=None, help="TuneOptions fields as JSON")
    parser.add_argument("--no-model", action="store_true", help="TPE alone, no cost model")
    parser.add_argument("--inputs", default=None, help="the study's inputs (.npz)")
    parser.add_argument(
        "--targets", default=None, help="targets registered in the spawning process (JSON)"
    )
    args = parser.parse_args(argv)
    options = TuneOptions(**json.loads(args.options)) if args.options else None

    try:
        if args.targets:  # handed over by the process that started this one (spawn_workers)
            adopt(json.loads(args.targets))
        inputs = None if args.inputs is None else load_inputs(args.inputs)
        model = None if args.no_model else "auto"
        run_worker(args.storage, args.study, options, cost_model=model, inputs=inputs)
    except AttnccError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
