// SPDX-License-Identifier: BSD-2-Clause
/*
 * neigh.c and probe.c: which neighbours are probed, in which order, and a
 * probe through a veth answered by the kernel on its peer (ARP and NS),
 * the answer caught by the probe's socket.
 */
#include "nd_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "netdev/neigh.h"
#include "netdev/probe.h"
#include "netdev/rtnl.h"

static struct sfo_rtnl *rt_open(void)
{
	struct sfo_rtnl *rt = NULL;

	assert_int_equal(sfo_rtnl_open(&rt, NULL, NULL, SFO_RTNL_NO_MONITOR), 0);
	return rt;
}

static void test_targets_ranked(void **state)
{
	struct sfo_neigh n[8];
	struct sfo_rtnl *rt = rt_open();
	char err[256], ip[64];
	int a, got;
	(void)state;

	a = ndt_veth("ndt-n0", "ndt-n1");
	NDT_SH("ip link set ndt-n0 up && ip link set ndt-n1 up");
	NDT_SH("ip addr add 192.0.2.1/24 dev ndt-n0");
	got = sfo_neigh_probe_targets(rt, a, n, 8, err, sizeof(err));
	assert_int_equal(got, 0); /* nobody known */

	NDT_SH("ip neigh replace 192.0.2.10 lladdr 02:00:00:00:00:10 dev ndt-n0 nud stale");
	NDT_SH("ip neigh replace 192.0.2.11 lladdr 02:00:00:00:00:11 dev ndt-n0 nud reachable");
	NDT_SH("ip neigh replace 192.0.2.12 lladdr 02:00:00:00:00:12 dev ndt-n0 nud permanent");
	NDT_SH("ip neigh replace 192.0.2.13 lladdr 02:00:00:00:00:13 dev ndt-n0 nud failed");
	NDT_SH("ip neigh replace 192.0.2.14 lladdr 02:00:00:00:00:14 dev ndt-n0 nud noarp");
	NDT_SH("ip neigh replace 192.0.2.9 lladdr 02:00:00:00:00:09 dev ndt-n0 nud stale");
	NDT_SH("ip route add default via 192.0.2.9 dev ndt-n0");
	got = sfo_neigh_probe_targets(rt, a, n, 8, err, sizeof(err));
	assert_int_equal(got, 4); /* not the failed one, not the noarp one */
	/* the gateway first (although only stale), then the confirmed ones */
	assert_string_equal(sfo_neigh_str(&n[0], ip, sizeof(ip)), "192.0.2.9");
	assert_true(n[0].gateway);
	assert_int_equal(n[0].mac[5], 0x09);
	assert_false(n[1].gateway);
	assert_true(n[1].state & (NUD_REACHABLE | NUD_PERMANENT));
	assert_true(n[2].state & (NUD_REACHABLE | NUD_PERMANENT));
	assert_string_equal(sfo_neigh_str(&n[3], ip, sizeof(ip)), "192.0.2.10");
	/* at most what fits */
	assert_int_equal(sfo_neigh_probe_targets(rt, a, n, 2, err, sizeof(err)), 2);
	assert_string_equal(sfo_neigh_str(&n[0], ip, sizeof(ip)), "192.0.2.9");
	/* another interface's neighbours are not ours */
	assert_int_equal(sfo_neigh_probe_targets(rt, ndt_ifindex("ndt-n1"), n, 8, err, sizeof(err)),
			 0);
	assert_int_equal(sfo_neigh_probe_targets(rt, 0, n, 8, err, sizeof(err)), -EINVAL);
	NDT_SH("ip link del ndt-n0");
	sfo_rtnl_close(rt);
}

/* ndt-p0 is "the VF" (no address of its own: we send as the standby would),
 * its peer ndt-p1 the neighbour, whose kernel answers. */
static int probe_pair(uint8_t peer_mac[6])
{
	struct sfo_link link;
	struct sfo_rtnl *rt = rt_open();
	char err[256];
	int a = ndt_veth("ndt-p0", "ndt-p1");

	NDT_SH("sysctl -qw net.ipv6.conf.ndt-p1.disable_ipv6=0 "
	       "net.ipv6.conf.ndt-p0.disable_ipv6=1");
	NDT_SH("ip addr add 192.0.2.2/24 dev ndt-p1");
	NDT_SH("ip addr add 2001:db8::2/64 dev ndt-p1 nodad");
	NDT_SH("ip link set ndt-p0 up && ip link set ndt-p1 up");
	assert_int_equal(sfo_rtnl_get_link(rt, 0, "ndt-p1", &link, err, sizeof(err)), 0);
	memcpy(peer_mac, link.addr, 6);
	sfo_rtnl_close(rt);
	return a;
}

static void target(struct sfo_neigh *t, const char *ip, const uint8_t mac[6])
{
	memset(t, 0, sizeof(*t));
	t->family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(
		inet_pton(t->family, ip, t->family == AF_INET ? (void *)&t->in : (void *)&t->in6),
		1);
	memcpy(t->mac, mac, 6);
	t->state = NUD_REACHABLE;
}

static void ours(struct sfo_addr *a, const char *ip, int prefixlen)
{
	memset(a, 0, sizeof(*a));
	a->family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	a->prefixlen = (uint8_t)prefixlen;
	assert_int_equal(
		inet_pton(a->family, ip, a->family == AF_INET ? (void *)&a->in : (void *)&a->in6),
		1);
}

/*
 * Probe @t every 100 ms for up to @ms, as the daemon retries (a veth just
 * set up drops what it is given until the kernel has activated its queue);
 * 1 with who answered in @who, 0 if nobody did.
 */
static int probe_until_answered(struct sfo_probe *p, const struct sfo_addr *addrs, size_t n,
				const struct sfo_neigh *t, char *who, size_t len, int ms)
{
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	struct pollfd pfd = { .fd = sfo_probe_fd(p), .events = POLLIN };
	long long end = ndt_now_ms() + ms, next = 0;
	int ret;

	while (ndt_now_ms() < end) {
		if (ndt_now_ms() >= next) {
			assert_int_equal(sfo_probe_send(p, mac, addrs, n, t, 1), 1);
			next = ndt_now_ms() + 100;
		}
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		ret = sfo_probe_receive(p, who, len);
		assert_true(ret >= 0);
		if (ret == 1)
			return 1;
	}
	return 0;
}

static void test_probe_answered(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	struct sfo_addr addrs[3];
	struct sfo_neigh t[2];
	struct sfo_probe *p;
	uint8_t peer[6];
	char who[64] = "";
	int a;
	(void)state;

	a = probe_pair(peer);
	ours(&addrs[0], "198.51.100.1", 24); /* another subnet: not the source */
	ours(&addrs[1], "192.0.2.1", 24);
	ours(&addrs[2], "2001:db8::1", 64);
	assert_int_equal(sfo_probe_open(a, &p), 0);

	target(&t[0], "192.0.2.2", peer);
	assert_int_equal(probe_until_answered(p, addrs, 3, t, who, sizeof(who), 3000), 1);
	assert_string_equal(who, "192.0.2.2");

	target(&t[0], "2001:db8::2", peer);
	assert_int_equal(probe_until_answered(p, addrs, 3, t, who, sizeof(who), 3000), 1);
	assert_string_equal(who, "2001:db8::2");

	/* nobody has this address: no answer, and the peer's own chatter is none */
	target(&t[0], "192.0.2.99", peer);
	assert_int_equal(probe_until_answered(p, addrs, 3, t, who, sizeof(who), 300), 0);

	/* no address of ours suits an IPv6 target: nothing to send */
	target(&t[0], "2001:db8::2", peer);
	assert_int_equal(sfo_probe_send(p, mac, addrs, 2, t, 1), -ENOENT);
	sfo_probe_close(p);
	NDT_SH("ip link del ndt-p0");
}

static void test_probe_errors(void **state)
{
	struct sfo_probe *p = NULL;
	(void)state;

	assert_int_equal(sfo_probe_open(0, &p), -EINVAL);
	assert_int_equal(sfo_probe_open(99999, &p), -ENODEV);
	assert_null(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_targets_ranked),
		cmocka_unit_test(test_probe_answered),
		cmocka_unit_test(test_probe_errors),
	};

	return NDT_RUN("netdev-probe", tests);
}
