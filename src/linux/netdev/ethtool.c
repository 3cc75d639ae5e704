/* SPDX-License-Identifier: BSD-2-Clause */
/* SIOCETHTOOL: driver info, permanent address, offload features. */
#include "ethtool.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "nd_util.h"

#define HW_ADDR_MAX 32 /* MAX_ADDR_LEN */

/* Kernel feature names (ETH_SS_FEATURES) behind each portable offload. */
static const struct {
	const char *name;
	uint32_t offload;
} feature_map[] = {
	{ "rx-checksum", SFO_OFF_RX_CSUM },
	{ "tx-checksum-ipv4", SFO_OFF_TX_CSUM },
	{ "tx-checksum-ipv6", SFO_OFF_TX_CSUM },
	{ "tx-checksum-ip-generic", SFO_OFF_TX_CSUM },
	{ "tx-scatter-gather", SFO_OFF_SG },
	{ "tx-tcp-segmentation", SFO_OFF_TSO4 },
	{ "tx-tcp6-segmentation", SFO_OFF_TSO6 },
	{ "tx-generic-segmentation", SFO_OFF_GSO },
	{ "rx-gro", SFO_OFF_GRO },
	{ "rx-lro", SFO_OFF_LRO },
	{ "rx-vlan-hw-parse", SFO_OFF_RX_VLAN },
	{ "tx-vlan-hw-insert", SFO_OFF_TX_VLAN },
	{ "rx-hashing", SFO_OFF_RX_HASH },
	{ "tx-udp_tnl-segmentation", SFO_OFF_TUNNEL },
	{ "tx-udp_tnl-csum-segmentation", SFO_OFF_TUNNEL },
};

#define N_MAPPED (sizeof(feature_map) / sizeof(feature_map[0]))

static int ethtool_ioctl(const char *ifname, void *cmd)
{
	struct ifreq ifr;

	if (!nd_ifname_ok(ifname))
		return -EINVAL;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ifr.ifr_data = cmd;
	return nd_ioctl(SIOCETHTOOL, &ifr);
}

static void copy_field(char *dst, size_t len, const char *src, size_t src_len)
{
	size_t n;

	if (!dst || !len)
		return;
	n = strnlen(src, src_len);
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int sfo_ethtool_drvinfo(const char *ifname, char *driver, size_t driver_len, char *bus_info,
			size_t bus_len)
{
	struct ethtool_drvinfo info;
	int ret;

	memset(&info, 0, sizeof(info));
	info.cmd = ETHTOOL_GDRVINFO;
	ret = ethtool_ioctl(ifname, &info);
	if (ret < 0)
		return ret;
	copy_field(driver, driver_len, info.driver, sizeof(info.driver));
	copy_field(bus_info, bus_len, info.bus_info, sizeof(info.bus_info));
	return 0;
}

int sfo_ethtool_perm_addr(const char *ifname, uint8_t mac[SFO_MAC_LEN])
{
	static const uint8_t zero[SFO_MAC_LEN];
	struct ethtool_perm_addr *req;
	int ret;

	req = calloc(1, sizeof(*req) + HW_ADDR_MAX);
	if (!req)
		return -ENOMEM;
	req->cmd = ETHTOOL_GPERMADDR;
	req->size = HW_ADDR_MAX;
	ret = ethtool_ioctl(ifname, req);
	if (ret == 0 && req->size != SFO_MAC_LEN)
		ret = req->size == 0 ? -ENOENT : -EINVAL;
	if (ret == 0 && !memcmp(req->data, zero, SFO_MAC_LEN))
		ret = -ENOENT;
	if (ret == 0)
		memcpy(mac, req->data, SFO_MAC_LEN);
	free(req);
	return ret;
}

/* The kernel's feature table: which bit index each mapped name has (-1: none). */
struct feature_table {
	unsigned int count;  /* kernel features */
	unsigned int blocks; /* 32-bit words */
	int index[N_MAPPED];
};

static int read_feature_table(const char *ifname, struct feature_table *ft)
{
	struct ethtool_sset_info *sset;
	struct ethtool_gstrings *strings;
	unsigned int i, j;
	int ret;

	sset = calloc(1, sizeof(*sset) + sizeof(sset->data[0]));
	if (!sset)
		return -ENOMEM;
	sset->cmd = ETHTOOL_GSSET_INFO;
	sset->sset_mask = 1ULL << ETH_SS_FEATURES;
	ret = ethtool_ioctl(ifname, sset);
	if (ret == 0 && (!(sset->sset_mask & (1ULL << ETH_SS_FEATURES)) || sset->data[0] == 0))
		ret = -EOPNOTSUPP;
	ft->count = sset->data[0];
	free(sset);
	if (ret < 0)
		return ret;
	if (ft->count > 4096)
		return -EINVAL;
	ft->blocks = (ft->count + 31) / 32;

	strings = calloc(1, sizeof(*strings) + (size_t)ft->count * ETH_GSTRING_LEN);
	if (!strings)
		return -ENOMEM;
	strings->cmd = ETHTOOL_GSTRINGS;
	strings->string_set = ETH_SS_FEATURES;
	strings->len = ft->count;
	ret = ethtool_ioctl(ifname, strings);
	if (ret == 0) {
		for (j = 0; j < N_MAPPED; j++)
			ft->index[j] = -1;
		for (i = 0; i < strings->len && i < ft->count; i++) {
			const char *name =
				(const char *)strings->data + (size_t)i * ETH_GSTRING_LEN;

			for (j = 0; j < N_MAPPED; j++) {
				if (!strncmp(name, feature_map[j].name, ETH_GSTRING_LEN))
					ft->index[j] = (int)i;
			}
		}
	}
	free(strings);
	return ret;
}

/*
 * The kernel's feature names are one table for all devices (ETH_SS_FEATURES
 * is not per device) and do not change while it runs: read once, through
 * the first device asked about, and reused. That spares two ioctls, each
 * waiting for the RTNL lock, every time a device's offloads are read or set.
 */
static _Atomic(struct feature_table *) known_table;

static int load_feature_table(const char *ifname, struct feature_table *ft)
{
	struct feature_table *known = atomic_load(&known_table), *fresh;
	int ret;

	if (known) {
		*ft = *known;
		return 0;
	}
	ret = read_feature_table(ifname, ft);
	if (ret < 0)
		return ret;
	fresh = malloc(sizeof(*fresh));
	if (!fresh)
		return 0; /* read again next time */
	*fresh = *ft;
	if (!atomic_compare_exchange_strong(&known_table, &known, fresh))
		free(fresh); /* another thread stored the same table first */
	return 0;
}

static bool bit_set(const struct ethtool_gfeatures *gf, int idx, bool active)
{
	const struct ethtool_get_features_block *blk = &gf->features[idx / 32];

	return (active ? blk->active : blk->available) & (1u << (idx % 32));
}

static struct ethtool_gfeatures *get_features(const char *ifname, const struct feature_table *ft,
					      int *ret)
{
	struct ethtool_gfeatures *gf;

	gf = calloc(1, sizeof(*gf) + ft->blocks * sizeof(gf->features[0]));
	if (!gf) {
		*ret = -ENOMEM;
		return NULL;
	}
	gf->cmd = ETHTOOL_GFEATURES;
	gf->size = ft->blocks;
	*ret = ethtool_ioctl(ifname, gf);
	if (*ret < 0) {
		free(gf);
		return NULL;
	}
	return gf;
}

static void summarize(const struct feature_table *ft, const struct ethtool_gfeatures *gf,
		      uint32_t *supported, uint32_t *active)
{
	uint32_t sup = 0, act = 0;
	unsigned int j;

	for (j = 0; j < N_MAPPED; j++) {
		int idx = ft->index[j];

		if (idx < 0)
			continue;
		if (bit_set(gf, idx, false) || bit_set(gf, idx, true))
			sup |= feature_map[j].offload;
		if (bit_set(gf, idx, true))
			act |= feature_map[j].offload;
	}
	if (supported)
		*supported = sup;
	if (active)
		*active = act;
}

int sfo_ethtool_get_offloads(const char *ifname, uint32_t *supported, uint32_t *active)
{
	struct feature_table ft;
	struct ethtool_gfeatures *gf;
	int ret;

	ret = load_feature_table(ifname, &ft);
	if (ret < 0)
		return ret;
	gf = get_features(ifname, &ft, &ret);
	if (!gf)
		return ret;
	summarize(&ft, gf, supported, active);
	free(gf);
	return 0;
}

int sfo_ethtool_set_offloads(const char *ifname, uint32_t mask, uint32_t wanted, uint32_t *active)
{
	struct ethtool_gfeatures *gf;
	struct ethtool_sfeatures *sf;
	struct feature_table ft;
	bool any = false;
	unsigned int j;
	int ret;

	ret = load_feature_table(ifname, &ft);
	if (ret < 0)
		return ret;
	gf = get_features(ifname, &ft, &ret);
	if (!gf)
		return ret;
	sf = calloc(1, sizeof(*sf) + ft.blocks * sizeof(sf->features[0]));
	if (!sf) {
		free(gf);
		return -ENOMEM;
	}
	sf->cmd = ETHTOOL_SFEATURES;
	sf->size = ft.blocks;
	for (j = 0; j < N_MAPPED; j++) {
		int idx = ft.index[j];
		uint32_t bit;

		if (idx < 0 || !(mask & feature_map[j].offload))
			continue;
		bit = 1u << (idx % 32);
		if (!(gf->features[idx / 32].available & bit))
			continue; /* fixed: nothing to ask */
		sf->features[idx / 32].valid |= bit;
		if (wanted & feature_map[j].offload)
			sf->features[idx / 32].requested |= bit;
		any = true;
	}
	/* A positive ETHTOOL_F_* result only says "not all as wished": re-read. */
	if (any)
		ret = ethtool_ioctl(ifname, sf);
	free(sf);
	free(gf);
	if (ret < 0)
		return ret;
	if (active)
		ret = sfo_ethtool_get_offloads(ifname, NULL, active);
	return ret;
}
