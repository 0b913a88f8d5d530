"""Text specs a user types on the command line: rank extents and schedule configs.

``b=1,h=8,p=2048`` binds rank extents; ``lowering=fused,bq=32,pack_gqa=true`` picks knobs.
Both raise :class:`~attncc.errors.ArgumentError` that points at the bad item.
"""

from __future__ import annotations

from typing import Any

from attncc.errors import ArgumentError

__all__ = ["parse_config", "parse_shapes"]


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
