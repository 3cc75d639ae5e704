/* SPDX-License-Identifier: BSD-2-Clause */
/* Gratuitous ARP, unsolicited neighbour advertisements and RARP over AF_PACKET. */
#include "announce.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nd_util.h"

#define NA_LEN	    24 /* type, code, checksum, flags, target */
#define OPT_LL_LEN  8
#define ICMP6_TOTAL (NA_LEN + OPT_LL_LEN)

static const uint8_t bcast_mac[SFO_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t all_nodes_mac[SFO_MAC_LEN] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
static const struct in6_addr all_nodes = { { { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					       0x01 } } };

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *put(uint8_t *p, const void *src, size_t len)
{
	memcpy(p, src, len);
	return p + len;
}

static uint8_t *put_eth(uint8_t *p, const uint8_t *dst, const struct sfo_announcement *a,
			uint16_t proto)
{
	p = put(p, dst, SFO_MAC_LEN);
	p = put(p, a->mac, SFO_MAC_LEN);
	for (unsigned int i = 0; i < a->n_tags && i < SFO_ANN_TAGS_MAX; i++) {
		p = put16(p, a->tags[i].proto);
		p = put16(p, a->tags[i].id & 0xfff); /* priority 0, DEI 0 */
	}
	return put16(p, proto);
}

/* ARP (request) or RARP (reverse request) with sender = target, @min long. */
static size_t arp_build(uint8_t *frame, const struct sfo_announcement *a, size_t min)
{
	static const uint8_t zero_ip[4];
	const void *ip = a->kind == SFO_ANN_GARP ? (const void *)&a->addr.in : zero_ip;
	bool rarp = a->kind == SFO_ANN_RARP;
	uint8_t *p = frame;

	p = put_eth(p, bcast_mac, a, rarp ? ETH_P_RARP : ETH_P_ARP);
	p = put16(p, 1); /* hardware: Ethernet */
	p = put16(p, ETH_P_IP);
	*p++ = SFO_MAC_LEN;
	*p++ = 4;
	/* ARP request: what RFC 5227 calls an ARP announcement; RARP request
	 * for our own MAC: what QEMU sends after a migration */
	p = put16(p, rarp ? 3 : 1);
	p = put(p, a->mac, SFO_MAC_LEN);
	p = put(p, ip, 4);
	/* target MAC: zero in the ARP announcement, the MAC asked about in RARP */
	if (rarp)
		put(p, a->mac, SFO_MAC_LEN);
	p += SFO_MAC_LEN;
	put(p, ip, 4);
	return min;
}

static size_t na_build(uint8_t *frame, const struct sfo_announcement *a)
{
	const struct in6_addr *ip = &a->addr.in6;
	uint8_t *p = frame, *icmp;

	p = put_eth(p, all_nodes_mac, a, ETH_P_IPV6);
	/* IPv6 header */
	*p++ = 0x60; /* version 6, traffic class 0, flow label 0 */
	p += 3;
	p = put16(p, ICMP6_TOTAL);
	*p++ = IPPROTO_ICMPV6;
	*p++ = 255; /* hop limit: receivers drop ND with any other */
	p = put(p, ip, 16);
	p = put(p, &all_nodes, 16);
	/* ICMPv6 neighbour advertisement */
	icmp = p;
	*p++ = ND_NEIGHBOR_ADVERT;
	*p++ = 0;  /* code */
	p += 2;	   /* checksum, below */
	*p = 0x20; /* flags: override (not router, not solicited) */
	p += 4;
	p = put(p, ip, 16);
	*p++ = ND_OPT_TARGET_LINKADDR;
	*p++ = 1; /* option length in units of 8 bytes */
	p = put(p, a->mac, SFO_MAC_LEN);

	put16(icmp + 2,
	      nd_icmp6_csum((const uint8_t *)ip, (const uint8_t *)&all_nodes, icmp, ICMP6_TOTAL));
	return (size_t)(p - frame);
}

size_t sfo_announcement_frame(uint8_t *frame, const struct sfo_announcement *a)
{
	size_t tags = 4u * (a->n_tags < SFO_ANN_TAGS_MAX ? a->n_tags : SFO_ANN_TAGS_MAX);

	memset(frame, 0, SFO_ANN_FRAME_MAX);
	if (a->kind == SFO_ANN_NA)
		return na_build(frame, a);
	/* padded so that the frame is still 60 bytes once a switch pops the tags */
	return arp_build(frame, a, SFO_GARP_FRAME_LEN + tags);
}

bool sfo_addr_announceable(const struct sfo_addr *a)
{
	if (a->family == AF_INET)
		return a->in.s_addr != INADDR_ANY;
	if (a->family != AF_INET6 || (a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
		return false;
	return !IN6_IS_ADDR_UNSPECIFIED(&a->in6) && !IN6_IS_ADDR_MULTICAST(&a->in6);
}

int sfo_announce_socket(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	return fd < 0 ? -errno : fd;
}

int sfo_announce_send(int fd, int ifindex, const struct sfo_announcement *a, size_t n, size_t *sent)
{
	uint8_t frame[SFO_ANN_FRAME_MAX];
	struct sockaddr_ll sll;
	size_t i, len, ok = 0;
	int first = 0;

	if (sent)
		*sent = 0;
	if (fd < 0 || ifindex <= 0 || (n && !a))
		return -EINVAL;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifindex;
	sll.sll_halen = SFO_MAC_LEN;
	for (i = 0; i < n; i++) {
		len = sfo_announcement_frame(frame, &a[i]);
		sll.sll_protocol = htons((uint16_t)(frame[12] << 8 | frame[13])); /* outermost */
		memcpy(sll.sll_addr, frame, SFO_MAC_LEN);
		if (sendto(fd, frame, len, MSG_DONTWAIT, (struct sockaddr *)&sll, sizeof(sll)) ==
		    (ssize_t)len)
			ok++;
		else if (!first)
			first = errno == ENXIO ? -ENODEV : -errno; /* no such ifindex */
	}
	if (sent)
		*sent = ok;
	return first;
}
