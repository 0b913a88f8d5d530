"""The canonical form that a library's hashes are taken over (and, re-exported from
:mod:`attncc.jsonsafe`, the bounded JSON reader the manifest is read with).

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
import struct
from collections.abc import Mapping
from typing import Any

from attncc.errors import ExportError
from attncc.jsonsafe import MAX_DEPTH
from attncc.jsonsafe import MAX_NUMBER_CHARS
from attncc.jsonsafe import MAX_SAFE_INTEGER
from attncc.jsonsafe import MAX_VALUES
from attncc.jsonsafe import load_json

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
