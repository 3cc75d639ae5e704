/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * udp-recv: receives the stream of udp-send and reports loss, duplicates,
 * reordering, gaps between arrivals and a per-interval timeline.  Arrival
 * times are kernel receive timestamps (SO_TIMESTAMPNS), so a receiver that
 * is briefly descheduled does not invent gaps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "modes.h"
#include "report.h"
#include "runctl.h"
#include "seqstream.h"
#include "sock.h"

#define RECV_BATCH  64
#define RECV_BUF    256 /* only the header is needed; longer datagrams are truncated */
#define LINGER_NS   (50 * NSEC_PER_MSEC)
#define POLL_MAX_MS 100

struct recv_opts {
	struct sfo_addr bind;
	uint64_t duration_ns, interval_ms, gap_ms, stream_id;
	struct report_opts out;
	const char *ready_file, *device;
};

struct recv_run {
	char local[SFO_ADDR_STRLEN];
	char peer[SFO_ADDR_STRLEN];
	bool have_peer;
	uint64_t start_real_ns, t0, end_ns;
	const char *end_reason;
	struct seq_stream s;
};

struct recv_batch {
	uint8_t buf[RECV_BATCH][RECV_BUF];
	struct iovec iov[RECV_BATCH];
	struct sockaddr_storage from[RECV_BATCH];
	union {
		struct cmsghdr align;
		char space[CMSG_SPACE(sizeof(struct timespec))];
	} ctl[RECV_BATCH];
	struct mmsghdr msg[RECV_BATCH];
};

static const struct mode_info recv_mode = {
	.name = "udp-recv",
	.summary =
		"Receive a sequenced UDP stream from udp-send and report loss, gaps and a timeline.",
	.details = "Stops at the sender's 'last' marker (after a 50 ms linger for stragglers),\n"
		   "on SIGINT/SIGTERM, or after --duration.  Exit status 1 if no packet arrived.",
};

static void batch_reset(struct recv_batch *b)
{
	int i;

	for (i = 0; i < RECV_BATCH; i++) {
		struct msghdr *m = &b->msg[i].msg_hdr;

		b->iov[i].iov_base = b->buf[i];
		b->iov[i].iov_len = RECV_BUF;
		m->msg_iov = &b->iov[i];
		m->msg_iovlen = 1;
		m->msg_name = &b->from[i];
		m->msg_namelen = sizeof(b->from[i]);
		m->msg_control = b->ctl[i].space;
		m->msg_controllen = sizeof(b->ctl[i].space);
		m->msg_flags = 0;
		b->msg[i].msg_len = 0;
	}
}

/* Kernel receive time of a message in CLOCK_MONOTONIC, or fallback. */
static uint64_t rx_time(struct msghdr *m, const struct clock_map *cm)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;
			uint64_t t;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			t = clock_map_real_to_mono(cm, (uint64_t)ts.tv_sec * NSEC_PER_SEC +
							       (uint64_t)ts.tv_nsec);
			return t < cm->mono ? t : cm->mono;
		}
	}
	return cm->mono;
}

static int receive(int fd, const struct recv_opts *o, struct recv_run *r, struct recv_batch *b)
{
	uint64_t deadline = r->t0 + o->duration_ns, linger_end = UINT64_MAX;

	r->end_reason = "duration";
	for (;;) {
		uint64_t now = mono_ns(), end = deadline < linger_end ? deadline : linger_end;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct clock_map cm;
		uint64_t wait_ms;
		int n, i, pr;

		if (run_stopped()) {
			r->end_reason = "signal";
			break;
		}
		if (now >= end) {
			if (end == linger_end)
				r->end_reason = "last-marker";
			break;
		}
		wait_ms = (end - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
		pr = poll(&pfd, 1, wait_ms > POLL_MAX_MS ? POLL_MAX_MS : (int)wait_ms);
		if (pr <= 0) {
			if (pr < 0 && errno != EINTR) {
				cli_error("poll: %s", strerror(errno));
				return -1;
			}
			continue;
		}
		batch_reset(b);
		n = recvmmsg(fd, b->msg, RECV_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0)
			continue; /* EINTR, EAGAIN, or a queued socket error: not fatal here */
		clock_map_sample(&cm);
		for (i = 0; i < n; i++) {
			struct msghdr *m = &b->msg[i].msg_hdr;
			uint64_t t = rx_time(m, &cm);
			enum seq_verdict v;

			v = seq_stream_packet(&r->s, b->buf[i], b->msg[i].msg_len, t);
			if (v == SEQ_DATA && !r->have_peer) {
				addr_format((struct sockaddr *)&b->from[i], r->peer,
					    sizeof(r->peer));
				r->have_peer = true;
			}
			if (v == SEQ_LAST && linger_end == UINT64_MAX)
				linger_end = cm.mono + LINGER_NS;
		}
	}
	return 0;
}

static int print_report(const struct recv_opts *o, const struct recv_run *r)
{
	const struct seq_stream *s = &r->s;
	double loss_pct = s->sent ? 100.0 * (double)s->lost_total / (double)s->sent : 0.0;
	struct printer p;
	size_t i;

	report_begin(&p, &o->out, "udp-recv", r->start_real_ns);
	print_str(&p, PRINT_ANY, "bind", "udp-recv: on %s", r->local);
	if (r->have_peer)
		print_str(&p, PRINT_ANY, "peer", " from %s", r->peer);
	else
		print_null(&p, "peer");
	if (s->locked)
		print_u64(&p, PRINT_ANY, "stream_id", ", stream %llu", s->stream_id);
	else
		print_null(&p, "stream_id");
	print_u64(&p, PRINT_JSON, "sender_rate_pps", NULL, s->rate_pps);
	print_str(&p, PRINT_ANY, "end_reason", ", ended by %s", r->end_reason);
	print_f64(&p, PRINT_JSON, "duration_ms", NULL, 3, ns_to_ms(r->end_ns));
	print_f64(&p, PRINT_TEXT, NULL, " after %.3f s\n", 3, (double)r->end_ns / 1e9);
	print_u64(&p, PRINT_ANY, "sent", "  sent %llu", s->sent);
	print_str(&p, PRINT_JSON, "sent_source", NULL,
		  s->sent_from_marker ? "last-marker"
		  : s->have_highest   ? "highest-seq"
				      : "none");
	if (!s->sent_from_marker)
		print_text(&p, " (no last marker: highest seq + 1)");
	print_u64(&p, PRINT_ANY, "received", ", received %llu", s->unique);
	print_u64(&p, PRINT_ANY, "lost", ", lost %llu", s->lost_total);
	print_f64(&p, PRINT_ANY, "loss_pct", " (%.3f %%)", 3, loss_pct);
	print_u64(&p, PRINT_ANY, "duplicates", ", duplicates %llu", s->duplicates);
	print_u64(&p, PRINT_ANY, "reordered", ", reordered %llu", s->reordered);
	print_u64(&p, PRINT_ANY, "foreign", ", foreign %llu\n", s->foreign);
	if (s->have_rx) {
		print_f64(&p, PRINT_JSON, "first_rx_ms", NULL, 3, ns_to_ms(s->first_rx_ns));
		print_f64(&p, PRINT_JSON, "last_rx_ms", NULL, 3, ns_to_ms(s->last_rx_ns));
	} else {
		print_null(&p, "first_rx_ms");
		print_null(&p, "last_rx_ms");
	}
	if (s->gaps.have_longest) {
		print_text(&p, "  longest gap ");
		gaps_print_one(&p, "longest_gap", &s->gaps.longest, "seq", "seq_before",
			       "seq_after");
		print_text(&p, "\n");
	} else {
		print_null(&p, "longest_gap");
	}
	/* without a threshold no gap is listed: nothing to say as text */
	print_u64(&p, o->gap_ms ? PRINT_ANY : PRINT_JSON, "gap_threshold_ms", "  gaps >= %llu ms",
		  o->gap_ms);
	if (o->gap_ms)
		print_u64(&p, PRINT_TEXT, NULL, ": %llu\n", s->gaps.n);
	print_arr_open(&p, "gaps");
	for (i = 0; i < s->gaps.n; i++) {
		print_text(&p, "    ");
		gaps_print_one(&p, NULL, &s->gaps.list[i], "seq", "seq_before", "seq_after");
		print_text(&p, "\n");
	}
	print_arr_close(&p);
	print_u64(&p, PRINT_JSON, "gaps_unlisted", NULL, s->gaps.unlisted);
	if (s->have_delay)
		print_f64(&p, PRINT_ANY, "delay_var_max_ms",
			  "  one-way delay variation: max %.3f ms\n", 3,
			  (double)(s->delay_max - s->delay_min) / 1e6);
	else
		print_null(&p, "delay_var_max_ms");
	print_obj_open(&p, "timeline");
	print_u64(&p, PRINT_JSON, "interval_ms", NULL, o->interval_ms);
	timeline_print(&s->rx, &p, "rx");
	timeline_print(&s->lost, &p, "lost");
	print_obj_close(&p);
	return report_end(&p);
}

int mode_udp_recv(int argc, char **argv)
{
	struct recv_opts o = { .duration_ns = 60 * NSEC_PER_SEC, .interval_ms = 10, .gap_ms = 50 };
	struct opt_def opts[] = {
		{ "bind", OPT_BIND, "ADDR:PORT", "address to listen on (port 0: any free port)",
		  NULL, &o.bind, .required = true },
		{ "duration", OPT_SECONDS, "S", "stop after this long at the latest", "60",
		  &o.duration_ns, MIN_DURATION_NS, MAX_DURATION_NS },
		{ "interval-ms", OPT_UINT, "N", "timeline interval", "10", &o.interval_ms, 1,
		  60000 },
		{ "gap-ms", OPT_UINT, "N", "list every gap at least this long (0: none)", "50",
		  &o.gap_ms, 0, 3600000 },
		{ "stream-id", OPT_UINT, "N", "only accept this stream", "first seen", &o.stream_id,
		  0, UINT32_MAX },
		{ "ready-file", OPT_STRING, "FILE",
		  "create FILE (content: ADDR:PORT) once listening", NULL, &o.ready_file },
		{ "device", OPT_STRING, "DEV",
		  "count only what arrives on network device DEV (broadcasts included)", NULL,
		  &o.device },
		REPORT_OPT_DEFS(o.out),
		OPT_END,
	};
	struct recv_batch *b;
	struct recv_run r;
	int fd, rc, one = 1;

	rc = cli_parse(&recv_mode, opts, argc, argv);
	if (rc)
		return rc > 0 ? SFO_EXIT_OK : SFO_EXIT_USAGE;
	if (ready_file_clear(o.ready_file) < 0)
		return SFO_EXIT_USAGE;
	memset(&r, 0, sizeof(r));
	b = malloc(sizeof(*b));
	if (!b) {
		cli_error("out of memory");
		return SFO_EXIT_USAGE;
	}
	fd = sock_open(&o.bind, SOCK_DGRAM);
	if (fd < 0 || (o.device && sock_bind_device(fd, o.device) < 0) ||
	    sock_bind(fd, &o.bind, "--bind") < 0) {
		if (fd >= 0)
			close(fd);
		free(b);
		return SFO_EXIT_USAGE;
	}
	sock_set_buffer(fd, SO_RCVBUF, 8 << 20);
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	sock_local_name(fd, r.local, sizeof(r.local));
	run_install_signals();

	r.start_real_ns = real_ns();
	r.t0 = mono_ns();
	seq_stream_init(&r.s, r.t0, o.interval_ms * NSEC_PER_MSEC, o.duration_ns,
			o.gap_ms * NSEC_PER_MSEC);
	if (cli_seen(opts, "stream-id"))
		seq_stream_lock(&r.s, (uint32_t)o.stream_id);
	if (ready_file_create(o.ready_file, r.local) < 0) {
		rc = SFO_EXIT_USAGE;
		goto out;
	}
	if (receive(fd, &o, &r, b) < 0) {
		rc = SFO_EXIT_USAGE;
		goto out;
	}
	r.end_ns = mono_ns() - r.t0;
	seq_stream_finish(&r.s, r.end_ns);
	if (print_report(&o, &r) < 0) {
		rc = SFO_EXIT_USAGE;
		goto out;
	}
	rc = r.s.unique ? SFO_EXIT_OK : SFO_EXIT_FAIL;
out:
	seq_stream_free(&r.s);
	close(fd);
	free(b);
	return rc;
}
