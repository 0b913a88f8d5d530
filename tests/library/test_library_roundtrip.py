"""Tune → export → load in a new process → run: the results equal the reference
interpreter, and loading and running never import the tuner (Optuna, XGBoost)."""

from __future__ import annotations

import numpy as np
import optuna

import attncc
from attncc.search.database import best_trial
from tests.library.conftest import GQA
from tests.library.conftest import SIGMOID
from tests.library.conftest import inputs
from tests.library.conftest import program
from tests.library.conftest import read_manifest
from tests.library.conftest import run_in_new_process

NEW_PROCESS = """
import json, sys
import numpy as np
import attncc
lib = attncc.load_library(path)
rng = np.random.default_rng(1)
errors, picked = [], []
for name, shape in calls:
    b, h, g, p, m, e, f = (shape[r] for r in "bhgpmef")
    args = {
        "Q": rng.standard_normal((b, h, p, e), dtype=np.float32),
        "K": rng.standard_normal((b, g, m, e), dtype=np.float32),
        "V": rng.standard_normal((b, g, m, f), dtype=np.float32),
    }
    out = lib(name, **args)
    kernel = lib.kernel(name)
    ref = attncc.interpret(kernel.program, **args)
    errors.append(float(np.abs(out - ref).max()))
    picked.append(",".join(f"{r}={n}" for r, n in kernel.select(shape).bucket.items()))
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("optuna", "xgboost", "sqlalchemy"))
print(json.dumps({"errors": errors, "picked": picked, "heavy": heavy}))
"""


def test_a_tuned_library_runs_in_a_new_process_like_the_interpreter(library, tuned_db):
    calls = [
        ("sigmoid_attention", SIGMOID),  # the tuned shape
        ("sigmoid_attention", {**SIGMOID, "p": 13, "m": 9}),  # same bucket, other lengths
        ("sigmoid_attention", {**SIGMOID, "p": 100, "m": 40}),  # longer: the same build
        ("gqa_causal", GQA),
        ("gqa_causal", {**GQA, "p": 37, "m": 37}),  # the fused build: any length
    ]
    result = run_in_new_process(NEW_PROCESS, path=str(library), calls=calls)
    assert result["heavy"] == []  # neither optuna nor xgboost (nor the database layer)
    assert max(result["errors"]) < 1e-4
    bucket = "b=1,h=2,p=16,e=8,g=1,m=16,f=8"
    assert result["picked"][:3] == [bucket] * 3

    manifest = read_manifest(library)
    kernel = manifest["programs"]["sigmoid_attention"]["kernels"][0]
    (name,) = [n for n in optuna.get_all_study_names(tuned_db) if n.startswith("sigmoid")]
    best = best_trial(optuna.load_study(study_name=name, storage=tuned_db))
    assert kernel["provenance"] == "tuned"
    assert kernel["tuning"]["study"] == name and kernel["tuning"]["trials"] == 2
    assert kernel["tuning"]["median_s"] == best.value
    assert {k: kernel["config"][k] for k in best.params} == best.params
    fused = manifest["programs"]["gqa_causal"]["kernels"][0]
    assert fused["config"]["lowering"] == "fused"
    assert fused["source"]["extents"]["p"] is None and fused["source"]["extents"]["e"] == 16


def test_in_process_kernels_take_torch_and_several_calls(library):
    torch = __import__("pytest").importorskip("torch")
    lib = attncc.load_library(library)
    attn = lib.kernel("gqa_causal")
    assert lib.programs == ("gqa_causal", "sigmoid_attention")
    args = inputs({**GQA, "p": 5, "m": 20}, seed=3)
    ref = attncc.interpret(program("gqa_causal"), **args)
    np.testing.assert_allclose(attn(**args), ref, atol=1e-5)
    out = attn(**{k: torch.from_numpy(v) for k, v in args.items()})
    assert isinstance(out, torch.Tensor)
    np.testing.assert_allclose(out.numpy(), ref, atol=1e-5)
    assert attn.buckets == ("b=1,h=2,p=16,e=16,g=1,m=16,f=16",)
