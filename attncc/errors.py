"""One error hierarchy for everything attncc raises on bad input.

Every error a user can provoke derives from :class:`AttnccError`. Errors carry a source
location when there is one and render an excerpt with a caret, and they pickle, because the
tuner moves them across process boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ArgumentError",
    "AttnccError",
    "BoundsError",
    "CacheError",
    "CycleError",
    "DTypeError",
    "ExportError",
    "Loc",
    "LoweringError",
    "NameResolutionError",
    "ParseError",
    "ShapeError",
    "TuningError",
    "UnsupportedError",
    "UnusedInputError",
    "ValidationError",
]


@dataclass(frozen=True, slots=True)
class Loc:
    """A 1-based line and column in program text (``length`` columns wide for the caret)."""

    line: int
    col: int
    length: int = 1

    def __str__(self) -> str:
        return f"{self.line}:{self.col}"


def excerpt(source: str, loc: Loc) -> str:
    """The source line at ``loc`` with a caret under the offending columns."""
    lines = source.splitlines()
    if not 1 <= loc.line <= len(lines):
        return ""
    text = lines[loc.line - 1].expandtabs(1)
    col, length = loc.col, max(1, loc.length)
    if len(text) > _EXCERPT_WIDTH:  # a window around the columns, marked with "..."
        start = max(0, min(col - 1 - 20, len(text) - _EXCERPT_WIDTH))
        cut = text[start : start + _EXCERPT_WIDTH]
        head, tail = ("..." if start else ""), ("..." if start + _EXCERPT_WIDTH < len(text) else "")
        text, col = head + cut + tail, col - start + len(head)
        length = min(length, _EXCERPT_WIDTH - (col - len(head) - 1))
    gutter = f"{loc.line:>4} | "
    caret = " " * (len(gutter) + col - 1) + "^" * max(1, length)
    return f"{gutter}{text}\n{caret}"


#: Widest source line an excerpt shows whole; longer ones show a window around the caret.
_EXCERPT_WIDTH = 100


class AttnccError(Exception):
    """Base of every error attncc raises for bad input or an unsupported request.

    ``message`` says what was expected, what was received and, where possible, the fix.
    ``loc`` and ``source`` (both optional) place the error in program text.
    """

    def __init__(self, message: str, *, loc: Loc | None = None, source: str | None = None):
        self.message = message
        self.loc = loc
        self.source = source
        super().__init__(message)

    def __str__(self) -> str:
        if self.loc is None:
            return self.message
        text = f"line {self.loc.line}, column {self.loc.col}: {self.message}"
        if self.source:
            snippet = excerpt(self.source, self.loc)
            if snippet:
                text += "\n" + snippet
        return text

    def __reduce__(self):
        return (_rebuild, (type(self), self.message, self.loc, self.source))


def _rebuild(cls: type[AttnccError], message: str, loc: Loc | None, source: str | None):
    return cls(message, loc=loc, source=source)


class ParseError(AttnccError):
    """Raised by :func:`attncc.parse` when program text is not in the grammar."""


class ValidationError(AttnccError):
    """Raised when a program is well-formed text but not a meaningful program."""


class NameResolutionError(ValidationError):
    """A name is used but never declared, or declared twice."""


class DTypeError(ValidationError):
    """A value has a dtype its use does not accept (a float index, a bool in arithmetic, ...)."""


class ShapeError(ValidationError):
    """Extents disagree: an input's rank, or one rank bound to two different sizes."""


class BoundsError(ValidationError):
    """An index expression provably leaves its tensor's extent."""


class CycleError(ValidationError):
    """Statements depend on each other in a cycle."""


class UnusedInputError(ValidationError):
    """An input is declared but no statement reads it."""


class ArgumentError(AttnccError):
    """Raised when a call passes missing, extra or ill-typed tensors or parameters."""


class UnsupportedError(AttnccError):
    """A feature the chosen target (or this version) does not support; names both."""


class LoweringError(AttnccError):
    """Raised when a valid program cannot be lowered for a target with a given config."""


class TuningError(AttnccError):
    """Raised by the tuner for a bad storage, study or search request."""


class ExportError(AttnccError):
    """Raised when a kernel library cannot be written or loaded safely."""


class CacheError(AttnccError):
    """Raised when the build cache (or a file about to be loaded) cannot be trusted or
    used; the message says why and names the fix (``chmod``, ``chown``, ``ATTNCC_CACHE_DIR``)."""
