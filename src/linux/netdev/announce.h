/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tell the network where a MAC address lives now: a gratuitous ARP for each
 * IPv4 address and an unsolicited neighbour advertisement for each IPv6
 * address, sent from a given MAC out of a given interface.
 */
#ifndef SFO_NETDEV_ANNOUNCE_H
#define SFO_NETDEV_ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "sfo/types.h"

#define SFO_GARP_FRAME_LEN 60 /* 42 bytes padded to the Ethernet minimum */
#define SFO_NA_FRAME_LEN   86 /* 14 + 40 IPv6 + 24 NA + 8 target LL option */

/*
 * Send one announcement per address of @addrs through an AF_PACKET socket
 * bound to @ifindex, with source MAC @mac. IPv6 addresses flagged tentative
 * or DAD-failed, and unspecified or multicast ones, are skipped. Returns 0
 * when every frame was sent, else the first failure's negative errno (the
 * others are still attempted).
 */
int sfo_announce(int ifindex, const uint8_t mac[SFO_MAC_LEN], const struct sfo_addr *addrs,
		 size_t n);

/*
 * Build the frames sfo_announce() sends, into @frame (at least the _LEN
 * above). Gratuitous ARP: broadcast ARP request, sender = target = @ip.
 * NA: to 33:33:00:00:00:01 / ff02::1 from @ip, hop limit 255, override
 * flag, target link-layer address option. Return the frame length.
 */
size_t sfo_garp_build(uint8_t *frame, const uint8_t mac[SFO_MAC_LEN], const struct in_addr *ip);
size_t sfo_na_build(uint8_t *frame, const uint8_t mac[SFO_MAC_LEN], const struct in6_addr *ip);

#endif /* SFO_NETDEV_ANNOUNCE_H */
