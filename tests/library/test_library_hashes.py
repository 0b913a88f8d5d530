"""Field hashes: every manifest field that decides what runs is covered by a hash, an edit is
refused naming the field, and the library digest pins a library against a manifest
rewritten whole (hashes and all)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import attncc
from attncc.library.canonical import canonical
from attncc.library.canonical import field_hash
from attncc.library.manifest import KERNEL_FIELDS
from attncc.library.manifest import kernel_fields
from attncc.library.manifest import parse_manifest
from tests.library.conftest import SIGMOID
from tests.library.conftest import inputs
from tests.library.conftest import kernel_entry
from tests.library.conftest import program
from tests.library.conftest import read_manifest
from tests.library.conftest import refused
from tests.library.conftest import write_manifest

KERNEL = "manifest.programs.sigmoid_attention.kernels[0]"
AT = re.escape(KERNEL)


def swap_k_and_v(kernel: dict) -> None:
    args = kernel["source"]["meta"]["args"]
    k, v = (next(i for i, a in enumerate(args) if a["name"] == n) for n in "KV")
    args[k], args[v] = args[v], args[k]


def rename_role(kernel: dict) -> None:
    kernel["files"]["shared_object"] = kernel["files"].pop("library")


def fix_a_rank(kernel: dict) -> None:
    kernel["source"]["extents"]["p"] = 16  # symbolic → fixed: the kernel would serve p = 16 only


#: (edit of the sigmoid kernel entry, the field the error must name)
EDITS = {
    "args swapped": (swap_k_and_v, "source.meta.args"),
    "extents changed": (fix_a_rank, "source.extents"),
    "entry renamed": (lambda k: k["source"].update(entry="main"), "source.entry"),
    "language changed": (lambda k: k["source"].update(language="wgsl"), "source.language"),
    "lowering edited": (
        lambda k: k["source"]["meta"].update(lowering=k["source"]["meta"]["lowering"] + "x"),
        "source.meta.lowering",
    ),
    "meta config edited": (
        lambda k: k["source"]["meta"]["config"].update(unroll=k["config"]["unroll"] + 1),
        "source.meta.config",
    ),
    "bucket moved": (lambda k: k["bucket"].update(p=4096), "bucket"),
    "config edited": (lambda k: k["config"].update(parallel=not k["config"]["parallel"]), "config"),
    "provenance edited": (lambda k: k.update(provenance="model"), "provenance"),
    "tuning edited": (lambda k: k["tuning"].update(median_s=1e-9), "tuning"),
    "shape edited": (lambda k: k["shape"].update(p=17), "shape"),
    "file role renamed": (rename_role, "files"),
    "source text moved": (
        lambda k: k["source"]["text"].update(path=k["source"]["text"]["path"] + ".txt"),
        "source.text",
    ),
}  # fmt: skip


@pytest.mark.parametrize("edit, field", EDITS.values(), ids=list(EDITS))
def test_each_run_changing_field_edited_is_refused_naming_it(library_copy, loads, edit, field):
    data = read_manifest(library_copy)
    edit(kernel_entry(data))
    write_manifest(library_copy, data, sealed=False)
    error = refused(library_copy, loads, "does not match its hash")
    assert f"{KERNEL}.{field} does not match its hash in {KERNEL}.hashes" in str(error)
    assert "edited after export" in str(error) and "Nothing was loaded" in str(error)


def test_every_field_of_a_kernel_entry_is_hashed(library):
    """The hashed fields are all of an entry's fields (a new field must be added to them)."""
    data = read_manifest(library)
    kernel = kernel_entry(data)
    fields = kernel_fields(kernel)
    covered = {name.split(".")[0] for name in fields}
    assert covered | {"hashes"} == set(kernel)
    assert (
        set(kernel["hashes"])
        == set(fields)
        == set(KERNEL_FIELDS) | {f"source.meta.{key}" for key in kernel["source"]["meta"]}
    )
    assert {f"source.{key}" for key in kernel["source"]} <= set(fields)


def test_a_target_fingerprint_edited_is_refused(library_copy, loads):
    data = read_manifest(library_copy)
    data["targets"]["cpu"]["fingerprint"]["mcpu"] = "x86-64"  # would pass the ISA check
    write_manifest(library_copy, data, sealed=False)
    refused(library_copy, loads, r"manifest\.targets\.cpu\.fingerprint does not match its hash")


def test_a_meta_field_added_or_removed_is_refused(library, library_copy, loads):
    data = read_manifest(library_copy)
    kernel_entry(data)["source"]["meta"]["link_flags"] = ["-mcpu=generic"]
    write_manifest(library_copy, data, sealed=False)
    refused(library_copy, loads, rf"{AT}\.source\.meta\.link_flags has no hash")
    data = read_manifest(library)
    kernel = kernel_entry(data)
    del kernel["source"]["meta"]["lowering"], kernel["hashes"]["source.meta.lowering"]
    write_manifest(library_copy, data, sealed=False)  # the key and its hash both gone
    refused(library_copy, loads, rf"{AT}\.source\.meta does not match its hash")


def test_hashes_missing_or_extra_are_refused(library, library_copy, loads):
    data = read_manifest(library)
    del kernel_entry(data)["hashes"]["bucket"]
    write_manifest(library_copy, data, sealed=False)
    refused(library_copy, loads, rf"{AT}\.bucket has no hash")
    data = read_manifest(library)
    kernel_entry(data)["hashes"]["source.meta.secret"] = "0" * 64
    write_manifest(library_copy, data, sealed=False)
    refused(library_copy, loads, "has a hash for 'source.meta.secret', which is not a field")
    data = read_manifest(library)
    del kernel_entry(data)["hashes"]
    write_manifest(library_copy, data, sealed=False)
    refused(library_copy, loads, rf"{AT}: missing field 'hashes'")


def test_a_kernel_moved_to_another_program_is_refused(library_copy, loads):
    """Hashes are bound to the program's text: an entry copied, hashes and all, into another
    program (which would run it on that program's arguments) does not match there."""
    data = read_manifest(library_copy)
    moved = kernel_entry(data, "gqa_causal")
    data["programs"]["sigmoid_attention"]["kernels"].append(moved)
    data["programs"]["gqa_causal"]["kernels"] = []
    write_manifest(library_copy, data, sealed=False)
    refused(library_copy, loads, r"sigmoid_attention\.kernels\[1\]\.target does not match")


def test_kernels_swapped_between_programs_with_their_files_are_refused(library_copy, loads):
    data = read_manifest(library_copy)
    a, b = kernel_entry(data), kernel_entry(data, "gqa_causal")
    a["files"], b["files"] = b["files"], a["files"]
    write_manifest(library_copy, data, sealed=False)
    refused(library_copy, loads, r"\.kernels\[0\]\.files does not match its hash")


def test_a_second_kernel_for_one_bucket_is_refused(library_copy, loads):
    data = read_manifest(library_copy)
    kernels = data["programs"]["sigmoid_attention"]["kernels"]
    twin = json.loads(json.dumps(kernels[0]))
    twin["source"]["meta"]["note"] = "twin"
    kernels.append(twin)
    write_manifest(library_copy, data)  # sealed: only the schema rule can refuse it
    refused(library_copy, loads, r"kernels\[1\] serves the same cpu bucket .* as kernels\[0\]")


# ----------------------------------------------------------------------------- the digest


def test_the_library_digest_pins_a_library_rewritten_whole(library_copy, loads):
    """Who can rewrite the manifest can rewrite its hashes: a library re-sealed after K and V
    were swapped loads (and computes the wrong thing) -- unless its digest is pinned."""
    digest = attncc.load_library(library_copy).sha256
    loads.clear()
    data = read_manifest(library_copy)
    swap_k_and_v(kernel_entry(data))
    write_manifest(library_copy, data)  # sealed: every hash recomputed
    args = inputs(SIGMOID, seed=1)
    want = attncc.interpret(program("sigmoid_attention"), **args)
    swapped = attncc.load_library(library_copy)
    assert swapped.sha256 != digest
    assert not np.allclose(swapped("sigmoid_attention", **args), want, atol=1e-3)
    loads.clear()
    error = refused(library_copy, loads, "not the pinned", sha256=digest)
    assert swapped.sha256 in str(error) and digest in str(error)


def test_the_digest_is_the_exporters_and_ignores_layout_and_date(library, library_copy):
    lib = attncc.load_library(library, sha256=attncc.load_library(library).sha256)
    assert lib.sha256 == parse_manifest((library / "manifest.json").read_bytes()).sha256
    data = read_manifest(library_copy)
    data["created"] = "2000-01-01T00:00:00+00:00"
    reordered = dict(reversed(list(data.items())))
    (library_copy / "manifest.json").write_text(json.dumps(reordered, separators=(",", ":")))
    assert attncc.load_library(library_copy, sha256=lib.sha256.upper()).sha256 == lib.sha256


def test_an_export_reports_the_digest(tuned_db, tmp_path):
    report = attncc.export(tmp_path / "lib", tuned_db, programs=["sigmoid_attention"])
    assert len(report.sha256) == 64
    assert attncc.load_library(tmp_path / "lib", sha256=report.sha256).sha256 == report.sha256


@pytest.mark.parametrize("pin", ["abc", 42, "g" * 64, b"0" * 64])
def test_a_malformed_pin_is_refused(library, loads, pin):
    refused(library, loads, "64 hex digits", sha256=pin)


# ----------------------------------------------------------------------------- canonical form


#: Known answers of the canonical form (docs/library.md): the JS loader must give the same.
CANONICAL = [
    ({"b": 1, "a": [True, None]}, '{"a":[true,null],"b":1}'),
    ([50.0, -0.0, 1.5, 2**53 - 1, 1e300, 0.1], "[50,0,0x3ff8000000000000,9007199254740991,"
     "0x7e37e43c8800759c,0x3fb999999999999a]"),
    ("é\u2028\x7f\n\x01\"\\/😀", '"\\u00e9\\u2028\\u007f\\n\\u0001\\"\\\\/\\ud83d\\ude00"'),
    ({"\uffff": 1, "😀": 2, "z": 3}, '{"z":3,"\\ud83d\\ude00":2,"\\uffff":1}'),
]  # fmt: skip


@pytest.mark.parametrize("value, text", CANONICAL)
def test_the_canonical_form_has_known_answers(value, text):
    assert canonical(value) == text.encode("ascii")


def test_a_field_hash_is_bound_to_its_field_and_scope():
    base = field_hash("program:" + "0" * 64, "source.entry", "main")
    assert base == field_hash("program:" + "0" * 64, "source.entry", "main")
    assert base != field_hash("program:" + "1" * 64, "source.entry", "main")
    assert base != field_hash("program:" + "0" * 64, "source.language", "main")
    assert field_hash("s", "f", {"a": 1.0, "b": 2}) == field_hash("s", "f", {"b": 2, "a": 1})
