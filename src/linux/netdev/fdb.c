/* SPDX-License-Identifier: BSD-2-Clause */
/* Decode AF_BRIDGE RTM_NEWNEIGH into struct sfo_fdb_entry. */
#include "fdb.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

struct fdb_attrs {
	const struct nlattr *tb[NDA_MAX + 1];
};

static int fdb_attr_cb(const struct nlattr *attr, void *data)
{
	struct fdb_attrs *fa = data;

	if (mnl_attr_type_valid(attr, NDA_MAX) < 0)
		return MNL_CB_OK;
	fa->tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

int sfo_fdb_parse(const struct nlmsghdr *nlh, struct sfo_fdb_entry *e)
{
	struct fdb_attrs fa = { 0 };
	const struct ndmsg *ndm;
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWNEIGH)
		return -EINVAL;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ndm))
		return -EBADMSG;
	ndm = mnl_nlmsg_get_payload(nlh);
	if (ndm->ndm_family != AF_BRIDGE)
		return -EAFNOSUPPORT;
	if (mnl_attr_parse(nlh, sizeof(*ndm), fdb_attr_cb, &fa) < 0)
		return -EBADMSG;
	a = fa.tb[NDA_LLADDR];
	if (!a || mnl_attr_get_payload_len(a) != SFO_MAC_LEN)
		return -EBADMSG;
	memset(e, 0, sizeof(*e));
	memcpy(e->mac, mnl_attr_get_payload(a), SFO_MAC_LEN);
	e->port = ndm->ndm_ifindex;
	e->state = ndm->ndm_state;
	e->flags = ndm->ndm_flags;
	if (fa.tb[NDA_MASTER] && mnl_attr_validate(fa.tb[NDA_MASTER], MNL_TYPE_U32) == 0)
		e->master = (int)mnl_attr_get_u32(fa.tb[NDA_MASTER]);
	if (fa.tb[NDA_VLAN] && mnl_attr_validate(fa.tb[NDA_VLAN], MNL_TYPE_U16) == 0)
		e->vlan = mnl_attr_get_u16(fa.tb[NDA_VLAN]);
	return 0;
}

bool sfo_fdb_is_remote(const struct sfo_fdb_entry *e)
{
	if (!e->master || (e->flags & NTF_SELF) || (e->state & NUD_PERMANENT))
		return false;
	return !(e->mac[0] & 1); /* group addresses live nowhere in particular */
}
