"""Export one attncc kernel for the browser: WGSL + launch metadata + attncc.js.

    python examples/browser/export_kernel.py            # writes examples/browser/site/
    python -m http.server -d examples/browser/site 8000  # then open http://localhost:8000

The kernel is GQA with a sliding window and logit soft-capping; sequence lengths stay
symbolic, so the page may run it at any length. f16 tensors (none here) would be widened
to f32 unless ``WebGpuTarget(f16=True)`` says the browser has shader-f16.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

import attncc
from attncc.runtime import js_path
from attncc.targets.webgpu import WebGpuTarget

SITE = Path(__file__).with_name("site")


def main(out: Path = SITE) -> None:
    out.mkdir(exist_ok=True)
    program = attncc.variants.gqa_window_softcap()
    target = WebGpuTarget(f16=False)
    kernel = attncc.compile(program, target)
    rng = np.random.default_rng(0)
    q = rng.standard_normal((1, 8, 64, 64)).astype(np.float32)
    k = rng.standard_normal((1, 2, 64, 64)).astype(np.float32)
    kernel(Q=q, K=k, V=k, W=32, cap=30.0)  # builds once (and checks it runs here)
    files = target.save(kernel._latest, out, "gqa_window_softcap")
    shutil.copy(js_path(), out / "attncc.js")
    shutil.copy(Path(__file__).with_name("index.html"), out / "index.html")
    print(f"wrote {', '.join(files.values())}, attncc.js and index.html to {out}")


if __name__ == "__main__":
    main()
