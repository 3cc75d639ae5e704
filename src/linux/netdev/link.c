/* SPDX-License-Identifier: BSD-2-Clause */
/* Decode RTM_NEWLINK / RTM_DELLINK into struct sfo_link. */
#include "link.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "nl_compat.h"

#define LINK_ATTR_MAX (IFLA_MAX > IFLA_PARENT_DEV_BUS_NAME ? IFLA_MAX : IFLA_PARENT_DEV_BUS_NAME)

struct attr_table {
	const struct nlattr *tb[LINK_ATTR_MAX + 1];
};

static int link_attr_type(uint16_t type, enum mnl_attr_data_type *t)
{
	switch (type) {
	case IFLA_IFNAME:
	case IFLA_PARENT_DEV_NAME:
	case IFLA_PARENT_DEV_BUS_NAME:
		*t = MNL_TYPE_NUL_STRING;
		return 1;
	case IFLA_MTU:
	case IFLA_MIN_MTU:
	case IFLA_MAX_MTU:
	case IFLA_MASTER:
	case IFLA_LINK:
	case IFLA_LINK_NETNSID:
		*t = MNL_TYPE_U32;
		return 1;
	case IFLA_OPERSTATE:
		*t = MNL_TYPE_U8;
		return 1;
	case IFLA_LINKINFO:
		*t = MNL_TYPE_NESTED;
		return 1;
	case IFLA_ADDRESS:
	case IFLA_PERM_ADDRESS:
	case IFLA_STATS64:
		*t = MNL_TYPE_BINARY;
		return 1;
	default:
		return 0; /* not used: no validation */
	}
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	struct attr_table *at = data;
	uint16_t type = mnl_attr_get_type(attr);
	enum mnl_attr_data_type t;

	if (mnl_attr_type_valid(attr, LINK_ATTR_MAX) < 0)
		return MNL_CB_OK; /* newer kernel's attribute: skip */
	/* A malformed attribute is dropped, not the whole message. */
	if (link_attr_type(type, &t) && mnl_attr_validate(attr, t) < 0)
		return MNL_CB_OK;
	at->tb[type] = attr;
	return MNL_CB_OK;
}

struct linkinfo {
	const struct nlattr *kind, *data;
};

static int linkinfo_attr_cb(const struct nlattr *attr, void *data)
{
	struct linkinfo *li = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
		li->kind = attr;
	else if (mnl_attr_get_type(attr) == IFLA_INFO_DATA &&
		 mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
		li->data = attr;
	return MNL_CB_OK;
}

static int vlan_attr_cb(const struct nlattr *attr, void *data)
{
	struct sfo_link *link = data;

	/* IFLA_VLAN_PROTOCOL is in network order, IFLA_VLAN_ID in host order */
	if (mnl_attr_get_type(attr) == IFLA_VLAN_ID && mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
		link->vlan_id = mnl_attr_get_u16(attr) & 0xfff;
	else if (mnl_attr_get_type(attr) == IFLA_VLAN_PROTOCOL &&
		 mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
		link->vlan_proto = ntohs(mnl_attr_get_u16(attr));
	return MNL_CB_OK;
}

/* Copy a (possibly unterminated) string attribute, truncating to @len - 1. */
static void copy_str(char *dst, size_t len, const struct nlattr *attr)
{
	size_t n = strnlen(mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr));

	if (n >= len)
		n = len - 1;
	memcpy(dst, mnl_attr_get_payload(attr), n);
	dst[n] = '\0';
}

static uint8_t copy_bin(uint8_t *dst, size_t len, const struct nlattr *attr)
{
	size_t n = mnl_attr_get_payload_len(attr);

	if (n > len)
		n = len;
	memcpy(dst, mnl_attr_get_payload(attr), n);
	return (uint8_t)n;
}

int sfo_link_parse(const struct nlmsghdr *nlh, struct sfo_link *link)
{
	struct attr_table at = { 0 };
	const struct ifinfomsg *ifi;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -EINVAL;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return -EBADMSG;
	ifi = mnl_nlmsg_get_payload(nlh);
	/* AF_BRIDGE messages describe bridge ports, not the device itself. */
	if (ifi->ifi_family != AF_UNSPEC)
		return -EAFNOSUPPORT;
	if (mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, &at) < 0)
		return -EBADMSG;

	memset(link, 0, sizeof(*link));
	link->ifindex = ifi->ifi_index;
	link->flags = ifi->ifi_flags;
	link->change = ifi->ifi_change;
	link->type = ifi->ifi_type;
	link->operstate = IF_OPER_UNKNOWN;
	link->link_netnsid = -1;

	if (at.tb[IFLA_IFNAME])
		copy_str(link->name, sizeof(link->name), at.tb[IFLA_IFNAME]);
	if (at.tb[IFLA_OPERSTATE])
		link->operstate = mnl_attr_get_u8(at.tb[IFLA_OPERSTATE]);
	if (at.tb[IFLA_MTU])
		link->mtu = mnl_attr_get_u32(at.tb[IFLA_MTU]);
	if (at.tb[IFLA_MIN_MTU])
		link->min_mtu = mnl_attr_get_u32(at.tb[IFLA_MIN_MTU]);
	if (at.tb[IFLA_MAX_MTU])
		link->max_mtu = mnl_attr_get_u32(at.tb[IFLA_MAX_MTU]);
	if (at.tb[IFLA_ADDRESS])
		link->addr_len = copy_bin(link->addr, sizeof(link->addr), at.tb[IFLA_ADDRESS]);
	if (at.tb[IFLA_PERM_ADDRESS])
		link->perm_addr_len = copy_bin(link->perm_addr, sizeof(link->perm_addr),
					       at.tb[IFLA_PERM_ADDRESS]);
	if (at.tb[IFLA_MASTER])
		link->master = (int)mnl_attr_get_u32(at.tb[IFLA_MASTER]);
	if (at.tb[IFLA_LINK])
		link->link = (int)mnl_attr_get_u32(at.tb[IFLA_LINK]);
	if (at.tb[IFLA_LINK_NETNSID])
		link->link_netnsid = (int)mnl_attr_get_u32(at.tb[IFLA_LINK_NETNSID]);
	if (at.tb[IFLA_PARENT_DEV_BUS_NAME])
		copy_str(link->parent_bus, sizeof(link->parent_bus),
			 at.tb[IFLA_PARENT_DEV_BUS_NAME]);
	if (at.tb[IFLA_PARENT_DEV_NAME])
		copy_str(link->parent_dev, sizeof(link->parent_dev), at.tb[IFLA_PARENT_DEV_NAME]);
	if (at.tb[IFLA_LINKINFO]) {
		struct linkinfo li = { 0 };

		mnl_attr_parse_nested(at.tb[IFLA_LINKINFO], linkinfo_attr_cb, &li);
		if (li.kind)
			copy_str(link->kind, sizeof(link->kind), li.kind);
		if (li.data && !strcmp(link->kind, "vlan")) {
			link->vlan_proto = ETH_P_8021Q;
			mnl_attr_parse_nested(li.data, vlan_attr_cb, link);
		}
	}
	if (at.tb[IFLA_STATS64]) {
		/* The kernel's struct may be shorter or longer than ours. */
		copy_bin((uint8_t *)&link->stats64, sizeof(link->stats64), at.tb[IFLA_STATS64]);
		link->has_stats64 = true;
	}
	return 0;
}
