"""A tuning study as a picture: ``attncc show --plot FILE`` (PNG, SVG or HTML).

Three panels, drawn with matplotlib (``pip install attncc[plot]``):

1. every measured trial and the best-so-far against the trial number, coloured by where the
   config came from (the default, the cost model, TPE, repair, polish);
2. the best-so-far against wall time since the first trial started;
3. the cost model's score at proposal (``predicted``) against the measured time, for the
   trials the model proposed, with its Spearman correlation.

The target's default config and the cost model's zero-shot pick (``tune="model"``) are
marked where the study measured them; the legend says when it did not. The study itself is
read through Optuna's storage API, so the same database opens in ``optuna-dashboard``.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from attncc.errors import ArgumentError
from attncc.errors import AttnccError
from attncc.errors import UnsupportedError
from attncc.search.cost_model import load_cost_model
from attncc.search.cost_model import model_pick
from attncc.search.cost_model import spearman
from attncc.search.database import open_storage
from attncc.search.database import storage_errors
from attncc.search.database import storage_url
from attncc.search.problem import Problem
from attncc.search.space import config_key

__all__ = ["plot_study"]

FORMATS = (".png", ".svg", ".html")
_COLOURS = {
    "default": "#d62728",
    "model": "#1f77b4",
    "tpe": "#2ca02c",
    "repair": "#9467bd",
    "polish": "#ff7f0e",
}


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UnsupportedError(
            "attncc show --plot needs matplotlib: pip install 'attncc[plot]'"
        ) from None
    return plt


def _study(url: str | None, name: str | None):
    import optuna

    url = storage_url(url)
    storage = open_storage(url)
    with storage_errors(url):
        names = [s.study_name for s in storage.get_all_studies() if "program" in s.user_attrs]
        if not names:
            raise ArgumentError(f"no tuning studies in {url}: nothing to plot")
        if name is None:
            if len(names) > 1:
                raise ArgumentError(
                    f"{url} holds {len(names)} studies; name one with --study "
                    f"(see `attncc show`): {', '.join(sorted(names))}"
                )
            name = names[0]
        if name not in names:
            raise ArgumentError(f"no study {name!r} in {url}; there are: {', '.join(names)}")
        return optuna.load_study(study_name=name, storage=storage)


def _model_pick(study) -> Mapping[str, Any] | None:
    """The config ``tune="model"`` would take for this study's problem, if it can say."""

    try:
        problem = Problem.from_study_attrs(study.user_attrs)
        model = load_cost_model("required", problem.target.name)
        return model_pick(problem, model).chosen
    except AttnccError:
        return None


def _measured(study) -> list:
    return [
        t
        for t in study.trials
        if t.user_attrs.get("status") == "ok" and t.value is not None and t.datetime_start
    ]


def plot_study(url: str | None, path: str | Path, study_name: str | None = None) -> Path:
    """Draw the study (module docstring) to ``path``; the format follows its suffix."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ArgumentError(
            f"--plot writes {', '.join(FORMATS)} files; {str(path)!r} has none of those suffixes"
        )
    plt = _pyplot()
    study = _study(url, study_name)
    trials = sorted(_measured(study), key=lambda t: t.number)
    if not trials:
        raise ArgumentError(f"study {study.study_name} has no successful measurement to plot")
    pick = _model_pick(study)
    pick_key = None if pick is None else config_key(pick)
    default = next((t for t in trials if t.user_attrs.get("source") == "default"), None)
    start = min(t.datetime_start for t in trials)

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))
    ax_n, ax_t, ax_p = axes
    best, best_n, best_t = math.inf, [], []
    for t in trials:
        best = min(best, t.value)
        best_n.append(best)
        best_t.append(((t.datetime_complete or t.datetime_start) - start).total_seconds())
    numbers = [t.number for t in trials]
    ms = [t.value * 1e3 for t in trials]
    for source in sorted({t.user_attrs.get("source", "tpe") for t in trials}):
        pts = [(t.number, t.value * 1e3) for t in trials if t.user_attrs.get("source") == source]
        ax_n.scatter(*zip(*pts, strict=True), s=14, label=source, color=_COLOURS.get(source))
    ax_n.step(numbers, [b * 1e3 for b in best_n], where="post", color="black", label="best so far")
    ax_t.step(best_t, [b * 1e3 for b in best_n], where="post", color="black")
    ax_t.scatter(best_t, ms, s=10, color="#999999")
    marks = []
    if default is not None:
        marks.append(("default config", default, "#d62728", "s"))
    picked = next((t for t in trials if config_key(t.params) == pick_key), None)
    if picked is not None:
        marks.append(("cost model's pick", picked, "#1f77b4", "*"))
    for label, t, colour, marker in marks:
        i = trials.index(t)
        ax_n.scatter([t.number], [t.value * 1e3], s=120, marker=marker, color=colour,
                     edgecolor="black", label=label, zorder=5)  # fmt: skip
        ax_t.scatter([best_t[i]], [t.value * 1e3], s=120, marker=marker, color=colour,
                     edgecolor="black", label=label, zorder=5)  # fmt: skip
    note = []
    if default is None:
        note.append("default not measured")
    if pick is not None and picked is None:
        note.append("model's pick not measured")
    if pick is None:
        note.append("no cost model for this target")
    ax_n.set(xlabel="trial", ylabel="ms", yscale="log", title="measured and best so far")
    ax_t.set(xlabel="wall seconds since the first trial", ylabel="ms", yscale="log",
             title="best so far against time")  # fmt: skip
    ax_n.legend(fontsize=7, title="; ".join(note) or None, title_fontsize=7)
    ax_t.legend(fontsize=7)

    pairs = [(t.user_attrs["predicted"], t.value * 1e3) for t in trials
             if isinstance(t.user_attrs.get("predicted"), int | float)]  # fmt: skip
    if pairs:
        xs, ys = zip(*pairs, strict=True)
        ax_p.scatter(xs, ys, s=14, color=_COLOURS["model"])
        rho = spearman(list(xs), [-y for y in ys])
        title = "model score vs measured" + (f" (Spearman {rho:.2f})" if rho is not None else "")
    else:
        ax_p.text(0.5, 0.5, "no trial proposed by the cost model", ha="center", va="center")
        title = "model score vs measured"
    ax_p.set(xlabel="predicted score (higher = faster)", ylabel="ms", yscale="log", title=title)
    fig.suptitle(f"{study.study_name}: best {best * 1e3:.3f} ms in {len(trials)} trials")
    fig.tight_layout()

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".html":
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        path.write_text(_html(study, trials, buf.getvalue(), best))
    else:
        fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _html(study, trials, svg: str, best: float) -> str:
    """A self-contained page: the figure (inline SVG) and the trials as a table."""
    rows = "\n".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(v))}</td>"
            for v in (
                t.number,
                t.user_attrs.get("source", ""),
                f"{t.value * 1e3:.4f}",
                t.user_attrs.get("predicted", ""),
                ", ".join(f"{k}={v}" for k, v in t.params.items()),
            )
        )
        + "</tr>"
        for t in trials
    )
    name = html.escape(study.study_name)
    svg = svg[svg.find("<svg") :]  # drop the XML prologue: inline in HTML
    return (
        f"<!doctype html>\n<html><head><meta charset='utf-8'><title>{name}</title>"
        "<style>body{font-family:sans-serif} td{padding:2px 8px;font-size:12px}</style>"
        f"</head><body><h1>{name}</h1><p>best {best * 1e3:.4f} ms in {len(trials)} trials</p>"
        f"{svg}<table><tr><th>trial</th><th>source</th><th>ms</th><th>predicted</th>"
        f"<th>config</th></tr>\n{rows}</table></body></html>\n"
    )
