/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What to announce after a switch for one standby, from a snapshot of the
 * links, addresses and bridge forwarding entries: whatever reaches the
 * network through the standby must be learned on its new port.
 *
 *  - the standby's addresses, from its MAC;
 *  - the addresses of its upper devices, from the upper's MAC: the bridge it
 *    is a port of, vlan (tagged with the VLAN id), macvlan/macvtap and
 *    ipvlan/ipvtap on it, and so on upwards (a vlan on the bridge, a bridge
 *    on a vlan...);
 *  - every MAC a bridge above it has learned on its other ports (a
 *    container's veth, a nested VM's tap), one RARP from that MAC.
 *
 * No I/O: the snapshot comes from the caller (announcer.c over rtnetlink).
 */
#ifndef SFO_NETDEV_ANNOUNCE_PLAN_H
#define SFO_NETDEV_ANNOUNCE_PLAN_H

#include <stddef.h>

#include "addr.h"
#include "announce.h"
#include "fdb.h"
#include "link.h"

#define SFO_ANN_DEPTH_MAX 4 /* upper devices above uppers, at most */

struct sfo_ifaddr {
	int ifindex;
	struct sfo_addr addr;
};

struct sfo_net_view {
	const struct sfo_link *links;
	size_t n_links;
	const struct sfo_ifaddr *addrs;
	size_t n_addrs;
	const struct sfo_fdb_entry *fdb;
	size_t n_fdb;
};

/*
 * The announcements for @standby in @v, into @out (up to @max). Devices
 * that are down, in another network namespace, or more than
 * SFO_ANN_DEPTH_MAX levels up, and stacks of more than SFO_ANN_TAGS_MAX
 * VLANs, are left out; a MAC is announced once per VLAN path. Returns how
 * many there are, which may exceed @max (then only @max were stored).
 */
size_t sfo_announce_plan(const struct sfo_net_view *v, int standby, struct sfo_announcement *out,
			 size_t max);

#endif /* SFO_NETDEV_ANNOUNCE_PLAN_H */
