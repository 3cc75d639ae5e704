/* SPDX-License-Identifier: BSD-2-Clause */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t pct_sorted(const uint64_t *v, size_t n, double q)
{
	size_t rank = (size_t)ceil(q / 100.0 * (double)n);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

void pct_summarize(uint64_t *v, size_t n, struct pct_summary *p)
{
	double sum = 0;
	size_t i;

	memset(p, 0, sizeof(*p));
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_u64);
	for (i = 0; i < n; i++)
		sum += (double)v[i];
	p->min = (double)v[0];
	p->p50 = (double)pct_sorted(v, n, 50);
	p->p90 = (double)pct_sorted(v, n, 90);
	p->p99 = (double)pct_sorted(v, n, 99);
	p->max = (double)v[n - 1];
	p->mean = sum / (double)n;
}
