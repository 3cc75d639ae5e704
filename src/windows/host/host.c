// SPDX-License-Identifier: BSD-2-Clause
/*
 * The miniports' interfaces and their frames. A link with the standby's MAC
 * (other than the standby and the TAP) is a VF: on arrival the Linux stack
 * is kept off it, it gets the standby's MTU (the frame size a VF miniport is
 * configured with), goes up and is offered to the driver; its carrier is
 * the miniport's link state; its deletion is a surprise removal unless the
 * host released it first (host_release: PnP pause and unbind while the
 * device is still there, what an orderly hot-unplug does).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "events.h"
#include "host.h"
#include "linkctl.h"
#include "rtnl.h"

#define BATCH	   64	     /* frames read per readiness, then the other descriptors */
#define SOCKET_BUF (4 << 20) /* AF_PACKET buffers: bursts while the loop is busy */
#define ARPHRD_ETH 1
/* IF_OPER_UNKNOWN and IF_OPER_UP of <linux/if.h>, which clashes with <net/if.h> */
#define OPER_UNKNOWN 0
#define OPER_UP	     6

static void watch(struct host *h, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		snprintf(h->fatal, sizeof(h->fatal), "epoll: %s", strerror(errno));
}

static int port_tx(void *ctx, const void *frame, size_t len)
{
	struct port *p = ctx;
	struct host *h = p->host;
	int ret = packet_send(p->fd, frame, len);

	if (ret < 0) {
		p->tx_failed++;
		p->last_error = -ret;
		return ret;
	}
	p->tx++;
	if (h->last_tx != p) {
		events_add("path", NULL, h->last_tx ? h->last_tx->name : "", p->name,
			   "the stack's frames leave through %s (after: %s)", p->name,
			   events_last_cause());
		h->last_tx = p;
	}
	return 0;
}

static void to_stack(void *ctx, const void *frame, size_t len)
{
	struct host *h = ctx;

	if (write(h->tap_fd, frame, len) == (ssize_t)len)
		h->tap_tx++;
	else
		h->tap_dropped++;
}

/* The VF miniport's media state: the interface's operational state (RFC
 * 2863), which the kernel sets in the same pass that lets the peer's bridge
 * port forward; a veth has carrier before that. */
static bool link_up(const struct sfo_link *l)
{
	return (l->flags & IFF_UP) && (l->flags & SFO_IFF_LOWER_UP) &&
	       (l->operstate == OPER_UP || l->operstate == OPER_UNKNOWN);
}

static struct port *vf_by_ifindex(struct host *h, int ifindex)
{
	for (unsigned i = 0; i < HOST_MAX_VFS; i++)
		if (h->vfs[i].fd >= 0 && h->vfs[i].ifindex == ifindex)
			return &h->vfs[i];
	return NULL;
}

static void vf_arrived(struct host *h, const struct sfo_link *l)
{
	struct port *p = NULL;
	bool link = link_up(l);
	char err[128] = "";
	unsigned i;
	int ret;

	for (i = 0; i < HOST_MAX_VFS && !p; i++)
		if (h->vfs[i].fd < 0)
			p = &h->vfs[i];
	if (!p) {
		events_add("ignored", l->name, NULL, NULL, "more than %d VFs", HOST_MAX_VFS);
		return;
	}
	if ((ret = stack_off(l->name)) < 0 ||
	    (l->mtu != h->mtu &&
	     (ret = sfo_link_set_mtu(h->rt, l->ifindex, h->mtu, err, sizeof(err))) < 0) ||
	    (!(l->flags & IFF_UP) &&
	     (ret = sfo_link_set_up(h->rt, l->ifindex, true, err, sizeof(err))) < 0) ||
	    (ret = packet_open(l->ifindex, SOCKET_BUF)) < 0) {
		events_add("ignored", l->name, NULL, NULL, "cannot take it: %s",
			   *err ? err : strerror(-ret));
		return;
	}
	memset(p, 0, sizeof(*p));
	p->host = h;
	p->fd = ret;
	p->ifindex = l->ifindex;
	snprintf(p->name, sizeof(p->name), "%s", l->name);
	watch(h, p->fd, WATCH(W_PORT, (unsigned)(p - h->vfs) + 1));
	p->mp = mp_vf(p->name, h->mac, h->mtu, link, port_tx, p);
	events_add("arrival", p->name, NULL, NULL, "a VF with the standby's MAC, link %s: %s",
		   link ? "up" : "down", mp_bound(p->mp) ? "bound" : "not bound");
}

static void vf_link(struct port *p, bool up, const char *why)
{
	if (p->removed || mp_link_up(p->mp) == up)
		return;
	mp_link(p->mp, up);
	events_add("link", p->name, NULL, NULL, "%s (%s)", up ? "up" : "down", why);
}

static void vf_gone(struct port *p, const char *why)
{
	if (p->removed) {
		events_add("gone", p->name, NULL, NULL, "%s, after its PnP removal", why);
	} else if (p->released) { /* drained: the pause has nothing to wait for */
		mp_remove(p->mp, false);
		events_add("removal", p->name, NULL, NULL, "orderly (released before): %s", why);
	} else {
		mp_remove(p->mp, true);
		events_add("removal", p->name, NULL, NULL, "surprise removal: %s", why);
	}
	mp_free(p->mp);
	close(p->fd); /* leaves the epoll set */
	p->fd = -1;
	p->mp = NULL;
	if (p->host->last_tx == p)
		p->host->last_tx = NULL;
}

static void on_link(void *ctx, bool is_new, const struct sfo_link *l)
{
	struct host *h = ctx;
	struct port *p = vf_by_ifindex(h, l->ifindex);
	bool same_mac =
		l->type == ARPHRD_ETH && l->addr_len == 6 && memcmp(l->addr, h->mac, 6) == 0;

	if (l->ifindex == h->standby.ifindex) {
		if (!is_new)
			snprintf(h->fatal, sizeof(h->fatal), "the standby %s was deleted",
				 h->standby.name);
		return;
	}
	if (l->ifindex == h->tap_ifindex)
		return;
	if (!p) {
		if (is_new && same_mac)
			vf_arrived(h, l);
		return;
	}
	if (!is_new || !same_mac) {
		vf_gone(p, is_new ? "its MAC changed" : "the link was deleted");
		return;
	}
	vf_link(p, link_up(l),
		!(l->flags & IFF_UP) ? "administratively down" : "operational state");
}

static const struct sfo_rtnl_handlers handlers = { .link = on_link };

void host_rtnl_readable(struct host *h)
{
	int ret = sfo_rtnl_receive(h->rt);

	if (ret == -ENOBUFS) { /* events lost: the dump brings every link again */
		sfo_rtnl_discard(h->rt);
		ret = sfo_rtnl_dump_links(h->rt);
		for (unsigned i = 0; i < HOST_MAX_VFS; i++) { /* and a deletion lost meanwhile */
			char name[IF_NAMESIZE];

			if (h->vfs[i].fd >= 0 && !if_indextoname((unsigned)h->vfs[i].ifindex, name))
				vf_gone(&h->vfs[i],
					"the link is gone (rtnetlink events were lost)");
		}
	}
	if (ret < 0 && ret != -EAGAIN && ret != -EINTR)
		snprintf(h->fatal, sizeof(h->fatal), "rtnetlink: %s", strerror(-ret));
}

void host_tap_readable(struct host *h)
{
	for (int i = 0; i < BATCH; i++) {
		ssize_t n = read(h->tap_fd, h->buf, sizeof(h->buf));

		if (n <= 0)
			return;
		h->tap_rx++;
		mp_stack_send(h->standby.mp, h->buf, (size_t)n);
	}
}

void host_port_readable(struct host *h, unsigned idx, uint32_t events)
{
	struct port *p = idx == 0 ? &h->standby : &h->vfs[idx - 1];

	if (idx > HOST_MAX_VFS || p->fd < 0)
		return;
	if (events & EPOLLERR) { /* the device went down (ENETDOWN) */
		int err = 0;
		socklen_t len = sizeof(err);

		getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (idx && err == ENETDOWN)
			vf_link(p, false, "the device went down");
	}
	for (int i = 0; i < BATCH; i++) {
		ssize_t n = packet_recv(p->fd, h->buf, sizeof(h->buf));

		if (n == -EMSGSIZE) {
			p->rx_dropped++;
			continue;
		}
		if (n < 0)
			return;
		p->rx++;
		if (p->removed)
			p->rx_dropped++; /* no driver above any more */
		else if (!mp_receive(p->mp, h->buf, (size_t)n))
			p->rx_filtered++;
	}
}

/* The present VFs not yet removed, comma-separated in @names: how many. */
static int present(struct host *h, char *names, size_t len)
{
	size_t used = 0;
	int n = 0;

	*names = '\0';
	for (unsigned i = 0; i < HOST_MAX_VFS; i++)
		if (h->vfs[i].fd >= 0 && !h->vfs[i].removed) {
			used += (size_t)snprintf(names + used, used < len ? len - used : 0, "%s%s",
						 n ? "," : "", h->vfs[i].name);
			n++;
		}
	if (!n)
		snprintf(names, len, "no VF");
	return n;
}

int host_release(struct host *h, char *names, size_t len)
{
	int n = present(h, names, len);

	if (!n)
		return -1;
	if (mp_release(names, len) < 0)
		return -1;
	for (unsigned i = 0; i < HOST_MAX_VFS; i++)
		if (h->vfs[i].fd >= 0 && !h->vfs[i].removed) {
			h->vfs[i].released = true;
			events_add("release", h->vfs[i].name, NULL, NULL,
				   "the engine drains it (pair %s): sends on the standby",
				   mp_pair_state());
		}
	return present(h, names, len);
}

int host_unplug(struct host *h, char *names, size_t len)
{
	int n = present(h, names, len);

	for (unsigned i = 0; i < HOST_MAX_VFS; i++) {
		struct port *p = &h->vfs[i];
		uint64_t t0 = events_now_ns();

		if (p->fd < 0 || p->removed)
			continue;
		mp_remove(p->mp, false);
		p->removed = true;
		events_add("unplug", p->name, NULL, NULL, "PnP pause and unbind in %.3f ms",
			   (double)(events_now_ns() - t0) / 1e6);
	}
	return n ? n : -1;
}

static int take_standby(struct host *h, const char *name, char *err, size_t errlen)
{
	struct sfo_link l;
	int ret;

	ret = sfo_rtnl_get_link(h->rt, 0, name, &l, err, errlen);
	if (ret == -ENODEV) {
		snprintf(err, errlen, "--standby %s: no such interface in this network namespace",
			 name);
		return -1;
	}
	if (ret < 0)
		return -1;
	if (l.type != ARPHRD_ETH || l.addr_len != 6) {
		snprintf(err, errlen, "--standby %s: not an Ethernet interface", name);
		return -1;
	}
	memcpy(h->mac, l.addr, 6);
	h->mtu = l.mtu;
	h->standby.host = h;
	h->standby.ifindex = l.ifindex;
	snprintf(h->standby.name, sizeof(h->standby.name), "%s", l.name);
	if ((ret = stack_off(name)) < 0) {
		snprintf(err, errlen, "--standby %s: keeping the Linux stack off it: %s", name,
			 strerror(-ret));
		return -1;
	}
	if (!(l.flags & IFF_UP) && sfo_link_set_up(h->rt, l.ifindex, true, err, errlen) < 0)
		return -1;
	ret = packet_open(l.ifindex, SOCKET_BUF);
	if (ret < 0) {
		snprintf(err, errlen, "--standby %s: AF_PACKET socket: %s%s", name, strerror(-ret),
			 ret == -EPERM ? " (needs CAP_NET_RAW: run as root)" : "");
		return -1;
	}
	h->standby.fd = ret;
	return 0;
}

static int make_tap(struct host *h, const char *name, char *err, size_t errlen)
{
	int ret = tap_open(name, h->mac);

	if (ret < 0) {
		snprintf(err, errlen, "--tap %s: %s%s", name, strerror(-ret),
			 ret == -EPERM			   ? " (needs CAP_NET_ADMIN: run as root)"
			 : ret == -EBUSY || ret == -EINVAL ? " (an interface of that name exists)"
							   : "");
		return -1;
	}
	h->tap_fd = ret;
	snprintf(h->tap_name, sizeof(h->tap_name), "%s", name);
	h->tap_ifindex = (int)if_nametoindex(name);
	if (sfo_link_set_mtu(h->rt, h->tap_ifindex, h->mtu, err, errlen) < 0 ||
	    sfo_link_set_up(h->rt, h->tap_ifindex, true, err, errlen) < 0)
		return -1;
	return 0;
}

int host_open(struct host *h, const char *standby, const char *tap, int epfd, char *err,
	      size_t errlen)
{
	int ret;

	memset(h, 0, sizeof(*h));
	h->epfd = epfd;
	h->standby.fd = h->tap_fd = -1;
	for (unsigned i = 0; i < HOST_MAX_VFS; i++)
		h->vfs[i].fd = -1;
	ret = sfo_rtnl_open(&h->rt, &handlers, h, 0);
	if (ret < 0) {
		snprintf(err, errlen, "rtnetlink: %s", strerror(-ret));
		return -1;
	}
	if (take_standby(h, standby, err, errlen) < 0 || make_tap(h, tap, err, errlen) < 0)
		return -1;
	if (mp_load() < 0) {
		snprintf(err, errlen, "DriverEntry failed");
		return -1;
	}
	h->standby.mp =
		mp_standby(h->standby.name, h->mac, h->mtu, port_tx, &h->standby, to_stack, h);
	if (!h->standby.mp) {
		snprintf(err, errlen, "the filter did not attach to %s", standby);
		return -1;
	}
	events_add("attach", h->standby.name, NULL, NULL,
		   "filter attached and running; stack on %s", h->tap_name);
	watch(h, sfo_rtnl_fd(h->rt), WATCH(W_RTNL, 0));
	watch(h, h->tap_fd, WATCH(W_TAP, 0));
	watch(h, h->standby.fd, WATCH(W_PORT, 0));
	ret = sfo_rtnl_dump_links(h->rt); /* the VFs already there */
	if (ret < 0) {
		snprintf(err, errlen, "rtnetlink dump: %s", strerror(-ret));
		return -1;
	}
	if (*h->fatal) {
		snprintf(err, errlen, "%s", h->fatal);
		return -1;
	}
	return 0;
}

static void port_json(struct json *j, const struct port *p)
{
	json_obj_open(j, NULL);
	json_str(j, "name", p->name);
	json_i64(j, "ifindex", p->ifindex);
	if (p != &p->host->standby) {
		json_bool(j, "bound", !p->removed && mp_bound(p->mp));
		json_bool(j, "link", mp_link_up(p->mp));
		json_bool(j, "released", p->released);
		json_bool(j, "removed", p->removed);
	}
	json_u64(j, "tx", p->tx);
	json_u64(j, "tx_failed", p->tx_failed);
	json_str(j, "last_tx_error", p->last_error ? strerror(p->last_error) : NULL);
	json_u64(j, "rx", p->rx);
	json_u64(j, "rx_filtered", p->rx_filtered);
	json_u64(j, "rx_dropped", p->rx_dropped);
	json_obj_close(j);
}

/* The stack's statistics query, and whether any counter went down since the
 * last one (the driver's merge must never decrease). */
static void stats_json(struct host *h, struct json *j)
{
	struct mp_stats s;
	const uint64_t *now = (const uint64_t *)&s, *last = (const uint64_t *)&h->last_stats;

	if (mp_statistics(h->standby.mp, &s) < 0) {
		json_null(j, "statistics");
		return;
	}
	for (size_t i = 0; i < sizeof(s) / sizeof(*now); i++)
		if (now[i] < last[i])
			h->stats_decreased = true;
	h->last_stats = s;
	json_obj_open(j, "statistics");
	json_u64(j, "in_packets", s.in_packets);
	json_u64(j, "in_octets", s.in_octets);
	json_u64(j, "in_discards", s.in_discards);
	json_u64(j, "in_errors", s.in_errors);
	json_u64(j, "out_packets", s.out_packets);
	json_u64(j, "out_octets", s.out_octets);
	json_u64(j, "out_discards", s.out_discards);
	json_u64(j, "out_errors", s.out_errors);
	json_u64(j, "announcements", s.announcements);
	json_bool(j, "decreased", h->stats_decreased);
	json_obj_close(j);
}

void host_status_json(struct host *h, struct json *j)
{
	struct mp_totals t;

	mp_totals(h->standby.mp, &t);
	json_str(j, "path", h->last_tx ? h->last_tx->name : NULL);
	json_str(j, "pair", mp_pair_state());
	json_arr_open(j, "standby");
	port_json(j, &h->standby);
	json_arr_close(j);
	json_arr_open(j, "vfs");
	for (unsigned i = 0; i < HOST_MAX_VFS; i++)
		if (h->vfs[i].fd >= 0)
			port_json(j, &h->vfs[i]);
	json_arr_close(j);
	json_obj_open(j, "stack");
	json_str(j, "tap", h->tap_name);
	json_u64(j, "sent", h->tap_rx);
	json_u64(j, "sent_ok", t.stack_sent_ok);
	json_u64(j, "sent_failed", t.stack_sent_failed);
	json_u64(j, "received", t.stack_received);
	json_u64(j, "tap_dropped", h->tap_dropped);
	json_obj_close(j);
	stats_json(h, j);
	json_obj_open(j, "emulation");
	json_i64(j, "violations", t.violations);
	json_i64(j, "live_nbls", t.live_nbls);
	json_i64(j, "live_allocations", t.live_allocations);
	json_obj_close(j);
}

void host_close(struct host *h, struct mp_totals *t)
{
	struct mp_totals end;

	for (unsigned i = 0; i < HOST_MAX_VFS; i++) {
		struct port *p = &h->vfs[i];

		if (p->fd < 0)
			continue;
		if (!p->removed)
			mp_remove(p->mp, false);
		mp_free(p->mp);
		close(p->fd);
		p->fd = -1;
	}
	mp_totals(h->standby.mp, t);
	if (h->standby.mp && mp_unload(h->standby.mp) < 0)
		snprintf(h->fatal, sizeof(h->fatal), "the filter's pause did not complete");
	h->standby.mp = NULL;
	mp_totals(NULL, &end);
	t->violations = end.violations;
	t->live_nbls = end.live_nbls;
	t->live_allocations = end.live_allocations;
	if (h->standby.fd >= 0)
		close(h->standby.fd);
	if (h->tap_fd >= 0)
		close(h->tap_fd);
	if (h->rt)
		sfo_rtnl_close(h->rt);
}
