/* SPDX-License-Identifier: BSD-2-Clause */
/* Per-interval counters (packets or bytes) over a run, for plots over time. */
#ifndef SFO_TRAFFIC_TIMELINE_H
#define SFO_TRAFFIC_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "json_print.h"

struct timeline {
	uint64_t interval_ns;
	size_t max_len; /* bucket count never grows past this */
	uint64_t *v;
	size_t len, cap;
};

/* A run of span_ns needs at most span_ns / interval_ns + 2 buckets. */
int timeline_init(struct timeline *t, uint64_t interval_ns, uint64_t span_ns);
void timeline_free(struct timeline *t);

/* Adds amount to the bucket of time rel_ns (since the start of the run). */
int timeline_add(struct timeline *t, uint64_t rel_ns, uint64_t amount);

/* Makes the timeline cover rel_ns, so that trailing empty intervals show. */
int timeline_cover(struct timeline *t, uint64_t rel_ns);

/* Prints the buckets as a JSON array of numbers (nothing as text). */
void timeline_print(const struct timeline *t, struct printer *p, const char *key);

#endif
