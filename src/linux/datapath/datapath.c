// SPDX-License-Identifier: BSD-2-Clause
/*
 * The pairs of the datapath: keep the pinned maps and the tc filters in step
 * with what the daemon holds. The story of a pair:
 *
 *   sfo_dp_standby_attach   pair created in a free slot (no VF, steered to
 *                           the standby), standby filters attached
 *   sfo_dp_vf_attach        VF held: its RX goes to the standby, devmap slot
 *   sfo_dp_steer(true)      TX through the VF
 *     ...VF unregisters     the kernel empties the devmap slot: TX falls back
 *     ...VF goes down       the close hook steers back to the standby
 *   sfo_dp_steer(false)     TX through the standby
 *   sfo_dp_vf_detach        VF forgotten, its filter removed
 *   sfo_dp_standby_detach   filters removed, slot emptied
 *
 * Maps are arrays (dp_abi.h): sfo_slot_of finds a device's slot, and every
 * other map holds the pair's state at that slot.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "dp_abi.h"
#include "dp_internal.h"

/* ---- helpers ---- */

static int if_flags(int ifindex, unsigned int *flags)
{
	struct ifreq ifr;
	int fd, err = 0;

	memset(&ifr, 0, sizeof(ifr));
	if (!if_indextoname(ifindex, ifr.ifr_name))
		return -ENODEV;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		err = -errno;
	else
		*flags = (unsigned short)ifr.ifr_flags;
	close(fd);
	return err;
}

static int map_put(int fd, const void *key, const void *value)
{
	if (bpf_map_update_elem(fd, key, value, BPF_ANY))
		return -errno;
	return 0;
}

static int map_delete(int fd, const void *key)
{
	if (bpf_map_delete_elem(fd, key) && errno != ENOENT)
		return -errno;
	return 0;
}

/* The slot recorded for @ifindex: 0 and *slot, -ENOENT: none. */
static int slot_get(struct sfo_dp *dp, int ifindex, __u32 *slot)
{
	bool high = ifindex >= SFO_DP_MAX_IFINDEX;
	__u32 key = ifindex, v;

	if (ifindex <= 0)
		return -EINVAL;
	if (bpf_map_lookup_elem(high ? dp->slot_of_high_fd : dp->slot_of_fd, &key, &v))
		return -errno;
	if (!v || v > SFO_DP_MAX_PAIRS)
		return -ENOENT;
	*slot = v - 1;
	return 0;
}

static int pair_read(struct sfo_dp *dp, __u32 slot, struct sfo_pair *pair)
{
	if (bpf_map_lookup_elem(dp->pairs_fd, &slot, pair))
		return -errno;
	return 0;
}

/* Forget the entries of sfo_slot_of_high whose pair no longer names their
 * ifindex (left by a process that died between the two writes): the hash
 * has room for every live pair, not for those. */
static void slot_high_prune(struct sfo_dp *dp)
{
	__u32 key, next, v;
	struct sfo_pair pair;
	bool more = !bpf_map_get_next_key(dp->slot_of_high_fd, NULL, &next);

	while (more) {
		key = next;
		more = !bpf_map_get_next_key(dp->slot_of_high_fd, &key, &next);
		if (bpf_map_lookup_elem(dp->slot_of_high_fd, &key, &v) || !v ||
		    v > SFO_DP_MAX_PAIRS || pair_read(dp, v - 1, &pair) ||
		    (pair.standby_ifindex != key && pair.vf_ifindex != key))
			map_delete(dp->slot_of_high_fd, &key);
	}
}

/* Record @ifindex's slot (+ 1); 0 forgets it. */
static int slot_set(struct sfo_dp *dp, int ifindex, __u32 slot_plus_one)
{
	__u32 key = ifindex;
	int err;

	if (ifindex < SFO_DP_MAX_IFINDEX)
		return map_put(dp->slot_of_fd, &key, &slot_plus_one);
	if (!slot_plus_one)
		return map_delete(dp->slot_of_high_fd, &key);
	err = map_put(dp->slot_of_high_fd, &key, &slot_plus_one);
	if (err == -E2BIG) {
		slot_high_prune(dp);
		err = map_put(dp->slot_of_high_fd, &key, &slot_plus_one);
	}
	return err;
}

/* The pair of @standby_ifindex, and its slot, if it belongs to our network
 * namespace. */
static int pair_get(struct sfo_dp *dp, int standby_ifindex, __u32 *slot, struct sfo_pair *pair)
{
	int err;

	if (standby_ifindex <= 0)
		return -EINVAL;
	err = slot_get(dp, standby_ifindex, slot);
	if (err)
		return err;
	err = pair_read(dp, *slot, pair);
	if (err)
		return err;
	if (pair->standby_ifindex != (__u32)standby_ifindex ||
	    pair->netns_cookie != dp->netns_cookie)
		return -ENOENT;
	return 0;
}

static int pair_put(struct sfo_dp *dp, __u32 slot, const struct sfo_pair *pair)
{
	return map_put(dp->pairs_fd, &slot, pair);
}

/*
 * Whether the VF's half of the pair in @slot is all in place, as the kernel
 * has it now: the devmap slot holds @vf, @vf maps to the slot and its
 * ingress filter runs one of our programs. Another process, or a rollback,
 * may have removed a piece since the pair recorded the VF. -ENODEV: the VF
 * is gone; -ENOLINK: a piece is missing.
 */
static int vf_datapath_check(struct sfo_dp *dp, __u32 slot, __u32 vf)
{
	char name[IF_NAMESIZE];
	__u32 dev, owner, prog;
	int err;

	if (!if_indextoname(vf, name))
		return -ENODEV;
	if (bpf_map_lookup_elem(dp->vf_dev_fd, &slot, &dev) || dev != vf)
		return -ENOLINK;
	if (slot_get(dp, vf, &owner) || owner != slot)
		return -ENOLINK;
	err = dp_tc_query(vf, BPF_TC_INGRESS, &prog);
	if (err)
		return err == -ENOENT ? -ENOLINK : err;
	if (prog == dp_prog_id(dp->vf_ingress_fd))
		return 0;
	err = dp_prog_uses_map(prog, dp->owner_map_id);
	return err == 1 || err == -EPERM ? 0 : -ENOLINK; /* -EPERM: see dp_tc_attach() */
}

/* A free slot (no standby), or -ENOSPC. */
static int slot_alloc(struct sfo_dp *dp, __u32 *slot)
{
	struct sfo_pair pair;
	__u32 i;
	int err;

	for (i = 0; i < SFO_DP_MAX_PAIRS; i++) {
		err = pair_read(dp, i, &pair);
		if (err)
			return err;
		if (!pair.standby_ifindex) {
			*slot = i;
			return 0;
		}
	}
	return -ENOSPC;
}

/* Empty @slot: devmap entry, tally, counters, then the pair. */
static int slot_clear(struct sfo_dp *dp, __u32 slot)
{
	struct sfo_tally tally;
	struct sfo_pair pair;
	int err;

	memset(&tally, 0, sizeof(tally));
	memset(&pair, 0, sizeof(pair));
	err = map_delete(dp->vf_dev_fd, &slot);
	if (!err)
		err = map_put(dp->tally_fd, &slot, &tally);
	if (!err)
		err = dp_counters_create(dp, slot, true);
	if (!err)
		err = pair_put(dp, slot, &pair);
	return err;
}

/* Per-CPU counters of @slot summed into @sum. */
static int counters_sum(struct sfo_dp *dp, __u32 slot, struct sfo_counters *sum)
{
	struct sfo_counters *percpu;
	int cpu, err = 0;

	percpu = calloc(dp->ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(dp->stats_fd, &slot, percpu)) {
		err = -errno;
		goto out;
	}
	for (cpu = 0; cpu < dp->ncpus; cpu++) {
		const __u64 *src = (const __u64 *)&percpu[cpu];
		__u64 *dst = (__u64 *)sum;
		size_t i;

		for (i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
			dst[i] += src[i];
	}
out:
	free(percpu);
	return err;
}

int dp_counters_create(struct sfo_dp *dp, __u32 slot, bool reset)
{
	struct sfo_counters *zero;
	int err = 0;

	if (!reset)
		return 0; /* array entries always exist */
	zero = calloc(dp->ncpus, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	err = map_put(dp->stats_fd, &slot, zero);
	free(zero);
	return err;
}

/* ---- pairs ---- */

int sfo_dp_standby_attach(struct sfo_dp *dp, int standby_ifindex)
{
	bool created = false, egress_empty;
	char name[IF_NAMESIZE];
	struct sfo_pair pair;
	__u32 slot;
	int err;

	if (standby_ifindex <= 0)
		return -EINVAL;
	if (!if_indextoname(standby_ifindex, name))
		return -ENODEV;
	err = pair_get(dp, standby_ifindex, &slot, &pair);
	if (err == -ENOENT) {
		if (!slot_get(dp, standby_ifindex, &slot) && !pair_read(dp, slot, &pair) &&
		    pair.standby_ifindex == (__u32)standby_ifindex) {
			dp_logf(&dp->log, SFO_DP_LOG_ERR,
				"ifindex %d: pinned pair belongs to another network namespace",
				standby_ifindex);
			return -EEXIST;
		}
		err = slot_alloc(dp, &slot);
		if (!err)
			err = slot_clear(dp, slot); /* a new pair starts from 0 */
		if (err)
			return err;
		memset(&pair, 0, sizeof(pair));
		pair.standby_ifindex = standby_ifindex;
		pair.mode = SFO_DP_MODE_STANDBY;
		pair.flags = SFO_PAIR_F_DEDUP;
		pair.netns_cookie = dp->netns_cookie;
		err = pair_put(dp, slot, &pair);
		if (!err)
			err = slot_set(dp, standby_ifindex, slot + 1);
		if (err) {
			slot_clear(dp, slot);
			return err;
		}
		created = true;
	} else if (err) {
		return err;
	}
	err = dp_tc_attach(&dp->log, standby_ifindex, BPF_TC_EGRESS, dp->sby_egress_fd,
			   dp->owner_map_id, &egress_empty);
	if (!err)
		err = dp_tc_attach(&dp->log, standby_ifindex, BPF_TC_INGRESS, dp->sby_ingress_fd,
				   dp->owner_map_id, NULL);
	if (err && created) { /* take back what this call made, nothing else */
		if (egress_empty)
			dp_tc_detach_prog(&dp->log, standby_ifindex, BPF_TC_EGRESS,
					  dp_prog_id(dp->sby_egress_fd));
		slot_set(dp, standby_ifindex, 0);
		slot_clear(dp, slot);
	}
	return err;
}

int sfo_dp_standby_detach(struct sfo_dp *dp, int standby_ifindex)
{
	struct sfo_pair pair;
	__u32 slot;
	int err, ret;

	ret = pair_get(dp, standby_ifindex, &slot, &pair);
	if (!ret && pair.vf_ifindex) {
		ret = sfo_dp_vf_detach(dp, standby_ifindex, pair.vf_ifindex);
		if (ret)
			return ret;
	}
	if (ret && ret != -ENOENT)
		return ret;
	/* Our filters go even without a pair (left over by a crash). */
	err = dp_tc_detach(&dp->log, standby_ifindex, BPF_TC_EGRESS, dp->owner_map_id);
	if (!err)
		err = dp_tc_detach(&dp->log, standby_ifindex, BPF_TC_INGRESS, dp->owner_map_id);
	if (err || ret)
		return err ? err : ret;
	err = slot_set(dp, standby_ifindex, 0);
	if (!err)
		err = slot_clear(dp, slot);
	return err;
}

int sfo_dp_vf_attach(struct sfo_dp *dp, int standby_ifindex, int vf_ifindex)
{
	__u32 slot, vf = vf_ifindex, owner, dev;
	bool held, had_owner, had_dev, filter_empty = false; /* set by dp_tc_attach() */
	char name[IF_NAMESIZE];
	struct sfo_pair pair;
	int err;

	if (vf_ifindex <= 0 || vf_ifindex == standby_ifindex)
		return -EINVAL;
	err = pair_get(dp, standby_ifindex, &slot, &pair);
	if (err)
		return err;
	if (pair.vf_ifindex && pair.vf_ifindex != vf)
		return -EBUSY;
	if (!if_indextoname(vf_ifindex, name))
		return -ENODEV;
	err = slot_get(dp, vf_ifindex, &owner);
	if (!err && owner != slot)
		return -EBUSY; /* another pair's VF, or a standby */
	if (err && err != -ENOENT)
		return err;
	held = pair.vf_ifindex == vf;
	had_owner = !err;
	had_dev = !bpf_map_lookup_elem(dp->vf_dev_fd, &slot, &dev);

	/* RX first: the filter needs the pair to name the VF, and from here on
	 * the VF's frames reach the standby. Then the devmap slot. */
	if (!held) {
		pair.vf_ifindex = vf;
		pair.flags &= ~SFO_PAIR_F_RELEASED; /* a release was for the VF before */
		err = pair_put(dp, slot, &pair);
	}
	if (!err)
		err = slot_set(dp, vf_ifindex, slot + 1);
	if (!err)
		err = dp_tc_attach(&dp->log, vf_ifindex, BPF_TC_INGRESS, dp->vf_ingress_fd,
				   dp->owner_map_id, &filter_empty);
	if (!err && map_put(dp->vf_dev_fd, &slot, &vf))
		err = errno == E2BIG ? -ENOSPC : -errno;
	if (err && !held) { /* take back what this call made, nothing else */
		if (!had_dev)
			map_delete(dp->vf_dev_fd, &slot);
		if (filter_empty)
			dp_tc_detach_prog(&dp->log, vf_ifindex, BPF_TC_INGRESS,
					  dp_prog_id(dp->vf_ingress_fd));
		if (!had_owner)
			slot_set(dp, vf_ifindex, 0);
		pair.vf_ifindex = 0;
		pair_put(dp, slot, &pair);
	}
	return err;
}

int sfo_dp_vf_detach(struct sfo_dp *dp, int standby_ifindex, int vf_ifindex)
{
	__u32 slot, owner;
	struct sfo_pair pair;
	bool mapped;
	int err;

	if (vf_ifindex <= 0)
		return -EINVAL;
	err = pair_get(dp, standby_ifindex, &slot, &pair);
	if (err)
		return err;
	mapped = !slot_get(dp, vf_ifindex, &owner) && owner == slot;
	if (pair.vf_ifindex != (__u32)vf_ifindex && !mapped)
		return -ENOENT;
	if (pair.vf_ifindex == (__u32)vf_ifindex) {
		/* TX off the VF before anything else; its RX is delivered until
		 * its filter is gone. */
		pair.mode = SFO_DP_MODE_STANDBY;
		err = pair_put(dp, slot, &pair);
		if (!err)
			err = map_delete(dp->vf_dev_fd, &slot);
		if (err)
			return err;
	}
	err = dp_tc_detach(&dp->log, vf_ifindex, BPF_TC_INGRESS, dp->owner_map_id);
	if (err)
		return err;
	if (pair.vf_ifindex == (__u32)vf_ifindex) {
		pair.vf_ifindex = 0;
		pair.flags &= ~SFO_PAIR_F_RELEASED;
		err = pair_put(dp, slot, &pair);
	}
	if (!err && mapped)
		err = slot_set(dp, vf_ifindex, 0);
	return err;
}

int sfo_dp_steer(struct sfo_dp *dp, int standby_ifindex, bool to_vf)
{
	struct sfo_counters before, after;
	unsigned int flags = 0;
	struct sfo_pair pair;
	__u32 slot, vf;
	int err;

	err = pair_get(dp, standby_ifindex, &slot, &pair);
	if (err)
		return err;
	if (!to_vf) {
		if (pair.mode == SFO_DP_MODE_STANDBY)
			return 0;
		pair.mode = SFO_DP_MODE_STANDBY;
		return pair_put(dp, slot, &pair);
	}
	if (!pair.vf_ifindex || bpf_map_lookup_elem(dp->vf_dev_fd, &slot, &vf))
		return -ENODEV; /* not held, or unregistered since */
	err = vf_datapath_check(dp, slot, pair.vf_ifindex);
	if (err)
		return err;
	err = if_flags(pair.vf_ifindex, &flags);
	if (err)
		return err;
	if (!(flags & IFF_UP))
		return -ENETDOWN;
	if (pair.mode == SFO_DP_MODE_VF)
		return 0;
	/*
	 * The close hook writes mode in place; our update replaces the whole
	 * value. If the VF starts going down while we switch, its flip could
	 * be overwritten: the hook counts every close it sees, so compare.
	 */
	err = counters_sum(dp, slot, &before);
	if (err)
		return err;
	pair.mode = SFO_DP_MODE_VF;
	err = pair_put(dp, slot, &pair);
	if (err)
		return err;
	err = counters_sum(dp, slot, &after);
	if (!err)
		err = if_flags(pair.vf_ifindex, &flags);
	if (err || after.vf_close_events != before.vf_close_events || !(flags & IFF_UP)) {
		pair.mode = SFO_DP_MODE_STANDBY;
		pair_put(dp, slot, &pair);
		return err ? err : -ENETDOWN;
	}
	return 0;
}

int sfo_dp_mark_released(struct sfo_dp *dp, int standby_ifindex, int vf_ifindex, bool released)
{
	struct sfo_pair pair;
	__u32 slot;
	int err;

	err = pair_get(dp, standby_ifindex, &slot, &pair);
	if (err)
		return err;
	if (vf_ifindex <= 0 || pair.vf_ifindex != (__u32)vf_ifindex)
		return -ENOENT;
	if (pair.mode != SFO_DP_MODE_STANDBY)
		return -EBUSY; /* the close hook writes .mode in place: no whole-value write now */
	if (released)
		pair.flags |= SFO_PAIR_F_RELEASED;
	else
		pair.flags &= ~SFO_PAIR_F_RELEASED;
	return pair_put(dp, slot, &pair);
}

int sfo_dp_released_vf(struct sfo_dp *dp, int standby_ifindex)
{
	struct sfo_pair pair;
	__u32 slot;
	int err;

	err = pair_get(dp, standby_ifindex, &slot, &pair);
	if (err)
		return err;
	return pair.flags & SFO_PAIR_F_RELEASED ? (int)pair.vf_ifindex : 0;
}

_Static_assert(SFO_DP_TALLY_MAX == SFO_DP_TALLY_COUNTERS, "datapath.h and dp_abi.h agree");

int sfo_dp_save_tally(struct sfo_dp *dp, int standby_ifindex, int vf_ifindex, const uint64_t *last,
		      const uint64_t *total, size_t n)
{
	struct sfo_tally t = { .vf_ifindex = (__u32)vf_ifindex, .netns_cookie = dp->netns_cookie };
	struct sfo_pair pair;
	__u32 slot;
	int err;

	if (n > SFO_DP_TALLY_MAX || vf_ifindex < 0)
		return -EINVAL;
	err = pair_get(dp, standby_ifindex, &slot, &pair);
	if (err)
		return err;
	memcpy(t.last, last, n * sizeof(*last));
	memcpy(t.total, total, n * sizeof(*total));
	return map_put(dp->tally_fd, &slot, &t);
}

int sfo_dp_load_tally(struct sfo_dp *dp, int standby_ifindex, int *vf_ifindex, uint64_t *last,
		      uint64_t *total, size_t n)
{
	struct sfo_pair pair;
	struct sfo_tally t;
	__u32 slot;
	int err;

	if (n > SFO_DP_TALLY_MAX || standby_ifindex <= 0)
		return -EINVAL;
	err = pair_get(dp, standby_ifindex, &slot, &pair);
	if (err)
		return err;
	if (bpf_map_lookup_elem(dp->tally_fd, &slot, &t))
		return -errno;
	if (t.netns_cookie != dp->netns_cookie) /* also: never saved (zeroed) */
		return -ENOENT;
	*vf_ifindex = (int)t.vf_ifindex;
	memcpy(last, t.last, n * sizeof(*last));
	memcpy(total, t.total, n * sizeof(*total));
	return 0;
}

int sfo_dp_get_pair(struct sfo_dp *dp, int standby_ifindex, int *vf_ifindex, bool *to_vf)
{
	struct sfo_pair pair;
	__u32 slot;
	int err;

	err = pair_get(dp, standby_ifindex, &slot, &pair);
	if (err)
		return err;
	if (vf_ifindex)
		*vf_ifindex = pair.vf_ifindex;
	if (to_vf)
		*to_vf = pair.mode == SFO_DP_MODE_VF;
	return 0;
}

int sfo_dp_read_stats(struct sfo_dp *dp, int standby_ifindex, struct sfo_dp_stats *out)
{
	__u32 slot = SFO_DP_GLOBAL_SLOT;
	struct sfo_counters c;
	struct sfo_pair pair;
	int err;

	if (standby_ifindex < 0)
		return -EINVAL;
	if (standby_ifindex) {
		err = pair_get(dp, standby_ifindex, &slot, &pair);
		if (err)
			return err;
	}
	err = counters_sum(dp, slot, &c);
	if (err)
		return err;
	out->tx_vf_packets = c.tx_vf_packets;
	out->tx_vf_bytes = c.tx_vf_bytes;
	out->tx_standby_packets = c.tx_standby_packets;
	out->tx_nodev = c.tx_nodev;
	out->rx_vf_packets = c.rx_vf_packets;
	out->rx_vf_bytes = c.rx_vf_bytes;
	out->rx_dup_dropped = c.rx_dup_dropped;
	out->rx_unpaired_dropped = c.rx_unpaired_dropped;
	out->close_hook_flips = c.close_hook_flips;
	out->vf_close_events = c.vf_close_events;
	return 0;
}

int sfo_dp_for_each_pair(struct sfo_dp *dp, sfo_dp_pair_fn cb, void *arg)
{
	int standbys[SFO_DP_MAX_PAIRS], n = 0, i, vf, err;
	struct sfo_pair pair;
	__u32 slot;
	bool to_vf;

	/* Standbys first: @cb may change the maps. */
	for (slot = 0; slot < SFO_DP_MAX_PAIRS; slot++) {
		err = pair_read(dp, slot, &pair);
		if (err)
			return err;
		if (pair.standby_ifindex && pair.netns_cookie == dp->netns_cookie)
			standbys[n++] = (int)pair.standby_ifindex;
	}
	for (i = 0; i < n; i++) {
		if (sfo_dp_get_pair(dp, standbys[i], &vf, &to_vf))
			continue; /* gone meanwhile */
		err = cb(standbys[i], vf, to_vf, arg);
		if (err)
			return err;
	}
	return 0;
}
