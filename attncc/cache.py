"""The on-disk cache of built kernels.

Entries are keyed by a hash of everything that changes the built code (source text, target
fingerprint, library versions). Each entry is written to a temporary name and renamed, so a
crash never leaves half an entry, and its sha256 is recorded and checked before the native
code is loaded: a corrupted or swapped file is rebuilt, never loaded.

The directory is ``$ATTNCC_CACHE_DIR``, else ``$XDG_CACHE_HOME/attncc``, else
``~/.cache/attncc``; ``ATTNCC_CACHE_DIR=off`` disables the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["cache_dir", "cached_file", "sha256_file"]


def cache_dir() -> Path | None:
    explicit = os.environ.get("ATTNCC_CACHE_DIR")
    if explicit == "off":
        return None
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "attncc"


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_file(key: str, suffix: str, write: Callable[[str], None]) -> str | None:
    """The path of a verified cache entry for ``key``, writing it with ``write(path)`` if absent.

    Returns ``None`` when caching is off or the directory is not writable: the caller then
    builds in memory. ``write`` must create the file at the path it is given.
    """
    root = cache_dir()
    if root is None:
        return None
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    path = root / f"{key}{suffix}"
    record = root / f"{key}.json"
    if path.exists() and record.exists():
        try:
            expected = json.loads(record.read_text())["sha256"]
            if sha256_file(path) == expected:
                return str(path)
        except (OSError, ValueError, KeyError, TypeError):
            pass  # unreadable record: rebuild below
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        staged = os.path.join(tmp, f"entry{suffix}")
        write(staged)
        digest = sha256_file(staged)
        os.replace(staged, path)
        staged_record = os.path.join(tmp, "record.json")
        with open(staged_record, "w") as f:
            json.dump({"sha256": digest}, f)
        os.replace(staged_record, record)
    return str(path)
