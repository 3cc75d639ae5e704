/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One network interface as rtnetlink describes it (RTM_NEWLINK/RTM_DELLINK),
 * decoded into plain fields.
 */
#ifndef SFO_NETDEV_LINK_H
#define SFO_NETDEV_LINK_H

#include <linux/if_link.h>
#include <stdbool.h>
#include <stdint.h>

#include "sfo/types.h"

struct nlmsghdr;

#define SFO_IFNAMSIZ	    16 /* IFNAMSIZ; neither <net/if.h> nor <linux/if.h> forced on users */
#define SFO_LINK_ADDR_MAX   32 /* MAX_ADDR_LEN */
#define SFO_LINK_PARENT_MAX 64

/* <net/if.h> lacks these flags of <linux/if.h>, and the two headers clash. */
#define SFO_IFF_LOWER_UP 0x10000 /* IFF_LOWER_UP: driver signals carrier */
#define SFO_IFF_DORMANT	 0x20000 /* IFF_DORMANT */

struct sfo_link {
	int ifindex;
	char name[SFO_IFNAMSIZ];
	unsigned int flags;  /* IFF_* (ifi_flags), incl. SFO_IFF_LOWER_UP */
	unsigned int change; /* ifi_change: flags that changed (events only) */
	uint16_t type;	     /* ARPHRD_* */
	uint8_t operstate;   /* IF_OPER_* (IF_OPER_UNKNOWN when absent) */
	uint32_t mtu;
	uint32_t min_mtu;		 /* 0 when absent */
	uint32_t max_mtu;		 /* 0 when absent or unlimited-unknown */
	uint8_t addr[SFO_LINK_ADDR_MAX]; /* current hardware address */
	uint8_t addr_len;
	uint8_t perm_addr[SFO_LINK_ADDR_MAX]; /* IFLA_PERM_ADDRESS (kernel >= 5.6) */
	uint8_t perm_addr_len;		      /* 0 when absent (e.g. veth) */
	char kind[SFO_KIND_MAX]; /* IFLA_INFO_KIND ("veth", "bridge"...), "" for hardware */
	uint16_t vlan_id;	 /* kind "vlan": IFLA_VLAN_ID, else 0 */
	uint16_t vlan_proto;	 /* kind "vlan": ETH_P_8021Q or ETH_P_8021AD (host order) */
	int master;		 /* IFLA_MASTER ifindex, 0 if none */
	int link;		 /* IFLA_LINK ifindex (lower device / veth peer), 0 if none */
	int link_netnsid;	 /* IFLA_LINK_NETNSID: @link is in that netns; -1 if absent */
	char parent_bus[SFO_LINK_PARENT_MAX]; /* IFLA_PARENT_DEV_BUS_NAME ("pci"), "" if absent */
	char parent_dev[SFO_LINK_PARENT_MAX]; /* IFLA_PARENT_DEV_NAME ("0000:00:03.0") */
	bool has_stats64;
	struct rtnl_link_stats64 stats64; /* IFLA_STATS64; final values in a DELLINK */
};

/*
 * Decode an RTM_NEWLINK or RTM_DELLINK message. Returns 0, -EINVAL for
 * another message type, -EAFNOSUPPORT for a family other than AF_UNSPEC
 * (AF_BRIDGE port messages), -EBADMSG for a truncated or malformed one.
 */
int sfo_link_parse(const struct nlmsghdr *nlh, struct sfo_link *link);

#endif /* SFO_NETDEV_LINK_H */
