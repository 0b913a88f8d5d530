"""Runtimes shipped with attncc for other languages: ``attncc.js``, the browser's (an ES
module that loads exported WGSL and launch metadata and dispatches it through WebGPU)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["js_path"]


def js_path() -> Path:
    """The path of ``attncc.js`` in the installed package (copy it next to your page)."""
    return Path(__file__).with_name("attncc.js")
