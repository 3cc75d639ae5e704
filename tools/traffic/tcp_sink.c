/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp-sink: accepts one TCP connection, discards what arrives and reports
 * how much, whether the stream ended with a clean FIN, gaps between reads
 * and a per-interval timeline of received bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "gaps.h"
#include "modes.h"
#include "report.h"
#include "runctl.h"
#include "sock.h"
#include "timeline.h"

#define SINK_BUF    (256 * 1024)
#define POLL_MAX_MS 100

struct sink_opts {
	struct sfo_addr bind;
	uint64_t duration_ns, interval_ms, gap_ms;
	bool json;
	const char *ready_file;
};

struct sink_run {
	char local[SFO_ADDR_STRLEN], peer[SFO_ADDR_STRLEN];
	bool connected;
	uint64_t start_real_ns, t0, deadline;
	uint64_t connected_ns, end_ns, last_data_ns; /* relative to t0 */
	uint64_t bytes;
	const char *end_reason;
	int err;
	struct gap_tracker gaps;
	struct timeline tl;
};

static const struct mode_info sink_mode = {
	.name = "tcp-sink",
	.summary = "Accept one TCP connection (from tcp-stream), discard the data and report.",
	.details = "Ends when the peer closes (clean), on a reset or error, on SIGINT/SIGTERM, or\n"
		   "after --duration.  Exit status 0 only if the stream ended with a clean close.",
};

/* Waits until fd is readable, the deadline passes or a signal arrives; 1 if readable. */
static int wait_readable(int fd, uint64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t now = mono_ns(), wait_ms;

	if (now >= deadline || run_stopped())
		return 0;
	wait_ms = (deadline - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
	return poll(&pfd, 1, wait_ms > POLL_MAX_MS ? POLL_MAX_MS : (int)wait_ms) > 0;
}

static int accept_one(int lfd, struct sink_run *r)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	while (!run_stopped() && mono_ns() < r->deadline) {
		if (!wait_readable(lfd, r->deadline))
			continue;
		sl = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			addr_format((struct sockaddr *)&ss, r->peer, sizeof(r->peer));
			return fd;
		}
	}
	return -1;
}

static void drain(int fd, struct sink_run *r, uint8_t *buf)
{
	r->end_reason = "duration";
	for (;;) {
		ssize_t n;
		uint64_t rel;

		if (run_stopped()) {
			r->end_reason = "signal";
			return;
		}
		if (mono_ns() >= r->deadline)
			return;
		if (!wait_readable(fd, r->deadline))
			continue;
		for (;;) {
			n = recv(fd, buf, SINK_BUF, MSG_DONTWAIT);
			if (n > 0) {
				rel = mono_ns() - r->t0;
				r->bytes += (uint64_t)n;
				r->last_data_ns = rel;
				timeline_add(&r->tl, rel, (uint64_t)n);
				gaps_event(&r->gaps, rel, r->bytes);
				continue;
			}
			if (n == 0) {
				r->end_reason = "eof";
				return;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			r->err = errno;
			r->end_reason = errno == ECONNRESET ? "reset" : "error";
			return;
		}
	}
}

static void print_human(const struct sink_opts *o, const struct sink_run *r)
{
	uint64_t span = r->last_data_ns > r->connected_ns ? r->last_data_ns - r->connected_ns : 0;
	size_t i;

	printf("tcp-sink: on %s", r->local);
	if (r->connected)
		printf(" from %s", r->peer);
	printf(", ended by %s after %.3f s%s%s\n", r->end_reason, (double)r->end_ns / 1e9,
	       r->err ? ": " : "", r->err ? strerror(r->err) : "");
	printf("  received %" PRIu64 " B (%.1f Mbit/s), clean %s\n", r->bytes,
	       span ? (double)r->bytes * 8 / ((double)span / 1e9) / 1e6 : 0.0,
	       !strcmp(r->end_reason, "eof") ? "yes" : "no");
	if (r->gaps.have_longest)
		printf("  longest gap between reads %.3f ms at %.3f ms\n",
		       ns_to_ms(r->gaps.longest.len_ns), ns_to_ms(r->gaps.longest.start_ns));
	if (o->gap_ms)
		for (i = 0; i < r->gaps.n; i++)
			printf("    gap at %.3f ms: %.3f ms\n", ns_to_ms(r->gaps.list[i].start_ns),
			       ns_to_ms(r->gaps.list[i].len_ns));
}

static int print_json(const struct sink_opts *o, const struct sink_run *r)
{
	uint64_t span = r->last_data_ns > r->connected_ns ? r->last_data_ns - r->connected_ns : 0;
	struct json j;
	size_t i;

	json_begin(&j, stdout);
	report_json_begin(&j, "tcp-sink", r->start_real_ns);
	json_str(&j, "bind", r->local);
	json_str(&j, "peer", r->connected ? r->peer : NULL);
	json_str(&j, "end_reason", r->end_reason);
	json_bool(&j, "clean", !strcmp(r->end_reason, "eof"));
	json_str(&j, "error", r->err ? strerror(r->err) : NULL);
	if (r->connected)
		json_f64(&j, "connected_ms", ns_to_ms(r->connected_ns), 3);
	else
		json_null(&j, "connected_ms");
	json_f64(&j, "duration_ms", ns_to_ms(r->end_ns), 3);
	json_u64(&j, "bytes_received", r->bytes);
	json_f64(&j, "throughput_mbit",
		 span ? (double)r->bytes * 8 / ((double)span / 1e9) / 1e6 : 0.0, 3);
	if (r->gaps.have_longest)
		gaps_json_one(&j, "longest_gap", &r->gaps.longest, NULL, NULL);
	else
		json_null(&j, "longest_gap");
	json_u64(&j, "gap_threshold_ms", o->gap_ms);
	json_arr_open(&j, "gaps");
	for (i = 0; i < r->gaps.n; i++)
		gaps_json_one(&j, NULL, &r->gaps.list[i], NULL, NULL);
	json_arr_close(&j);
	json_obj_open(&j, "timeline");
	json_u64(&j, "interval_ms", o->interval_ms);
	timeline_json(&r->tl, &j, "bytes");
	json_obj_close(&j);
	json_obj_close(&j);
	return json_end(&j);
}

int mode_tcp_sink(int argc, char **argv)
{
	struct sink_opts o = { .duration_ns = 60 * NSEC_PER_SEC, .interval_ms = 10, .gap_ms = 50 };
	struct opt_def opts[] = {
		{ "bind", OPT_BIND, "ADDR:PORT", "address to listen on (port 0: any free port)",
		  NULL, &o.bind, .required = true },
		{ "duration", OPT_SECONDS, "S", "stop after this long at the latest", "60",
		  &o.duration_ns, MIN_DURATION_NS, MAX_DURATION_NS },
		{ "interval-ms", OPT_UINT, "N", "timeline interval", "10", &o.interval_ms, 1,
		  60000 },
		{ "gap-ms", OPT_UINT, "N", "list every gap between reads at least this long", "50",
		  &o.gap_ms, 0, 3600000 },
		{ "ready-file", OPT_STRING, "FILE",
		  "create FILE (content: ADDR:PORT) once listening", NULL, &o.ready_file },
		{ "json", OPT_FLAG, NULL, "print the report as one JSON object", NULL, &o.json },
		OPT_END,
	};
	struct sink_run r;
	uint8_t *buf;
	int lfd, fd, rc;

	rc = cli_parse(&sink_mode, opts, argc, argv);
	if (rc)
		return rc > 0 ? SFO_EXIT_OK : SFO_EXIT_USAGE;
	if (ready_file_clear(o.ready_file) < 0)
		return SFO_EXIT_USAGE;
	buf = malloc(SINK_BUF);
	if (!buf) {
		cli_error("out of memory");
		return SFO_EXIT_USAGE;
	}
	lfd = sock_open(&o.bind, SOCK_STREAM);
	if (lfd < 0 || sock_bind(lfd, &o.bind, "--bind") < 0 || listen(lfd, 1) < 0) {
		if (lfd >= 0)
			cli_error("listen: %s", strerror(errno));
		if (lfd >= 0)
			close(lfd);
		free(buf);
		return SFO_EXIT_USAGE;
	}
	memset(&r, 0, sizeof(r));
	sock_local_name(lfd, r.local, sizeof(r.local));
	run_install_signals();
	r.start_real_ns = real_ns();
	r.t0 = mono_ns();
	r.deadline = r.t0 + o.duration_ns;
	r.end_reason = "no-connection";
	gaps_init(&r.gaps, o.gap_ms * NSEC_PER_MSEC);
	timeline_init(&r.tl, o.interval_ms * NSEC_PER_MSEC, o.duration_ns);
	if (ready_file_create(o.ready_file, r.local) < 0) {
		rc = SFO_EXIT_USAGE;
		goto out;
	}
	fd = accept_one(lfd, &r);
	if (fd >= 0) {
		close(lfd);
		lfd = -1;
		r.connected = true;
		r.connected_ns = mono_ns() - r.t0;
		r.last_data_ns = r.connected_ns;
		gaps_event(&r.gaps, r.connected_ns, 0);
		drain(fd, &r, buf);
		close(fd); /* after a clean EOF this sends our FIN: the stream sees the end */
	} else if (run_stopped()) {
		r.end_reason = "signal";
	}
	r.end_ns = mono_ns() - r.t0;
	timeline_cover(&r.tl, r.end_ns);
	if ((o.json ? print_json(&o, &r) : (print_human(&o, &r), 0)) < 0)
		rc = SFO_EXIT_USAGE;
	else
		rc = !strcmp(r.end_reason, "eof") ? SFO_EXIT_OK : SFO_EXIT_FAIL;
out:
	gaps_free(&r.gaps);
	timeline_free(&r.tl);
	if (lfd >= 0)
		close(lfd);
	free(buf);
	return rc;
}
