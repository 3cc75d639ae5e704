/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Gaps between consecutive events (packet arrivals, TCP progress): the
 * longest one and a bounded list of those at or above a threshold.
 */
#ifndef SFO_TRAFFIC_GAPS_H
#define SFO_TRAFFIC_GAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_print.h"

#define GAPS_MAX_LISTED 1000

struct gap {
	uint64_t start_ns; /* time of the event before the gap, relative to the run start */
	uint64_t len_ns;
	uint64_t tag_before, tag_after; /* e.g. sequence numbers around the gap */
};

struct gap_tracker {
	uint64_t threshold_ns;
	bool have_prev;
	uint64_t prev_ns, prev_tag;
	bool have_longest;
	struct gap longest;
	struct gap *list;
	size_t n, cap;
	uint64_t unlisted; /* gaps over the threshold beyond GAPS_MAX_LISTED */
};

void gaps_init(struct gap_tracker *g, uint64_t threshold_ns);
void gaps_free(struct gap_tracker *g);

/* Records an event at rel_ns (non-decreasing) carrying tag. */
void gaps_event(struct gap_tracker *g, uint64_t rel_ns, uint64_t tag);

/*
 * Prints one gap: as JSON the object {"start_ms", "ms"} plus, when tag names are
 * given, the tags under those names; as text "LEN ms at START ms", plus
 * " (TAG_LABEL BEFORE -> AFTER)" when tag_label is given.
 */
void gaps_print_one(struct printer *p, const char *key, const struct gap *gap,
		    const char *tag_label, const char *tag_before, const char *tag_after);

/*
 * Prints a tracker the way the TCP reports do: as JSON "longest_NOUN" (or
 * null), "NOUN_threshold_ms" and the list "NOUNs"; as text the longest one
 * after LONGEST_TEXT and one "NOUN ..." line per listed gap.
 */
void gaps_print_tracker(struct printer *p, const struct gap_tracker *g, const char *noun,
			const char *longest_text, uint64_t threshold_ms);

#endif
