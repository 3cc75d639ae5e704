/* SPDX-License-Identifier: BSD-2-Clause */
/* The standby, its upper devices and what their bridges learned: what to announce. */
#include "announce_plan.h"

#include <linux/if.h>
#include <string.h>
#include <sys/socket.h>

#define NODES_MAX 32

/* A device whose frames leave through the standby, with the VLAN tags
 * they carry on the way. */
struct node {
	const struct sfo_link *link;
	unsigned int depth;
	uint8_t n_tags;
	struct sfo_vlan_tag tags[SFO_ANN_TAGS_MAX];
};

struct plan {
	const struct sfo_net_view *v;
	struct sfo_announcement *out;
	size_t max, n;
	struct node nodes[NODES_MAX];
	size_t n_nodes;
};

static const struct sfo_link *find_link(const struct sfo_net_view *v, int ifindex)
{
	for (size_t i = 0; i < v->n_links; i++)
		if (v->links[i].ifindex == ifindex)
			return &v->links[i];
	return NULL;
}

static bool is_kind(const struct sfo_link *l, const char *const *kinds)
{
	for (; *kinds; kinds++)
		if (!strcmp(l->kind, *kinds))
			return true;
	return false;
}

/* Devices on top of another one, sending through it with their own MAC
 * (macvlan) or its MAC (ipvlan) and their own addresses. */
static const char *const stacked_kinds[] = {
	"vlan", "macvlan", "macvtap", "ipvlan", "ipvtap", NULL
};

static bool same_tags(const struct sfo_announcement *a, const struct node *n)
{
	return a->n_tags == n->n_tags && !memcmp(a->tags, n->tags, n->n_tags * sizeof(n->tags[0]));
}

static void emit(struct plan *pl, const struct node *n, enum sfo_ann_kind kind, const uint8_t *mac,
		 const struct sfo_addr *addr)
{
	struct sfo_announcement a = { .kind = kind, .n_tags = n->n_tags };

	if (kind == SFO_ANN_RARP) { /* once per MAC and VLAN path */
		for (size_t i = 0; i < pl->n && i < pl->max; i++)
			if (pl->out[i].kind == SFO_ANN_RARP &&
			    !memcmp(pl->out[i].mac, mac, SFO_MAC_LEN) && same_tags(&pl->out[i], n))
				return;
	}
	memcpy(a.mac, mac, SFO_MAC_LEN);
	memcpy(a.tags, n->tags, sizeof(a.tags));
	if (addr)
		a.addr = *addr;
	if (pl->n < pl->max)
		pl->out[pl->n] = a;
	pl->n++;
}

static bool has_mac(const struct sfo_link *l)
{
	return l->addr_len == SFO_MAC_LEN;
}

static void emit_addrs(struct plan *pl, const struct node *n)
{
	const struct sfo_net_view *v = pl->v;

	for (size_t i = 0; i < v->n_addrs; i++) {
		const struct sfo_addr *a = &v->addrs[i].addr;

		if (v->addrs[i].ifindex != n->link->ifindex || !sfo_addr_announceable(a))
			continue;
		emit(pl, n, a->family == AF_INET ? SFO_ANN_GARP : SFO_ANN_NA, n->link->addr, a);
	}
}

/* MACs @bridge learned behind its ports other than @port (the way to the standby). */
static void emit_learned(struct plan *pl, const struct node *port, int bridge)
{
	const struct sfo_net_view *v = pl->v;

	for (size_t i = 0; i < v->n_fdb; i++) {
		const struct sfo_fdb_entry *e = &v->fdb[i];

		if (e->master == bridge && e->port != port->link->ifindex && sfo_fdb_is_remote(e))
			emit(pl, port, SFO_ANN_RARP, e->mac, NULL);
	}
}

static bool visited(const struct plan *pl, int ifindex)
{
	for (size_t i = 0; i < pl->n_nodes; i++)
		if (pl->nodes[i].link->ifindex == ifindex)
			return true;
	return false;
}

static void add_node(struct plan *pl, const struct node *below, const struct sfo_link *l)
{
	struct node *n;

	if (pl->n_nodes == NODES_MAX || visited(pl, l->ifindex) || !(l->flags & IFF_UP) ||
	    !has_mac(l) || below->depth >= SFO_ANN_DEPTH_MAX)
		return;
	n = &pl->nodes[pl->n_nodes];
	*n = *below;
	n->link = l;
	n->depth = below->depth + 1;
	if (!strcmp(l->kind, "vlan")) {
		if (n->n_tags == SFO_ANN_TAGS_MAX)
			return; /* deeper stacks are not announced */
		/* the vlan nearest the standby is the outermost tag: append */
		n->tags[n->n_tags].proto = l->vlan_proto;
		n->tags[n->n_tags].id = l->vlan_id;
		n->n_tags++;
	}
	pl->n_nodes++;
}

/* Queue the devices directly above @n: its bridge, the devices stacked on it. */
static void add_uppers(struct plan *pl, size_t at)
{
	const struct node n = pl->nodes[at];
	const struct sfo_link *master = n.link->master ? find_link(pl->v, n.link->master) : NULL;

	if (master && !strcmp(master->kind, "bridge")) {
		add_node(pl, &n, master);
		emit_learned(pl, &n, master->ifindex);
	}
	for (size_t i = 0; i < pl->v->n_links; i++) {
		const struct sfo_link *l = &pl->v->links[i];

		if (l->link == n.link->ifindex && l->link_netnsid < 0 && is_kind(l, stacked_kinds))
			add_node(pl, &n, l);
	}
}

size_t sfo_announce_plan(const struct sfo_net_view *v, int standby, struct sfo_announcement *out,
			 size_t max)
{
	struct plan pl = { .v = v, .out = out, .max = max };
	const struct sfo_link *sby = find_link(v, standby);

	if (!sby || !has_mac(sby))
		return 0;
	pl.nodes[0].link = sby;
	pl.n_nodes = 1;
	/* breadth first: the standby's own addresses come first */
	for (size_t i = 0; i < pl.n_nodes; i++) {
		emit_addrs(&pl, &pl.nodes[i]);
		add_uppers(&pl, i);
	}
	return pl.n;
}
