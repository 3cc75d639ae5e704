/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Collect links, addresses and bridge entries asynchronously, then announce,
 * in steps: each sfo_announcer_run() reads one buffer of a dump or sends one
 * batch of frames, so no step holds the caller's loop for long.
 */
#include "announcer.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "announce_plan.h"

#define WAITING_MAX 64	  /* standbys waiting for a round */
#define RETRIES_MAX 3	  /* dumps the kernel marked inconsistent, in a row */
#define DUMP_STEP   8192  /* read so: the kernel then fills dump buffers this size */
#define DUMP_BUF    32768 /* room for one longer message (the kernel's largest) */
#define SEND_BATCH  16	  /* frames sent in one step */

enum phase { IDLE, LINKS, ADDRS, FDB, SEND };

struct sfo_announcer {
	struct mnl_socket *nl;
	unsigned int portid, seq;
	int pkt;
	int ep;	      /* what the caller polls: the netlink socket and sendable */
	int sendable; /* eventfd, readable while frames wait (phase SEND) */
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

	/* phase SEND: standby doing[cur], frames plan[next..n_plan) to go */
	size_t cur, planned, n_plan, next, sent;
	int send_err;
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

static void go_idle(struct sfo_announcer *a)
{
	uint64_t v;

	if (a->phase == SEND)
		(void)!read(a->sendable, &v, sizeof(v)); /* back to zero: nothing to send */
	a->phase = IDLE;
	a->n_doing = 0;
	if (a->n_want)
		start(a);
}

/* The collection failed: tell each standby of the round. */
static void fail(struct sfo_announcer *a, int err)
{
	int doing[WAITING_MAX];
	size_t n = a->n_doing;

	memcpy(doing, a->doing, n * sizeof(doing[0]));
	a->n_doing = 0;
	for (size_t i = 0; i < n; i++)
		a->done(a->ctx, doing[i], 0, 0, err);
	go_idle(a);
}

/* The plan of standby doing[cur], from the snapshot. */
static void plan_current(struct sfo_announcer *a)
{
	struct sfo_net_view v = { a->links, a->n_links, a->addrs, a->n_addrs, a->fdb, a->n_fdb };

	a->planned = sfo_announce_plan(&v, a->doing[a->cur], a->plan, SFO_ANNOUNCE_MAX);
	a->n_plan = a->planned < SFO_ANNOUNCE_MAX ? a->planned : SFO_ANNOUNCE_MAX;
	a->next = a->sent = 0;
	a->send_err = 0;
}

/* The snapshot is complete: send, a batch per step. */
static void collected(struct sfo_announcer *a)
{
	uint64_t one = 1;

	if (a->collect_err) {
		fail(a, a->collect_err);
		return;
	}
	if (!a->n_doing) {
		go_idle(a);
		return;
	}
	a->phase = SEND;
	a->cur = 0;
	plan_current(a);
	if (write(a->sendable, &one, sizeof(one)) < 0)
		fail(a, -errno);
}

static void send_step(struct sfo_announcer *a)
{
	size_t batch = a->n_plan - a->next, sent = 0;
	int ret;

	if (batch > SEND_BATCH)
		batch = SEND_BATCH;
	ret = sfo_announce_send(a->pkt, a->doing[a->cur], a->plan + a->next, batch, &sent);
	if (ret < 0 && !a->send_err)
		a->send_err = ret;
	a->sent += sent;
	a->next += batch;
	if (a->next < a->n_plan)
		return;
	a->done(a->ctx, a->doing[a->cur], a->sent, a->planned, a->send_err);
	if (++a->cur < a->n_doing)
		plan_current(a);
	else
		go_idle(a);
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
		fail(a, ret);
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
		collected(a);
	if (ret < 0)
		fail(a, ret);
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

void sfo_announcer_run(struct sfo_announcer *a)
{
	ssize_t n;
	int ret;

	if (a->phase == SEND) {
		send_step(a);
		return;
	}
	/* the next buffer's length, for a message longer than a step */
	n = recv(mnl_socket_get_fd(a->nl), NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
	if (n >= 0)
		n = mnl_socket_recvfrom(
			a->nl, a->buf,
			n <= DUMP_STEP ? DUMP_STEP : ((size_t)n < DUMP_BUF ? (size_t)n : DUMP_BUF));
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && a->phase != IDLE)
			fail(a, -errno);
		return;
	}
	if (a->phase == IDLE)
		return; /* the tail of a round given up */
	ret = take_reply(a, (size_t)n);
	if (ret < 0) {
		fail(a, ret);
	} else if (ret > 0 && a->intr && ++a->retries <= RETRIES_MAX) {
		a->intr = false;
		ret = request(a, a->phase);
		if (ret < 0)
			fail(a, ret);
	} else if (ret > 0) {
		next_phase(a);
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
			sfo_announcer_run(a);
	}
}

int sfo_announcer_fd(const struct sfo_announcer *a)
{
	return a->ep;
}

static int watch(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
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
	a->ep = epoll_create1(EPOLL_CLOEXEC);
	a->sendable = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	a->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (a->ep < 0 || a->sendable < 0 || !a->nl ||
	    mnl_socket_bind(a->nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    watch(a->ep, mnl_socket_get_fd(a->nl)) < 0 || watch(a->ep, a->sendable) < 0) {
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
	if (a->sendable >= 0)
		close(a->sendable);
	if (a->ep >= 0)
		close(a->ep);
	free(a->links);
	free(a->addrs);
	free(a->fdb);
	free(a);
}
