/* SPDX-License-Identifier: BSD-2-Clause */
/* Neighbours of an interface worth probing: the kernel's neighbour table and
 * its default gateways. */
#ifndef SFO_NETDEV_NEIGH_H
#define SFO_NETDEV_NEIGH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sfo/types.h"

struct sfo_rtnl;

struct sfo_neigh {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr in;
		struct in6_addr in6;
	};
	uint8_t mac[SFO_MAC_LEN];
	uint16_t state; /* NUD_* */
	bool gateway;	/* a default route of the interface goes through it */
};

/*
 * The neighbours of @ifindex that should answer a probe, best first, into
 * @out (up to @max): those with a link-layer address in state REACHABLE,
 * STALE, DELAY, PROBE or PERMANENT; default gateways first, then confirmed
 * ones (REACHABLE, PERMANENT), then the others. Returns how many were
 * stored, or a negative errno with the reason in @err.
 */
int sfo_neigh_probe_targets(struct sfo_rtnl *rt, int ifindex, struct sfo_neigh *out, size_t max,
			    char *err, size_t errlen);

/* "10.0.0.1" or "fe80::1" */
const char *sfo_neigh_str(const struct sfo_neigh *n, char *buf, size_t len);

#endif /* SFO_NETDEV_NEIGH_H */
