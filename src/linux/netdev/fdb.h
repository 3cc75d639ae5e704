/* SPDX-License-Identifier: BSD-2-Clause */
/* One bridge forwarding-database entry, as rtnetlink reports it (AF_BRIDGE neighbours). */
#ifndef SFO_NETDEV_FDB_H
#define SFO_NETDEV_FDB_H

#include <stdbool.h>
#include <stdint.h>

#include "sfo/types.h"

struct nlmsghdr;

struct sfo_fdb_entry {
	int port;   /* ndm_ifindex: the port (or device) the entry belongs to */
	int master; /* NDA_MASTER: the bridge, 0 for an entry of the device itself */
	uint8_t mac[SFO_MAC_LEN];
	uint16_t vlan;	/* NDA_VLAN, 0 if none */
	uint16_t state; /* NUD_PERMANENT (local), NUD_NOARP (static), NUD_REACHABLE... */
	uint8_t flags;	/* NTF_SELF, NTF_MASTER, NTF_EXT_LEARNED... */
};

/*
 * Decode an RTM_NEWNEIGH of family AF_BRIDGE with a 6-byte NDA_LLADDR into
 * @e. Returns 0, -EINVAL for another message type, -EAFNOSUPPORT for
 * another family (ARP/ND neighbours), -EBADMSG for a malformed message.
 */
int sfo_fdb_parse(const struct nlmsghdr *nlh, struct sfo_fdb_entry *e);

/*
 * True when @e is a MAC the bridge learned, or was told, lives behind one
 * of its ports: a bridge entry, neither the bridge's or a port's own
 * address (NUD_PERMANENT) nor a device's own unicast filter (NTF_SELF),
 * and a unicast MAC.
 */
bool sfo_fdb_is_remote(const struct sfo_fdb_entry *e);

#endif /* SFO_NETDEV_FDB_H */
