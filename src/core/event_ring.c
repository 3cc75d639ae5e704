// SPDX-License-Identifier: BSD-2-Clause
/* The bounded log of pair transitions: the newest SFO_EVENT_RING_SIZE kept. */
#include "core.h"

void sfo_event_ring_push(struct event_ring *r, const struct sfo_event *ev)
{
	r->ev[r->head] = *ev;
	r->head = (r->head + 1) % SFO_EVENT_RING_SIZE;
	if (r->count < SFO_EVENT_RING_SIZE)
		r->count++;
}

size_t sfo_event_ring_copy(const struct event_ring *r, struct sfo_event *out, size_t max)
{
	size_t n = r->count < max ? r->count : max;
	size_t start = (r->head + SFO_EVENT_RING_SIZE - n) % SFO_EVENT_RING_SIZE;

	for (size_t i = 0; i < n; i++)
		out[i] = r->ev[(start + i) % SFO_EVENT_RING_SIZE];
	return n;
}
