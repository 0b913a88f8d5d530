"""A hostile library directory: whatever manifest.json and the files hold, load_library raises
an ExportError (never RecursionError, ValueError, MemoryError, a hang or a traceback from
inside), loads no native code, and reads no file whole or past its cap."""

from __future__ import annotations

import io
import json
import os
import threading
from pathlib import Path

import numpy as np
import pytest

import attncc
from attncc.errors import ExportError
from attncc.library import files as library_files
from attncc.library import manifest as manifest_module
from attncc.library.canonical import MAX_DEPTH
from attncc.library.canonical import load_json
from attncc.library.files import copy_hashing
from attncc.library.manifest import parse_manifest
from tests.library.conftest import SIGMOID
from tests.library.conftest import inputs
from tests.library.conftest import kernel_entry
from tests.library.conftest import program
from tests.library.conftest import read_manifest
from tests.library.conftest import refused
from tests.library.conftest import write_manifest

# ----------------------------------------------------------------------------- JSON


def test_a_deeply_nested_manifest_is_refused_without_recursion(library_copy, loads):
    (library_copy / "manifest.json").write_text("[" * 200_000 + "]" * 200_000)
    refused(library_copy, loads, "nests lists and objects 200000 deep; attncc reads at most 64")


def test_deep_nesting_inside_a_valid_manifest_is_refused(library_copy, loads):
    data = read_manifest(library_copy)
    deep: list = []
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    kernel_entry(data)["tuning"]["deep"] = deep
    text = json.dumps(data)
    (library_copy / "manifest.json").write_text(text)
    refused(library_copy, loads, "nests lists and objects .* deep")


@pytest.mark.parametrize(
    "literal, match",
    [
        ("1" * 5000, r"the integer 111111111111\.\.\.\(5000 digits\), beyond"),
        ("-" + "9" * 20, "beyond ±"),
        ("9007199254740993", "the integer 9007199254740993, beyond"),
        ("1e999", "the number 1e999, which is too large for a double"),
        ("-1e999", "too large for a double"),
        ("0." + "0" * 60 + "1", "a number literal of 63 characters"),
        ("Infinity", "Infinity, which is not JSON"),
        ("-Infinity", "-Infinity, which is not JSON"),
        ("NaN", "NaN, which is not JSON"),
    ],
)
def test_numbers_beyond_what_both_loaders_read_exactly_are_refused(
    library_copy, loads, literal, match
):
    file = library_copy / "manifest.json"
    text = file.read_text()
    file.write_text(text.replace('"trials": ', f'"trials": {literal}, "x": ', 1))
    refused(library_copy, loads, match)


def test_a_huge_list_is_refused_before_it_is_built(library_copy, loads):
    file = library_copy / "manifest.json"
    data = read_manifest(library_copy)
    data["programs"]["sigmoid_attention"]["kernels"].extend([{}] * 1_200_000)
    file.write_text(json.dumps(data, separators=(",", ":")))
    refused(library_copy, loads, "holds about [0-9,]+ values; attncc reads at most 1,000,000")


def test_a_lone_surrogate_is_refused(library_copy, loads):
    file = library_copy / "manifest.json"
    file.write_text(file.read_text().replace('"text": "', '"text": "\\ud800', 1))
    refused(library_copy, loads, "lone surrogate")


def test_non_utf8_and_a_bom_are_refused(library_copy, loads):
    file = library_copy / "manifest.json"
    original = file.read_bytes()
    file.write_bytes(original.replace(b'"tuned"', b'"tun\xff"', 1))
    refused(library_copy, loads, "is not UTF-8 text")
    file.write_bytes(b"\xef\xbb\xbf" + original)
    refused(library_copy, loads, "not valid JSON: Unexpected UTF-8 BOM")


def test_load_json_refuses_duplicates_and_keeps_brackets_in_strings():
    with pytest.raises(ExportError, match="names the key 'a' twice"):
        load_json(b'{"a": 1, "b": {"a": 2}, "a": 3}', "m")
    assert load_json(b'{"[[[[": "]]]{{{\\"[[["}', "m") == {"[[[[": ']]]{{{"[[['}
    deepest = '{"d": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    assert load_json(deepest.encode(), "m")


# ----------------------------------------------------------------------------- fields


def set_in(path: tuple, value):
    """An edit that sets the field at ``path`` of the sigmoid kernel entry to ``value``."""

    def edit(kernel: dict) -> None:
        target = kernel
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


#: (edit, what the error says): each sealed, so that only the schema can refuse it
WRONG = {
    "bucket a list": (set_in(("bucket",), [1, 2]), r"\.bucket: expected an object, got a list"),
    "extent negative": (set_in(("bucket", "p"), -16), r"\.bucket\.p: expected a positive integer"),
    "extent zero": (set_in(("shape", "p"), 0), r"\.shape\.p: expected a positive integer, got"),
    "extent a string": (set_in(("source", "extents", "e"), "8"), r"extents\.e: expected a posit"),
    "extent a float": (set_in(("bucket", "h"), 2.5), r"\.bucket\.h: expected a positive integer"),
    "extent a bool": (set_in(("bucket", "h"), True), "got a boolean True"),
    "extent null": (set_in(("bucket", "h"), None), r"\.bucket\.h: expected a positive integer"),
    "symbolic, no bucket": (
        lambda k: k["bucket"].pop("p"),
        r"rank 'p' is symbolic in source\.extents but has no bucket",
    ),
    "meta a list": (set_in(("source", "meta"), []), r"source\.meta: expected an object"),
    "entry a number": (set_in(("source", "entry"), 7), r"source\.entry: expected a string"),
    "files a list": (set_in(("files",), []), r"\.files: expected an object, got a list"),
    "path a number": (set_in(("files", "library", "path"), 5), r"\.path: expected a string"),
    "sha256 short": (set_in(("files", "library", "sha256"), "ab"), "64 lowercase hex digits"),
    "unknown field": (set_in(("source", "text", "mode"), "x"), "unknown field 'mode'"),
    "control character": (
        set_in(("files", "library", "path"), "kernels/a\nb.so"),
        "not a plain relative path",
    ),
    "path too long": (
        set_in(("files", "library", "path"), "kernels/" + "x" * 300),
        "longer than a library's paths can be",
    ),
    "target unknown": (set_in(("target",), "toString"), "'toString' is not one of the library's"),
    "provenance a list": (set_in(("provenance",), ["tuned"]), r"provenance: expected a string"),
    "text not a file ref": (set_in(("source", "text"), "x.py"), r"source\.text: expected an obj"),
}  # fmt: skip


@pytest.mark.parametrize("edit, match", WRONG.values(), ids=list(WRONG))
def test_every_field_of_the_wrong_kind_is_refused_by_name(library_copy, loads, edit, match):
    data = read_manifest(library_copy)
    edit(kernel_entry(data))
    write_manifest(library_copy, data)
    refused(library_copy, loads, match)


@pytest.mark.parametrize("where", ["top", "target", "program"])
def test_wrong_kinds_at_the_top_are_refused(library_copy, loads, where):
    data = read_manifest(library_copy)
    if where == "top":
        data["programs"] = ["sigmoid_attention"]
    elif where == "target":
        data["targets"]["cpu"] = {"fingerprint": "cpu"}
    else:
        data["programs"]["sigmoid_attention"]["kernels"] = {"0": {}}
    write_manifest(library_copy, data)
    refused(library_copy, loads, "expected an object|expected a list")


def test_parse_manifest_refuses_what_is_not_bytes_or_a_manifest():
    with pytest.raises(ExportError, match="expected the bytes of a manifest"):
        parse_manifest(12)  # type: ignore[arg-type]
    for junk in (b"", b"\x00\x01", b"[]", b'"x"', b"{}", b"123"):
        with pytest.raises(ExportError):
            parse_manifest(junk)


@pytest.mark.parametrize("path", [12, None, "lib\0rary"])
def test_a_path_argument_that_is_no_path_is_refused(path):
    with pytest.raises(ExportError):
        attncc.load_library(path)  # type: ignore[arg-type]


def test_a_program_text_the_parser_cannot_read_is_an_export_error(library_copy, loads):
    import hashlib

    data = read_manifest(library_copy)
    entry = data["programs"]["sigmoid_attention"]
    entry["text"] = entry["text"].replace("* scale", "* (" * 3000 + "scale" + ")" * 3000)
    entry["sha256"] = hashlib.sha256(entry["text"].encode()).hexdigest()
    write_manifest(library_copy, data)
    refused(library_copy, loads, "program sigmoid_attention of the library")


# ----------------------------------------------------------------------------- files


def so_path(root: Path, program_name: str = "sigmoid_attention") -> Path:
    return root / kernel_entry(read_manifest(root), program_name)["files"]["library"]["path"]


def test_a_huge_sparse_file_is_refused_without_reading_it(library_copy, loads):
    so = so_path(library_copy)
    so.unlink()
    with open(so, "wb") as f:
        f.truncate(library_files.MAX_FILE_BYTES + 1)  # sparse: takes no disk
    error = refused(library_copy, loads, f"has {library_files.MAX_FILE_BYTES + 1:,} bytes")
    assert so.name in str(error)


def test_the_file_and_library_caps_are_enforced(library_copy, loads, monkeypatch):
    sizes = [p.stat().st_size for p in (library_copy / "kernels").iterdir()]
    monkeypatch.setattr(library_files, "MAX_FILE_BYTES", max(sizes) - 1)
    error = refused(library_copy, loads, f"has {max(sizes):,} bytes, more than any file attncc")
    assert f"({max(sizes) - 1:,})" in str(error)
    monkeypatch.setattr(library_files, "MAX_FILE_BYTES", 1 << 30)
    monkeypatch.setattr(library_files, "MAX_LIBRARY_BYTES", sum(sizes) - 1)
    refused(library_copy, loads, "add up to more than")


def test_a_file_that_grows_while_read_is_refused():
    """The cap holds while streaming too (a file can grow after its size was checked)."""
    out = io.BytesIO()
    with pytest.raises(ExportError, match="grew past 1,000 bytes while it was read"):
        copy_hashing(io.BytesIO(b"x" * 5000), out, 1000, "kernels/x.so")
    assert len(out.getvalue()) <= 1000
    out = io.BytesIO()
    import hashlib

    assert copy_hashing(io.BytesIO(b"abc"), out, 3, "x") == hashlib.sha256(b"abc").hexdigest()


def test_a_huge_sparse_manifest_is_refused(library_copy, loads):
    file = library_copy / "manifest.json"
    with open(file, "r+b") as f:
        f.truncate(manifest_module.MAX_MANIFEST_BYTES + 1)
    refused(library_copy, loads, "more than any file attncc writes")


@pytest.mark.parametrize("which", ["artifact", "manifest"])
def test_a_directory_where_a_file_is_expected_is_refused(library_copy, loads, which):
    path = so_path(library_copy) if which == "artifact" else library_copy / "manifest.json"
    path.unlink()
    path.mkdir()
    refused(library_copy, loads, "is not a regular file")


@pytest.mark.parametrize("which", ["artifact", "manifest"])
def test_a_fifo_is_refused_without_blocking(library_copy, loads, which):
    path = so_path(library_copy) if which == "artifact" else library_copy / "manifest.json"
    path.unlink()
    os.mkfifo(path)
    outcome: list = []

    def load() -> None:
        try:
            attncc.load_library(library_copy)
        except BaseException as e:
            outcome.append(e)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(30)
    if thread.is_alive():  # release the blocked open before failing
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("load_library blocked on a FIFO")
    (error,) = outcome
    assert isinstance(error, ExportError) and "is not a regular file" in str(error)
    assert loads == []


def test_links_are_never_followed_inside_the_library(library_copy, loads, tmp_path):
    so = so_path(library_copy)
    inside = so.with_name("real.so")
    so.rename(inside)
    so.symlink_to(inside.name)  # even a link that stays inside
    error = refused(library_copy, loads, "is a symbolic link")
    assert so.name in str(error)
    so.unlink()
    inside.rename(so)
    kernels = so.parent
    moved = tmp_path / "elsewhere"
    kernels.rename(moved)
    kernels.symlink_to(moved)  # a linked directory on the way
    refused(library_copy, loads, "kernels in library .* is a symbolic link")


def test_a_manifest_that_is_a_link_is_refused(library_copy, loads, tmp_path):
    file = library_copy / "manifest.json"
    elsewhere = tmp_path / "manifest.json"
    file.rename(elsewhere)
    file.symlink_to(elsewhere)
    refused(library_copy, loads, "manifest.json in library .* is a symbolic link")


def test_unicode_file_names_load(library_copy):
    """Paths are any Unicode text (but control characters): a renamed artifact still loads."""
    data = read_manifest(library_copy)
    ref = kernel_entry(data)["files"]["library"]
    new = "kernels/ünïcødé-内核-😀.so"
    (library_copy / ref["path"]).rename(library_copy / new)
    ref["path"] = new
    write_manifest(library_copy, data)
    lib = attncc.load_library(library_copy)
    args = inputs(SIGMOID, seed=2)
    want = attncc.interpret(program("sigmoid_attention"), **args)
    np.testing.assert_allclose(lib("sigmoid_attention", **args), want, atol=1e-5)


def test_an_unreadable_file_is_an_export_error(library_copy, loads):
    if os.geteuid() == 0:
        pytest.skip("root reads files whatever their mode")
    so = so_path(library_copy)
    so.chmod(0)
    refused(library_copy, loads, "cannot open .*Permission denied")


def test_a_source_text_too_large_to_read_whole_is_refused(library_copy, monkeypatch):
    from attncc.library import loader

    monkeypatch.setattr(loader, "MAX_SOURCE_BYTES", 100)
    with pytest.raises(ExportError, match=r"the source text of the cpu kernel .* more than any"):
        attncc.load_library(library_copy)
