// SPDX-License-Identifier: BSD-2-Clause
/*
 * dp_traffic: ICMP echo for the datapath integration test, with no tool
 * outside this tree (the test machines have no ping or arping); UDP is
 * sfo-traffic's.
 *
 * Options: -n NETNS enters /run/netns/NETNS; -I DEV binds the socket to DEV,
 * so that only frames the stack received on DEV count (a frame taken in on
 * another device of the same host would count without it: Linux accepts any
 * of its addresses on any interface).
 *
 *   dp_traffic [-n NETNS] [-I DEV] ping DST COUNT INTERVAL_US [WAIT_MS]
 *       ICMP echo at a fixed rate; prints sent= received= lost= and the
 *       longest time without a reply (gap_ms=), i.e. the outage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NSEC_PER_SEC 1000000000LL

static const char *bind_dev;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "dp_traffic: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int open_socket(int type, int proto)
{
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, proto);

	if (fd < 0)
		die("socket");
	if (bind_dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, bind_dev, strlen(bind_dev) + 1))
		die(bind_dev);
	return fd;
}

static struct sockaddr_in parse_addr(const char *ip, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
		fprintf(stderr, "dp_traffic: bad IPv4 address %s\n", ip);
		exit(2);
	}
	return sa;
}

/* Sleep until @deadline or until @fd is readable, whichever comes first. */
static void wait_until(int fd, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int64_t left = deadline - now_ns();
	struct timespec ts;

	if (left <= 0)
		return;
	ts.tv_sec = left / NSEC_PER_SEC;
	ts.tv_nsec = left % NSEC_PER_SEC;
	ppoll(&pfd, 1, &ts, NULL);
}

static uint16_t inet_csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

struct echo {
	struct icmphdr hdr;
	uint32_t seq; /* 32 bits: icmp's 16-bit sequence wraps at 20 kpps */
	uint8_t pad[52];
};

struct ping_state {
	uint8_t *seen;
	long received;
	int64_t last_rx, max_gap;
	uint16_t id;
};

static void ping_drain(int fd, struct ping_state *st, long count)
{
	uint8_t buf[1500];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		const struct iphdr *ip = (const void *)buf;
		const struct echo *e;
		size_t hl = ip->ihl * 4;
		int64_t t;

		if ((size_t)n < hl + sizeof(*e))
			continue;
		e = (const void *)(buf + hl);
		if (e->hdr.type != ICMP_ECHOREPLY || e->hdr.un.echo.id != st->id)
			continue;
		if (e->seq >= (uint32_t)count || st->seen[e->seq])
			continue;
		st->seen[e->seq] = 1;
		st->received++;
		t = now_ns();
		if (st->last_rx && t - st->last_rx > st->max_gap)
			st->max_gap = t - st->last_rx;
		st->last_rx = t;
	}
}

static int cmd_ping(int argc, char **argv)
{
	struct ping_state st = { .id = (uint16_t)getpid() };
	long count, i, first_lost = -1, last_lost = -1;
	struct sockaddr_in dst;
	int64_t interval, start, deadline;
	struct echo e;
	int fd, wait_ms;

	if (argc < 3)
		return 2;
	dst = parse_addr(argv[0], 0);
	count = atol(argv[1]);
	interval = atol(argv[2]) * 1000LL;
	wait_ms = argc > 3 ? atoi(argv[3]) : 1000;
	if (count <= 0)
		return 2;
	st.seen = calloc(count, 1);
	if (!st.seen)
		die("calloc");
	fd = open_socket(SOCK_RAW, IPPROTO_ICMP);
	start = now_ns();
	for (i = 0; i < count; i++) {
		memset(&e, 0, sizeof(e));
		e.hdr.type = ICMP_ECHO;
		e.hdr.un.echo.id = st.id;
		e.hdr.un.echo.sequence = htons((uint16_t)i);
		e.seq = (uint32_t)i;
		e.hdr.checksum = inet_csum(&e, sizeof(e));
		while (now_ns() < start + i * interval) {
			wait_until(fd, start + i * interval);
			ping_drain(fd, &st, count);
		}
		if (sendto(fd, &e, sizeof(e), 0, (struct sockaddr *)&dst, sizeof(dst)) < 0 &&
		    errno != ENOBUFS && errno != EAGAIN)
			die("sendto");
	}
	deadline = now_ns() + wait_ms * 1000000LL;
	while (st.received < count && now_ns() < deadline) {
		wait_until(fd, deadline);
		ping_drain(fd, &st, count);
	}
	for (i = 0; i < count; i++) {
		if (st.seen[i])
			continue;
		if (first_lost < 0)
			first_lost = i;
		last_lost = i;
	}
	printf("sent=%ld received=%ld lost=%ld first_lost=%ld last_lost=%ld gap_ms=%.3f\n", count,
	       st.received, count - st.received, first_lost, last_lost, st.max_gap / 1e6);
	free(st.seen);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int opt, fd, ret = 2;

	while ((opt = getopt(argc, argv, "n:I:")) != -1) {
		char path[256];

		if (opt == 'I') {
			bind_dev = optarg;
			continue;
		}
		if (opt != 'n')
			goto usage;
		snprintf(path, sizeof(path), "/run/netns/%s", optarg);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET))
			die(path);
		close(fd);
	}
	if (optind >= argc)
		goto usage;
	if (!strcmp(argv[optind], "ping"))
		ret = cmd_ping(argc - optind - 1, argv + optind + 1);
	if (ret != 2)
		return ret;
usage:
	fprintf(stderr,
		"usage: dp_traffic [-n NETNS] [-I DEV] ping DST COUNT INTERVAL_US [WAIT_MS]\n");
	return 2;
}
