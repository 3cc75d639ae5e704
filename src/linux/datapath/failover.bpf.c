// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * sriov-failover datapath, 2-netdev model.
 *
 * The IP stack uses only the standby (virtio-net). For every pair the loader
 * (datapath.c) attaches:
 *
 *   standby tc egress   sfo_sby_egress   mode VF: redirect to the VF
 *   standby tc ingress  sfo_sby_ingress  mode VF: drop the flooded copy of
 *                                        broadcast/multicast frames
 *   VF tc ingress       sfo_vf_ingress   deliver to the standby's ingress
 *   fentry              sfo_vf_close     a held VF goes down: mode standby
 *
 * One object serves all pairs; its maps are pinned and shared by the tc
 * filters and the close hook, which all outlive the daemon. Every map on the
 * packet path is an ARRAY (or the DEVMAP array): the verifier inlines their
 * lookups, so a frame pays no hash (dp_abi.h). Programs return
 * TC_ACT_UNSPEC when they do not act: the frame goes on as if we were not
 * there (and later tc filters still see it).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "dp_abi.h"

/* ifindex -> slot + 1 (0: none), for standbys and held VFs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFO_DP_MAX_IFINDEX);
	__type(key, __u32);
	__type(value, __u32);
} sfo_slot_of SEC(".maps");

/* The same for ifindexes from SFO_DP_MAX_IFINDEX on: room for every pair's
 * standby and VF. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * SFO_DP_MAX_PAIRS);
	__type(key, __u32);
	__type(value, __u32);
} sfo_slot_of_high SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFO_DP_MAX_PAIRS);
	__type(key, __u32);
	__type(value, struct sfo_pair);
} sfo_pairs SEC(".maps");

/* slot -> VF ifindex. The kernel empties the entry when the VF unregisters,
 * so TX falls back to the standby without user space. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, SFO_DP_MAX_PAIRS);
	__type(key, __u32);
	__type(value, __u32);
} sfo_vf_dev SEC(".maps");

/* Kept for user space across daemon restarts; no program uses it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFO_DP_MAX_PAIRS);
	__type(key, __u32);
	__type(value, struct sfo_tally);
} sfo_tally SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SFO_DP_MAX_PAIRS + 1);
	__type(key, __u32);
	__type(value, struct sfo_counters);
} sfo_stats SEC(".maps");

#define ONCE_U32(x) (*(volatile __u32 *)&(x))

static __always_inline struct sfo_counters *counters(__u32 slot)
{
	return bpf_map_lookup_elem(&sfo_stats, &slot);
}

/* The pair @ifindex belongs to, and its slot; the caller checks the role. */
static __always_inline struct sfo_pair *pair_of(__u32 ifindex, __u32 *slot)
{
	__u32 *s = ifindex < SFO_DP_MAX_IFINDEX ? bpf_map_lookup_elem(&sfo_slot_of, &ifindex)
						: bpf_map_lookup_elem(&sfo_slot_of_high, &ifindex);

	if (!s || !*s)
		return NULL;
	*slot = *s - 1;
	return bpf_map_lookup_elem(&sfo_pairs, slot);
}

static __always_inline int is_multicast(struct __sk_buff *skb)
{
	__u8 *dst = (__u8 *)(long)skb->data;

	if ((void *)(dst + 1) > (void *)(long)skb->data_end)
		return 0;
	return dst[0] & 1; /* I/G bit: broadcast is multicast too */
}

SEC("tc")
int sfo_sby_egress(struct __sk_buff *skb)
{
	__u32 standby = skb->ifindex, slot;
	struct sfo_counters *c;
	struct sfo_pair *pair;
	__u32 *vf;

	pair = pair_of(standby, &slot);
	if (!pair || pair->standby_ifindex != standby)
		return TC_ACT_UNSPEC;
	c = counters(slot);
	if (ONCE_U32(pair->mode) != SFO_DP_MODE_VF) {
		if (c)
			c->tx_standby_packets++;
		return TC_ACT_UNSPEC;
	}
	/* Not bpf_redirect_map(): tc programs may not call it (6.18). */
	vf = bpf_map_lookup_elem(&sfo_vf_dev, &slot);
	if (!vf) {
		if (c)
			c->tx_nodev++;
		return TC_ACT_UNSPEC;
	}
	if (c) {
		c->tx_vf_packets++;
		c->tx_vf_bytes += skb->len;
	}
	return bpf_redirect(*vf, 0);
}

SEC("tc")
int sfo_vf_ingress(struct __sk_buff *skb)
{
	__u32 vf = skb->ifindex, slot, standby;
	struct sfo_counters *c;
	struct sfo_pair *pair;

	pair = pair_of(vf, &slot);
	if (!pair || pair->vf_ifindex != vf) {
		/* A VF we hold must never feed the stack bound to the VF itself
		 * (it has no address, but packet sockets and neighbour code
		 * would see a second interface with the standby's MAC). */
		c = counters(SFO_DP_GLOBAL_SLOT);
		if (c)
			c->rx_unpaired_dropped++;
		return TC_ACT_SHOT;
	}
	standby = pair->standby_ifindex;
	c = counters(slot);
	/* While TX uses the standby, the host delivers broadcasts to the
	 * standby: the copy flooded to the VF is the duplicate. Unicast does
	 * not look at the mode at all. */
	if (is_multicast(skb) && ONCE_U32(pair->mode) != SFO_DP_MODE_VF &&
	    (pair->flags & SFO_PAIR_F_DEDUP)) {
		if (c)
			c->rx_dup_dropped++;
		return TC_ACT_SHOT;
	}
	if (c) {
		c->rx_vf_packets++;
		c->rx_vf_bytes += skb->len;
	}
	skb->cb[SFO_DP_CB_TAG_WORD] = SFO_DP_CB_TAG;
	skb->cb[SFO_DP_CB_IFINDEX_WORD] = standby;
	return bpf_redirect(standby, BPF_F_INGRESS);
}

SEC("tc")
int sfo_sby_ingress(struct __sk_buff *skb)
{
	__u32 standby = skb->ifindex, slot;
	struct sfo_counters *c;
	struct sfo_pair *pair;

	if (skb->cb[SFO_DP_CB_TAG_WORD] == SFO_DP_CB_TAG &&
	    skb->cb[SFO_DP_CB_IFINDEX_WORD] == standby) {
		skb->cb[SFO_DP_CB_TAG_WORD] = 0;
		skb->cb[SFO_DP_CB_IFINDEX_WORD] = 0;
		return TC_ACT_UNSPEC; /* delivered from the VF */
	}
	/* Unicast is always kept: during fail-back the host may still send
	 * to the standby's port, and that frame exists only once. */
	if (!is_multicast(skb))
		return TC_ACT_UNSPEC;
	pair = pair_of(standby, &slot);
	if (!pair || pair->standby_ifindex != standby || ONCE_U32(pair->mode) != SFO_DP_MODE_VF ||
	    !(pair->flags & SFO_PAIR_F_DEDUP))
		return TC_ACT_UNSPEC;
	/* The VF's copy is delivered only while the VF exists. */
	if (!bpf_map_lookup_elem(&sfo_vf_dev, &slot))
		return TC_ACT_UNSPEC;
	c = counters(slot);
	if (c)
		c->rx_dup_dropped++;
	return TC_ACT_SHOT;
}

/* Reference for sfo-dp-bench: the cost of running any tc program at all. */
SEC("tc")
int sfo_tc_baseline(struct __sk_buff *skb)
{
	return TC_ACT_UNSPEC;
}

/*
 * Close hook. A surprise removal (PCI eject, VF reset) closes the VF before
 * user space hears of it; frames steered to it meanwhile are lost, and the
 * devmap slot is only cleared later, at unregister. __dev_close_many() sends
 * NETDEV_GOING_DOWN first, before the device stops: steering back here loses
 * nothing. The same holds for an orderly "ip link set down".
 *
 * Attached to call_netdevice_notifiers_info(), through which every netdev
 * notification passes, not to call_netdevice_notifiers(): the compiler
 * inlines the latter into __dev_close_many() (measured on Debian's 6.1: its
 * fentry never fires on close).
 *
 * Only the fields used are declared; CO-RE relocates them against the running
 * kernel's BTF.
 */
struct net {
	__u64 net_cookie;
} __attribute__((preserve_access_index));

typedef struct {
	struct net *net;
} possible_net_t;

struct net_device {
	int ifindex;
	possible_net_t nd_net;
} __attribute__((preserve_access_index));

struct netdev_notifier_info {
	struct net_device *dev;
} __attribute__((preserve_access_index));

enum netdev_cmd {
	NETDEV_GOING_DOWN = 10,
};

SEC("fentry/call_netdevice_notifiers_info")
int BPF_PROG(sfo_vf_close, unsigned long val, struct netdev_notifier_info *info)
{
	struct sfo_counters *c;
	struct net_device *dev;
	struct sfo_pair *pair;
	__u32 vf, slot;

	if (val != bpf_core_enum_value(enum netdev_cmd, NETDEV_GOING_DOWN))
		return 0;
	dev = BPF_CORE_READ(info, dev);
	vf = BPF_CORE_READ(dev, ifindex);
	pair = pair_of(vf, &slot);
	/* ifindexes are per network namespace: check it is our VF. */
	if (!pair || pair->vf_ifindex != vf ||
	    pair->netns_cookie != BPF_CORE_READ(dev, nd_net.net, net_cookie))
		return 0;
	c = counters(slot);
	if (c)
		c->vf_close_events++;
	if (ONCE_U32(pair->mode) == SFO_DP_MODE_VF) {
		ONCE_U32(pair->mode) = SFO_DP_MODE_STANDBY;
		if (c)
			c->close_hook_flips++;
	}
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
