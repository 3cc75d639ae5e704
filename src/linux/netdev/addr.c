/* SPDX-License-Identifier: BSD-2-Clause */
/* Decode RTM_{NEW,DEL}ADDR and RTM_{NEW,DEL}MULTICAST into struct sfo_addr. */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nl_compat.h"

struct addr_attrs {
	const struct nlattr *tb[IFA_MAX + 1];
};

static int addr_attr_cb(const struct nlattr *attr, void *data)
{
	struct addr_attrs *aa = data;

	if (mnl_attr_type_valid(attr, IFA_MAX) < 0)
		return MNL_CB_OK;
	aa->tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static int copy_addr(const struct nlattr *attr, int family, struct sfo_addr *addr)
{
	size_t len = family == AF_INET ? sizeof(addr->in) : sizeof(addr->in6);

	if (!attr || mnl_attr_get_payload_len(attr) != len)
		return -EBADMSG;
	memcpy(family == AF_INET ? (void *)&addr->in : (void *)&addr->in6,
	       mnl_attr_get_payload(attr), len);
	return 0;
}

int sfo_addr_parse(const struct nlmsghdr *nlh, int *ifindex, struct sfo_addr *addr)
{
	struct addr_attrs aa = { 0 };
	const struct ifaddrmsg *ifa;
	const struct nlattr *a;
	bool mcast;

	switch (nlh->nlmsg_type) {
	case RTM_NEWADDR:
	case RTM_DELADDR:
		mcast = false;
		break;
	case RTM_NEWMULTICAST:
	case RTM_DELMULTICAST:
		mcast = true;
		break;
	default:
		return -EINVAL;
	}
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return -EBADMSG;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, &aa) < 0)
		return -EBADMSG;

	memset(addr, 0, sizeof(*addr));
	addr->family = ifa->ifa_family;
	addr->prefixlen = ifa->ifa_prefixlen;
	addr->scope = ifa->ifa_scope;
	addr->flags = ifa->ifa_flags;
	if (aa.tb[IFA_FLAGS] && mnl_attr_validate(aa.tb[IFA_FLAGS], MNL_TYPE_U32) == 0)
		addr->flags = mnl_attr_get_u32(aa.tb[IFA_FLAGS]);
	if (mcast)
		a = aa.tb[IFA_MULTICAST];
	else
		a = aa.tb[IFA_LOCAL] ? aa.tb[IFA_LOCAL] : aa.tb[IFA_ADDRESS];
	*ifindex = (int)ifa->ifa_index;
	return copy_addr(a, addr->family, addr);
}

const char *sfo_addr_str(const struct sfo_addr *addr, char *buf, size_t len)
{
	const void *src =
		addr->family == AF_INET ? (const void *)&addr->in : (const void *)&addr->in6;

	if (len > INT32_MAX || !inet_ntop(addr->family, src, buf, (socklen_t)len)) {
		if (len)
			snprintf(buf, len, "?");
	}
	return buf;
}
