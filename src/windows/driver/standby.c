// SPDX-License-Identifier: BSD-2-Clause
/*
 * Which adapters are standbys, the ones the filter attaches to: by the PCI
 * vendor:device of the miniport's device. By default virtio-net's, the
 * device NetKVM drives: 1af4:1000 (legacy/transitional) and 1af4:1041
 * (modern: 0x1040 + virtio device id 1), as the virtio specification's
 * "PCI Device Discovery" and QEMU's docs/specs/pci-ids list them. The
 * registry adds others: Parameters\StandbyPciIds, a REG_MULTI_SZ like
 * VfPciIds, read once in DriverEntry.
 *
 * The engine's policy decides by driver name (its standby-drivers, config.c):
 * a virtio-net standby reports "netkvm", one the registry listed
 * SFO_WIN_LISTED_STANDBY (the driver's service name is not a property the
 * filter can read cheaply; the PCI ids are reported beside it).
 */
#include "sriovfo.h"

static const struct sfo_pci_id virtio_net[] = {
	{ 0x1af4, 0x1000, false },
	{ 0x1af4, 0x1041, false },
};

#define N_VIRTIO_NET (sizeof(virtio_net) / sizeof(virtio_net[0]))

void sfo_win_load_standby_ids(PUNICODE_STRING registry_path)
{
	size_t n = 0;

	sfo_drv.standby_ids =
		sfo_win_registry_pci_ids(registry_path, u"StandbyPciIds", NULL, 0, &n);
	sfo_drv.n_standby_ids = sfo_drv.standby_ids ? n : 0;
}

void sfo_win_free_standby_ids(void)
{
	if (sfo_drv.standby_ids)
		sfo_win_free(sfo_drv.standby_ids);
	sfo_drv.standby_ids = NULL;
	sfo_drv.n_standby_ids = 0;
}

const char *sfo_win_standby_driver(USHORT vendor, USHORT device)
{
	if (sfo_win_pci_id_listed(virtio_net, N_VIRTIO_NET, vendor, device))
		return SFO_WIN_VIRTIO_DRIVER;
	if (sfo_win_pci_id_listed(sfo_drv.standby_ids, sfo_drv.n_standby_ids, vendor, device))
		return SFO_WIN_LISTED_STANDBY;
	return NULL;
}
