/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SIOCETHTOOL queries and settings of one interface, by name, in the
 * caller's network namespace. Functions return 0 or a negative errno
 * (-EOPNOTSUPP when the driver does not implement the request).
 */
#ifndef SFO_NETDEV_ETHTOOL_H
#define SFO_NETDEV_ETHTOOL_H

#include <stddef.h>
#include <stdint.h>

#include "sfo/types.h"

/* ETHTOOL_GDRVINFO: driver name ("veth", "iavf") and bus info ("0000:00:05.0",
 * "" for soft devices). Either buffer may be NULL. */
int sfo_ethtool_drvinfo(const char *ifname, char *driver, size_t driver_len, char *bus_info,
			size_t bus_len);

/* ETHTOOL_GPERMADDR: the permanent MAC. -ENOENT if the driver has none (all
 * zeroes), -EINVAL if it is not a 6-byte address. */
int sfo_ethtool_perm_addr(const char *ifname, uint8_t mac[SFO_MAC_LEN]);

/*
 * Offloads (enum sfo_offload) from ETHTOOL_GFEATURES over the ETH_SS_FEATURES
 * names. @supported: changeable or fixed on; @active: currently on. An
 * offload spanning several kernel features (TX_CSUM: tx-checksum-ipv4,
 * -ipv6, -ip-generic; TUNNEL: tx-udp_tnl-[csum-]segmentation) counts if any
 * of them does. Either pointer may be NULL.
 */
int sfo_ethtool_get_offloads(const char *ifname, uint32_t *supported, uint32_t *active);

/*
 * Request the offloads in @mask to be on or off as in @wanted (ETHTOOL_SFEATURES),
 * touching only kernel features that are changeable; the rest of @mask is
 * ignored. The kernel may refuse some for dependencies (no TSO without SG
 * and checksumming): @active (may be NULL) receives the resulting set.
 */
int sfo_ethtool_set_offloads(const char *ifname, uint32_t mask, uint32_t wanted, uint32_t *active);

#endif /* SFO_NETDEV_ETHTOOL_H */
