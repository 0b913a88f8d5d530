"""A mapping that records which keys a generator read: those become kernel arguments.

A generator prints expressions against tables of every scalar and tensor a kernel could
take; what it actually read, in first-read order, is the kernel's argument list.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

__all__ = ["Tracked"]


class Tracked(Mapping):
    """``table`` as a read-only mapping; ``used`` holds the keys read (of ``track``, or of
    every key when ``track`` is ``None``) with their values, in first-read order."""

    def __init__(self, table: Mapping[str, Any], track: Collection[str] | None = None):
        self.table, self.track = table, track
        self.used: dict[str, Any] = {}

    def __getitem__(self, k: str) -> Any:
        v = self.table[k]
        if self.track is None or k in self.track:
            self.used.setdefault(k, v)
        return v

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def __contains__(self, k: object) -> bool:
        return k in self.table
