// SPDX-License-Identifier: BSD-2-Clause
/*
 * The engine's configuration in the driver: the engine's defaults, the
 * filter's adapters as the standbys, and a VF allowlist by PCI
 * vendor:device. The Linux edge knows a VF by its driver (policy.c's list);
 * on Windows the driver's name says little, so the same families are listed
 * by the PCI ids of their virtual functions, as the Linux drivers' tables
 * name them. The engine's policy decides (sfo_policy_vf_allowed). The
 * registry adds to the list: Parameters\VfPciIds (pci_list.c; vf-pci-ids of
 * sriov-failover.conf), read once in DriverEntry.
 */
#include "sriovfo.h"

/* The names a standby reports (standby.c): the engine's policy decides. */
static char standby_drivers[][SFO_DRIVER_MAX] = { SFO_WIN_VIRTIO_DRIVER, SFO_WIN_LISTED_STANDBY };

#define VF(vendor, device)            \
	{                             \
		vendor, device, false \
	}

static struct sfo_pci_id vf_pci_ids[] = {
	/* Intel Ethernet Adaptive VF / 700 series VF (iavf) */
	VF(0x8086, 0x154c),
	VF(0x8086, 0x1571),
	VF(0x8086, 0x1889),
	VF(0x8086, 0x37cd),
	/* Intel 82599/X540/X550 VF (ixgbevf), also their Hyper-V variants */
	VF(0x8086, 0x10ed),
	VF(0x8086, 0x1515),
	VF(0x8086, 0x1565),
	VF(0x8086, 0x15a8),
	VF(0x8086, 0x15c5),
	VF(0x8086, 0x152e),
	VF(0x8086, 0x1530),
	VF(0x8086, 0x1564),
	VF(0x8086, 0x15a9),
	/* Intel 82576/I350 VF (igbvf) */
	VF(0x8086, 0x10ca),
	VF(0x8086, 0x1520),
	/* NVIDIA/Mellanox ConnectX-3 (mlx4) and ConnectX-4 onwards (mlx5) VFs */
	VF(0x15b3, 0x1002),
	VF(0x15b3, 0x1004),
	VF(0x15b3, 0x1012),
	VF(0x15b3, 0x1014),
	VF(0x15b3, 0x1016),
	VF(0x15b3, 0x1018),
	VF(0x15b3, 0x101a),
	VF(0x15b3, 0x101c),
	VF(0x15b3, 0x101e),
	/* Broadcom NetXtreme-C/E VFs (bnxt_en) */
	VF(0x14e4, 0x16c1),
	VF(0x14e4, 0x16cb),
	VF(0x14e4, 0x16d3),
	VF(0x14e4, 0x16dc),
	VF(0x14e4, 0x16e1),
	VF(0x14e4, 0x16e5),
	VF(0x14e4, 0x1606),
	VF(0x14e4, 0x1807),
	/* AWS Elastic Network Adapter (ena) */
	VF(0x1d0f, 0x0ec2),
	VF(0x1d0f, 0x1ec2),
	VF(0x1d0f, 0xec20),
	VF(0x1d0f, 0xec21),
	/* Marvell FastLinQ VFs (qede) */
	VF(0x1077, 0x1664),
	VF(0x1077, 0x8090),
	/* Cisco VIC VF (enic) */
	VF(0x1137, 0x0071),
	/* Microsoft Azure Network Adapter VF (mana) */
	VF(0x1414, 0x00ba),
};

#define N_DEFAULT_IDS (sizeof(vf_pci_ids) / sizeof(vf_pci_ids[0]))

void sfo_win_load_config(struct sfo_config *cfg, PUNICODE_STRING registry_path)
{
	size_t n = 0;
	struct sfo_pci_id *ids =
		sfo_win_registry_pci_ids(registry_path, u"VfPciIds", vf_pci_ids, N_DEFAULT_IDS, &n);

	sfo_config_defaults(cfg);
	cfg->standby_drivers = standby_drivers;
	cfg->n_standby_drivers = sizeof(standby_drivers) / sizeof(standby_drivers[0]);
	cfg->vf_pci_ids = ids ? ids : vf_pci_ids;
	cfg->n_vf_pci_ids = ids ? n : N_DEFAULT_IDS;
}

void sfo_win_free_config(struct sfo_config *cfg)
{
	if (cfg->vf_pci_ids != vf_pci_ids)
		sfo_win_free(cfg->vf_pci_ids);
	cfg->vf_pci_ids = NULL;
}
