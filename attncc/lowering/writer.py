"""The one source writer every generator prints through (TVMScript, Triton, WGSL).

Lines are indented by four spaces per level; a line holding newlines is written as several
lines at the same level, and an empty line stays empty (no trailing blanks in generated
code). ``with w.block("for i in range(n):"):`` writes the header and indents what follows;
``open`` / ``close`` do the same for code that cannot nest a ``with``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["Writer"]


class Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0

    def __call__(self, line: str) -> None:
        for part in line.split("\n"):
            self.lines.append("    " * self.depth + part if part else "")

    def open(self, header: str) -> None:
        self(header)
        self.depth += 1

    def close(self, levels: int = 1) -> None:
        self.depth -= levels

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        self.open(header)
        try:
            yield
        finally:
            self.close()

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"
