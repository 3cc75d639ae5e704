/* SPDX-License-Identifier: BSD-2-Clause */
/* Gratuitous ARP and unsolicited neighbour advertisements over AF_PACKET. */
#include "announce.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ETH_HDR	    14
#define ARP_LEN	    28
#define IP6_HDR	    40
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

static uint8_t *put_eth(uint8_t *p, const uint8_t *dst, const uint8_t *src, uint16_t proto)
{
	p = put(p, dst, SFO_MAC_LEN);
	p = put(p, src, SFO_MAC_LEN);
	return put16(p, proto);
}

size_t sfo_garp_build(uint8_t *frame, const uint8_t mac[SFO_MAC_LEN], const struct in_addr *ip)
{
	static const uint8_t zero_mac[SFO_MAC_LEN];
	uint8_t *p = frame;

	memset(frame, 0, SFO_GARP_FRAME_LEN);
	p = put_eth(p, bcast_mac, mac, ETH_P_ARP);
	p = put16(p, 1); /* hardware: Ethernet */
	p = put16(p, ETH_P_IP);
	*p++ = SFO_MAC_LEN;
	*p++ = 4;
	p = put16(p, 1); /* request: what RFC 5227 calls an ARP announcement */
	p = put(p, mac, SFO_MAC_LEN);
	p = put(p, ip, 4);
	p = put(p, zero_mac, SFO_MAC_LEN);
	put(p, ip, 4);
	return SFO_GARP_FRAME_LEN;
}

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t sfo_na_build(uint8_t *frame, const uint8_t mac[SFO_MAC_LEN], const struct in6_addr *ip)
{
	uint8_t *p = frame, *icmp;
	uint8_t pseudo[40];
	uint32_t sum;

	memset(frame, 0, SFO_NA_FRAME_LEN);
	p = put_eth(p, all_nodes_mac, mac, ETH_P_IPV6);
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
	put(p, mac, SFO_MAC_LEN);

	/* Checksum over the pseudo-header: src, dst, length, next header. */
	memset(pseudo, 0, sizeof(pseudo));
	memcpy(pseudo, ip, 16);
	memcpy(pseudo + 16, &all_nodes, 16);
	pseudo[34] = ICMP6_TOTAL >> 8;
	pseudo[35] = ICMP6_TOTAL & 0xff;
	pseudo[39] = IPPROTO_ICMPV6;
	sum = sum16(0, pseudo, sizeof(pseudo));
	sum = sum16(sum, icmp, ICMP6_TOTAL);
	put16(icmp + 2, fold(sum));
	return SFO_NA_FRAME_LEN;
}

static bool skip_addr(const struct sfo_addr *a)
{
	if (a->family == AF_INET)
		return a->in.s_addr == INADDR_ANY;
	if (a->family != AF_INET6)
		return true;
	if (a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))
		return true; /* RFC 4862: a tentative address must not be advertised */
	return IN6_IS_ADDR_UNSPECIFIED(&a->in6) || IN6_IS_ADDR_MULTICAST(&a->in6);
}

int sfo_announce(int ifindex, const uint8_t mac[SFO_MAC_LEN], const struct sfo_addr *addrs,
		 size_t n)
{
	uint8_t frame[SFO_NA_FRAME_LEN > SFO_GARP_FRAME_LEN ? SFO_NA_FRAME_LEN
							    : SFO_GARP_FRAME_LEN];
	/* One socket for the process: closing a packet socket waits for the
	 * kernel (~10 ms measured), which would stall the daemon at every
	 * switch. Protocol 0 and unbound: it only sends, to the ifindex given
	 * with each frame, and never receives. */
	static int fd = -1;
	struct sockaddr_ll sll;
	int first = 0;
	size_t i, len;

	if (ifindex <= 0 || (n && !addrs))
		return -EINVAL;
	if (fd < 0) {
		fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifindex;
	for (i = 0; i < n; i++) {
		if (skip_addr(&addrs[i]))
			continue;
		if (addrs[i].family == AF_INET) {
			len = sfo_garp_build(frame, mac, &addrs[i].in);
			sll.sll_protocol = htons(ETH_P_ARP);
		} else {
			len = sfo_na_build(frame, mac, &addrs[i].in6);
			sll.sll_protocol = htons(ETH_P_IPV6);
		}
		sll.sll_halen = SFO_MAC_LEN;
		memcpy(sll.sll_addr, frame, SFO_MAC_LEN);
		if (sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0 && !first)
			first = errno == ENXIO ? -ENODEV : -errno; /* no such ifindex */
	}
	return first;
}
