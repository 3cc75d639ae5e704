/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What the BPF programs (failover.bpf.c) and their loader (datapath.c) share:
 * map layouts, constants and the skb tag. Maps are pinned and outlive the
 * process that created them, so any change of a layout here must change the
 * map's size or type as well: the loader refuses to adopt pinned maps whose
 * type, key, value or size differ (see map_reuse_pin() in dp_load.c).
 */
#ifndef SFO_DP_ABI_H
#define SFO_DP_ABI_H

#include <linux/types.h>

/*
 * Layout version 2: per-pair state lives in ARRAY maps indexed by a slot the
 * loader assigns (0 .. SFO_DP_MAX_PAIRS - 1), found from an ifindex through
 * the ARRAY sfo_slot_of. Array lookups are inlined by the verifier: a packet
 * costs no hash lookup. Version 1 keyed HASH maps by ifindex; its pins are
 * refused (sfo_pairs changed type).
 */
#define SFO_DP_MAX_PAIRS 256
/* Index of the datapath-wide bucket of sfo_stats, after the pairs' slots. */
#define SFO_DP_GLOBAL_SLOT SFO_DP_MAX_PAIRS
/* Entries of sfo_slot_of. ifindexes are per network namespace and grow by
 * one with every device created in it (a VF hot-plug, a container's veth), so
 * a long-lived guest passes this: ifindexes from here on are keyed in the
 * HASH sfo_slot_of_high instead, a lookup only their frames pay. */
#define SFO_DP_MAX_IFINDEX 65536

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

/* sfo_slot_of: ifindex -> slot + 1 of the pair whose standby or held VF it
 * is (0: none); sfo_slot_of_high the same for ifindexes from
 * SFO_DP_MAX_IFINDEX on (no entry: none). Programs trust it only when the
 * pair names the ifindex back in the role they serve. */

/* sfo_pairs: slot -> pair (standby_ifindex 0: free slot). Written whole by
 * user space; the close hook writes only .mode, in place, from
 * SFO_DP_MODE_VF to _STANDBY. */
struct sfo_pair {
	__u32 standby_ifindex; /* 0: slot free */
	__u32 vf_ifindex;      /* 0: no VF held */
	__u32 mode;	       /* enum sfo_dp_mode */
	__u32 flags;	       /* SFO_PAIR_F_* */
	__u64 netns_cookie;    /* network namespace of both ifindexes */
};

/* sfo_vf_dev: slot -> the pair's VF (DEVMAP). The kernel empties the entry
 * when the VF unregisters, so TX falls back to the standby without user
 * space. */

/* sfo_tally: slot -> what the pair's VFs have counted, kept for a
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

/* sfo_stats: per-CPU counters of one pair (key: its slot) or, under
 * SFO_DP_GLOBAL_SLOT, of frames that could not be attributed to a pair. */
struct sfo_counters {
	__u64 tx_vf_packets; /* standby egress redirected to the VF */
	__u64 tx_vf_bytes;
	__u64 tx_standby_packets; /* standby egress left on the standby (mode standby) */
	__u64 tx_nodev;		  /* mode VF but VF slot empty: left on the standby */
	__u64 rx_vf_packets;	  /* VF ingress delivered to the standby */
	__u64 rx_vf_bytes;
	__u64 rx_dup_dropped;	   /* broadcast/multicast copy dropped (either port) */
	__u64 rx_unpaired_dropped; /* VF ingress with no pair (global bucket only) */
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
