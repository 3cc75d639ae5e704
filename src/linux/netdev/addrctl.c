/* SPDX-License-Identifier: BSD-2-Clause */
/* List and flush the IPv4/IPv6 addresses of an interface. */
#include "addrctl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nd_util.h"
#include "rtnl_priv.h"

#define FLUSH_ROUNDS 8

/* What RTM_DELADDR needs to name an address exactly. */
struct raw_addr {
	struct ifaddrmsg ifa;
	uint8_t local[16], address[16];
	uint8_t local_len, address_len;
};

struct list_ctx {
	int ifindex;
	int family;
	size_t count;
	/* list mode */
	struct sfo_addr *out;
	size_t max;
	/* flush mode */
	struct raw_addr *raw;
	size_t raw_cap;
};

static bool wanted(const struct list_ctx *lc, const struct ifaddrmsg *ifa)
{
	/* The kernel filters by ifindex with strict checking; older ones do not. */
	if ((int)ifa->ifa_index != lc->ifindex)
		return false;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return false;
	return lc->family == AF_UNSPEC || lc->family == ifa->ifa_family;
}

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_ctx *lc = data;
	struct sfo_addr a;
	int ifindex;

	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifaddrmsg))
		return 0;
	if (!wanted(lc, mnl_nlmsg_get_payload(nlh)))
		return 0;
	if (sfo_addr_parse(nlh, &ifindex, &a) < 0)
		return 0;
	if (lc->count < lc->max)
		lc->out[lc->count] = a;
	lc->count++;
	return 0;
}

static int raw_attr_cb(const struct nlattr *attr, void *data)
{
	struct raw_addr *ra = data;
	uint16_t len = mnl_attr_get_payload_len(attr);

	if (len != 4 && len != 16)
		return MNL_CB_OK;
	switch (mnl_attr_get_type(attr)) {
	case IFA_LOCAL:
		memcpy(ra->local, mnl_attr_get_payload(attr), len);
		ra->local_len = (uint8_t)len;
		break;
	case IFA_ADDRESS:
		memcpy(ra->address, mnl_attr_get_payload(attr), len);
		ra->address_len = (uint8_t)len;
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static int raw_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_ctx *lc = data;
	struct raw_addr ra = { 0 }, *p;
	size_t cap;

	if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(ra.ifa))
		return 0;
	memcpy(&ra.ifa, mnl_nlmsg_get_payload(nlh), sizeof(ra.ifa));
	if (!wanted(lc, &ra.ifa))
		return 0;
	mnl_attr_parse(nlh, sizeof(ra.ifa), raw_attr_cb, &ra);
	if (!ra.local_len && !ra.address_len)
		return 0;
	if (lc->count == lc->raw_cap) {
		cap = lc->raw_cap ? lc->raw_cap * 2 : 8;
		p = realloc(lc->raw, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		lc->raw = p;
		lc->raw_cap = cap;
	}
	lc->raw[lc->count++] = ra;
	return 0;
}

static int dump_addrs(struct sfo_rtnl *rt, struct list_ctx *lc, nd_msg_cb cb, char *err,
		      size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int ret, tries = 0;

	do {
		lc->count = 0;
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_GETADDR;
		nlh->nlmsg_flags = NLM_F_DUMP;
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = (unsigned char)lc->family;
		ifa->ifa_index = (unsigned int)lc->ifindex;
		ret = nd_rtnl_talk(rt, nlh, cb, lc, err, errlen);
	} while (ret == -EINTR && ++tries < 4);
	return ret;
}

static int check_args(int ifindex, int family, char *err, size_t errlen)
{
	if (ifindex <= 0) {
		nd_set_err(err, errlen, "invalid ifindex %d", ifindex);
		return -EINVAL;
	}
	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) {
		nd_set_err(err, errlen, "unsupported address family %d", family);
		return -EAFNOSUPPORT;
	}
	return 0;
}

int sfo_addr_list(struct sfo_rtnl *rt, int ifindex, int family, struct sfo_addr *addrs, size_t max,
		  char *err, size_t errlen)
{
	struct list_ctx lc = { .ifindex = ifindex, .family = family, .out = addrs, .max = max };
	int ret = check_args(ifindex, family, err, errlen);

	if (ret < 0)
		return ret;
	if (!addrs)
		lc.max = 0;
	ret = dump_addrs(rt, &lc, list_cb, err, errlen);
	if (ret < 0)
		return ret;
	return lc.count > INT32_MAX ? INT32_MAX : (int)lc.count;
}

static int del_addr(struct sfo_rtnl *rt, const struct raw_addr *ra, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_DELADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	*ifa = ra->ifa;
	if (ra->local_len)
		mnl_attr_put(nlh, IFA_LOCAL, ra->local_len, ra->local);
	if (ra->address_len)
		mnl_attr_put(nlh, IFA_ADDRESS, ra->address_len, ra->address);
	return nd_rtnl_talk(rt, nlh, NULL, NULL, err, errlen);
}

int sfo_addr_flush(struct sfo_rtnl *rt, int ifindex, int family, char *err, size_t errlen)
{
	struct list_ctx lc = { .ifindex = ifindex, .family = family };
	int ret = check_args(ifindex, family, err, errlen);
	int round;
	size_t i;

	if (ret < 0)
		return ret;
	/* Deleting can remove or promote others: repeat until none is left. */
	for (round = 0; round < FLUSH_ROUNDS; round++) {
		ret = dump_addrs(rt, &lc, raw_cb, err, errlen);
		if (ret < 0 || lc.count == 0)
			goto out;
		for (i = 0; i < lc.count; i++) {
			ret = del_addr(rt, &lc.raw[i], err, errlen);
			if (ret == -EADDRNOTAVAIL || ret == -ENOENT || ret == -ESRCH)
				ret = 0; /* went away with an earlier one */
			if (ret < 0)
				goto out; /* @err holds the kernel's reason */
		}
	}
	nd_set_err(err, errlen, "addresses keep reappearing");
	ret = -EAGAIN;
out:
	free(lc.raw);
	if (ret == 0)
		nd_set_err(err, errlen, "%s", "");
	return ret;
}
