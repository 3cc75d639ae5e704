/* SPDX-License-Identifier: BSD-2-Clause */
/* announce.c: gratuitous ARP and unsolicited NA, captured on the veth peer. */
#include "nd_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netdev/announce.h"

static int capture_open(int ifindex)
{
	struct sockaddr_ll sll = { 0 };
	int fd;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	assert_true(fd >= 0);
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifindex;
	assert_int_equal(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
	return fd;
}

struct frames {
	uint8_t data[16][128];
	size_t len[16];
	size_t n;
};

/* Collect every frame arriving within @ms. */
static void capture(int fd, struct frames *fr, int ms)
{
	long long end = ndt_now_ms() + ms;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t buf[2048];
	ssize_t n;

	memset(fr, 0, sizeof(*fr));
	while (ndt_now_ms() < end) {
		if (poll(&pfd, 1, (int)(end - ndt_now_ms())) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		assert_true(n >= 0);
		assert_true(fr->n < 16);
		fr->len[fr->n] = (size_t)n < sizeof(fr->data[0]) ? (size_t)n : sizeof(fr->data[0]);
		memcpy(fr->data[fr->n], buf, fr->len[fr->n]);
		fr->n++;
	}
}

/* The @nth (0-based) captured frame of @ethertype, or NULL. */
static const uint8_t *frame_of(const struct frames *fr, uint16_t ethertype, int nth, size_t *len)
{
	size_t i;

	for (i = 0; i < fr->n; i++) {
		if (fr->len[i] >= 14 && (fr->data[i][12] << 8 | fr->data[i][13]) == ethertype &&
		    nth-- == 0) {
			*len = fr->len[i];
			return fr->data[i];
		}
	}
	return NULL;
}

static void addr4(struct sfo_addr *a, const char *text)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->prefixlen = 24;
	assert_int_equal(inet_pton(AF_INET, text, &a->in), 1);
}

static void addr6(struct sfo_addr *a, const char *text, uint32_t flags)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	a->prefixlen = 64;
	a->flags = flags;
	assert_int_equal(inet_pton(AF_INET6, text, &a->in6), 1);
}

/* Independent ones'-complement check: the sum over pseudo-header and
 * message, checksum included, must be 0xffff. */
static uint16_t icmp6_verify(const uint8_t *ip6, const uint8_t *icmp, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 8; i < 40; i += 2) /* source and destination */
		sum += (uint32_t)(ip6[i] << 8 | ip6[i + 1]);
	sum += (uint32_t)len;
	sum += 58;
	for (i = 0; i < len; i += 2)
		sum += (uint32_t)(icmp[i] << 8 | (i + 1 < len ? icmp[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void check_garp(const uint8_t *f, size_t len, const uint8_t *mac, const char *ip)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t want_ip[4];

	assert_int_equal(inet_pton(AF_INET, ip, want_ip), 1);
	assert_int_equal(len, 60);
	assert_memory_equal(f, bcast, 6);
	assert_memory_equal(f + 6, mac, 6);
	assert_int_equal(f[12] << 8 | f[13], ETH_P_ARP);
	assert_int_equal(f[14] << 8 | f[15], 1); /* Ethernet */
	assert_int_equal(f[16] << 8 | f[17], ETH_P_IP);
	assert_int_equal(f[18], 6);
	assert_int_equal(f[19], 4);
	assert_int_equal(f[20] << 8 | f[21], 1); /* request */
	assert_memory_equal(f + 22, mac, 6);	 /* sender MAC */
	assert_memory_equal(f + 28, want_ip, 4); /* sender IP */
	assert_memory_equal(f + 38, want_ip, 4); /* target IP = sender IP */
}

static void check_na(const uint8_t *f, size_t len, const uint8_t *mac, const char *ip)
{
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	uint8_t want_ip[16], all_nodes[16];
	const uint8_t *ip6 = f + 14, *icmp = f + 54;

	assert_int_equal(inet_pton(AF_INET6, ip, want_ip), 1);
	assert_int_equal(inet_pton(AF_INET6, "ff02::1", all_nodes), 1);
	assert_int_equal(len, 86);
	assert_memory_equal(f, all_nodes_mac, 6);
	assert_memory_equal(f + 6, mac, 6);
	assert_int_equal(f[12] << 8 | f[13], ETH_P_IPV6);
	assert_int_equal(ip6[0] >> 4, 6);
	assert_int_equal(ip6[4] << 8 | ip6[5], 32); /* payload length */
	assert_int_equal(ip6[6], 58);		    /* ICMPv6 */
	assert_int_equal(ip6[7], 255);		    /* hop limit */
	assert_memory_equal(ip6 + 8, want_ip, 16);
	assert_memory_equal(ip6 + 24, all_nodes, 16);
	assert_int_equal(icmp[0], 136);
	assert_int_equal(icmp[1], 0);
	assert_int_equal(icmp[4], 0x20); /* override only: not router, not solicited */
	assert_int_equal(icmp[5] | icmp[6] | icmp[7], 0);
	assert_memory_equal(icmp + 8, want_ip, 16);
	assert_int_equal(icmp[24], 2); /* target link-layer address */
	assert_int_equal(icmp[25], 1);
	assert_memory_equal(icmp + 26, mac, 6);
	assert_int_equal(icmp6_verify(ip6, icmp, 32), 0xffff);
	assert_true(icmp[2] | icmp[3]); /* a real checksum is there */
}

static void test_announce_captured(void **state)
{
	struct sfo_addr addrs[5];
	static struct frames fr;
	const uint8_t *f;
	uint8_t mac[6];
	size_t len = 0;
	int a, b, fd;
	(void)state;

	a = ndt_veth("ndt-x0", "ndt-x1");
	b = ndt_ifindex("ndt-x1");
	/* Quiet ends: no IPv6 chatter of their own on the wire. */
	NDT_SH("sysctl -qw net.ipv6.conf.ndt-x0.disable_ipv6=1 net.ipv6.conf.ndt-x1.disable_ipv6=1");
	NDT_SH("ip link set ndt-x0 up && ip link set ndt-x1 up");
	fd = capture_open(b);
	ndt_mac(mac, "02:00:5e:10:00:01"); /* not the veth's own MAC: it is ours to pick */

	addr4(&addrs[0], "192.0.2.10");
	addr6(&addrs[1], "2001:db8::10", 0);
	addr6(&addrs[2], "2001:db8::11", IFA_F_TENTATIVE); /* never announced */
	addr4(&addrs[3], "198.51.100.20");
	addr6(&addrs[4], "fe80::1", IFA_F_PERMANENT);
	assert_int_equal(sfo_announce(a, mac, addrs, 5), 0);

	capture(fd, &fr, 300);
	assert_int_equal(fr.n, 4); /* nothing else on the wire */
	f = frame_of(&fr, ETH_P_ARP, 0, &len);
	assert_non_null(f);
	check_garp(f, len, mac, "192.0.2.10");
	f = frame_of(&fr, ETH_P_ARP, 1, &len);
	assert_non_null(f);
	check_garp(f, len, mac, "198.51.100.20");
	f = frame_of(&fr, ETH_P_IPV6, 0, &len);
	assert_non_null(f);
	check_na(f, len, mac, "2001:db8::10");
	f = frame_of(&fr, ETH_P_IPV6, 1, &len);
	assert_non_null(f);
	check_na(f, len, mac, "fe80::1");

	close(fd);
	NDT_SH("ip link del ndt-x0");
}

static void test_announce_kernel_accepts_na(void **state)
{
	struct sfo_addr addr;
	uint8_t mac[6];
	int a;
	(void)state;

	/* The peer's IPv6 stack checks hop limit, checksum and options: with
	 * an existing neighbour entry, an override NA must update its MAC. */
	a = ndt_veth("ndt-w0", "ndt-w1");
	NDT_SH("ip link set ndt-w0 up && ip link set ndt-w1 up");
	NDT_SH("ip -6 neigh replace 2001:db8::20 lladdr 02:00:00:00:00:99 dev ndt-w1 nud stale");
	ndt_mac(mac, "02:00:5e:10:00:02");
	addr6(&addr, "2001:db8::20", 0);
	assert_int_equal(sfo_announce(a, mac, &addr, 1), 0);
	usleep(200000);
	assert_int_equal(ndt_sh("ip -6 neigh show dev ndt-w1 | grep -q '2001:db8::20 lladdr "
				"02:00:5e:10:00:02'"),
			 0);

	/* Same for IPv4: a gratuitous ARP updates an existing entry. */
	NDT_SH("ip addr add 192.0.2.1/24 dev ndt-w1");
	NDT_SH("sysctl -qw net.ipv4.conf.ndt-w1.arp_accept=1");
	NDT_SH("ip -4 neigh replace 192.0.2.30 lladdr 02:00:00:00:00:98 dev ndt-w1 nud stale");
	addr4(&addr, "192.0.2.30");
	assert_int_equal(sfo_announce(a, mac, &addr, 1), 0);
	usleep(200000);
	assert_int_equal(ndt_sh("ip -4 neigh show dev ndt-w1 | grep -q '192.0.2.30 lladdr "
				"02:00:5e:10:00:02'"),
			 0);
	NDT_SH("ip link del ndt-w0");
}

static void test_announce_errors(void **state)
{
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	struct sfo_addr addr;
	(void)state;

	addr4(&addr, "192.0.2.1");
	assert_int_equal(sfo_announce(0, mac, &addr, 1), -EINVAL);
	assert_int_equal(sfo_announce(1, mac, NULL, 1), -EINVAL);
	assert_int_equal(sfo_announce(99999, mac, &addr, 1), -ENODEV);
	assert_int_equal(sfo_announce(1, mac, NULL, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_announce_captured),
		cmocka_unit_test(test_announce_kernel_accepts_na),
		cmocka_unit_test(test_announce_errors),
	};

	return NDT_RUN("netdev-announce", tests);
}
