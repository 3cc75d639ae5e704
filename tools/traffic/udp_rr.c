/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * udp-rr: request/response round-trip latency against udp-echo.  One
 * request is outstanding at a time; each carries a sequence number so a
 * late answer to an earlier request is not mistaken for the current one.
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
#include "modes.h"
#include "report.h"
#include "runctl.h"
#include "sock.h"
#include "stats.h"

#define RR_MAGIC   0x53464f52u /* "SFOR" */
#define RR_HDR_LEN 16
#define MAX_SIZE   65507

struct rr_opts {
	struct sfo_addr to, bind;
	uint64_t count, size, timeout_ms, warmup, interval_us, duration_ns;
	bool json;
};

struct rr_stats {
	uint64_t start_real_ns, elapsed_ns;
	uint64_t sent, received, timeouts, late, errors;
	const char *end_reason;
	uint64_t *rtt_ns; /* measured round trips, count entries allocated */
	size_t n_rtt;
};

static const struct mode_info rr_mode = {
	.name = "udp-rr",
	.summary = "Measure UDP request/response round-trip time against udp-echo.",
	.details =
		"Sends --warmup unmeasured requests, then --count measured ones, one at a time.\n"
		"Exit status 1 if no response arrived.",
};

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
	int i;

	for (i = bytes - 1; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t get_be(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Waits for the answer to seq until deadline; returns 1 if it arrived, 0 on timeout. */
static int await_answer(int fd, uint64_t seq, uint64_t deadline, uint8_t *buf, size_t len,
			bool measured, struct rr_stats *st)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = mono_ns(), wait_ms;
		ssize_t n;
		int pr;

		if (now >= deadline || run_stopped())
			return 0;
		wait_ms = (deadline - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
		pr = poll(&pfd, 1, (int)wait_ms);
		if (pr <= 0)
			continue;
		n = recv(fd, buf, len, MSG_DONTWAIT);
		if (n < 0) {
			if (measured && errno != EAGAIN && errno != EINTR)
				st->errors++; /* e.g. ECONNREFUSED: no echo server (yet) */
			continue;
		}
		if (n < RR_HDR_LEN || get_be(buf, 4) != RR_MAGIC)
			continue;
		if (get_be(buf + 8, 8) == seq)
			return 1;
		if (measured)
			st->late++;
	}
}

static int run_rr(int fd, const struct rr_opts *o, struct rr_stats *st, uint8_t *req, uint8_t *resp)
{
	uint64_t total = o->warmup + o->count, i, t0 = mono_ns();
	uint64_t deadline = t0 + o->duration_ns, timeout = o->timeout_ms * NSEC_PER_MSEC;

	st->end_reason = "count";
	put_be(req, RR_MAGIC, 4);
	for (i = 0; i < total; i++) {
		uint64_t t_send, t_recv;
		bool measured = i >= o->warmup;

		if (run_stopped()) {
			st->end_reason = "signal";
			break;
		}
		if (mono_ns() >= deadline) {
			st->end_reason = "duration";
			break;
		}
		put_be(req + 8, i, 8);
		t_send = mono_ns();
		if (send(fd, req, o->size, 0) < 0) {
			if (measured)
				st->errors++;
			/* do not spin on an unreachable peer */
			if (errno != EINTR)
				sleep_until(t_send + timeout);
			continue;
		}
		if (measured)
			st->sent++;
		if (await_answer(fd, i, t_send + timeout, resp, o->size, measured, st)) {
			t_recv = mono_ns();
			if (measured) {
				st->received++;
				st->rtt_ns[st->n_rtt++] = t_recv - t_send;
			}
		} else if (measured) {
			st->timeouts++;
		}
		if (o->interval_us)
			while (sleep_until(t_send + o->interval_us * NSEC_PER_USEC) < 0 &&
			       !run_stopped())
				;
	}
	st->elapsed_ns = mono_ns() - t0;
	return 0;
}

static void report_human(const struct rr_opts *o, const char *to, const struct rr_stats *st,
			 const struct pct_summary *p)
{
	printf("udp-rr: to %s, %" PRIu64 " B, ended by %s after %.3f s\n", to, o->size,
	       st->end_reason, (double)st->elapsed_ns / 1e9);
	printf("  sent %" PRIu64 ", received %" PRIu64 ", timeouts %" PRIu64 ", late %" PRIu64
	       ", errors %" PRIu64 "\n",
	       st->sent, st->received, st->timeouts, st->late, st->errors);
	if (st->n_rtt)
		printf("  rtt us: min %.1f p50 %.1f p90 %.1f p99 %.1f max %.1f mean %.1f\n",
		       p->min / 1e3, p->p50 / 1e3, p->p90 / 1e3, p->p99 / 1e3, p->max / 1e3,
		       p->mean / 1e3);
}

static int report_json(const struct rr_opts *o, const char *to, const struct rr_stats *st,
		       const struct pct_summary *p)
{
	struct json j;

	json_begin(&j, stdout);
	report_json_begin(&j, "udp-rr", st->start_real_ns);
	json_str(&j, "to", to);
	json_u64(&j, "size", o->size);
	json_u64(&j, "count", o->count);
	json_u64(&j, "warmup", o->warmup);
	json_str(&j, "end_reason", st->end_reason);
	json_f64(&j, "duration_ms", ns_to_ms(st->elapsed_ns), 3);
	json_u64(&j, "sent", st->sent);
	json_u64(&j, "received", st->received);
	json_u64(&j, "timeouts", st->timeouts);
	json_u64(&j, "late", st->late);
	json_u64(&j, "errors", st->errors);
	if (st->n_rtt) {
		json_obj_open(&j, "rtt_us");
		json_f64(&j, "min", p->min / 1e3, 3);
		json_f64(&j, "p50", p->p50 / 1e3, 3);
		json_f64(&j, "p90", p->p90 / 1e3, 3);
		json_f64(&j, "p99", p->p99 / 1e3, 3);
		json_f64(&j, "max", p->max / 1e3, 3);
		json_f64(&j, "mean", p->mean / 1e3, 3);
		json_obj_close(&j);
	} else {
		json_null(&j, "rtt_us");
	}
	json_obj_close(&j);
	return json_end(&j);
}

int mode_udp_rr(int argc, char **argv)
{
	struct rr_opts o = { .count = 1000,
			     .size = 64,
			     .timeout_ms = 200,
			     .warmup = 10,
			     .duration_ns = 60 * NSEC_PER_SEC };
	struct opt_def opts[] = {
		{ "to", OPT_DEST, "ADDR:PORT", "udp-echo address", NULL, &o.to, .required = true },
		{ "count", OPT_UINT, "N", "measured requests", "1000", &o.count, 1, 10000000 },
		{ "size", OPT_UINT, "BYTES", "UDP payload size", "64", &o.size, RR_HDR_LEN,
		  MAX_SIZE },
		{ "timeout-ms", OPT_UINT, "N", "give up on a response after this long", "200",
		  &o.timeout_ms, 1, 10000 },
		{ "warmup", OPT_UINT, "N", "unmeasured requests first", "10", &o.warmup, 0,
		  1000000 },
		{ "interval-us", OPT_UINT, "N", "start requests this far apart (0: back to back)",
		  "0", &o.interval_us, 0, 10000000 },
		{ "duration", OPT_SECONDS, "S", "stop after this long at the latest", "60",
		  &o.duration_ns, MIN_DURATION_NS, MAX_DURATION_NS },
		{ "bind", OPT_BIND, "ADDR:PORT", "local source address", NULL, &o.bind },
		{ "json", OPT_FLAG, NULL, "print the report as one JSON object", NULL, &o.json },
		OPT_END,
	};
	char to[SFO_ADDR_STRLEN];
	struct pct_summary p;
	struct rr_stats st;
	uint8_t *req = NULL, *resp = NULL;
	int fd, rc;

	rc = cli_parse(&rr_mode, opts, argc, argv);
	if (rc)
		return rc > 0 ? SFO_EXIT_OK : SFO_EXIT_USAGE;
	if (cli_seen(opts, "bind") && o.bind.ss.ss_family != o.to.ss.ss_family) {
		cli_error("--bind and --to must use the same address family");
		return SFO_EXIT_USAGE;
	}
	memset(&st, 0, sizeof(st));
	req = calloc(1, o.size);
	resp = malloc(o.size);
	st.rtt_ns = malloc(o.count * sizeof(*st.rtt_ns));
	rc = SFO_EXIT_USAGE;
	if (!req || !resp || !st.rtt_ns) {
		cli_error("out of memory");
		goto out_free;
	}
	fd = sock_open(&o.to, SOCK_DGRAM);
	if (fd < 0)
		goto out_free;
	if (cli_seen(opts, "bind") && sock_bind(fd, &o.bind, "--bind") < 0)
		goto out_close;
	addr_format((const struct sockaddr *)&o.to.ss, to, sizeof(to));
	if (connect(fd, (const struct sockaddr *)&o.to.ss, o.to.len) < 0) {
		cli_error("--to %s: connect: %s", to, strerror(errno));
		goto out_close;
	}
	run_install_signals();
	clock_tight_timer_slack();
	st.start_real_ns = real_ns();
	run_rr(fd, &o, &st, req, resp);
	pct_summarize(st.rtt_ns, st.n_rtt, &p);
	if ((o.json ? report_json(&o, to, &st, &p) : (report_human(&o, to, &st, &p), 0)) < 0)
		goto out_close;
	rc = st.received ? SFO_EXIT_OK : SFO_EXIT_FAIL;
out_close:
	close(fd);
out_free:
	free(req);
	free(resp);
	free(st.rtt_ns);
	return rc;
}
