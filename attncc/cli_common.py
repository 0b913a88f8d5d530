"""What every ``attncc`` command shares: consoles, the error line, reading programs, and the
text specs of extents and configs (``--shape b=1,h=8``, ``--config lowering=fused,bq=32``).

Output on a terminal fits the terminal. Output that is not a terminal (a pipe, a file, a
test) is never wrapped: a line is as long as its text, so a long path or config can be
grepped and pasted whole. An :class:`~attncc.errors.AttnccError` becomes one red line on
stderr (``error: FILE:LINE:COL: message``), then the rest of the message and the source
line with a caret; ``--debug`` prints the traceback first.
"""

from __future__ import annotations

import difflib
import sys
import traceback
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from typing import Annotated
from typing import Any

import typer
from rich.console import Console
from rich.text import Text

from attncc.errors import ArgumentError
from attncc.errors import AttnccError
from attncc.errors import excerpt
from attncc.ir.nodes import Program
from attncc.ir.parser import parse
from attncc.variants import CATALOGUE

__all__ = [
    "NO_WRAP_WIDTH",
    "Debug",
    "console",
    "error_lines",
    "load_program",
    "param_texts",
    "parse_config",
    "parse_shapes",
    "read_text",
    "report_error",
    "reporting",
    "set_debug",
    "variant",
]

#: The width of a console that is not a terminal: wide enough that nothing wraps.
NO_WRAP_WIDTH = 1 << 15
#: Program files larger than this are refused, not read into memory.
MAX_PROGRAM_BYTES = 16 << 20

_state = {"debug": False}

Debug = Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")]


def console(
    *,
    stderr: bool = False,
    file: IO[str] | None = None,
    force_terminal: bool | None = None,
    width: int | None = None,
) -> Console:
    """A console for command output (``stderr``: for errors). Made per call, so that it
    sees the current stdout and ``COLUMNS``. On a terminal it wraps at the terminal's width
    (errors never wrap); elsewhere it never wraps. ``file``, ``force_terminal`` and
    ``width`` are for tests."""
    kw = dict(stderr=stderr, file=file, force_terminal=force_terminal, highlight=False)
    probe = Console(**kw)
    if not probe.is_terminal:
        return Console(**kw, soft_wrap=True, width=NO_WRAP_WIDTH)
    return Console(**kw, soft_wrap=stderr, width=width)


def _out() -> Console:
    return console()


def _err() -> Console:
    return console(stderr=True)


# ----------------------------------------------------------------------------- errors


def set_debug(debug: bool) -> None:
    """A command's own ``--debug`` (adds to the one before the command)."""
    _state["debug"] = _state["debug"] or debug


def reset_debug(debug: bool) -> None:
    """The ``--debug`` before the command: set on every invocation."""
    _state["debug"] = debug


def error_lines(error: AttnccError, label: str | None = None, source: str | None = None):
    """The one-line summary of ``error`` and what follows it (message rest, caret excerpt)."""
    where = label or ""
    if error.loc is not None:
        where += f":{error.loc}" if where else f"line {error.loc}"
    first, *rest = error.message.splitlines() or [""]
    head = f"error: {where}: {first}" if where else f"error: {first}"
    source = error.source or source
    tail = list(rest)
    if error.loc is not None and source:
        snippet = excerpt(source, error.loc)
        if snippet:
            tail += snippet.splitlines()
    return head, tail


def report_error(error: AttnccError, label: str | None = None, source: str | None = None) -> None:
    if _state["debug"]:
        traceback.print_exc()
    head, tail = error_lines(error, label, source)
    err = _err()
    err.print(Text(head, style="bold red"))
    for line in tail:
        err.print(Text(line))


@contextmanager
def reporting(label: str | None = None) -> Iterator[None]:
    """Turn an :class:`AttnccError` raised inside into the error line and exit code 1."""
    try:
        yield
    except AttnccError as e:
        report_error(e, label)
        raise typer.Exit(1) from None


# ----------------------------------------------------------------------------- programs


def catalogue() -> dict[str, Callable[..., Program]]:
    return dict(CATALOGUE)


def variant(name: str) -> Program:
    table = catalogue()
    if name not in table:
        close = difflib.get_close_matches(name, list(table), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ArgumentError(f"unknown variant {name!r}{hint}. Fix: pick one of `attncc variants`")
    return table[name]()


def read_text(path: Path | str, what: str = "program files") -> str:
    """The UTF-8 text of the file at ``path`` (``-``: standard input); an
    :class:`ArgumentError` saying why not (missing, a directory, unreadable, too large, not
    UTF-8) instead of an ``OSError`` or ``UnicodeDecodeError``."""
    if str(path) == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            return sys.stdin.read()
        data, name = stream.read(MAX_PROGRAM_BYTES + 1), "standard input"
    else:
        name = str(path)
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_PROGRAM_BYTES + 1)
        except IsADirectoryError:
            raise ArgumentError(
                f"cannot read {name}: it is a directory. Fix: pass a file ({what})"
            ) from None
        except OSError as e:
            raise ArgumentError(f"cannot read {name}: {e.strerror or e}") from None
    if len(data) > MAX_PROGRAM_BYTES:
        raise ArgumentError(
            f"cannot read {name}: it is larger than {MAX_PROGRAM_BYTES >> 20} MiB, which no "
            f"program needs ({what} are small text files)"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ArgumentError(
            f"cannot read {name}: it is not UTF-8 text (byte 0x{data[e.start]:02x} at offset "
            f"{e.start}); {what} are UTF-8 text. Fix: save it as UTF-8"
        ) from None


def load_program(spec: str) -> tuple[Program, str | None]:
    """A program file's program and text, or a catalogue variant by name (text ``None``)."""

    path = Path(spec)
    if path.suffix == ".attn" or path.exists():
        text = read_text(path)
        return parse(text), text
    return variant(spec), None


def param_texts(texts: list[str]) -> dict[str, str]:
    """``["W=256", "cap=30"]`` → ``{"W": "256", "cap": "30"}``, for a command that types the
    values later, per program (``attncc export``: :func:`attncc.search.params.parse_params`
    does, as for ``attncc tune``). The errors are parse_params' own."""
    out: dict[str, str] = {}
    for text in texts:
        name, sep, value = text.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise ArgumentError(f"--param takes NAME=VALUE, got {text!r}. Fix: e.g. --param W=256")
        if name in out and out[name] != value:
            raise ArgumentError(f"--param {name} is given twice, as {out[name]} and {value}")
        out[name] = value
    return out


# ----------------------------------------------------------------------------- specs
# ``b=1,h=8,p=2048`` binds rank extents; ``lowering=fused,bq=32,pack_gqa=true`` picks knobs.
# Both raise ArgumentError that points at the bad item.


def _items(spec: str, what: str, example: str) -> list[tuple[str, str]]:
    items = []
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        name, eq, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name.isidentifier() or not value:
            raise ArgumentError(
                f"bad {what} item {item!r} in {spec!r}: expected NAME=VALUE items separated by "
                f"commas, e.g. {example}"
            )
        if any(name == seen for seen, _ in items):
            raise ArgumentError(f"{what} names {name} twice in {spec!r}")
        items.append((name, value))
    return items


def parse_shapes(spec: str) -> dict[str, int]:
    """``"b=1,h=8,p=2048"`` → ``{"b": 1, "h": 8, "p": 2048}`` (extents are positive ints)."""
    shapes = {}
    for name, value in _items(spec, "shape", "b=1,h=8,p=2048,m=2048,e=64"):
        try:
            extent = int(value)
        except ValueError:
            raise ArgumentError(
                f"extent of rank {name} must be an integer, got {value!r}"
            ) from None
        if extent < 1:
            raise ArgumentError(f"extent of rank {name} must be at least 1, got {extent}")
        shapes[name] = extent
    return shapes


def _value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def parse_config(spec: str) -> dict[str, Any]:
    """``"lowering=fused,bq=32,pack_gqa=true"`` → knob values (ints, floats, bools, strings)."""
    return {name: _value(v) for name, v in _items(spec, "config", "lowering=fused,bq=32")}
