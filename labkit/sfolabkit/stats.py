# SPDX-License-Identifier: BSD-2-Clause
"""The median of paired measurements with a confidence interval, and a goal's
verdict from that interval (the benches' ratios, 2-netdev / direct); the rate
in the steady part of a binned timeline (udp-recv's packets per 10 ms).

The interval is the distribution-free one of the median from order statistics
(the sign test inverted), not a bootstrap: its coverage is at least the level
asked for any continuous distribution of independent pairs, it needs no random
seed, and with the few dozen pairs a bench affords the bootstrap's interval of
a median is known to cover too little (the resampled medians take only a few
distinct values)."""

import math
import statistics


def _below(n, k):
    """P(X <= k) for X ~ Binomial(n, 1/2), exactly (integers, then one division)."""
    return sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n


def median_ci(values, level=0.95):
    """(median, low, high, coverage) of values: [low, high] are the k-th smallest
    and k-th largest value with the largest k whose exact coverage
    1 - 2 P(X <= k-1) is still >= level.  low and high are None (coverage 0)
    when there are too few values for that level (fewer than 6 at 95 %)."""
    if not 0 < level < 1:
        raise ValueError(f"level {level}: must be between 0 and 1")
    v = sorted(values)
    if not v:
        raise ValueError("median_ci: no values")
    n, k = len(v), 0
    # k-th order statistic (1-based) on both sides: the interval misses the
    # median only if at most k-1 values fall on one side of it
    while k + 1 <= n // 2 and 1 - 2 * _below(n, k) >= level:
        k += 1
    med = statistics.median(v)
    if k == 0:
        return med, None, None, 0.0
    return med, v[k - 1], v[n - k], 1 - 2 * _below(n, k - 1)


def verdict(low, high, goal):
    """"met" if the interval lies at or above goal, "missed" if wholly below it,
    else "not resolved (CI low-high)"; without an interval "not resolved (too few
    pairs)"."""
    if low is None or high is None:
        return "not resolved (too few pairs)"
    if low >= goal:
        return "met"
    if high < goal:
        return "missed"
    return f"not resolved (CI {low:.3f}-{high:.3f})"


def steady_rate(bins, interval_ms, first_ms, last_ms, warmup_ms):
    """Events per second in the bins of a timeline (bins[i]: events in [i, i+1) x
    interval_ms) that lie wholly between first_ms + warmup_ms and last_ms, the
    times of the first and last event: the partial bins at both ends would count
    part of a bin as a whole one.  None when no whole bin is left."""
    lo = -(-int(first_ms + warmup_ms) // interval_ms)  # first bin starting after
    hi = min(int(last_ms) // interval_ms, len(bins))   # the last event's bin, left out
    if hi <= lo:
        return None
    return sum(bins[lo:hi]) / ((hi - lo) * interval_ms / 1000.0)
