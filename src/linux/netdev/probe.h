/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Prove the path through an interface: an ARP request (IPv4) or a neighbour
 * solicitation (IPv6) to known neighbours, sent out of it from a given MAC
 * and addresses, and their answers caught on it.
 *
 * The answers are caught by a packet socket bound to the interface: packet
 * taps see a received frame before the tc ingress hook, so an answer is
 * seen even when a tc program redirects the interface's frames elsewhere.
 * The socket is non-blocking, for an event loop.
 */
#ifndef SFO_NETDEV_PROBE_H
#define SFO_NETDEV_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "neigh.h"
#include "sfo/types.h"

#define SFO_PROBE_TARGETS_MAX 4
#define SFO_ARP_FRAME_LEN     60 /* 42 bytes padded to the Ethernet minimum */
#define SFO_NS_FRAME_LEN      86 /* 14 + 40 IPv6 + 24 NS + 8 source LL option */

struct sfo_probe;

/* A probe of @ifindex: its packet socket, catching answers from now on.
 * 0 or a negative errno. */
int sfo_probe_open(int ifindex, struct sfo_probe **out);
/* Close the socket (the kernel waits for an RCU grace period, ~10 ms: a
 * caller that must not wait closes sfo_probe_release_fd() elsewhere). */
void sfo_probe_close(struct sfo_probe *p);
/* Free @p and hand its socket to the caller, who closes it. */
int sfo_probe_release_fd(struct sfo_probe *p);
int sfo_probe_fd(const struct sfo_probe *p);

/*
 * Send one probe to each of @targets (up to SFO_PROBE_TARGETS_MAX), unicast
 * to its MAC, from @mac and the address of @addrs that suits it (IPv4: one
 * in its subnet, else the first; IPv6: link-local for a link-local target,
 * else one in its prefix or any global one; tentative ones never). Answers
 * to these are what sfo_probe_receive() looks for. Returns how many were
 * sent, -ENOENT if no target has a source address, or the first send's
 * negative errno when none went out.
 */
int sfo_probe_send(struct sfo_probe *p, const uint8_t mac[SFO_MAC_LEN],
		   const struct sfo_addr *addrs, size_t n_addrs, const struct sfo_neigh *targets,
		   size_t n_targets);

/* Read what arrived: 1 if an answer to the last probes came (who answered
 * in @who), 0 if none is left to read, or a negative errno. */
int sfo_probe_receive(struct sfo_probe *p, char *who, size_t len);

/* The frames sfo_probe_send() sends; return their length. */
size_t sfo_arp_request_build(uint8_t *frame, const uint8_t mac[SFO_MAC_LEN],
			     const struct in_addr *src, const uint8_t dst_mac[SFO_MAC_LEN],
			     const struct in_addr *dst);
size_t sfo_ns_build(uint8_t *frame, const uint8_t mac[SFO_MAC_LEN], const struct in6_addr *src,
		    const uint8_t dst_mac[SFO_MAC_LEN], const struct in6_addr *dst);

#endif /* SFO_NETDEV_PROBE_H */
