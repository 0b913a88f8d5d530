"""Export: deterministic manifests, cost-model picks where nothing was measured."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

import attncc
from attncc.cost_models import xgb
from attncc.errors import AttnccError
from attncc.library.manifest import SCHEMA_VERSION
from tests.library.conftest import SIGMOID
from tests.library.conftest import inputs
from tests.library.conftest import program
from tests.library.conftest import read_manifest


def files_of(path) -> dict[str, str]:
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def test_exporting_twice_gives_the_same_library_apart_from_the_date(
    tuned_db, library, tmp_path, monkeypatch
):
    monkeypatch.setenv("ATTNCC_CACHE_DIR", "off")  # rebuilt from scratch, not copied
    again = tmp_path / "again"
    attncc.export(again, tuned_db)
    first, second = read_manifest(library), read_manifest(again)
    assert first.pop("created") and second.pop("created")
    assert first == second
    texts = [(d / "manifest.json").read_text() for d in (library, again)]
    dates = [read_manifest(d)["created"] for d in (library, again)]
    assert texts[0].replace(dates[0], "") == texts[1].replace(dates[1], "")  # byte for byte
    first_files, second_files = files_of(library), files_of(again)
    assert first_files.pop("manifest.json") and second_files.pop("manifest.json")
    assert first_files == second_files and len(first_files) == 4


def test_the_manifest_records_versions_hashes_and_fingerprints(library):
    import tvm

    data = read_manifest(library)
    assert data["format"] == "attncc-library" and data["schema_version"] == SCHEMA_VERSION
    assert data["versions"]["attncc"] == attncc.__version__
    assert data["versions"]["tvm"] == tvm.__version__
    fingerprint = data["targets"]["cpu"]["fingerprint"]
    assert fingerprint == attncc.targets.get_target("cpu").describe()
    for name, entry in data["programs"].items():
        assert entry["sha256"] == hashlib.sha256(entry["text"].encode()).hexdigest()
        assert attncc.parse(entry["text"]).name == name
        for k in entry["kernels"]:
            refs = [k["source"]["text"], *k["files"].values()]
            for ref in refs:
                data = (library / ref["path"]).read_bytes()
                assert ref["sha256"] == hashlib.sha256(data).hexdigest()
            assert set(k["files"]) == {"library"} and k["files"]["library"]["path"].endswith(".so")
            assert "program" not in k["source"]["meta"]


@pytest.mark.parametrize("sure", [True, False], ids=["model-sure", "model-unsure"])
def test_programs_and_shapes_with_nothing_measured_get_the_cost_models_pick(
    tuned_db, tmp_path, monkeypatch, sure
):
    """An unmeasured shape gets the shipped model's pick when the model is sure of it, else
    the default config marked ``tuning.model_unsure`` (the calibration is the model's own;
    here it is set either way so that both paths run whatever the shipped model says)."""
    try:
        model = xgb.pretrained("cpu")
    except AttnccError:
        pytest.skip("no pre-trained cost model for the cpu target")
    margin = -1e9 if sure else 1e9
    model.info = {**model.info, "keep_default_margin": margin, "keep_default_by_kind": {}}
    monkeypatch.setattr(xgb, "pretrained", lambda target="cpu": model)
    out = tmp_path / "lib"
    longer = {**SIGMOID, "p": 64, "m": 64}
    report = attncc.export(out, tuned_db, programs=["sigmoid_attention"], shapes=[SIGMOID, longer])
    provenance = "model" if sure else "default"
    assert [(k.program, k.bucket, k.provenance) for k in report.kernels] == [
        ("sigmoid_attention", "b=1,h=2,p=16,e=8,g=1,m=16,f=8", "tuned"),
        ("sigmoid_attention", "b=1,h=2,p=64,e=8,g=1,m=64,f=8", provenance),
    ]
    (tuned, picked) = read_manifest(out)["programs"]["sigmoid_attention"]["kernels"]
    assert picked["provenance"] == provenance and picked["tuning"]["trials"] == 0
    assert picked["tuning"].get("model_unsure", False) is not sure
    assert tuned["provenance"] == "tuned" and tuned["tuning"]["trials"] == 2
    lib = attncc.load_library(out)
    kernel = lib.kernel("sigmoid_attention")
    for shape in (longer, {**longer, "p": 50, "m": 33}, SIGMOID):
        args = inputs(shape, seed=2)
        assert kernel.select(shape).provenance == ("tuned" if shape is SIGMOID else provenance)
        ref = attncc.interpret(program("sigmoid_attention"), **args)
        np.testing.assert_allclose(kernel(**args), ref, atol=1e-5)


def test_targets_without_measurements_or_a_model_export_their_default_schedule(tmp_path):
    """WebGPU timings cannot be taken here and no model ships for it: the library holds the
    target's default schedule, says so, and the kernel equals the reference."""
    pytest.importorskip("wgpu")
    from attncc.targets import get_target
    from tests.library.conftest import GQA

    out = tmp_path / "lib"
    gqa = program("gqa_causal")
    report = attncc.export(out, None, targets=["webgpu"], programs=[gqa], shapes=[GQA])
    (kernel,) = report.kernels
    default = get_target("webgpu").space(gqa, {**GQA, "p": None, "m": None}).default()
    assert (kernel.target, kernel.provenance, kernel.config) == ("webgpu", "default", default)
    (entry,) = read_manifest(out)["programs"]["gqa_causal"]["kernels"]
    assert entry["provenance"] == "default" and entry["tuning"] == {"trials": 0}
    lib = attncc.load_library(out, target="webgpu")
    args = inputs({**GQA, "p": 11, "m": 13}, seed=4)
    np.testing.assert_allclose(lib("gqa_causal", **args), attncc.interpret(gqa, **args), atol=1e-5)
