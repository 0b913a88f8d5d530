"""Session-wide settings of the test suite.

Triton decides when it is imported whether its kernels run in its interpreter, so the flag
is set here, before any test module can import it: there is no GPU on the machines that run
this suite, and the ``cuda`` target's kernels are checked in the interpreter (its
ahead-of-time compiles go to a separate process; see ``attncc/targets/cuda/launch.py``).

``ATTNCC_CUDA_DEVICE=1`` (opt-in, for a machine with a GPU) leaves the flag alone: triton is
imported with its JIT and the ``cuda`` tests launch the compiled kernels on the GPU
(``tests/targets/conformance.py``: :func:`~tests.targets.conformance.cuda_on_device`).
"""

from __future__ import annotations

import os
import sys

if "triton" not in sys.modules and os.environ.get("ATTNCC_CUDA_DEVICE") != "1":
    os.environ.setdefault("TRITON_INTERPRET", "1")


def pytest_configure(config) -> None:
    """A pytest-xdist worker ignores SIGINT, and the processes it starts (measuring children,
    tuning workers) would inherit that: tests that interrupt them would see nothing happen.
    Each worker takes Python's own handler back, as a plain ``pytest`` run has it."""
    import signal

    if hasattr(config, "workerinput"):
        signal.signal(signal.SIGINT, signal.default_int_handler)
