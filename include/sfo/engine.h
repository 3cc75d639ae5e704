/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The failover engine of the 2-netdev model.
 *
 * The IP stack uses only the standby adapter (virtio-net). The engine pairs a
 * VF with the standby whose permanent MAC it shares, holds the VF isolated,
 * mirrors the standby's settings onto it and steers the datapath to the VF
 * whenever the VF can carry traffic, back to the standby otherwise.
 *
 * The engine does no I/O: every action goes through struct sfo_ops, which an
 * OS edge implements, and every fact comes in through the sfo_engine_*()
 * event functions. All calls must come from one thread.
 *
 * It is freestanding (libsfo-core), so that a kernel driver can link it:
 * no C library, its memory from ops->alloc/free, its clock from
 * ops->now_ns, its log lines formatted by itself. From its environment it
 * needs only memcpy, memmove, memset and memcmp (user space's C library,
 * ntoskrnl.exe and the Linux kernel all have them), and every global name
 * it defines starts with sfo_. The configuration file's parser
 * (sfo_config_parse() and the rest of config.h) is libsfo-config, hosted.
 */
#ifndef SFO_ENGINE_H
#define SFO_ENGINE_H

#include "config.h"
#include "types.h"

struct sfo_engine;

enum sfo_log_level {
	SFO_LOG_ERR,
	SFO_LOG_WARN,
	SFO_LOG_INFO,
	SFO_LOG_DEBUG,
};

/* What a pair has counted on its VFs, for an edge that keeps it across a
 * daemon restart (ops->vf_tally, sfo_engine_restore_tally()): with the last
 * reading, a successor that finds the same VF counts on from there. */
struct sfo_vf_tally {
	uint32_t vf_id;		     /* the VF of the last reading */
	uint64_t last[SFO_CTR_MAX];  /* that reading */
	uint64_t total[SFO_CTR_MAX]; /* all the pair's VFs have counted */
};

/*
 * Operations the edge implements. Functions returning int return 0 or a
 * negative errno-style code; the engine never assumes an operation it saw
 * fail took effect. @ctx is the pointer given to sfo_engine_new().
 */
struct sfo_ops {
	/* Memory for the engine's tables: @size bytes, zeroed, aligned for
	 * any type; NULL when there is none. Required: the engine has no
	 * allocator of its own (user space passes calloc, a Windows driver
	 * its pool, e.g. ExAllocatePool2 from non-paged pool). */
	void *(*alloc)(void *ctx, size_t size);
	/* Give back what alloc returned; never called with NULL. Required. */
	void (*free)(void *ctx, void *ptr);

	/* Monotonic clock in nanoseconds. */
	uint64_t (*now_ns)(void *ctx);
	/* Arm the engine's single timer for @deadline_ns (monotonic); 0 disarms.
	 * When it fires the edge calls sfo_engine_timer_expired(). */
	void (*timer_set)(void *ctx, uint64_t deadline_ns);

	/* Install / remove the datapath hooks of a standby (steering to standby). */
	int (*datapath_attach)(void *ctx, uint32_t standby_id);
	void (*datapath_detach)(void *ctx, uint32_t standby_id);
	/* Steer the standby's traffic: TX out of and RX in through @vf_id, or
	 * through the standby itself when @vf_id is 0. */
	int (*steer)(void *ctx, uint32_t standby_id, uint32_t vf_id);

	/* Take exclusive hold of a VF: no address, no autoconf, no other
	 * manager; its received frames are delivered as the standby's. */
	int (*vf_prepare)(void *ctx, uint32_t standby_id, uint32_t vf_id);
	/* Give the VF back (undo vf_prepare). Called for every successful
	 * prepare, also when the VF is already gone. */
	void (*vf_release)(void *ctx, uint32_t standby_id, uint32_t vf_id);
	/* Bring the VF administratively up. */
	int (*vf_open)(void *ctx, uint32_t vf_id);
	int (*vf_set_mtu)(void *ctx, uint32_t vf_id, uint32_t mtu);
	int (*vf_set_rx_mode)(void *ctx, uint32_t vf_id, const struct sfo_rx_mode *mode);
	int (*vf_set_offloads)(void *ctx, uint32_t vf_id, uint32_t offloads);

	/* Read an adapter's counters now. */
	int (*read_counters)(void *ctx, uint32_t id, struct sfo_counters *out);
	/* Tell the network where the standby's MAC, and what lives behind the
	 * standby, lives now (gratuitous ARP, unsolicited neighbour
	 * advertisements...), once. The edge may send later (it never blocks
	 * here) and reports what it sent with sfo_engine_announced(). */
	void (*announce)(void *ctx, uint32_t standby_id);

	/*
	 * Prove that frames sent through @vf_id reach the network and answers
	 * come back through it (carrier says nothing about the host's switch
	 * port): send one probe through the VF, from the standby's addresses,
	 * to a neighbour the standby knows (e.g. an ARP request or a neighbour
	 * solicitation), and report an answer that comes back through the VF
	 * with sfo_engine_path_proven(). Called again for every retry.
	 * -SFO_ENOENT: nothing to probe (no neighbour known), the engine uses
	 * the VF unproven. May be NULL: every path counts as proven.
	 */
	int (*probe_path)(void *ctx, uint32_t standby_id, uint32_t vf_id);
	/* The engine just brought @vf_id up and will probe it once it has
	 * carrier: get what the first probe_path needs (whom to ask, what
	 * listens for answers) now, while the link comes up, so that nothing
	 * slow stands between carrier and the first probe. Failures are the
	 * first probe's to report. What it holds ends with probe_stop, with
	 * steering to @vf_id (e.g. probe-path turned off before the first
	 * probe) or with vf_release. May be NULL. */
	void (*probe_prepare)(void *ctx, uint32_t standby_id, uint32_t vf_id);
	/* Stop listening for answers through @vf_id (proven, or no longer
	 * wanted). Called once after the probe_path calls of one attempt; the
	 * VF may be gone already. May be NULL. */
	void (*probe_stop)(void *ctx, uint32_t standby_id, uint32_t vf_id);

	/* The administrator released @vf_id (@released; called once traffic
	 * is off it) or resumed it (called before traffic may return). A
	 * release also ends when the VF is given back (vf_release). An edge
	 * whose state outlives the engine (a daemon restart) keeps the mark
	 * and hands it back with sfo_engine_restore_release(). May be NULL. */
	void (*vf_released)(void *ctx, uint32_t standby_id, uint32_t vf_id, bool released);

	/* The pair's VF counters were read: what it has counted so far (for
	 * an edge whose state outlives the engine). May be NULL. */
	void (*vf_tally)(void *ctx, uint32_t standby_id, const struct sfo_vf_tally *t);

	/* One line of log, without trailing newline, formatted by the engine
	 * (the same text on every edge). May be NULL. */
	void (*log)(void *ctx, enum sfo_log_level level, const char *msg);
};

enum sfo_pair_state {
	SFO_PAIR_NO_VF,	   /* no VF: datapath on standby */
	SFO_PAIR_BINDING,  /* VF held, settings propagated, waiting for up + carrier */
	SFO_PAIR_ACTIVE,   /* datapath on the VF */
	SFO_PAIR_FALLBACK, /* VF present without carrier: datapath on standby */
	SFO_PAIR_DRAINING, /* VF being released: datapath on standby until it goes */
	SFO_PAIR_UNUSABLE, /* VF held but refused a setting it must have */
	SFO_PAIR_PROBING, /* VF up with carrier, path through it not proven yet: datapath on standby */
	SFO_PAIR_STATE_MAX,
};

const char *sfo_pair_state_name(enum sfo_pair_state s);

/* Why an adapter is or is not used. */
enum sfo_role {
	SFO_ROLE_UNMANAGED, /* neither a standby nor a VF candidate of one */
	SFO_ROLE_STANDBY,
	SFO_ROLE_VF,	    /* the VF of a pair */
	SFO_ROLE_SPARE,	    /* a second VF with the standby's MAC, waiting */
	SFO_ROLE_CANDIDATE, /* passes the VF policy, no standby has its MAC */
	SFO_ROLE_HELD,	    /* the kernel's net_failover holds it (QEMU failover=on): not touched */
	SFO_ROLE_MAX,
};

const char *sfo_role_name(enum sfo_role r);

struct sfo_adapter_status {
	struct sfo_adapter_info info;
	enum sfo_role role;
	uint32_t standby_id;	     /* for VF and spare */
	char reason[SFO_REASON_MAX]; /* why this role (e.g. "driver e1000 not in VF allowlist") */
};

/* Failover statistics of one pair. */
struct sfo_failover_stats {
	uint64_t to_vf;	     /* datapath switches standby -> VF */
	uint64_t to_standby; /* datapath switches VF -> standby */
	uint64_t ns_on_vf;
	uint64_t ns_on_standby;
	uint64_t announcements;	 /* frames the edge reported sent (sfo_engine_announced) */
	uint64_t vf_bound;	 /* VFs that reached ACTIVE at least once */
	uint64_t probes;	 /* probes sent through VFs (ops->probe_path) */
	uint64_t probe_timeouts; /* proofs that did not come within probe-timeout-ms */
	uint64_t unproven;	 /* switches to a VF with nothing to probe */
	char last_switch_reason[SFO_REASON_MAX];
};

struct sfo_pair_status {
	uint32_t standby_id;
	char standby_name[SFO_NAME_MAX];
	uint32_t vf_id; /* 0 if none */
	char vf_name[SFO_NAME_MAX];
	uint32_t datapath_id; /* where traffic goes: vf_id or standby_id */
	enum sfo_pair_state state;
	char reason[SFO_REASON_MAX]; /* reason of the last transition */
	uint64_t since_ns;	     /* time of the last transition */
	unsigned int spares;
	struct sfo_counters counters; /* standby + VF, never decreasing */
	struct sfo_failover_stats failover;
};

/* One entry of the bounded transition log. */
struct sfo_event {
	uint64_t ts_ns;
	uint32_t standby_id;
	uint32_t vf_id;
	enum sfo_pair_state from;
	enum sfo_pair_state to;
	char standby_name[SFO_NAME_MAX];
	char reason[SFO_REASON_MAX];
};

#define SFO_EVENT_RING_SIZE 256

/*
 * Create an engine. @cfg is copied by reference and must outlive the engine
 * (or be replaced with sfo_engine_set_config()). NULL on allocation failure.
 */
struct sfo_engine *sfo_engine_new(const struct sfo_ops *ops, void *ctx,
				  const struct sfo_config *cfg);
/*
 * Switch to @cfg (a reload). Every adapter's role is checked against it:
 * standbys that are no longer managed give back their VFs, devices newly
 * allowed as VFs are paired, per-standby options take effect. The old
 * config may be freed once this returns.
 */
void sfo_engine_set_config(struct sfo_engine *eng, const struct sfo_config *cfg);
/* Release every held VF, detach every datapath and free the engine. */
void sfo_engine_free(struct sfo_engine *eng);

/* --- events in: adapters --- */
/* An adapter appeared or any of its facts changed (name, flags, MTU...). */
void sfo_engine_adapter_update(struct sfo_engine *eng, const struct sfo_adapter_info *info);
/* An adapter is gone (unplugged, unregistered). */
void sfo_engine_adapter_removed(struct sfo_engine *eng, uint32_t id);
/* A VF is about to go away (orderly release, e.g. unplug requested): move
 * the datapath off it now. Ignored for adapters that are not a pair's VF. */
void sfo_engine_vf_going_down(struct sfo_engine *eng, uint32_t vf_id);

/* An answer to a probe (ops->probe_path) came back through @vf_id: the path
 * through it works. @detail (may be NULL) says what answered, for the
 * reason shown in status and events. Ignored unless the VF's pair is
 * waiting for it. */
void sfo_engine_path_proven(struct sfo_engine *eng, uint32_t vf_id, const char *detail);

/* --- events in: standby settings made by the stack --- */
void sfo_engine_standby_rx_mode(struct sfo_engine *eng, uint32_t standby_id,
				const struct sfo_rx_mode *mode);
void sfo_engine_standby_offloads(struct sfo_engine *eng, uint32_t standby_id, uint32_t requested);
/* The edge sent @frames announcement frames for the standby (in answer to
 * the announce op, possibly later): what the pair's announcements count. */
void sfo_engine_announced(struct sfo_engine *eng, uint32_t standby_id, uint64_t frames);
/* A fresh reading of an adapter's counters (e.g. the last one on removal). */
void sfo_engine_counters_sampled(struct sfo_engine *eng, uint32_t id, const struct sfo_counters *c);

/* --- requests from the administrator --- */
/* Orderly release: datapath to standby, VF kept unused until it is removed
 * or sfo_engine_resume() is called. @id is the standby's or the VF's id. */
int sfo_engine_release(struct sfo_engine *eng, uint32_t id);
/* Undo sfo_engine_release(): the VF may be used again. */
int sfo_engine_resume(struct sfo_engine *eng, uint32_t id);
/*
 * An earlier engine (a daemon before its restart) had released the VF
 * @vf_id: keep it released when it pairs, so that a restart between a
 * release and the VF's removal never moves traffic back onto it (also when
 * it first pairs as a spare and serves later). Call before reporting the
 * adapters; sfo_engine_restore_done() then forgets the VFs that did not show
 * up, and a removal forgets the VF that leaves. -SFO_EINVAL for id 0,
 * -SFO_ENOMEM.
 */
int sfo_engine_restore_release(struct sfo_engine *eng, uint32_t vf_id);
/*
 * An earlier engine's tally of the VFs of @standby_id (the last ops->vf_tally):
 * the pair's merged counters go on from it instead of starting afresh. Taken
 * when the standby pairs in the first dump; one tally per standby, the last
 * given wins. -SFO_EINVAL for id 0, -SFO_ENOMEM.
 */
int sfo_engine_restore_tally(struct sfo_engine *eng, uint32_t standby_id,
			     const struct sfo_vf_tally *t);
/*
 * An earlier engine steered the datapath to @vf_id (the path through it was
 * proven, or taken unproven): when it pairs in the first dump it serves at
 * once instead of being probed again, so a restart does not move traffic.
 * -SFO_EINVAL for id 0, -SFO_ENOMEM.
 */
int sfo_engine_restore_steering(struct sfo_engine *eng, uint32_t vf_id);
/* The first dump is over: forget the tallies no pair took, the releases
 * and steerings of VFs not paired. */
void sfo_engine_restore_done(struct sfo_engine *eng);

/* The edge's timer fired. */
void sfo_engine_timer_expired(struct sfo_engine *eng);

/* --- queries --- */
size_t sfo_engine_pair_count(const struct sfo_engine *eng);
/* Status of the @index-th pair (0-based, ordered by standby id); counters
 * are refreshed through ops->read_counters. Returns 0 or -ENOENT-like. */
int sfo_engine_pair_status(struct sfo_engine *eng, size_t index, struct sfo_pair_status *out);
size_t sfo_engine_adapter_count(const struct sfo_engine *eng);
/* What the engine last heard of adapter @id: 0, or -SFO_ENOENT if unknown. */
int sfo_engine_adapter_info(const struct sfo_engine *eng, uint32_t id,
			    struct sfo_adapter_info *out);
/* Role of adapter @id; SFO_ROLE_UNMANAGED for an unknown id. */
enum sfo_role sfo_engine_adapter_role(const struct sfo_engine *eng, uint32_t id);
int sfo_engine_adapter_status(const struct sfo_engine *eng, size_t index,
			      struct sfo_adapter_status *out);
/* Copy up to @max most recent events, oldest first. Returns how many. */
size_t sfo_engine_events(const struct sfo_engine *eng, struct sfo_event *out, size_t max);

#endif /* SFO_ENGINE_H */
