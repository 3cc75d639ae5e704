/* SPDX-License-Identifier: BSD-2-Clause */
/* announce.c, announce_plan.c, announcer.c: what is announced, and the frames
 * captured on the veth peer. */
#include "nd_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netdev/announce.h"
#include "netdev/announce_plan.h"
#include "netdev/announcer.h"

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

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void check_garp(const uint8_t *f, size_t len, const uint8_t *mac, const char *ip)
{
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

/* RARP request for @mac from @mac (QEMU's self-announce) */
static void check_rarp(const uint8_t *f, size_t len, const uint8_t *mac)
{
	static const uint8_t zero[4];

	assert_int_equal(len, 60);
	assert_memory_equal(f, bcast, 6);
	assert_memory_equal(f + 6, mac, 6);
	assert_int_equal(f[12] << 8 | f[13], ETH_P_RARP);
	assert_int_equal(f[14] << 8 | f[15], 1);
	assert_int_equal(f[16] << 8 | f[17], ETH_P_IP);
	assert_int_equal(f[20] << 8 | f[21], 3); /* reverse request */
	assert_memory_equal(f + 22, mac, 6);
	assert_memory_equal(f + 28, zero, 4);
	assert_memory_equal(f + 32, mac, 6);
	assert_memory_equal(f + 38, zero, 4);
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

static void garp(struct sfo_announcement *a, const uint8_t *mac, const char *ip)
{
	memset(a, 0, sizeof(*a));
	a->kind = SFO_ANN_GARP;
	memcpy(a->mac, mac, 6);
	addr4(&a->addr, ip);
}

static void na(struct sfo_announcement *a, const uint8_t *mac, const char *ip)
{
	memset(a, 0, sizeof(*a));
	a->kind = SFO_ANN_NA;
	memcpy(a->mac, mac, 6);
	addr6(&a->addr, ip, 0);
}

static void rarp(struct sfo_announcement *a, const uint8_t *mac)
{
	memset(a, 0, sizeof(*a));
	a->kind = SFO_ANN_RARP;
	memcpy(a->mac, mac, 6);
}

/* veth pair a/b, both up without IPv6 chatter; returns a's ifindex, b's in *peer */
static int quiet_veth(const char *a, const char *b, int *peer)
{
	int ia = ndt_veth(a, b);

	*peer = ndt_ifindex(b);
	NDT_SH("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1 net.ipv6.conf.%s.disable_ipv6=1", a, b);
	NDT_SH("ip link set %s up && ip link set %s up", a, b);
	return ia;
}

static void test_announce_captured(void **state)
{
	static const uint8_t ip11[4] = { 192, 0, 2, 11 };
	struct sfo_announcement ann[7];
	static struct frames fr;
	uint8_t mac[6], mac2[6];
	const uint8_t *f;
	size_t len = 0, sent = 0;
	int a, b, fd, pkt;
	(void)state;

	a = quiet_veth("ndt-x0", "ndt-x1", &b);
	/* on the sending side: the receiving one would take the outer VLAN tag
	 * out of the frame (into the packet's metadata) */
	fd = capture_open(a);
	pkt = sfo_announce_socket();
	assert_true(pkt >= 0);
	ndt_mac(mac, "02:00:5e:10:00:01"); /* not the veth's own MAC: it is ours to pick */
	ndt_mac(mac2, "02:00:5e:10:00:c1");

	garp(&ann[0], mac, "192.0.2.10");
	na(&ann[1], mac, "2001:db8::10");
	garp(&ann[2], mac, "198.51.100.20");
	na(&ann[3], mac, "fe80::1");
	rarp(&ann[4], mac2);
	garp(&ann[5], mac, "192.0.2.11"); /* on a vlan: tagged */
	ann[5].n_tags = 1;
	ann[5].tags[0] = (struct sfo_vlan_tag){ ETH_P_8021Q, 5 };
	na(&ann[6], mac, "2001:db8::12"); /* QinQ: outermost first */
	ann[6].n_tags = 2;
	ann[6].tags[0] = (struct sfo_vlan_tag){ ETH_P_8021AD, 100 };
	ann[6].tags[1] = (struct sfo_vlan_tag){ ETH_P_8021Q, 200 };
	assert_int_equal(sfo_announce_send(pkt, a, ann, 7, &sent), 0);
	assert_int_equal(sent, 7);

	capture(fd, &fr, 300);
	assert_int_equal(fr.n, 7); /* nothing else on the wire */
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
	f = frame_of(&fr, ETH_P_RARP, 0, &len);
	assert_non_null(f);
	check_rarp(f, len, mac2);

	/* 802.1Q tag between the MACs and the ARP ethertype; 60 bytes once popped */
	f = frame_of(&fr, ETH_P_8021Q, 0, &len);
	assert_non_null(f);
	assert_int_equal(len, 64);
	assert_int_equal(f[14] << 8 | f[15], 5);
	assert_int_equal(f[16] << 8 | f[17], ETH_P_ARP);
	assert_memory_equal(f + 6, mac, 6);
	assert_memory_equal(f + 18 + 14, ip11, 4); /* sender IP */

	/* 802.1ad then 802.1Q, then the NA, whose checksum ignores the tags */
	f = frame_of(&fr, ETH_P_8021AD, 0, &len);
	assert_non_null(f);
	assert_int_equal(len, 86 + 8);
	assert_int_equal(f[14] << 8 | f[15], 100);
	assert_int_equal(f[16] << 8 | f[17], ETH_P_8021Q);
	assert_int_equal(f[18] << 8 | f[19], 200);
	assert_int_equal(f[20] << 8 | f[21], ETH_P_IPV6);
	assert_int_equal(icmp6_verify(f + 22, f + 62, 32), 0xffff);

	close(pkt);
	close(fd);
	NDT_SH("ip link del ndt-x0");
}

static void test_announceable(void **state)
{
	struct sfo_addr a;
	(void)state;

	addr4(&a, "192.0.2.1");
	assert_true(sfo_addr_announceable(&a));
	addr4(&a, "0.0.0.0");
	assert_false(sfo_addr_announceable(&a));
	addr6(&a, "2001:db8::1", IFA_F_PERMANENT);
	assert_true(sfo_addr_announceable(&a));
	addr6(&a, "2001:db8::1", IFA_F_TENTATIVE); /* RFC 4862: not yet */
	assert_false(sfo_addr_announceable(&a));
	addr6(&a, "2001:db8::1", IFA_F_DADFAILED);
	assert_false(sfo_addr_announceable(&a));
	addr6(&a, "ff02::1", 0);
	assert_false(sfo_addr_announceable(&a));
	addr6(&a, "::", 0);
	assert_false(sfo_addr_announceable(&a));
	a.family = AF_PACKET;
	assert_false(sfo_addr_announceable(&a));
}

static void test_announce_kernel_accepts_na(void **state)
{
	struct sfo_announcement ann;
	uint8_t mac[6];
	int a, pkt;
	(void)state;

	/* The peer's IPv6 stack checks hop limit, checksum and options: with
	 * an existing neighbour entry, an override NA must update its MAC. */
	a = ndt_veth("ndt-w0", "ndt-w1");
	pkt = sfo_announce_socket();
	NDT_SH("ip link set ndt-w0 up && ip link set ndt-w1 up");
	NDT_SH("ip -6 neigh replace 2001:db8::20 lladdr 02:00:00:00:00:99 dev ndt-w1 nud stale");
	ndt_mac(mac, "02:00:5e:10:00:02");
	na(&ann, mac, "2001:db8::20");
	assert_int_equal(sfo_announce_send(pkt, a, &ann, 1, NULL), 0);
	usleep(200000);
	assert_int_equal(ndt_sh("ip -6 neigh show dev ndt-w1 | grep -q '2001:db8::20 lladdr "
				"02:00:5e:10:00:02'"),
			 0);

	/* Same for IPv4: a gratuitous ARP updates an existing entry. */
	NDT_SH("ip addr add 192.0.2.1/24 dev ndt-w1");
	NDT_SH("sysctl -qw net.ipv4.conf.ndt-w1.arp_accept=1");
	NDT_SH("ip -4 neigh replace 192.0.2.30 lladdr 02:00:00:00:00:98 dev ndt-w1 nud stale");
	garp(&ann, mac, "192.0.2.30");
	assert_int_equal(sfo_announce_send(pkt, a, &ann, 1, NULL), 0);
	usleep(200000);
	assert_int_equal(ndt_sh("ip -4 neigh show dev ndt-w1 | grep -q '192.0.2.30 lladdr "
				"02:00:5e:10:00:02'"),
			 0);
	close(pkt);
	NDT_SH("ip link del ndt-w0");
}

static void test_announce_errors(void **state)
{
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	struct sfo_announcement ann;
	size_t sent = 9;
	int pkt = sfo_announce_socket();
	(void)state;

	garp(&ann, mac, "192.0.2.1");
	assert_int_equal(sfo_announce_send(pkt, 0, &ann, 1, NULL), -EINVAL);
	assert_int_equal(sfo_announce_send(pkt, 1, NULL, 1, NULL), -EINVAL);
	assert_int_equal(sfo_announce_send(-1, 1, &ann, 1, NULL), -EINVAL);
	assert_int_equal(sfo_announce_send(pkt, 99999, &ann, 1, &sent), -ENODEV);
	assert_int_equal(sent, 0);
	assert_int_equal(sfo_announce_send(pkt, 1, NULL, 0, &sent), 0);
	close(pkt);
}

/* --- the plan, on a made-up snapshot --- */

static struct sfo_link *mklink(struct sfo_link *l, int ifindex, const char *kind, int master,
			       int lower, const char *mac)
{
	memset(l, 0, sizeof(*l));
	l->ifindex = ifindex;
	snprintf(l->name, sizeof(l->name), "if%d", ifindex);
	snprintf(l->kind, sizeof(l->kind), "%s", kind);
	l->flags = 1; /* IFF_UP */
	l->master = master;
	l->link = lower;
	l->link_netnsid = -1;
	l->addr_len = 6;
	ndt_mac(l->addr, mac);
	return l;
}

static void mkaddr(struct sfo_ifaddr *a, int ifindex, const char *ip, uint32_t flags)
{
	a->ifindex = ifindex;
	if (strchr(ip, ':'))
		addr6(&a->addr, ip, flags);
	else
		addr4(&a->addr, ip);
}

static void mkfdb(struct sfo_fdb_entry *e, int port, int master, const char *mac, uint16_t state,
		  uint8_t flags)
{
	memset(e, 0, sizeof(*e));
	e->port = port;
	e->master = master;
	ndt_mac(e->mac, mac);
	e->state = state;
	e->flags = flags;
}

/* The @nth announcement of @kind from @mac, or NULL. */
static const struct sfo_announcement *find_ann(const struct sfo_announcement *a, size_t n,
					       enum sfo_ann_kind kind, const char *mac, int nth)
{
	uint8_t m[6];

	ndt_mac(m, mac);
	for (size_t i = 0; i < n; i++)
		if (a[i].kind == kind && !memcmp(a[i].mac, m, 6) && nth-- == 0)
			return &a[i];
	return NULL;
}

enum { SBY = 2, BR, CTR, MACVLAN, VLAN10, SVLAN, CVLAN, VLAN3, DOWN, OTHERNS, BR2, BR2PORT };

static void test_plan(void **state)
{
	struct sfo_link l[12];
	struct sfo_ifaddr ad[9];
	struct sfo_fdb_entry fdb[8];
	struct sfo_announcement out[32];
	const struct sfo_announcement *x;
	struct sfo_net_view v = { l, 12, ad, 9, fdb, 8 };
	char ip[64];
	size_t n;
	(void)state;

	mklink(&l[0], SBY, "", BR, 0, "02:00:00:00:00:05");
	mklink(&l[1], BR, "bridge", 0, 0, "02:00:00:00:00:b0");
	mklink(&l[2], CTR, "veth", BR, 0, "02:00:00:00:00:c0");
	mklink(&l[3], MACVLAN, "macvlan", 0, SBY, "02:00:00:00:00:a1");
	mklink(&l[4], VLAN10, "vlan", 0, BR, "02:00:00:00:00:b0");
	l[4].vlan_id = 10;
	l[4].vlan_proto = ETH_P_8021Q;
	mklink(&l[5], SVLAN, "vlan", 0, SBY, "02:00:00:00:00:05");
	l[5].vlan_id = 100;
	l[5].vlan_proto = ETH_P_8021AD;
	mklink(&l[6], CVLAN, "vlan", 0, SVLAN, "02:00:00:00:00:05");
	l[6].vlan_id = 200;
	l[6].vlan_proto = ETH_P_8021Q;
	mklink(&l[7], VLAN3, "vlan", 0, CVLAN, "02:00:00:00:00:05"); /* a third tag: left out */
	l[7].vlan_id = 300;
	l[7].vlan_proto = ETH_P_8021Q;
	mklink(&l[8], DOWN, "macvlan", 0, SBY, "02:00:00:00:00:d0");
	l[8].flags = 0;
	mklink(&l[9], OTHERNS, "macvlan", 0, SBY, "02:00:00:00:00:e0");
	l[9].link_netnsid = 3; /* its lower is some other namespace's ifindex SBY */
	mklink(&l[10], BR2, "bridge", 0, 0, "02:00:00:00:00:f0"); /* not above the standby */
	mklink(&l[11], BR2PORT, "veth", BR2, 0, "02:00:00:00:00:f1");

	mkaddr(&ad[0], SBY, "fe80::5", IFA_F_PERMANENT);
	mkaddr(&ad[1], BR, "10.0.0.1", 0);
	mkaddr(&ad[2], BR, "2001:db8::1", IFA_F_TENTATIVE); /* not yet */
	mkaddr(&ad[3], MACVLAN, "10.0.0.5", 0);
	mkaddr(&ad[4], VLAN10, "10.0.10.1", 0);
	mkaddr(&ad[5], CVLAN, "2001:db8:200::1", 0);
	mkaddr(&ad[6], VLAN3, "10.3.0.1", 0);
	mkaddr(&ad[7], DOWN, "10.0.0.6", 0);
	mkaddr(&ad[8], BR2, "10.2.0.1", 0);

	mkfdb(&fdb[0], CTR, BR, "02:00:00:00:0c:01", NUD_REACHABLE, NTF_MASTER); /* learned */
	mkfdb(&fdb[1], CTR, BR, "02:00:00:00:0c:02", NUD_NOARP, NTF_MASTER);	 /* static */
	mkfdb(&fdb[2], SBY, BR, "02:00:00:00:0e:01", NUD_STALE, NTF_MASTER);	 /* the outside */
	mkfdb(&fdb[3], CTR, BR, "02:00:00:00:00:c0", NUD_PERMANENT, NTF_MASTER); /* port's own */
	mkfdb(&fdb[4], CTR, 0, "02:00:00:00:0c:03", NUD_PERMANENT, NTF_SELF);
	mkfdb(&fdb[5], CTR, BR, "01:00:5e:00:00:01", NUD_NOARP, NTF_MASTER);	 /* group */
	mkfdb(&fdb[6], CTR, BR, "02:00:00:00:0c:01", NUD_REACHABLE, NTF_MASTER); /* again */
	mkfdb(&fdb[7], BR2PORT, BR2, "02:00:00:00:0f:01", NUD_REACHABLE, NTF_MASTER);

	n = sfo_announce_plan(&v, SBY, out, 32);
	assert_int_equal(n, 7);
	/* the standby's own address first */
	assert_int_equal(out[0].kind, SFO_ANN_NA);
	assert_string_equal(sfo_addr_str(&out[0].addr, ip, sizeof(ip)), "fe80::5");
	/* the bridge's address from the bridge's MAC, untagged */
	x = find_ann(out, n, SFO_ANN_GARP, "02:00:00:00:00:b0", 0);
	assert_non_null(x);
	assert_string_equal(sfo_addr_str(&x->addr, ip, sizeof(ip)), "10.0.0.1");
	assert_int_equal(x->n_tags, 0);
	/* the vlan on the bridge: tagged 10 */
	x = find_ann(out, n, SFO_ANN_GARP, "02:00:00:00:00:b0", 1);
	assert_non_null(x);
	assert_string_equal(sfo_addr_str(&x->addr, ip, sizeof(ip)), "10.0.10.1");
	assert_int_equal(x->n_tags, 1);
	assert_int_equal(x->tags[0].proto, ETH_P_8021Q);
	assert_int_equal(x->tags[0].id, 10);
	/* the macvlan, from its own MAC */
	x = find_ann(out, n, SFO_ANN_GARP, "02:00:00:00:00:a1", 0);
	assert_non_null(x);
	assert_string_equal(sfo_addr_str(&x->addr, ip, sizeof(ip)), "10.0.0.5");
	/* QinQ: the vlan on the standby is the outer tag */
	x = find_ann(out, n, SFO_ANN_NA, "02:00:00:00:00:05", 1);
	assert_non_null(x);
	assert_string_equal(sfo_addr_str(&x->addr, ip, sizeof(ip)), "2001:db8:200::1");
	assert_int_equal(x->n_tags, 2);
	assert_int_equal(x->tags[0].proto, ETH_P_8021AD);
	assert_int_equal(x->tags[0].id, 100);
	assert_int_equal(x->tags[1].id, 200);
	/* what the bridge learned behind its other port, once each */
	assert_non_null(find_ann(out, n, SFO_ANN_RARP, "02:00:00:00:0c:01", 0));
	assert_null(find_ann(out, n, SFO_ANN_RARP, "02:00:00:00:0c:01", 1));
	assert_non_null(find_ann(out, n, SFO_ANN_RARP, "02:00:00:00:0c:02", 0));

	/* truncated: the count says how many there are */
	assert_int_equal(sfo_announce_plan(&v, SBY, out, 2), 7);
	assert_int_equal(out[0].kind, SFO_ANN_NA);
	/* the other bridge's port: that bridge's address; what it learned on
	 * that port itself is the outside */
	assert_int_equal(sfo_announce_plan(&v, BR2PORT, out, 32), 1);
	assert_int_equal(out[0].kind, SFO_ANN_GARP);
	assert_int_equal(sfo_announce_plan(&v, 99, out, 32), 0);
	/* the bridge down: neither its addresses nor those above it */
	l[1].flags = 0;
	n = sfo_announce_plan(&v, SBY, out, 32);
	assert_null(find_ann(out, n, SFO_ANN_GARP, "02:00:00:00:00:b0", 0));
}

/* --- the announcer over rtnetlink, end to end --- */

struct done_rec {
	int calls, standby, err;
	size_t sent, planned;
};

static void on_done(void *ctx, int standby, size_t sent, size_t planned, int err)
{
	struct done_rec *r = ctx;

	r->calls++;
	r->standby = standby;
	r->sent = sent;
	r->planned = planned;
	r->err = err;
}

static void wait_done(struct sfo_announcer *an, struct done_rec *r, int calls)
{
	long long end = ndt_now_ms() + 2000;
	struct pollfd pfd = { .fd = sfo_announcer_fd(an), .events = POLLIN };

	while (r->calls < calls && ndt_now_ms() < end)
		if (poll(&pfd, 1, 100) > 0)
			sfo_announcer_run(an);
	assert_int_equal(r->calls, calls);
	assert_false(sfo_announcer_busy(an));
}

static void test_announcer_bridge(void **state)
{
	struct sfo_announcer *an;
	struct done_rec rec = { 0 };
	static struct frames fr;
	uint8_t br_mac[6], mv_mac[6], learned[6], fixed[6];
	const uint8_t *f;
	size_t len = 0;
	int sby, wire, sby2, wire2, ctr, ctr_peer, fd, fd2;
	(void)state;

	/* sby (the standby) and the container's veth are ports of br, which has
	 * an address; the wire is sby's veth peer. A second standby sby2 has a
	 * macvlan with an address (a bridge port cannot have one). */
	sby = quiet_veth("ndt-sby", "ndt-wire", &wire);
	ctr = quiet_veth("ndt-ctrh", "ndt-ctr", &ctr_peer);
	NDT_SH("ip link add ndt-br address 02:00:5e:00:00:b0 type bridge stp_state 0");
	NDT_SH("sysctl -qw net.ipv6.conf.ndt-br.disable_ipv6=1");
	NDT_SH("ip link set ndt-sby master ndt-br && ip link set ndt-ctrh master ndt-br");
	NDT_SH("ip link set ndt-br up && ip addr add 192.0.2.1/24 dev ndt-br");
	sby2 = quiet_veth("ndt-sby2", "ndt-wire2", &wire2);
	NDT_SH("ip link add ndt-mv link ndt-sby2 address 02:00:5e:00:00:a1 type macvlan");
	NDT_SH("sysctl -qw net.ipv6.conf.ndt-mv.disable_ipv6=1");
	NDT_SH("ip link set ndt-mv up && ip addr add 198.51.100.1/24 dev ndt-mv");
	NDT_SH("bridge fdb add 02:00:5e:00:0c:02 dev ndt-ctrh master static");
	ndt_send_frames(ctr_peer, 1, 60); /* learned: 02:00:00:00:00:00 behind ndt-ctrh */
	(void)ctr;
	ndt_mac(br_mac, "02:00:5e:00:00:b0");
	ndt_mac(mv_mac, "02:00:5e:00:00:a1");
	ndt_mac(learned, "02:00:00:00:00:00");
	ndt_mac(fixed, "02:00:5e:00:0c:02");
	usleep(50000);
	fd = capture_open(wire);
	fd2 = capture_open(wire2);

	assert_int_equal(sfo_announcer_open(&an, on_done, &rec), 0);
	assert_int_equal(sfo_announcer_request(an, sby), 0);
	assert_true(sfo_announcer_busy(an)); /* nothing sent before the loop reads */
	wait_done(an, &rec, 1);
	assert_int_equal(rec.standby, sby);
	assert_int_equal(rec.err, 0);
	assert_int_equal(rec.planned, 3);
	assert_int_equal(rec.sent, 3);

	capture(fd, &fr, 300);
	f = frame_of(&fr, ETH_P_ARP, 0, &len);
	assert_non_null(f);
	check_garp(f, len, br_mac, "192.0.2.1");
	assert_null(frame_of(&fr, ETH_P_ARP, 1, &len));
	f = frame_of(&fr, ETH_P_RARP, 0, &len);
	assert_non_null(f);
	check_rarp(f, len, learned);
	f = frame_of(&fr, ETH_P_RARP, 1, &len);
	assert_non_null(f);
	check_rarp(f, len, fixed);
	assert_null(frame_of(&fr, ETH_P_RARP, 2, &len));

	/* requests while a round runs share the next round; a gone standby
	 * announces nothing */
	assert_int_equal(sfo_announcer_request(an, sby2), 0);
	assert_int_equal(sfo_announcer_request(an, 99999), 0);
	assert_int_equal(sfo_announcer_request(an, 99999), 0);
	wait_done(an, &rec, 3);
	assert_int_equal(rec.standby, 99999);
	assert_int_equal(rec.planned, 0);
	capture(fd2, &fr, 300);
	f = frame_of(&fr, ETH_P_ARP, 0, &len);
	assert_non_null(f);
	check_garp(f, len, mv_mac, "198.51.100.1");
	assert_null(frame_of(&fr, ETH_P_ARP, 1, &len));
	assert_null(frame_of(&fr, ETH_P_RARP, 0, &len));
	assert_int_equal(sfo_announcer_request(an, 0), -EINVAL);

	sfo_announcer_close(an);
	close(fd);
	close(fd2);
	NDT_SH("ip link del ndt-br && ip link del ndt-sby && ip link del ndt-ctrh");
	NDT_SH("ip link del ndt-sby2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_announce_captured),
		cmocka_unit_test(test_announceable),
		cmocka_unit_test(test_announce_kernel_accepts_na),
		cmocka_unit_test(test_announce_errors),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_announcer_bridge),
	};

	return NDT_RUN("netdev-announce", tests);
}
