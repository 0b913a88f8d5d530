"""attncc: a compiler and autotuner for attention kernels written as cascades of einsums.

Front doors:

* :func:`parse` -- program text to a :class:`Program` (errors name line and column);
* :mod:`variants` -- a catalogue of standard attention programs built in Python;
* :func:`validate` -- check a program and infer its tensors' ranks and dtypes;
* :func:`interpret` -- the reference semantics, on numpy arrays;
* :func:`compile` -- a kernel for a target (``"cpu"``), called like :func:`interpret`;
* :func:`export` / :func:`load_library` -- tuned kernels to a library directory and back.

Submodules load on first use, so ``import attncc`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING
from typing import Any

from attncc.errors import AttnccError
from attncc.ir.nodes import Program
from attncc.version import __version__

if TYPE_CHECKING:
    from attncc import variants
    from attncc.compiler import Kernel
    from attncc.compiler import compile
    from attncc.ir.interpreter import interpret
    from attncc.ir.parser import parse
    from attncc.ir.validate import validate
    from attncc.library.export import export
    from attncc.library.loader import load_library


__all__ = [
    "AttnccError",
    "Kernel",
    "Program",
    "__version__",
    "compile",
    "export",
    "interpret",
    "load_library",
    "parse",
    "validate",
    "variants",
]

_LAZY = {
    "compile": ("attncc.compiler", "compile"),
    "Kernel": ("attncc.compiler", "Kernel"),
    "parse": ("attncc.ir.parser", "parse"),
    "interpret": ("attncc.ir.interpreter", "interpret"),
    "validate": ("attncc.ir.validate", "validate"),
    "export": ("attncc.library.export", "export"),
    "load_library": ("attncc.library.loader", "load_library"),
    "variants": ("attncc.variants", None),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'attncc' has no attribute {name!r}")
    module_name, attr = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value
