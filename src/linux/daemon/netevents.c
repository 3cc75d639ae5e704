// SPDX-License-Identifier: BSD-2-Clause
/*
 * rtnetlink events into engine events. A link message becomes an adapter
 * update (or removal, with the final counters a DELLINK carries); address
 * and multicast-group changes of a standby refresh its multicast list; an
 * address appearing on a VF we hold is removed again. When the kernel
 * drops events (ENOBUFS) we dump everything again: the engine is
 * level-triggered, so a full picture puts every pair right. What was still
 * backed up in the socket is dropped before the dump: it is older than the
 * dump, and applied after it would undo it. A dump that fails is retried
 * on a timer of its own (an event arriving first retries it sooner), so a
 * quiet network does not leave stale facts behind.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "daemon.h"
#include "netdev/adapter.h"
#include "netdev/addrctl.h"
#include "netdev/mcast.h"
#include "netdev/rtnl.h"

/* ifindexes seen during a dump, to find links that vanished unseen */
static int *dumped;
static size_t n_dumped, cap_dumped;
static bool dumped_incomplete; /* out of memory: the list cannot tell who is gone */
static uint32_t standby_flags[SFO_MAX_IFINDEX]; /* last ifi_flags of standbys */

static void note_dumped(int ifindex)
{
	if (n_dumped == cap_dumped) {
		size_t cap = cap_dumped ? cap_dumped * 2 : 64;
		int *n = realloc(dumped, cap * sizeof(*n));

		if (!n) {
			dumped_incomplete = true;
			return;
		}
		dumped = n;
		cap_dumped = cap;
	}
	dumped[n_dumped++] = ifindex;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* After sort_dumped(): thousands of links make a linear search per adapter quadratic. */
static bool was_dumped(int ifindex)
{
	return bsearch(&ifindex, dumped, n_dumped, sizeof(*dumped), cmp_int) != NULL;
}

static void sort_dumped(void)
{
	if (n_dumped)
		qsort(dumped, n_dumped, sizeof(*dumped), cmp_int);
}

static bool is_held(struct daemon *d, int ifindex)
{
	enum sfo_role r = sfo_engine_adapter_role(d->eng, (uint32_t)ifindex);

	return r == SFO_ROLE_VF || r == SFO_ROLE_SPARE;
}

void netevents_standby_mcast(struct daemon *d, int ifindex)
{
	static uint8_t list[SFO_MAX_MCAST][SFO_MAC_LEN];
	uint32_t flags = ifindex < SFO_MAX_IFINDEX ? standby_flags[ifindex] : 0;
	struct sfo_rx_mode m = { 0 };
	int n = sfo_mcast_read(ifindex, list, SFO_MAX_MCAST);

	if (n < 0) {
		dlog(SFO_LOG_WARN, "if%d: cannot read its multicast list: %s", ifindex,
		     strerror(-n));
		return;
	}
	m.promisc = flags & SFO_AF_PROMISC;
	m.allmulti = flags & SFO_AF_ALLMULTI;
	m.mc_count = (size_t)(n < SFO_MAX_MCAST ? n : SFO_MAX_MCAST);
	m.mc_list = (const uint8_t(*)[SFO_MAC_LEN])list;
	if (n > SFO_MAX_MCAST) /* more groups than we mirror: receive them all */
		m.allmulti = true;
	sfo_engine_standby_rx_mode(d->eng, (uint32_t)ifindex, &m);
}

/*
 * A device being unregistered no longer answers ethtool or sysfs: its
 * driver and PCI ids read as empty in its last messages. Those facts do not
 * change while it exists, so keep what we knew rather than let a dying VF
 * look like another device.
 */
static void keep_identity(struct daemon *d, struct sfo_adapter_info *info)
{
	struct sfo_adapter_info old;

	if (sfo_engine_adapter_info(d->eng, info->id, &old) < 0)
		return;
	if (!info->driver[0])
		memcpy(info->driver, old.driver, sizeof(info->driver));
	if (!info->pci_vendor) {
		info->pci_vendor = old.pci_vendor;
		info->pci_device = old.pci_device;
	}
	if (!info->offloads_supported) {
		info->offloads_supported = old.offloads_supported;
		info->offloads_active = old.offloads_active;
	}
}

/*
 * A VF or spare we hold sends several messages while we bring it up (its
 * address generation, up, carrier, RX mode): what ethtool and sysfs said of
 * it stays true while its name and MAC do, so those messages are read
 * alone, and the one with its carrier is not queued behind ioctls waiting
 * for the RTNL lock.
 */
static bool known_vf_info(struct daemon *d, const struct sfo_link *link,
			  struct sfo_adapter_info *info)
{
	return is_held(d, link->ifindex) &&
	       sfo_engine_adapter_info(d->eng, (uint32_t)link->ifindex, info) == 0 &&
	       sfo_adapter_info_refresh(link, info) == 0;
}

static void on_link(void *ctx, bool is_new, const struct sfo_link *link)
{
	struct daemon *d = ctx;
	struct sfo_adapter_info info;
	struct sfo_counters c;
	uint64_t t;

	if (!is_new) {
		/* a DELLINK carries the last counters: count them before it goes */
		if (sfo_counters_from_link(link, &c) == 0)
			sfo_engine_counters_sampled(d->eng, (uint32_t)link->ifindex, &c);
		dlog(SFO_LOG_DEBUG, "%s: link removed", link->name);
		sfo_engine_adapter_removed(d->eng, (uint32_t)link->ifindex);
		return;
	}
	if (d->in_dump)
		note_dumped(link->ifindex);
	/* Fast path: a VF we hold that goes down (about to be unregistered:
	 * the kernel closes it first), loses carrier, or comes up with
	 * carrier. The message says all steering needs: move the datapath
	 * before the slower work of reading the VF's facts through ethtool and
	 * sysfs, which waits for the RTNL lock other tasks may hold. */
	if (sfo_engine_adapter_role(d->eng, (uint32_t)link->ifindex) == SFO_ROLE_VF &&
	    sfo_engine_adapter_info(d->eng, (uint32_t)link->ifindex, &info) == 0) {
		const uint32_t steering = SFO_AF_UP | SFO_AF_CARRIER;
		uint32_t now = sfo_adapter_flags(link) & steering;

		if ((info.flags & steering) != now) {
			info.flags = (info.flags & ~steering) | now;
			sfo_engine_adapter_update(d->eng, &info);
		}
	}
	t = mono_ns();
	if (!known_vf_info(d, link, &info)) {
		if (sfo_adapter_info_from_link(link, &info) < 0)
			return;
		keep_identity(d, &info);
		t = dlog_step(t, "%s: ethtool/sysfs", link->name);
	}
	dlog(SFO_LOG_DEBUG, "%s: link flags 0x%x mtu %u driver %s", link->name, link->flags,
	     link->mtu, info.driver);
	vf_renamed(d, link->ifindex, link->name);
	sfo_engine_adapter_update(d->eng, &info);
	dlog_step(t, "%s: engine", link->name);
	if (sfo_engine_adapter_role(d->eng, info.id) == SFO_ROLE_STANDBY &&
	    link->ifindex < SFO_MAX_IFINDEX) {
		uint32_t rx = info.flags & (SFO_AF_PROMISC | SFO_AF_ALLMULTI);

		if (d->in_dump || rx != standby_flags[link->ifindex]) {
			standby_flags[link->ifindex] = rx;
			netevents_standby_mcast(d, link->ifindex);
		}
	}
}

static void on_addr(void *ctx, bool is_new, int ifindex, const struct sfo_addr *addr)
{
	struct daemon *d = ctx;
	char err[256], name[32];
	int ret;

	(void)addr;
	if (is_new && is_held(d, ifindex)) {
		/* isolation: whatever configured it, the VF has no address */
		ret = sfo_addr_flush(d->rt, ifindex, AF_UNSPEC, err, sizeof(err));
		dlog(ret < 0 ? SFO_LOG_WARN : SFO_LOG_INFO,
		     "%s: address appeared on a held VF, %s%s",
		     ifname_of(d, ifindex, name, sizeof(name)),
		     ret < 0 ? "cannot remove: " : "removed", ret < 0 ? err : "");
		return;
	}
	/* a new IPv6 address joins its solicited-node group: mirror it */
	if (sfo_engine_adapter_role(d->eng, (uint32_t)ifindex) == SFO_ROLE_STANDBY)
		netevents_standby_mcast(d, ifindex);
}

static void on_mcast(void *ctx, bool is_new, int ifindex, const struct sfo_addr *group)
{
	struct daemon *d = ctx;

	(void)is_new;
	(void)group;
	if (sfo_engine_adapter_role(d->eng, (uint32_t)ifindex) == SFO_ROLE_STANDBY)
		netevents_standby_mcast(d, ifindex);
}

static const struct sfo_rtnl_handlers handlers = {
	.link = on_link,
	.addr = on_addr,
	.mcast = on_mcast,
};

enum { RESYNC_RETRY_FIRST_MS = 100, RESYNC_RETRY_MAX_MS = 5000 };

int netevents_open(struct daemon *d)
{
	int ret;

	d->resync_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->resync_fd < 0)
		return -errno;
	d->resync_retry_ms = RESYNC_RETRY_FIRST_MS;
	ret = sfo_rtnl_open(&d->rt, &handlers, d, 0);
	if (ret < 0)
		return ret;
	ret = sfo_rtnl_set_rcvbuf(d->rt, 8 << 20);
	if (ret < 0)
		dlog(SFO_LOG_WARN, "cannot enlarge the netlink receive buffer: %s", strerror(-ret));
	if (!sfo_rtnl_has_mcast_events(d->rt))
		dlog(SFO_LOG_INFO, "kernel sends no multicast-group events: multicast lists follow "
				   "address changes only");
	return 0;
}

/* Arm (@ms > 0) or disarm (0) the retry of a failed resync. */
static void set_retry(struct daemon *d, unsigned int ms)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 },
	};

	if (timerfd_settime(d->resync_fd, 0, &its, NULL) < 0)
		dlog(SFO_LOG_ERR, "cannot %s the resync retry timer: %s", ms ? "arm" : "disarm",
		     strerror(errno));
}

static int resync_failed(struct daemon *d, int ret, const char *why)
{
	unsigned int ms = d->resync_retry_ms;

	dlog(SFO_LOG_ERR, "netlink dump failed: %s; again in %u ms, or at the next event", why, ms);
	set_retry(d, ms);
	d->resync_retry_ms = ms * 2 < RESYNC_RETRY_MAX_MS ? ms * 2 : RESYNC_RETRY_MAX_MS;
	return ret;
}

int netevents_resync(struct daemon *d)
{
	size_t n, i = 0;
	int ret;

	/* First, so that the kernel queues the events of the dump's time again
	 * (an overrun socket gets none until it is empty) and so that none
	 * older than the dump is applied after it. */
	ret = sfo_rtnl_discard(d->rt);
	if (ret > 0)
		dlog(SFO_LOG_DEBUG, "dropped %d backed-up netlink messages", ret);
	else if (ret < 0)
		dlog(SFO_LOG_WARN, "cannot empty the netlink socket: %s", strerror(-ret));
	n_dumped = 0;
	dumped_incomplete = false;
	d->in_dump = true;
	ret = sfo_rtnl_dump(d->rt);
	d->in_dump = false;
	d->resync_pending = ret < 0 || dumped_incomplete;
	if (ret < 0)
		return resync_failed(d, ret, strerror(-ret));
	if (dumped_incomplete)
		return resync_failed(d, -ENOMEM, "out of memory for the list of links");
	if (d->resync_retry_ms != RESYNC_RETRY_FIRST_MS) {
		dlog(SFO_LOG_INFO, "netlink dump retried successfully");
		set_retry(d, 0);
		d->resync_retry_ms = RESYNC_RETRY_FIRST_MS;
	}
	/* links the dump no longer shows left while we were not listening */
	sort_dumped();
	n = sfo_engine_adapter_count(d->eng);
	while (i < n) {
		struct sfo_adapter_status st;

		if (sfo_engine_adapter_status(d->eng, i, &st) == 0 &&
		    !was_dumped((int)st.info.id)) {
			dlog(SFO_LOG_INFO, "%s: gone while events were lost", st.info.name);
			sfo_engine_adapter_removed(d->eng, st.info.id);
			n = sfo_engine_adapter_count(d->eng);
			continue;
		}
		i++;
	}
	return 0;
}

void netevents_retry(struct daemon *d)
{
	uint64_t expirations;

	if (read(d->resync_fd, &expirations, sizeof(expirations)) <= 0)
		return;
	if (d->resync_pending)
		netevents_resync(d);
}

/*
 * One batch only: a flood of events must not starve the engine's timer, the
 * path probes and the announcer. The socket is level-triggered in the loop's
 * epoll set, so what is left is read at the next wake-up.
 */
void netevents_receive(struct daemon *d)
{
	int ret;

	if (d->resync_pending && netevents_resync(d) < 0)
		return;
	ret = sfo_rtnl_receive(d->rt);
	if (ret == -ENOBUFS) {
		d->resyncs++;
		dlog(SFO_LOG_WARN, "netlink events lost (receive buffer overrun): resynchronising");
		netevents_resync(d);
		return;
	}
	if (ret < 0 && ret != -EAGAIN && ret != -EINTR)
		dlog(SFO_LOG_ERR, "netlink receive: %s", strerror(-ret));
}
