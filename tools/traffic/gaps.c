/* SPDX-License-Identifier: BSD-2-Clause */
#include "gaps.h"

#include <inttypes.h>
#include <stdio.h>
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

void gaps_print_one(struct printer *p, const char *key, const struct gap *gap,
		    const char *tag_label, const char *tag_before, const char *tag_after)
{
	double start_ms = (double)gap->start_ns / 1e6;

	print_obj_open(p, key);
	print_f64(p, PRINT_JSON, "start_ms", NULL, 3, start_ms);
	print_f64(p, PRINT_ANY, "ms", "%.3f ms", 3, (double)gap->len_ns / 1e6);
	print_f64(p, PRINT_TEXT, NULL, " at %.3f ms", 3, start_ms);
	if (tag_before)
		print_u64(p, PRINT_JSON, tag_before, NULL, gap->tag_before);
	if (tag_after)
		print_u64(p, PRINT_JSON, tag_after, NULL, gap->tag_after);
	if (tag_label)
		print_text(p, " (%s %" PRIu64 " -> %" PRIu64 ")", tag_label, gap->tag_before,
			   gap->tag_after);
	print_obj_close(p);
}

void gaps_print_tracker(struct printer *p, const struct gap_tracker *g, const char *noun,
			const char *longest_text, uint64_t threshold_ms)
{
	char key[64];
	size_t i;

	snprintf(key, sizeof(key), "longest_%s", noun);
	if (g->have_longest) {
		print_text(p, "  %s ", longest_text);
		gaps_print_one(p, key, &g->longest, NULL, NULL, NULL);
		print_text(p, "\n");
	} else {
		print_null(p, key);
	}
	snprintf(key, sizeof(key), "%s_threshold_ms", noun);
	print_u64(p, PRINT_JSON, key, NULL, threshold_ms);
	snprintf(key, sizeof(key), "%ss", noun);
	print_arr_open(p, key);
	for (i = 0; i < g->n; i++) {
		print_text(p, "    %s ", noun);
		gaps_print_one(p, NULL, &g->list[i], NULL, NULL, NULL);
		print_text(p, "\n");
	}
	print_arr_close(p);
}
