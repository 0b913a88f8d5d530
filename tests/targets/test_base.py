"""Search spaces: defaults, feasibility and enumeration."""

from __future__ import annotations

from attncc.targets.base import Constraint
from attncc.targets.base import Knob
from attncc.targets.base import Space
from attncc.targets.base import stable_hash


def _space() -> Space:
    return Space(
        knobs=(Knob("bq", (16, 32, 64)), Knob("bk", (32, 64), default=64)),
        constraints=(
            Constraint("tile budget", lambda c: "too big" if c["bq"] * c["bk"] > 2048 else None),
        ),
    )


def test_default_takes_first_choice_unless_given():
    assert _space().default() == {"bq": 16, "bk": 64}


def test_infeasible_configs_are_named():
    space = _space()
    assert space.why_infeasible({"bq": 64, "bk": 64}) == "tile budget: too big"
    assert "not one of" in space.why_infeasible({"bq": 7})
    assert "unknown knob" in space.why_infeasible({"tile": 1})
    assert space.why_infeasible({"bq": 32, "bk": 64}) is None


def test_enumeration_skips_infeasible_configs():
    configs = list(_space())
    assert {"bq": 64, "bk": 64} not in configs
    assert len(configs) == _space().size == 5


def test_stable_hash_ignores_key_order():
    assert stable_hash({"a": 1, "b": 2}) == stable_hash({"b": 2, "a": 1})
    assert stable_hash({"a": 1}) != stable_hash({"a": 2})
