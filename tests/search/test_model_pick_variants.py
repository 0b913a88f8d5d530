"""The shipped CPU cost model's raw pick (what ``tune="model"`` returns when sure) on every
catalogue variant: a config the space allows, built through ``attncc.compile`` and equal to
the reference interpreter. The model may pick any config of a space, so every variant's pick
is checked, not just the default the conformance tests build."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from attncc.cost_models.xgb import pretrained
from attncc.ir.bind import bind
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


@pytest.mark.slow  # 68 builds, about a minute
@pytest.mark.parametrize("shape", [WIDE, DECODE], ids=["prefill", "decode"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_the_models_pick_is_correct(model, name, shape):
    rng = np.random.default_rng(zlib.crc32(f"cpu/{name}/{shape.p}".encode()))
    program, kwargs, _ = CASES[name](rng, shape, name=name)
    arrays = {k: v for k, v in kwargs.items() if isinstance(v, np.ndarray)}
    params = {k: v for k, v in kwargs.items() if k not in arrays}
    extents = dict(bind(program, shapes=arrays, params=params).extents)
    problem = Problem.create(program, "cpu", extents, params or None)
    pick = model_pick(problem, model)
    assert problem.space.why_infeasible(pick.config) is None
    check_variant("cpu", name, shape, config=pick.config)
