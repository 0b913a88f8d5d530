"""Does ``compile(tune="model")`` earn its place? Its pick against the default config.

    python bench/model_pick.py            # bench/cpu.py's cases, ~7 min
    python bench/model_pick.py --quick    # quarter-length sequences

For each case of ``bench/_cases.py`` (prefill, decode and paged decode, f32 and bf16) the
shipped cost model picks a config with no measurement
(:func:`attncc.search.cost_model.model_pick`, what ``tune="model"`` calls, timed cold in
this process twice: the first call plans the program, the second is a program whose plan
was seen) and says whether it is sure; then the default and the pick are timed
interleaved (``bench/_timing.py``: rounds of blocks, a pause before each), medians.
``kept default`` means the model was unsure and ``tune="model"`` returns the default; the
last column times the model's first choice anyway (what an uncalibrated pick would cost).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _cases import CASES  # noqa: E402
from _cases import quick  # noqa: E402
from _cases import setup  # noqa: E402
from _timing import host_lines  # noqa: E402
from _timing import interleaved  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pause", type=float, default=0.3)
    ap.add_argument("--cases", default="", help="comma-separated case names (default all)")
    args = ap.parse_args(argv)

    from torch.nn.attention.flex_attention import flex_attention

    import attncc
    from attncc.cost_models.xgb import pretrained
    from attncc.ir.arguments import split_arguments
    from attncc.ir.bind import bind
    from attncc.search.cost_model import model_pick
    from attncc.search.problem import Problem

    wanted = set(filter(None, args.cases.split(",")))
    cases = [quick(c) if args.quick else c for c in CASES if not wanted or c.name in wanted]
    from attncc.targets.cpu.host import configure_threads

    print("\n".join(host_lines(configure_threads())))
    print(
        "\n| case | pick s (first / again) | sure | margin / threshold | default ms | pick ms | "
        "default / pick | default / raw pick |\n|---|---|---|---|---|---|---|---|"
    )
    model = pretrained("cpu")
    ratios = []
    for case in cases:
        s = setup(case, flex_attention, 0)
        kwargs = s.args  # torch tensors, as bench/cpu.py calls kernels (bf16 too)
        arrays, params = split_arguments(s.program, kwargs)
        ext = bind(s.program, shapes={n: a.shape for n, a in arrays.items()}, params=params)
        times = []
        for _ in range(2):  # first: plans the program; again: a program whose plan was seen
            t0 = time.perf_counter()
            problem = Problem.create(s.program, "cpu", dict(ext.extents), params)
            pick = model_pick(problem, model)
            times.append(time.perf_counter() - t0)
        default = attncc.compile(s.program, "cpu")
        chosen = attncc.compile(s.program, "cpu", config=dict(pick.chosen))
        raw = attncc.compile(s.program, "cpu", config=dict(pick.config))  # trusted or not
        fns = [("default", default), ("pick", chosen)]
        if pick.config != pick.chosen:
            fns.append(("raw", raw))
        for _, k in fns:
            k(**kwargs)  # build for these lengths and warm up
        res = interleaved(
            [(n, lambda k=k, a=kwargs: k(**a), 3, True) for n, k in fns],
            args.rounds,
            args.pause,
        )
        d, p = (statistics.median(res[n].blocks) for n in ("default", "pick"))
        r = statistics.median(res["raw"].blocks) if "raw" in res else p
        ratios.append(d / p)
        thr = "-" if pick.threshold is None else f"{pick.threshold:.3g}"
        thr = "never sure" if pick.never_sure else thr
        sure = "yes" if pick.sure else "no: kept default"
        print(
            f"| {case.title} | {times[0]:.2f} / {times[1]:.2f} | {sure} | "
            f"{pick.margin:.3g} / {thr} | "
            f"{d * 1e3:.2f} | {p * 1e3:.2f} | {d / p:.2f} | {d / r:.2f} |",
            flush=True,
        )
    if ratios:
        print(
            f"\ndefault / pick: min {min(ratios):.2f}, median {statistics.median(ratios):.2f}, "
            f"max {max(ratios):.2f} over {len(ratios)} cases"
        )


if __name__ == "__main__":
    main()
