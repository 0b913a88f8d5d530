"""CLI output: never wrapped when it is not a terminal; on a narrow terminal the tuning
progress line keeps its trial count (the bar goes first)."""

from __future__ import annotations

import io

from attncc.cli_common import console
from attncc.search.options import TrialReport
from attncc.search.progress import BAR_MIN_WIDTH
from attncc.search.progress import TuningProgress
from attncc.search.runner import Status

LONG = "study " + "x" * 300 + " in sqlite:///" + "/deep" * 40 + "/tuning.db: 4 measured (4 ok)"


def _report(measured: int = 3) -> TrialReport:
    return TrialReport(
        number=measured,
        config={"tile": 4},
        status=Status.OK,
        seconds=2.5e-3,
        source="model",
        predicted=0.25,
        measured=measured,
        trials=8,
        best_seconds=1.25e-3,
        rank_correlation=0.5,
    )


def _progress(out: io.StringIO, **kw) -> str:
    with TuningProgress(8, console(file=out, **kw)) as show:
        show(_report())
    return out.getvalue()


def test_output_that_is_not_a_terminal_never_wraps():
    out = io.StringIO()
    printer = console(file=out)
    assert not printer.is_terminal
    printer.print(LONG)
    assert out.getvalue() == LONG + "\n"
    err = io.StringIO()
    console(file=err, stderr=True).print(LONG)
    assert err.getvalue() == LONG + "\n"


def test_a_terminal_wraps_at_its_width():
    out = io.StringIO()
    console(file=out, force_terminal=True, width=60).print(LONG)
    assert all(len(line) <= 60 for line in out.getvalue().splitlines())
    assert len(out.getvalue().splitlines()) > 1


def test_progress_not_on_a_terminal_is_one_whole_line():
    text = _progress(io.StringIO())
    (line,) = text.strip().splitlines()
    assert "3/8" in line and "━" in line and "best 1.250 ms" in line and "rho +0.50" in line


def test_a_narrow_terminal_keeps_the_count_and_drops_the_bar():
    for width in (40, 60, 80):
        last = _progress(io.StringIO(), force_terminal=True, width=width).split("\r")[-1]
        assert "3/8" in last, (width, last)
        assert "━" not in last, (width, last)
    wide = _progress(io.StringIO(), force_terminal=True, width=BAR_MIN_WIDTH + 40)
    last = wide.split("\r")[-1]
    assert "3/8" in last and "━" in last and "best 1.250 ms" in last
