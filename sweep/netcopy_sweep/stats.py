# SPDX-License-Identifier: LGPL-2.1-or-later
"""The numbers the sweep states: medians, their intervals, spread, ratios.

Every interval here is distribution-free and exact: it holds whatever the
shape of the run-to-run noise (which, on a shared machine, is skewed and
has outliers), needs no random numbers, and gives the same answer every
time.  Where there are too few values for the asked confidence, the
interval is None (NA), never a narrower one that would overstate it.
"""

import math
import statistics

# An interval of the median needs this many values at 95 %: with n values
# the widest one, [x(1), x(n)], covers the median with probability
# 1 - 2 / 2^n, which is 93.75 % for n = 5 and 96.9 % for n = 6.
MIN_CI_VALUES = 6


def median(values):
    """The median of values, or None when there are none."""
    return statistics.median(values) if values else None


def stddev(values):
    """The sample standard deviation, or None with fewer than 2 values."""
    return statistics.stdev(values) if len(values) >= 2 else None


def cv(values):
    """Coefficient of variation: stddev / mean, or None where undefined.

    None with fewer than 2 values or a mean of 0.
    """
    sd = stddev(values)
    if sd is None:
        return None
    mean = statistics.fmean(values)
    return sd / abs(mean) if mean else None


def _binomial_cdf_half(n, k):
    """P(X <= k) for X ~ Binomial(n, 1/2), exactly (as a float)."""
    if k < 0:
        return 0.0
    return sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n


def median_ci_rank(n, confidence=0.95):
    """(k, coverage) of the interval [x(k), x(n+1-k)] of the median.

    The coverage rule: with x(1) <= ... <= x(n) the sorted values, the
    median lies in [x(k), x(n+1-k)] with probability
    1 - 2 P(B <= k-1), B ~ Binomial(n, 1/2), for any continuous
    distribution.  k is the largest rank whose coverage is at least
    confidence (the narrowest interval that still keeps it).  None with
    fewer than MIN_CI_VALUES values or when even k = 1 falls short.
    """
    if n < MIN_CI_VALUES:
        return None
    best = None
    for k in range(1, n // 2 + 1):
        coverage = 1.0 - 2.0 * _binomial_cdf_half(n, k - 1)
        if coverage < confidence:
            break
        best = (k, coverage)
    return best


def median_ci(values, confidence=0.95):
    """(median, low, high): low and high by order statistics, or None.

    See median_ci_rank for the coverage rule; low and high are None with
    fewer than MIN_CI_VALUES values.  median is None for no values.
    """
    xs = sorted(values)
    rank = median_ci_rank(len(xs), confidence)
    if rank is None:
        return median(xs), None, None
    k = rank[0]
    return median(xs), xs[k - 1], xs[len(xs) - k]


def _mann_whitney_counts(n, m):
    """counts[u]: how many of the C(n+m, n) orderings give U = u.

    The generating function of U is the Gaussian binomial coefficient
    prod_{i=1..n} (1 - q^(m+i)) / (1 - q^i); each factor is one
    multiplication by (1 - q^(m+i)) and one exact division by (1 - q^i).
    """
    size = n * m + 1
    counts = [0] * size
    counts[0] = 1
    for i in range(1, n + 1):
        shift = m + i
        for u in range(size - 1, shift - 1, -1):
            counts[u] -= counts[u - shift]
        for u in range(i, size):
            counts[u] += counts[u - i]
    return counts


def ratio_rank(n, m, confidence=0.95):
    """(k, coverage) for the ratio interval of two samples of n and m.

    k is the largest rank with P(U <= k-1) <= (1 - confidence) / 2, U the
    Mann-Whitney statistic under no difference; coverage is
    1 - 2 P(U <= k-1).  None when no rank reaches confidence (3 values a
    side cannot: every ordering has probability 1/20).
    """
    if n < 1 or m < 1:
        return None
    counts = _mann_whitney_counts(n, m)
    total = math.comb(n + m, n)
    tail = (1.0 - confidence) / 2.0
    best, below = None, 0
    for k in range(1, n * m // 2 + 1):
        below += counts[k - 1]
        if below / total > tail:
            break
        best = (k, 1.0 - 2.0 * below / total)
    return best


def ratio_ci(a, b, confidence=0.95):
    """(ratio, low, high) of b against a: ratio of medians and its interval.

    The interval is the distribution-free one of Moses (the Mann-Whitney
    test inverted, as in Hodges-Lehmann estimation) for the factor r with
    b ~ r a: of the n m ratios b_j / a_i, sorted, it runs from the k-th
    to the (n m + 1 - k)-th, k from ratio_rank.  It excludes 1 exactly
    when the two-sided Mann-Whitney test rejects "no difference" at
    1 - confidence.  Chosen over a bootstrap because it is exact at the
    sweep's 6 or so repeats (a bootstrap of a median from 6 values is
    coarse and under-covers), deterministic, and says plainly when there
    are too few repeats to tell.  low and high are None then; ratio is
    None when a value of a is not positive (no ratio).
    """
    if not a or not b or min(a) <= 0 or min(b) < 0:
        return None, None, None
    ratio = median(b) / median(a)
    rank = ratio_rank(len(a), len(b), confidence)
    if rank is None:
        return ratio, None, None
    ratios = sorted(y / x for x in a for y in b)
    k = rank[0]
    return ratio, ratios[k - 1], ratios[len(ratios) - k]
