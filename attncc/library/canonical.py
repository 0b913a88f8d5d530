"""Bounded JSON reading, and the canonical form that a library's hashes are taken over.

Why bounded: ``manifest.json`` comes from whoever could write the library directory, and
``json.loads`` alone is not safe on it -- it recurses once per nesting level (a deep
``[[[[...`` is a ``RecursionError``), turns a 5,000-digit literal into a ``ValueError``
(Python's int-string limit) and ``1e999`` into ``inf``, and a file of ``{},{},...`` costs far
more memory than its bytes. :func:`load_json` refuses, with an :class:`ExportError`, JSON
nested more than :data:`MAX_DEPTH` deep, with more than :data:`MAX_VALUES` values, integers
beyond ±(2**53 − 1), number literals longer than :data:`MAX_NUMBER_CHARS`, non-finite
numbers, duplicate keys and strings that are not Unicode (lone surrogates), before or while
``json.loads`` runs, so nothing else can escape.

Why canonical: a hash over a manifest field must come out the same in Python and in
``attncc.js`` (``canonicalJson``), whatever whitespace, key order or number spelling the
file uses, so that both loaders check the same thing. The form (docs/library.md):

* ``null``, ``true``, ``false``;
* a number that is an integer within ±(2**53 − 1): its decimal digits (``50.0`` is ``50``,
  ``-0`` is ``0``); any other finite number: ``0x`` and the 16 lowercase hex digits of its
  IEEE-754 binary64 bits, big-endian (both languages read a JSON number to the same double);
* a string: ``"``, then each UTF-16 code unit -- printable ASCII as itself except ``"`` and
  ``\\`` (``\\"``, ``\\\\``), ``\\b \\f \\n \\r \\t`` for those controls, ``\\u`` and 4
  lowercase hex digits for every other one -- then ``"``;
* a list: ``[`` items joined by ``,`` ``]``; an object: ``{`` then ``"key":value`` joined by
  ``,`` with keys in UTF-16 code-unit order (JavaScript's default sort), then ``}``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import struct
from collections.abc import Mapping
from itertools import accumulate
from typing import Any

from attncc.errors import ExportError

__all__ = [
    "MAX_DEPTH",
    "MAX_NUMBER_CHARS",
    "MAX_SAFE_INTEGER",
    "MAX_VALUES",
    "canonical",
    "digest",
    "field_hash",
    "load_json",
]

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
        truncated = " (the file is truncated)" if e.pos >= len(text.rstrip()) else ""
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


# ----------------------------------------------------------------------------- canonical


def canonical(value: Any) -> bytes:
    """The canonical form of a JSON value (module docstring), as ASCII bytes."""
    out: list[str] = []
    _encode(value, out, 0)
    return "".join(out).encode("ascii")


def digest(value: Any) -> str:
    """The sha256 of :func:`canonical` ``(value)``, as 64 lowercase hex digits."""
    return hashlib.sha256(canonical(value)).hexdigest()


def field_hash(scope: str, field: str, value: Any) -> str:
    """The hash a manifest keeps for one field: bound to the field's name and its ``scope``
    (the program or target it belongs to), so that a field moved elsewhere does not match."""
    return digest({"scope": scope, "field": field, "value": value})


def _encode(value: Any, out: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ExportError(f"a value nested more than {MAX_DEPTH} deep cannot be stored")
    if value is None or isinstance(value, bool):
        out.append({None: "null", True: "true", False: "false"}[value])
    elif isinstance(value, (int, float)):
        out.append(_number(value))
    elif isinstance(value, str):
        out.append(json.dumps(value))  # ensure_ascii: exactly the escapes described above
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            out.append("," if i else "")
            _encode(item, out, depth + 1)
        out.append("]")
    elif isinstance(value, Mapping):
        out.append("{")
        for i, key in enumerate(sorted(value, key=_utf16_order)):
            out.append(("," if i else "") + json.dumps(key) + ":")
            _encode(value[key], out, depth + 1)
        out.append("}")
    else:
        raise ExportError(f"a {type(value).__name__} is not a JSON value and cannot be stored")


def _utf16_order(key: Any) -> bytes:
    if not isinstance(key, str):
        raise ExportError(f"an object key must be a string, got {type(key).__name__} {key!r}")
    return key.encode("utf-16-be", "surrogatepass")


def _number(x: int | float) -> str:
    if isinstance(x, int):
        if abs(x) > MAX_SAFE_INTEGER:
            raise ExportError(
                f"the integer {x} is beyond ±(2**53 - 1), which JavaScript cannot hold exactly"
            )
        return str(x)
    if not math.isfinite(x):
        raise ExportError(f"the number {x} cannot be stored in JSON")
    if x.is_integer() and abs(x) <= MAX_SAFE_INTEGER:
        return str(int(x))
    return "0x" + struct.pack(">d", x).hex()
