/* SPDX-License-Identifier: BSD-2-Clause */
/* rtnetlink handle: monitor socket, request socket, event dispatch, dumps. */
#include "rtnl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "nd_util.h"
#include "nl_compat.h"
#include "rtnl_priv.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

#define RTNL_BUF_SIZE	   (64 * 1024) /* > any link message, >= the kernel's dump chunks */
#define RTNL_RECV_BATCH	   64	       /* datagrams per sfo_rtnl_receive() */
#define RTNL_DUMP_TRIES	   4
#define RTNL_REQ_TIMEOUT_S 5

struct sfo_rtnl {
	struct mnl_socket *mon; /* NULL with SFO_RTNL_NO_MONITOR */
	struct mnl_socket *req;
	unsigned int req_portid;
	unsigned int seq;
	bool mcast_groups;
	struct sfo_rtnl_handlers h;
	void *ctx;
	char *mon_buf; /* separate buffers: handlers may send requests */
	char *req_buf;
};

/* Copies of a dump's messages, dispatched once the request socket is idle. */
struct msg_store {
	char *data;
	size_t len, cap;
};

static void set_sockopt_int(struct mnl_socket *nl, int level, int name, int val)
{
	/* Best effort: options an old kernel lacks only cost diagnostics. */
	(void)setsockopt(mnl_socket_get_fd(nl), level, name, &val, sizeof(val));
}

static int join_group(struct mnl_socket *nl, unsigned int group)
{
	int g = (int)group;

	if (mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
		return -errno;
	return 0;
}

static int open_monitor(struct sfo_rtnl *rt)
{
	static const unsigned int groups[] = { RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
					       RTNLGRP_IPV6_IFADDR };
	unsigned int i;
	int ret;

	rt->mon = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!rt->mon)
		return -errno;
	if (mnl_socket_bind(rt->mon, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		ret = join_group(rt->mon, groups[i]);
		if (ret < 0)
			return ret;
	}
	/* Newer groups: EINVAL from kernels that do not have them. */
	rt->mcast_groups = join_group(rt->mon, RTNLGRP_IPV4_MCADDR) == 0;
	if (join_group(rt->mon, RTNLGRP_IPV6_MCADDR) == 0)
		rt->mcast_groups = true;
	/* NETLINK_NO_ENOBUFS stays off: overruns must be reported. */
	ret = sfo_rtnl_set_rcvbuf(rt, SFO_RTNL_RCVBUF_DEFAULT);
	return ret < 0 ? ret : 0;
}

static int open_request(struct sfo_rtnl *rt)
{
	struct timeval tv = { .tv_sec = RTNL_REQ_TIMEOUT_S };

	rt->req = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!rt->req)
		return -errno;
	if (mnl_socket_bind(rt->req, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	rt->req_portid = mnl_socket_get_portid(rt->req);
	set_sockopt_int(rt->req, SOL_NETLINK, NETLINK_EXT_ACK, 1);
	set_sockopt_int(rt->req, SOL_NETLINK, NETLINK_CAP_ACK, 1);
	/* Lets the kernel filter address dumps by ifindex. */
	set_sockopt_int(rt->req, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
	if (setsockopt(mnl_socket_get_fd(rt->req), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}

int sfo_rtnl_open(struct sfo_rtnl **out, const struct sfo_rtnl_handlers *h, void *ctx,
		  unsigned int flags)
{
	struct sfo_rtnl *rt;
	int ret;

	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	if (h)
		rt->h = *h;
	rt->ctx = ctx;
	rt->seq = (unsigned int)time(NULL);
	rt->req_buf = malloc(RTNL_BUF_SIZE);
	if (!rt->req_buf) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = open_request(rt);
	if (ret < 0)
		goto fail;
	if (!(flags & SFO_RTNL_NO_MONITOR)) {
		rt->mon_buf = malloc(RTNL_BUF_SIZE);
		if (!rt->mon_buf) {
			ret = -ENOMEM;
			goto fail;
		}
		ret = open_monitor(rt);
		if (ret < 0)
			goto fail;
	}
	*out = rt;
	return 0;
fail:
	sfo_rtnl_close(rt);
	return ret;
}

void sfo_rtnl_close(struct sfo_rtnl *rt)
{
	if (!rt)
		return;
	if (rt->mon)
		mnl_socket_close(rt->mon);
	if (rt->req)
		mnl_socket_close(rt->req);
	free(rt->mon_buf);
	free(rt->req_buf);
	free(rt);
}

int sfo_rtnl_fd(const struct sfo_rtnl *rt)
{
	return rt->mon ? mnl_socket_get_fd(rt->mon) : -1;
}

bool sfo_rtnl_has_mcast_events(const struct sfo_rtnl *rt)
{
	return rt->mcast_groups;
}

int sfo_rtnl_set_rcvbuf(struct sfo_rtnl *rt, int bytes)
{
	int fd, val = 0;
	socklen_t len = sizeof(val);

	if (!rt->mon)
		return -EBADF;
	if (bytes <= 0)
		return -EINVAL;
	fd = mnl_socket_get_fd(rt->mon);
	/* FORCE ignores rmem_max but needs CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &val, &len) < 0)
		return -errno;
	return val;
}

static void dispatch(struct sfo_rtnl *rt, const struct nlmsghdr *nlh)
{
	struct sfo_link link;
	struct sfo_addr addr;
	int ifindex;

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		/* sfo_link_parse() also drops AF_BRIDGE port messages. */
		if (rt->h.link && sfo_link_parse(nlh, &link) == 0)
			rt->h.link(rt->ctx, nlh->nlmsg_type == RTM_NEWLINK, &link);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		if (rt->h.addr && sfo_addr_parse(nlh, &ifindex, &addr) == 0)
			rt->h.addr(rt->ctx, nlh->nlmsg_type == RTM_NEWADDR, ifindex, &addr);
		break;
	case RTM_NEWMULTICAST:
	case RTM_DELMULTICAST:
		if (rt->h.mcast && sfo_addr_parse(nlh, &ifindex, &addr) == 0)
			rt->h.mcast(rt->ctx, nlh->nlmsg_type == RTM_NEWMULTICAST, ifindex, &addr);
		break;
	default:
		break;
	}
}

/*
 * Ends: while the reader keeps up the queue empties; when it does not, the
 * socket overruns again and the kernel queues nothing more until it is
 * empty.
 */
int sfo_rtnl_discard(struct sfo_rtnl *rt)
{
	int fd, n = 0;

	if (!rt->mon)
		return -EBADF;
	fd = mnl_socket_get_fd(rt->mon);
	for (;;) {
		if (recv(fd, rt->mon_buf, RTNL_BUF_SIZE, MSG_DONTWAIT) >= 0) {
			n++;
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return n;
		/* a second overrun while we read: as discarded as the rest */
		if (errno != EINTR && errno != ENOBUFS)
			return -errno;
	}
}

int sfo_rtnl_receive(struct sfo_rtnl *rt)
{
	const struct nlmsghdr *nlh;
	int handled = 0, batch;
	ssize_t n;
	int len;

	if (!rt->mon)
		return -EBADF;
	for (batch = 0; batch < RTNL_RECV_BATCH; batch++) {
		n = mnl_socket_recvfrom(rt->mon, rt->mon_buf, RTNL_BUF_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			/* ENOSPC: a truncated message, as lost as an overrun. */
			if (errno == ENOBUFS || errno == ENOSPC)
				return -ENOBUFS;
			return -errno;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)rt->mon_buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			dispatch(rt, nlh);
			handled++;
		}
	}
	return handled;
}

static int extack_cb(const struct nlattr *attr, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*msg = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/* A local failure (no kernel message to quote). */
static int local_error(int error, char *err, size_t errlen)
{
	nd_set_err(err, errlen, "%s", strerror(-error));
	return error;
}

/* Report the kernel's @error (< 0) with the extack TLVs that start at payload offset @off. */
static int report_error(const struct nlmsghdr *nlh, int error, size_t off, char *err, size_t errlen)
{
	const char *msg = NULL;

	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && MNL_ALIGN(off) < mnl_nlmsg_get_payload_len(nlh))
		mnl_attr_parse(nlh, (unsigned int)off, extack_cb, &msg);
	if (msg && *msg)
		nd_set_err(err, errlen, "%s", msg);
	else
		nd_set_err(err, errlen, "%s", strerror(-error));
	return error;
}

static int handle_error_msg(const struct nlmsghdr *nlh, char *err, size_t errlen)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return local_error(-EBADMSG, err, errlen);
	if (e->error >= 0)
		return 0; /* ack (possibly with warnings we ignore) */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= sizeof(struct nlmsghdr))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	return report_error(nlh, e->error, off, err, errlen);
}

static int handle_done_msg(const struct nlmsghdr *nlh, char *err, size_t errlen)
{
	int error;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
		return 0;
	memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	if (error >= 0)
		return 0;
	return report_error(nlh, error, sizeof(int), err, errlen);
}

int nd_rtnl_talk(struct sfo_rtnl *rt, struct nlmsghdr *req, nd_msg_cb cb, void *data, char *err,
		 size_t errlen)
{
	bool dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	bool done = false, intr = false;
	const struct nlmsghdr *nlh;
	int ret = 0, cb_ret = 0;
	unsigned int seq;
	ssize_t n;
	int len;

	nd_set_err(err, errlen, "%s", "");
	req->nlmsg_flags |= NLM_F_REQUEST | (dump ? 0 : NLM_F_ACK);
	req->nlmsg_seq = seq = ++rt->seq;
	if (mnl_socket_sendto(rt->req, req, req->nlmsg_len) < 0) {
		ret = -errno;
		return local_error(ret, err, errlen);
	}
	while (!done) {
		n = mnl_socket_recvfrom(rt->req, rt->req_buf, RTNL_BUF_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = (errno == EAGAIN || errno == EWOULDBLOCK) ? -ETIMEDOUT : -errno;
			return local_error(ret, err, errlen);
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)rt->req_buf; !done && mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			/* Leftovers of an abandoned earlier request: skip. */
			if (nlh->nlmsg_seq != seq || !mnl_nlmsg_portid_ok(nlh, rt->req_portid))
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			switch (nlh->nlmsg_type) {
			case NLMSG_NOOP:
			case NLMSG_OVERRUN:
				break;
			case NLMSG_ERROR:
				ret = handle_error_msg(nlh, err, errlen);
				done = true;
				break;
			case NLMSG_DONE:
				ret = handle_done_msg(nlh, err, errlen);
				done = true;
				break;
			default:
				if (cb && cb_ret == 0)
					cb_ret = cb(nlh, data);
				break;
			}
		}
	}
	if (ret == 0 && cb_ret < 0)
		ret = local_error(cb_ret, err, errlen);
	if (ret == 0 && intr)
		ret = local_error(-EINTR, err, errlen);
	return ret;
}

static int store_msg(const struct nlmsghdr *nlh, void *data)
{
	struct msg_store *st = data;
	size_t need = MNL_ALIGN(nlh->nlmsg_len);
	size_t cap;
	char *p;

	if (st->len + need > st->cap) {
		cap = st->cap ? st->cap * 2 : 64 * 1024;
		while (cap < st->len + need)
			cap *= 2;
		p = realloc(st->data, cap);
		if (!p)
			return -ENOMEM;
		st->data = p;
		st->cap = cap;
	}
	memcpy(st->data + st->len, nlh, nlh->nlmsg_len);
	memset(st->data + st->len + nlh->nlmsg_len, 0, need - nlh->nlmsg_len);
	st->len += need;
	return 0;
}

/* Run one dump request to completion, then dispatch its messages. */
static int dump_and_dispatch(struct sfo_rtnl *rt, uint16_t type, int family)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct msg_store st = { 0 };
	const struct nlmsghdr *nlh;
	struct nlmsghdr *req;
	int tries, ret = -EINTR;
	int len;

	for (tries = 0; tries < RTNL_DUMP_TRIES && ret == -EINTR; tries++) {
		st.len = 0;
		req = mnl_nlmsg_put_header(buf);
		req->nlmsg_type = type;
		req->nlmsg_flags = NLM_F_DUMP;
		if (type == RTM_GETLINK) {
			struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(req, sizeof(*ifi));

			ifi->ifi_family = (unsigned char)family;
		} else {
			struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(req, sizeof(*ifa));

			ifa->ifa_family = (unsigned char)family;
		}
		ret = nd_rtnl_talk(rt, req, store_msg, &st, NULL, 0);
	}
	if (ret == 0) {
		len = (int)st.len;
		for (nlh = (const struct nlmsghdr *)st.data; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len))
			dispatch(rt, nlh);
	}
	free(st.data);
	return ret;
}

int sfo_rtnl_dump_links(struct sfo_rtnl *rt)
{
	return dump_and_dispatch(rt, RTM_GETLINK, AF_UNSPEC);
}

int sfo_rtnl_dump_addrs(struct sfo_rtnl *rt)
{
	return dump_and_dispatch(rt, RTM_GETADDR, AF_UNSPEC);
}

int sfo_rtnl_dump(struct sfo_rtnl *rt)
{
	int ret = sfo_rtnl_dump_links(rt);

	return ret < 0 ? ret : sfo_rtnl_dump_addrs(rt);
}

static int get_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sfo_link *out = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	return sfo_link_parse(nlh, out) == 0 ? 0 : -EBADMSG;
}

int sfo_rtnl_get_link(struct sfo_rtnl *rt, int ifindex, const char *name, struct sfo_link *out,
		      char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *req;
	struct ifinfomsg *ifi;
	int ret;

	if (ifindex <= 0 && !nd_ifname_ok(name)) {
		nd_set_err(err, errlen, "invalid interface");
		return -EINVAL;
	}
	req = mnl_nlmsg_put_header(buf);
	req->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(req, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex > 0 ? ifindex : 0;
	if (ifindex <= 0)
		mnl_attr_put_strz(req, IFLA_IFNAME, name);
	out->ifindex = 0;
	ret = nd_rtnl_talk(rt, req, get_link_cb, out, err, errlen);
	if (ret == 0 && out->ifindex == 0)
		ret = -ENODEV;
	return ret;
}
