"""One conformance suite for every target: each catalogue variant, compiled with the target's
default schedule through ``attncc.compile``, equals the reference interpreter, at the
conformance shapes (odd lengths, fully masked rows) and for one query; the default schedule
takes the fused lowering exactly for the variants in :func:`~tests.targets.conformance.fused_on`.

A target whose runtime is missing here is skipped with the reason (the ``cuda`` target runs
in Triton's interpreter; ``webgpu`` on Mesa's lavapipe).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from attncc.targets import TARGETS
from tests.targets.conformance import check_variant
from tests.targets.conformance import fused_on
from tests.targets.conformance import why_unavailable
from tests.variants.cases import CASES
from tests.variants.cases import DECODE
from tests.variants.cases import WIDE


@pytest.fixture(params=sorted(TARGETS))
def target(request) -> str:
    reason = why_unavailable(request.param)
    if reason:
        pytest.skip(f"{request.param}: {reason}")
    return request.param


@pytest.mark.parametrize("name", sorted(CASES))
def test_variant_matches_reference(target, name):
    kernel = check_variant(target, name, WIDE)
    assert kernel.config["lowering"] == ("fused" if name in fused_on(target) else "generic")


@pytest.mark.parametrize("name", sorted(CASES))
def test_variant_matches_reference_for_one_query(target, name):
    check_variant(target, name, replace(DECODE, m=61))
