/* SPDX-License-Identifier: BSD-2-Clause */
/* Link changes: MTU, up/down, promisc/allmulti, IPv6 address generation. */
#include "linkctl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "nd_util.h"
#include "rtnl_priv.h"

static struct nlmsghdr *setlink_start(char *buf, int ifindex, unsigned int flags,
				      unsigned int change)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_SETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	ifi->ifi_change = change;
	return nlh;
}

static int check_ifindex(int ifindex, char *err, size_t errlen)
{
	if (ifindex > 0)
		return 0;
	nd_set_err(err, errlen, "invalid ifindex %d", ifindex);
	return -EINVAL;
}

int sfo_link_set_mtu(struct sfo_rtnl *rt, int ifindex, uint32_t mtu, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret = check_ifindex(ifindex, err, errlen);

	if (ret < 0)
		return ret;
	nlh = setlink_start(buf, ifindex, 0, 0);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nd_rtnl_talk(rt, nlh, NULL, NULL, err, errlen);
}

static int set_flag(struct sfo_rtnl *rt, int ifindex, unsigned int flag, bool on, char *err,
		    size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret = check_ifindex(ifindex, err, errlen);

	if (ret < 0)
		return ret;
	nlh = setlink_start(buf, ifindex, on ? flag : 0, flag);
	return nd_rtnl_talk(rt, nlh, NULL, NULL, err, errlen);
}

int sfo_link_set_up(struct sfo_rtnl *rt, int ifindex, bool up, char *err, size_t errlen)
{
	return set_flag(rt, ifindex, IFF_UP, up, err, errlen);
}

int sfo_link_set_promisc(struct sfo_rtnl *rt, int ifindex, bool on, char *err, size_t errlen)
{
	return set_flag(rt, ifindex, IFF_PROMISC, on, err, errlen);
}

int sfo_link_set_allmulti(struct sfo_rtnl *rt, int ifindex, bool on, char *err, size_t errlen)
{
	return set_flag(rt, ifindex, IFF_ALLMULTI, on, err, errlen);
}

int sfo_link_set_addrgen_none(struct sfo_rtnl *rt, int ifindex, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlattr *af_spec, *inet6;
	struct nlmsghdr *nlh;
	int ret = check_ifindex(ifindex, err, errlen);

	if (ret < 0)
		return ret;
	nlh = setlink_start(buf, ifindex, 0, 0);
	af_spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	inet6 = mnl_attr_nest_start(nlh, AF_INET6);
	mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(nlh, inet6);
	mnl_attr_nest_end(nlh, af_spec);
	return nd_rtnl_talk(rt, nlh, NULL, NULL, err, errlen);
}
