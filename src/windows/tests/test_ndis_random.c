// SPDX-License-Identifier: BSD-2-Clause
/*
 * Seeded random sequences through sriovfo.sys's sources on the NDIS
 * emulation: sends, held and released sends, VFs plugged, unplugged in order
 * or by surprise, link flaps, receives on either adapter with and without
 * RESOURCES, the stack holding receives, filter pauses, packet filter and
 * multicast changes, OIDs held, release and resume through the engine, the
 * standby restarting with MTU 1500 or 9000 over VFs of either. After
 * every step: no NDIS rule broken (no NBL lost, leaked to the wrong owner or
 * completed twice, never a send to an unbound or paused VF), every send of
 * the stack either completed successfully or still in flight on a VF, the
 * frames on the wires add up to the completed sends, the traffic on the VF
 * exactly when it is bound with link, not released and takes the standby's
 * MTU, and the engine's pair ACTIVE on that VF exactly then (UNUSABLE when
 * the MTU is what stands in the way), a present VF taken, the VF's receive
 * settings the standby's, never a same-MAC adapter bound that is not on the
 * VF allowlist (offered at every re-enumeration), the stack's statistics
 * (OID_GEN_STATISTICS) never below the last answer nor below the standby's
 * own counters. At the end nothing is left.
 *
 * SFO_SEED=N replays one sequence; SFO_RANDOM_RUNS=N changes how many.
 */
#include <stdio.h>
#include <stdlib.h>

#include "emu.h"
#include "sriovfo.h"

#define STEPS 150
#define SLOTS 2

static const UCHAR MAC_A[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const UCHAR UNICAST[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const UCHAR BROADCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static unsigned long long rng_state;

static unsigned rnd(unsigned n)
{
	/* xorshift64*, as tests/test_random.c */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * 2685821657736338717ull) >> 33) % n;
}

struct slot {
	struct emu_adapter *vf;
	BOOLEAN link, hold_tx, hold_oids;
	ULONG mtu;
};

struct run {
	unsigned long long seed;
	int step, violations;
	struct emu_adapter *sb;
	struct emu_adapter *foreign; /* the standby's MAC, not an allowed VF */
	struct slot slot[SLOTS];
	unsigned sent, frames_of_gone_vfs, n_mcast;
	ULONG filter;
	BOOLEAN have_filter, have_mcast, hold_rx;
	BOOLEAN released;	    /* the administrator released the pair's VF */
	ULONG sb_mtu;		    /* the standby's, as of its filter's last restart */
	NDIS_STATISTICS_INFO stats; /* the stack's last answer */
	char what[80];
};

static int fail(struct run *r, const char *why)
{
	fprintf(stderr, "SFO_SEED=%llu step %d (%s): %s\n", r->seed, r->step, r->what, why);
	return -1;
}

static struct slot *active(struct run *r)
{
	for (int i = 0; i < SLOTS; i++)
		if (r->slot[i].vf && emu_bound(r->slot[i].vf))
			return &r->slot[i];
	return NULL;
}

static unsigned frames(struct run *r)
{
	unsigned n = emu_tx_frames(r->sb) + r->frames_of_gone_vfs;

	for (int i = 0; i < SLOTS; i++)
		if (r->slot[i].vf)
			n += emu_tx_frames(r->slot[i].vf);
	return n;
}

static unsigned in_flight(struct run *r)
{
	unsigned n = 0;

	for (int i = 0; i < SLOTS; i++)
		if (r->slot[i].vf)
			n += emu_tx_in_flight(r->slot[i].vf);
	return n;
}

static void release_all(struct run *r)
{
	for (int i = 0; i < SLOTS; i++)
		if (r->slot[i].vf) {
			r->slot[i].hold_tx = r->slot[i].hold_oids = FALSE;
			emu_hold_tx(r->slot[i].vf, FALSE);
			emu_hold_oids(r->slot[i].vf, FALSE);
			emu_complete_oids(r->slot[i].vf);
		}
	r->hold_rx = FALSE;
	emu_stack_hold_rx(r->sb, FALSE);
	emu_stack_return(r->sb);
}

static void unplug(struct run *r, struct slot *s, BOOLEAN surprise)
{
	if (s == active(r))
		r->released = FALSE; /* a release is for the VF that leaves */
	emu_unplug(s->vf, surprise);
	r->frames_of_gone_vfs += emu_tx_frames(s->vf);
	emu_adapter_free(s->vf);
	s->vf = NULL;
}

/* The engine's pair 0 (the standby's), as a control path takes it. */
static int pair0(struct sfo_pair_status *st)
{
	struct sfo_engine *eng = sfo_drv_engine_lock();
	int err = eng ? sfo_engine_pair_status(eng, 0, st) : -SFO_ENOENT;

	sfo_drv_engine_unlock();
	return err;
}

/* Release (@release_it) or resume the pair; a release without a VF holds
 * nothing (the next VF is used as usual). */
static void release(struct run *r, BOOLEAN release_it)
{
	struct sfo_pair_status st;
	struct sfo_engine *eng;

	if (pair0(&st))
		return;
	eng = sfo_drv_engine_lock();
	if (release_it)
		sfo_engine_release(eng, st.standby_id);
	else
		sfo_engine_resume(eng, st.standby_id);
	sfo_drv_engine_unlock();
	r->released = release_it && active(r);
}

/* The filter pauses (what it waits for comes back) and restarts. */
static void pause_restart(struct run *r)
{
	if (emu_filter_pause(r->sb) == NDIS_STATUS_PENDING)
		release_all(r);
	if (emu_filter_paused(r->sb))
		emu_filter_restart(r->sb);
}

static void step(struct run *r)
{
	struct slot *s = &r->slot[rnd(SLOTS)];
	unsigned n;

	switch (rnd(15)) {
	case 0:
	case 1:
		n = 1 + rnd(4);
		snprintf(r->what, sizeof(r->what), "send %u", n);
		emu_stack_send(r->sb, n);
		r->sent += n;
		break;
	case 2:
		snprintf(r->what, sizeof(r->what), "hold/release VF sends");
		if (s->vf)
			emu_hold_tx(s->vf, s->hold_tx = !s->hold_tx);
		break;
	case 3:
		snprintf(r->what, sizeof(r->what), "plug a VF");
		if (!s->vf) {
			s->vf = emu_adapter_new(s == r->slot ? "vf0" : "vf1", MAC_A, EMU_VF);
			s->link = TRUE;
			s->hold_tx = s->hold_oids = FALSE;
			s->mtu = rnd(2) ? 1500 : 9000;
			emu_adapter_set_mtu(s->vf, s->mtu);
			emu_offer(s->vf);
		}
		break;
	case 4:
		n = rnd(2);
		snprintf(r->what, sizeof(r->what), "unplug a VF%s", n ? " by surprise" : "");
		if (s->vf)
			unplug(r, s, (BOOLEAN)n);
		break;
	case 5:
		snprintf(r->what, sizeof(r->what), "VF link flip");
		if (s->vf)
			emu_link(s->vf, s->link = !s->link);
		break;
	case 6:
		n = rnd(2);
		snprintf(r->what, sizeof(r->what), "VF receive%s", n ? " with RESOURCES" : "");
		if (s->vf)
			emu_receive(s->vf, rnd(2) ? UNICAST : BROADCAST, (BOOLEAN)n);
		break;
	case 7:
		n = rnd(2);
		snprintf(r->what, sizeof(r->what), "standby receive%s", n ? " with RESOURCES" : "");
		emu_receive(r->sb, rnd(2) ? UNICAST : BROADCAST, (BOOLEAN)n);
		break;
	case 8:
		snprintf(r->what, sizeof(r->what), "stack holds/returns receives");
		emu_stack_hold_rx(r->sb, r->hold_rx = !r->hold_rx);
		if (!r->hold_rx)
			emu_stack_return(r->sb);
		break;
	case 9:
		snprintf(r->what, sizeof(r->what), "filter pause and restart");
		pause_restart(r);
		break;
	case 10:
		r->filter = 1 + rnd(0x2f);
		snprintf(r->what, sizeof(r->what), "packet filter %#lx", (unsigned long)r->filter);
		r->have_filter =
			emu_stack_set_packet_filter(r->sb, r->filter) == NDIS_STATUS_SUCCESS;
		break;
	case 11:
		r->n_mcast = rnd(40);
		snprintf(r->what, sizeof(r->what), "multicast list of %u", r->n_mcast);
		r->have_mcast = emu_stack_set_multicast(r->sb, r->n_mcast) == NDIS_STATUS_SUCCESS;
		break;
	case 12:
		snprintf(r->what, sizeof(r->what), "hold/complete VF OIDs");
		if (s->vf) {
			emu_hold_oids(s->vf, s->hold_oids = !s->hold_oids);
			if (!s->hold_oids)
				emu_complete_oids(s->vf);
		}
		break;
	case 13:
		n = rnd(2);
		snprintf(r->what, sizeof(r->what), "%s through the engine",
			 n ? "release" : "resume");
		release(r, (BOOLEAN)n);
		break;
	case 14:
		r->sb_mtu = rnd(2) ? 1500 : 9000;
		snprintf(r->what, sizeof(r->what), "the standby restarts with MTU %lu",
			 (unsigned long)r->sb_mtu);
		emu_adapter_set_mtu(r->sb, r->sb_mtu);
		pause_restart(r);
		break;
	}
}

/* The stack's statistics: never below its last answer nor below what the
 * standby alone counted. Asked while the VF answers at once (a held VF OID
 * would keep the stack's request, and the next step's, pending). */
static int check_statistics(struct run *r, const struct slot *a)
{
	NDIS_STATISTICS_INFO now, own;
	const ULONG64 *v = &now.ifInDiscards, *last = &r->stats.ifInDiscards;
	const ULONG64 *sb = &own.ifInDiscards;

	if (a && a->hold_oids)
		return 0;
	if (emu_stack_query_statistics(r->sb) != NDIS_STATUS_SUCCESS ||
	    !emu_stack_statistics(r->sb, &now))
		return fail(r, "the stack's statistics query failed");
	emu_adapter_statistics(r->sb, &own);
	for (int c = 0; c < 18; c++) {
		if (v[c] < last[c])
			return fail(r, "a statistics counter went down");
		if (v[c] < sb[c])
			return fail(r, "a statistics counter is below the standby's own");
	}
	r->stats = now;
	return 0;
}

static int check(struct run *r)
{
	struct slot *a = active(r);
	BOOLEAN too_small = a && a->mtu < r->sb_mtu; /* the VF refuses the standby's MTU */
	BOOLEAN on_vf = a && a->link && !r->released && !too_small; /* where traffic must go */
	struct sfo_pair_status st;

	if (emu_violations() != r->violations)
		return fail(r, "an NDIS rule was broken (above)");
	if (emu_bound(r->foreign))
		return fail(r, "an adapter not on the VF allowlist is bound");
	for (int i = 0; i < SLOTS && !a; i++)
		if (r->slot[i].vf)
			return fail(r, "a VF is present but not taken");
	if (!emu_filter_paused(r->sb) && emu_stack_sent_failed(r->sb))
		return fail(r, "a send failed to the stack");
	if (emu_stack_sent_ok(r->sb) + in_flight(r) != r->sent)
		return fail(r, "a send is neither completed nor in flight");
	if (frames(r) != emu_stack_sent_ok(r->sb))
		return fail(r, "the frames on the wires are not the completed sends");
	if (pair0(&st))
		return fail(r, "the engine has no pair for the standby");
	if ((st.state == SFO_PAIR_ACTIVE) != on_vf)
		return fail(r, on_vf ? "the engine's pair is not ACTIVE with a VF that can serve"
				     : "the engine's pair is ACTIVE with no VF that can serve");
	if (on_vf && st.datapath_id != st.vf_id)
		return fail(r, "the engine steers elsewhere than to its ACTIVE VF");
	if (too_small && !r->released && st.state != SFO_PAIR_UNUSABLE)
		return fail(r, "a VF with a smaller MTU than the standby's is not UNUSABLE");
	if (on_vf && !a->hold_tx) { /* the traffic follows the VF's state */
		unsigned before = emu_tx_frames(a->vf);

		emu_stack_send(r->sb, 1);
		r->sent++;
		if (emu_tx_frames(a->vf) != before + 1)
			return fail(r, "a bound VF with link does not carry the traffic");
	} else if (!on_vf) {
		unsigned before = emu_tx_frames(r->sb);

		emu_stack_send(r->sb, 1);
		r->sent++;
		if (emu_tx_frames(r->sb) != before + 1)
			return fail(r,
				    "the standby does not carry the traffic without a VF to serve");
	}
	if (a && !too_small && !r->released && !a->hold_oids &&
	    emu_oids_in_flight(a->vf) == 0) { /* a VF the engine may use */
		ULONG want = r->filter;

		if (r->n_mcast > 32 && (r->filter & 0x02))
			want |= 0x04; /* all-multicast */
		if (r->have_filter && emu_packet_filter(a->vf) != want)
			return fail(r, "the VF's packet filter is not the standby's");
		if (r->have_mcast &&
		    emu_multicast_count(a->vf) != (r->n_mcast > 32 ? 0 : r->n_mcast))
			return fail(r, "the VF's multicast list is not the standby's");
	}
	return check_statistics(r, a);
}

static int run_one(unsigned long long seed)
{
	struct run r = { .seed = seed };
	long nbls = emu_live_nbls(), allocations = emu_live_allocations();
	int rc = 0;

	rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
	r.violations = emu_violations();
	if (emu_load_driver() != STATUS_SUCCESS)
		return fail(&r, "DriverEntry failed");
	r.sb = emu_adapter_new("virtio0", MAC_A, EMU_STANDBY);
	r.sb_mtu = 1500;
	r.foreign = emu_adapter_new("nic0", MAC_A, EMU_VF); /* offered at each re-enumeration */
	emu_adapter_set_pci(r.foreign, 0x10ec, 0x8168);
	emu_filter_attach(r.sb);
	for (r.step = 0; r.step < STEPS && !rc; r.step++) {
		step(&r);
		rc = check(&r);
	}
	release_all(&r);
	for (int i = 0; i < SLOTS; i++)
		if (r.slot[i].vf)
			unplug(&r, &r.slot[i], FALSE);
	if (emu_filter_pause(r.sb) == NDIS_STATUS_SUCCESS)
		emu_filter_detach(r.sb);
	else if (!rc)
		rc = fail(&r, "the final pause did not complete");
	emu_unload_driver();
	emu_adapter_free(r.sb);
	emu_adapter_free(r.foreign);
	snprintf(r.what, sizeof(r.what), "the end");
	if (!rc && emu_violations() != r.violations)
		rc = fail(&r, "an NDIS rule was broken at teardown (above)");
	if (!rc && (emu_live_nbls() != nbls || emu_live_allocations() != allocations))
		rc = fail(&r, "NBLs or memory left after unload");
	return rc;
}

int main(void)
{
	const char *seed = getenv("SFO_SEED"), *runs_env = getenv("SFO_RANDOM_RUNS");
	unsigned long long first = seed ? strtoull(seed, NULL, 10) : 1;
	unsigned long runs = seed ? 1 : runs_env ? strtoul(runs_env, NULL, 10) : 500;
	unsigned long failed = 0;

	printf("1..1\n");
	for (unsigned long i = 0; i < runs; i++)
		if (run_one(first + i))
			failed++;
	printf("%s 1 - %lu seeded sequences of %d steps, invariants after every step (%lu failed)\n",
	       failed ? "not ok" : "ok", runs, STEPS, failed);
	return failed != 0;
}
