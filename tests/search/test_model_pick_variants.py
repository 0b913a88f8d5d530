"""The shipped CPU cost model's raw pick (what ``tune="model"`` returns when sure) on every
catalogue variant: a config the space allows, built through ``attncc.compile`` and equal to
the reference interpreter. The model may pick any config of a space, so every variant's pick
is checked, not just the default the conformance tests build."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from attncc.cost_models.xgb import pretrained
from attncc.search.cost_model import model_pick
from attncc.search.problem import Problem
from tests.targets.conformance import check_variant
from tests.variants.cases import CASES
from tests.variants.cases import DECODE
from tests.variants.cases import WIDE

pytest.importorskip("tvm")


@pytest.fixture(scope="module")
def model():
    return pretrained("cpu")


def extents_of(program, kwargs) -> dict[str, int]:
    out = {}
    for decl in program.inputs:
        value = kwargs.get(decl.name)
        if isinstance(value, np.ndarray):
            out.update({r: int(n) for r, n in zip(decl.ranks, value.shape, strict=True)})
    return out


@pytest.mark.slow  # 68 builds, about a minute
@pytest.mark.parametrize("shape", [WIDE, DECODE], ids=["prefill", "decode"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_the_models_pick_is_correct(model, name, shape):
    rng = np.random.default_rng(zlib.crc32(f"cpu/{name}/{shape.p}".encode()))
    program, kwargs, _ = CASES[name](rng, shape, name=name)
    params = {k: v for k, v in kwargs.items() if not isinstance(v, np.ndarray)}
    problem = Problem.create(program, "cpu", extents_of(program, kwargs), params or None)
    pick = model_pick(problem, model)
    assert problem.space.why_infeasible(pick.config) is None
    check_variant("cpu", name, shape, config=pick.config)
