"""Kernel libraries: tuned kernels exported to a directory, verified and loaded back.

* :func:`export` (``attncc export``) -- the tuning database's best configs, built per
  program × target × shape bucket (chosen in :mod:`attncc.library.jobs`), into a directory
  with a ``manifest.json`` (:mod:`attncc.library.export`, schema in
  :mod:`attncc.library.manifest`);
* :func:`load_library` -- that directory back into callables, hashes checked before any
  native code is loaded (:mod:`attncc.library.loader`); which kernel serves which shape is
  :mod:`attncc.library.buckets`. The manifest is read as bounded JSON and its fields hashed
  in a canonical form shared with ``attncc.js`` (:mod:`attncc.library.canonical`; the
  bounded reader is :mod:`attncc.jsonsafe`, which the targets use too); files are
  read without following links, capped and streamed (:mod:`attncc.library.files`).

The loader does not import the exporter: loading a library never imports the tuner.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from attncc.library.export import ExportReport
    from attncc.library.export import export
    from attncc.library.loader import Library
    from attncc.library.loader import LibraryKernel
    from attncc.library.loader import load_library

__all__ = ["ExportReport", "Library", "LibraryKernel", "export", "load_library"]

_LAZY = {
    "export": "attncc.library.export",
    "ExportReport": "attncc.library.export",
    "load_library": "attncc.library.loader",
    "Library": "attncc.library.loader",
    "LibraryKernel": "attncc.library.loader",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'attncc.library' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
