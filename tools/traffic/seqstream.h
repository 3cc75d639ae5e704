/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Accounting of one received sequenced UDP stream: what arrived, what was
 * lost, duplicated or reordered, gaps between arrivals, and a timeline of
 * arrivals and (estimated) losses per interval.
 */
#ifndef SFO_TRAFFIC_SEQSTREAM_H
#define SFO_TRAFFIC_SEQSTREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "gaps.h"
#include "seqmap.h"
#include "timeline.h"
#include "wire.h"

struct seq_stream {
	uint64_t t0; /* receiver CLOCK_MONOTONIC at the start of the run */

	bool locked; /* a stream was chosen (first data packet, or --stream-id) */
	uint32_t stream_id;
	uint32_t rate_pps;
	uint64_t sched_base_ns; /* sender clock */

	uint64_t unique, duplicates, reordered;
	uint64_t foreign; /* not our header, other stream, or sequence out of range */
	bool have_highest;
	uint64_t highest;
	bool last_seen;
	uint64_t last_count;

	bool have_rx;
	uint64_t first_rx_ns, last_rx_ns; /* relative to t0 */

	/* rx - tx (different clocks: only the spread is meaningful) */
	bool have_delay;
	int64_t delay_min, delay_max;
	/* rx - scheduled send time: the minimum maps a sequence number to an expected arrival */
	int64_t sched_off_min;

	struct seqmap seen;
	struct gap_tracker gaps;
	struct timeline rx, lost;

	/* Results of seq_stream_finish(). */
	uint64_t sent;
	bool sent_from_marker;
	uint64_t lost_total;
};

int seq_stream_init(struct seq_stream *s, uint64_t t0, uint64_t interval_ns, uint64_t span_ns,
		    uint64_t gap_threshold_ns);
void seq_stream_free(struct seq_stream *s);

/* Only accept this stream id (otherwise the first data packet's stream is used). */
void seq_stream_lock(struct seq_stream *s, uint32_t stream_id);

enum seq_verdict {
	SEQ_DATA,    /* a data packet of our stream */
	SEQ_LAST,    /* a "last" marker of our stream */
	SEQ_FOREIGN, /* ignored */
};

/* Accounts one datagram that arrived at rx_ns (CLOCK_MONOTONIC). */
enum seq_verdict seq_stream_packet(struct seq_stream *s, const uint8_t *buf, size_t len,
				   uint64_t rx_ns);

/* Computes sent/lost and the loss timeline; end_rel_ns is the length of the run. */
int seq_stream_finish(struct seq_stream *s, uint64_t end_rel_ns);

#endif
