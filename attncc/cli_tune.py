"""The tuning commands of ``attncc``: ``tune``, ``show``, ``worker`` (thin, over
:mod:`attncc.search`). :mod:`attncc.cli` adds them to its app.

``--param NAME=VALUE`` (repeatable) says which param values to measure at -- those the
kernel will be called with; the study is keyed by them, ``attncc show`` lists them, and a
worker joining the study measures at them. ``--target NAME`` names a registered target,
``--target-option KEY=VALUE`` (repeatable) passes it a constructor argument
(``--target cuda --target-option arch=sm_80``).
"""

from __future__ import annotations

import json
from typing import Annotated
from typing import Any

import typer
from rich.table import Table

from attncc.cli_common import Debug
from attncc.cli_common import _err
from attncc.cli_common import _out
from attncc.cli_common import load_program
from attncc.cli_common import parse_shapes
from attncc.cli_common import reporting
from attncc.cli_common import set_debug
from attncc.errors import ArgumentError
from attncc.search.database import summaries
from attncc.search.params import parse_params
from attncc.search.params import tuning_params
from attncc.search.plot import plot_study
from attncc.search.problem import Problem
from attncc.search.problem import format_param
from attncc.search.progress import TuningProgress
from attncc.search.progress import format_seconds
from attncc.search.reference import load_inputs
from attncc.search.registry import resolve_target
from attncc.search.runner import Status
from attncc.search.tuner import TuneOptions
from attncc.search.tuner import Tuner
from attncc.search.worker import run_worker
from attncc.search.worker import spawn_workers
from attncc.search.worker import stop_workers
from attncc.search.worker import study_budget

__all__ = ["show", "tune", "worker"]

Storage = Annotated[
    str | None,
    typer.Option(help="Tuning database URL (default sqlite:///attncc-tuning.db) or a file path."),
]
Inputs = Annotated[
    str | None,
    typer.Option(help="Measure on these inputs: an .npz of arrays (and 0-d params) by name."),
]


def config_text(config: dict[str, Any]) -> str:
    items = (f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in config.items())
    return ",".join(items)


def params_text(params: dict[str, Any]) -> str:
    return ",".join(f"{k}={format_param(v)}" for k, v in params.items()) or "-"


def _tune_options(trials: int, timeout: float, seed: int):
    return TuneOptions(trials=trials, timeout=timeout, seed=seed)


def _target_options(texts: list[str]) -> dict[str, Any]:
    """``["arch=sm_80", "f16=false"]`` → ``{"arch": "sm_80", "f16": False}``: a value that
    reads as JSON (numbers, true/false/null, "quoted") is that, anything else a string."""
    options: dict[str, Any] = {}
    for text in texts:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise ArgumentError(
                f"--target-option takes KEY=VALUE, got {text!r}; e.g. --target-option arch=sm_80"
            )
        try:
            options[key.strip()] = json.loads(value)
        except ValueError:
            options[key.strip()] = value.strip()
    return options


def _print_best(result) -> None:
    out = _out()
    # proposals skipped without a measurement (infeasible, duplicate) are not "measured"
    spent = {s: n for s, n in result.statuses.items() if Status(s).measured}
    skipped = {s: n for s, n in result.statuses.items() if not Status(s).measured}
    counts = ", ".join(f"{n} {s}" for s, n in sorted(spent.items()))
    line = f"study {result.study} in {result.storage}: {result.measured} measured ({counts})"
    if skipped:
        line += "; skipped unmeasured: " + ", ".join(f"{n} {s}" for s, n in sorted(skipped.items()))
    out.print(line)
    if result.config is None:
        raise ArgumentError("no config built and matched the reference; see `attncc show`")
    out.print(
        f"best: {format_seconds(result.seconds)} (trial {result.trial}) "
        f"config {config_text(result.config)}"
    )


def tune(
    program: Annotated[str, typer.Argument(help="A program file (.attn) or a catalogue name.")],
    target: Annotated[str, typer.Option(help="Target to tune for (a registered name).")] = "cpu",
    shape: Annotated[
        str, typer.Option(help="Every rank's extent, e.g. b=1,h=8,g=2,p=2048,m=2048,e=64,f=64.")
    ] = "",
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="A param value to measure at, NAME=VALUE (repeatable), e.g. --param W=256: "
            "the values the kernel will be called with. Others take their declared defaults.",
        ),
    ] = None,
    target_option: Annotated[
        list[str] | None,
        typer.Option(
            "--target-option",
            help="A constructor argument of the target, KEY=VALUE (repeatable), e.g. arch=sm_80.",
        ),
    ] = None,
    trials: Annotated[int, typer.Option(help="Measurements the study should hold.")] = 64,
    storage: Storage = None,
    timeout: Annotated[float, typer.Option(help="Seconds to run one config.")] = 60.0,
    workers: Annotated[int, typer.Option(help="Worker processes on the study.")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the search and the inputs.")] = 0,
    no_model: Annotated[
        bool, typer.Option("--no-model", help="Search with TPE alone, no cost model.")
    ] = False,
    inputs: Inputs = None,
    debug: Debug = False,
) -> None:
    """Autotune a program: measure configs into a study, print the best (resumable).

    Measurements run on seeded random inputs unless --inputs gives arrays of your own (an
    .npz by input name; index inputs such as page tables and document ids change speed),
    and at the params' declared defaults unless --param (or a 0-d entry of --inputs) says
    otherwise."""

    set_debug(debug)
    with reporting(program):
        if workers < 1:
            raise ArgumentError(f"--workers must be at least 1, got {workers}")
        prog, _ = load_program(program)
        tgt = resolve_target(target, _target_options(target_option or []))
        arrays = None if inputs is None else load_inputs(inputs)
        params = tuning_params(prog, parse_params(prog, param or []), arrays)
        problem = Problem.create(prog, tgt, parse_shapes(shape), params)
        options = _tune_options(trials, timeout, seed)
        model = None if no_model else "auto"
        tuner = Tuner(problem, storage, options, cost_model=model, inputs=arrays)
        tuner.prepare()
        helpers = spawn_workers(
            tuner.url,
            tuner.study.study_name,
            options,
            workers - 1,
            model=not no_model,
            inputs=inputs,
        )
        try:
            with TuningProgress(trials, _out(), done=tuner.result().measured) as show:
                tuner.on_trial = show
                result = tuner.run()
            stop_workers(helpers)
        except KeyboardInterrupt:
            stop_workers(helpers, interrupt=True)
            _err().print(
                f"interrupted: measurements so far are in study {tuner.study.study_name} of "
                f"{tuner.url}; run the same command again to resume"
            )
            raise typer.Exit(130) from None
        _print_best(tuner.result() if helpers else result)


def show(
    storage: Storage = None,
    plot: Annotated[
        str | None,
        typer.Option(
            help="Draw a study to this file (.png, .svg or .html): best so far against trials "
            "and wall time, the model's scores against measured times, the default and the "
            "model's pick."
        ),
    ] = None,
    study: Annotated[
        str | None, typer.Option(help="The study to plot (needed when there are several).")
    ] = None,
    debug: Debug = False,
) -> None:
    """The best config of every study in a tuning database, with the params it was
    measured at; ``--plot FILE`` draws one study."""

    set_debug(debug)
    with reporting():
        if plot is not None:
            written = plot_study(storage, plot, study)
            _out().print(f"wrote {written}")
            return
        rows = summaries(storage)
        columns = ("study", "program", "target", "params", "measured", "failed", "best")
        table = Table(*columns, "config")
        for column in table.columns:
            column.overflow = "fold"  # names and configs are read (and pasted) in full
        for r in rows:
            config = "-" if r.best_config is None else config_text(r.best_config)
            target = r.target
            if r.target_options:
                target += " " + ",".join(f"{k}={v}" for k, v in r.target_options.items())
            table.add_row(
                r.name,
                r.program,
                target,
                params_text(r.params),
                str(r.measured),
                str(r.failed),
                format_seconds(r.best_seconds),
                config,
            )
        if not rows:
            _out().print("no tuning studies in this storage")
            return
        _out().print(table)


def worker(
    storage: Annotated[str, typer.Option(help="Tuning database URL shared with the study.")],
    study: Annotated[str, typer.Option(help="Study to join (see `attncc show`).")],
    trials: Annotated[
        int | None, typer.Option(help="Measurements the study should hold (default: its own).")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to run one config.")] = 60.0,
    inputs: Inputs = None,
    debug: Debug = False,
) -> None:
    """Join a study from another process or machine and measure until it is done (at the
    study's shape and params, on its target)."""

    set_debug(debug)
    with reporting():
        arrays = None if inputs is None else load_inputs(inputs)
        budget = study_budget(storage, study) if trials is None else trials
        options = _tune_options(budget, timeout, 0)
        try:
            result = run_worker(storage, study, options, inputs=arrays)
        except KeyboardInterrupt:
            _err().print("interrupted: the study keeps every finished measurement")
            raise typer.Exit(130) from None
        _print_best(result)
