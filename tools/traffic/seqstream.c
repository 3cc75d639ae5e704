/* SPDX-License-Identifier: BSD-2-Clause */
#include "seqstream.h"

#include <string.h>

#include "clock.h"

int seq_stream_init(struct seq_stream *s, uint64_t t0, uint64_t interval_ns, uint64_t span_ns,
		    uint64_t gap_threshold_ns)
{
	memset(s, 0, sizeof(*s));
	s->t0 = t0;
	seqmap_init(&s->seen);
	gaps_init(&s->gaps, gap_threshold_ns);
	timeline_init(&s->rx, interval_ns, span_ns);
	timeline_init(&s->lost, interval_ns, span_ns);
	return 0;
}

void seq_stream_free(struct seq_stream *s)
{
	seqmap_free(&s->seen);
	gaps_free(&s->gaps);
	timeline_free(&s->rx);
	timeline_free(&s->lost);
}

void seq_stream_lock(struct seq_stream *s, uint32_t stream_id)
{
	s->locked = true;
	s->stream_id = stream_id;
}

static void account_delay(struct seq_stream *s, const struct sfo_wire_hdr *h, uint64_t rx_ns)
{
	int64_t d = (int64_t)(rx_ns - h->tx_ns);
	int64_t off =
		(int64_t)(rx_ns - (s->sched_base_ns + wire_sched_offset_ns(h->seq, s->rate_pps)));

	if (!s->have_delay) {
		s->have_delay = true;
		s->delay_min = s->delay_max = d;
		s->sched_off_min = off;
		return;
	}
	if (d < s->delay_min)
		s->delay_min = d;
	if (d > s->delay_max)
		s->delay_max = d;
	if (off < s->sched_off_min)
		s->sched_off_min = off;
}

enum seq_verdict seq_stream_packet(struct seq_stream *s, const uint8_t *buf, size_t len,
				   uint64_t rx_ns)
{
	struct sfo_wire_hdr h;
	uint64_t rel;
	int seen;

	if (wire_decode(buf, len, &h) < 0) {
		s->foreign++;
		return SEQ_FOREIGN;
	}
	if (!s->locked) {
		/* A marker left over from an earlier run must not pick the stream. */
		if (h.flags & SFO_WIRE_F_LAST) {
			s->foreign++;
			return SEQ_FOREIGN;
		}
		seq_stream_lock(s, h.stream_id);
	}
	if (h.stream_id != s->stream_id) {
		s->foreign++;
		return SEQ_FOREIGN;
	}
	if (!s->rate_pps && h.rate_pps) {
		s->rate_pps = h.rate_pps;
		s->sched_base_ns = h.sched_base_ns;
	}
	if (h.flags & SFO_WIRE_F_LAST) {
		if (h.count <= SFO_WIRE_SEQ_LIMIT) {
			s->last_seen = true;
			s->last_count = h.count;
		}
		return SEQ_LAST;
	}
	seen = seqmap_test_and_set(&s->seen, h.seq);
	if (seen < 0) {
		s->foreign++;
		return SEQ_FOREIGN;
	}
	if (seen) {
		s->duplicates++;
		return SEQ_DATA;
	}

	rel = rx_ns > s->t0 ? rx_ns - s->t0 : 0;
	s->unique++;
	if (s->have_highest && h.seq < s->highest) {
		s->reordered++;
	} else {
		s->have_highest = true;
		s->highest = h.seq;
	}
	if (!s->have_rx) {
		s->have_rx = true;
		s->first_rx_ns = rel;
	}
	s->last_rx_ns = rel;
	gaps_event(&s->gaps, rel, h.seq);
	timeline_add(&s->rx, rel, 1);
	account_delay(s, &h, rx_ns);
	return SEQ_DATA;
}

/*
 * Spreads the missing sequence numbers [a, b) over the loss timeline at the
 * time they would have arrived: scheduled send time plus the smallest
 * observed (arrival - schedule) offset.
 */
static void attribute_lost(struct seq_stream *s, uint64_t a, uint64_t b, uint64_t end_rel_ns)
{
	uint64_t interval = s->lost.interval_ns;
	uint64_t last_bucket = end_rel_ns / interval;
	/* expected_rel(seq) = sched_offset(seq) - shift */
	int64_t shift = (int64_t)(s->t0 - s->sched_base_ns) - s->sched_off_min;

	if (!s->have_delay || !s->rate_pps) {
		timeline_add(&s->lost, end_rel_ns, b - a);
		return;
	}
	while (a < b) {
		int64_t rel = (int64_t)wire_sched_offset_ns(a, s->rate_pps) - shift;
		uint64_t bucket = rel < 0 ? 0 : (uint64_t)rel / interval, end;
		int64_t x;

		if (bucket >= last_bucket) {
			timeline_add(&s->lost, last_bucket * interval, b - a);
			return;
		}
		/* First sequence number expected at or after the end of this bucket. */
		x = (int64_t)((bucket + 1) * interval) + shift;
		if (x <= 0) {
			end = a + 1;
		} else {
			unsigned __int128 num = (unsigned __int128)x * s->rate_pps;

			end = (uint64_t)((num + NSEC_PER_SEC - 1) / NSEC_PER_SEC);
			if (end <= a)
				end = a + 1;
		}
		if (end > b)
			end = b;
		timeline_add(&s->lost, bucket * interval, end - a);
		a = end;
	}
}

int seq_stream_finish(struct seq_stream *s, uint64_t end_rel_ns)
{
	uint64_t a = 0;

	s->sent = 0;
	s->sent_from_marker = s->last_seen;
	if (s->last_seen)
		s->sent = s->last_count;
	if (s->have_highest && s->highest + 1 > s->sent)
		s->sent = s->highest + 1;
	s->lost_total = s->sent > s->unique ? s->sent - s->unique : 0;

	timeline_cover(&s->rx, end_rel_ns);
	timeline_cover(&s->lost, end_rel_ns);
	while (a < s->sent) {
		uint64_t miss = seqmap_next_missing(&s->seen, a, s->sent), got;

		if (miss >= s->sent)
			break;
		got = seqmap_next_seen(&s->seen, miss, s->sent);
		attribute_lost(s, miss, got, end_rel_ns);
		a = got;
	}
	return 0;
}
