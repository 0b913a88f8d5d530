"""The ``attncc`` command line. Each command parses its arguments and calls the library.

* ``attncc check FILE.attn ...`` -- parse, validate and analyse; print the report.
  ``--catalogue`` / ``--variant NAME`` check programs of :mod:`attncc.variants`.
* ``attncc variants [NAME]`` -- list the catalogue, or print one program's text.
* ``attncc demo`` -- the reference interpreter against PyTorch on a real variant.

An :class:`~attncc.errors.AttnccError` becomes one red line on stderr
(``error: FILE:LINE:COL: message``), then the rest of the message and the source line with a
caret, and exit code 1. ``--debug`` (before or after the command) prints the traceback first.
"""

from __future__ import annotations

import difflib
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from attncc.errors import ArgumentError, AttnccError, excerpt
from attncc.ir.nodes import Program

app = typer.Typer(
    name="attncc",
    help="A compiler and autotuner for attention kernels written as cascades of einsums.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _out() -> Console:
    return Console(highlight=False)  # made per call: it sees COLUMNS and a redirected stdout


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)  # an error stays one line


_state = {"debug": False}

Debug = Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")]


# ----------------------------------------------------------------------------- errors


def error_lines(error: AttnccError, label: str | None = None, source: str | None = None):
    """The one-line summary of ``error`` and what follows it (message rest, caret excerpt)."""
    where = label or ""
    if error.loc is not None:
        where += f":{error.loc}" if where else f"line {error.loc}"
    first, *rest = error.message.splitlines() or [""]
    head = f"error: {where}: {first}" if where else f"error: {first}"
    source = error.source or source
    tail = list(rest)
    if error.loc is not None and source:
        snippet = excerpt(source, error.loc)
        if snippet:
            tail += snippet.splitlines()
    return head, tail


def report_error(error: AttnccError, label: str | None = None, source: str | None = None) -> None:
    if _state["debug"]:
        traceback.print_exc()
    head, tail = error_lines(error, label, source)
    err = _err()
    err.print(Text(head, style="bold red"))
    for line in tail:
        err.print(Text(line))


@contextmanager
def reporting(label: str | None = None) -> Iterator[None]:
    """Turn an :class:`AttnccError` raised inside into the error line and exit code 1."""
    try:
        yield
    except AttnccError as e:
        report_error(e, label)
        raise typer.Exit(1) from None


@app.callback()
def _main(debug: Debug = False) -> None:
    """A compiler and autotuner for attention kernels written as cascades of einsums."""
    _state["debug"] = debug  # reset on every invocation; a command's own --debug adds to it


def _debug(debug: bool) -> None:
    _state["debug"] = _state["debug"] or debug


# ----------------------------------------------------------------------------- catalogue


def _catalogue() -> dict[str, Callable[..., Program]]:
    from attncc.variants import CATALOGUE

    return dict(CATALOGUE)


def _variant(name: str) -> Program:
    table = _catalogue()
    if name not in table:
        close = difflib.get_close_matches(name, list(table), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ArgumentError(f"unknown variant {name!r}{hint}. Fix: pick one of `attncc variants`")
    return table[name]()


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
    from attncc.ir.analysis import render_report, report
    from attncc.ir.parser import parse

    _debug(debug)
    jobs: list[tuple[str, Callable[[], Program], str | None]] = []
    for path in files or []:
        if str(path) == "-":
            text = sys.stdin.read()
            jobs.append(("<stdin>", lambda text=text: parse(text), text))
            continue
        try:
            text = path.read_text()
        except OSError as e:
            jobs.append(
                (str(path), _raiser(ArgumentError(f"cannot read {path}: {e.strerror}")), None)
            )
            continue
        jobs.append((str(path), lambda text=text: parse(text), text))
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
    _debug(debug)
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

DEMO_VARIANT = "gqa_window_softcap"


@app.command()
def demo(
    seq: Annotated[int, typer.Option(help="Sequence length S (queries = keys).")] = 1024,
    heads: Annotated[int, typer.Option(help="Query heads H.")] = 8,
    kv_heads: Annotated[int, typer.Option(help="Key/value heads g (H % g == 0).")] = 2,
    dim: Annotated[int, typer.Option(help="Head dimension D.")] = 64,
    window: Annotated[int, typer.Option(help="Sliding window W.")] = 256,
    cap: Annotated[float, typer.Option(help="Logit soft-cap.")] = 5.0,
    seed: Annotated[int, typer.Option(help="Seed of the random inputs.")] = 0,
    debug: Debug = False,
) -> None:
    """Check the catalogue, then run a real variant in the reference interpreter and PyTorch."""
    from attncc.ir.analysis import count_passes
    from attncc.ir.validate import validate

    _debug(debug)
    with reporting():
        if heads % kv_heads:
            raise ArgumentError(f"--heads {heads} is not a multiple of --kv-heads {kv_heads}")
        out, table = _out(), _catalogue()
        for build in table.values():
            validate(build())
        out.print(f"[green]catalogue[/]: {len(table)} programs valid\n")
        program = _variant(DEMO_VARIANT)
        out.print(Text(program.text, style="cyan"), soft_wrap=True)
        passes = ", ".join(f"{n} over {r}" for r, n in count_passes(program).items())
        out.print(f"passes: {passes}")
        shape = f"B=1 H={heads} g={kv_heads} S={seq} D={dim} W={window} cap={cap}"
        out.print(f"inputs: {shape}, float32, seed {seed}\n")
        r = run_demo(program, seq, heads, kv_heads, dim, window, cap, seed)
        ok = r.max_abs_err < DEMO_TOLERANCE
        verdict = "[green]match[/]" if ok else "[bold red]MISMATCH[/]"
        out.print(
            f"reference interpreter  {r.interpreter_s * 1e3:9.1f} ms   numpy, float64\n"
            f"PyTorch eager          {r.torch_s * 1e3:9.1f} ms   "
            "matmul, tanh soft-cap, explicit window mask, softmax, matmul (best of 3)\n"
            f"max |interpreter - torch| = {r.max_abs_err:.2e} "
            f"(tolerance {DEMO_TOLERANCE:.0e}): {verdict}\n",
            soft_wrap=True,
        )
        out.print(
            "This is the reference semantics, not a compiled kernel: compiled CPU kernels "
            "arrive with the CPU target (attncc.compile(program, target='cpu')).",
            soft_wrap=True,
        )
        if not ok:
            raise typer.Exit(1)


DEMO_TOLERANCE = 1e-4


@dataclass(frozen=True)
class DemoResult:
    output: Any  # the interpreter's O, float64
    interpreter_s: float
    torch_s: float
    max_abs_err: float


def run_demo(
    program: Program,
    seq: int,
    heads: int,
    kv_heads: int,
    dim: int,
    window: int,
    cap: float,
    seed: int,
) -> DemoResult:
    """Run ``program`` in the interpreter and an independent torch formulation; time both.

    The torch side is eager ops with an explicit mask: SDPA takes a mask but has no hook for
    a score modification such as the tanh soft-cap.
    """
    import numpy as np
    import torch

    from attncc.ir.interpreter import interpret

    rng = np.random.default_rng(seed)
    q = rng.standard_normal((1, heads, seq, dim), dtype=np.float32)
    k = rng.standard_normal((1, kv_heads, seq, dim), dtype=np.float32)
    v = rng.standard_normal((1, kv_heads, seq, dim), dtype=np.float32)

    t0 = time.perf_counter()
    ours = np.asarray(interpret(program, Q=q, K=k, V=v, cap=cap, W=window), dtype=np.float64)
    interpreter_s = time.perf_counter() - t0

    def reference(q, k, v):
        group = heads // kv_heads
        k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
        s = (q @ k.transpose(-1, -2)) / dim**0.5
        s = cap * torch.tanh(s / cap)
        pos = torch.arange(seq)
        keep = (pos[:, None] >= pos[None, :]) & (pos[:, None] - pos[None, :] < window)
        return torch.softmax(s.masked_fill(~keep, float("-inf")), dim=-1) @ v

    tq, tk, tv = (torch.from_numpy(x) for x in (q, k, v))
    times = []
    with torch.no_grad():
        for _ in range(4):  # the first is a warm-up
            t0 = time.perf_counter()
            theirs = reference(tq, tk, tv)
            times.append(time.perf_counter() - t0)
    err_ = float(np.max(np.abs(ours - theirs.numpy().astype(np.float64))))
    return DemoResult(ours, interpreter_s, min(times[1:]), err_)


def main() -> None:
    """The ``attncc`` console script."""
    app()


if __name__ == "__main__":
    main()
