# SPDX-License-Identifier: LGPL-2.1-or-later
"""stats.py against known samples and published tables."""

import math
import random

import pytest

from netcopy_sweep import stats


def test_median_stddev_cv():
    assert stats.median([3, 1, 2]) == 2
    assert stats.median([4, 1, 3, 2]) == 2.5
    assert stats.median([]) is None
    assert stats.stddev([2, 4, 4, 4, 5, 5, 7, 9]) == pytest.approx(
        math.sqrt(32 / 7))
    assert stats.stddev([5]) is None
    assert stats.cv([10, 10, 10]) == 0
    assert stats.cv([9, 11]) == pytest.approx(math.sqrt(2) / 10)
    assert stats.cv([1]) is None
    assert stats.cv([-1, 1]) is None


def test_median_ci_na_below_six_values():
    for n in range(0, 6):
        values = list(range(1, n + 1))
        med, low, high = stats.median_ci(values)
        assert (low, high) == (None, None)
        assert med == (stats.median(values) if values else None)


def test_median_ci_six_values_is_min_max():
    med, low, high = stats.median_ci([5, 1, 4, 2, 6, 3])
    assert (med, low, high) == (3.5, 1, 6)
    assert stats.median_ci_rank(6) == (1, pytest.approx(1 - 2 / 64))
    assert stats.median_ci_rank(6)[1] == pytest.approx(0.96875)


# (n, k, coverage) of [x(k), x(n+1-k)] at 95 %, from the binomial tables
# (e.g. Conover, Practical Nonparametric Statistics, table A3).
@pytest.mark.parametrize("n,k,coverage", [
    (6, 1, 0.96875), (8, 1, 0.9921875), (9, 2, 0.9609375),
    (10, 2, 0.978515625), (20, 6, 0.9586105), (100, 40, 0.9648),
])
def test_median_ci_ranks_known(n, k, coverage):
    got = stats.median_ci_rank(n)
    assert got[0] == k
    assert got[1] == pytest.approx(coverage, abs=1e-4)
    values = [float(i) for i in range(n, 0, -1)]
    _, low, high = stats.median_ci(values)
    assert (low, high) == (k, n + 1 - k)


def test_median_ci_other_confidence():
    # 99 % needs 8 values: 1 - 2/2^7 = 98.4 % falls short at n = 7.
    assert stats.median_ci_rank(7, 0.99) is None
    assert stats.median_ci_rank(8, 0.99)[0] == 1


def test_median_ci_covers_as_stated():
    rng = random.Random(14)
    n, trials, hits = 10, 4000, 0
    for _ in range(trials):
        sample = [rng.expovariate(1.0) for _ in range(n)]
        _, low, high = stats.median_ci(sample)
        hits += low <= math.log(2) <= high
    # Stated coverage 97.85 %; 4000 trials give a standard error of 0.23 %.
    assert abs(hits / trials - 0.978515625) < 0.01


def test_mann_whitney_counts_known():
    counts = stats._mann_whitney_counts(6, 6)
    assert sum(counts) == math.comb(12, 6)
    assert counts[:6] == [1, 1, 2, 3, 5, 7]
    assert counts == counts[::-1]


@pytest.mark.parametrize("n,m,k", [
    # U critical values at 5 % two-sided (reject for U <= k - 1).
    (4, 4, 1), (5, 5, 3), (6, 6, 6), (8, 8, 14), (10, 10, 24), (6, 8, 9),
])
def test_ratio_rank_critical_values(n, m, k):
    assert stats.ratio_rank(n, m)[0] == k


def test_ratio_rank_too_few():
    assert stats.ratio_rank(3, 3) is None
    assert stats.ratio_rank(0, 6) is None


def test_ratio_ci_identical_samples_include_one():
    a = [10.0, 11.0, 9.5, 10.2, 10.8, 9.9]
    ratio, low, high = stats.ratio_ci(a, list(a))
    assert ratio == 1.0
    assert low < 1 < high
    assert low == pytest.approx(1 / high)


def test_ratio_ci_finds_a_slowdown():
    a = [10.0, 10.1, 9.9, 10.05, 9.95, 10.02]
    b = [x * 0.7 for x in a]
    ratio, low, high = stats.ratio_ci(a, b)
    assert ratio == pytest.approx(0.7)
    assert low < 0.7 < high < 1


def test_ratio_ci_too_few_or_no_ratio():
    assert stats.ratio_ci([1, 2, 3], [1, 2, 3])[1:] == (None, None)
    assert stats.ratio_ci([0, 1, 2, 3, 4, 5], [1] * 6) == (None,) * 3
    assert stats.ratio_ci([], [1]) == (None,) * 3
