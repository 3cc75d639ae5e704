/* SPDX-License-Identifier: BSD-2-Clause */
#include "seqmap.h"

#include <stdlib.h>
#include <string.h>

#define WORDS_PER_CHUNK (SEQMAP_CHUNK_BITS / 64)

void seqmap_init(struct seqmap *m)
{
	memset(m, 0, sizeof(*m));
}

void seqmap_free(struct seqmap *m)
{
	size_t i;

	for (i = 0; i < sizeof(m->chunk) / sizeof(m->chunk[0]); i++) {
		free(m->chunk[i]);
		m->chunk[i] = NULL;
	}
}

int seqmap_test_and_set(struct seqmap *m, uint64_t seq)
{
	uint64_t *c, bit;
	size_t ci, wi;

	if (seq >= SEQMAP_LIMIT)
		return -1;
	ci = (size_t)(seq / SEQMAP_CHUNK_BITS);
	c = m->chunk[ci];
	if (!c) {
		c = calloc(WORDS_PER_CHUNK, sizeof(*c));
		if (!c)
			return -1;
		m->chunk[ci] = c;
	}
	wi = (size_t)((seq % SEQMAP_CHUNK_BITS) / 64);
	bit = 1ull << (seq % 64);
	if (c[wi] & bit)
		return 1;
	c[wi] |= bit;
	return 0;
}

uint64_t seqmap_next_missing(const struct seqmap *m, uint64_t from, uint64_t limit)
{
	if (limit > SEQMAP_LIMIT)
		limit = SEQMAP_LIMIT;
	while (from < limit) {
		const uint64_t *c = m->chunk[from / SEQMAP_CHUNK_BITS];
		uint64_t word;

		if (!c)
			return from;
		/* Seen bits below from in this word count as seen. */
		word = c[(from % SEQMAP_CHUNK_BITS) / 64] | ((1ull << (from % 64)) - 1);
		if (word != ~0ull) {
			uint64_t s = (from & ~63ull) + (uint64_t)__builtin_ctzll(~word);

			return s < limit ? s : limit;
		}
		from = (from & ~63ull) + 64;
	}
	return limit;
}

uint64_t seqmap_next_seen(const struct seqmap *m, uint64_t from, uint64_t limit)
{
	if (limit > SEQMAP_LIMIT)
		limit = SEQMAP_LIMIT;
	while (from < limit) {
		const uint64_t *c = m->chunk[from / SEQMAP_CHUNK_BITS];
		uint64_t word;

		if (!c) {
			from = (from / SEQMAP_CHUNK_BITS + 1) * SEQMAP_CHUNK_BITS;
			continue;
		}
		/* Bits below from in this word do not count. */
		word = c[(from % SEQMAP_CHUNK_BITS) / 64] & ~((1ull << (from % 64)) - 1);
		if (word) {
			uint64_t s = (from & ~63ull) + (uint64_t)__builtin_ctzll(word);

			return s < limit ? s : limit;
		}
		from = (from & ~63ull) + 64;
	}
	return limit;
}
