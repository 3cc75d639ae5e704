/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared helpers of the netdev tests. */
#define _GNU_SOURCE /* unshare() */
#include "nd_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int ndt_enter_netns(void)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
		return -errno;
	/* Our mounts must not propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	/* A sysfs mounted from inside shows this namespace's interfaces. */
	if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -errno;
	if (ndt_sh("ip link set lo up") != 0)
		return -EIO;
	return 0;
}

int ndt_run(const char *group, const struct CMUnitTest *tests, size_t n)
{
	int ret;

	if (getenv("CMOCKA_MESSAGE_OUTPUT") == NULL)
		setenv("CMOCKA_MESSAGE_OUTPUT", "TAP", 0);
	ret = ndt_enter_netns();
	if (ret < 0) {
		printf("1..0 # SKIP %s: cannot enter a private network namespace (%s); run as root\n",
		       group, strerror(-ret));
		return 0;
	}
	return _cmocka_run_group_tests(group, tests, n, NULL, NULL);
}

int ndt_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int n, status;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 16, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd) - 16)
		return -1;
	strcat(cmd, " >/dev/null");
	status = system(cmd);
	if (status == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int ndt_ifindex(const char *name)
{
	return (int)if_nametoindex(name);
}

int ndt_veth(const char *a, const char *b)
{
	int idx;

	NDT_SH("ip link add %s type veth peer name %s", a, b);
	idx = ndt_ifindex(a);
	assert_true(idx > 0);
	return idx;
}

void ndt_send_frames(int ifindex, unsigned int count, size_t len)
{
	struct sockaddr_ll sll = { 0 };
	uint8_t frame[1514] = { 0 };
	unsigned int i;
	int fd;

	assert_true(len >= 60 && len <= sizeof(frame));
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifindex;
	sll.sll_halen = 6;
	memset(frame, 0xff, 6); /* broadcast */
	frame[6] = 0x02;	/* locally administered source */
	frame[12] = 0x88;	/* local experimental ethertype 0x88b5 */
	frame[13] = 0xb5;
	memcpy(sll.sll_addr, frame, 6);
	for (i = 0; i < count; i++)
		assert_int_equal(sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll)),
				 (ssize_t)len);
	close(fd);
}

static struct ndt_event *rec_next(struct ndt_rec *r)
{
	if (r->n == NDT_MAX_EVENTS) {
		r->overflow++;
		return NULL;
	}
	return &r->ev[r->n++];
}

static void rec_link(void *ctx, bool is_new, const struct sfo_link *link)
{
	struct ndt_event *ev = rec_next(ctx);

	if (!ev)
		return;
	memset(ev, 0, sizeof(*ev));
	ev->kind = NDT_LINK;
	ev->is_new = is_new;
	ev->ifindex = link->ifindex;
	ev->link = *link;
}

static void rec_addr_kind(void *ctx, enum ndt_kind kind, bool is_new, int ifindex,
			  const struct sfo_addr *addr)
{
	struct ndt_event *ev = rec_next(ctx);

	if (!ev)
		return;
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->is_new = is_new;
	ev->ifindex = ifindex;
	ev->addr = *addr;
}

static void rec_addr(void *ctx, bool is_new, int ifindex, const struct sfo_addr *addr)
{
	rec_addr_kind(ctx, NDT_ADDR, is_new, ifindex, addr);
}

static void rec_mcast(void *ctx, bool is_new, int ifindex, const struct sfo_addr *addr)
{
	rec_addr_kind(ctx, NDT_MCAST, is_new, ifindex, addr);
}

const struct sfo_rtnl_handlers ndt_rec_handlers = {
	.link = rec_link,
	.addr = rec_addr,
	.mcast = rec_mcast,
};

void ndt_rec_init(struct ndt_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->ev = calloc(NDT_MAX_EVENTS, sizeof(*r->ev));
	assert_non_null(r->ev);
}

void ndt_rec_free(struct ndt_rec *r)
{
	free(r->ev);
	r->ev = NULL;
}

void ndt_rec_clear(struct ndt_rec *r)
{
	r->n = 0;
	r->overflow = 0;
}

int ndt_rec_find(const struct ndt_rec *r, ndt_match_fn fn, const void *arg)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (fn(&r->ev[i], arg))
			return (int)i;
	}
	return -1;
}

long long ndt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const struct ndt_event *ndt_wait(struct sfo_rtnl *rt, struct ndt_rec *r, ndt_match_fn fn,
				 const void *arg, int timeout_ms)
{
	long long deadline = ndt_now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = sfo_rtnl_fd(rt), .events = POLLIN };
	size_t checked = 0;
	int ret;

	for (;;) {
		for (; checked < r->n; checked++) {
			if (fn(&r->ev[checked], arg))
				return &r->ev[checked];
		}
		long long left = deadline - ndt_now_ms();

		if (left <= 0)
			return NULL;
		ret = poll(&pfd, 1, (int)left);
		assert_true(ret >= 0);
		if (ret == 0)
			continue;
		ret = sfo_rtnl_receive(rt);
		assert_true(ret >= 0);
	}
}

void ndt_mac(uint8_t mac[6], const char *text)
{
	unsigned int b[6];
	int i;

	assert_int_equal(
		sscanf(text, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]), 6);
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
}
