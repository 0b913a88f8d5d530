"""One conformance suite for every target: each catalogue variant, compiled with the target's
default schedule through ``attncc.compile``, equals the reference interpreter."""

from __future__ import annotations

import zlib
from dataclasses import replace

import numpy as np
import pytest

import attncc
from tests.variants.cases import CASES, DECODE, WIDE

TARGETS = ["cpu"]


def _max_rel_err(got, want) -> float:
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    scale = max(1.0, float(np.abs(want).max(initial=0.0)))
    return float(np.abs(got - want).max(initial=0.0)) / scale


def _check(target: str, name: str, shape) -> None:
    rng = np.random.default_rng(zlib.crc32(f"{target}/{name}/{shape.p}".encode()))
    program, kwargs, _ = CASES[name](rng, shape, name=name)
    want = attncc.interpret(program, **kwargs)
    got = attncc.compile(program, target)(**kwargs)
    if not isinstance(want, dict):
        want, got = {"out": want}, {"out": got}
    for out in want:
        assert _max_rel_err(got[out], want[out]) <= 1e-4, f"{name} on {target}: {out}"


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_variant_matches_reference(target, name):
    _check(target, name, WIDE)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_variant_matches_reference_for_one_query(target, name):
    _check(target, name, replace(DECODE, m=61))
