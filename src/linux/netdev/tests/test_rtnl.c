/* SPDX-License-Identifier: BSD-2-Clause */
/* rtnl.c: dumps, monitor events, DELLINK stats, ENOBUFS, discard and resync. */
#include "nd_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netdev/linkctl.h"

struct link_q {
	int ifindex;
	bool is_new;
	unsigned int flags_set, flags_clear;
	uint32_t mtu; /* 0: any */
};

static bool match_link(const struct ndt_event *ev, const void *arg)
{
	const struct link_q *q = arg;

	return ev->kind == NDT_LINK && ev->ifindex == q->ifindex && ev->is_new == q->is_new &&
	       (ev->link.flags & q->flags_set) == q->flags_set &&
	       !(ev->link.flags & q->flags_clear) && (!q->mtu || ev->link.mtu == q->mtu);
}

static bool match_name(const struct ndt_event *ev, const void *arg)
{
	return ev->kind == NDT_LINK && ev->is_new && !strcmp(ev->link.name, arg);
}

struct addr_q {
	int kind;
	bool is_new;
	int ifindex;
	int family;
	const char *text;
};

static bool match_addr(const struct ndt_event *ev, const void *arg)
{
	const struct addr_q *q = arg;
	char buf[INET6_ADDRSTRLEN];

	return ev->kind == (enum ndt_kind)q->kind && ev->is_new == q->is_new &&
	       ev->ifindex == q->ifindex && ev->addr.family == q->family &&
	       !strcmp(sfo_addr_str(&ev->addr, buf, sizeof(buf)), q->text);
}

static struct sfo_rtnl *open_rec(struct ndt_rec *r)
{
	struct sfo_rtnl *rt = NULL;

	ndt_rec_init(r);
	assert_int_equal(sfo_rtnl_open(&rt, &ndt_rec_handlers, r, 0), 0);
	assert_non_null(rt);
	assert_true(sfo_rtnl_fd(rt) >= 0);
	return rt;
}

static void close_rec(struct sfo_rtnl *rt, struct ndt_rec *r)
{
	sfo_rtnl_close(rt);
	ndt_rec_free(r);
}

static void test_dump_finds_lo_and_veth(void **state)
{
	struct ndt_rec r;
	struct sfo_rtnl *rt;
	const struct ndt_event *ev;
	int a, b, i;
	(void)state;

	a = ndt_veth("ndt-d0", "ndt-d1");
	b = ndt_ifindex("ndt-d1");
	NDT_SH("ip addr add 192.0.2.1/24 dev ndt-d0");
	NDT_SH("ip addr add 2001:db8::1/64 dev ndt-d0 nodad");
	rt = open_rec(&r);
	assert_int_equal(sfo_rtnl_dump(rt), 0);

	i = ndt_rec_find(&r, match_name, "lo");
	assert_true(i >= 0);
	ev = &r.ev[i];
	assert_int_equal(ev->ifindex, 1);
	assert_true(ev->link.flags & IFF_LOOPBACK);
	assert_true(ev->link.flags & IFF_UP);
	assert_string_equal(ev->link.kind, "");

	i = ndt_rec_find(&r, match_name, "ndt-d0");
	assert_true(i >= 0);
	ev = &r.ev[i];
	assert_int_equal(ev->ifindex, a);
	assert_string_equal(ev->link.kind, "veth");
	assert_int_equal(ev->link.link, b); /* the peer */
	assert_int_equal(ev->link.mtu, 1500);
	assert_int_equal(ev->link.min_mtu, 68);
	assert_int_equal(ev->link.max_mtu, 65535);
	assert_int_equal(ev->link.addr_len, 6);
	assert_int_equal(ev->link.perm_addr_len, 0); /* veth has no permanent address */
	assert_int_equal(ev->link.master, 0);
	assert_true(ev->link.has_stats64);
	assert_false(ev->link.flags & IFF_UP);

	/* Addresses follow the links in the same dump. */
	struct addr_q q4 = { NDT_ADDR, true, a, AF_INET, "192.0.2.1" };
	struct addr_q q6 = { NDT_ADDR, true, a, AF_INET6, "2001:db8::1" };

	i = ndt_rec_find(&r, match_addr, &q4);
	assert_true(i >= 0);
	assert_int_equal(r.ev[i].addr.prefixlen, 24);
	assert_true(ndt_rec_find(&r, match_addr, &q6) >= 0);
	assert_int_equal(r.overflow, 0);
	close_rec(rt, &r);
	NDT_SH("ip link del ndt-d0");
}

static void test_get_link(void **state)
{
	struct sfo_rtnl *rt = NULL;
	struct sfo_link l;
	char err[256];
	int a;
	(void)state;

	a = ndt_veth("ndt-g0", "ndt-g1");
	assert_int_equal(sfo_rtnl_open(&rt, NULL, NULL, SFO_RTNL_NO_MONITOR), 0);
	assert_int_equal(sfo_rtnl_fd(rt), -1);
	assert_int_equal(sfo_rtnl_get_link(rt, a, NULL, &l, err, sizeof(err)), 0);
	assert_string_equal(l.name, "ndt-g0");
	assert_string_equal(err, "");
	assert_int_equal(sfo_rtnl_get_link(rt, 0, "ndt-g1", &l, err, sizeof(err)), 0);
	assert_int_equal(l.ifindex, ndt_ifindex("ndt-g1"));
	assert_int_equal(l.link, a);
	assert_int_equal(sfo_rtnl_get_link(rt, 0, "ndt-nope", &l, err, sizeof(err)), -ENODEV);
	assert_true(strlen(err) > 0);
	assert_int_equal(sfo_rtnl_get_link(rt, 99999, NULL, &l, NULL, 0), -ENODEV);
	assert_int_equal(sfo_rtnl_get_link(rt, 0, "bad/name", &l, NULL, 0), -EINVAL);
	sfo_rtnl_close(rt);
	NDT_SH("ip link del ndt-g0");
}

static void test_monitor_link_events(void **state)
{
	struct ndt_rec r;
	struct sfo_rtnl *rt;
	const struct ndt_event *ev;
	struct link_q q = { 0 };
	int a, b;
	(void)state;

	rt = open_rec(&r);
	a = ndt_veth("ndt-m0", "ndt-m1");
	b = ndt_ifindex("ndt-m1");

	q = (struct link_q){ .ifindex = a, .is_new = true };
	ev = ndt_wait(rt, &r, match_link, &q, 2000);
	assert_non_null(ev);
	assert_string_equal(ev->link.kind, "veth");

	/* Up, through our own request path. */
	assert_int_equal(sfo_link_set_up(rt, a, true, NULL, 0), 0);
	q = (struct link_q){ .ifindex = a, .is_new = true, .flags_set = IFF_UP };
	assert_non_null(ndt_wait(rt, &r, match_link, &q, 2000));
	NDT_SH("ip link set ndt-m1 up");
	q = (struct link_q){ .ifindex = a, .is_new = true, .flags_set = IFF_UP | SFO_IFF_LOWER_UP };
	assert_non_null(ndt_wait(rt, &r, match_link, &q, 2000));

	/* MTU change. */
	NDT_SH("ip link set ndt-m0 mtu 2000");
	q = (struct link_q){ .ifindex = a, .is_new = true, .mtu = 2000 };
	assert_non_null(ndt_wait(rt, &r, match_link, &q, 2000));

	/* Traffic, then down: still a NEWLINK, now without IFF_UP. */
	ndt_send_frames(a, 7, 100);
	ndt_send_frames(b, 5, 100);
	NDT_SH("ip link set ndt-m0 down");
	q = (struct link_q){ .ifindex = a, .is_new = true, .flags_clear = IFF_UP };
	assert_non_null(ndt_wait(rt, &r, match_link, &q, 2000));

	/* Deletion: DELLINK of both ends, with the final counters. (A veth
	 * counts its RX from its peer's TX and unlinks the peers first, so
	 * only TX survives into a veth's DELLINK.) */
	NDT_SH("ip link del ndt-m0");
	q = (struct link_q){ .ifindex = a, .is_new = false };
	ev = ndt_wait(rt, &r, match_link, &q, 2000);
	assert_non_null(ev);
	assert_string_equal(ev->link.name, "ndt-m0");
	assert_true(ev->link.has_stats64);
	assert_true(ev->link.stats64.tx_packets >= 7);
	assert_true(ev->link.stats64.tx_bytes >= 700);
	q = (struct link_q){ .ifindex = b, .is_new = false };
	ev = ndt_wait(rt, &r, match_link, &q, 2000);
	assert_non_null(ev);
	assert_true(ev->link.has_stats64);
	assert_true(ev->link.stats64.tx_packets >= 5);
	close_rec(rt, &r);
}

static bool match_del_link(const struct ndt_event *ev, const void *arg)
{
	return ev->kind == NDT_LINK && !ev->is_new && ev->ifindex == *(const int *)arg;
}

static bool match_master(const struct ndt_event *ev, const void *arg)
{
	const int *want = arg; /* ifindex, master */

	return ev->kind == NDT_LINK && ev->is_new && ev->ifindex == want[0] &&
	       ev->link.master == want[1];
}

static void test_bridge_port_messages_ignored(void **state)
{
	struct ndt_rec r;
	struct sfo_rtnl *rt;
	struct link_q q;
	int a, br;
	(void)state;

	rt = open_rec(&r);
	a = ndt_veth("ndt-p0", "ndt-p1");
	NDT_SH("ip link add ndt-br type bridge");
	br = ndt_ifindex("ndt-br");
	NDT_SH("ip link set ndt-p0 master ndt-br");
	/* The port's own NEWLINK names its master. */
	int want[2] = { a, br };

	assert_non_null(ndt_wait(rt, &r, match_master, want, 2000));

	/* Leaving the bridge sends an AF_BRIDGE RTM_DELLINK for the port: the
	 * device itself is not gone and must not be reported so. */
	ndt_rec_clear(&r);
	NDT_SH("ip link set ndt-p0 nomaster");
	q = (struct link_q){ .ifindex = a, .is_new = true };
	assert_non_null(ndt_wait(rt, &r, match_link, &q, 2000));
	assert_null(ndt_wait(rt, &r, match_del_link, &a, 300));
	close_rec(rt, &r);
	NDT_SH("ip link del ndt-p0");
	NDT_SH("ip link del ndt-br");
}

static void test_monitor_addr_events(void **state)
{
	struct ndt_rec r;
	struct sfo_rtnl *rt;
	int a;
	(void)state;

	rt = open_rec(&r);
	a = ndt_veth("ndt-a0", "ndt-a1");
	NDT_SH("ip addr add 198.51.100.7/24 dev ndt-a0");
	struct addr_q q4 = { NDT_ADDR, true, a, AF_INET, "198.51.100.7" };

	assert_non_null(ndt_wait(rt, &r, match_addr, &q4, 2000));
	NDT_SH("ip addr add 2001:db8:1::7/64 dev ndt-a0 nodad");
	struct addr_q q6 = { NDT_ADDR, true, a, AF_INET6, "2001:db8:1::7" };

	assert_non_null(ndt_wait(rt, &r, match_addr, &q6, 2000));
	NDT_SH("ip addr del 198.51.100.7/24 dev ndt-a0");
	q4.is_new = false;
	assert_non_null(ndt_wait(rt, &r, match_addr, &q4, 2000));

	/* IP multicast group events, where the kernel has them (>= 6.13). */
	if (sfo_rtnl_has_mcast_events(rt)) {
		struct addr_q qm = { NDT_MCAST, true, a, AF_INET, "224.0.0.1" };

		NDT_SH("ip link set ndt-a0 up");
		assert_non_null(ndt_wait(rt, &r, match_addr, &qm, 2000));
	} else {
		print_message("# kernel without RTNLGRP_IPV4_MCADDR: mcast events not tested\n");
	}
	close_rec(rt, &r);
	NDT_SH("ip link del ndt-a0");
}

static void test_enobufs_then_resync(void **state)
{
	struct ndt_rec r;
	struct sfo_rtnl *rt;
	FILE *batch;
	int i, ret, got_enobufs = 0, a;
	(void)state;

	rt = open_rec(&r);
	/* Smallest buffer the kernel allows (it clamps to SOCK_MIN_RCVBUF). */
	ret = sfo_rtnl_set_rcvbuf(rt, 1);
	assert_true(ret > 0 && ret < 16384);

	/* Many link events while nobody reads (no dummy module here: bridges). */
	batch = popen("ip -batch - >/dev/null", "w");
	assert_non_null(batch);
	for (i = 0; i < 64; i++)
		fprintf(batch, "link add ndt-e%d type bridge\nlink del ndt-e%d\n", i, i);
	assert_int_equal(pclose(batch), 0);
	a = ndt_veth("ndt-e0", "ndt-e1"); /* created after the overrun */

	for (i = 0; i < 1000; i++) {
		ret = sfo_rtnl_receive(rt);
		if (ret == -ENOBUFS) {
			got_enobufs = 1;
			break;
		}
		assert_true(ret >= 0);
		if (ret == 0)
			break;
	}
	assert_true(got_enobufs);

	/* Resync: a dump reports the current state on the request socket. */
	assert_int_equal(sfo_rtnl_set_rcvbuf(rt, SFO_RTNL_RCVBUF_DEFAULT) > 0, 1);
	ndt_rec_clear(&r);
	assert_int_equal(sfo_rtnl_dump(rt), 0);
	assert_true(ndt_rec_find(&r, match_name, "lo") >= 0);
	assert_true(ndt_rec_find(&r, match_name, "ndt-e0") >= 0);
	assert_true(ndt_rec_find(&r, match_name, "ndt-e1") >= 0);

	/* And the monitor keeps working. */
	while ((ret = sfo_rtnl_receive(rt)) > 0)
		;
	assert_true(ret >= 0 || ret == -ENOBUFS);
	ndt_rec_clear(&r);
	NDT_SH("ip link set ndt-e0 mtu 1400");
	struct link_q q = { .ifindex = a, .is_new = true, .mtu = 1400 };

	assert_non_null(ndt_wait(rt, &r, match_link, &q, 2000));
	close_rec(rt, &r);
	NDT_SH("ip link del ndt-e0");
}

/* After an overrun: the backlog is dropped, and the next change is not. */
static void test_discard_after_enobufs(void **state)
{
	struct link_q q = { .is_new = true, .mtu = 1400 };
	struct ndt_rec r;
	struct sfo_rtnl *rt;
	FILE *batch;
	int i, ret = 0;
	(void)state;

	q.ifindex = ndt_veth("ndt-f0", "ndt-f1");
	rt = open_rec(&r);
	assert_true(sfo_rtnl_set_rcvbuf(rt, 1) > 0);
	batch = popen("ip -batch - >/dev/null", "w");
	assert_non_null(batch);
	for (i = 0; i < 64; i++)
		fprintf(batch, "link add ndt-f%d type bridge\nlink del ndt-f%d\n", i + 2, i + 2);
	assert_int_equal(pclose(batch), 0);
	for (i = 0; i < 1000 && (ret = sfo_rtnl_receive(rt)) > 0; i++)
		;
	assert_int_equal(ret, -ENOBUFS);

	assert_true(sfo_rtnl_discard(rt) > 0);
	ndt_rec_clear(&r);
	assert_int_equal(sfo_rtnl_receive(rt), 0);
	assert_int_equal(r.n, 0);
	/* the kernel queues events again: the first one is the change */
	NDT_SH("ip link set ndt-f0 mtu 1400");
	assert_non_null(ndt_wait(rt, &r, match_link, &q, 2000));
	assert_true(match_link(&r.ev[0], &q));
	close_rec(rt, &r);
	NDT_SH("ip link del ndt-f0");
}

struct reentry {
	struct sfo_rtnl *rt;
	int ifindex;
	int ret;
	bool done;
};

static void reentry_link(void *ctx, bool is_new, const struct sfo_link *link)
{
	struct reentry *re = ctx;

	/* What the daemon does when a VF appears: act on it at once. */
	if (is_new && !re->done && !strcmp(link->name, "ndt-re0")) {
		re->ifindex = link->ifindex;
		re->ret = sfo_link_set_mtu(re->rt, link->ifindex, 1400, NULL, 0);
		re->done = true;
	}
}

static void test_handler_may_send_requests(void **state)
{
	const struct sfo_rtnl_handlers h = { .link = reentry_link };
	struct reentry re = { 0 };
	struct sfo_link l;
	long long end;
	(void)state;

	assert_int_equal(sfo_rtnl_open(&re.rt, &h, &re, 0), 0);
	ndt_veth("ndt-re0", "ndt-re1");
	end = ndt_now_ms() + 2000;
	while (!re.done && ndt_now_ms() < end)
		assert_true(sfo_rtnl_receive(re.rt) >= 0);
	assert_true(re.done);
	assert_int_equal(re.ret, 0);
	/* The events queued meanwhile are still delivered. */
	assert_true(sfo_rtnl_receive(re.rt) >= 0);
	assert_int_equal(sfo_rtnl_get_link(re.rt, re.ifindex, NULL, &l, NULL, 0), 0);
	assert_int_equal(l.mtu, 1400);
	/* Also from within a dump's handlers. */
	re.done = false;
	assert_int_equal(sfo_rtnl_dump(re.rt), 0);
	assert_true(re.done);
	assert_int_equal(re.ret, 0);
	sfo_rtnl_close(re.rt);
	NDT_SH("ip link del ndt-re0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_finds_lo_and_veth),
		cmocka_unit_test(test_get_link),
		cmocka_unit_test(test_monitor_link_events),
		cmocka_unit_test(test_bridge_port_messages_ignored),
		cmocka_unit_test(test_monitor_addr_events),
		cmocka_unit_test(test_enobufs_then_resync),
		cmocka_unit_test(test_discard_after_enobufs),
		cmocka_unit_test(test_handler_may_send_requests),
	};

	return NDT_RUN("netdev-rtnl", tests);
}
