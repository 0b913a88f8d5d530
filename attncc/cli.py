"""The ``attncc`` command line. Each command parses its arguments and calls the library.

* ``attncc check FILE.attn ...`` -- parse, validate and analyse; print the report.
  ``--catalogue`` / ``--variant NAME`` check programs of :mod:`attncc.variants`.
* ``attncc variants [NAME]`` -- list the catalogue, or print one program's text.
* ``attncc lower PROGRAM --target cpu --shape ...`` -- the generated kernel source, the
  schedule knobs (``--space``) or the IR after a rewrite (``--dump-after inline``).
* ``attncc demo`` -- compile a real variant for the CPU and compare it with PyTorch.
* ``attncc tune PROGRAM --shape ... [--param W=256] --trials N`` -- autotune into a study
  (resumable, ``--workers N`` processes); ``attncc show`` -- best configs per study;
  ``attncc worker --storage URL --study NAME`` -- join a study from another process
  (:mod:`attncc.cli_tune`).
* ``attncc export --storage URL --out DIR`` -- the best configs, built into a kernel library
  (``--program NAME_OR_FILE --shape ...`` adds the cost model's pick where nothing was tuned;
  ``--param W=256`` chooses the studies tuned at it); it prints the library digest and the
  Python and JavaScript lines that pin it.

An :class:`~attncc.errors.AttnccError` becomes one red line on stderr
(``error: FILE:LINE:COL: message``), then the rest of the message and the source line with a
caret, and exit code 1. ``--debug`` (before or after the command) prints the traceback first.
Output that is not a terminal never wraps (:mod:`attncc.cli_common`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from attncc import cli_tune
from attncc.cli_common import Debug
from attncc.cli_common import _err
from attncc.cli_common import _out
from attncc.cli_common import catalogue as _catalogue
from attncc.cli_common import error_lines
from attncc.cli_common import load_program
from attncc.cli_common import param_texts
from attncc.cli_common import parse_config
from attncc.cli_common import parse_shapes
from attncc.cli_common import read_text
from attncc.cli_common import report_error
from attncc.cli_common import reporting
from attncc.cli_common import reset_debug
from attncc.cli_common import set_debug
from attncc.cli_common import variant as _variant
from attncc.demo import TOLERANCE
from attncc.demo import VARIANT
from attncc.demo import check_demo_args
from attncc.demo import demo_program
from attncc.demo import run_demo
from attncc.errors import ArgumentError
from attncc.errors import AttnccError
from attncc.ir.analysis import count_passes
from attncc.ir.analysis import render_report
from attncc.ir.analysis import report
from attncc.ir.bind import bind
from attncc.ir.nodes import Program
from attncc.ir.parser import parse
from attncc.ir.rewrites import PASSES
from attncc.ir.rewrites import run_passes
from attncc.ir.validate import validate
from attncc.library.export import export as export_library
from attncc.search.progress import TuningProgress
from attncc.targets import get_target
from attncc.targets.pipeline import STAGES
from attncc.targets.pipeline import Specialised

__all__ = ["app", "error_lines", "main"]

app = typer.Typer(
    name="attncc",
    help="A compiler and autotuner for attention kernels written as cascades of einsums.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main(debug: Debug = False) -> None:
    """A compiler and autotuner for attention kernels written as cascades of einsums."""
    reset_debug(debug)  # on every invocation; a command's own --debug adds to it


# ----------------------------------------------------------------------------- lower


@app.command()
def lower(
    program: Annotated[str, typer.Argument(help="A program file (.attn) or a catalogue name.")],
    target: Annotated[str, typer.Option(help="Target to lower for.")] = "cpu",
    shape: Annotated[
        str, typer.Option(help="Rank extents, e.g. b=1,h=8,g=2,p=128,m=128,e=64,f=64.")
    ] = "",
    config: Annotated[str, typer.Option(help="Knobs, e.g. lowering=generic,fuse=1.")] = "",
    dump_after: Annotated[
        str | None,
        typer.Option(
            "--dump-after",
            help="Stop after an IR pass (inline: print the program) or a build stage "
            f"({', '.join(STAGES)}: print what it produced). Default: lower.",
        ),
    ] = None,
    space: Annotated[
        bool, typer.Option("--space", help="List the schedule knobs (--dump-after space).")
    ] = False,
    debug: Debug = False,
) -> None:
    """Print what attncc generates for a program: rewritten IR, knobs, or kernel source."""
    set_debug(debug)
    with reporting(program):
        prog, _ = load_program(program)
        stage = "space" if space else (dump_after or "lower")
        if stage not in STAGES:
            sys.stdout.write(run_passes(prog, _ir_pass(stage)).text)
            return
        tgt = get_target(target)
        extents = bind(prog, extents=parse_shapes(shape)).extents
        specialised = Specialised.of(tgt, prog, extents)
        chosen = parse_config(config)
        if stage == "specialise":
            _print_json({r: n for r, n in specialised.extents.items()})
        elif stage == "space":
            rows = Table("knob", "choices", "default", box=None)
            for k in specialised.space.knobs:
                rows.add_row(k.name, ", ".join(map(str, k.choices)), str(k.initial))
            _out().print(rows)
        elif stage in ("check", "complete"):
            specialised.check(chosen)
            _print_json(chosen if stage == "check" else specialised.complete(chosen))
        elif stage == "lower":
            text = specialised.lower(chosen).text
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        else:
            built = specialised.build(chosen).source
            _print_json({"target": built.target, "entry": built.entry, **built.meta})


def _ir_pass(name: str) -> str:
    if name not in {n for n, _ in PASSES}:
        raise ArgumentError(
            f"unknown pass {name!r}; the IR passes are {', '.join(n for n, _ in PASSES)} and "
            f"the build stages {', '.join(STAGES)}"
        )
    return name


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=1, sort_keys=True, default=str) + "\n")


# ----------------------------------------------------------------------------- check


def _summary_row(program: Program, passes: dict[str, int]) -> list[str]:
    text = ", ".join(f"{r}:{n}" for r, n in passes.items()) or "-"
    return [program.name, str(len(program.stmts)), text]


@app.command()
def check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Program files (.attn); '-' reads standard input.", show_default=False),
    ] = None,
    catalogue: Annotated[
        bool, typer.Option("--catalogue", help="Check every program of the catalogue.")
    ] = False,
    variant: Annotated[
        list[str] | None, typer.Option("--variant", help="Check a catalogue program (repeatable).")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="One summary line per program, no reports.")
    ] = False,
    debug: Debug = False,
) -> None:
    """Parse, validate and analyse programs; print ranks, tensors, dataflow and passes."""

    set_debug(debug)
    jobs: list[tuple[str, Callable[[], Program], str | None]] = []
    for path in files or []:
        label = "<stdin>" if str(path) == "-" else str(path)
        try:
            text = read_text(path)
        except ArgumentError as e:
            jobs.append((label, _raiser(e), None))
            continue
        jobs.append((label, lambda text=text: parse(text), text))
    names = list(_catalogue()) if catalogue else []
    names += [v for v in variant or [] if v not in names]
    jobs += [(f"variant {n}", lambda n=n: _variant(n), None) for n in names]
    if not jobs:
        raise typer.BadParameter("give FILE.attn arguments, --catalogue or --variant NAME")

    out = _out()
    summary = Table("program", "statements", "passes", "status", show_edge=False)
    failed = 0
    for label, load, source in jobs:
        try:
            program = load()
            rep = report(program)
        except AttnccError as e:
            failed += 1
            report_error(e, label, source)
            summary.add_row(Text(label), "", "", Text("error", style="red"))
            continue
        if not quiet:
            out.print(render_report(rep))
            out.print()
        summary.add_row(*(Text(c) for c in _summary_row(program, rep.passes)), Text("ok", "green"))
    if quiet or len(jobs) > 1:
        out.print(summary)
    if failed:
        if len(jobs) > 1:
            _err().print(Text(f"{failed} of {len(jobs)} programs failed", style="bold red"))
        raise typer.Exit(1)


def _raiser(error: AttnccError) -> Callable[[], Program]:
    def load() -> Program:
        raise error

    return load


# ----------------------------------------------------------------------------- variants


@app.command()
def variants(
    name: Annotated[
        str | None, typer.Argument(help="Print this program's text.", show_default=False)
    ] = None,
    debug: Debug = False,
) -> None:
    """List the catalogue of standard programs, or print one (`attncc variants NAME > x.attn`)."""
    set_debug(debug)
    with reporting():
        if name is not None:
            typer.echo(_variant(name).text, nl=False)
            return
        out, table = _out(), Table("variant", "statements", "description", show_edge=False)
        for key, build in _catalogue().items():
            program = build()
            table.add_row(key, str(len(program.stmts)), Text(_first_line(program, build)))
        out.print(table)


def _first_line(program: Program, build: Callable[..., Any]) -> str:
    doc = program.doc or (build.__doc__ or "")
    return doc.strip().splitlines()[0] if doc.strip() else ""


# ----------------------------------------------------------------------------- demo


@app.command()
def demo(
    seq: Annotated[int, typer.Option(help="Sequence length S (queries = keys).")] = 2048,
    heads: Annotated[int, typer.Option(help="Query heads H.")] = 8,
    kv_heads: Annotated[int, typer.Option(help="Key/value heads g (H % g == 0).")] = 2,
    dim: Annotated[int, typer.Option(help="Head dimension D.")] = 64,
    window: Annotated[int, typer.Option(help="Sliding window W.")] = 256,
    cap: Annotated[float, typer.Option(help="Logit soft-cap.")] = 30.0,
    trials: Annotated[int, typer.Option(help="Tuning trials (measured schedules).")] = 8,
    seed: Annotated[int, typer.Option(help="Seed of the random inputs.")] = 0,
    library: Annotated[
        str, typer.Option(help="Where to export the tuned kernels as a library ('' to skip).")
    ] = "attncc-demo-library",
    debug: Debug = False,
) -> None:
    """Compile and tune GQA + sliding window + soft-cap for the CPU; compare with PyTorch;
    export the tuned kernel as a library."""

    set_debug(debug)
    with reporting():
        sizes = dict(seq=seq, heads=heads, kv_heads=kv_heads, dim=dim, window=window, cap=cap)
        check_demo_args(**sizes, trials=trials)
        out, table = _out(), _catalogue()
        for build in table.values():
            validate(build())
        out.print(f"[green]catalogue[/]: {len(table)} programs valid\n")
        program = demo_program(window, cap)
        out.print(Text(program.text, style="cyan"), soft_wrap=True)
        passes = ", ".join(f"{n} over {r}" for r, n in count_passes(program).items())
        out.print(f"passes: {passes}")
        shape = f"B=1 H={heads} g={kv_heads} S={seq} D={dim} W={window} cap={cap}"
        out.print(f"inputs: {shape}, float32, seed {seed}; tuned and timed at W={window}\n")
        with TuningProgress(trials, console=out) as show:
            r = run_demo(
                seq=seq,
                heads=heads,
                kv_heads=kv_heads,
                dim=dim,
                window=window,
                cap=cap,
                trials=trials,
                seed=seed,
                library=library or None,
                on_trial=show,
            )
        ok = r.max_abs_err < TOLERANCE
        verdict = "[green]match[/]" if ok else "[bold red]MISMATCH[/]"
        out.print(
            f"compiled and tuned for cpu ({r.configs_tried} trials) in {r.build_s:.1f} s: "
            f"{r.config}",
            soft_wrap=True,
        )
        out.print(
            f"max |attncc - reference| = {r.max_abs_err:.2e} (tolerance {TOLERANCE:.0e}): "
            f"{verdict}\n",
            soft_wrap=True,
        )
        rows = Table("implementation", "median ms", "attncc speed-up", box=None)
        best = r.attncc[-1]
        for timing in r.attncc:
            rows.add_row(timing.label, f"{timing.seconds * 1e3:.1f}", "")
        for peer in r.peers:
            ratio = peer.seconds / best.seconds
            rows.add_row(peer.label, f"{peer.seconds * 1e3:.1f}", f"{ratio:.2f}x")
        out.print(rows)
        for note in r.notes:
            out.print(note, soft_wrap=True)
        if r.library is not None:
            ok = _print_library(r.library, VARIANT, TOLERANCE, f"W={window}, cap={cap}") and ok
        if not ok:
            raise typer.Exit(1)


def _print_library(lib, variant: str, tolerance: float, params: str) -> bool:
    out = _out()
    kinds = ", ".join(f"{t} ({how})" for t, how in lib.kernels)
    ok = lib.max_abs_err < tolerance
    verdict = "[green]match[/]" if ok else "[bold red]MISMATCH[/]"
    out.print(f"\nexported a kernel library to {lib.path}: {kinds}", soft_wrap=True)
    if lib.note:
        out.print(f"[yellow]{lib.note}[/]", soft_wrap=True)
    out.print(f"loaded back, every kernel against the reference: {verdict}", soft_wrap=True)
    out.print("load it from Python (neither the tuner nor the cost model is imported):")
    out.print(
        f'  lib = attncc.load_library("{lib.path}")\n'
        f'  out = lib("{variant}", Q=q, K=k, V=v, {params})',
        soft_wrap=True,
        markup=False,
    )
    if any(t == "webgpu" for t, _ in lib.kernels):
        out.print("and from a web page, through attncc.js (see docs/library.md):")
        out.print(
            f'  const lib = await loadLibrary("{lib.path}/");\n'
            f'  const {{ O }} = await lib.run("{variant}", {{ Q, K, V }}, {{ shapes, scalars }});',
            soft_wrap=True,
            markup=False,
        )
    return ok


# ----------------------------------------------------------------------------- tuning

app.command()(cli_tune.tune)
app.command()(cli_tune.show)
app.command()(cli_tune.worker)


# ----------------------------------------------------------------------------- export


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the library to.")],
    storage: cli_tune.Storage = None,
    target: Annotated[
        str, typer.Option(help="Targets to export, comma-separated (cpu,webgpu,cuda).")
    ] = "cpu",
    program: Annotated[
        list[str] | None,
        typer.Option(
            "--program",
            help="Export only this program (a .attn file, or a name in the database or the "
            "catalogue); repeatable.",
        ),
    ] = None,
    shape: Annotated[
        list[str] | None,
        typer.Option(
            "--shape",
            help="Also export the --program(s) at these extents (b=1,h=8,...): tuned if the "
            "database has them, else the cost model's pick; repeatable.",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="A param value of the --program(s), NAME=VALUE (repeatable), e.g. --param "
            "W=256: export the studies tuned at it, and the --shape(s) at it.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing library at --out.")
    ] = False,
    debug: Debug = False,
) -> None:
    """Build the best tuned configs into a kernel library (manifest.json + artifacts), and
    print its digest with the lines that pin it."""

    set_debug(debug)
    with reporting():
        programs: list[Program | str] = []
        for spec in program or []:
            path = Path(spec)
            is_file = path.suffix == ".attn" or path.exists()
            programs.append(load_program(spec)[0] if is_file else spec)
        targets = [t.strip() for t in target.split(",") if t.strip()]
        shapes = [parse_shapes(s) for s in shape or []]
        report = export_library(
            out,
            storage,
            targets=targets,
            programs=programs,
            shapes=shapes,
            params=param_texts(param or []),
            replace=force,
        )
        table = Table("program", "target", "bucket", "params", "provenance", "config")
        for column in table.columns:
            column.overflow = "fold"
        for k in report.kernels:
            config, params = cli_tune.config_text(k.config), cli_tune.params_text(k.params)
            table.add_row(k.program, k.target, k.bucket, params, k.provenance, config)
        console = _out()
        console.print(table)
        for study, why in report.skipped:
            console.print(f"skipped {study}: {why}", soft_wrap=True)
        n_programs = len({k.program for k in report.kernels})
        console.print(
            f"wrote {report.path}: {len(report.kernels)} kernel(s) of {n_programs} program(s)",
            soft_wrap=True,
        )
        _print_pin(report.path, report.sha256)


def _print_pin(path: Path, digest: str) -> None:
    """The library digest, and the lines that load only this library (docs/library.md)."""
    where = json.dumps(str(path))
    url = json.dumps(str(path).rstrip("/") + "/")
    _out().print(
        f"library digest (sha256): {digest}\n"
        "pin it, so that only this library loads:\n"
        f'  Python: attncc.load_library({where}, sha256="{digest}")\n'
        f'  JS:     await loadLibrary({url}, {{ sha256: "{digest}" }})',
        soft_wrap=True,
        markup=False,
        highlight=False,
    )


def main() -> None:
    """The ``attncc`` console script."""
    app()


if __name__ == "__main__":
    main()
