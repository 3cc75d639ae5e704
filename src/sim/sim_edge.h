/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A deterministic simulated edge for the failover core: virtual adapters,
 * a virtual clock and a model of the datapath, with failure injection and
 * invariant checks. It drives the core's tests and the simulated migration
 * of `sfo-simulate`.
 *
 * Every sim_* action changes the virtual world, delivers the matching
 * event to the engine and then delivers what the engine's own actions
 * caused (a VF it brought up reports "up"), until the world is quiet.
 */
#ifndef SFO_SIM_EDGE_H
#define SFO_SIM_EDGE_H

#include <stdio.h>

#include <sfo/engine.h>

#define SIM_MAX_NICS 16

struct sim_nic {
	bool present;
	struct sfo_adapter_info info;
	bool link; /* the far end has link: carrier whenever the NIC is up */
	uint64_t ctr[SFO_CTR_MAX];
	uint8_t width;

	/* failure injection */
	uint32_t mtu_limit; /* vf_set_mtu above this fails (0: no limit) */
	bool refuse_rx_mode;
	bool refuse_offloads;
	int fail_prepare; /* error vf_prepare returns (0: succeed) */
	int fail_open;
	bool port_blocked; /* as a VF: its host switch port does not forward (yet) */
	bool no_neighbour; /* as a standby: it knows no neighbour to probe */

	/* what the engine did to it */
	uint32_t held_by; /* standby id whose vf_prepare holds it */
	unsigned int prepares, releases;
	bool promisc, allmulti;
	size_t mc_count;
	uint8_t mc[8][SFO_MAC_LEN];
	bool rx_given; /* as a VF: given an RX mode (taken or refused) since it was held */
	uint32_t offloads_set;
	unsigned int announces;
	unsigned int probes;	     /* as a VF: probes sent through it */
	unsigned int probe_prepares; /* as a VF: probe_prepare calls */
	bool probing;		     /* as a VF: probe_path called, probe_stop owed */
	bool answer_due;	     /* as a VF: an answer to its probe is on its way */
	bool proven;		  /* as a VF: answered (or nothing to probe) since carrier came */
	bool served_before_crash; /* as a VF: steered to when the daemon crashed */
	bool released;		  /* as a VF: the administrator released it (kept across a crash) */
	bool attached;		  /* as a standby: datapath hooks installed */
	bool have_tally;	  /* as a standby: the engine's last VF tally, kept like a pin */
	struct sfo_vf_tally tally;
	uint32_t steer; /* as a standby: VF id its traffic goes through, 0 itself */
	uint64_t last_merged[SFO_CTR_MAX]; /* as a standby: for the monotonic check */
};

struct sim {
	struct sfo_engine *eng;
	struct sfo_config *cfg;
	uint64_t now_ns;
	uint64_t timer_ns;		      /* armed deadline, 0 if none */
	struct sim_nic nic[SIM_MAX_NICS + 1]; /* indexed by id; 0 unused */
	uint32_t pending[64];		      /* ids whose state changed under an op */
	size_t n_pending;
	bool delivering;
	bool crashed;	      /* between sim_crash() and sim_start(): no engine */
	int fail_steer_to_vf; /* error steer() to a VF returns */
	int alloc_budget;     /* ops->alloc calls that still succeed; negative: all */
	size_t allocs_live;   /* blocks the engine got from ops->alloc, not yet freed */

	FILE *trace;	     /* NULL: silent */
	char violation[256]; /* first broken invariant, "" if none */
	unsigned int steers;
	unsigned int prepares, releases; /* over the sim's lifetime */
};

/* @cfg is owned by the sim afterwards. */
struct sim *sim_new(struct sfo_config *cfg, FILE *trace);
/* Free the engine and check it gave back everything: every VF released,
 * every datapath detached, as many releases as prepares, all its memory. */
bool sim_finish(struct sim *s);
void sim_free(struct sim *s);
/* The daemon crashes: the engine is gone without giving anything back. The
 * world keeps what the Linux edge keeps across a restart (pinned datapath,
 * held VFs, the released marks); NICs may come and go meanwhile. */
void sim_crash(struct sim *s);
/* Its successor starts: adopts that state (attach and prepare are
 * adoptions), restores the released marks, then learns every present NIC. */
void sim_start(struct sim *s);

/* What a NIC is when it appears; zero fields take defaults. */
struct sim_nic_spec {
	const char *name;
	const char *driver;
	const char *mac;
	bool up;      /* up (and with carrier) when it appears */
	bool no_link; /* the far end has no link: no carrier even when up */
	uint32_t max_mtu;
	uint32_t offloads_supported; /* 0: all */
	uint32_t mtu_limit;
	int fail_prepare;
	uint8_t width;		 /* counter width, 0: 64 */
	uint64_t counters_start; /* every counter's value when it appears */
	uint32_t master;	 /* id of the device it is enslaved to (0: none) */
};

/* Add a NIC (id = lowest free slot); 0 if the sim is full. */
uint32_t sim_add_spec(struct sim *s, const struct sim_nic_spec *spec);
uint32_t sim_add(struct sim *s, const char *name, const char *driver, const char *mac, bool up);
void sim_remove(struct sim *s, uint32_t id);
/* Orderly removal of a VF: "going down", then down, then gone. */
void sim_unplug(struct sim *s, uint32_t id);
void sim_set_link(struct sim *s, uint32_t id, bool link);
void sim_set_admin(struct sim *s, uint32_t id, bool up);
void sim_set_mtu(struct sim *s, uint32_t id, uint32_t mtu);
void sim_rename(struct sim *s, uint32_t id, const char *name);
/* Enslave the NIC to @master (0: release it), as net_failover or a bond does. */
void sim_set_master(struct sim *s, uint32_t id, uint32_t master);
void sim_set_rx_mode(struct sim *s, uint32_t id, bool promisc, bool allmulti, size_t mc_count);
void sim_set_offloads(struct sim *s, uint32_t id, uint32_t requested);
/* Reload the engine's configuration from @text; false if it does not parse. */
bool sim_reload(struct sim *s, const char *text);
/* The host's switch port of VF @id starts or stops forwarding. */
void sim_set_port(struct sim *s, uint32_t id, bool forwarding);
/* Deliver what the engine's actions caused (e.g. the answer to a probe),
 * after an engine function the test called itself. */
void sim_settle(struct sim *s);
/* Advance the clock, firing the engine's timer on the way. */
void sim_advance_ms(struct sim *s, uint64_t ms);
/* Send @n frames of @bytes each way through the standby's datapath. */
void sim_traffic(struct sim *s, uint32_t standby_id, uint64_t n, uint64_t bytes);

/* A line of narration in the trace, at the current virtual time. */
void sim_note(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Status of the pair whose standby is @standby_id; false if none. */
bool sim_pair(struct sim *s, uint32_t standby_id, struct sfo_pair_status *out);
enum sfo_pair_state sim_state(struct sim *s, uint32_t standby_id);
/* Check every invariant; the first broken one is kept in s->violation. */
bool sim_check(struct sim *s);

#endif /* SFO_SIM_EDGE_H */
