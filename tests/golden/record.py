"""Golden sources: the generated code of a fixed set of programs × configs per lowering.

Refactors of the lowerings must change no generated code (tinygrad's "process replay"):
``tests/golden/test_golden.py`` lowers every case again and compares it byte for byte with
the file recorded here. After a change that is *meant* to change generated code, record
again and commit the new files with the change that explains them:

    python -m tests.golden.record            # every case
    python -m tests.golden.record cpu        # one target's cases

Cases: every catalogue variant at the conformance suite's odd extents (``WIDE``), on every
target, with the target's default config and, where that is the fused lowering, with the
generic one too. The source is what ``Target.lower`` returns (TVMScript for cpu, Triton
for cuda, WGSL for webgpu), the same text ``Kernel.source`` shows.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import numpy as np

from attncc.ir.bind import bind
from attncc.targets import get_target
from attncc.targets.cpu import fused as cpu_fused
from attncc.targets.cpu.isa import AVX512
from attncc.targets.pipeline import Specialised
from tests.variants.cases import CASES
from tests.variants.cases import WIDE

ROOT = Path(__file__).parent / "sources"
TARGETS = ("cpu", "cuda", "webgpu")


@dataclass(frozen=True)
class Case:
    target: str
    variant: str
    lowering: str  # "default" or "generic"

    @property
    def path(self) -> Path:
        suffix = {"cpu": "tvmscript", "cuda": "triton", "webgpu": "wgsl"}[self.target]
        return ROOT / self.target / f"{self.variant}.{self.lowering}.{suffix}"

    def source(self) -> str:
        wanted = {} if self.lowering == "default" else {"lowering": "generic"}
        with _pinned_cpu():
            return _problem(self.target, self.variant).lower(wanted).text


@contextlib.contextmanager
def _pinned_cpu() -> Iterator[None]:
    """CPU sources follow the vector unit kernels are built for: they are recorded for
    AVX-512 (32 registers of 16 lanes) whatever this machine has."""
    with mock.patch.object(cpu_fused, "build_unit", return_value=AVX512):
        yield


def _target(name: str):
    """Targets pinned to what the sources depend on, so every machine records the same:
    sm_90 for cuda, shader-f16 for webgpu, AVX-512 for cpu (:func:`_pinned_cpu`)."""
    if name == "cuda":
        from attncc.targets.cuda import CudaTarget

        return CudaTarget("sm_90")
    if name == "webgpu":
        from attncc.targets.webgpu import WebGpuTarget

        return WebGpuTarget(f16=True)
    return get_target(name)


def _problem(target_name: str, variant: str) -> Specialised:
    """A case's program through the build pipeline's first stages (specialise, space)."""
    target = _target(target_name)
    program, kwargs, _ = CASES[variant](np.random.default_rng(0), WIDE, name=variant)
    arrays = {k: v for k, v in kwargs.items() if isinstance(v, np.ndarray)}
    params = {k: v for k, v in kwargs.items() if not isinstance(v, np.ndarray)}
    extents = bind(program, shapes=arrays, params=params).extents
    return Specialised.of(target, program, dict(extents))


def cases(targets: tuple[str, ...] = TARGETS) -> Iterator[Case]:
    """Every variant's default lowering and, where the default is not generic, the
    generic one."""
    for target in targets:
        for variant in sorted(CASES):
            yield Case(target, variant, "default")
            if _problem(target, variant).complete({}).get("lowering", "generic") != "generic":
                yield Case(target, variant, "generic")


def record(targets: tuple[str, ...] = TARGETS) -> int:
    count = 0
    for case in cases(targets):
        case.path.parent.mkdir(parents=True, exist_ok=True)
        case.path.write_text(case.source())
        count += 1
    return count


if __name__ == "__main__":
    chosen = tuple(sys.argv[1:]) or TARGETS
    print(f"recorded {record(chosen)} golden sources under {ROOT}")
