/* SPDX-License-Identifier: BSD-2-Clause */
/* Internal structures of the failover core, shared by its source files. */
#ifndef SFO_CORE_H
#define SFO_CORE_H

#include <sfo/engine.h>

#include "mem.h"
#include "text.h"

/* Counter accumulation of one source (the standby, or successive VFs). */
struct ctr_track {
	uint64_t last[SFO_CTR_MAX];
	uint64_t total[SFO_CTR_MAX];
	bool have_last;
	bool count_first; /* first sample counts from zero (else: it is the baseline) */
};

void sfo_ctr_track_init(struct ctr_track *t, bool count_first);
/* Start a new source (a new VF): totals are kept, the next sample is a baseline. */
void sfo_ctr_track_restart(struct ctr_track *t);
void sfo_ctr_track_sample(struct ctr_track *t, const struct sfo_counters *c);
/* Go on from an earlier reading of the same source (after a restart). */
void sfo_ctr_track_resume(struct ctr_track *t, const uint64_t last[SFO_CTR_MAX]);

struct event_ring {
	struct sfo_event ev[SFO_EVENT_RING_SIZE];
	size_t head; /* next slot to write */
	size_t count;
};

void sfo_event_ring_push(struct event_ring *r, const struct sfo_event *ev);
size_t sfo_event_ring_copy(const struct event_ring *r, struct sfo_event *out, size_t max);

struct pair;

struct restored_tally {
	uint32_t standby_id;
	struct sfo_vf_tally t;
};

struct adapter {
	struct sfo_adapter_info info;
	enum sfo_role role;
	char reason[SFO_REASON_MAX];
	struct pair *pair; /* standby: its pair; VF or spare: the pair it serves */

	/* VF bookkeeping (role VF or spare) */
	bool prepared;		      /* vf_prepare succeeded, vf_release owed */
	int prepare_err;	      /* last vf_prepare failure, retried when the VF changes */
	bool opened;		      /* up, by us or before: a later "down" means leaving */
	bool served;		      /* has carried the datapath */
	bool going_down;	      /* the edge announced its departure */
	uint32_t orig_mtu;	      /* its MTU before we changed it, for rollback */
	uint32_t refused_mtu;	      /* MTU it refused; not retried until the wish changes */
	char refusal[SFO_REASON_MAX]; /* why, as first reported */
	bool rx_applied;	      /* applied_rx holds what the VF was given */
	bool rx_promisc, rx_allmulti;
	size_t rx_mc_count;
	uint8_t (*rx_mc)[SFO_MAC_LEN];
	bool rx_failed; /* warned once about a refused RX mode */
	bool off_applied;
	uint32_t off_value;
	bool off_failed;
};

struct pair {
	struct adapter *standby;
	struct adapter *vf; /* NULL when none */

	enum sfo_pair_state state;
	char reason[SFO_REASON_MAX];
	uint64_t since_ns;

	bool attached;	   /* datapath_attach succeeded */
	uint32_t datapath; /* id traffic is steered to; 0 = the standby itself */
	bool steer_retry;  /* steering back to the standby failed: retry on the timer */
	uint64_t datapath_since;

	bool held;	   /* released by the administrator */
	uint64_t ready_at; /* end of the bring-up delay, 0 if not counting */

	/* Proving the path through the VF, once per spell of it being ready
	 * (up, carrier, bring-up delay over); forgotten when the spell ends. */
	bool path_proven;     /* an answer came back through it, or nothing to probe */
	uint32_t probing_vf;  /* VF probe_path was called for, probe_stop owed; 0 none */
	uint64_t probe_since; /* start of this spell's probing, 0 if none */
	uint64_t probe_next;  /* when the next probe is due */
	unsigned int probes;  /* sent in this spell */

	unsigned int announce_left;
	uint64_t announce_at;

	/* what the stack asked of the standby */
	bool want_promisc, want_allmulti;
	size_t want_mc_count;
	uint8_t (*want_mc)[SFO_MAC_LEN];
	bool offloads_known;
	uint32_t want_offloads;

	/* resolved options */
	unsigned int announce_count;
	unsigned int announce_interval_ms;
	unsigned int bringup_delay_ms;
	bool probe_path;
	unsigned int probe_interval_ms;
	unsigned int probe_timeout_ms;

	struct ctr_track ctr_standby;
	struct ctr_track ctr_vf;
	uint32_t resume_vf; /* restored tally: its VF's first reading continues it */
	uint64_t resume_last[SFO_CTR_MAX];
	bool tally_unsaved; /* restored tally not yet given to ops->vf_tally */
	struct sfo_failover_stats fo;
};

struct sfo_engine {
	const struct sfo_ops *ops;
	void *ctx;
	const struct sfo_config *cfg;

	struct adapter **adapters; /* sorted by id */
	size_t n_adapters, cap_adapters;
	struct pair **pairs; /* sorted by standby id */
	size_t n_pairs, cap_pairs;

	uint32_t *restored; /* VFs released before a restart, not yet paired */
	size_t n_restored;
	uint32_t *restored_steering; /* VFs serving before a restart, not yet paired */
	size_t n_restored_steering;
	struct restored_tally *tallies; /* VF tallies from before a restart, by standby */
	size_t n_tallies;
	uint64_t timer_armed; /* deadline last given to ops->timer_set */
	struct event_ring ring;
	bool in_teardown;
};

/* edge.c: the edge's memory, clock and log */
/* ops->alloc: zeroed memory, or NULL */
void *sfo_edge_alloc(struct sfo_engine *e, size_t size);
/* ops->free; NULL is ignored */
void sfo_edge_free(struct sfo_engine *e, void *ptr);
/* realloc() through ops: @ptr (of @old_size bytes) moves to a new block of
 * @size, zeroed beyond what is copied; on failure NULL, @ptr untouched. */
void *sfo_edge_realloc(struct sfo_engine *e, void *ptr, size_t old_size, size_t size);
uint64_t sfo_edge_now(struct sfo_engine *e);
/* One line to ops->log, formatted by the core (text.h: its conversions) */
void sfo_edge_log(struct sfo_engine *e, enum sfo_log_level lvl, const char *fmt, ...)
	SFO_PRINTF(3, 4);

/* restore.c: what an earlier engine left (sfo_engine_restore_*()) */
/* Whether @vf_id was released before a restart (forgotten once asked). */
bool sfo_restore_take_release(struct sfo_engine *e, uint32_t vf_id);
/* Whether @vf_id carried the datapath before a restart (forgotten once asked). */
bool sfo_restore_take_steering(struct sfo_engine *e, uint32_t vf_id);
/* The tally restored for @standby_id, if any (forgotten once asked). */
bool sfo_restore_take_tally(struct sfo_engine *e, uint32_t standby_id, struct sfo_vf_tally *out);

/* policy.c */
bool sfo_policy_is_standby(const struct sfo_config *cfg, const struct sfo_adapter_info *info);
/* The kernel's failover master (net_failover: QEMU's failover=on), which pairs
 * its standby and VF itself. */
bool sfo_policy_is_failover_master(const struct sfo_adapter_info *info);
/* Whether @info may serve as a VF; if not, why in @why. */
bool sfo_policy_vf_allowed(const struct sfo_config *cfg, const struct sfo_adapter_info *info,
			   char *why, size_t whylen);
bool sfo_mac_equal(const uint8_t *a, const uint8_t *b);
bool sfo_mac_is_zero(const uint8_t *a);
void sfo_mac_format(const uint8_t *mac, char *buf, size_t len);

/* pair.c: the state machine */
struct pair *sfo_pair_new(struct sfo_engine *e, struct adapter *standby);
/* The standby leaves: give back its VF and spares (they become candidates),
 * remove the datapath, free the pair. With @why (NULL at shutdown) the end
 * goes into the event ring, and a standby that stays keeps its VF tally for
 * a later pair. */
void sfo_pair_teardown(struct sfo_engine *e, struct pair *p, bool standby_gone, const char *why);
void sfo_pair_resolve_options(struct sfo_engine *e, struct pair *p);
/* Bring the pair's datapath and VF in line with the facts; the one place
 * where states change. @why names the triggering event. */
void sfo_pair_reconcile(struct sfo_engine *e, struct pair *p, const char *why);
void sfo_pair_add_vf(struct sfo_engine *e, struct pair *p, struct adapter *vf);
/* The VF or spare @a leaves the pair (removed, or no longer eligible). */
void sfo_pair_drop_vf(struct sfo_engine *e, struct pair *p, struct adapter *a, bool gone);
void sfo_pair_set_rx_mode(struct sfo_engine *e, struct pair *p, const struct sfo_rx_mode *m);
/* An answer came back through the pair's VF @vf_id; @detail may be NULL. */
void sfo_pair_path_proven(struct sfo_engine *e, struct pair *p, uint32_t vf_id, const char *detail);
/* A reading of the pair's VF @vf: into the pair's VF totals, and to the edge. */
void sfo_pair_vf_counted(struct sfo_engine *e, struct pair *p, struct adapter *vf,
			 const struct sfo_counters *c);
void sfo_pair_get_status(struct sfo_engine *e, struct pair *p, struct sfo_pair_status *out);
uint64_t sfo_pair_deadline(const struct pair *p);
void sfo_pair_timer(struct sfo_engine *e, struct pair *p);

#endif /* SFO_CORE_H */
