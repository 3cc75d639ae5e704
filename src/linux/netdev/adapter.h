/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Translate what Linux knows about an interface into the portable types of
 * sfo/types.h: struct sfo_adapter_info and struct sfo_counters.
 */
#ifndef SFO_NETDEV_ADAPTER_H
#define SFO_NETDEV_ADAPTER_H

#include <stdbool.h>

#include "link.h"
#include "sfo/types.h"

struct sfo_rtnl;

/*
 * Fill @info from @link plus ethtool (driver, permanent MAC fallback,
 * offloads) and sysfs (PCI ids). Parts that cannot be read stay empty/0:
 * the result is always usable. perm_mac: IFLA_PERM_ADDRESS, else ethtool's
 * permanent address if non-zero, else the current MAC. Returns 0, or
 * -EINVAL if @link is not a usable link (no ifindex or name).
 */
int sfo_adapter_info_from_link(const struct sfo_link *link, struct sfo_adapter_info *info);

/*
 * Bring @info, read earlier for the same device and name, up to date with
 * @link's message alone: flags, master, MTU and maximum, and the permanent
 * MAC if the message carries one. What ethtool and sysfs said (driver, PCI
 * ids, offloads) is kept: those ioctls wait for the RTNL lock, which the
 * kernel's own link-up work holds while a VF comes up. Returns 0, or
 * -ESTALE when the message may show another identity (another device or
 * name, or no permanent MAC and a current one other than @info's): then
 * only sfo_adapter_info_from_link() can tell.
 */
int sfo_adapter_info_refresh(const struct sfo_link *link, struct sfo_adapter_info *info);

/* The SFO_AF_* flags of @link, from the message alone (no ethtool, no
 * sysfs): what sfo_adapter_info_from_link() puts in info->flags. */
uint32_t sfo_adapter_flags(const struct sfo_link *link);

/* True for link kinds that make a device an upper or lower of another
 * (bridge, bond, team, vrf; vlan, macvlan, ipvlan, macvtap, ipvtap). */
bool sfo_link_kind_is_stacked(const char *kind);

/* Counters (width 64) from the link's IFLA_STATS64. -ENODATA if it had none. */
int sfo_counters_from_link(const struct sfo_link *link, struct sfo_counters *out);

/* Query @ifindex now and convert its counters. */
int sfo_adapter_read_counters(struct sfo_rtnl *rt, int ifindex, struct sfo_counters *out);

#endif /* SFO_NETDEV_ADAPTER_H */
