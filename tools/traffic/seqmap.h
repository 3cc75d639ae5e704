/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Set of received sequence numbers: a bitmap in 1 MiB chunks allocated on
 * first use, so memory follows the highest sequence number actually seen.
 */
#ifndef SFO_TRAFFIC_SEQMAP_H
#define SFO_TRAFFIC_SEQMAP_H

#include <stdint.h>

#define SEQMAP_CHUNK_BITS (1ull << 23)
#define SEQMAP_LIMIT	  (1ull << 34) /* sequence numbers 0 .. SEQMAP_LIMIT-1 */

struct seqmap {
	uint64_t *chunk[SEQMAP_LIMIT / SEQMAP_CHUNK_BITS];
};

void seqmap_init(struct seqmap *m);
void seqmap_free(struct seqmap *m);

/* Marks seq as seen: 1 if it was seen before, 0 if new, -1 if out of range or out of memory. */
int seqmap_test_and_set(struct seqmap *m, uint64_t seq);

/* First sequence number >= from and < limit that was not seen, or limit. */
uint64_t seqmap_next_missing(const struct seqmap *m, uint64_t from, uint64_t limit);

/* First sequence number >= from and < limit that was seen, or limit. */
uint64_t seqmap_next_seen(const struct seqmap *m, uint64_t from, uint64_t limit);

#endif
