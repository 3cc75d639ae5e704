// SPDX-License-Identifier: BSD-2-Clause
/*
 * Cost of one announcement to the daemon's event loop, three ways, on the
 * standby named in argv[1] (set up by announce.py):
 *   socket-per-call  what the daemon did first: a packet socket opened and
 *                    closed for each announcement (close() waits for an RCU
 *                    grace period), plus the link query and address dump
 *   synchronous      the link query, the address dump and the sends inside
 *                    the op, one kept socket (the daemon before the announcer)
 *   announcer        sfo_announcer_request() in the op, then the replies read
 *                    as the loop's poll reports them: the op's share, the
 *                    longest single sfo_announcer_run(), and the sum
 * Prints the median and maximum in microseconds over argv[2] rounds.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "announce.h"
#include "announcer.h"
#include "addrctl.h"
#include "rtnl.h"

#define ROUNDS_MAX 10000

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	printf("%-34s median %8.1f us   max %8.1f us\n", what, v[n / 2], v[n - 1]);
}

/* The daemon's op before the announcer: query, dump, send. */
static size_t sync_announce(struct sfo_rtnl *rt, int fd, int ifindex)
{
	struct sfo_announcement ann[64];
	struct sfo_addr addrs[64];
	struct sfo_link link;
	size_t n = 0, sent = 0;
	int got;

	if (sfo_rtnl_get_link(rt, ifindex, NULL, &link, NULL, 0) < 0)
		return 0;
	got = sfo_addr_list(rt, ifindex, AF_UNSPEC, addrs, 64, NULL, 0);
	for (int i = 0; i < got && i < 64; i++) {
		if (!sfo_addr_announceable(&addrs[i]))
			continue;
		memset(&ann[n], 0, sizeof(ann[n]));
		ann[n].kind = addrs[i].family == AF_INET ? SFO_ANN_GARP : SFO_ANN_NA;
		memcpy(ann[n].mac, link.addr, SFO_MAC_LEN);
		ann[n++].addr = addrs[i];
	}
	sfo_announce_send(fd, ifindex, ann, n, &sent);
	return sent;
}

static size_t round_sent;
static int rounds_done;

static void on_done(void *ctx, int standby, size_t sent, size_t planned, int err)
{
	(void)ctx;
	(void)standby;
	(void)planned;
	if (err)
		fprintf(stderr, "announcer: %s\n", strerror(-err));
	round_sent = sent;
	rounds_done++;
}

int main(int argc, char **argv)
{
	static double op[ROUNDS_MAX], longest[ROUNDS_MAX], total[ROUNDS_MAX];
	struct sfo_announcer *an;
	struct sfo_rtnl *rt;
	int ifindex, rounds, fd;
	size_t sent = 0;
	double t0;

	if (argc != 3 || !(ifindex = (int)if_nametoindex(argv[1])) ||
	    (rounds = atoi(argv[2])) < 1 || rounds > ROUNDS_MAX) {
		fprintf(stderr, "usage: %s STANDBY ROUNDS (1..%d)\n", argv[0], ROUNDS_MAX);
		return 2;
	}
	if (sfo_rtnl_open(&rt, NULL, NULL, SFO_RTNL_NO_MONITOR) < 0 ||
	    sfo_announcer_open(&an, on_done, NULL) < 0) {
		perror("open");
		return 1;
	}

	for (int i = 0; i < rounds; i++) {
		t0 = now_us();
		fd = sfo_announce_socket();
		sent = sync_announce(rt, fd, ifindex);
		close(fd);
		op[i] = now_us() - t0;
	}
	printf("frames per announcement, own addresses only: %zu\n", sent);
	report("socket-per-call: op", op, rounds);

	fd = sfo_announce_socket();
	for (int i = 0; i < rounds; i++) {
		t0 = now_us();
		sync_announce(rt, fd, ifindex);
		op[i] = now_us() - t0;
	}
	close(fd);
	report("synchronous: op", op, rounds);

	for (int i = 0; i < rounds; i++) {
		struct pollfd pfd = { .fd = sfo_announcer_fd(an), .events = POLLIN };
		int want = rounds_done + 1;

		t0 = now_us();
		sfo_announcer_request(an, ifindex);
		op[i] = total[i] = now_us() - t0;
		longest[i] = op[i];
		while (rounds_done < want && poll(&pfd, 1, 1000) > 0) {
			double t1 = now_us(), spent;

			sfo_announcer_run(an);
			spent = now_us() - t1;
			total[i] += spent;
			if (spent > longest[i])
				longest[i] = spent;
		}
	}
	printf("frames per announcement, with uppers and learned MACs: %zu\n", round_sent);
	report("announcer: op (request)", op, rounds);
	report("announcer: longest step in the loop", longest, rounds);
	report("announcer: all steps", total, rounds);
	sfo_announcer_close(an);
	sfo_rtnl_close(rt);
	return 0;
}
