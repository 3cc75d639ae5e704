// SPDX-License-Identifier: BSD-2-Clause
/*
 * The pairs of the datapath: keep the pinned maps and the tc filters in step
 * with what the daemon holds. The story of a pair:
 *
 *   sfo_dp_standby_attach   pair created (no VF, steered to the standby),
 *                           standby filters attached
 *   sfo_dp_vf_attach        VF held: its RX goes to the standby, devmap slot
 *   sfo_dp_steer(true)      TX through the VF
 *     ...VF unregisters     the kernel empties the devmap slot: TX falls back
 *     ...VF goes down       the close hook steers back to the standby
 *   sfo_dp_steer(false)     TX through the standby
 *   sfo_dp_vf_detach        VF forgotten, its filter removed
 *   sfo_dp_standby_detach   filters, pair and counters removed
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

static int map_delete(int fd, const void *key)
{
	if (bpf_map_delete_elem(fd, key) && errno != ENOENT)
		return -errno;
	return 0;
}

/* Whether our tc slot at @point of @ifindex is empty: then a filter found
 * there after a failed set-up is the one this call attached. */
static bool tc_slot_empty(int ifindex, enum bpf_tc_attach_point point)
{
	__u32 prog;

	return dp_tc_query(ifindex, point, &prog) == -ENOENT;
}

/*
 * Whether the VF's half of the pair is all in place, as the kernel has it
 * now: the devmap slot holds @vf, @vf's frames are mapped to the pair and
 * its ingress filter runs one of our programs. Another process, or a
 * rollback, may have removed a piece since the pair recorded the VF.
 * -ENODEV: the VF is gone; -ENOLINK: a piece is missing.
 */
static int vf_datapath_check(struct sfo_dp *dp, __u32 key, __u32 vf)
{
	char name[IF_NAMESIZE];
	__u32 slot, owner, prog;
	int err;

	if (!if_indextoname(vf, name))
		return -ENODEV;
	if (bpf_map_lookup_elem(dp->vf_dev_fd, &key, &slot) || slot != vf)
		return -ENOLINK;
	if (bpf_map_lookup_elem(dp->vf_to_standby_fd, &vf, &owner) || owner != key)
		return -ENOLINK;
	err = dp_tc_query(vf, BPF_TC_INGRESS, &prog);
	if (err)
		return err == -ENOENT ? -ENOLINK : err;
	if (prog == dp_prog_id(dp->vf_ingress_fd))
		return 0;
	err = dp_prog_uses_map(prog, dp->owner_map_id);
	return err == 1 || err == -EPERM ? 0 : -ENOLINK; /* -EPERM: see dp_tc_attach() */
}

/* The pair of @standby_ifindex if it belongs to our network namespace. */
static int pair_get(struct sfo_dp *dp, int standby_ifindex, struct sfo_pair *pair)
{
	__u32 key = standby_ifindex;

	if (standby_ifindex <= 0)
		return -EINVAL;
	if (bpf_map_lookup_elem(dp->pairs_fd, &key, pair))
		return -errno;
	return pair->netns_cookie == dp->netns_cookie ? 0 : -ENOENT;
}

static int pair_put(struct sfo_dp *dp, int standby_ifindex, const struct sfo_pair *pair,
		    __u64 flags)
{
	__u32 key = standby_ifindex;

	if (bpf_map_update_elem(dp->pairs_fd, &key, pair, flags))
		return errno == E2BIG ? -ENOSPC : -errno;
	return 0;
}

/* Per-CPU counters of @key summed into @sum. */
static int counters_sum(struct sfo_dp *dp, __u32 key, struct sfo_counters *sum)
{
	struct sfo_counters *percpu;
	int cpu, err = 0;

	percpu = calloc(dp->ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(dp->stats_fd, &key, percpu)) {
		err = errno == ENOENT ? -ENOENT : -errno;
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

int dp_counters_create(struct sfo_dp *dp, __u32 key, bool reset)
{
	struct sfo_counters *zero;
	int err = 0;

	zero = calloc(dp->ncpus, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	if (bpf_map_update_elem(dp->stats_fd, &key, zero, reset ? BPF_ANY : BPF_NOEXIST) &&
	    errno != EEXIST)
		err = errno == E2BIG ? -ENOSPC : -errno;
	free(zero);
	return err;
}

/* ---- pairs ---- */

int sfo_dp_standby_attach(struct sfo_dp *dp, int standby_ifindex)
{
	char name[IF_NAMESIZE];
	struct sfo_pair pair;
	bool created = false, egress_empty;
	__u32 key = standby_ifindex;
	int err;

	if (standby_ifindex <= 0)
		return -EINVAL;
	if (!if_indextoname(standby_ifindex, name))
		return -ENODEV;
	err = pair_get(dp, standby_ifindex, &pair);
	if (err == -ENOENT) {
		if (!bpf_map_lookup_elem(dp->pairs_fd, &key, &pair)) {
			dp_logf(&dp->log, SFO_DP_LOG_ERR,
				"ifindex %d: pinned pair belongs to another network namespace",
				standby_ifindex);
			return -EEXIST;
		}
		memset(&pair, 0, sizeof(pair));
		pair.mode = SFO_DP_MODE_STANDBY;
		pair.flags = SFO_PAIR_F_DEDUP;
		pair.netns_cookie = dp->netns_cookie;
		err = pair_put(dp, standby_ifindex, &pair, BPF_NOEXIST);
		if (err)
			return err;
		created = true;
	} else if (err) {
		return err;
	}
	egress_empty = tc_slot_empty(standby_ifindex, BPF_TC_EGRESS);
	err = dp_counters_create(dp, key, created); /* a new pair starts from 0 */
	if (!err)
		err = dp_tc_attach(&dp->log, standby_ifindex, BPF_TC_EGRESS, dp->sby_egress_fd,
				   dp->owner_map_id);
	if (!err)
		err = dp_tc_attach(&dp->log, standby_ifindex, BPF_TC_INGRESS, dp->sby_ingress_fd,
				   dp->owner_map_id);
	if (err && created) { /* take back what this call made, nothing else */
		if (egress_empty)
			dp_tc_detach_prog(&dp->log, standby_ifindex, BPF_TC_EGRESS,
					  dp_prog_id(dp->sby_egress_fd));
		map_delete(dp->pairs_fd, &key);
		map_delete(dp->stats_fd, &key);
	}
	return err;
}

int sfo_dp_standby_detach(struct sfo_dp *dp, int standby_ifindex)
{
	struct sfo_pair pair;
	__u32 key = standby_ifindex;
	int err, ret;

	ret = pair_get(dp, standby_ifindex, &pair);
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
	err = map_delete(dp->vf_dev_fd, &key);
	if (!err)
		err = map_delete(dp->pairs_fd, &key);
	if (!err)
		err = map_delete(dp->stats_fd, &key);
	if (!err)
		err = map_delete(dp->tally_fd, &key);
	return err;
}

int sfo_dp_vf_attach(struct sfo_dp *dp, int standby_ifindex, int vf_ifindex)
{
	__u32 key = standby_ifindex, vf = vf_ifindex, owner, slot;
	bool held, had_owner, had_slot, filter_empty;
	char name[IF_NAMESIZE];
	struct sfo_pair pair;
	int err;

	if (vf_ifindex <= 0 || vf_ifindex == standby_ifindex)
		return -EINVAL;
	err = pair_get(dp, standby_ifindex, &pair);
	if (err)
		return err;
	if (pair.vf_ifindex && pair.vf_ifindex != vf)
		return -EBUSY;
	if (!if_indextoname(vf_ifindex, name))
		return -ENODEV;
	if (!bpf_map_lookup_elem(dp->vf_to_standby_fd, &vf, &owner) && owner != key)
		return -EBUSY;
	held = pair.vf_ifindex == vf;
	had_owner = !bpf_map_lookup_elem(dp->vf_to_standby_fd, &vf, &owner);
	had_slot = !bpf_map_lookup_elem(dp->vf_dev_fd, &key, &slot);
	filter_empty = tc_slot_empty(vf_ifindex, BPF_TC_INGRESS);

	/* RX first: the filter needs the map entry, and from here on the VF's
	 * frames reach the standby. Then the devmap slot, then the pair. */
	if (bpf_map_update_elem(dp->vf_to_standby_fd, &vf, &key, BPF_ANY))
		return errno == E2BIG ? -ENOSPC : -errno;
	err = dp_tc_attach(&dp->log, vf_ifindex, BPF_TC_INGRESS, dp->vf_ingress_fd,
			   dp->owner_map_id);
	if (!err && bpf_map_update_elem(dp->vf_dev_fd, &key, &vf, BPF_ANY))
		err = errno == E2BIG ? -ENOSPC : -errno;
	if (!err && !held) {
		pair.vf_ifindex = vf;
		pair.flags &= ~SFO_PAIR_F_RELEASED; /* a release was for the VF before */
		err = pair_put(dp, standby_ifindex, &pair, BPF_EXIST);
	}
	if (err && !held) { /* take back what this call made, nothing else */
		if (!had_slot)
			map_delete(dp->vf_dev_fd, &key);
		if (filter_empty)
			dp_tc_detach_prog(&dp->log, vf_ifindex, BPF_TC_INGRESS,
					  dp_prog_id(dp->vf_ingress_fd));
		if (!had_owner)
			map_delete(dp->vf_to_standby_fd, &vf);
	}
	return err;
}

int sfo_dp_vf_detach(struct sfo_dp *dp, int standby_ifindex, int vf_ifindex)
{
	__u32 key = standby_ifindex, vf = vf_ifindex, owner;
	struct sfo_pair pair;
	bool mapped;
	int err;

	if (vf_ifindex <= 0)
		return -EINVAL;
	err = pair_get(dp, standby_ifindex, &pair);
	if (err)
		return err;
	mapped = !bpf_map_lookup_elem(dp->vf_to_standby_fd, &vf, &owner) && owner == key;
	if (pair.vf_ifindex != vf && !mapped)
		return -ENOENT;
	if (pair.vf_ifindex == vf) {
		/* TX off the VF before anything else. */
		pair.mode = SFO_DP_MODE_STANDBY;
		pair.vf_ifindex = 0;
		pair.flags &= ~SFO_PAIR_F_RELEASED;
		err = pair_put(dp, standby_ifindex, &pair, BPF_EXIST);
		if (!err)
			err = map_delete(dp->vf_dev_fd, &key);
		if (err)
			return err;
	}
	err = dp_tc_detach(&dp->log, vf_ifindex, BPF_TC_INGRESS, dp->owner_map_id);
	if (!err && mapped)
		err = map_delete(dp->vf_to_standby_fd, &vf);
	return err;
}

int sfo_dp_steer(struct sfo_dp *dp, int standby_ifindex, bool to_vf)
{
	struct sfo_counters before, after;
	__u32 key = standby_ifindex, vf;
	unsigned int flags = 0;
	struct sfo_pair pair;
	int err;

	err = pair_get(dp, standby_ifindex, &pair);
	if (err)
		return err;
	if (!to_vf) {
		if (pair.mode == SFO_DP_MODE_STANDBY)
			return 0;
		pair.mode = SFO_DP_MODE_STANDBY;
		return pair_put(dp, standby_ifindex, &pair, BPF_EXIST);
	}
	if (!pair.vf_ifindex || bpf_map_lookup_elem(dp->vf_dev_fd, &key, &vf))
		return -ENODEV; /* not held, or unregistered since */
	err = vf_datapath_check(dp, key, pair.vf_ifindex);
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
	err = counters_sum(dp, key, &before);
	if (err)
		return err;
	pair.mode = SFO_DP_MODE_VF;
	err = pair_put(dp, standby_ifindex, &pair, BPF_EXIST);
	if (err)
		return err;
	err = counters_sum(dp, key, &after);
	if (!err)
		err = if_flags(pair.vf_ifindex, &flags);
	if (err || after.vf_close_events != before.vf_close_events || !(flags & IFF_UP)) {
		pair.mode = SFO_DP_MODE_STANDBY;
		pair_put(dp, standby_ifindex, &pair, BPF_EXIST);
		return err ? err : -ENETDOWN;
	}
	return 0;
}

int sfo_dp_mark_released(struct sfo_dp *dp, int standby_ifindex, int vf_ifindex, bool released)
{
	struct sfo_pair pair;
	int err;

	err = pair_get(dp, standby_ifindex, &pair);
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
	return pair_put(dp, standby_ifindex, &pair, BPF_EXIST);
}

int sfo_dp_released_vf(struct sfo_dp *dp, int standby_ifindex)
{
	struct sfo_pair pair;
	int err;

	err = pair_get(dp, standby_ifindex, &pair);
	if (err)
		return err;
	return pair.flags & SFO_PAIR_F_RELEASED ? (int)pair.vf_ifindex : 0;
}

_Static_assert(SFO_DP_TALLY_MAX == SFO_DP_TALLY_COUNTERS, "datapath.h and dp_abi.h agree");

int sfo_dp_save_tally(struct sfo_dp *dp, int standby_ifindex, int vf_ifindex, const uint64_t *last,
		      const uint64_t *total, size_t n)
{
	struct sfo_tally t = { .vf_ifindex = (__u32)vf_ifindex, .netns_cookie = dp->netns_cookie };
	__u32 key = standby_ifindex;
	struct sfo_pair pair;
	int err;

	if (n > SFO_DP_TALLY_MAX || vf_ifindex < 0)
		return -EINVAL;
	err = pair_get(dp, standby_ifindex, &pair);
	if (err)
		return err;
	memcpy(t.last, last, n * sizeof(*last));
	memcpy(t.total, total, n * sizeof(*total));
	if (bpf_map_update_elem(dp->tally_fd, &key, &t, BPF_ANY))
		return errno == E2BIG ? -ENOSPC : -errno;
	return 0;
}

int sfo_dp_load_tally(struct sfo_dp *dp, int standby_ifindex, int *vf_ifindex, uint64_t *last,
		      uint64_t *total, size_t n)
{
	__u32 key = standby_ifindex;
	struct sfo_tally t;

	if (n > SFO_DP_TALLY_MAX || standby_ifindex <= 0)
		return -EINVAL;
	if (bpf_map_lookup_elem(dp->tally_fd, &key, &t))
		return -errno;
	if (t.netns_cookie != dp->netns_cookie)
		return -ENOENT;
	*vf_ifindex = (int)t.vf_ifindex;
	memcpy(last, t.last, n * sizeof(*last));
	memcpy(total, t.total, n * sizeof(*total));
	return 0;
}

int sfo_dp_get_pair(struct sfo_dp *dp, int standby_ifindex, int *vf_ifindex, bool *to_vf)
{
	struct sfo_pair pair;
	int err;

	err = pair_get(dp, standby_ifindex, &pair);
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
	struct sfo_counters c;
	struct sfo_pair pair;
	int err;

	if (standby_ifindex < 0)
		return -EINVAL;
	if (standby_ifindex) {
		err = pair_get(dp, standby_ifindex, &pair);
		if (err)
			return err;
	}
	err = counters_sum(dp, standby_ifindex, &c);
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
	__u32 keys[SFO_DP_MAX_PAIRS], key, *prev = NULL;
	struct sfo_pair pair;
	int n = 0, i, err;

	/* Keys first: @cb may change the map. */
	while (n < SFO_DP_MAX_PAIRS && !bpf_map_get_next_key(dp->pairs_fd, prev, &key)) {
		keys[n] = key;
		prev = &keys[n++];
	}
	for (i = 0; i < n; i++) {
		if (pair_get(dp, keys[i], &pair))
			continue; /* gone meanwhile, or another namespace's */
		err = cb(keys[i], pair.vf_ifindex, pair.mode == SFO_DP_MODE_VF, arg);
		if (err)
			return err;
	}
	return 0;
}
