/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sriov-failover eBPF datapath: loader and control API.
 *
 * One BPF object serves every standby/VF pair of a network namespace. Its
 * maps, and the link of the optional close hook, are pinned under a pin root
 * on bpffs; its tc filters (clsact, priority 1) stay on the devices. Both
 * outlive the process: a daemon that exits or crashes leaves traffic flowing
 * the way it was steered, and the next sfo_dp_open() adopts the pins.
 *
 * Per pair (the API names a pair by its standby's ifindex; the maps hold it
 * in a slot the loader assigns, see dp_abi.h):
 *   standby egress   TX to the VF while steered there; back on the standby by
 *                    itself when the VF unregisters (the kernel empties its
 *                    devmap slot), or when the VF goes down (close hook).
 *   VF ingress       every frame the VF receives is delivered to the stack as
 *                    received by the standby.
 *   standby ingress  while steered to the VF, broadcast/multicast frames that
 *                    arrive natively on the standby are dropped (the host
 *                    floods them to both ports; the VF's copy is delivered).
 *                    While steered to the standby, the VF's copy is dropped.
 *                    Unicast is always delivered from both.
 *
 * Ifindexes are those of the caller's network namespace at sfo_dp_open().
 * Functions return 0 or a negative errno and never print: messages go to the
 * log callback of struct sfo_dp_opts, if any. A struct sfo_dp is not
 * thread-safe; pins may be shared by several processes, but one daemon per
 * pin root is expected to make changes.
 */
#ifndef SFO_DATAPATH_H
#define SFO_DATAPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SFO_DP_PIN_ROOT_DEFAULT "/sys/fs/bpf/sriov-failover"

/* Same values as enum sfo_log_level of the core. */
enum sfo_dp_log_level {
	SFO_DP_LOG_ERR,
	SFO_DP_LOG_WARN,
	SFO_DP_LOG_INFO,
	SFO_DP_LOG_DEBUG,
};

/* One line of log, without trailing newline. */
typedef void (*sfo_dp_log_fn)(void *arg, enum sfo_dp_log_level level, const char *msg);

enum sfo_dp_open_flags {
	/* Do not attach the close hook (an already pinned one is kept). */
	SFO_DP_OPEN_NO_CLOSE_HOOK = 1U << 0,
};

struct sfo_dp_opts {
	sfo_dp_log_fn log; /* NULL: no messages */
	void *log_arg;
	unsigned int flags; /* enum sfo_dp_open_flags */
};

/* Counters of one pair, summed over CPUs; they only grow while the pair is
 * attached and survive daemon restarts (they live in a pinned map). */
struct sfo_dp_stats {
	uint64_t tx_vf_packets; /* standby TX sent through the VF */
	uint64_t tx_vf_bytes;
	uint64_t tx_standby_packets; /* standby TX left on the standby */
	uint64_t tx_nodev;	     /* steered to a VF that had vanished: left on the standby */
	uint64_t rx_vf_packets;	     /* VF RX delivered as the standby's */
	uint64_t rx_vf_bytes;
	uint64_t rx_dup_dropped;      /* flooded broadcast/multicast copies dropped */
	uint64_t rx_unpaired_dropped; /* only for standby_ifindex 0: see below */
	uint64_t close_hook_flips;    /* close hook steered back to the standby */
	uint64_t vf_close_events;     /* close hook saw the VF go down */
};

struct sfo_dp;

/*
 * Load the datapath and pin it under @pin_root (NULL: the default), or adopt
 * what is pinned there (daemon restart). @pin_root's parent must exist on
 * bpffs (-ENOTSUP otherwise). Pins of an incompatible layout: -ESTALE (purge
 * them). @opts may be NULL. libbpf's own messages are forwarded to the log
 * callback: libbpf has one print hook per process, the last open sets it.
 */
int sfo_dp_open(const char *pin_root, const struct sfo_dp_opts *opts, struct sfo_dp **out);

/* Free @dp. Pins, filters and steering stay: traffic keeps flowing. */
void sfo_dp_close(struct sfo_dp *dp);

/*
 * Uninstall: remove the tc filters of every pair recorded in the pins under
 * @pin_root (only filters running our programs, and only in the caller's
 * network namespace), then every pin and the directory. Nothing pinned: 0.
 */
int sfo_dp_purge(const char *pin_root, const struct sfo_dp_opts *opts);

/* Attach the standby's egress and ingress filters and create its pair, steered
 * to the standby. Idempotent: an existing pair keeps its VF, steering and
 * counters (adoption after a restart); its filters are replaced by this
 * process's programs (atomically, so a new version takes over without loss).
 * The clsact qdisc is created if needed and never removed (other filters may
 * use it). -EBUSY: a foreign tc filter holds our slot (clsact, priority 1,
 * handle 0x5f0); -EEXIST: the pins hold this ifindex for another network
 * namespace; -ENOSPC: too many pairs (256). */
int sfo_dp_standby_attach(struct sfo_dp *dp, int standby_ifindex);

/* Release the pair's VF if any, remove the standby's filters, pair and
 * counters. A standby that is already gone is tolerated. -ENOENT: no pair. */
int sfo_dp_standby_detach(struct sfo_dp *dp, int standby_ifindex);

/* Hold @vf_ifindex for the pair: attach its ingress filter (from now on all it
 * receives goes to the standby, and nothing to the VF's own stack: a frame
 * on a held VF without pair is dropped, not passed) and fill its devmap slot.
 * Steering is unchanged. Idempotent for the same VF, and puts back what is
 * missing of its datapath; a failure takes back only what the call itself
 * added. -EBUSY if the pair holds another VF or the VF is held by another
 * pair (or is a standby); -ENOENT: no pair; -ENODEV: no VF. */
int sfo_dp_vf_attach(struct sfo_dp *dp, int standby_ifindex, int vf_ifindex);

/* Steer to the standby first, then forget the VF and remove its filter. A VF
 * that is already gone is tolerated. -ENOENT: the pair does not hold it. */
int sfo_dp_vf_detach(struct sfo_dp *dp, int standby_ifindex, int vf_ifindex);

/*
 * Steer the pair's TX to its VF (@to_vf) or to the standby. To the VF needs a
 * held VF that is up and registered (-ENODEV, -ENETDOWN otherwise) and whose
 * datapath is whole as the kernel has it now, not as the pair recorded it:
 * devmap slot, RX mapping and ingress filter (-ENOLINK if a piece is
 * missing: sfo_dp_vf_attach() puts it back). If the close hook fires for the
 * VF during the call, the pair ends up steered to the standby and -ENETDOWN
 * is returned.
 */
int sfo_dp_steer(struct sfo_dp *dp, int standby_ifindex, bool to_vf);

/* Mark the pair's VF @vf_ifindex released by the administrator, or no longer
 * (pinned: it survives the daemon). Only while the pair is steered to the
 * standby (-EBUSY otherwise: the close hook may be writing the pair). -ENOENT:
 * the pair does not hold that VF. */
int sfo_dp_mark_released(struct sfo_dp *dp, int standby_ifindex, int vf_ifindex, bool released);

/* The VF of the pair if it is marked released, else 0; negative: error. */
int sfo_dp_released_vf(struct sfo_dp *dp, int standby_ifindex);

/* How many counters a pinned tally holds. */
#define SFO_DP_TALLY_MAX 16

/* What the pair's VFs have counted (the core's VF tally), pinned for a
 * restarted daemon: @n counters of @last (the reading of @vf_ifindex) and
 * @total, n <= SFO_DP_TALLY_MAX (-EINVAL). -ENOENT: no pair. */
int sfo_dp_save_tally(struct sfo_dp *dp, int standby_ifindex, int vf_ifindex, const uint64_t *last,
		      const uint64_t *total, size_t n);
/* Read it back; -ENOENT: none kept for this standby in our namespace. */
int sfo_dp_load_tally(struct sfo_dp *dp, int standby_ifindex, int *vf_ifindex, uint64_t *last,
		      uint64_t *total, size_t n);

/* Current state of a pair: held VF (0: none) and steering, which the close
 * hook may have changed behind the caller's back. Either pointer may be NULL. */
int sfo_dp_get_pair(struct sfo_dp *dp, int standby_ifindex, int *vf_ifindex, bool *to_vf);

/* Counters of a pair. @standby_ifindex 0 reads the datapath-wide bucket,
 * where only rx_unpaired_dropped counts (VF frames that found no pair). */
int sfo_dp_read_stats(struct sfo_dp *dp, int standby_ifindex, struct sfo_dp_stats *out);

/* Call @cb for every pair of the caller's network namespace (reconciling after
 * a restart). A non-zero return of @cb stops the walk and is returned. */
typedef int (*sfo_dp_pair_fn)(int standby_ifindex, int vf_ifindex, bool to_vf, void *arg);
int sfo_dp_for_each_pair(struct sfo_dp *dp, sfo_dp_pair_fn cb, void *arg);

/* Whether the close hook is attached (pinned). Without it, a VF going down
 * (as opposed to unregistering) keeps TX steered to it until sfo_dp_steer(). */
bool sfo_dp_has_close_hook(const struct sfo_dp *dp);

/* Whether sfo_dp_open() found the datapath already pinned. */
bool sfo_dp_adopted(const struct sfo_dp *dp);

#endif /* SFO_DATAPATH_H */
