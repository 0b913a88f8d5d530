"""Fuzzing the manifest of a real library: whatever the mutation -- bytes of the JSON text, or
any field replaced by any JSON value (huge or deep or odd), with the hashes left alone or
recomputed as an attacker would -- load_library either loads or raises an ExportError."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import attncc
from attncc.errors import ExportError
from attncc.library.manifest import seal

#: Values that have broken loaders: huge or non-finite numbers, deep nesting, odd strings.
SPECIAL_STRINGS = ["", "../x.so", "/etc/passwd", "kernels", "manifest.json", "\ud800", "a\nb",
                   "__proto__", "toString", "😀", "e" * 300, "sha256", "null"]  # fmt: skip
HUGE = "\x00HUGE\x00"  # replaced by a 5,000-digit literal in the text
DEEP = "\x00DEEP\x00"  # replaced by 100 nested lists

leaves = st.one_of(
    st.sampled_from([HUGE, DEEP]),
    st.sampled_from(SPECIAL_STRINGS),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.none(),
    st.booleans(),
)
json_values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def fuzz_dir(library, tmp_path_factory) -> tuple[Path, dict]:
    """One copy of the library whose manifest every example rewrites."""
    root = Path(shutil.copytree(library, tmp_path_factory.mktemp("fuzz") / "lib"))
    return root, json.loads((root / "manifest.json").read_text())


def paths_of(value, prefix=()) -> list[tuple]:
    """Every path (keys and indices) to a node of a JSON value."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(paths_of(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(paths_of(v, (*prefix, i)))
    return out


def dumps(data) -> str:
    text = json.dumps(data, allow_nan=True)
    text = text.replace(json.dumps(HUGE), "1" * 5000)
    return text.replace(json.dumps(DEEP), "[" * 100 + "]" * 100)


def load_only_export_errors(root: Path) -> None:
    """Load ``root``; any exception but an ExportError fails the test."""
    with contextlib.suppress(ExportError):
        attncc.load_library(root)


def reseal(manifest) -> None:
    """Recompute every hash (program texts' too), as an attacker who rewrites them would."""
    programs = manifest.get("programs") if isinstance(manifest, dict) else None
    for entry in programs.values() if isinstance(programs, dict) else ():
        if isinstance(entry, dict) and isinstance(entry.get("text"), str):
            text = entry["text"].encode("utf-8", "surrogatepass")
            entry["sha256"] = hashlib.sha256(text).hexdigest()
    if isinstance(manifest, dict):
        seal(manifest)


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_field_replaced_by_any_value_loads_or_is_an_export_error(fuzz_dir, data):
    root, original = fuzz_dir
    manifest = json.loads(json.dumps(original))
    paths = paths_of(manifest)
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        path = data.draw(st.sampled_from(paths[1:]), label="path")
        parent = manifest
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = data.draw(st.sampled_from(["replace", "delete", "rename"]), label="action")
            if action == "delete" or (action == "rename" and isinstance(parent, dict)):
                value = parent.pop(path[-1])
                if action == "rename":
                    parent[data.draw(st.sampled_from(SPECIAL_STRINGS), label="name")] = value
            else:
                parent[path[-1]] = data.draw(json_values, label="value")
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed the path
    if data.draw(st.booleans(), label="resealed"):
        reseal(manifest)
    (root / "manifest.json").write_text(dumps(manifest), encoding="utf-8", errors="surrogatepass")
    load_only_export_errors(root)


#: Bytes a mutation inserts: JSON's structure, escapes, digits and some non-ASCII.
ALPHABET = st.sampled_from([*'{}[]",:0123456789eE.-+\\u tfn', "\ud800", "é", "😀", "\x00"])


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_mutated_manifest_text_loads_or_is_an_export_error(fuzz_dir, data):
    root, original = fuzz_dir
    text = json.dumps(original, indent=1)
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        at = data.draw(st.integers(0, len(text)), label="at")
        kind = data.draw(st.sampled_from(["insert", "delete", "repeat"]), label="kind")
        if kind == "insert":
            text = text[:at] + data.draw(st.text(ALPHABET, min_size=1, max_size=8)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + data.draw(st.integers(1, 40)) :]
        else:
            piece = text[at : at + data.draw(st.integers(1, 40))]
            text = text[:at] + piece * data.draw(st.integers(2, 200)) + text[at:]
    (root / "manifest.json").write_bytes(text.encode("utf-8", "surrogatepass"))
    load_only_export_errors(root)
