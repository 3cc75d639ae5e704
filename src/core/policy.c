// SPDX-License-Identifier: BSD-2-Clause
/*
 * Which adapters are standbys and which may serve one as its VF.
 *
 * A VF must be a device we can hand the datapath to without surprises: a
 * known VF driver or PCI id, never a stacked or software device (a bridge
 * with the standby's MAC is not a VF). The allowlist has defaults for the
 * common VF drivers and grows by configuration.
 */

#include "core.h"

static const char *const default_vf_drivers[] = {
	"iavf",			  /* Intel E810/X710/XL710 VF */
	"i40evf",		  /* older name of iavf */
	"ixgbevf",		  /* Intel 82599/X540/X550 VF */
	"igbvf",		  /* Intel 82576/I350 VF */
	"mlx4_core", "mlx5_core", /* NVIDIA ConnectX */
	"bnxt_en",		  /* Broadcom NetXtreme-C/E */
	"ena",			  /* AWS Elastic Network Adapter */
	"qede",			  /* Marvell FastLinQ */
	"cxgb4vf",		  /* Chelsio T4-T6 VF */
	"enic",			  /* Cisco VIC */
	"hinic",		  /* Huawei */
	"nfp",			  /* Netronome */
	"sfc_ef100",		  /* AMD/Xilinx EF100 */
	"rvu_nicvf",		  /* Marvell OcteonTX2 VF */
	"mana",			  /* Microsoft Azure Network Adapter */
};

/* Software devices that stack on others: never a VF, whatever the allowlist. */
static const char *const stacked_kinds[] = {
	"bridge",   "bond",	    "team",   "vlan",  "macvlan",
	"macvtap",  "ipvlan",	    "ipvtap", "vxlan", "geneve",
	"failover", "net_failover", "hsr",    "dsa",   "openvswitch",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sfo_str_eq(s, list[i]))
			return true;
	return false;
}

static bool in_names(const char *s, char (*list)[SFO_DRIVER_MAX], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sfo_str_eq(s, list[i]))
			return true;
	return false;
}

bool sfo_policy_is_standby(const struct sfo_config *cfg, const struct sfo_adapter_info *info)
{
	const struct sfo_standby_options *opt = sfo_config_standby(cfg, info->name);

	if (opt)
		return opt->managed;
	return cfg->manage == SFO_MANAGE_AUTO &&
	       in_names(info->driver, cfg->standby_drivers, cfg->n_standby_drivers);
}

bool sfo_policy_is_failover_master(const struct sfo_adapter_info *info)
{
	/* It has no link kind of its own: its driver, through ethtool, names it. */
	return sfo_str_eq(info->driver, "net_failover") || sfo_str_eq(info->kind, "net_failover");
}

static bool pci_allowed(const struct sfo_config *cfg, const struct sfo_adapter_info *info)
{
	if (!info->pci_vendor)
		return false;
	for (size_t i = 0; i < cfg->n_vf_pci_ids; i++) {
		const struct sfo_pci_id *id = &cfg->vf_pci_ids[i];

		if (id->vendor == info->pci_vendor &&
		    (id->any_device || id->device == info->pci_device))
			return true;
	}
	return false;
}

bool sfo_policy_vf_allowed(const struct sfo_config *cfg, const struct sfo_adapter_info *info,
			   char *why, size_t whylen)
{
	if (in_list(info->kind, stacked_kinds, sizeof(stacked_kinds) / sizeof(stacked_kinds[0]))) {
		sfo_fmt(why, whylen, "%s device cannot be a VF", info->kind);
		return false;
	}
	if (info->flags & SFO_AF_STACKED) {
		sfo_fmt(why, whylen, "stacked device (has a master or lower devices)");
		return false;
	}
	if (in_list(info->driver, default_vf_drivers,
		    sizeof(default_vf_drivers) / sizeof(default_vf_drivers[0])) ||
	    in_names(info->driver, cfg->vf_drivers, cfg->n_vf_drivers) || pci_allowed(cfg, info))
		return true;
	if (info->pci_vendor)
		sfo_fmt(why, whylen, "driver '%s' (PCI %04x:%04x) not in VF allowlist",
			info->driver, info->pci_vendor, info->pci_device);
	else
		sfo_fmt(why, whylen, "driver '%s' not in VF allowlist", info->driver);
	return false;
}

bool sfo_mac_equal(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, SFO_MAC_LEN) == 0;
}

bool sfo_mac_is_zero(const uint8_t *a)
{
	static const uint8_t zero[SFO_MAC_LEN];

	return sfo_mac_equal(a, zero);
}

void sfo_mac_format(const uint8_t *m, char *buf, size_t len)
{
	sfo_fmt(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}
