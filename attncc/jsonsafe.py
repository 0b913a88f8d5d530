"""Bounded JSON reading: JSON files that come from whoever could write a directory.

A kernel library's ``manifest.json`` and the launch metadata files of its ``webgpu`` and
``cuda`` kernels are read from a directory someone else may have written, and
``json.loads`` alone is not safe on them -- it recurses once per nesting level (a deep
``[[[[...`` is a ``RecursionError``), turns a 5,000-digit literal into a ``ValueError``
(Python's int-string limit) and ``1e999`` into ``inf``, and a file of ``{},{},...`` costs far
more memory than its bytes. :func:`load_json` refuses, with an :class:`ExportError`, JSON
nested more than :data:`MAX_DEPTH` deep, with more than :data:`MAX_VALUES` values, integers
beyond ±(2**53 − 1), number literals longer than :data:`MAX_NUMBER_CHARS`, non-finite
numbers, duplicate keys and strings that are not Unicode (lone surrogates), before or while
``json.loads`` runs, so nothing else can escape.

It sits at the top of the package, beside :mod:`attncc.errors`, because both the library
loader (:mod:`attncc.library`) and the targets' ``load`` methods read such files, and
targets may not import the library (the import direction is one way, DESIGN.md §7).
"""

from __future__ import annotations

import json
import math
import os
import re
from itertools import accumulate
from typing import Any

from attncc.errors import ExportError

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NUMBER_CHARS",
    "MAX_SAFE_INTEGER",
    "MAX_VALUES",
    "load_json",
    "read_json_object",
]

#: A JSON file larger than this is not one attncc wrote (a manifest takes ~5 KB a kernel).
MAX_FILE_BYTES = 16 << 20
#: Nesting deeper than this is not a manifest attncc wrote (it writes about 10 levels).
MAX_DEPTH = 64
#: Values (numbers, strings, lists, objects, ...) in one document; a kernel takes ~200.
MAX_VALUES = 1_000_000
#: The longest number literal read (the longest float attncc writes has 24 characters).
MAX_NUMBER_CHARS = 40
#: Integers are exact in both loaders up to this size (JavaScript numbers are doubles).
MAX_SAFE_INTEGER = 2**53 - 1

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b"[]{},")
_STEP = tuple(1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256))


def load_json(data: bytes, where: str) -> Any:
    """The JSON value of ``data`` (UTF-8), within the bounds above; else an ExportError."""
    skeleton = _STRING.sub(b'""', data)  # brackets and commas inside strings are not structure
    structure = skeleton.translate(None, _NOT_STRUCTURE)
    values = structure.count(b",") + structure.count(b"[") + structure.count(b"{")
    if values > MAX_VALUES:
        raise ExportError(
            f"{where} holds about {values:,} values; attncc reads at most {MAX_VALUES:,} in one "
            "file. Fix: export fewer kernels per library"
        )
    depth = max(accumulate(map(_STEP.__getitem__, structure)), default=0)
    if depth > MAX_DEPTH:
        raise ExportError(
            f"{where} nests lists and objects {depth} deep; attncc reads at most {MAX_DEPTH} "
            "(its manifests nest about 10). Fix: export the library again"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ExportError(f"{where} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    try:
        value = json.loads(
            text,
            object_pairs_hook=lambda pairs: _no_duplicates(pairs, where),
            parse_constant=lambda name: _refuse(where, f"{name}, which is not JSON"),
            parse_int=lambda s: _integer(s, where),
            parse_float=lambda s: _float(s, where),
        )
    except json.JSONDecodeError as e:
        # the text ended early: the error is at its end, or a string never closes (JSON
        # strings hold no raw newline, so an unclosed one runs to the end of the text)
        ended = e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string")
        truncated = " (the file is truncated)" if ended else ""
        raise ExportError(
            f"{where} is not valid JSON{truncated}: {e.msg} at line {e.lineno} column "
            f"{e.colno}. Fix: export the library again"
        ) from None
    except RecursionError:  # cannot happen below MAX_DEPTH; kept so that nothing escapes
        raise ExportError(f"{where} nests lists and objects too deeply") from None
    _check_strings(value, where)
    return value


def _refuse(where: str, what: str) -> Any:
    raise ExportError(f"{where} holds {what}. Fix: export the library again")


def _no_duplicates(pairs: list[tuple[str, Any]], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ExportError(f"{where} names the key {k!r} twice in one object")
        out[k] = v
    return out


def _integer(literal: str, where: str) -> int:
    digits = len(literal.lstrip("-"))
    if digits > 16 or abs(value := int(literal)) > MAX_SAFE_INTEGER:
        shown = literal if len(literal) <= 24 else f"{literal[:12]}...({digits} digits)"
        return _refuse(
            where,
            f"the integer {shown}, beyond ±(2**53 - 1): JavaScript cannot hold it exactly, so "
            "attncc never writes one",
        )
    return value


def _float(literal: str, where: str) -> float:
    if len(literal) > MAX_NUMBER_CHARS:
        return _refuse(where, f"a number literal of {len(literal)} characters ({literal[:16]}...)")
    value = float(literal)
    if not math.isfinite(value):
        return _refuse(where, f"the number {literal}, which is too large for a double")
    return value


def _check_strings(value: Any, where: str) -> None:
    """Every string and key is Unicode text (JSON's ``\\ud800`` escapes can make a lone
    surrogate, which neither UTF-8 nor a hash over it can represent)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, str) and not v.isascii():
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                shown = v[:40].encode("utf-8", "backslashreplace").decode()
                raise ExportError(
                    f"{where} holds a string with a lone surrogate ({shown!r}): not Unicode "
                    "text. Fix: export the library again"
                ) from None


def read_json_object(path: str | os.PathLike, what: str, cap: int = MAX_FILE_BYTES) -> dict:
    """The JSON object in the file ``path`` (at most ``cap`` bytes, read within the bounds of
    :func:`load_json`); an :class:`ExportError` naming ``what`` otherwise."""
    try:
        with open(path, "rb") as f:
            data = f.read(cap + 1)
    except OSError as e:
        raise ExportError(f"cannot read {what} ({path}): {e.strerror}") from None
    if len(data) > cap:
        raise ExportError(
            f"{what} ({path}) is larger than {cap:,} bytes, more than attncc writes; refusing "
            "it. Fix: export the library again"
        )
    value = load_json(data, what)
    if not isinstance(value, dict):
        kind = {list: "an array", str: "a string"}.get(type(value), "a literal")
        raise ExportError(
            f"{what} ({path}) holds {kind}, not a JSON object. Fix: export the library again"
        )
    return value
