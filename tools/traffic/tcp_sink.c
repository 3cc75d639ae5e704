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
	struct report_opts out;
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

static int print_report(const struct sink_opts *o, const struct sink_run *r)
{
	uint64_t span = r->last_data_ns > r->connected_ns ? r->last_data_ns - r->connected_ns : 0;
	struct printer p;

	report_begin(&p, &o->out, "tcp-sink", r->start_real_ns);
	print_str(&p, PRINT_ANY, "bind", "tcp-sink: on %s", r->local);
	if (r->connected)
		print_str(&p, PRINT_ANY, "peer", " from %s", r->peer);
	else
		print_null(&p, "peer");
	print_str(&p, PRINT_ANY, "end_reason", ", ended by %s", r->end_reason);
	print_f64(&p, PRINT_TEXT, NULL, " after %.3f s", 3, (double)r->end_ns / 1e9);
	print_bool(&p, PRINT_JSON, "clean", NULL, !strcmp(r->end_reason, "eof"));
	if (r->err)
		print_str(&p, PRINT_ANY, "error", ": %s", strerror(r->err));
	else
		print_null(&p, "error");
	print_text(&p, "\n");
	if (r->connected)
		print_f64(&p, PRINT_JSON, "connected_ms", NULL, 3, ns_to_ms(r->connected_ns));
	else
		print_null(&p, "connected_ms");
	print_f64(&p, PRINT_JSON, "duration_ms", NULL, 3, ns_to_ms(r->end_ns));
	print_u64(&p, PRINT_ANY, "bytes_received", "  received %llu B", r->bytes);
	print_f64(&p, PRINT_ANY, "throughput_mbit", " (%.1f Mbit/s)", 3,
		  span ? (double)r->bytes * 8 / ((double)span / 1e9) / 1e6 : 0.0);
	print_str(&p, PRINT_TEXT, NULL, ", clean %s\n",
		  !strcmp(r->end_reason, "eof") ? "yes" : "no");
	gaps_print_tracker(&p, &r->gaps, "gap", "longest gap between reads", o->gap_ms);
	print_obj_open(&p, "timeline");
	print_u64(&p, PRINT_JSON, "interval_ms", NULL, o->interval_ms);
	timeline_print(&r->tl, &p, "bytes");
	print_obj_close(&p);
	return report_end(&p);
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
		REPORT_OPT_DEFS(o.out),
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
	if (print_report(&o, &r) < 0)
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
