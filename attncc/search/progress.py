"""A progress bar for tuning: measurements, best so far, the last trial, predicted vs measured.

``with TuningProgress(trials) as show: Tuner(..., on_trial=show).run()``. The line shows the
best median time, the last trial's status, time, origin (default / model / tpe / repair /
polish) and cost-model score, and the Spearman correlation between the model's scores and
the measured speeds over the study's trials (how well the model ranks, which is what the
search needs from it).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.progress import BarColumn
from rich.progress import MofNCompleteColumn
from rich.progress import Progress
from rich.progress import Task
from rich.progress import TextColumn
from rich.progress import TimeElapsedColumn
from rich.table import Column
from rich.table import Table

from attncc.search.options import TrialReport

__all__ = ["BAR_MIN_WIDTH", "TuningProgress", "format_seconds"]

#: Terminals narrower than this show no bar: the trial count, the time and the best stay,
#: and the last column (best, last trial, model) is cut short with an ellipsis.
BAR_MIN_WIDTH = 100


def format_seconds(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds == float("inf"):
        return "-"
    if seconds >= 1:
        return f"{seconds:.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds * 1e6:.1f} us"


class _Display(Progress):
    """A progress line whose columns fit the console: the bar goes first when it is narrow,
    the text column takes what is left (one line, cut with an ellipsis), and the count is
    never squeezed out. On a console that is not a terminal nothing is cut or padded."""

    def make_tasks_table(self, tasks: Iterable[Task]) -> Table:
        if getattr(self, "live", None) is None:  # rich renders once while constructing
            return super().make_tasks_table(tasks)
        terminal = self.console.is_terminal
        narrow = terminal and self.console.width < BAR_MIN_WIDTH
        columns = [c for c in self.columns if not (narrow and isinstance(c, BarColumn))]
        table = Table.grid(
            *(c.get_table_column().copy() for c in columns),  # type: ignore[union-attr]
            padding=(0, 1),
            expand=terminal,
        )
        for task in tasks:
            if task.visible:
                table.add_row(*(c(task) for c in columns))  # type: ignore[operator]
        return table


class TuningProgress:
    """A rich progress line fed with :class:`TrialReport` s."""

    def __init__(self, trials: int, console: Console | None = None, done: int = 0):
        info = Column(no_wrap=True, overflow="ellipsis", ratio=1)
        self.progress = _Display(
            TextColumn("tuning"),
            MofNCompleteColumn(),
            BarColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[info]}", table_column=info),
            console=console,
        )
        self.task = self.progress.add_task("tuning", total=trials, completed=done, info="")

    def __enter__(self) -> TuningProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, r: TrialReport) -> None:
        last = format_seconds(r.seconds) if r.status.value == "ok" else r.status.value
        parts = [f"best {format_seconds(r.best_seconds)}", f"last {last} ({r.source})"]
        if r.predicted is not None:
            parts.append(f"predicted {r.predicted:.3g}")
        if r.rank_correlation is not None:
            parts.append(f"model rho {r.rank_correlation:+.2f}")
        self.progress.update(self.task, completed=r.measured, info=" | ".join(parts))
