# SPDX-License-Identifier: LGPL-2.1-or-later
# stand-in, replaced by S2's stats.py: the median's interval by order
# statistics, the binomial bounds found by summing the distribution.
import math
import statistics


def median_ci(values, confidence=0.95):
    v = sorted(values)
    n = len(v)
    if n == 0:
        return None, None, None
    med = statistics.median(v)
    if n < 6:
        return med, None, None
    cdf, k = 0.0, 0
    while True:
        cdf += math.comb(n, k) / 2 ** n
        if cdf > (1 - confidence) / 2:
            break
        k += 1
    return med, v[max(k - 1, 0)], v[min(n - k, n - 1)]
