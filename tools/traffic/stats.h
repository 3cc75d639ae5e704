/* SPDX-License-Identifier: BSD-2-Clause */
/* Percentile summary of a sample (nearest-rank method). */
#ifndef SFO_TRAFFIC_STATS_H
#define SFO_TRAFFIC_STATS_H

#include <stddef.h>
#include <stdint.h>

struct pct_summary {
	double min, p50, p90, p99, max, mean;
};

/* Sorts v in place and summarizes it; all zero when n == 0. */
void pct_summarize(uint64_t *v, size_t n, struct pct_summary *p);

/* Nearest-rank percentile q (0 < q <= 100) of a sorted sample, n > 0. */
uint64_t pct_sorted(const uint64_t *v, size_t n, double q);

#endif
