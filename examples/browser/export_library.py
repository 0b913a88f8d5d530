"""Export an attncc kernel library for the browser: WGSL + launch metadata + manifest.json,
next to attncc.js and a page that loads it with ``loadLibrary``.

    python examples/browser/export_library.py            # writes examples/browser/site/
    python -m http.server -d examples/browser/site 8000   # then open http://localhost:8000

The library holds GQA with a sliding window and logit soft-capping at a prefill and a decode
shape (two buckets; sequence lengths stay symbolic, so either serves any length, and the
page's calls pick the nearest). Nothing is tuned: WebGPU timings are not taken here, so each
kernel is the target's default schedule (``"provenance": "default"`` in the manifest).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import attncc
from attncc.runtime import js_path

SITE = Path(__file__).with_name("site")
PREFILL = dict(b=1, h=8, g=2, p=128, m=128, e=64, f=64)
DECODE = {**PREFILL, "p": 1, "m": 1024}


def main(out: Path = SITE) -> None:
    out.mkdir(exist_ok=True)
    report = attncc.export(
        out / "gqa-lib",
        f"sqlite:///{out / 'no-tuning.db'}",  # nothing tuned: the default schedules
        targets=["webgpu"],
        programs=["gqa_window_softcap"],
        shapes=[PREFILL, DECODE],
        replace=True,
    )
    shutil.copy(js_path(), out / "attncc.js")
    shutil.copy(Path(__file__).with_name("index.html"), out / "index.html")
    buckets = ", ".join(k.bucket for k in report.kernels)
    print(f"wrote {report.path} ({buckets}), attncc.js and index.html to {out}")


if __name__ == "__main__":
    main()
