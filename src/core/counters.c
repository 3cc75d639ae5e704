// SPDX-License-Identifier: BSD-2-Clause
/*
 * Statistics merge: each source's readings become monotonic totals.
 *
 * A 32-bit counter that goes down has wrapped; a 64-bit one that goes down
 * was reset (a re-created device) and counts again from zero. Either way
 * the total only grows, so the pair's counters never go backwards across a
 * VF's removal and return.
 */
#include "core.h"

void sfo_ctr_track_init(struct ctr_track *t, bool count_first)
{
	memset(t, 0, sizeof(*t));
	t->count_first = count_first;
}

void sfo_ctr_track_restart(struct ctr_track *t)
{
	t->have_last = false;
}

static uint64_t ctr_delta(uint64_t last, uint64_t now, uint8_t width)
{
	if (width == 32)
		return (uint32_t)((uint32_t)now - (uint32_t)last);
	return now >= last ? now - last : now;
}

void sfo_ctr_track_sample(struct ctr_track *t, const struct sfo_counters *c)
{
	for (int i = 0; i < SFO_CTR_MAX; i++) {
		uint64_t now = c->width == 32 ? (uint32_t)c->v[i] : c->v[i];

		if (t->have_last)
			t->total[i] += ctr_delta(t->last[i], now, c->width);
		else if (t->count_first)
			t->total[i] += now;
		t->last[i] = now;
	}
	t->have_last = true;
}

void sfo_ctr_track_resume(struct ctr_track *t, const uint64_t last[SFO_CTR_MAX])
{
	memcpy(t->last, last, sizeof(t->last));
	t->have_last = true;
}
