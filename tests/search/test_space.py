"""The search space: pools of feasible configs, neighbours, dedupe keys."""

from __future__ import annotations

import random
import time

from attncc.search.space import SearchSpace
from attncc.search.space import config_key
from attncc.targets.base import Constraint
from attncc.targets.base import Knob
from attncc.targets.base import Space


def big_space() -> SearchSpace:
    """30^4 combinations, of which 21 x 15 x 30 are feasible (0.8 %)."""
    knobs = tuple(Knob(n, tuple(range(30))) for n in "abcd")

    def small(c):
        return None if c["a"] + c["b"] <= 5 else "a + b > 5"

    def even(c):
        return None if c["c"] % 2 == 0 else "c is odd"

    return SearchSpace(Space(knobs, (Constraint("small", small), Constraint("even", even))))


def test_config_key_ignores_order():
    assert config_key({"a": 1, "b": True}) == config_key({"b": True, "a": 1})
    assert config_key({"a": 1}) != config_key({"a": 2})


def test_pool_of_a_large_sparse_space_is_feasible_distinct_and_fresh():
    space = big_space()
    assert space.everything() is None  # too big to list
    exclude = {config_key({"a": 0, "b": 0, "c": 0, "d": 0})}
    start = time.perf_counter()
    pool = space.pool(100, random.Random(0), exclude=exclude)
    assert time.perf_counter() - start < 5
    keys = [config_key(c) for c in pool]
    assert len(pool) >= 50 and len(set(keys)) == len(keys)
    assert all(space.feasible(c) for c in pool)
    assert not exclude & set(keys)


def test_small_space_is_listed_and_runs_out():
    space = SearchSpace(Space((Knob("x", (1, 2, 3)), Knob("y", ("u", "v")))))
    assert len(space.everything()) == 6
    first = space.pool(4, random.Random(1))
    rest = space.pool(10, random.Random(1), exclude={config_key(c) for c in first})
    assert len(first) == 4 and len(rest) == 2


def test_neighbours_change_one_knob_and_are_feasible():
    space = big_space()
    base = {"a": 2, "b": 2, "c": 8, "d": 7}
    near = space.neighbours(base)
    assert near and all(space.feasible(c) for c in near)
    assert all(sum(c[k] != base[k] for k in base) == 1 for c in near)
    assert len(near) == 3 + 3 + 14 + 29  # a + b <= 5, c stays even, d is free
    assert space.nearest({"a": 2, "b": 2, "c": 8, "d": 9}, near) == {**base, "d": 9}


def test_distributions_are_the_knob_choices():
    space = SearchSpace(Space((Knob("x", (1, 2)), Knob("flag", (True, False)))))
    d = space.distributions()
    assert d["x"].choices == (1, 2) and d["flag"].choices == (True, False)


def test_cpu_space_pool_is_feasible():
    """The CPU target's fused space is large and mostly infeasible: sampling copes."""
    from attncc.ir.bind import bind
    from attncc.targets import get_target
    from attncc.variants import CATALOGUE

    program = CATALOGUE["gqa_causal"]()
    target = get_target("cpu")
    extents = bind(program, extents=dict(b=1, h=4, g=2, p=64, m=64, e=16, f=16)).extents
    space = SearchSpace(target.space(program, target.specialise(program, extents)))
    start = time.perf_counter()
    pool = space.pool(200, random.Random(0))
    assert time.perf_counter() - start < 10
    assert len(pool) >= 100 and all(space.feasible(c) for c in pool)
    lowerings = {c["lowering"] for c in pool}
    assert len(lowerings) == len(space.knobs[0].choices)
