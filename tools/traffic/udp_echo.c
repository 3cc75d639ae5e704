/* SPDX-License-Identifier: BSD-2-Clause */
/* udp-echo: reflects every datagram to its sender (the server side of udp-rr). */
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

#define ECHO_BATCH  64
#define ECHO_BUF    65536
#define POLL_MAX_MS 100

struct echo_opts {
	struct sfo_addr bind;
	uint64_t duration_ns;
	bool json;
	const char *ready_file;
};

struct echo_stats {
	uint64_t echoed, bytes, errors;
	uint64_t start_real_ns, elapsed_ns;
	const char *end_reason;
};

struct echo_batch {
	struct iovec iov[ECHO_BATCH];
	struct sockaddr_storage from[ECHO_BATCH];
	struct mmsghdr msg[ECHO_BATCH];
	uint8_t *buf;
};

static const struct mode_info echo_mode = {
	.name = "udp-echo",
	.summary = "Reflect every UDP datagram back to its sender (server for udp-rr).",
	.details = "Runs until --duration or SIGINT/SIGTERM, then reports what it echoed.",
};

static void batch_prepare(struct echo_batch *b)
{
	int i;

	for (i = 0; i < ECHO_BATCH; i++) {
		b->iov[i].iov_base = b->buf + (size_t)i * ECHO_BUF;
		b->iov[i].iov_len = ECHO_BUF;
		memset(&b->msg[i].msg_hdr, 0, sizeof(b->msg[i].msg_hdr));
		b->msg[i].msg_hdr.msg_iov = &b->iov[i];
		b->msg[i].msg_hdr.msg_iovlen = 1;
		b->msg[i].msg_hdr.msg_name = &b->from[i];
		b->msg[i].msg_hdr.msg_namelen = sizeof(b->from[i]);
		b->msg[i].msg_len = 0;
	}
}

/* Sends back the n datagrams just received, each to its source. */
static void reflect(int fd, struct echo_batch *b, int n, struct echo_stats *st)
{
	int i, off = 0;

	for (i = 0; i < n; i++) {
		b->iov[i].iov_len = b->msg[i].msg_len;
		st->bytes += b->msg[i].msg_len;
	}
	while (off < n) {
		int r = sendmmsg(fd, b->msg + off, (unsigned int)(n - off), MSG_DONTWAIT);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			st->errors++;
			off++;
			continue;
		}
		st->echoed += (uint64_t)r;
		off += r;
	}
}

static int echo_loop(int fd, const struct echo_opts *o, struct echo_stats *st, struct echo_batch *b)
{
	uint64_t t0 = mono_ns(), deadline = t0 + o->duration_ns;

	st->end_reason = "duration";
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = mono_ns(), wait_ms;
		int n, pr;

		if (run_stopped()) {
			st->end_reason = "signal";
			break;
		}
		if (now >= deadline)
			break;
		wait_ms = (deadline - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
		pr = poll(&pfd, 1, wait_ms > POLL_MAX_MS ? POLL_MAX_MS : (int)wait_ms);
		if (pr < 0 && errno != EINTR) {
			cli_error("poll: %s", strerror(errno));
			return -1;
		}
		if (pr <= 0)
			continue;
		batch_prepare(b);
		n = recvmmsg(fd, b->msg, ECHO_BATCH, MSG_DONTWAIT, NULL);
		if (n > 0)
			reflect(fd, b, n, st);
	}
	st->elapsed_ns = mono_ns() - t0;
	return 0;
}

static int report(const struct echo_opts *o, const char *local, const struct echo_stats *st)
{
	struct json j;

	if (!o->json) {
		printf("udp-echo: on %s, ended by %s after %.3f s: echoed %" PRIu64
		       " datagrams (%" PRIu64 " B), %" PRIu64 " send errors\n",
		       local, st->end_reason, (double)st->elapsed_ns / 1e9, st->echoed, st->bytes,
		       st->errors);
		return 0;
	}
	json_begin(&j, stdout);
	report_json_begin(&j, "udp-echo", st->start_real_ns);
	json_str(&j, "bind", local);
	json_str(&j, "end_reason", st->end_reason);
	json_f64(&j, "duration_ms", ns_to_ms(st->elapsed_ns), 3);
	json_u64(&j, "echoed", st->echoed);
	json_u64(&j, "bytes", st->bytes);
	json_u64(&j, "send_errors", st->errors);
	json_obj_close(&j);
	return json_end(&j);
}

int mode_udp_echo(int argc, char **argv)
{
	struct echo_opts o = { .duration_ns = 60 * NSEC_PER_SEC };
	struct opt_def opts[] = {
		{ "bind", OPT_BIND, "ADDR:PORT", "address to listen on (port 0: any free port)",
		  NULL, &o.bind, .required = true },
		{ "duration", OPT_SECONDS, "S", "stop after this long", "60", &o.duration_ns,
		  MIN_DURATION_NS, MAX_DURATION_NS },
		{ "ready-file", OPT_STRING, "FILE",
		  "create FILE (content: ADDR:PORT) once listening", NULL, &o.ready_file },
		{ "json", OPT_FLAG, NULL, "print the report as one JSON object", NULL, &o.json },
		OPT_END,
	};
	char local[SFO_ADDR_STRLEN];
	struct echo_stats st;
	struct echo_batch b;
	int fd, rc;

	rc = cli_parse(&echo_mode, opts, argc, argv);
	if (rc)
		return rc > 0 ? SFO_EXIT_OK : SFO_EXIT_USAGE;
	if (ready_file_clear(o.ready_file) < 0)
		return SFO_EXIT_USAGE;
	b.buf = malloc((size_t)ECHO_BATCH * ECHO_BUF);
	if (!b.buf) {
		cli_error("out of memory");
		return SFO_EXIT_USAGE;
	}
	fd = sock_open(&o.bind, SOCK_DGRAM);
	if (fd < 0 || sock_bind(fd, &o.bind, "--bind") < 0) {
		if (fd >= 0)
			close(fd);
		free(b.buf);
		return SFO_EXIT_USAGE;
	}
	sock_set_buffer(fd, SO_RCVBUF, 4 << 20);
	sock_local_name(fd, local, sizeof(local));
	run_install_signals();
	memset(&st, 0, sizeof(st));
	st.start_real_ns = real_ns();
	rc = SFO_EXIT_USAGE;
	if (ready_file_create(o.ready_file, local) == 0 && echo_loop(fd, &o, &st, &b) == 0 &&
	    report(&o, local, &st) == 0)
		rc = SFO_EXIT_OK;
	close(fd);
	free(b.buf);
	return rc;
}
