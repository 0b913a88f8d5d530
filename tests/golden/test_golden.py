"""Generated code is byte-identical to the recorded golden sources (tests/golden/record.py).

A refactor of the lowerings must not change what they generate; a change that is meant to
must record the sources again (``python -m tests.golden.record``) and commit them with it,
so the diff of the golden files shows what moved in the generated code.
"""

from __future__ import annotations

import difflib

import pytest

from tests.golden.record import ROOT
from tests.golden.record import TARGETS
from tests.golden.record import Case
from tests.golden.record import cases

CASES = list(cases())


def test_every_golden_file_has_a_case() -> None:
    recorded = {p for t in TARGETS for p in (ROOT / t).glob("*") if p.is_file()}
    assert recorded == {c.path for c in CASES}, "run: python -m tests.golden.record"


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.target}-{c.variant}-{c.lowering}")
def test_generated_source_is_unchanged(case: Case) -> None:
    want = case.path.read_text()
    got = case.source()
    if got != want:
        diff = difflib.unified_diff(
            want.splitlines(), got.splitlines(), "recorded", "generated", lineterm="", n=2
        )
        excerpt = "\n".join(list(diff)[:60])
        pytest.fail(
            f"{case.path.name} changed; if that is meant, record again with "
            f"`python -m tests.golden.record {case.target}` and commit the diff\n{excerpt}"
        )
