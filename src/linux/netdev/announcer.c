/* SPDX-License-Identifier: BSD-2-Clause */
/* Collect links, addresses and bridge entries asynchronously, then announce. */
#include "announcer.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "announce_plan.h"

#define WAITING_MAX 64	  /* standbys waiting for a round */
#define RETRIES_MAX 3	  /* dumps the kernel marked inconsistent, in a row */
#define DUMP_BUF    32768 /* a dump message is at most this long */

enum phase { IDLE, LINKS, ADDRS, FDB };

struct sfo_announcer {
	struct mnl_socket *nl;
	unsigned int portid, seq;
	int pkt;
	enum phase phase;
	unsigned int retries;
	bool intr; /* the kernel marked the current dump inconsistent */
	int want[WAITING_MAX], doing[WAITING_MAX];
	size_t n_want, n_doing;
	sfo_announced_fn done;
	void *ctx;

	/* the snapshot */
	struct sfo_link *links;
	struct sfo_ifaddr *addrs;
	struct sfo_fdb_entry *fdb;
	size_t n_links, n_addrs, n_fdb, cap_links, cap_addrs, cap_fdb;
	int collect_err;

	struct sfo_announcement plan[SFO_ANNOUNCE_MAX];
	uint8_t buf[DUMP_BUF];
};

/* Room for one more element in a growing array; NULL when out of memory. */
static void *grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n == *cap) {
		size_t cap2 = *cap ? *cap * 2 : 32;
		void *p = realloc(*arr, cap2 * size);

		if (!p)
			return NULL;
		*arr = p;
		*cap = cap2;
	}
	return (char *)*arr + n * size;
}

static void on_msg(const struct nlmsghdr *nlh, struct sfo_announcer *a)
{
	void *slot;

	switch (a->phase) {
	case LINKS:
		slot = grow((void **)&a->links, &a->cap_links, a->n_links, sizeof(*a->links));
		if (slot && sfo_link_parse(nlh, slot) == 0)
			a->n_links++;
		break;
	case ADDRS:
		slot = grow((void **)&a->addrs, &a->cap_addrs, a->n_addrs, sizeof(*a->addrs));
		if (slot && sfo_addr_parse(nlh, &((struct sfo_ifaddr *)slot)->ifindex,
					   &((struct sfo_ifaddr *)slot)->addr) == 0)
			a->n_addrs++;
		break;
	case FDB:
		slot = grow((void **)&a->fdb, &a->cap_fdb, a->n_fdb, sizeof(*a->fdb));
		if (slot && sfo_fdb_parse(nlh, slot) == 0)
			a->n_fdb++;
		break;
	default:
		return;
	}
	if (!slot && !a->collect_err)
		a->collect_err = -ENOMEM; /* a partial snapshot would announce too little */
}

/* Ask for the dump of @phase. */
static int request(struct sfo_announcer *a, enum phase phase)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++a->seq;
	if (phase == LINKS) {
		struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

		nlh->nlmsg_type = RTM_GETLINK;
		ifi->ifi_family = AF_UNSPEC;
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
		a->n_links = 0;
	} else if (phase == ADDRS) {
		struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

		nlh->nlmsg_type = RTM_GETADDR;
		ifa->ifa_family = AF_UNSPEC;
		a->n_addrs = 0;
	} else {
		struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));

		nlh->nlmsg_type = RTM_GETNEIGH;
		ndm->ndm_family = AF_BRIDGE;
		a->n_fdb = 0;
	}
	a->phase = phase;
	if (mnl_socket_sendto(a->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

static bool has_bridge(const struct sfo_announcer *a)
{
	for (size_t i = 0; i < a->n_links; i++)
		if (!strcmp(a->links[i].kind, "bridge"))
			return true;
	return false;
}

static void start(struct sfo_announcer *a);

/* The round is over (@err: it failed): announce for every standby of it. */
static void finish(struct sfo_announcer *a, int err)
{
	struct sfo_net_view v = { a->links, a->n_links, a->addrs, a->n_addrs, a->fdb, a->n_fdb };
	int doing[WAITING_MAX];
	size_t n = a->n_doing;

	memcpy(doing, a->doing, n * sizeof(doing[0]));
	a->n_doing = 0;
	a->phase = IDLE;
	if (!err)
		err = a->collect_err;
	for (size_t i = 0; i < n; i++) {
		size_t planned = 0, sent = 0;
		int ret = err;

		if (!err) {
			planned = sfo_announce_plan(&v, doing[i], a->plan, SFO_ANNOUNCE_MAX);
			ret = sfo_announce_send(
				a->pkt, doing[i], a->plan,
				planned < SFO_ANNOUNCE_MAX ? planned : SFO_ANNOUNCE_MAX, &sent);
		}
		a->done(a->ctx, doing[i], sent, planned, ret);
	}
	if (a->n_want)
		start(a);
}

/* A round for the standbys waiting; a failure to ask ends it at once. */
static void start(struct sfo_announcer *a)
{
	int ret;

	memcpy(a->doing, a->want, a->n_want * sizeof(a->want[0]));
	a->n_doing = a->n_want;
	a->n_want = 0;
	a->collect_err = 0;
	a->retries = 0;
	a->intr = false;
	a->n_fdb = 0;
	ret = request(a, LINKS);
	if (ret < 0)
		finish(a, ret);
}

/* A dump ended: the next one, or the announcements (even after a dump
 * that stayed inconsistent: the best picture there is). */
static void next_phase(struct sfo_announcer *a)
{
	int ret = 0;

	a->retries = 0;
	a->intr = false;
	if (a->phase == LINKS)
		ret = request(a, ADDRS);
	else if (a->phase == ADDRS && has_bridge(a))
		ret = request(a, FDB);
	else
		finish(a, 0);
	if (ret < 0)
		finish(a, ret);
}

/*
 * One buffer of the reply: the dump's messages, then NLMSG_DONE (1 is
 * returned) or an error. A dump the kernel marks inconsistent
 * (NLM_F_DUMP_INTR: the links changed under it) is read to its end, then
 * taken again.
 */
static int take_reply(struct sfo_announcer *a, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)a->buf;
	int remain = (int)len;

	for (; mnl_nlmsg_ok(nlh, remain); nlh = mnl_nlmsg_next(nlh, &remain)) {
		if (nlh->nlmsg_seq != a->seq || nlh->nlmsg_pid != a->portid)
			continue; /* the tail of a round given up */
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			a->intr = true;
		if (nlh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
				return -EBADMSG;
			return e->error < 0 ? e->error : -EPROTO;
		}
		on_msg(nlh, a); /* kept even if inconsistent: a retry starts afresh */
	}
	return 0;
}

void sfo_announcer_receive(struct sfo_announcer *a)
{
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(a->nl, a->buf, sizeof(a->buf));
		int ret;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			if (a->phase != IDLE)
				finish(a, -errno);
			return;
		}
		if (a->phase == IDLE)
			continue;
		ret = take_reply(a, (size_t)n);
		if (ret < 0) {
			finish(a, ret);
		} else if (ret > 0 && a->intr && ++a->retries <= RETRIES_MAX) {
			a->intr = false;
			ret = request(a, a->phase);
			if (ret < 0)
				finish(a, ret);
		} else if (ret > 0) {
			next_phase(a);
		}
	}
}

int sfo_announcer_request(struct sfo_announcer *a, int standby)
{
	if (!a || standby <= 0)
		return -EINVAL;
	for (size_t i = 0; i < a->n_want; i++)
		if (a->want[i] == standby)
			return 0;
	if (a->n_want == WAITING_MAX)
		return -ENOSPC;
	a->want[a->n_want++] = standby;
	if (a->phase == IDLE)
		start(a);
	return 0;
}

bool sfo_announcer_busy(const struct sfo_announcer *a)
{
	return a->phase != IDLE || a->n_want;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sfo_announcer_flush(struct sfo_announcer *a, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = sfo_announcer_fd(a), .events = POLLIN };

	while (sfo_announcer_busy(a) && now_ms() < end) {
		if (poll(&pfd, 1, (int)(end - now_ms())) > 0)
			sfo_announcer_receive(a);
	}
}

int sfo_announcer_fd(const struct sfo_announcer *a)
{
	return mnl_socket_get_fd(a->nl);
}

int sfo_announcer_open(struct sfo_announcer **out, sfo_announced_fn done, void *ctx)
{
	struct sfo_announcer *a;
	int ret;

	if (!out || !done)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->done = done;
	a->ctx = ctx;
	a->pkt = -1;
	a->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!a->nl || mnl_socket_bind(a->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		sfo_announcer_close(a);
		return ret;
	}
	a->portid = mnl_socket_get_portid(a->nl);
	a->seq = (unsigned int)time(NULL);
	a->pkt = sfo_announce_socket();
	if (a->pkt < 0) {
		ret = a->pkt;
		sfo_announcer_close(a);
		return ret;
	}
	*out = a;
	return 0;
}

void sfo_announcer_close(struct sfo_announcer *a)
{
	if (!a)
		return;
	if (a->nl)
		mnl_socket_close(a->nl);
	if (a->pkt >= 0)
		close(a->pkt);
	free(a->links);
	free(a->addrs);
	free(a->fdb);
	free(a);
}
