"""Bad libraries and bad requests: one clear ExportError each, and no native code loaded."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import attncc
from attncc.errors import ExportError
from attncc.targets.cpu import CpuTarget
from tests.library.conftest import SIGMOID
from tests.library.conftest import inputs
from tests.library.conftest import kernel_entry
from tests.library.conftest import read_manifest
from tests.library.conftest import refused
from tests.library.conftest import write_manifest

# ----------------------------------------------------------------------------- integrity


def test_a_tampered_artifact_is_refused(library_copy, loads):
    manifest = read_manifest(library_copy)
    so = library_copy / kernel_entry(manifest, "gqa_causal")["files"]["library"]["path"]
    data = bytearray(so.read_bytes())
    data[len(data) // 2] ^= 0xFF
    so.write_bytes(bytes(data))
    error = refused(library_copy, loads, "does not match its sha256")
    assert so.name in str(error) and "Nothing was loaded" in str(error)


def test_a_tampered_source_text_or_program_text_is_refused(library_copy, loads):
    manifest = read_manifest(library_copy)
    text = library_copy / kernel_entry(manifest)["source"]["text"]["path"]
    text.write_text(text.read_text() + "# edited\n")
    refused(library_copy, loads, "does not match its sha256")
    text.unlink()
    refused(library_copy, loads, "is missing")


def test_an_edited_program_text_is_refused(library_copy, loads):
    data = read_manifest(library_copy)
    entry = data["programs"]["sigmoid_attention"]
    entry["text"] = entry["text"].replace("sigmoid(", "exp(")
    write_manifest(library_copy, data)
    refused(library_copy, loads, "text of program sigmoid_attention .* does not match")


def sub(old: str, new: str):
    return lambda text: text.replace(old, new, 1)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda text: text[: len(text) // 2], r"not valid JSON \(the file is truncated\)"),
        (lambda text: "{,}", "not valid JSON"),
        (lambda text: "", "not valid JSON"),
        (lambda text: "[1, 2]", "expected a JSON object, got a list"),
        (lambda text: '{"format": "attncc-library", "format": 1}', "names the key 'format' twi"),
        (sub('"schema_version": 2', '"schema_version": 3'), "schema version 3, newer"),
        (sub('"schema_version": 2', '"schema_version": 1'), "schema version 1, older"),
        (sub('"schema_version": 2', '"schema_version": "2"'), "expected an integer"),
        (sub('"attncc-library"', '"zip"'), "not an attncc kernel library"),
        (sub('"provenance": "tuned"', '"provenance": "guess"'), "provenance"),
        (sub('"sha256": "', '"sha256": "x'), "64 lowercase hex"),
        (sub('"kernels": [', '"kernelz": ['), "unknown field 'kernelz'"),
        (sub('"format": "attncc-library",', ""), "missing field 'format'"),
        (sub('"median_s": ', '"median_s": NaN, "x": '), "NaN"),
    ],
)
def test_a_malformed_manifest_is_refused(library_copy, loads, edit, match):
    file = library_copy / "manifest.json"
    file.write_text(edit(file.read_text()))
    refused(library_copy, loads, match)


def test_a_directory_without_a_manifest_is_refused(tmp_path, loads):
    refused(tmp_path, loads, "has no manifest.json")
    refused(tmp_path / "nope", loads, "no such directory")


@pytest.mark.parametrize("path", ["../x.so", "/etc/passwd", "kernels/../../x.so", "a\\b.so", "./x"])
def test_file_paths_must_stay_inside_the_library(library_copy, loads, path):
    data = read_manifest(library_copy)
    kernel_entry(data)["files"]["library"]["path"] = path
    write_manifest(library_copy, data)
    refused(library_copy, loads, "not a plain relative path inside the library")


def test_a_link_out_of_the_library_is_refused(library_copy, loads, tmp_path):
    data = read_manifest(library_copy)
    so = library_copy / kernel_entry(data)["files"]["library"]["path"]
    outside = tmp_path / "outside.so"
    outside.write_bytes(so.read_bytes())
    so.unlink()
    os.symlink(outside, so)
    refused(library_copy, loads, "is a symbolic link")


# ----------------------------------------------------------------------------- compatibility


def test_kernels_built_for_missing_cpu_features_are_refused(library_copy, loads, monkeypatch):
    import attncc.targets.cpu.target as cpu

    monkeypatch.setattr(cpu, "isa_features", lambda mcpu: {"avx2", "avx512f", "fma"})
    monkeypatch.setattr(cpu, "host_isa_features", lambda: {"avx2", "fma"})
    mcpu = read_manifest(library_copy)["targets"]["cpu"]["fingerprint"]["mcpu"]
    error = refused(library_copy, loads, "cannot run here")
    assert f"built for {mcpu} (AVX-512); this CPU" in str(error) and "lacks avx512f" in str(error)


def test_kernels_of_another_tvm_or_an_unknown_cpu_are_refused(library_copy, loads):
    data = read_manifest(library_copy)
    data["targets"]["cpu"]["fingerprint"]["tvm"] = "0.1.0"
    write_manifest(library_copy, data)
    refused(library_copy, loads, "built with TVM 0.1.0")
    data["targets"]["cpu"]["fingerprint"]["tvm"] = attncc_tvm_version()
    data["targets"]["cpu"]["fingerprint"]["mcpu"] = "no-such-cpu"
    write_manifest(library_copy, data)
    refused(library_copy, loads, "built for CPU 'no-such-cpu', which this machine's LLVM")


def attncc_tvm_version() -> str:
    import tvm

    return tvm.__version__


def test_a_real_cpu_this_machine_lacks_is_refused(library_copy, loads):
    """With LLVM's own feature lists: some known x86 CPU has an extension this one lacks."""
    import tvm
    from tvm.target import codegen

    from attncc.targets.cpu.host import host_isa_features
    from attncc.targets.cpu.host import isa_features

    here = host_isa_features()
    archs = codegen.llvm_get_cpu_archlist(tvm.target.Target({"kind": "llvm"}))
    richer = [a for a in sorted(archs) if (isa_features(a) or set()) - here]
    if not richer:
        pytest.skip("this CPU has every extension LLVM knows")
    data = read_manifest(library_copy)
    data["targets"]["cpu"]["fingerprint"]["mcpu"] = richer[0]
    write_manifest(library_copy, data)
    refused(library_copy, loads, f"built for {richer[0]}.*this CPU .* lacks")


def test_a_target_that_cannot_run_here_leaves_the_others_usable(library_copy):
    data = read_manifest(library_copy)
    data["targets"]["tpu"] = {"fingerprint": {"target": "tpu"}}
    write_manifest(library_copy, data)
    lib = attncc.load_library(library_copy)
    assert "unknown target 'tpu'" in lib.refused["tpu"]
    args = inputs(SIGMOID)
    ref = attncc.interpret(attncc.variants.CATALOGUE["sigmoid_attention"](), **args)
    assert abs(lib("sigmoid_attention", **args) - ref).max() < 1e-5
    with pytest.raises(ExportError, match="no tpu kernel of sigmoid_attention: unknown target"):
        lib.kernel("sigmoid_attention", target="tpu")
    with pytest.raises(ExportError, match="the tpu kernels of this library cannot run here"):
        attncc.load_library(library_copy, target="tpu")


# ----------------------------------------------------------------------------- calls


def test_a_shape_without_a_bucket_lists_the_buckets(library):
    lib = attncc.load_library(library)
    args = inputs({**SIGMOID, "b": 3})  # the batch stays symbolic: any batch is served
    ref = attncc.interpret(attncc.variants.CATALOGUE["sigmoid_attention"](), **args)
    assert abs(lib("sigmoid_attention", **args) - ref).max() < 1e-5
    with pytest.raises(
        ExportError, match="no cpu kernel of sigmoid_attention for e=4,f=8,g=1,h=2"
    ) as e:
        lib("sigmoid_attention", **inputs({**SIGMOID, "e": 4}))
    assert "its buckets: b=1,h=2,p=16,e=8,g=1,m=16,f=8" in str(e.value)


def test_a_program_not_in_the_library_lists_the_programs(library):
    lib = attncc.load_library(library)
    with pytest.raises(ExportError, match="no program 'mla'; its programs: gqa_causal, sig"):
        lib.kernel("mla")
    with pytest.raises(ExportError, match="has no webgpu kernels"):
        attncc.load_library(library, target="webgpu")


# ----------------------------------------------------------------------------- export


def test_a_storage_without_studies_is_an_error(tmp_path):
    with pytest.raises(ExportError, match="no tuning studies"):
        attncc.export(tmp_path / "lib", f"sqlite:///{tmp_path / 'none.db'}")
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "lib").exists()


def test_nothing_matching_the_programs_is_an_error(tuned_db, tmp_path):
    with pytest.raises(ExportError, match="matching the programs given"):
        attncc.export(tmp_path / "lib", tuned_db, programs=["mha_causal"])
    with pytest.raises(ExportError, match="unknown program 'nope'"):
        attncc.export(tmp_path / "lib", tuned_db, programs=["nope"], shapes=[SIGMOID])
    with pytest.raises(ExportError, match="needs programs="):
        attncc.export(tmp_path / "lib", tuned_db, shapes=[SIGMOID])


def test_an_existing_directory_is_refused_unless_replaced(tuned_db, library_copy, tmp_path):
    with pytest.raises(ExportError, match=r"already exists and is not empty.*--force"):
        attncc.export(library_copy, tuned_db)
    (library_copy / "marker").write_text("old")
    attncc.export(library_copy, tuned_db, replace=True)
    assert not (library_copy / "marker").exists() and attncc.load_library(library_copy)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match=r"not a kernel library .* refusing to replace"):
        attncc.export(other, tuned_db, replace=True)
    assert (other / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib", "other"]  # no leftovers


def test_a_failure_while_exporting_leaves_nothing(tuned_db, tmp_path, monkeypatch):
    def broken(self, artifact, directory, stem):
        raise OSError("disk full")

    monkeypatch.setattr(CpuTarget, "save", broken)
    with pytest.raises(ExportError, match=r"could not save .* disk full"):
        attncc.export(tmp_path / "lib", tuned_db)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["../escape.so", "/tmp/x.so", "missing.so"])
def test_a_target_saving_outside_its_directory_is_an_error(tuned_db, tmp_path, monkeypatch, name):
    monkeypatch.setattr(CpuTarget, "save", lambda self, artifact, directory, stem: {"lib": name})
    with pytest.raises(ExportError, match="save"):
        attncc.export(tmp_path / "lib", tuned_db)
    assert list(tmp_path.iterdir()) == []


def test_meta_that_json_cannot_hold_is_an_error():
    from attncc.library.manifest import json_meta

    assert json_meta({"program": object(), "args": ({"a": 1},)}, "m") == {"args": [{"a": 1}]}
    with pytest.raises(ExportError, match=r"m\.handle is a object"):
        json_meta({"handle": object()}, "m")
    with pytest.raises(ExportError, match="inf"):
        json_meta({"x": float("inf")}, "m")
    with pytest.raises(ExportError, match=r"m\.n is 1152921504606846976, beyond ±\(2\*\*53 - 1\)"):
        json_meta({"n": 2**60}, "m")  # JavaScript would read another number
    assert json.dumps(json_meta({"t": (1, 2.5, None)}, "m")) == '{"t": [1, 2.5, null]}'


def test_native_code_is_loaded_from_the_bytes_that_were_checked(library_copy):
    """The hashed bytes are the loaded bytes: kernels load from private copies, so a file
    replaced in the library after the check (or after loading) is never what runs."""
    import numpy as np

    lib = attncc.load_library(library_copy)
    loaded = [k.artifact.path for ks in lib._kernels.values() for k in ks]
    assert loaded and all(library_copy.resolve() not in Path(p).resolve().parents for p in loaded)
    for so in library_copy.rglob("*.so"):
        so.write_bytes(b"not a shared object")
    args = inputs(SIGMOID, seed=3)
    want = attncc.interpret(attncc.variants.CATALOGUE["sigmoid_attention"](), **args)
    np.testing.assert_allclose(lib("sigmoid_attention", **args), want, atol=1e-5)
    with pytest.raises(ExportError, match="sha256"):
        attncc.load_library(library_copy)


@pytest.mark.parametrize("out", [3, None, ["lib"]])
def test_export_to_something_that_is_not_a_path(out) -> None:
    with pytest.raises(ExportError, match="writes to a directory path"):
        attncc.export(out)
