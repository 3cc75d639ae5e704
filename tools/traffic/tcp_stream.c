/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp-stream: one TCP connection to tcp-sink for --duration, optionally
 * rate limited.  Forward progress is the number of acknowledged bytes
 * (TCP_INFO tcpi_bytes_acked, sampled at least every millisecond), or bytes
 * written where the kernel does not report it.  A stall is the time between
 * two increases of progress.  At the end the stream half-closes and waits for
 * the sink to close too: only then did the connection survive.
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
#include "tcpinfo.h"
#include "timeline.h"

#define CHUNK	     (256 * 1024)
#define SAMPLE_MS    1
#define BUCKET_NS    (10 * NSEC_PER_MSEC) /* token bucket depth, in time at the rate */
#define MIN_BUCKET_B (16 * 1024)

struct stream_opts {
	struct sfo_addr to, bind;
	uint64_t duration_ns, rate_mbit, interval_ms, gap_ms, connect_timeout_ms, drain_ns;
	struct report_opts out;
};

struct stream_run {
	char to[SFO_ADDR_STRLEN], local[SFO_ADDR_STRLEN];
	uint64_t start_real_ns, t0, send_end_ns, end_ns; /* relative to t0 except t0 */
	uint64_t written, progress;
	bool have_acked;
	struct tcp_progress last_info;
	bool have_info;
	bool broken;
	int err;
	const char *end_reason;
	const char *problem; /* human description of a failure without errno */
	struct gap_tracker stalls;
	struct timeline tl;
};

static const struct mode_info stream_mode = {
	.name = "tcp-stream",
	.summary = "Send a TCP stream to tcp-sink and report survival, stalls and retransmits.",
	.details = "Exit status 1 if the connection broke (error, reset, early close) or the end\n"
		   "of the stream was not confirmed within --drain-timeout; 2 if connect failed.",
};

static int connect_to(const struct stream_opts *o, struct stream_run *r)
{
	struct pollfd pfd;
	uint64_t deadline;
	socklen_t sl = sizeof(int);
	int fd, err = 0, pr;

	fd = sock_open(&o->to, SOCK_STREAM | SOCK_NONBLOCK);
	if (fd < 0)
		return -1;
	if (o->bind.len && sock_bind(fd, &o->bind, "--bind") < 0)
		goto fail;
	if (connect(fd, (const struct sockaddr *)&o->to.ss, o->to.len) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		cli_error("--to %s: connect: %s", r->to, strerror(errno));
		goto fail;
	}
	deadline = mono_ns() + o->connect_timeout_ms * NSEC_PER_MSEC;
	for (;;) {
		uint64_t now = mono_ns();

		if (run_stopped() || now >= deadline) {
			cli_error("--to %s: connect: %s", r->to,
				  run_stopped() ? "interrupted" : "timed out");
			goto fail;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		pr = poll(&pfd, 1, (int)((deadline - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC));
		if (pr > 0)
			break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
		err = errno;
	if (err) {
		cli_error("--to %s: connect: %s", r->to, strerror(err));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* Samples TCP_INFO and records forward progress at now (relative). */
static void sample(int fd, struct stream_run *r, uint64_t rel)
{
	struct tcp_progress p;
	uint64_t progress = r->written;

	if (tcpinfo_read(fd, &p) == 0) {
		r->last_info = p;
		r->have_info = true;
		r->have_acked = p.have_bytes_acked;
		if (p.have_bytes_acked)
			/* a FIN, once acknowledged, counts one byte */
			progress = p.bytes_acked < r->written ? p.bytes_acked : r->written;
	}
	if (progress > r->progress) {
		timeline_add(&r->tl, rel, progress - r->progress);
		gaps_event(&r->stalls, rel, progress);
		r->progress = progress;
	}
}

static void mark_broken(struct stream_run *r, int err, const char *reason)
{
	r->broken = true;
	r->err = err;
	r->end_reason = reason;
}

/* Reads whatever the sink sent: returns 1 on EOF, -1 on error (marks broken), 0 otherwise. */
static int check_peer(int fd, struct stream_run *r)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n == 0)
			return 1;
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		mark_broken(r, errno, errno == ECONNRESET ? "reset" : "error");
		return -1;
	}
}

static void send_phase(int fd, const struct stream_opts *o, struct stream_run *r, const char *buf)
{
	uint64_t rate_Bps = o->rate_mbit * 1000000 / 8, tokens = 0, depth = 0;
	uint64_t last_fill = r->t0, deadline = r->t0 + o->duration_ns;

	if (rate_Bps) {
		depth = rate_Bps * BUCKET_NS / NSEC_PER_SEC;
		if (depth < MIN_BUCKET_B)
			depth = MIN_BUCKET_B;
	}
	r->end_reason = "complete";
	for (;;) {
		uint64_t now = mono_ns(), budget = CHUNK;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int pr;

		sample(fd, r, now - r->t0);
		if (run_stopped()) {
			r->end_reason = "signal";
			break;
		}
		if (now >= deadline)
			break;
		if (rate_Bps) {
			/* token bucket: no catching up after a stall beyond its depth */
			tokens += (uint64_t)((unsigned __int128)rate_Bps * (now - last_fill) /
					     NSEC_PER_SEC);
			last_fill = now;
			if (tokens > depth)
				tokens = depth;
			budget = tokens < CHUNK ? tokens : CHUNK;
		}
		if (budget)
			pfd.events |= POLLOUT;
		pr = poll(&pfd, 1, SAMPLE_MS);
		if (pr <= 0)
			continue;
		if (pfd.revents & (POLLIN | POLLERR | POLLHUP)) {
			int rc = check_peer(fd, r);

			if (rc > 0) {
				r->broken = true;
				r->end_reason = "peer-closed";
				r->problem = "the peer closed the connection before the end";
			}
			if (rc != 0)
				break;
		}
		if (budget && (pfd.revents & POLLOUT)) {
			ssize_t n = send(fd, buf, budget, MSG_DONTWAIT | MSG_NOSIGNAL);

			if (n > 0) {
				r->written += (uint64_t)n;
				if (rate_Bps)
					tokens -= (uint64_t)n;
			} else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
				   errno != EINTR) {
				mark_broken(r, errno, errno == ECONNRESET ? "reset" : "error");
				break;
			}
		}
	}
	r->send_end_ns = mono_ns() - r->t0;
}

/* Half-closes and waits for the sink's close, which confirms every byte arrived. */
static void finish_phase(int fd, const struct stream_opts *o, struct stream_run *r)
{
	uint64_t deadline = mono_ns() + o->drain_ns;

	if (shutdown(fd, SHUT_WR) < 0) {
		mark_broken(r, errno, "error");
		return;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = mono_ns();
		int rc;

		sample(fd, r, now - r->t0);
		if (now >= deadline) {
			r->broken = true;
			r->end_reason = "drain-timeout";
			r->problem = "the end of the stream was not confirmed in time";
			return;
		}
		if (poll(&pfd, 1, SAMPLE_MS) <= 0)
			continue;
		rc = check_peer(fd, r);
		if (rc < 0)
			return;
		if (rc > 0) {
			sample(fd, r, mono_ns() - r->t0);
			return;
		}
	}
}

static double mbit(uint64_t bytes, uint64_t ns)
{
	return ns ? (double)bytes * 8 / ((double)ns / 1e9) / 1e6 : 0.0;
}

static const char *failure_text(const struct stream_run *r)
{
	if (!r->broken)
		return NULL;
	return r->err ? strerror(r->err) : r->problem;
}

static int print_report(const struct stream_opts *o, const struct stream_run *r)
{
	struct printer p;

	report_begin(&p, &o->out, "tcp-stream", r->start_real_ns);
	print_str(&p, PRINT_ANY, "local", "tcp-stream: %s", r->local);
	print_str(&p, PRINT_ANY, "to", " -> %s", r->to);
	print_f64(&p, PRINT_ANY, "duration_s", ", %.3f s", 3, (double)o->duration_ns / 1e9);
	if (o->rate_mbit)
		print_u64(&p, PRINT_ANY, "rate_mbit", " at %llu Mbit/s", o->rate_mbit);
	else
		print_null(&p, "rate_mbit");
	print_str(&p, PRINT_ANY, "end_reason", ", ended by %s", r->end_reason);
	print_f64(&p, PRINT_TEXT, NULL, " after %.3f s\n", 3, (double)r->end_ns / 1e9);
	print_bool(&p, PRINT_JSON, "survived", NULL, !r->broken);
	print_str(&p, PRINT_TEXT, NULL, "  survived %s", r->broken ? "no" : "yes");
	if (r->broken)
		print_str(&p, PRINT_ANY, "error", ": %s", failure_text(r));
	else
		print_null(&p, "error");
	print_text(&p, "\n");
	print_f64(&p, PRINT_JSON, "send_ms", NULL, 3, ns_to_ms(r->send_end_ns));
	print_f64(&p, PRINT_JSON, "duration_ms", NULL, 3, ns_to_ms(r->end_ns));
	print_u64(&p, PRINT_ANY, "bytes_sent", "  sent %llu B", r->written);
	if (r->have_acked)
		print_u64(&p, PRINT_JSON, "bytes_acked", NULL, r->progress);
	else
		print_null(&p, "bytes_acked");
	print_str(&p, PRINT_JSON, "progress_source", NULL,
		  r->have_acked ? "bytes_acked" : "bytes_written");
	print_u64(&p, PRINT_TEXT, NULL,
		  r->have_acked ? ", acknowledged %llu B" : ", acknowledged (bytes written) %llu B",
		  r->progress);
	print_f64(&p, PRINT_ANY, "throughput_mbit", " (%.1f Mbit/s)\n", 3,
		  mbit(r->progress, r->send_end_ns));
	if (r->have_info && r->last_info.have_total_retrans)
		print_u64(&p, PRINT_ANY, "retransmits", "  retransmits %llu",
			  r->last_info.total_retrans);
	else
		print_null(&p, "retransmits");
	if (r->have_info)
		print_f64(&p, r->last_info.have_total_retrans ? PRINT_ANY : PRINT_JSON, "rtt_ms",
			  ", rtt %.3f ms\n", 3, r->last_info.rtt_us / 1e3);
	else
		print_null(&p, "rtt_ms");
	gaps_print_tracker(&p, &r->stalls, "stall", "longest stall", o->gap_ms);
	print_obj_open(&p, "timeline");
	print_u64(&p, PRINT_JSON, "interval_ms", NULL, o->interval_ms);
	timeline_print(&r->tl, &p, "bytes");
	print_obj_close(&p);
	return report_end(&p);
}

int mode_tcp_stream(int argc, char **argv)
{
	struct stream_opts o = { .duration_ns = 10 * NSEC_PER_SEC,
				 .interval_ms = 10,
				 .gap_ms = 50,
				 .connect_timeout_ms = 3000,
				 .drain_ns = 10 * NSEC_PER_SEC };
	struct opt_def opts[] = {
		{ "to", OPT_DEST, "ADDR:PORT", "tcp-sink address", NULL, &o.to, .required = true },
		{ "duration", OPT_SECONDS, "S", "how long to send", "10", &o.duration_ns,
		  MIN_DURATION_NS, MAX_DURATION_NS },
		{ "rate-mbit", OPT_UINT, "N", "limit the sending rate (Mbit/s)", "unlimited",
		  &o.rate_mbit, 1, 1000000 },
		{ "interval-ms", OPT_UINT, "N", "timeline interval", "10", &o.interval_ms, 1,
		  60000 },
		{ "gap-ms", OPT_UINT, "N", "list every stall at least this long (0: none)", "50",
		  &o.gap_ms, 0, 3600000 },
		{ "connect-timeout-ms", OPT_UINT, "N", "give up connecting after this long", "3000",
		  &o.connect_timeout_ms, 1, 60000 },
		{ "drain-timeout", OPT_SECONDS, "S",
		  "wait this long for the sink to confirm the end", "10", &o.drain_ns,
		  MIN_DURATION_NS, 600 * NSEC_PER_SEC },
		{ "bind", OPT_BIND, "ADDR:PORT", "local source address", NULL, &o.bind },
		REPORT_OPT_DEFS(o.out),
		OPT_END,
	};
	struct stream_run r;
	char *buf;
	int fd, rc;

	rc = cli_parse(&stream_mode, opts, argc, argv);
	if (rc)
		return rc > 0 ? SFO_EXIT_OK : SFO_EXIT_USAGE;
	if (o.bind.len && o.bind.ss.ss_family != o.to.ss.ss_family) {
		cli_error("--bind and --to must use the same address family");
		return SFO_EXIT_USAGE;
	}
	memset(&r, 0, sizeof(r));
	addr_format((const struct sockaddr *)&o.to.ss, r.to, sizeof(r.to));
	buf = calloc(1, CHUNK);
	if (!buf) {
		cli_error("out of memory");
		return SFO_EXIT_USAGE;
	}
	run_install_signals();
	fd = connect_to(&o, &r);
	if (fd < 0) {
		free(buf);
		return SFO_EXIT_USAGE;
	}
	sock_local_name(fd, r.local, sizeof(r.local));
	r.start_real_ns = real_ns();
	r.t0 = mono_ns();
	gaps_init(&r.stalls, o.gap_ms * NSEC_PER_MSEC);
	timeline_init(&r.tl, o.interval_ms * NSEC_PER_MSEC, o.duration_ns + o.drain_ns);
	gaps_event(&r.stalls, 0, 0);

	send_phase(fd, &o, &r, buf);
	if (!r.broken)
		finish_phase(fd, &o, &r);
	r.end_ns = mono_ns() - r.t0;
	/* An unfinished stall lasts until the end of the measurement. */
	if (r.progress < r.written)
		gaps_event(&r.stalls, r.end_ns, r.progress);
	timeline_cover(&r.tl, r.end_ns);
	close(fd);

	if (print_report(&o, &r) < 0)
		rc = SFO_EXIT_USAGE;
	else
		rc = r.broken ? SFO_EXIT_FAIL : SFO_EXIT_OK;
	gaps_free(&r.stalls);
	timeline_free(&r.tl);
	free(buf);
	return rc;
}
