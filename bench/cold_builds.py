"""Cold build time of every catalogue variant on the CPU (issue 13: every build under 5 s).

    python bench/cold_builds.py

Each variant is compiled with its default config in a fresh, private kernel cache and called
once on the conformance suite's odd shapes (``tests/variants/cases.py``): the time is that
first call (lowering, TVM's compile, LLVM, the load), per lowering the default picks; a second
call at a decode length (one query) builds the decode kernel of fused variants. Each variant
runs in its own process so that nothing TVM caches in memory is shared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LIMIT_S = 5.0


def one(name: str) -> dict:
    """Build and call ``name`` (in this process); the seconds of each first call."""
    from dataclasses import replace

    import numpy as np

    import attncc
    from tests.targets.test_cpu_fused import WIDE
    from tests.targets.test_cpu_fused import case

    program, kwargs = case(name)
    kern = attncc.compile(program, "cpu")
    t = time.perf_counter()
    kern(**kwargs)
    prefill = time.perf_counter() - t
    out = {"name": name, "lowering": kern.config.get("lowering"), "prefill_s": prefill}
    _, decode_args = case(name, replace(WIDE, p=1), seed=1)
    t = time.perf_counter()
    kern(**decode_args)
    out["decode_s"] = time.perf_counter() - t
    out["builds"] = len(kern._builds)
    got, want = kern(**kwargs), attncc.interpret(program, **kwargs)
    if not isinstance(got, dict):  # several outputs come back by name
        got, want = {"out": got}, {"out": want}
    for k in want:  # a build that is fast and wrong does not count
        np.testing.assert_allclose(got[k], want[k], atol=1e-4, rtol=1e-4)
    return out


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(one(sys.argv[2])))
        return
    from attncc.variants import CATALOGUE

    sys.path.insert(0, str(ROOT / "bench"))
    from _timing import host_lines

    for line in host_lines(int(os.environ.get("TVM_NUM_THREADS", "2"))):
        print(f"- {line}")
    print("- command: python bench/cold_builds.py")
    print()
    print("| variant | lowering | first call s | decode build s | builds |")
    print("| --- | --- | --- | --- | --- |")
    worst = []
    for name in CATALOGUE:
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "ATTNCC_CACHE_DIR": cache}
            run = subprocess.run(
                [sys.executable, __file__, "--one", name],
                capture_output=True, text=True, env=env, cwd=ROOT,
            )  # fmt: skip
        if run.returncode:
            print(f"| {name} | failed: {run.stderr.strip().splitlines()[-1][:120]} | | | |")
            continue
        r = json.loads(run.stdout.strip().splitlines()[-1])
        worst.append((max(r["prefill_s"], r["decode_s"]), name))
        print(
            f"| {name} | {r['lowering']} | {r['prefill_s']:.2f} | {r['decode_s']:.2f} | "
            f"{r['builds']} |",
            flush=True,
        )
    over = [f"{n} ({s:.1f} s)" for s, n in sorted(worst, reverse=True) if s > LIMIT_S]
    print()
    print(f"slowest: {', '.join(f'{n} {s:.2f} s' for s, n in sorted(worst, reverse=True)[:3])}")
    print(f"over {LIMIT_S:g} s: {', '.join(over) or 'none'}")


if __name__ == "__main__":
    main()
