// SPDX-License-Identifier: BSD-2-Clause
/*
 * sriovfo.sys's sources on the NDIS emulation from several threads at once,
 * as on Windows, with two standbys each with its VFs: two threads send on
 * the standbys (the stack's sends), two receive (on the standbys and on
 * whichever VFs are plugged), at full speed,
 * and one asks the driver's control device for the pairs, adapters and
 * events (as sriov-failover.exe status does),
 * while this thread runs seeded PnP events: a VF plugged (the second one a
 * spare; its open pended or not), unplugged in order or by surprise (its
 * close pended or not), its binding paused and
 * restarted, its link flapped, its sends and OIDs held, the filter paused
 * and restarted, the stack holding receives, release and resume through the
 * engine (the control path), receive settings changed, statistics asked,
 * the standby's link flapped, the filter detached and attached again, the
 * clock advanced.
 * After the threads are joined: no NDIS rule broken (no NBL completed
 * twice or to the wrong owner, never a send on a paused or closed binding,
 * no NDIS call under the driver's lock), every send of the stack completed
 * exactly once (and successfully unless the filter was paused), nothing
 * outstanding in the driver or the emulation, the traffic where the engine
 * says, and after unload no NBL and no allocation left.
 *
 * The PnP sequence is the seed's; the threads' interleaving is not
 * reproducible. SFO_SEED=N runs one seed, SFO_THREADS_RUNS=N changes how
 * many, SFO_THREADS_MS=N how long each runs (default 700 ms).
 */
#define _GNU_SOURCE /* pthread_timedjoin_np */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu.h"
#include "emu_ctl_device.h"
#include "sriovfo.h"
#include "sriovfo_control.h"

#define SIDES	      2	  /* standbys, each with its VFs */
#define SLOTS	      2	  /* VFs of a standby: the second is a spare */
#define MAX_VFS	      256 /* plugged in one run, freed at its end */
#define SENDERS	      2
#define WORKERS	      (SENDERS + 3) /* the senders, two receivers, the control path */
#define JOIN_WAIT_S   20	    /* a thread not back by then is stuck: a deadlock */
#define PAUSE_WAIT_MS 5000

static const UCHAR MACS[SIDES][6] = { { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
				      { 0x52, 0x54, 0x00, 0x65, 0x43, 0x21 } };
static const UCHAR BROADCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* xorshift64*, as tests/test_random.c; one state per thread */
static unsigned rnd(unsigned long long *state, unsigned n)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return (unsigned)((*state * 2685821657736338717ull) >> 33) % n;
}

struct slot {
	_Atomic(struct emu_adapter *) vf; /* read by the VF receiver */
	BOOLEAN link, paused, hold_tx, hold_oids;
};

/* A standby and the VFs with its MAC. */
struct side {
	struct emu_adapter *sb;
	const UCHAR *mac;
	struct slot slot[SLOTS];
	BOOLEAN hold_rx, link_down;
};

struct run {
	unsigned long long seed, rng;
	struct side side[SIDES];
	struct emu_adapter *vfs[MAX_VFS]; /* every VF plugged, kept until the end */
	unsigned n_vfs;
	BOOLEAN filter_paused_once;
	atomic_bool stop;
	atomic_uint sent, ctl_answers, ctl_errors;
	unsigned events;
	char what[64];
};

struct worker {
	struct run *r;
	unsigned long long rng;
	int id;
};

static int fail(struct run *r, const char *why)
{
	fprintf(stderr, "SFO_SEED=%llu after %u PnP events (last: %s): %s\n", r->seed, r->events,
		r->what, why);
	return -1;
}

static void *sender(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(&w->r->stop)) {
		sched_yield(); /* pthread mutexes are not fair: no waiter starves */
		unsigned n = 1 + rnd(&w->rng, 4);

		emu_stack_send(w->r->side[rnd(&w->rng, SIDES)].sb, n);
		atomic_fetch_add(&w->r->sent, n);
	}
	return NULL;
}

/* On the standby (id 0) or on a plugged VF (id 1); unicast and broadcast,
 * with and without RESOURCES, single and in bursts. */
static void *receiver(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(&w->r->stop)) {
		sched_yield(); /* pthread mutexes are not fair: no waiter starves */
		struct side *d = &w->r->side[rnd(&w->rng, SIDES)];
		struct emu_adapter *a =
			w->id ? atomic_load(&d->slot[rnd(&w->rng, SLOTS)].vf) : d->sb;
		BOOLEAN resources = rnd(&w->rng, 2);
		UCHAR burst[4][6];

		if (!a)
			continue;
		for (int i = 0; i < 4; i++)
			memcpy(burst[i], i & 1 ? BROADCAST : d->mac, 6);
		if (rnd(&w->rng, 4) == 0)
			emu_receive_burst(a, (const UCHAR(*)[6])burst, 1 + rnd(&w->rng, 4),
					  resources);
		else
			emu_receive(a, rnd(&w->rng, 2) ? d->mac : BROADCAST, resources);
	}
	return NULL;
}

/* sriov-failover.exe's queries through the control device: each answered
 * or told there is no such entry. */
static void *controller(void *arg)
{
	struct worker *w = arg;
	struct sfo_ctl_events *ev = malloc(sizeof(*ev));
	static const ULONG codes[] = { SFO_IOCTL_PAIR, SFO_IOCTL_ADAPTER, SFO_IOCTL_EVENTS };
	static const ULONG sizes[] = { sizeof(struct sfo_ctl_pair), sizeof(struct sfo_ctl_adapter),
				       sizeof(struct sfo_ctl_events) };
	struct emu_handle *h;

	if (!ev)
		abort();
	if (emu_ctl_open(TRUE, FALSE, &h) != STATUS_SUCCESS) {
		atomic_fetch_add(&w->r->ctl_errors, 1);
		free(ev);
		return NULL;
	}
	while (!atomic_load(&w->r->stop)) {
		sched_yield(); /* pthread mutexes are not fair: no waiter starves */
		unsigned which = rnd(&w->rng, 3);
		/* an index for pairs and adapters; the events are one answer */
		struct sfo_ctl_query q = { SFO_CTL_VERSION, which == 2 ? 0 : rnd(&w->rng, 4) };
		ULONG got;
		NTSTATUS st = emu_ctl_ioctl(h, codes[which], &q, sizeof(q), ev, sizes[which], &got);

		if (st == STATUS_SUCCESS && got == sizes[which])
			atomic_fetch_add(&w->r->ctl_answers, 1);
		else if (st != SFO_CTL_ST_NO_MORE_ENTRIES)
			atomic_fetch_add(&w->r->ctl_errors, 1);
	}
	emu_ctl_close(h);
	free(ev);
	return NULL;
}

/* The engine's pair of @d's standby (its filter module's id), as a control
 * path takes it. */
static int pair_of(const struct side *d, struct sfo_pair_status *st)
{
	struct sfo_engine *eng = sfo_drv_engine_lock();
	int err = -SFO_ENOENT;
	uint32_t id = 0;

	for (struct sfo_standby *sb = sfo_drv.standbys; sb; sb = sb->next)
		if (!memcmp(sb->mac, d->mac, 6))
			id = sb->id;
	for (size_t i = 0; eng && id && err && i < sfo_engine_pair_count(eng); i++)
		if (sfo_engine_pair_status(eng, i, st) == 0 && st->standby_id == id)
			err = 0;
	sfo_drv_engine_unlock();
	return err;
}

static void release(const struct side *d, BOOLEAN release_it)
{
	struct sfo_pair_status st;
	struct sfo_engine *eng;

	if (pair_of(d, &st))
		return;
	eng = sfo_drv_engine_lock();
	if (eng && release_it)
		sfo_engine_release(eng, st.standby_id);
	else if (eng)
		sfo_engine_resume(eng, st.standby_id);
	sfo_drv_engine_unlock();
}

/* Whatever the emulation holds comes back. */
static void release_holds(struct run *r)
{
	for (int k = 0; k < SIDES; k++) {
		struct side *d = &r->side[k];

		for (int i = 0; i < SLOTS; i++) {
			struct slot *s = &d->slot[i];
			struct emu_adapter *vf = atomic_load(&s->vf);

			if (!vf)
				continue;
			s->hold_tx = s->hold_oids = FALSE;
			emu_hold_tx(vf, FALSE);
			emu_hold_oids(vf, FALSE);
			emu_complete_oids(vf);
		}
		d->hold_rx = FALSE;
		emu_stack_hold_rx(d->sb, FALSE);
		emu_stack_return(d->sb);
	}
}

/* With @pend, NdisCloseAdapterEx pends (the unplug completes it), and so
 * does the open of the spare the unplug offers again (completed here). */
static void unplug(struct run *r, struct slot *s, BOOLEAN surprise, BOOLEAN pend)
{
	struct emu_adapter *vf = atomic_load(&s->vf);

	atomic_store(&s->vf, NULL);
	emu_pend_open_close(pend);
	emu_unplug(vf, surprise); /* the spare, if any, is offered again */
	emu_pend_open_close(FALSE);
	for (int k = 0; k < SIDES; k++)
		for (int i = 0; i < SLOTS; i++) {
			struct emu_adapter *spare = atomic_load(&r->side[k].slot[i].vf);

			if (spare && emu_open_pending(spare))
				emu_complete_open(spare, NDIS_STATUS_SUCCESS);
		}
}

static int pnp_event(struct run *r)
{
	struct side *d = &r->side[rnd(&r->rng, SIDES)];
	struct slot *s = &d->slot[rnd(&r->rng, SLOTS)];
	struct emu_adapter *vf = atomic_load(&s->vf);
	unsigned n;

	/* the stack has one request out at a time (a query may pend on the VF's) */
	BOOLEAN oid_busy = emu_stack_oid_pending(d->sb);

	switch (rnd(&r->rng, 16)) {
	case 0:
	case 1:
		snprintf(r->what, sizeof(r->what), "plug a VF");
		if (vf || r->n_vfs == MAX_VFS)
			break;
		vf = emu_adapter_new("vf", d->mac, EMU_VF);
		r->vfs[r->n_vfs++] = vf;
		s->link = TRUE;
		s->paused = s->hold_tx = s->hold_oids = FALSE;
		atomic_store(&s->vf, vf);
		n = rnd(&r->rng, 2); /* its open pends, completed at once */
		emu_pend_open_close((BOOLEAN)n);
		if (emu_offer(vf) == NDIS_STATUS_PENDING) /* not for a refused spare */
			emu_complete_open(vf, NDIS_STATUS_SUCCESS);
		emu_pend_open_close(FALSE);
		break;
	case 2:
		n = rnd(&r->rng, 2);
		snprintf(r->what, sizeof(r->what), "unplug a VF%s", n ? " by surprise" : "");
		if (vf)
			unplug(r, s, (BOOLEAN)n, rnd(&r->rng, 2));
		break;
	case 3:
		snprintf(r->what, sizeof(r->what), "VF link flip");
		if (vf)
			emu_link(vf, s->link = !s->link);
		break;
	case 4:
		snprintf(r->what, sizeof(r->what), "VF binding pause/restart");
		if (!vf || !emu_bound(vf))
			break;
		if (s->paused)
			emu_binding_restart(vf);
		else
			emu_binding_pause(vf);
		s->paused = !s->paused;
		break;
	case 5:
		snprintf(r->what, sizeof(r->what), "hold/release VF sends");
		if (vf)
			emu_hold_tx(vf, s->hold_tx = !s->hold_tx);
		break;
	case 6:
		snprintf(r->what, sizeof(r->what), "hold/complete VF OIDs");
		if (!vf)
			break;
		emu_hold_oids(vf, s->hold_oids = !s->hold_oids);
		if (!s->hold_oids)
			emu_complete_oids(vf);
		break;
	case 7:
		snprintf(r->what, sizeof(r->what), "filter pause and restart");
		r->filter_paused_once = TRUE;
		if (emu_filter_pause(d->sb) == NDIS_STATUS_PENDING)
			release_holds(r); /* what it waits for comes back */
		if (!emu_filter_wait_paused(d->sb, PAUSE_WAIT_MS))
			return fail(r, "the filter's pause never completed");
		emu_filter_restart(d->sb);
		break;
	case 8:
		snprintf(r->what, sizeof(r->what), "stack holds/returns receives");
		emu_stack_hold_rx(d->sb, d->hold_rx = !d->hold_rx);
		if (!d->hold_rx)
			emu_stack_return(d->sb);
		break;
	case 9:
		n = rnd(&r->rng, 2);
		snprintf(r->what, sizeof(r->what), "%s through the engine",
			 n ? "release" : "resume");
		release(d, (BOOLEAN)n);
		break;
	case 10:
		snprintf(r->what, sizeof(r->what), "packet filter");
		if (!oid_busy)
			emu_stack_set_packet_filter(d->sb, 1 + rnd(&r->rng, 0x2f));
		break;
	case 11:
		snprintf(r->what, sizeof(r->what), "multicast list");
		if (!oid_busy)
			emu_stack_set_multicast(d->sb, rnd(&r->rng, 40));
		break;
	case 13:
		snprintf(r->what, sizeof(r->what), "statistics");
		if (!oid_busy)
			emu_stack_query_statistics(d->sb);
		break;
	case 15:
		snprintf(r->what, sizeof(r->what), "filter detached and attached again");
		r->filter_paused_once = TRUE;
		if (emu_filter_pause(d->sb) == NDIS_STATUS_PENDING)
			release_holds(r);
		if (!emu_filter_wait_paused(d->sb, PAUSE_WAIT_MS))
			return fail(r, "the filter's pause never completed");
		release_holds(r); /* NDIS detaches once the stack's request is done */
		if (emu_stack_oid_pending(d->sb))
			return fail(r, "the stack's request never completed");
		emu_filter_detach(d->sb);
		emu_filter_attach(d->sb);
		break;
	case 14:
		snprintf(r->what, sizeof(r->what), "standby link flip");
		emu_link(d->sb, d->link_down);
		d->link_down = !d->link_down;
		break;
	case 12:
		n = rnd(&r->rng, 3000);
		snprintf(r->what, sizeof(r->what), "clock +%u ms", n);
		emu_advance_ms(n);
		break;
	}
	r->events++;
	return 0;
}

/* Nothing of the driver's out: its counts, the emulation's. */
static int check_quiet(struct run *r)
{
	long out = 0;

	NdisAcquireSpinLock(&sfo_drv.lock);
	for (struct sfo_standby *sb = sfo_drv.standbys; sb; sb = sb->next)
		out += sb->outstanding;
	for (struct sfo_vf *vf = sfo_drv.vfs; vf; vf = vf->next)
		out += vf->outstanding;
	NdisReleaseSpinLock(&sfo_drv.lock);
	if (out)
		return fail(r, "the driver counts clones or OIDs still out");
	for (int k = 0; k < SIDES; k++) {
		if (emu_rx_outstanding(r->side[k].sb))
			return fail(r, "a standby has receives not returned");
		if (emu_stack_oid_pending(r->side[k].sb))
			return fail(r, "the stack's request never completed");
	}
	for (unsigned i = 0; i < r->n_vfs; i++)
		if (emu_tx_in_flight(r->vfs[i]) || emu_rx_outstanding(r->vfs[i]) ||
		    emu_oids_in_flight(r->vfs[i]))
			return fail(r, "a VF has sends, receives or OIDs out");
	return 0;
}

/* Once quiet, the traffic goes where the engine's pair says. */
static int check_path(struct run *r, const struct side *d)
{
	struct sfo_pair_status st;
	struct emu_adapter *path = d->sb;
	unsigned before;

	if (pair_of(d, &st))
		return fail(r, "the engine has no pair for a standby");
	for (int i = 0; i < SLOTS && st.state == SFO_PAIR_ACTIVE; i++) {
		struct emu_adapter *vf = atomic_load(&d->slot[i].vf);

		if (vf && emu_bound(vf))
			path = vf;
	}
	if (st.state == SFO_PAIR_ACTIVE && path == d->sb)
		return fail(r, "the engine's pair is ACTIVE with no VF bound");
	before = emu_tx_frames(path);
	emu_stack_send(d->sb, 1);
	atomic_fetch_add(&r->sent, 1);
	if (emu_tx_frames(path) != before + 1)
		return fail(r, "a send did not go where the engine steers");
	return 0;
}

static int run_one(unsigned long long seed, unsigned ms)
{
	struct run *r = calloc(1, sizeof(*r));
	struct worker w[WORKERS];
	pthread_t t[WORKERS];
	long nbls = emu_live_nbls(), allocations = emu_live_allocations();
	int violations = emu_violations(), rc = 0;
	struct timespec start, now;

	if (!r)
		abort();
	r->seed = seed;
	r->rng = seed * 0x9E3779B97F4A7C15ull + 1;
	snprintf(r->what, sizeof(r->what), "none");
	if (emu_load_driver() != STATUS_SUCCESS) {
		rc = fail(r, "DriverEntry failed");
		free(r);
		return rc;
	}
	for (int k = 0; k < SIDES; k++) {
		r->side[k].mac = MACS[k];
		r->side[k].sb = emu_adapter_new(k ? "virtio1" : "virtio0", MACS[k], EMU_STANDBY);
		emu_filter_attach(r->side[k].sb);
	}
	for (int i = 0; i < WORKERS; i++) {
		void *(*fn)(void *) = i < SENDERS	? sender
				      : i < SENDERS + 2 ? receiver
							: controller;

		w[i].r = r;
		w[i].rng = (seed + 1) * 0x9E3779B97F4A7C15ull + (unsigned long long)i * 7919 + 1;
		w[i].id = i - SENDERS;
		if (pthread_create(&t[i], NULL, fn, &w[i]))
			abort();
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		rc = pnp_event(r);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (!rc &&
		 (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 <
			 (long)ms);
	atomic_store(&r->stop, TRUE);
	for (int i = 0; i < WORKERS; i++) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += JOIN_WAIT_S;
		if (pthread_timedjoin_np(t[i], NULL, &until)) {
			fail(r, "a thread is stuck (a deadlock?)");
			exit(1);
		}
	}
	snprintf(r->what, sizeof(r->what), "the threads joined");
	release_holds(r);
	for (int k = 0; k < SIDES; k++)
		if (r->side[k].link_down)
			emu_link(r->side[k].sb, TRUE);
	if (!rc && emu_violations() != violations)
		rc = fail(r, "an NDIS rule was broken (above)");
	if (!rc && (atomic_load(&r->ctl_errors) || !atomic_load(&r->ctl_answers)))
		rc = fail(r, "a control device query failed, or none was answered");
	if (!rc && emu_ctl_handles())
		rc = fail(r, "a control device handle is left open");
	if (!rc)
		rc = check_quiet(r);
	if (!rc) {
		unsigned ok = 0, failed = 0;

		for (int k = 0; k < SIDES; k++) {
			ok += emu_stack_sent_ok(r->side[k].sb);
			failed += emu_stack_sent_failed(r->side[k].sb);
		}
		if (ok + failed != atomic_load(&r->sent))
			rc = fail(r, "a send of the stack was not completed exactly once");
		else if (!r->filter_paused_once && failed)
			rc = fail(r, "a send failed with the filter running");
	}
	for (int k = 0; k < SIDES && !rc; k++)
		rc = check_path(r, &r->side[k]);
	for (int k = 0; k < SIDES; k++)
		for (int i = 0; i < SLOTS; i++)
			if (atomic_load(&r->side[k].slot[i].vf))
				unplug(r, &r->side[k].slot[i], FALSE, FALSE);
	snprintf(r->what, sizeof(r->what), "the end");
	for (int k = 0; k < SIDES; k++) {
		if (emu_filter_pause(r->side[k].sb) == NDIS_STATUS_SUCCESS)
			emu_filter_detach(r->side[k].sb);
		else if (!rc)
			rc = fail(r, "the final pause did not complete");
	}
	emu_unload_driver();
	for (int k = 0; k < SIDES; k++)
		emu_adapter_free(r->side[k].sb);
	for (unsigned i = 0; i < r->n_vfs; i++)
		emu_adapter_free(r->vfs[i]);
	if (!rc && emu_violations() != violations)
		rc = fail(r, "an NDIS rule was broken at teardown (above)");
	if (!rc && (emu_live_nbls() != nbls || emu_live_allocations() != allocations))
		rc = fail(r, "NBLs or memory left after unload");
	printf("# seed %llu: %u PnP events, %u sends%s\n", seed, r->events, atomic_load(&r->sent),
	       rc ? " FAILED" : "");
	free(r);
	return rc;
}

int main(void)
{
	const char *seed = getenv("SFO_SEED"), *runs_env = getenv("SFO_THREADS_RUNS");
	const char *ms_env = getenv("SFO_THREADS_MS");
	unsigned long long first = seed ? strtoull(seed, NULL, 10) : 1;
	unsigned long runs = seed ? 1 : runs_env ? strtoul(runs_env, NULL, 10) : 4;
	unsigned ms = ms_env ? (unsigned)strtoul(ms_env, NULL, 10) : 700;
	unsigned long failed = 0;

	printf("1..1\n");
	for (unsigned long i = 0; i < runs; i++)
		if (run_one(first + i, ms))
			failed++;
	printf("%s 1 - %lu seeds of %u ms: %d senders, 2 receivers, a control path, PnP events "
	       "meanwhile (%lu failed)\n",
	       failed ? "not ok" : "ok", runs, ms, SENDERS, failed);
	return failed != 0;
}
