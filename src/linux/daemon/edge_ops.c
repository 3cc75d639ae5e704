// SPDX-License-Identifier: BSD-2-Clause
/*
 * The engine's operations on Linux: the eBPF datapath for steering,
 * rtnetlink/ethtool/sysfs for the VF's settings, an asynchronous
 * announcer (rtnetlink dumps, AF_PACKET) for announcements, AF_PACKET for
 * path probes (pathprobe.c), a timerfd for the engine's timer.
 *
 * When the daemon exits without --release-on-exit the engine is freed with
 * the ops disarmed (d->running false and not releasing): nothing is undone,
 * so the pinned datapath keeps carrying traffic until the next start.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>

#include "daemon.h"
#include "datapath.h"
#include "netdev/adapter.h"
#include "netdev/addrctl.h"
#include "netdev/announcer.h"
#include "netdev/ethtool.h"
#include "netdev/linkctl.h"
#include "netdev/mcast.h"
#include "netdev/rtnl.h"

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *ifname_of(struct daemon *d, int ifindex, char *buf, size_t len)
{
	char name[IF_NAMESIZE];

	(void)d;
	if (if_indextoname((unsigned int)ifindex, name))
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "if%d", ifindex);
	return buf;
}

/* Disarmed: exiting and leaving everything as it is. */
static bool disarmed(const struct daemon *d)
{
	return !d->running && !d->releasing;
}

static struct held_vf *held_find(struct daemon *d, int ifindex)
{
	for (size_t i = 0; i < d->n_held; i++)
		if (d->held[i].ifindex == ifindex)
			return &d->held[i];
	return NULL;
}

static int dp_take_vf(struct daemon *d, uint32_t sby, uint32_t vf, bool replace);

static uint64_t op_now(void *ctx)
{
	(void)ctx;
	return mono_ns();
}

static void op_timer_set(void *ctx, uint64_t deadline)
{
	struct daemon *d = ctx;
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = (time_t)(deadline / 1000000000ull);
	its.it_value.tv_nsec = (long)(deadline % 1000000000ull);
	if (timerfd_settime(d->timerfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		dlog(SFO_LOG_ERR, "timerfd_settime: %s", strerror(errno));
}

static int op_datapath_attach(void *ctx, uint32_t sby)
{
	struct daemon *d = ctx;
	char name[IF_NAMESIZE + 8];
	int ret;

	if (disarmed(d))
		return 0;
	ret = sfo_dp_standby_attach(d->dp, (int)sby);
	if (ret < 0) {
		dlog(SFO_LOG_ERR, "%s: cannot attach the datapath: %s",
		     ifname_of(d, (int)sby, name, sizeof(name)), strerror(-ret));
		return ret;
	}
	/* A pair adopted from an earlier run keeps its steering while the
	 * engine catches up; main.c puts right what the engine did not take. */
	return 0;
}

static void op_datapath_detach(void *ctx, uint32_t sby)
{
	struct daemon *d = ctx;
	int ret;

	if (disarmed(d))
		return;
	ret = sfo_dp_standby_detach(d->dp, (int)sby);
	if (ret < 0 && ret != -ENOENT)
		dlog(SFO_LOG_WARN, "if%u: cannot detach the datapath: %s", sby, strerror(-ret));
}

static int op_steer(void *ctx, uint32_t sby, uint32_t vf)
{
	struct daemon *d = ctx;
	int ret;

	if (disarmed(d))
		return 0;
	ret = vf ? dp_take_vf(d, sby, vf, true) : 0; /* a promoted spare */
	if (!ret)
		ret = sfo_dp_steer(d->dp, (int)sby, vf != 0);
	if (ret == -ENOLINK) {
		/* The pair names the VF, but a piece of its datapath is gone
		 * (the datapath checks, it does not trust the pair's record). */
		dlog(SFO_LOG_WARN, "if%u: the datapath of if%u is incomplete: attaching it again",
		     sby, vf);
		ret = sfo_dp_vf_attach(d->dp, (int)sby, (int)vf);
		if (!ret)
			ret = sfo_dp_steer(d->dp, (int)sby, true);
	}
	if (ret < 0)
		dlog(SFO_LOG_WARN, "if%u: cannot steer to %s: %s", sby,
		     vf ? "the VF" : "the standby", strerror(-ret));
	else if (vf) /* a probe prepared but never started (probe-path turned off) */
		pathprobe_stop(d, (int)vf);
	return ret;
}

static bool held_by_us(struct daemon *d, int ifindex)
{
	return held_find(d, ifindex) != NULL;
}

/*
 * The datapath serves one VF per pair: the first VF held gets it at once
 * (its frames reach the stack from now on); a spare is only isolated and
 * gets the datapath when it is steered to. A VF the pins still name but
 * that we do not hold (it left while no daemon ran) is forgotten.
 */
static int dp_take_vf(struct daemon *d, uint32_t sby, uint32_t vf, bool replace)
{
	int cur = 0, ret;

	ret = sfo_dp_get_pair(d->dp, (int)sby, &cur, NULL);
	if (ret < 0)
		return ret;
	if (cur == (int)vf)
		return 0;
	if (cur && held_by_us(d, cur) && !replace)
		return 0; /* a spare: isolated only */
	if (cur) {
		ret = sfo_dp_vf_detach(d->dp, (int)sby, cur);
		if (ret < 0 && ret != -ENOENT)
			return ret;
	}
	return sfo_dp_vf_attach(d->dp, (int)sby, (int)vf);
}

static int op_vf_prepare(void *ctx, uint32_t sby, uint32_t vf)
{
	struct daemon *d = ctx;
	char name[IF_NAMESIZE + 8];
	struct held_vf *h;
	uint64_t t;
	int ret;

	if (disarmed(d))
		return 0;
	ifname_of(d, (int)vf, name, sizeof(name));
	/* room for its entry first: nothing to undo in the datapath if it fails */
	h = realloc(d->held, (d->n_held + 1) * sizeof(*d->held));
	if (!h)
		return -ENOMEM;
	d->held = h;
	ret = vf_isolate(d, (int)vf, name);
	if (ret < 0)
		return ret;
	t = mono_ns();
	ret = dp_take_vf(d, sby, vf, false);
	dlog_step(t, "%s: hold: datapath", name);
	if (ret < 0) {
		dlog(SFO_LOG_ERR, "%s: cannot attach the VF datapath: %s", name, strerror(-ret));
		vf_unisolate(d, (int)vf, name);
		return ret;
	}
	h = &d->held[d->n_held++];
	memset(h, 0, sizeof(*h));
	h->ifindex = (int)vf;
	snprintf(h->name, sizeof(h->name), "%s", name);
	return 0;
}

static void op_vf_release(void *ctx, uint32_t sby, uint32_t vf)
{
	struct daemon *d = ctx;
	struct held_vf *h;
	int cur = 0, ret;

	pathprobe_stop(d, (int)vf); /* prepared (probe_prepare), never started */
	if (disarmed(d))
		return;
	if (sfo_dp_get_pair(d->dp, (int)sby, &cur, NULL) == 0 && cur == (int)vf) {
		ret = sfo_dp_vf_detach(d->dp, (int)sby, (int)vf);
		if (ret < 0 && ret != -ENOENT)
			dlog(SFO_LOG_WARN, "if%u: cannot detach the VF datapath: %s", vf,
			     strerror(-ret));
	}
	h = held_find(d, (int)vf);
	if (!h)
		return;
	if (h->mcast) {
		sfo_mcast_release(h->mcast);
		sfo_mcast_tracker_free(h->mcast);
	}
	vf_unisolate(d, (int)vf, h->name);
	*h = d->held[--d->n_held];
}

static int op_vf_open(void *ctx, uint32_t vf)
{
	struct daemon *d = ctx;
	char err[256];
	uint64_t t;
	int ret;

	if (disarmed(d))
		return 0;
	t = mono_ns();
	ret = sfo_link_set_up(d->rt, (int)vf, true, err, sizeof(err));
	if (ret < 0)
		dlog(SFO_LOG_WARN, "if%u: cannot bring it up: %s", vf, err);
	dlog_step(t, "if%u: up", vf);
	return ret;
}

static int op_vf_set_mtu(void *ctx, uint32_t vf, uint32_t mtu)
{
	struct daemon *d = ctx;
	char err[256];
	uint64_t t;
	int ret;

	if (disarmed(d))
		return 0;
	t = mono_ns();
	ret = sfo_link_set_mtu(d->rt, (int)vf, mtu, err, sizeof(err));
	if (ret < 0)
		dlog(SFO_LOG_WARN, "if%u: MTU %u refused: %s", vf, mtu, err);
	dlog_step(t, "if%u: MTU", vf);
	return ret;
}

static int op_vf_set_rx_mode(void *ctx, uint32_t vf, const struct sfo_rx_mode *m)
{
	struct daemon *d = ctx;
	struct held_vf *h = held_find(d, (int)vf);
	char err[256];
	uint64_t t;
	int ret;

	if (disarmed(d))
		return 0;
	t = mono_ns();
	ret = sfo_link_set_promisc(d->rt, (int)vf, m->promisc, err, sizeof(err));
	if (!ret)
		ret = sfo_link_set_allmulti(d->rt, (int)vf, m->allmulti, err, sizeof(err));
	t = dlog_step(t, "if%u: promisc/allmulti", vf);
	if (ret < 0) {
		dlog(SFO_LOG_WARN, "if%u: RX mode refused: %s", vf, err);
		return ret;
	}
	if (!h)
		return -ENOENT;
	if (!h->mcast && !(h->mcast = sfo_mcast_tracker_new()))
		return -ENOMEM;
	ret = sfo_mcast_sync(h->mcast, (int)vf, m->mc_list, m->mc_count);
	dlog_step(t, "if%u: multicast list", vf);
	if (ret < 0)
		dlog(SFO_LOG_WARN, "%s: cannot set its multicast list: %s", h->name,
		     strerror(-ret));
	return ret < 0 ? ret : 0;
}

static int op_vf_set_offloads(void *ctx, uint32_t vf, uint32_t offloads)
{
	struct daemon *d = ctx;
	char name[IF_NAMESIZE + 8];
	uint32_t active;
	uint64_t t;
	int ret;

	if (disarmed(d))
		return 0;
	t = mono_ns();
	ret = sfo_ethtool_set_offloads(ifname_of(d, (int)vf, name, sizeof(name)), SFO_OFF_ALL,
				       offloads, &active);
	dlog_step(t, "%s: offloads", name);
	if (ret < 0)
		dlog(SFO_LOG_WARN, "%s: cannot set offloads: %s", name, strerror(-ret));
	return ret;
}

static int op_read_counters(void *ctx, uint32_t id, struct sfo_counters *out)
{
	struct daemon *d = ctx;

	return sfo_adapter_read_counters(d->rt, (int)id, out);
}

/* Gratuitous ARP and unsolicited NA for the addresses of the standby and its
 * upper devices, RARP for the MACs its guest bridge learned, sent on the
 * standby: its egress program takes them to the VF while that is active, so
 * the switches learn the port the traffic now uses. Collected and sent
 * asynchronously (announcer.h): the loop goes on meanwhile. */
static void op_announce(void *ctx, uint32_t sby)
{
	struct daemon *d = ctx;
	char name[32];
	int ret;

	if (disarmed(d))
		return;
	ret = sfo_announcer_request(d->ann, (int)sby);
	if (ret < 0)
		dlog(SFO_LOG_WARN, "%s: cannot announce: %s",
		     ifname_of(d, (int)sby, name, sizeof(name)), strerror(-ret));
}

void announced(void *ctx, int sby, size_t sent, size_t planned, int err)
{
	struct daemon *d = ctx;
	char name[32];

	ifname_of(d, sby, name, sizeof(name));
	if (err)
		dlog(SFO_LOG_WARN, "%s: announced %zu of %zu: %s", name, sent, planned,
		     strerror(-err));
	else if (planned > SFO_ANNOUNCE_MAX)
		dlog(SFO_LOG_WARN, "%s: announced %zu of %zu, the rest left out", name, sent,
		     planned);
	else
		dlog(SFO_LOG_DEBUG, "%s: announced %zu", name, sent);
	if (d->eng && sent)
		sfo_engine_announced(d->eng, (uint32_t)sby, sent);
}

static int op_probe_path(void *ctx, uint32_t sby, uint32_t vf)
{
	struct daemon *d = ctx;

	if (disarmed(d))
		return 0;
	return pathprobe_send(d, (int)sby, (int)vf);
}

static void op_probe_prepare(void *ctx, uint32_t sby, uint32_t vf)
{
	struct daemon *d = ctx;

	if (!disarmed(d))
		pathprobe_prepare(d, (int)sby, (int)vf);
}

/* Also when disarmed: the socket is ours, nothing of the guest's. */
static void op_probe_stop(void *ctx, uint32_t sby, uint32_t vf)
{
	(void)sby;
	pathprobe_stop(ctx, (int)vf);
}

/* The mark lives in the pinned pair: a restarted daemon finds it (start()). */
static void op_vf_released(void *ctx, uint32_t sby, uint32_t vf, bool released)
{
	struct daemon *d = ctx;
	int ret;

	if (disarmed(d))
		return;
	ret = sfo_dp_mark_released(d->dp, (int)sby, (int)vf, released);
	if (ret < 0)
		dlog(SFO_LOG_WARN,
		     "if%u: cannot %s the release of if%u in the pinned datapath "
		     "(a restart would %s): %s",
		     sby, released ? "record" : "clear", vf,
		     released ? "use it again" : "keep it unused", strerror(-ret));
}

_Static_assert(SFO_CTR_MAX <= SFO_DP_TALLY_MAX, "the pinned tally holds every counter");

/* Pinned next to the pair: a restarted daemon's merged counters go on from it. */
static void op_vf_tally(void *ctx, uint32_t sby, const struct sfo_vf_tally *t)
{
	struct daemon *d = ctx;
	int ret;

	if (disarmed(d))
		return;
	ret = sfo_dp_save_tally(d->dp, (int)sby, (int)t->vf_id, t->last, t->total, SFO_CTR_MAX);
	if (ret < 0)
		dlog(SFO_LOG_DEBUG, "if%u: cannot keep the VF tally: %s", sby, strerror(-ret));
}

/* The engine's memory comes from the C library. */
static void *op_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return calloc(1, size);
}

static void op_free(void *ctx, void *ptr)
{
	(void)ctx;
	free(ptr);
}

static void op_log(void *ctx, enum sfo_log_level lvl, const char *msg)
{
	(void)ctx;
	dlog(lvl, "%s", msg);
}

const struct sfo_ops sfo_linux_ops = {
	.alloc = op_alloc,
	.free = op_free,
	.now_ns = op_now,
	.timer_set = op_timer_set,
	.datapath_attach = op_datapath_attach,
	.datapath_detach = op_datapath_detach,
	.steer = op_steer,
	.vf_prepare = op_vf_prepare,
	.vf_release = op_vf_release,
	.vf_open = op_vf_open,
	.vf_set_mtu = op_vf_set_mtu,
	.vf_set_rx_mode = op_vf_set_rx_mode,
	.vf_set_offloads = op_vf_set_offloads,
	.read_counters = op_read_counters,
	.announce = op_announce,
	.vf_released = op_vf_released,
	.vf_tally = op_vf_tally,
	.probe_path = op_probe_path,
	.probe_prepare = op_probe_prepare,
	.probe_stop = op_probe_stop,
	.log = op_log,
};
