// SPDX-License-Identifier: BSD-2-Clause
/*
 * The engine's configuration in the driver: the engine's defaults, the
 * filter's adapters as the standbys, and a VF allowlist by PCI
 * vendor:device. The Linux edge knows a VF by its driver (policy.c's list);
 * on Windows the driver's name says little, so the same families are listed
 * by the PCI ids of their virtual functions, as the Linux drivers' tables
 * name them. The engine's policy decides (sfo_policy_vf_allowed). The
 * registry adds to the list: Parameters\VfPciIds, a REG_MULTI_SZ of
 * "vendor:device" in hex, or "vendor:*" (vf-pci-ids of sriov-failover.conf),
 * read once in DriverEntry; an entry that is not one is logged and ignored.
 */
#include "sriovfo.h"

static char standby_drivers[][SFO_DRIVER_MAX] = { SFO_WIN_STANDBY_DRIVER };

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

static BOOLEAN hex_digit(WCHAR c, USHORT *v)
{
	if (c >= '0' && c <= '9')
		*v = (USHORT)(*v * 16 + (c - '0'));
	else if (c >= 'a' && c <= 'f')
		*v = (USHORT)(*v * 16 + (c - 'a' + 10));
	else if (c >= 'A' && c <= 'F')
		*v = (USHORT)(*v * 16 + (c - 'A' + 10));
	else
		return FALSE;
	return TRUE;
}

/* 1 to 4 hex digits up to @end; where they end in *@s. */
static BOOLEAN hex16(const WCHAR **s, WCHAR end, USHORT *out)
{
	int n = 0;

	*out = 0;
	for (; **s != end; (*s)++)
		if (++n > 4 || !hex_digit(**s, out))
			return FALSE;
	return n > 0;
}

/* "8086:1889" or "8086:*" */
static BOOLEAN parse_pci_id(const WCHAR *s, struct sfo_pci_id *id)
{
	if (!hex16(&s, ':', &id->vendor) || !id->vendor)
		return FALSE;
	s++;
	id->any_device = s[0] == '*' && !s[1];
	id->device = 0;
	return id->any_device || hex16(&s, '\0', &id->device);
}

/* An entry as printable ASCII, for the log. */
static void ascii(const WCHAR *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; s[i] && i + 1 < len; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	buf[i] = '\0';
}

static size_t wlen(const WCHAR *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* The strings of a REG_MULTI_SZ list, up to the empty one. */
static size_t count_entries(const WCHAR *list)
{
	size_t n = 0;

	for (const WCHAR *e = list; *e; e += wlen(e) + 1)
		n++;
	return n;
}

void sfo_win_load_config(struct sfo_config *cfg, PUNICODE_STRING registry_path)
{
	static const WCHAR value[] = u"VfPciIds";
	WCHAR *list = sfo_win_registry_multi_sz(registry_path, value);
	struct sfo_pci_id *ids;
	size_t n = N_DEFAULT_IDS;
	char shown[40];

	sfo_config_defaults(cfg);
	cfg->standby_drivers = standby_drivers;
	cfg->n_standby_drivers = sizeof(standby_drivers) / sizeof(standby_drivers[0]);
	cfg->vf_pci_ids = vf_pci_ids;
	cfg->n_vf_pci_ids = N_DEFAULT_IDS;
	if (!list)
		return;
	ids = sfo_win_alloc((N_DEFAULT_IDS + count_entries(list)) * sizeof(*ids));
	if (!ids) {
		DbgPrintEx(SFO_DPFLTR_IHVNETWORK_ID, 0,
			   "sriovfo: registry Parameters\\VfPciIds ignored: out of memory\n");
		sfo_win_free(list);
		return;
	}
	__builtin_memcpy(ids, vf_pci_ids, sizeof(vf_pci_ids));
	for (const WCHAR *e = list; *e; e += wlen(e) + 1) {
		if (parse_pci_id(e, &ids[n])) {
			n++;
			continue;
		}
		ascii(e, shown, sizeof(shown));
		DbgPrintEx(SFO_DPFLTR_IHVNETWORK_ID, 0,
			   "sriovfo: registry Parameters\\VfPciIds: '%s' is not a PCI "
			   "vendor:device in hex (e.g. 8086:1889 or 8086:*), ignored\n",
			   shown);
	}
	sfo_win_free(list);
	cfg->vf_pci_ids = ids;
	cfg->n_vf_pci_ids = n;
}

void sfo_win_free_config(struct sfo_config *cfg)
{
	if (cfg->vf_pci_ids != vf_pci_ids)
		sfo_win_free(cfg->vf_pci_ids);
	cfg->vf_pci_ids = NULL;
}
