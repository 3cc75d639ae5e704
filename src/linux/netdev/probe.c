// SPDX-License-Identifier: BSD-2-Clause
/* Probes through an interface and their answers: see probe.h. */
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/icmp6.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nd_util.h"

#define ETH_HDR	     14
#define ARP_OP	     (ETH_HDR + 6)
#define ARP_SPA	     (ETH_HDR + 14)
#define ARP_TPA	     (ETH_HDR + 24)
#define IP6_NEXT     (ETH_HDR + 6)
#define IP6_HDR	     40
#define ICMP6	     (ETH_HDR + IP6_HDR)
#define ND_LEN	     24 /* type, code, checksum, flags/reserved, target */
#define ICMP6_TOTAL  (ND_LEN + 8)
#define NA_SOLICITED 0x40
#define RECV_MAX     256 /* frames read per call: the loop comes back for more */

struct sfo_probe {
	int fd;
	int ifindex;
	/* the last probes: who should answer, and to which of our addresses */
	struct sfo_neigh target[SFO_PROBE_TARGETS_MAX];
	struct sfo_addr src[SFO_PROBE_TARGETS_MAX];
	size_t n;
};

/* --- frames --- */

static uint8_t *put(uint8_t *p, const void *src, size_t len)
{
	memcpy(p, src, len);
	return p + len;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *put_eth(uint8_t *p, const uint8_t *dst, const uint8_t *src, uint16_t proto)
{
	p = put(p, dst, SFO_MAC_LEN);
	p = put(p, src, SFO_MAC_LEN);
	return put16(p, proto);
}

size_t sfo_arp_request_build(uint8_t *frame, const uint8_t mac[SFO_MAC_LEN],
			     const struct in_addr *src, const uint8_t dst_mac[SFO_MAC_LEN],
			     const struct in_addr *dst)
{
	uint8_t *p = frame;

	memset(frame, 0, SFO_ARP_FRAME_LEN);
	/* unicast to the neighbour, as the kernel probes an entry it knows */
	p = put_eth(p, dst_mac, mac, ETH_P_ARP);
	p = put16(p, 1); /* Ethernet */
	p = put16(p, ETH_P_IP);
	*p++ = SFO_MAC_LEN;
	*p++ = 4;
	p = put16(p, 1); /* request */
	p = put(p, mac, SFO_MAC_LEN);
	p = put(p, src, 4);
	p += SFO_MAC_LEN; /* target MAC: unknown, zero */
	put(p, dst, 4);
	return SFO_ARP_FRAME_LEN;
}

size_t sfo_ns_build(uint8_t *frame, const uint8_t mac[SFO_MAC_LEN], const struct in6_addr *src,
		    const uint8_t dst_mac[SFO_MAC_LEN], const struct in6_addr *dst)
{
	uint8_t *p = frame, *icmp;

	memset(frame, 0, SFO_NS_FRAME_LEN);
	/* unicast, as the kernel's probe of a neighbour it knows (RFC 4861 7.3.3) */
	p = put_eth(p, dst_mac, mac, ETH_P_IPV6);
	*p++ = 0x60;
	p += 3;
	p = put16(p, ICMP6_TOTAL);
	*p++ = IPPROTO_ICMPV6;
	*p++ = 255; /* hop limit: receivers drop ND with any other */
	p = put(p, src, 16);
	p = put(p, dst, 16);
	icmp = p;
	*p++ = ND_NEIGHBOR_SOLICIT;
	p += 7; /* code, checksum (below), reserved */
	p = put(p, dst, 16);
	*p++ = ND_OPT_SOURCE_LINKADDR;
	*p++ = 1; /* 8 bytes */
	put(p, mac, SFO_MAC_LEN);
	put16(icmp + 2,
	      nd_icmp6_csum((const uint8_t *)src, (const uint8_t *)dst, icmp, ICMP6_TOTAL));
	return SFO_NS_FRAME_LEN;
}

/* --- the socket --- */

/* ARP replies and neighbour advertisements only: the socket sees every
 * frame the interface receives, the filter keeps the rest in the kernel. */
static struct sock_filter answers_only[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 0, 2),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, ARP_OP),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 2, 5, 6), /* reply */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 5),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, IP6_NEXT),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 3),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ICMP6),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ND_NEIGHBOR_ADVERT, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 128), /* headers and NA target suffice */
	BPF_STMT(BPF_RET | BPF_K, 0),
};

int sfo_probe_open(int ifindex, struct sfo_probe **out)
{
	struct sock_fprog prog = { sizeof(answers_only) / sizeof(answers_only[0]), answers_only };
	struct sockaddr_ll sll = { 0 };
	struct sfo_probe *p;
	int one = 1;

	if (ifindex <= 0)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	/* protocol 0: nothing is queued before the filter is in place */
	p->ifindex = ifindex;
	p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0)
		goto fail;
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifindex;
	if (setsockopt(p->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    setsockopt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0 ||
	    bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto fail;
	*out = p;
	return 0;
fail:
	one = -errno;
	if (p->fd >= 0)
		close(p->fd);
	free(p);
	return one == -ENXIO ? -ENODEV : one;
}

int sfo_probe_fd(const struct sfo_probe *p)
{
	return p->fd;
}

int sfo_probe_release_fd(struct sfo_probe *p)
{
	int fd = p->fd;

	free(p);
	return fd;
}

void sfo_probe_close(struct sfo_probe *p)
{
	if (p)
		close(sfo_probe_release_fd(p));
}

/* --- choosing our address for a target --- */

static bool usable(const struct sfo_addr *a, int family)
{
	if (a->family != family)
		return false;
	if (family == AF_INET)
		return a->in.s_addr != INADDR_ANY;
	return !(a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) &&
	       !IN6_IS_ADDR_UNSPECIFIED(&a->in6) && !IN6_IS_ADDR_MULTICAST(&a->in6);
}

static bool in_prefix(const uint8_t *a, const uint8_t *b, unsigned int bits)
{
	unsigned int bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	return !rest || ((a[bytes] ^ b[bytes]) & (0xff00 >> rest)) == 0;
}

static const struct sfo_addr *source_for(const struct sfo_neigh *t, const struct sfo_addr *addrs,
					 size_t n)
{
	const struct sfo_addr *fallback = NULL;
	bool ll = t->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&t->in6);

	for (size_t i = 0; i < n; i++) {
		const struct sfo_addr *a = &addrs[i];
		const uint8_t *mine =
			t->family == AF_INET ? (const uint8_t *)&a->in : (const uint8_t *)&a->in6;
		const uint8_t *theirs =
			t->family == AF_INET ? (const uint8_t *)&t->in : (const uint8_t *)&t->in6;

		if (!usable(a, t->family))
			continue;
		if (t->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&a->in6) != ll)
			continue; /* a link-local target is asked from a link-local address */
		if (in_prefix(mine, theirs, a->prefixlen))
			return a;
		if (!fallback)
			fallback = a;
	}
	return fallback;
}

int sfo_probe_send(struct sfo_probe *p, const uint8_t mac[SFO_MAC_LEN],
		   const struct sfo_addr *addrs, size_t n_addrs, const struct sfo_neigh *targets,
		   size_t n_targets)
{
	uint8_t frame[SFO_NS_FRAME_LEN > SFO_ARP_FRAME_LEN ? SFO_NS_FRAME_LEN : SFO_ARP_FRAME_LEN];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_ifindex = p->ifindex,
				   .sll_halen = SFO_MAC_LEN };
	int sent = 0, first = 0;
	size_t len;

	p->n = 0;
	for (size_t i = 0; i < n_targets && p->n < SFO_PROBE_TARGETS_MAX; i++) {
		const struct sfo_neigh *t = &targets[i];
		const struct sfo_addr *src = source_for(t, addrs, n_addrs);

		if (!src)
			continue;
		if (t->family == AF_INET) {
			len = sfo_arp_request_build(frame, mac, &src->in, t->mac, &t->in);
			sll.sll_protocol = htons(ETH_P_ARP);
		} else {
			len = sfo_ns_build(frame, mac, &src->in6, t->mac, &t->in6);
			sll.sll_protocol = htons(ETH_P_IPV6);
		}
		p->target[p->n] = *t;
		p->src[p->n++] = *src;
		memcpy(sll.sll_addr, t->mac, SFO_MAC_LEN);
		if (sendto(p->fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
			if (!first)
				first = -errno;
			continue;
		}
		sent++;
	}
	if (!p->n)
		return -ENOENT;
	return sent ? sent : first;
}

/* --- answers --- */

static bool is_answer(const struct sfo_probe *p, const uint8_t *f, size_t len, char *who,
		      size_t wlen)
{
	uint16_t proto = (uint16_t)(f[12] << 8 | f[13]);

	for (size_t i = 0; i < p->n; i++) {
		const struct sfo_neigh *t = &p->target[i];

		if (t->family == AF_INET && proto == ETH_P_ARP && len >= ARP_TPA + 4 &&
		    (f[ARP_OP] << 8 | f[ARP_OP + 1]) == 2 && memcmp(f + ARP_SPA, &t->in, 4) == 0 &&
		    memcmp(f + ARP_TPA, &p->src[i].in, 4) == 0) {
			sfo_neigh_str(t, who, wlen);
			return true;
		}
		if (t->family == AF_INET6 && proto == ETH_P_IPV6 && len >= ICMP6 + ND_LEN &&
		    f[IP6_NEXT] == IPPROTO_ICMPV6 && f[ICMP6] == ND_NEIGHBOR_ADVERT &&
		    (f[ICMP6 + 4] & NA_SOLICITED) && memcmp(f + ICMP6 + 8, &t->in6, 16) == 0) {
			sfo_neigh_str(t, who, wlen);
			return true;
		}
	}
	return false;
}

int sfo_probe_receive(struct sfo_probe *p, char *who, size_t len)
{
	uint8_t buf[256];
	struct sockaddr_ll from;
	socklen_t flen;
	ssize_t n;

	for (int i = 0; i < RECV_MAX; i++) {
		flen = sizeof(from);
		n = recvfrom(p->fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&from, &flen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		}
		if ((size_t)n > sizeof(buf))
			n = sizeof(buf);
		if (from.sll_pkttype == PACKET_OUTGOING || n < ETH_HDR)
			continue;
		if (is_answer(p, buf, (size_t)n, who, len))
			return 1;
	}
	return 0;
}
