import math

import numpy as np
import pytest

from attncc.cost_models import metrics

SECONDS = [1.0, 2.0, 4.0, 8.0]  # speeds: a > b > c > d


def test_perfect_and_reversed_order():
    perfect = [4, 3, 2, 1]
    assert metrics.spearman(perfect, SECONDS) == pytest.approx(1.0)
    assert metrics.kendall(perfect, SECONDS) == pytest.approx(1.0)
    assert metrics.pairwise_accuracy(perfect, SECONDS) == 1.0
    assert metrics.spearman(perfect[::-1], SECONDS) == pytest.approx(-1.0)
    assert metrics.pairwise_accuracy(perfect[::-1], SECONDS) == 0.0


def test_hand_computed_example():
    scores = [3, 4, 2, 1]  # a and b swapped: 1 of 6 pairs wrong
    assert metrics.pairwise_accuracy(scores, SECONDS) == pytest.approx(5 / 6)
    assert metrics.kendall(scores, SECONDS) == pytest.approx((5 - 1) / 6)
    # Spearman: rank differences (1, 1, 0, 0): 1 - 6·2 / (4·15) = 0.8
    assert metrics.spearman(scores, SECONDS) == pytest.approx(0.8)
    # top-1 picks b (2 s): best 1 s / 2 s; top-2 holds a
    assert metrics.top_k_score(scores, SECONDS, 1) == pytest.approx(0.5)
    assert metrics.top_k_score(scores, SECONDS, 2) == 1.0
    assert metrics.trials_to_fraction(scores, SECONDS) == 2


def test_score_ties_count_half_and_failures_are_slowest():
    assert metrics.pairwise_accuracy([1, 1], [1.0, 2.0]) == 0.5
    secs = [1.0, math.inf, 2.0]
    assert metrics.pairwise_accuracy([3, 2, 1], secs) == pytest.approx(2 / 3)
    assert metrics.top_k_score([0, 5, 1], secs, 1) == 0.0  # top-1 failed
    assert metrics.top_k_score([0, 5, 1], secs, 2) == pytest.approx(0.5)


def test_trials_and_share_within():
    secs = [1.0, 1.04, 1.2, 2.0]  # 1.04 is within 95 % (1/1.04 = 0.96)
    assert metrics.share_within(secs) == 0.5
    assert metrics.trials_to_fraction([0, 1, 3, 2], secs) == 3  # c, d, then b
    assert metrics.trials_to_fraction([4, 3, 2, 1], secs) == 1


def test_evaluate_averages_groups():
    out = metrics.evaluate([([4, 3, 2, 1], SECONDS), ([1, 2, 3, 4], SECONDS)], ks=(1,))
    assert out["spearman"] == pytest.approx(0.0)
    assert out["pairwise"] == pytest.approx(0.5)
    assert out["top1"] == pytest.approx((1 + 1 / 8) / 2)
    assert out["groups"] == 2


def test_bad_shapes_raise():
    with pytest.raises(ValueError, match="one length"):
        metrics.spearman([1, 2], np.ones(3))
