/* SPDX-License-Identifier: BSD-2-Clause */
/* struct sfo_link (+ ethtool, sysfs) -> struct sfo_adapter_info, counters. */
#include "adapter.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "ethtool.h"
#include "rtnl.h"
#include "sysfs.h"

/* Kinds that are masters of other devices, or sit on a lower device. */
static const char *const stacked_kinds[] = {
	"bridge", "bond",    "team",   "vrf",	  "openvswitch",
	"vlan",	  "macvlan", "ipvlan", "macvtap", "ipvtap",
};

bool sfo_link_kind_is_stacked(const char *kind)
{
	size_t i;

	if (!kind || !*kind)
		return false;
	for (i = 0; i < sizeof(stacked_kinds) / sizeof(stacked_kinds[0]); i++) {
		if (!strcmp(kind, stacked_kinds[i]))
			return true;
	}
	return false;
}

static bool nonzero_mac(const uint8_t *mac)
{
	static const uint8_t zero[SFO_MAC_LEN];

	return memcmp(mac, zero, SFO_MAC_LEN) != 0;
}

uint32_t sfo_adapter_flags(const struct sfo_link *link)
{
	uint32_t f = 0;

	if (link->flags & IFF_UP)
		f |= SFO_AF_UP;
	/* LOWER_UP comes a little before RUNNING (operstate up); a bridge on
	 * the far side forwards only from then on, so steering on LOWER_UP
	 * alone lost frames on fail-back (bench/RESULTS.md). */
	if ((link->flags & SFO_IFF_LOWER_UP) && (link->flags & IFF_RUNNING))
		f |= SFO_AF_CARRIER;
	if (link->flags & IFF_PROMISC)
		f |= SFO_AF_PROMISC;
	if (link->flags & IFF_ALLMULTI)
		f |= SFO_AF_ALLMULTI;
	if (link->master > 0 || (link->flags & (IFF_MASTER | IFF_SLAVE)) ||
	    sfo_link_kind_is_stacked(link->kind))
		f |= SFO_AF_STACKED;
	return f;
}

int sfo_adapter_info_from_link(const struct sfo_link *link, struct sfo_adapter_info *info)
{
	uint8_t mac[SFO_MAC_LEN];
	bool gone;

	memset(info, 0, sizeof(*info));
	if (link->ifindex <= 0 || !link->name[0])
		return -EINVAL;
	info->id = (uint32_t)link->ifindex;
	snprintf(info->name, sizeof(info->name), "%s", link->name);
	snprintf(info->kind, sizeof(info->kind), "%s", link->kind);
	/* ENODEV: the device is no longer there under this name (an event read
	 * after its unregistration, or before a rename). Ask ethtool nothing
	 * more: every ioctl on a missing name makes the kernel run modprobe
	 * twice (netdev-NAME, NAME), which delays the next events; a later
	 * NEWLINK or DELLINK tells what became of it. */
	gone = sfo_ethtool_drvinfo(link->name, info->driver, sizeof(info->driver), NULL, 0) ==
	       -ENODEV;

	/* sysfs may show another namespace's devices: trust it only if it agrees. */
	if (sfo_sysfs_ifindex(link->name) == link->ifindex)
		(void)sfo_sysfs_pci_ids(link->name, &info->pci_vendor, &info->pci_device);

	if (link->perm_addr_len == SFO_MAC_LEN && nonzero_mac(link->perm_addr))
		memcpy(info->perm_mac, link->perm_addr, SFO_MAC_LEN);
	else if (!gone && sfo_ethtool_perm_addr(link->name, mac) == 0)
		memcpy(info->perm_mac, mac, SFO_MAC_LEN);
	else if (link->addr_len == SFO_MAC_LEN)
		memcpy(info->perm_mac, link->addr, SFO_MAC_LEN);

	info->flags = sfo_adapter_flags(link);
	info->master_id = link->master > 0 ? (uint32_t)link->master : 0;
	info->mtu = link->mtu;
	info->max_mtu = link->max_mtu;
	if (gone || sfo_ethtool_get_offloads(link->name, &info->offloads_supported,
					     &info->offloads_active) < 0) {
		info->offloads_supported = 0;
		info->offloads_active = 0;
	}
	return 0;
}

int sfo_adapter_info_refresh(const struct sfo_link *link, struct sfo_adapter_info *info)
{
	bool perm = link->perm_addr_len == SFO_MAC_LEN && nonzero_mac(link->perm_addr);

	if (link->ifindex <= 0 || info->id != (uint32_t)link->ifindex ||
	    strcmp(info->name, link->name) != 0)
		return -ESTALE;
	/* without IFLA_PERM_ADDRESS the identity may be the current MAC */
	if (!perm &&
	    (link->addr_len != SFO_MAC_LEN || memcmp(link->addr, info->perm_mac, SFO_MAC_LEN) != 0))
		return -ESTALE;
	if (perm)
		memcpy(info->perm_mac, link->perm_addr, SFO_MAC_LEN);
	snprintf(info->kind, sizeof(info->kind), "%s", link->kind);
	info->flags = sfo_adapter_flags(link);
	info->master_id = link->master > 0 ? (uint32_t)link->master : 0;
	info->mtu = link->mtu;
	info->max_mtu = link->max_mtu;
	return 0;
}

int sfo_counters_from_link(const struct sfo_link *link, struct sfo_counters *out)
{
	const struct rtnl_link_stats64 *s = &link->stats64;

	memset(out, 0, sizeof(*out));
	out->width = 64;
	if (!link->has_stats64)
		return -ENODATA;
	out->v[SFO_CTR_RX_PACKETS] = s->rx_packets;
	out->v[SFO_CTR_TX_PACKETS] = s->tx_packets;
	out->v[SFO_CTR_RX_BYTES] = s->rx_bytes;
	out->v[SFO_CTR_TX_BYTES] = s->tx_bytes;
	out->v[SFO_CTR_RX_ERRORS] = s->rx_errors;
	out->v[SFO_CTR_TX_ERRORS] = s->tx_errors;
	out->v[SFO_CTR_RX_DROPPED] = s->rx_dropped;
	out->v[SFO_CTR_TX_DROPPED] = s->tx_dropped;
	out->v[SFO_CTR_MULTICAST] = s->multicast;
	out->v[SFO_CTR_COLLISIONS] = s->collisions;
	return 0;
}

int sfo_adapter_read_counters(struct sfo_rtnl *rt, int ifindex, struct sfo_counters *out)
{
	struct sfo_link link;
	int ret;

	ret = sfo_rtnl_get_link(rt, ifindex, NULL, &link, NULL, 0);
	if (ret < 0)
		return ret;
	return sfo_counters_from_link(&link, out);
}
