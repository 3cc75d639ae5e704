/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * udp-send: sequenced UDP at a fixed packet rate.  Packet N is due at
 * base + N / rate; the sender sleeps with clock_nanosleep(TIMER_ABSTIME) on
 * CLOCK_MONOTONIC and, when it wakes up late, sends every packet already due
 * in one sendmmsg() burst.  A failed send still consumes its sequence number,
 * so the receiver counts it as lost.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/random.h>
#include <unistd.h>

#include "cli.h"
#include "modes.h"
#include "report.h"
#include "runctl.h"
#include "sock.h"
#include "wire.h"

#define SEND_BATCH	64
#define LAST_COPIES	5
#define LAST_SPACING_NS (10 * NSEC_PER_MSEC)
#define MAX_RATE	1000000
#define MAX_SIZE	65507
#define ERR_KINDS	8

struct send_opts {
	struct sfo_addr to, bind;
	uint64_t rate, size, duration_ns, stream_id;
	struct report_opts out;
	bool have_bind, have_stream_id;
};

struct err_count {
	int err;
	uint64_t count;
};

struct send_stats {
	uint64_t attempted, sent, errors;
	uint64_t start_real_ns;
	uint64_t elapsed_ns; /* from the schedule base to the last data packet */
	uint64_t late_max_ns, late_sum_ns, late_pkts;
	uint64_t first_err_ns, last_err_ns; /* relative to the schedule base */
	struct err_count errs[ERR_KINDS];
	uint64_t other_errs;
	bool truncated; /* stopped at the hard deadline, far behind schedule */
	bool interrupted;
};

static const struct mode_info send_mode = {
	.name = "udp-send",
	.summary = "Send a sequenced UDP stream at a fixed packet rate to udp-recv.",
	.details =
		"Each datagram carries a 64-bit sequence number, the send time and a stream id;\n"
		"at the end, 'last' markers tell the receiver how many packets were sent.",
};

static void note_error(struct send_stats *st, int err, uint64_t rel_ns)
{
	int i;

	if (!st->errors)
		st->first_err_ns = rel_ns;
	st->last_err_ns = rel_ns;
	st->errors++;
	for (i = 0; i < ERR_KINDS; i++) {
		if (st->errs[i].count && st->errs[i].err != err)
			continue;
		st->errs[i].err = err;
		st->errs[i].count++;
		return;
	}
	st->other_errs++;
}

struct batch {
	uint8_t hdr[SEND_BATCH][SFO_WIRE_HDR_LEN];
	struct iovec iov[SEND_BATCH][2];
	struct mmsghdr msg[SEND_BATCH];
};

static void batch_init(struct batch *b, const struct send_opts *o, uint8_t *pad)
{
	int i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < SEND_BATCH; i++) {
		b->iov[i][0].iov_base = b->hdr[i];
		b->iov[i][0].iov_len = SFO_WIRE_HDR_LEN;
		b->iov[i][1].iov_base = pad;
		b->iov[i][1].iov_len = o->size - SFO_WIRE_HDR_LEN;
		b->msg[i].msg_hdr.msg_iov = b->iov[i];
		b->msg[i].msg_hdr.msg_iovlen = 2;
		b->msg[i].msg_hdr.msg_name = (void *)&o->to.ss;
		b->msg[i].msg_hdr.msg_namelen = o->to.len;
	}
}

/* Sends msg[0..n-1]; a message that fails is counted and skipped. */
static void send_batch(int fd, struct batch *b, int n, struct send_stats *st, uint64_t rel_ns)
{
	int off = 0;

	while (off < n) {
		int r = sendmmsg(fd, b->msg + off, (unsigned int)(n - off), MSG_DONTWAIT);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			note_error(st, errno, rel_ns);
			off++;
			continue;
		}
		st->sent += (uint64_t)r;
		off += r;
	}
}

/* "Last" markers carry the number of data packets; a few copies survive some loss. */
static void send_last_markers(int fd, const struct send_opts *o, struct batch *b, uint64_t base,
			      uint64_t count, uint32_t stream_id)
{
	struct sfo_wire_hdr h = {
		.flags = SFO_WIRE_F_LAST,
		.stream_id = stream_id,
		.rate_pps = (uint32_t)o->rate,
		.seq = count,
		.sched_base_ns = base,
		.count = count,
	};
	struct send_stats scratch;
	uint64_t next = mono_ns();
	int i;

	memset(&scratch, 0, sizeof(scratch));
	for (i = 0; i < LAST_COPIES; i++) {
		if (i > 0) {
			next += LAST_SPACING_NS;
			while (sleep_until(next) < 0 && !run_stopped())
				;
		}
		h.tx_ns = mono_ns();
		wire_encode(&h, b->hdr[0]);
		send_batch(fd, b, 1, &scratch, 0);
	}
}

static int run_send(int fd, const struct send_opts *o, uint32_t stream_id, struct send_stats *st,
		    struct batch *b)
{
	uint64_t total, base, hard_end, period = NSEC_PER_SEC / o->rate;
	uint32_t rate = (uint32_t)o->rate;
	uint64_t i = 0;

	total = (uint64_t)((unsigned __int128)o->rate * o->duration_ns / NSEC_PER_SEC);
	if (!total)
		total = 1;
	st->start_real_ns = real_ns();
	base = mono_ns();
	hard_end = base + o->duration_ns + NSEC_PER_SEC;

	while (i < total) {
		uint64_t due = base + wire_sched_offset_ns(i, rate), now;
		int n;

		if (run_stopped()) {
			st->interrupted = true;
			break;
		}
		now = mono_ns();
		if (now < due) {
			if (sleep_until(due) < 0)
				continue; /* a signal: re-check the stop flag */
			now = mono_ns();
		}
		if (now > hard_end) {
			st->truncated = true;
			break;
		}
		for (n = 0; n < SEND_BATCH && i + (uint64_t)n < total; n++) {
			uint64_t seq = i + (uint64_t)n;
			uint64_t sched = base + wire_sched_offset_ns(seq, rate);
			struct sfo_wire_hdr h = {
				.stream_id = stream_id,
				.rate_pps = rate,
				.seq = seq,
				.tx_ns = now,
				.sched_base_ns = base,
			};
			uint64_t late;

			if (sched > now)
				break;
			late = now - sched;
			if (late > st->late_max_ns)
				st->late_max_ns = late;
			st->late_sum_ns += late;
			if (late > period)
				st->late_pkts++;
			wire_encode(&h, b->hdr[n]);
		}
		send_batch(fd, b, n, st, now - base);
		i += (uint64_t)n;
		st->elapsed_ns = now - base;
	}
	st->attempted = i;
	send_last_markers(fd, o, b, base, i, stream_id);
	return 0;
}

static int print_report(const struct send_opts *o, uint32_t stream_id, const struct send_stats *st)
{
	char to[SFO_ADDR_STRLEN];
	double secs = (double)st->elapsed_ns / 1e9;
	double mean_late_us =
		st->attempted ? (double)st->late_sum_ns / (double)st->attempted / 1e3 : 0.0;
	struct printer p;
	int i;

	report_begin(&p, &o->out, "udp-send", st->start_real_ns);
	print_str(&p, PRINT_ANY, "to", "udp-send: to %s",
		  addr_format((const struct sockaddr *)&o->to.ss, to, sizeof(to)));
	print_u64(&p, PRINT_ANY, "stream_id", " stream %llu", stream_id);
	print_u64(&p, PRINT_ANY, "rate_pps", ", %llu pps", o->rate);
	print_u64(&p, PRINT_ANY, "size", ", %llu B", o->size);
	print_f64(&p, PRINT_ANY, "duration_s", ", %.3f s", 3, (double)o->duration_ns / 1e9);
	print_str(&p, PRINT_ANY, "end_reason", ", ended by %s\n",
		  st->interrupted ? "signal"
		  : st->truncated ? "behind-schedule"
				  : "duration");
	print_f64(&p, PRINT_JSON, "elapsed_ms", NULL, 3, ns_to_ms(st->elapsed_ns));
	print_u64(&p, PRINT_ANY, "packets", "  packets %llu", st->attempted);
	print_u64(&p, PRINT_ANY, "sent", ", sent %llu", st->sent);
	print_u64(&p, PRINT_ANY, "send_errors", ", send errors %llu", st->errors);
	print_f64(&p, PRINT_TEXT, NULL, ", elapsed %.3f s", 3, secs);
	print_f64(&p, PRINT_ANY, "achieved_pps", " (%.1f pps)\n", 1,
		  secs > 0 ? (double)st->attempted / secs : 0.0);
	print_obj_open(&p, "errors");
	for (i = 0; i < ERR_KINDS && st->errs[i].count; i++) {
		print_text(&p, "  error %s x ", errno_name(st->errs[i].err));
		print_u64(&p, PRINT_ANY, errno_name(st->errs[i].err), "%llu\n", st->errs[i].count);
	}
	if (st->other_errs)
		print_u64(&p, PRINT_ANY, "other", "  other errors x %llu\n", st->other_errs);
	print_obj_close(&p);
	if (st->errors) {
		print_f64(&p, PRINT_ANY, "first_error_ms", "  errors between %.3f ms", 3,
			  ns_to_ms(st->first_err_ns));
		print_f64(&p, PRINT_ANY, "last_error_ms", " and %.3f ms\n", 3,
			  ns_to_ms(st->last_err_ns));
	} else {
		print_null(&p, "first_error_ms");
		print_null(&p, "last_error_ms");
	}
	print_obj_open(&p, "late");
	print_f64(&p, PRINT_ANY, "mean_us", "  lateness: mean %.1f us", 3, mean_late_us);
	print_f64(&p, PRINT_ANY, "max_us", ", max %.1f us", 3, (double)st->late_max_ns / 1e3);
	print_u64(&p, PRINT_ANY, "packets_over_period", ", %llu packets", st->late_pkts);
	print_f64(&p, PRINT_TEXT, NULL, " more than one period (%.1f us) late\n", 1,
		  1e6 / (double)o->rate);
	print_obj_close(&p);
	print_u64(&p, PRINT_JSON, "last_markers", NULL, LAST_COPIES);
	return report_end(&p);
}

static uint32_t random_stream_id(void)
{
	uint32_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = (uint32_t)(mono_ns() ^ ((uint64_t)getpid() << 16));
	return v;
}

int mode_udp_send(int argc, char **argv)
{
	struct send_opts o = { .size = 64, .duration_ns = 10 * NSEC_PER_SEC };
	struct opt_def opts[] = {
		{ "to", OPT_DEST, "ADDR:PORT", "receiver address", NULL, &o.to, .required = true },
		{ "rate", OPT_UINT, "PPS", "packets per second", NULL, &o.rate, 1, MAX_RATE,
		  .required = true },
		{ "size", OPT_UINT, "BYTES", "UDP payload size", "64", &o.size, SFO_WIRE_HDR_LEN,
		  MAX_SIZE },
		{ "duration", OPT_SECONDS, "S", "how long to send", "10", &o.duration_ns,
		  MIN_DURATION_NS, MAX_DURATION_NS },
		{ "stream-id", OPT_UINT, "N", "stream id carried in every packet", "random",
		  &o.stream_id, 0, UINT32_MAX },
		{ "bind", OPT_BIND, "ADDR:PORT", "local source address", NULL, &o.bind },
		REPORT_OPT_DEFS(o.out),
		OPT_END,
	};
	struct send_stats st;
	struct batch *b = NULL;
	uint8_t *pad = NULL;
	uint32_t stream_id;
	int fd, rc;

	rc = cli_parse(&send_mode, opts, argc, argv);
	if (rc)
		return rc > 0 ? SFO_EXIT_OK : SFO_EXIT_USAGE;
	o.have_bind = cli_seen(opts, "bind");
	o.have_stream_id = cli_seen(opts, "stream-id");
	if (o.have_bind && o.bind.ss.ss_family != o.to.ss.ss_family) {
		cli_error("--bind and --to must use the same address family");
		return SFO_EXIT_USAGE;
	}
	stream_id = o.have_stream_id ? (uint32_t)o.stream_id : random_stream_id();

	fd = sock_open(&o.to, SOCK_DGRAM);
	if (fd < 0)
		return SFO_EXIT_USAGE;
	if (o.have_bind && sock_bind(fd, &o.bind, "--bind") < 0) {
		close(fd);
		return SFO_EXIT_USAGE;
	}
	sock_set_buffer(fd, SO_SNDBUF, 4 << 20);
	/* --to may be a broadcast address (the datapath test's duplicate check) */
	setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &(int){ 1 }, sizeof(int));
	pad = calloc(1, o.size);
	b = malloc(sizeof(*b));
	if (!pad || !b) {
		cli_error("out of memory");
		free(pad);
		free(b);
		close(fd);
		return SFO_EXIT_USAGE;
	}
	batch_init(b, &o, pad);
	run_install_signals();
	clock_tight_timer_slack();

	memset(&st, 0, sizeof(st));
	run_send(fd, &o, stream_id, &st, b);
	close(fd);
	free(b);
	free(pad);

	if (print_report(&o, stream_id, &st) < 0)
		return SFO_EXIT_USAGE;
	return st.sent ? SFO_EXIT_OK : SFO_EXIT_FAIL;
}
