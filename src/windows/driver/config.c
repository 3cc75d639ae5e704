// SPDX-License-Identifier: BSD-2-Clause
/*
 * The engine's configuration in the driver: the engine's defaults, the
 * filter's adapters as the standbys, and a VF allowlist by PCI
 * vendor:device. The Linux edge knows a VF by its driver (policy.c's list);
 * on Windows the driver's name says little, so the same families are listed
 * by the PCI ids of their virtual functions, as the Linux drivers'
 * pci_device_id tables name them: each family cites its kernel file, read
 * in torvalds/linux (recent snapshots, not one pinned release; a later
 * kernel may know more ids). The engine's policy decides
 * (sfo_policy_vf_allowed). The registry adds to the list:
 * Parameters\VfPciIds (pci_list.c; vf-pci-ids of sriov-failover.conf), read
 * once in DriverEntry.
 */
#include "sriovfo.h"

/* The names a standby reports (standby.c): the engine's policy decides. */
static char standby_drivers[][SFO_DRIVER_MAX] = { SFO_WIN_VIRTIO_DRIVER, SFO_WIN_LISTED_STANDBY };

#define VF(vendor, device)            \
	{                             \
		vendor, device, false \
	}
#define CHELSIO_VF(device) VF(0x1425, (device) | 0x0800)

static struct sfo_pci_id vf_pci_ids[] = {
	/* iavf (Intel Adaptive VF, 700 series VF and its Hyper-V variant, X722 VF):
	 * drivers/net/ethernet/intel/iavf/iavf_main.c iavf_pci_tbl, ids in
	 * iavf_devids.h */
	VF(0x8086, 0x154c),
	VF(0x8086, 0x1571),
	VF(0x8086, 0x1889),
	VF(0x8086, 0x37cd),
	/* ixgbevf (82599, X540, X550, X550EM_x, X550EM_a, E610 VFs, and the
	 * Hyper-V variants; E610's is a subsystem id of 0x57ad):
	 * drivers/net/ethernet/intel/ixgbevf/ixgbevf_main.c ixgbevf_pci_tbl,
	 * ids in ixgbevf/defines.h */
	VF(0x8086, 0x10ed),
	VF(0x8086, 0x1515),
	VF(0x8086, 0x1565),
	VF(0x8086, 0x15a8),
	VF(0x8086, 0x15c5),
	VF(0x8086, 0x152e),
	VF(0x8086, 0x1530),
	VF(0x8086, 0x1564),
	VF(0x8086, 0x15a9),
	VF(0x8086, 0x57ad),
	/* igbvf (82576, I350 VFs): drivers/net/ethernet/intel/igbvf/netdev.c
	 * igbvf_pci_tbl, ids in igbvf/vf.h */
	VF(0x8086, 0x10ca),
	VF(0x8086, 0x1520),
	/* mlx4_core, the entries flagged MLX4_PCI_DEV_IS_VF (ConnectX-2, -3 VFs):
	 * drivers/net/ethernet/mellanox/mlx4/main.c mlx4_pci_table */
	VF(0x15b3, 0x1002),
	VF(0x15b3, 0x1004),
	/* mlx5_core, the entries flagged MLX5_PCI_DEV_IS_VF (Connect-IB,
	 * ConnectX-4, -4 Lx, -5, -5 Ex, -6 VFs, the mlx5Gen VF of ConnectX-6 Dx
	 * onwards, BlueField's ConnectX-5 VF):
	 * drivers/net/ethernet/mellanox/mlx5/core/main.c mlx5_core_pci_table */
	VF(0x15b3, 0x1012),
	VF(0x15b3, 0x1014),
	VF(0x15b3, 0x1016),
	VF(0x15b3, 0x1018),
	VF(0x15b3, 0x101a),
	VF(0x15b3, 0x101c),
	VF(0x15b3, 0x101e),
	VF(0x15b3, 0xa2d3),
	/* bnxt_en, the CONFIG_BNXT_SRIOV block (NetXtreme-C/E/S, P5, P7 VFs and
	 * their Hyper-V variants): drivers/net/ethernet/broadcom/bnxt/bnxt.c
	 * bnxt_pci_tbl */
	VF(0x14e4, 0x1606),
	VF(0x14e4, 0x1607),
	VF(0x14e4, 0x1608),
	VF(0x14e4, 0x1609),
	VF(0x14e4, 0x16bd),
	VF(0x14e4, 0x16c1),
	VF(0x14e4, 0x16c2),
	VF(0x14e4, 0x16c3),
	VF(0x14e4, 0x16c4),
	VF(0x14e4, 0x16c5),
	VF(0x14e4, 0x16cb),
	VF(0x14e4, 0x16d3),
	VF(0x14e4, 0x16dc),
	VF(0x14e4, 0x16e1),
	VF(0x14e4, 0x16e5),
	VF(0x14e4, 0x16e6),
	VF(0x14e4, 0x1806),
	VF(0x14e4, 0x1807),
	VF(0x14e4, 0x1808),
	VF(0x14e4, 0x1809),
	VF(0x14e4, 0x1819),
	VF(0x14e4, 0x181b),
	VF(0x14e4, 0xd800),
	/* ena (PF and VF ids with and without LLQ; its reserved test id 0x0051
	 * is left out): drivers/net/ethernet/amazon/ena/ena_pci_id_tbl.h */
	VF(0x1d0f, 0x0ec2),
	VF(0x1d0f, 0x1ec2),
	VF(0x1d0f, 0xec20),
	VF(0x1d0f, 0xec21),
	/* qede, the QEDE_PRIVATE_VF entries (57980S and AH IOV):
	 * drivers/net/ethernet/qlogic/qede/qede_main.c qede_pci_tbl */
	VF(0x1077, 0x1664),
	VF(0x1077, 0x8090),
	/* cxgb4vf (Chelsio T4, T5, T6 VFs: the adapters' ids with function
	 * nibble 8): drivers/net/ethernet/chelsio/cxgb4vf/cxgb4vf_main.c with
	 * CH_PCI_DEVICE_ID_FUNCTION 0x8 over cxgb4/t4_pci_id_tbl.h */
	/* T4 */
	CHELSIO_VF(0x4000),
	CHELSIO_VF(0x4001),
	CHELSIO_VF(0x4002),
	CHELSIO_VF(0x4003),
	CHELSIO_VF(0x4004),
	CHELSIO_VF(0x4005),
	CHELSIO_VF(0x4006),
	CHELSIO_VF(0x4007),
	CHELSIO_VF(0x4008),
	CHELSIO_VF(0x4009),
	CHELSIO_VF(0x400a),
	CHELSIO_VF(0x400b),
	CHELSIO_VF(0x400c),
	CHELSIO_VF(0x400d),
	CHELSIO_VF(0x400e),
	CHELSIO_VF(0x4080),
	CHELSIO_VF(0x4081),
	CHELSIO_VF(0x4082),
	CHELSIO_VF(0x4083),
	CHELSIO_VF(0x4084),
	CHELSIO_VF(0x4085),
	CHELSIO_VF(0x4086),
	CHELSIO_VF(0x4087),
	CHELSIO_VF(0x4088),
	/* T5 */
	CHELSIO_VF(0x5000),
	CHELSIO_VF(0x5001),
	CHELSIO_VF(0x5002),
	CHELSIO_VF(0x5003),
	CHELSIO_VF(0x5004),
	CHELSIO_VF(0x5005),
	CHELSIO_VF(0x5006),
	CHELSIO_VF(0x5007),
	CHELSIO_VF(0x5008),
	CHELSIO_VF(0x5009),
	CHELSIO_VF(0x500a),
	CHELSIO_VF(0x500b),
	CHELSIO_VF(0x500c),
	CHELSIO_VF(0x500d),
	CHELSIO_VF(0x500e),
	CHELSIO_VF(0x5010),
	CHELSIO_VF(0x5011),
	CHELSIO_VF(0x5012),
	CHELSIO_VF(0x5013),
	CHELSIO_VF(0x5014),
	CHELSIO_VF(0x5015),
	CHELSIO_VF(0x5016),
	CHELSIO_VF(0x5017),
	CHELSIO_VF(0x5018),
	CHELSIO_VF(0x5019),
	CHELSIO_VF(0x501a),
	CHELSIO_VF(0x501b),
	CHELSIO_VF(0x5080),
	CHELSIO_VF(0x5081),
	CHELSIO_VF(0x5082),
	CHELSIO_VF(0x5083),
	CHELSIO_VF(0x5084),
	CHELSIO_VF(0x5085),
	CHELSIO_VF(0x5086),
	CHELSIO_VF(0x5087),
	CHELSIO_VF(0x5088),
	CHELSIO_VF(0x5089),
	CHELSIO_VF(0x5090),
	CHELSIO_VF(0x5091),
	CHELSIO_VF(0x5092),
	CHELSIO_VF(0x5093),
	CHELSIO_VF(0x5094),
	CHELSIO_VF(0x5095),
	CHELSIO_VF(0x5096),
	CHELSIO_VF(0x5097),
	CHELSIO_VF(0x5098),
	CHELSIO_VF(0x5099),
	CHELSIO_VF(0x509a),
	CHELSIO_VF(0x509b),
	CHELSIO_VF(0x509c),
	CHELSIO_VF(0x509d),
	CHELSIO_VF(0x509e),
	CHELSIO_VF(0x509f),
	CHELSIO_VF(0x50a0),
	CHELSIO_VF(0x50a1),
	CHELSIO_VF(0x50a2),
	CHELSIO_VF(0x50a3),
	CHELSIO_VF(0x50a4),
	CHELSIO_VF(0x50a5),
	CHELSIO_VF(0x50a6),
	CHELSIO_VF(0x50a7),
	CHELSIO_VF(0x50a8),
	CHELSIO_VF(0x50a9),
	CHELSIO_VF(0x50aa),
	CHELSIO_VF(0x50ab),
	CHELSIO_VF(0x50ac),
	CHELSIO_VF(0x50ad),
	CHELSIO_VF(0x50ae),
	CHELSIO_VF(0x50af),
	CHELSIO_VF(0x50b0),
	/* T6 */
	CHELSIO_VF(0x6001),
	CHELSIO_VF(0x6002),
	CHELSIO_VF(0x6003),
	CHELSIO_VF(0x6004),
	CHELSIO_VF(0x6005),
	CHELSIO_VF(0x6006),
	CHELSIO_VF(0x6007),
	CHELSIO_VF(0x6008),
	CHELSIO_VF(0x6009),
	CHELSIO_VF(0x600d),
	CHELSIO_VF(0x6011),
	CHELSIO_VF(0x6014),
	CHELSIO_VF(0x6015),
	CHELSIO_VF(0x6080),
	CHELSIO_VF(0x6081),
	CHELSIO_VF(0x6082),
	CHELSIO_VF(0x6083),
	CHELSIO_VF(0x6084),
	CHELSIO_VF(0x6085),
	CHELSIO_VF(0x6086),
	CHELSIO_VF(0x6087),
	CHELSIO_VF(0x6088),
	CHELSIO_VF(0x6089),
	CHELSIO_VF(0x608a),
	/* enic (VIC SR-IOV VF, VF v2): drivers/net/ethernet/cisco/enic/enic_main.c
	 * enic_id_table */
	VF(0x1137, 0x0071),
	VF(0x1137, 0x02b7),
	/* hinic (Huawei VF): drivers/net/ethernet/huawei/hinic/hinic_main.c
	 * hinic_pci_table */
	VF(0x19e5, 0x375e),
	/* nfp's VF driver (NFP3800 and NFP6000 VFs, Netronome and Corigine):
	 * drivers/net/ethernet/netronome/nfp/nfp_netvf_main.c
	 * nfp_netvf_pci_device_ids, ids in nfpcore/nfp_dev.h */
	VF(0x19ee, 0x3803),
	VF(0x19ee, 0x6003),
	VF(0x1da8, 0x3803),
	VF(0x1da8, 0x6003),
	/* sfc_ef100 (Riverhead VF): drivers/net/ethernet/sfc/ef100.c ef100_pci_table */
	VF(0x10ee, 0x1100),
	/* rvu_nicvf (RVU VF, the AF's LBK VF; the SDP representor left out):
	 * drivers/net/ethernet/marvell/octeontx2/nic/otx2_vf.c otx2_vf_id_table,
	 * ids in otx2_common.h */
	VF(0x177d, 0xa064),
	VF(0x177d, 0xa0f8),
	/* mana (its VF): drivers/net/ethernet/microsoft/mana/gdma_main.c
	 * mana_id_table, MANA_VF_DEVICE_ID */
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
