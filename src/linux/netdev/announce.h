/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tell the network where a MAC address lives now: a gratuitous ARP for an
 * IPv4 address, an unsolicited neighbour advertisement for an IPv6 address,
 * a RARP (as QEMU's self-announce) for a MAC without a known address; each
 * from a given source MAC, optionally VLAN-tagged, sent out of one interface.
 */
#ifndef SFO_NETDEV_ANNOUNCE_H
#define SFO_NETDEV_ANNOUNCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "sfo/types.h"

#define SFO_ANN_TAGS_MAX 2 /* 802.1ad + 802.1Q (QinQ) at most */

enum sfo_ann_kind {
	SFO_ANN_GARP, /* broadcast ARP request, sender = target = the IPv4 address */
	SFO_ANN_NA,   /* to ff02::1, override flag, target link-layer address option */
	SFO_ANN_RARP, /* broadcast RARP request for the MAC itself: switches learn it */
};

struct sfo_vlan_tag {
	uint16_t proto; /* ETH_P_8021Q or ETH_P_8021AD */
	uint16_t id;
};

struct sfo_announcement {
	enum sfo_ann_kind kind;
	uint8_t mac[SFO_MAC_LEN]; /* source MAC, and the MAC announced */
	uint8_t n_tags;
	struct sfo_vlan_tag tags[SFO_ANN_TAGS_MAX]; /* outermost first */
	struct sfo_addr addr;			    /* SFO_ANN_GARP, SFO_ANN_NA */
};

/* Untagged lengths: ARP/RARP padded to the Ethernet minimum; NA is
 * 14 + 40 IPv6 + 24 NA + 8 target link-layer option. Each tag adds 4. */
#define SFO_GARP_FRAME_LEN 60
#define SFO_NA_FRAME_LEN   86
#define SFO_ANN_FRAME_MAX  (SFO_NA_FRAME_LEN + 4 * SFO_ANN_TAGS_MAX)

/* Build @a's frame into @frame (SFO_ANN_FRAME_MAX bytes); returns its length. */
size_t sfo_announcement_frame(uint8_t *frame, const struct sfo_announcement *a);

/*
 * Whether @a may be announced: a non-zero IPv4 address, or an IPv6 address
 * neither unspecified nor multicast nor tentative or DAD-failed (RFC 4862:
 * a tentative address must not be advertised).
 */
bool sfo_addr_announceable(const struct sfo_addr *a);

/*
 * A send-only AF_PACKET socket (protocol 0, unbound, non-blocking): it
 * sends to the ifindex given with each frame and never receives. Keep it:
 * closing a packet socket waits for an RCU grace period (~10 ms).
 * Returns the descriptor or -errno.
 */
int sfo_announce_socket(void);

/*
 * Send @n announcements out of @ifindex through @fd, without blocking.
 * Stores in *@sent how many frames left (may be NULL). Returns 0 when all
 * did, else the first failure's negative errno (-ENODEV: no such ifindex;
 * -EAGAIN: the socket's buffer is full); the rest are still attempted.
 */
int sfo_announce_send(int fd, int ifindex, const struct sfo_announcement *a, size_t n,
		      size_t *sent);

#endif /* SFO_NETDEV_ANNOUNCE_H */
