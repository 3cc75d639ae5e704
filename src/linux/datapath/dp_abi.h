/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What the BPF programs (failover.bpf.c) and their loader (datapath.c) share:
 * map layouts, constants and the skb tag. Maps are pinned and outlive the
 * process that created them, so any change of a layout here must change the
 * map's size or type as well: the loader refuses to adopt pinned maps whose
 * type, key, value or size differ (see dp_map_compatible()).
 */
#ifndef SFO_DP_ABI_H
#define SFO_DP_ABI_H

#include <linux/types.h>

/* Entries of every per-pair map; key 0 of sfo_stats is the global bucket. */
#define SFO_DP_MAX_PAIRS 256

enum sfo_dp_mode {
	SFO_DP_MODE_STANDBY = 0, /* TX leaves on the standby itself */
	SFO_DP_MODE_VF = 1,	 /* TX is redirected to the VF */
};

/* sfo_pair.flags */
#define SFO_PAIR_F_DEDUP (1U << 0) /* suppress broadcast/multicast copies */
/* User space only (the programs ignore it): the administrator released the
 * pair's VF; a daemon that restarts before the VF leaves keeps it unused.
 * Cleared with the VF (vf_ifindex 0). */
#define SFO_PAIR_F_RELEASED (1U << 1)

/* sfo_pairs: standby ifindex -> pair. Written whole by user space; the close
 * hook writes only .mode, in place, from SFO_DP_MODE_VF to _STANDBY. */
struct sfo_pair {
	__u32 vf_ifindex;   /* 0: no VF held */
	__u32 mode;	    /* enum sfo_dp_mode */
	__u32 flags;	    /* SFO_PAIR_F_* */
	__u32 reserved;	    /* 0 */
	__u64 netns_cookie; /* network namespace of both ifindexes */
};

/* sfo_tally: standby ifindex -> what the pair's VFs have counted, kept for a
 * restarted daemon (user space only, the programs do not touch it): the VF
 * of the last reading, that reading, the totals. Room for the core's counter
 * set (SFO_CTR_MAX, checked at build time). */
#define SFO_DP_TALLY_COUNTERS 16

struct sfo_tally {
	__u32 vf_ifindex;
	__u32 reserved;	    /* 0 */
	__u64 netns_cookie; /* as sfo_pair's */
	__u64 last[SFO_DP_TALLY_COUNTERS];
	__u64 total[SFO_DP_TALLY_COUNTERS];
};

/* sfo_stats: per-CPU counters of one pair (key: standby ifindex) or, under
 * key 0, of frames that could not be attributed to a pair. */
struct sfo_counters {
	__u64 tx_vf_packets; /* standby egress redirected to the VF */
	__u64 tx_vf_bytes;
	__u64 tx_standby_packets; /* standby egress left on the standby (mode standby) */
	__u64 tx_nodev;		  /* mode VF but VF slot empty: left on the standby */
	__u64 rx_vf_packets;	  /* VF ingress delivered to the standby */
	__u64 rx_vf_bytes;
	__u64 rx_dup_dropped;	   /* broadcast/multicast copy dropped (either port) */
	__u64 rx_unpaired_dropped; /* VF ingress with no pair (key 0 only) */
	__u64 close_hook_flips;	   /* close hook switched mode VF -> standby */
	__u64 vf_close_events;	   /* close hook saw this pair's VF go down */
};

/*
 * Tag written into skb->cb[] by the VF ingress program and consumed by the
 * standby ingress program, so that frames delivered from the VF are not taken
 * for the copy the host floods to the standby. skb->cb is the scratch area
 * the tc layer lends to BPF programs: it survives bpf_redirect(BPF_F_INGRESS)
 * (netif_rx, backlog, sch_handle_ingress) and is invisible to everything
 * else (the IP layer reuses it). skb->ingress_ifindex cannot serve: the
 * redirected skb is received anew on the standby, so it reads the standby's
 * ifindex (both measured on 6.18). cb[1] holds the target standby's ifindex,
 * so a stale tag cannot match on another device either.
 */
#define SFO_DP_CB_TAG	       0x5f0cb7a9U
#define SFO_DP_CB_TAG_WORD     0
#define SFO_DP_CB_IFINDEX_WORD 1

/* tc filter identity on every device we attach to. Priority 1 so that no
 * other classifier decides before the steering does; our programs return
 * TC_ACT_UNSPEC whenever they do not act, so later filters still run. */
#define SFO_DP_TC_HANDLE   0x5f0
#define SFO_DP_TC_PRIORITY 1

#endif /* SFO_DP_ABI_H */
