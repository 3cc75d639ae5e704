// SPDX-License-Identifier: BSD-2-Clause
/*
 * The facts, to the engine, with the lock held: a standby is an adapter the
 * filter runs over, a VF candidate an adapter offered to the protocol; the
 * engine decides the roles (its policy: standby-drivers, the VF allowlist)
 * and what follows. A VF binding is "up" while open and not paused, which
 * is when it may carry traffic: a pause (before an unbind, on hot-unplug or
 * surprise removal, or a stack change) reads as the VF going down, and the
 * engine moves the traffic off it at once.
 */
#include "sriovfo.h"

/* @prefix and the decimal @id: the adapter's name in the engine's status and log. */
static void name(char *dst, const char *prefix, uint32_t id)
{
	char digits[10];
	int n = 0, i = 0;

	do
		digits[n++] = (char)('0' + id % 10);
	while ((id /= 10) && n < (int)sizeof(digits));
	while (*prefix)
		dst[i++] = *prefix++;
	while (n)
		dst[i++] = digits[--n];
	dst[i] = '\0';
}

void sfo_report_standby_locked(const struct sfo_standby *sb)
{
	struct sfo_adapter_info info;

	__builtin_memset(&info, 0, sizeof(info));
	info.id = sb->id;
	name(info.name, "standby", sb->id);
	for (int i = 0; sb->driver[i] && i + 1 < SFO_DRIVER_MAX; i++)
		info.driver[i] = sb->driver[i];
	info.pci_vendor = sb->pci_vendor;
	info.pci_device = sb->pci_device;
	__builtin_memcpy(info.perm_mac, sb->mac, SFO_WIN_MAC_LEN);
	/* up while the filter is attached; the carrier is its miniport's link
	 * (filter_status.c), as the Linux edge reports a standby's. The engine
	 * keeps a VF with link serving when the standby has none. */
	info.flags = SFO_AF_UP;
	if (sb->link_up)
		info.flags |= SFO_AF_CARRIER;
	info.mtu = sb->mtu;
	sfo_engine_adapter_update(sfo_drv.engine, &info);
}

void sfo_report_vf_locked(const struct sfo_vf *vf)
{
	struct sfo_adapter_info info;

	__builtin_memset(&info, 0, sizeof(info));
	info.id = vf->id;
	name(info.name, "vf", vf->id);
	info.pci_vendor = vf->pci_vendor;
	info.pci_device = vf->pci_device;
	__builtin_memcpy(info.perm_mac, vf->mac, SFO_WIN_MAC_LEN);
	if (vf->open && !vf->paused)
		info.flags |= SFO_AF_UP;
	if (vf->link_up)
		info.flags |= SFO_AF_CARRIER;
	info.mtu = vf->mtu;
	sfo_engine_adapter_update(sfo_drv.engine, &info);
}

/* The portable view of the standby's NDIS receive settings: what the engine
 * compares and hands to vf_set_rx_mode (the VF is then sent the NDIS values
 * themselves, oid.c). */
void sfo_report_rx_mode_locked(const struct sfo_standby *sb)
{
	const struct sfo_win_rx_mode *rx = &sb->rx_mode;
	struct sfo_rx_mode mode;

	mode.promisc = (rx->packet_filter & NDIS_PACKET_TYPE_PROMISCUOUS) != 0;
	mode.allmulti = (rx->packet_filter & NDIS_PACKET_TYPE_ALL_MULTICAST) ||
			(rx->mcast_overflow && (rx->packet_filter & NDIS_PACKET_TYPE_MULTICAST));
	mode.mc_count = rx->n_mcast;
	mode.mc_list = (const uint8_t(*)[SFO_MAC_LEN])rx->mcast;
	sfo_engine_standby_rx_mode(sfo_drv.engine, sb->id, &mode);
}

void sfo_report_gone_locked(uint32_t id)
{
	sfo_engine_adapter_removed(sfo_drv.engine, id);
}
