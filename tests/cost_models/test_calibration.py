"""``bench/train_cost_model.py``'s calibration: the margin above which ``tune="model"``
trusts its pick, from held-out (margin, measured speed-up over the default) pairs."""

from __future__ import annotations

import pytest
from _bench import bench_module


@pytest.fixture(scope="module")
def calibrate():
    return bench_module("train_cost_model").calibrate


HELD = [(3.0, 1.2), (2.0, 0.8), (1.5, 2.0), (1.0, 1.5), (0.5, 0.5), (0.0, 1.0), (0.0, 1.0)]


def test_the_threshold_with_the_most_good_a_loss_weighing_three_times(calibrate):
    """Utility of the top 1..5 margins: 0.18, -0.49, 0.21, 0.61, -1.47: the top four, one
    of them a loss, do the most good."""
    cal = calibrate(HELD, noise=0.05, loss_weight=3.0)
    assert cal["threshold"] == 0.5 and cal["sure"] == 4 and cal["slower"] == 1
    assert cal["worst"] == 0.8 and cal["moved"] == 5 and cal["groups"] == 7
    assert cal["gain"] == pytest.approx((1.2 * 0.8 * 2.0 * 1.5) ** (1 / 7))


def test_a_heavier_loss_keeps_only_the_picks_above_it(calibrate):
    cal = calibrate(HELD, noise=0.05, loss_weight=10.0)
    assert cal["threshold"] == 2.0 and cal["sure"] == 1 and cal["slower"] == 0


def test_never_sure_when_no_threshold_does_good(calibrate):
    cal = calibrate([(1.0, 0.5), (0.4, 0.9), (0.0, 1.0)], noise=0.05, loss_weight=1.0)
    assert cal["threshold"] == 1.0 and cal["sure"] == 0  # sure only strictly above
    assert calibrate([], noise=0.05, loss_weight=3.0)["sure"] == 0


def test_equal_margins_are_sure_together(calibrate):
    """A threshold cannot part equal margins: the pair's loss outweighs its gain."""
    held = [(1.0, 2.0), (1.0, 0.5), (0.5, 1.5)]
    cal = calibrate(held, noise=0.05, loss_weight=3.0)
    assert cal["sure"] == 0 and cal["threshold"] == 1.0
    cal = calibrate(held, noise=0.05, loss_weight=1.0)
    assert cal["sure"] == 3 and cal["threshold"] == 0.0


def test_a_loss_within_noise_is_not_counted_slower(calibrate):
    cal = calibrate([(1.0, 0.96), (0.5, 1.5)], noise=0.05, loss_weight=3.0)
    assert cal["sure"] == 2 and cal["slower"] == 0 and cal["worst"] == 0.96


def test_separation_and_resampling():
    T = bench_module("train_cost_model")
    # the margins order 4 of the 6 (gain, loss) pairs of the moved groups rightly
    assert T.separation(HELD, [m for m, _ in HELD]) == pytest.approx(4 / 6)
    assert T.separation(HELD, [0, 1, 0, 0, 1, 9, 9]) == pytest.approx(0.0)
    assert T.separation(HELD, [9, 0, 9, 9, 0, 9, 9]) == pytest.approx(1.0)
    thresholds = T.resampled(HELD, 20)
    assert len(thresholds) == 20 and set(thresholds) <= {m for m, _ in HELD}


def test_first_trials_compare_the_three_ways_to_start():
    first_trials = bench_module("train_cost_model").first_trials
    # (margin, default near the best, pick near the best)
    near = [(0.9, False, True), (0.1, True, False), (0.2, False, True), (0.0, True, True)]
    got = first_trials(near, threshold=0.5)
    assert got == {"default": 0.5, "pick": 0.75, "sure pick, else default": 0.75}
    assert first_trials(near, threshold=0.15)["sure pick, else default"] == 1.0
    assert first_trials(near, threshold=0.05)["sure pick, else default"] == 0.75
    assert first_trials(near, threshold=1.0)["sure pick, else default"] == 0.5


def test_each_workload_kind_gets_its_own_threshold():
    """Decode picks that never gain are never sure; they no longer hold back the prefill
    threshold."""
    T = bench_module("train_cost_model")
    held = [*HELD, (4.0, 0.5), (2.5, 1.01), (1.0, 0.7)]
    kinds = ["prefill"] * len(HELD) + ["decode"] * 3
    got = T.calibrate_by_kind(held, kinds, noise=0.05, loss_weight=3.0)
    assert got["prefill"][0] == 0.5 and got["prefill"][1]["sure"] == 4
    assert got["decode"][0] is None and got["decode"][1]["sure"] == 0
    assert T.calibrate(held, noise=0.05, loss_weight=3.0)["threshold"] == 4.0  # one for both
    near = [(0.9, False, True, "prefill"), (0.9, True, False, "decode")]
    by_kind = {"prefill": 0.5, "decode": None}
    assert T.first_trials(near, by_kind)["sure pick, else default"] == 1.0
