/* SPDX-License-Identifier: BSD-2-Clause */
#include "gaps.h"

#include <stdlib.h>
#include <string.h>

void gaps_init(struct gap_tracker *g, uint64_t threshold_ns)
{
	memset(g, 0, sizeof(*g));
	g->threshold_ns = threshold_ns;
}

void gaps_free(struct gap_tracker *g)
{
	free(g->list);
	g->list = NULL;
	g->n = g->cap = 0;
}

static void list_add(struct gap_tracker *g, const struct gap *gap)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;
		struct gap *l;

		if (cap > GAPS_MAX_LISTED || !(l = realloc(g->list, cap * sizeof(*l)))) {
			g->unlisted++;
			return;
		}
		g->list = l;
		g->cap = cap;
	}
	g->list[g->n++] = *gap;
}

void gaps_event(struct gap_tracker *g, uint64_t rel_ns, uint64_t tag)
{
	if (g->have_prev && rel_ns >= g->prev_ns) {
		struct gap gap = {
			.start_ns = g->prev_ns,
			.len_ns = rel_ns - g->prev_ns,
			.tag_before = g->prev_tag,
			.tag_after = tag,
		};

		if (!g->have_longest || gap.len_ns > g->longest.len_ns) {
			g->longest = gap;
			g->have_longest = true;
		}
		if (g->threshold_ns && gap.len_ns >= g->threshold_ns)
			list_add(g, &gap);
	}
	g->have_prev = true;
	g->prev_ns = rel_ns;
	g->prev_tag = tag;
}

void gaps_json_one(struct json *j, const char *key, const struct gap *gap, const char *tag_before,
		   const char *tag_after)
{
	json_obj_open(j, key);
	json_f64(j, "start_ms", (double)gap->start_ns / 1e6, 3);
	json_f64(j, "ms", (double)gap->len_ns / 1e6, 3);
	if (tag_before)
		json_u64(j, tag_before, gap->tag_before);
	if (tag_after)
		json_u64(j, tag_after, gap->tag_after);
	json_obj_close(j);
}
