"""A progress bar for tuning: measurements, best so far, the last trial, predicted vs measured.

``with TuningProgress(trials) as show: Tuner(..., on_trial=show).run()``. The line shows the
best median time, the last trial's status, time, origin (default / model / tpe / repair /
polish) and cost-model score, and the Spearman correlation between the model's scores and
the measured speeds over the study's trials (how well the model ranks, which is what the
search needs from it).
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from attncc.search.tuner import TrialReport

__all__ = ["TuningProgress", "format_seconds"]


def format_seconds(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds == float("inf"):
        return "-"
    if seconds >= 1:
        return f"{seconds:.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds * 1e6:.1f} us"


class TuningProgress:
    """A rich progress bar fed with :class:`TrialReport` s."""

    def __init__(self, trials: int, console: Console | None = None, done: int = 0):
        self.progress = Progress(
            TextColumn("tuning"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[info]}"),
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
