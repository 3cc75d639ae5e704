// SPDX-License-Identifier: BSD-2-Clause
/* Neighbours worth probing: RTM_GETNEIGH and the default routes (RTM_GETROUTE). */
#include "neigh.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nd_util.h"
#include "rtnl_priv.h"

#define NEIGH_SEEN_MAX	 256 /* entries looked at; a guest's table is small */
#define GATEWAYS_MAX	 8
#define USABLE_STATES	 (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)
#define CONFIRMED_STATES (NUD_REACHABLE | NUD_PERMANENT)

struct collect {
	int ifindex;
	struct sfo_neigh *all;
	size_t n;
	struct sfo_neigh gw[GATEWAYS_MAX]; /* only family and address used */
	size_t n_gw;
};

static bool copy_ip(const struct nlattr *a, int family, struct sfo_neigh *n)
{
	size_t len = family == AF_INET ? sizeof(n->in) : sizeof(n->in6);

	if (!a || mnl_attr_get_payload_len(a) != len)
		return false;
	n->family = family;
	memcpy(family == AF_INET ? (void *)&n->in : (void *)&n->in6, mnl_attr_get_payload(a), len);
	return true;
}

_Static_assert(NDA_MAX <= RTA_MAX, "one attribute table serves neighbours and routes");

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= RTA_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	struct collect *c = data;
	const struct ndmsg *nd;
	struct sfo_neigh n = { 0 };

	if (nlh->nlmsg_type != RTM_NEWNEIGH || mnl_nlmsg_get_payload_len(nlh) < sizeof(*nd))
		return 0;
	nd = mnl_nlmsg_get_payload(nlh);
	if (nd->ndm_ifindex != c->ifindex || !(nd->ndm_state & USABLE_STATES) ||
	    (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6) || c->n >= NEIGH_SEEN_MAX)
		return 0;
	mnl_attr_parse(nlh, sizeof(*nd), attr_cb, tb);
	if (!copy_ip(tb[NDA_DST], nd->ndm_family, &n) || !tb[NDA_LLADDR] ||
	    mnl_attr_get_payload_len(tb[NDA_LLADDR]) != SFO_MAC_LEN)
		return 0;
	if (n.family == AF_INET6 && IN6_IS_ADDR_MULTICAST(&n.in6))
		return 0;
	memcpy(n.mac, mnl_attr_get_payload(tb[NDA_LLADDR]), SFO_MAC_LEN);
	if (n.mac[0] & 1)
		return 0; /* a multicast or broadcast link-layer address answers nothing */
	n.state = nd->ndm_state;
	c->all[c->n++] = n;
	return 0;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	struct collect *c = data;
	const struct rtmsg *rt;
	uint32_t table;

	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*rt))
		return 0;
	rt = mnl_nlmsg_get_payload(nlh);
	if (rt->rtm_dst_len != 0 || rt->rtm_type != RTN_UNICAST || c->n_gw >= GATEWAYS_MAX)
		return 0;
	mnl_attr_parse(nlh, sizeof(*rt), attr_cb, tb);
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rt->rtm_table;
	if (table != RT_TABLE_MAIN || !tb[RTA_OIF] ||
	    (int)mnl_attr_get_u32(tb[RTA_OIF]) != c->ifindex)
		return 0;
	if (copy_ip(tb[RTA_GATEWAY], rt->rtm_family, &c->gw[c->n_gw]))
		c->n_gw++;
	return 0;
}

static int dump(struct sfo_rtnl *rt, uint16_t type, int ifindex, nd_msg_cb cb, struct collect *c,
		char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret, tries = 0;

	do {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = type;
		nlh->nlmsg_flags = NLM_F_DUMP;
		if (type == RTM_GETNEIGH) {
			struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));

			nd->ndm_family = AF_UNSPEC;
			/* a filter for kernels that take it (strict checking) */
			mnl_attr_put_u32(nlh, NDA_IFINDEX, (uint32_t)ifindex);
			c->n = 0;
		} else {
			struct rtmsg *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));

			r->rtm_family = AF_UNSPEC;
			c->n_gw = 0;
		}
		ret = nd_rtnl_talk(rt, nlh, cb, c, err, errlen);
	} while (ret == -EINTR && ++tries < 4);
	return ret;
}

static bool same_ip(const struct sfo_neigh *a, const struct sfo_neigh *b)
{
	return a->family == b->family &&
	       (a->family == AF_INET ? a->in.s_addr == b->in.s_addr
				     : memcmp(&a->in6, &b->in6, sizeof(a->in6)) == 0);
}

static int rank(const struct sfo_neigh *n)
{
	return n->gateway ? 0 : n->state & CONFIRMED_STATES ? 1 : 2;
}

int sfo_neigh_probe_targets(struct sfo_rtnl *rt, int ifindex, struct sfo_neigh *out, size_t max,
			    char *err, size_t errlen)
{
	struct collect c = { .ifindex = ifindex };
	size_t stored = 0;
	int ret;

	if (ifindex <= 0) {
		nd_set_err(err, errlen, "invalid ifindex %d", ifindex);
		return -EINVAL;
	}
	c.all = calloc(NEIGH_SEEN_MAX, sizeof(*c.all));
	if (!c.all)
		return -ENOMEM;
	ret = dump(rt, RTM_GETNEIGH, ifindex, neigh_cb, &c, err, errlen);
	if (ret == 0)
		ret = dump(rt, RTM_GETROUTE, ifindex, route_cb, &c, err, errlen);
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < c.n; i++)
		for (size_t g = 0; g < c.n_gw; g++)
			c.all[i].gateway |= same_ip(&c.all[i], &c.gw[g]);
	/* best first; the table's order within a rank */
	for (int r = 0; r <= 2 && stored < max; r++)
		for (size_t i = 0; i < c.n && stored < max; i++)
			if (rank(&c.all[i]) == r)
				out[stored++] = c.all[i];
	ret = (int)stored;
out:
	free(c.all);
	return ret;
}

const char *sfo_neigh_str(const struct sfo_neigh *n, char *buf, size_t len)
{
	const void *src = n->family == AF_INET ? (const void *)&n->in : (const void *)&n->in6;

	if (len > INT32_MAX || !inet_ntop(n->family, src, buf, (socklen_t)len)) {
		if (len)
			snprintf(buf, len, "?");
	}
	return buf;
}
