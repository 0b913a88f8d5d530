"""CUDA kernels in a library: cubin and PTX for the target's arch with their launch
metadata, hashed like every artifact, and runnable once loaded (in Triton's interpreter
here: the test session sets ``TRITON_INTERPRET=1``, tests/conftest.py)."""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pytest

import attncc
from tests.library.conftest import GQA
from tests.library.conftest import inputs
from tests.library.conftest import program
from tests.library.conftest import read_manifest

pytest.importorskip("triton")


@pytest.fixture(scope="module")
def cuda_library(tmp_path_factory):
    out = tmp_path_factory.mktemp("cuda") / "lib"
    report = attncc.export(
        out,
        f"sqlite:///{out.parent / 'nothing-tuned.db'}",
        targets=["cuda"],
        programs=[program("gqa_causal")],
        shapes=[GQA],
    )
    return out, report


def test_cuda_artifacts_are_exported_with_their_launch_metadata(cuda_library):
    out, report = cuda_library
    (kernel,) = report.kernels
    assert (kernel.target, kernel.provenance) == ("cuda", "default")  # nothing measurable here
    manifest = read_manifest(out)
    assert manifest["targets"]["cuda"]["fingerprint"]["arch"] == "sm_90"
    (entry,) = manifest["programs"]["gqa_causal"]["kernels"]
    files = entry["files"]
    binaries = {role: f for role, f in files.items() if role.startswith("binary:")}
    ptxs = {role: f for role, f in files.items() if role.startswith("ptx:")}
    assert binaries and len(ptxs) == len(binaries)
    for role, ref in files.items():
        data = (out / ref["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == ref["sha256"], role
    for ref in binaries.values():
        assert (out / ref["path"]).read_bytes()[:4] == b"\x7fELF"  # a cubin
    for ref in ptxs.values():
        assert ".visible .entry" in (out / ref["path"]).read_text()
    launch = json.loads((out / files["launch"]["path"]).read_text())
    assert launch["arch"] == "sm_90"
    for name, info in launch["kernels"].items():
        assert f"binary:{name}" in files
        assert info["num_warps"] in (2, 4, 8) and 0 < info["shared"] <= 232448
        assert info["spill_bytes"] == 0 and 0 < info["registers"] <= 255


def test_a_loaded_cuda_kernel_runs_like_the_interpreter(cuda_library):
    out, _ = cuda_library
    lib = attncc.load_library(out, target="cuda")
    args = inputs({**GQA, "p": 13, "m": 21}, seed=5)
    got = lib("gqa_causal", **args)
    np.testing.assert_allclose(got, attncc.interpret(program("gqa_causal"), **args), atol=1e-5)


def test_a_tampered_cubin_is_refused(cuda_library, tmp_path):
    import shutil

    out, _ = cuda_library
    copy = shutil.copytree(out, tmp_path / "lib")
    manifest = read_manifest(copy)
    (entry,) = manifest["programs"]["gqa_causal"]["kernels"]
    binary = next(f for role, f in entry["files"].items() if role.startswith("binary:"))
    path = copy / binary["path"]
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(attncc.AttnccError, match="sha256"):
        attncc.load_library(copy, target="cuda")


def test_edited_launch_metadata_is_refused(cuda_library, tmp_path):
    """The launch metadata (file and manifest meta) decides how kernels are launched: an
    edit to either is refused before anything is built or loaded."""
    import shutil

    out, _ = cuda_library
    copy = shutil.copytree(out, tmp_path / "lib")
    (entry,) = read_manifest(copy)["programs"]["gqa_causal"]["kernels"]
    path = copy / entry["files"]["launch"]["path"]
    launch = json.loads(path.read_text())
    for info in launch["kernels"].values():
        info["num_warps"] = 1 if info["num_warps"] != 1 else 2
    path.write_text(json.dumps(launch))
    launch_path = re.escape(entry["files"]["launch"]["path"])
    with pytest.raises(attncc.AttnccError, match=rf"{launch_path} in library .* its sha256"):
        attncc.load_library(copy, target="cuda")
    shutil.copy(out / entry["files"]["launch"]["path"], path)
    data = read_manifest(copy)
    meta = data["programs"]["gqa_causal"]["kernels"][0]["source"]["meta"]
    key = sorted(meta)[0]
    meta[key] = {"edited": True}
    (copy / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(attncc.AttnccError, match=rf"source\.meta\.{key} does not match its hash"):
        attncc.load_library(copy, target="cuda")
