// SPDX-License-Identifier: BSD-2-Clause
/*
 * The state machine of one pair: a standby and, when there is one, its VF.
 *
 * It is level-triggered: every event ends in sfo_pair_reconcile(), which looks
 * at the facts (is there a VF, is it held, up, with carrier, does it carry
 * the standby's settings) and brings the datapath in line. The story of a
 * VF reads top to bottom: it arrives and is held (vf_prepare), takes the
 * standby's MTU, is brought up, takes its RX mode, and once it has carrier
 * and the path through it is proven (a probe answered through it) the
 * datapath moves to it (only then does it take the standby's offloads:
 * nothing slow stands before the switch); when it loses carrier, goes down
 * or is released, the datapath moves back to the standby before anything
 * else, and when it leaves it is given back (vf_release) and a spare may
 * take its place.
 */
#include "core.h"

#define NS_PER_MS      1000000ull
#define STEER_RETRY_NS (100 * NS_PER_MS)

struct pair *sfo_pair_new(struct sfo_engine *e, struct adapter *standby)
{
	struct pair *p = sfo_edge_alloc(e, sizeof(*p));
	struct sfo_vf_tally t;

	if (!p)
		return NULL;
	p->standby = standby;
	p->state = SFO_PAIR_NO_VF;
	p->since_ns = p->datapath_since = sfo_edge_now(e);
	sfo_fmt(p->reason, sizeof(p->reason), "standby appeared");
	p->want_promisc = standby->info.flags & SFO_AF_PROMISC;
	p->want_allmulti = standby->info.flags & SFO_AF_ALLMULTI;
	sfo_ctr_track_init(&p->ctr_standby, true); /* the stack's counters since boot */
	sfo_ctr_track_init(&p->ctr_vf, false);	   /* a VF counts from when we hold it */
	if (sfo_restore_take_tally(e, standby->info.id, &t)) {
		/* an earlier daemon's (or pair's) count goes on */
		memcpy(p->ctr_vf.total, t.total, sizeof(p->ctr_vf.total));
		p->resume_vf = t.vf_id;
		memcpy(p->resume_last, t.last, sizeof(p->resume_last));
		p->tally_unsaved = true;
	}
	sfo_pair_resolve_options(e, p);
	return p;
}

void sfo_pair_resolve_options(struct sfo_engine *e, struct pair *p)
{
	const struct sfo_config *cfg = e->cfg;
	const struct sfo_standby_options *o = sfo_config_standby(cfg, p->standby->info.name);

	p->announce_count = cfg->announce_count;
	p->announce_interval_ms = cfg->announce_interval_ms;
	p->bringup_delay_ms = cfg->bringup_delay_ms;
	p->probe_path = cfg->probe_path;
	p->probe_interval_ms = cfg->probe_interval_ms;
	p->probe_timeout_ms = cfg->probe_timeout_ms;
	if (!o)
		return;
	if (o->announce_count >= 0)
		p->announce_count = (unsigned int)o->announce_count;
	if (o->announce_interval_ms >= 0)
		p->announce_interval_ms = (unsigned int)o->announce_interval_ms;
	if (o->bringup_delay_ms >= 0)
		p->bringup_delay_ms = (unsigned int)o->bringup_delay_ms;
	if (o->probe_path >= 0)
		p->probe_path = o->probe_path;
	if (o->probe_interval_ms >= 0)
		p->probe_interval_ms = (unsigned int)o->probe_interval_ms;
	if (o->probe_timeout_ms >= 0)
		p->probe_timeout_ms = (unsigned int)o->probe_timeout_ms;
}

static const char *sby_name(const struct pair *p)
{
	return p->standby->info.name;
}

/* A transition into the event ring and the log. */
static void pair_record(struct sfo_engine *e, struct pair *p, enum sfo_pair_state to,
			const char *reason)
{
	struct sfo_event ev = { 0 };

	ev.ts_ns = sfo_edge_now(e);
	ev.standby_id = p->standby->info.id;
	ev.vf_id = p->vf ? p->vf->info.id : 0;
	ev.from = p->state;
	ev.to = to;
	sfo_fmt(ev.standby_name, sizeof(ev.standby_name), "%s", sby_name(p));
	sfo_fmt(ev.reason, sizeof(ev.reason), "%s", reason);
	sfo_event_ring_push(&e->ring, &ev);
	sfo_edge_log(e, to == SFO_PAIR_UNUSABLE ? SFO_LOG_WARN : SFO_LOG_INFO, "%s: %s -> %s (%s)",
		     sby_name(p), sfo_pair_state_name(p->state), sfo_pair_state_name(to), reason);
	p->state = to;
	p->since_ns = ev.ts_ns;
	sfo_fmt(p->reason, sizeof(p->reason), "%s", reason);
}

static void pair_set_state(struct sfo_engine *e, struct pair *p, enum sfo_pair_state to,
			   const char *reason)
{
	if (p->state == to) {
		/* a new failure replaces the old one; a probe count goes on */
		if (to == SFO_PAIR_UNUSABLE || to == SFO_PAIR_PROBING)
			sfo_fmt(p->reason, sizeof(p->reason), "%s", reason);
		return;
	}
	pair_record(e, p, to, reason);
}

/* --- announcements: tell the network where the MAC lives after a switch --- */

static void pair_announce_due(struct sfo_engine *e, struct pair *p)
{
	uint64_t now = sfo_edge_now(e);

	if (!p->announce_left || now < p->announce_at)
		return;
	e->ops->announce(e->ctx, p->standby->info.id);
	p->announce_left--;
	p->announce_at = now + p->announce_interval_ms * NS_PER_MS;
}

static void pair_schedule_announce(struct sfo_engine *e, struct pair *p)
{
	if (!(p->standby->info.flags & SFO_AF_UP))
		return;
	p->announce_left = p->announce_count;
	p->announce_at = 0;
	pair_announce_due(e, p);
}

/* --- steering: the only place the datapath moves --- */

static void pair_account_time(struct sfo_engine *e, struct pair *p)
{
	uint64_t now = sfo_edge_now(e);
	uint64_t spent = now - p->datapath_since;

	if (p->datapath)
		p->fo.ns_on_vf += spent;
	else
		p->fo.ns_on_standby += spent;
	p->datapath_since = now;
}

/* Move the datapath to @to (a VF id, or 0 for the standby). Steering to the
 * standby is the safe direction: if the edge fails it, retry on a timer. */
static int pair_steer(struct sfo_engine *e, struct pair *p, uint32_t to, const char *why)
{
	int err;

	if (p->datapath == to && !p->steer_retry)
		return 0;
	if (!p->attached)
		return to ? -SFO_ENOENT : 0;
	err = e->ops->steer(e->ctx, p->standby->info.id, to);
	if (err) {
		sfo_edge_log(e, SFO_LOG_ERR, "%s: cannot steer datapath to %s: error %d",
			     sby_name(p), to ? p->vf->info.name : "standby", err);
		if (!to)
			p->steer_retry = true;
		return to ? err : 0;
	}
	p->steer_retry = false;
	if (p->datapath == to)
		return 0;
	pair_account_time(e, p);
	p->datapath = to;
	if (to)
		p->fo.to_vf++;
	else
		p->fo.to_standby++;
	sfo_fmt(p->fo.last_switch_reason, sizeof(p->fo.last_switch_reason), "%s", why);
	pair_schedule_announce(e, p);
	return 0;
}

/* --- propagation of the standby's settings to the VF --- */

static bool pair_propagate_mtu(struct sfo_engine *e, struct pair *p, struct adapter *vf, char *cond,
			       size_t len)
{
	uint32_t want = p->standby->info.mtu, had = vf->info.mtu;
	int err, rb;

	if (had == want)
		return true;
	if (vf->refused_mtu == want) {
		sfo_fmt(cond, len, "%s", vf->refusal);
		return false;
	}
	if (vf->info.max_mtu && want > vf->info.max_mtu) {
		vf->refused_mtu = want;
		sfo_fmt(vf->refusal, sizeof(vf->refusal), "%s refused MTU %u: its maximum is %u",
			vf->info.name, want, vf->info.max_mtu);
		sfo_fmt(cond, len, "%s", vf->refusal);
		return false;
	}
	err = e->ops->vf_set_mtu(e->ctx, vf->info.id, want);
	if (!err) {
		vf->info.mtu = want;
		return true;
	}
	vf->refused_mtu = want;
	/* Never leave the VF half-changed: put back the MTU it had. */
	rb = e->ops->vf_set_mtu(e->ctx, vf->info.id, had);
	sfo_fmt(vf->refusal, sizeof(vf->refusal), "%s refused MTU %u (error %d), %s %u",
		vf->info.name, want, err, rb ? "could not restore" : "kept", had);
	sfo_fmt(cond, len, "%s", vf->refusal);
	return false;
}

static bool rx_mode_applied(const struct pair *p, const struct adapter *vf)
{
	return vf->rx_applied && vf->rx_promisc == p->want_promisc &&
	       vf->rx_allmulti == p->want_allmulti && vf->rx_mc_count == p->want_mc_count &&
	       (!p->want_mc_count ||
		memcmp(vf->rx_mc, p->want_mc, p->want_mc_count * SFO_MAC_LEN) == 0);
}

/* A VF that refuses an RX mode still carries traffic; the refusal is logged
 * once and retried on the next change. */
static void pair_propagate_rx_mode(struct sfo_engine *e, struct pair *p, struct adapter *vf)
{
	struct sfo_rx_mode m = { p->want_promisc, p->want_allmulti, p->want_mc_count,
				 (const uint8_t(*)[SFO_MAC_LEN])p->want_mc };
	uint8_t(*copy)[SFO_MAC_LEN] = NULL;
	int err;

	if (rx_mode_applied(p, vf))
		return;
	if (p->want_mc_count) {
		copy = sfo_edge_alloc(e, p->want_mc_count * SFO_MAC_LEN);
		if (!copy)
			return;
		memcpy(copy, p->want_mc, p->want_mc_count * SFO_MAC_LEN);
	}
	err = e->ops->vf_set_rx_mode(e->ctx, vf->info.id, &m);
	if (err) {
		sfo_edge_free(e, copy);
		if (!vf->rx_failed)
			sfo_edge_log(
				e, SFO_LOG_WARN,
				"%s: %s refused RX mode (promisc %d, allmulti %d, %zu multicast): error %d",
				sby_name(p), vf->info.name, p->want_promisc, p->want_allmulti,
				p->want_mc_count, err);
		vf->rx_failed = true;
		return;
	}
	sfo_edge_free(e, vf->rx_mc);
	vf->rx_mc = copy;
	vf->rx_mc_count = p->want_mc_count;
	vf->rx_promisc = p->want_promisc;
	vf->rx_allmulti = p->want_allmulti;
	vf->rx_applied = true;
	vf->rx_failed = false;
}

/* The VF gets what the stack asked of the standby, trimmed to what the VF
 * supports. An edge that cannot tell what a VF supports reports 0: then the
 * VF keeps its own offloads rather than losing them all. */
static void pair_propagate_offloads(struct sfo_engine *e, struct pair *p, struct adapter *vf)
{
	uint32_t want = p->offloads_known ? p->want_offloads : p->standby->info.offloads_active;
	int err;

	if (!vf->info.offloads_supported)
		return;
	want &= vf->info.offloads_supported;
	if (vf->off_applied && vf->off_value == want)
		return;
	err = e->ops->vf_set_offloads(e->ctx, vf->info.id, want);
	if (err) {
		if (!vf->off_failed)
			sfo_edge_log(e, SFO_LOG_WARN, "%s: %s refused offloads 0x%x: error %d",
				     sby_name(p), vf->info.name, want, err);
		vf->off_failed = true;
		return;
	}
	vf->off_applied = true;
	vf->off_value = want;
	vf->off_failed = false;
}

void sfo_pair_set_rx_mode(struct sfo_engine *e, struct pair *p, const struct sfo_rx_mode *m)
{
	uint8_t(*list)[SFO_MAC_LEN] = NULL;

	if (m->mc_count) {
		list = sfo_edge_alloc(e, m->mc_count * SFO_MAC_LEN);
		if (!list) {
			sfo_edge_log(e, SFO_LOG_ERR,
				     "%s: multicast list of %zu dropped: out of memory",
				     sby_name(p), m->mc_count);
			return;
		}
		memcpy(list, m->mc_list, m->mc_count * SFO_MAC_LEN);
	}
	sfo_edge_free(e, p->want_mc);
	p->want_mc = list;
	p->want_mc_count = m->mc_count;
	p->want_promisc = m->promisc;
	p->want_allmulti = m->allmulti;
}

/* --- proving the path through a ready VF before traffic goes there --- */

/* Stop listening for answers; what was proven stays proven. */
static void pair_probe_stop(struct sfo_engine *e, struct pair *p)
{
	if (!p->probing_vf)
		return;
	if (e->ops->probe_stop)
		e->ops->probe_stop(e->ctx, p->standby->info.id, p->probing_vf);
	p->probing_vf = 0;
}

/* The VF's ready spell ended (no VF, no carrier, down, leaving...): the
 * next spell proves its path afresh. */
static void pair_probe_forget(struct sfo_engine *e, struct pair *p)
{
	pair_probe_stop(e, p);
	p->path_proven = false;
	p->probe_since = p->probe_next = 0;
	p->probes = 0;
}

/* After the @probes-th probe: 1, 2, 4... ms up to probe-interval-ms, so that a
 * port that forwards a few milliseconds after carrier (a bridge port's
 * state follows the carrier through a work queue) costs milliseconds. */
static uint64_t probe_gap_ms(const struct pair *p, bool fast)
{
	uint64_t gap = 1;

	if (!fast)
		return SFO_PROBE_SLOW_MS;
	for (unsigned int i = 1; i < p->probes && gap < p->probe_interval_ms; i++)
		gap *= 2;
	return gap < p->probe_interval_ms ? gap : p->probe_interval_ms;
}

/*
 * The VF is ready: serve if the path through it is proven, else probe it.
 * A probe goes out at growing gaps up to probe-interval-ms for
 * probe-timeout-ms (PROBING),
 * then one every SFO_PROBE_SLOW_MS while the pair stays on the standby
 * (FALLBACK): a VF whose host port never forwards must not take the
 * traffic, and one whose port forwards late is used once it does. With no
 * neighbour to probe the VF serves unproven: a guest that knows nobody
 * would otherwise stay on the standby forever.
 */
static enum sfo_pair_state pair_prove(struct sfo_engine *e, struct pair *p, struct adapter *vf,
				      char *cond, size_t len)
{
	uint64_t now, timeout_ns = p->probe_timeout_ms * NS_PER_MS;
	int err;

	/* proven, not to be probed, or serving already (probing turned on by
	 * a reload): a probe under way (probing turned off) ends */
	if (p->path_proven || !p->probe_path || !e->ops->probe_path || p->datapath == vf->info.id) {
		pair_probe_stop(e, p);
		return SFO_PAIR_ACTIVE;
	}
	if (sfo_restore_take_steering(e, vf->info.id)) {
		sfo_edge_log(e, SFO_LOG_INFO, "%s: %s keeps serving (it served before a restart)",
			     sby_name(p), vf->info.name);
		p->path_proven = true;
		return SFO_PAIR_ACTIVE;
	}
	now = sfo_edge_now(e);
	if (!p->probe_since)
		p->probe_since = p->probe_next = now;
	if (now >= p->probe_next) {
		err = e->ops->probe_path(e->ctx, p->standby->info.id, vf->info.id);
		if (err == -SFO_ENOENT) {
			pair_probe_stop(e, p);
			p->path_proven = true;
			p->fo.unproven++;
			sfo_fmt(cond, len,
				"no neighbour known to prove the path through %s: used unproven",
				vf->info.name);
			return SFO_PAIR_ACTIVE;
		}
		p->probing_vf = vf->info.id; /* also after a failed send: the next one may work */
		p->probes++;
		p->fo.probes++;
		if (err)
			sfo_edge_log(e, SFO_LOG_WARN,
				     "%s: cannot probe the path through %s: error %d", sby_name(p),
				     vf->info.name, err);
		p->probe_next =
			now + probe_gap_ms(p, now - p->probe_since < timeout_ns) * NS_PER_MS;
	}
	if (now - p->probe_since < timeout_ns) {
		sfo_fmt(cond, len, "waiting for the path through %s (%u probe%s sent)",
			vf->info.name, p->probes, p->probes == 1 ? "" : "s");
		return SFO_PAIR_PROBING;
	}
	if (p->state == SFO_PAIR_PROBING)
		p->fo.probe_timeouts++;
	sfo_fmt(cond, len, "no answer through %s in %u ms; probing every %u ms", vf->info.name,
		p->probe_timeout_ms, SFO_PROBE_SLOW_MS);
	return SFO_PAIR_FALLBACK;
}

void sfo_pair_path_proven(struct sfo_engine *e, struct pair *p, uint32_t vf_id, const char *detail)
{
	char why[SFO_REASON_MAX];

	if (!p->vf || p->probing_vf != vf_id || p->vf->info.id != vf_id)
		return; /* not waiting for it: a late answer of an earlier spell */
	pair_probe_stop(e, p);
	p->path_proven = true;
	sfo_fmt(why, sizeof(why), "path through %s proven%s%s", p->vf->info.name,
		detail ? ": " : "", detail ? detail : "");
	sfo_pair_reconcile(e, p, why);
}

/* --- a VF arrives, is held, and serves --- */

void sfo_pair_vf_counted(struct sfo_engine *e, struct pair *p, struct adapter *vf,
			 const struct sfo_counters *c)
{
	struct sfo_vf_tally t;

	/* After a restart the first reading decides: the same VF as in the
	 * restored tally counts on from its last reading, another starts here. */
	if (p->resume_vf && !p->ctr_vf.have_last && p->resume_vf == vf->info.id)
		sfo_ctr_track_resume(&p->ctr_vf, p->resume_last);
	p->resume_vf = 0;
	sfo_ctr_track_sample(&p->ctr_vf, c);
	if (!e->ops->vf_tally)
		return;
	t.vf_id = vf->info.id;
	memcpy(t.last, p->ctr_vf.last, sizeof(t.last));
	memcpy(t.total, p->ctr_vf.total, sizeof(t.total));
	e->ops->vf_tally(e->ctx, p->standby->info.id, &t);
}

/* A tally taken over from before (sfo_pair_new) goes to the edge as soon as the
 * pair has a datapath to keep it with: the edge's copy went with the last
 * one, and a restart before the next VF reading must not lose it. */
static void pair_save_tally(struct sfo_engine *e, struct pair *p)
{
	struct sfo_vf_tally t;

	p->tally_unsaved = false;
	if (!e->ops->vf_tally)
		return;
	t.vf_id = p->resume_vf;
	memcpy(t.last, p->resume_last, sizeof(t.last));
	memcpy(t.total, p->ctr_vf.total, sizeof(t.total));
	e->ops->vf_tally(e->ctx, p->standby->info.id, &t);
}

static void vf_sample_counters(struct sfo_engine *e, struct pair *p, struct adapter *vf)
{
	struct sfo_counters c;

	if (e->ops->read_counters(e->ctx, vf->info.id, &c) == 0)
		sfo_pair_vf_counted(e, p, vf, &c);
}

static int vf_prepare(struct sfo_engine *e, struct pair *p, struct adapter *vf)
{
	int err;

	if (vf->prepared)
		return 0;
	if (vf->prepare_err)
		return vf->prepare_err;
	err = e->ops->vf_prepare(e->ctx, p->standby->info.id, vf->info.id);
	if (err) {
		vf->prepare_err = err;
		return err;
	}
	vf->prepared = true;
	vf->orig_mtu = vf->info.mtu;
	return 0;
}

static void promote_spare(struct sfo_engine *e, struct pair *p)
{
	for (size_t i = 0; i < e->n_adapters; i++) {
		struct adapter *a = e->adapters[i];

		if (a->role == SFO_ROLE_SPARE && a->pair == p) {
			a->role = SFO_ROLE_VF;
			sfo_fmt(a->reason, sizeof(a->reason), "VF of %s (was spare)", sby_name(p));
			p->vf = a;
			sfo_ctr_track_restart(&p->ctr_vf);
			sfo_edge_log(e, SFO_LOG_INFO, "%s: spare %s takes over as VF", sby_name(p),
				     a->info.name);
			return;
		}
	}
}

/*
 * Decide where the pair should be, doing the steps a VF needs on its way to
 * serving. Writes the cause into @cond when the answer is UNUSABLE.
 */
static enum sfo_pair_state pair_evaluate(struct sfo_engine *e, struct pair *p, char *cond,
					 size_t len)
{
	uint64_t ready_at = p->ready_at;
	struct adapter *vf;
	uint64_t now;
	int err;

	p->ready_at = 0; /* kept below only while the bring-up delay runs */
	if (!p->attached) {
		err = e->ops->datapath_attach(e->ctx, p->standby->info.id);
		if (err) {
			sfo_fmt(cond, len, "cannot attach datapath to %s: error %d", sby_name(p),
				err);
			return p->vf ? SFO_PAIR_UNUSABLE : SFO_PAIR_NO_VF;
		}
		p->attached = true;
		if (p->tally_unsaved)
			pair_save_tally(e, p);
	}
	if (!p->vf)
		promote_spare(e, p);
	vf = p->vf;
	if (!vf)
		return SFO_PAIR_NO_VF;

	err = vf_prepare(e, p, vf);
	if (err) {
		sfo_fmt(cond, len, "cannot take hold of %s: error %d", vf->info.name, err);
		return SFO_PAIR_UNUSABLE;
	}
	if (!p->ctr_vf.have_last)
		vf_sample_counters(e, p, vf); /* baseline: count from now on */

	if (!p->held && sfo_restore_take_release(e, vf->info.id)) {
		/* the edge kept the mark: nothing to tell it */
		sfo_edge_log(e, SFO_LOG_INFO, "%s: %s stays released (released before a restart)",
			     sby_name(p), vf->info.name);
		p->held = true;
	}
	/* Leaving comes before anything else. */
	if (p->held || vf->going_down)
		return SFO_PAIR_DRAINING;
	if (vf->opened && !(vf->info.flags & SFO_AF_UP) && p->state != SFO_PAIR_BINDING)
		return SFO_PAIR_DRAINING; /* it was serving and went down: it is leaving */

	if (!pair_propagate_mtu(e, p, vf, cond, len))
		return SFO_PAIR_UNUSABLE;
	/* The RX mode before the VF is up: once up, the link comes up while we
	 * go on, and nothing should stand between its carrier and its use. */
	pair_propagate_rx_mode(e, p, vf);
	/* Up as soon as it may carry frames. Its offloads wait until it serves
	 * (sfo_pair_reconcile): frames it cannot offload are finished in
	 * software meanwhile. */
	if (!(vf->info.flags & SFO_AF_UP) && !vf->opened) {
		err = e->ops->vf_open(e->ctx, vf->info.id);
		if (err) {
			sfo_fmt(cond, len, "cannot bring %s up: error %d", vf->info.name, err);
			return SFO_PAIR_UNUSABLE;
		}
		vf->opened = true;
		if (p->probe_path && !p->path_proven && e->ops->probe_path && e->ops->probe_prepare)
			e->ops->probe_prepare(e->ctx, p->standby->info.id, vf->info.id);
	}
	if (!(vf->info.flags & SFO_AF_UP))
		return SFO_PAIR_BINDING;
	vf->opened = true; /* up, by us or already: a later "down" means leaving */
	if (!(vf->info.flags & SFO_AF_CARRIER))
		return p->state == SFO_PAIR_ACTIVE || p->state == SFO_PAIR_FALLBACK ||
				       (p->state == SFO_PAIR_PROBING && vf->served)
			       ? SFO_PAIR_FALLBACK
			       : SFO_PAIR_BINDING;
	/* the delay runs once per ready spell, before the path is probed */
	if (p->state != SFO_PAIR_ACTIVE && !p->probe_since && p->bringup_delay_ms) {
		now = sfo_edge_now(e);
		p->ready_at = ready_at ? ready_at : now + p->bringup_delay_ms * NS_PER_MS;
		if (now < p->ready_at)
			return p->state == SFO_PAIR_FALLBACK ? SFO_PAIR_FALLBACK : SFO_PAIR_BINDING;
		p->ready_at = 0;
	}
	return SFO_PAIR_ACTIVE;
}

void sfo_pair_reconcile(struct sfo_engine *e, struct pair *p, const char *why)
{
	char cond[SFO_REASON_MAX] = "";
	enum sfo_pair_state target = pair_evaluate(e, p, cond, sizeof(cond));
	int err;

	/* pair_evaluate says ACTIVE when the VF is ready to serve */
	if (target == SFO_PAIR_ACTIVE)
		target = pair_prove(e, p, p->vf, cond, sizeof(cond));
	else
		pair_probe_forget(e, p);

	if (target == SFO_PAIR_ACTIVE) {
		err = pair_steer(e, p, p->vf->info.id, why);
		if (err) {
			sfo_fmt(cond, sizeof(cond), "cannot steer to %s: error %d",
				p->vf->info.name, err);
			target = SFO_PAIR_UNUSABLE;
		}
	}
	if (target != SFO_PAIR_ACTIVE)
		pair_steer(e, p, 0, why);
	if (target == SFO_PAIR_ACTIVE && !p->vf->served) {
		p->vf->served = true;
		p->fo.vf_bound++;
	}
	/* After the steering: nothing slow stands before the switch. */
	if (target == SFO_PAIR_ACTIVE || target == SFO_PAIR_FALLBACK)
		pair_propagate_offloads(e, p, p->vf);
	pair_set_state(e, p, target, cond[0] ? cond : why);
}

void sfo_pair_add_vf(struct sfo_engine *e, struct pair *p, struct adapter *vf)
{
	char why[SFO_REASON_MAX];

	vf->pair = p;
	if (p->vf) {
		vf->role = SFO_ROLE_SPARE;
		sfo_fmt(vf->reason, sizeof(vf->reason), "spare for %s (%s is its VF)", sby_name(p),
			p->vf->info.name);
		sfo_edge_log(e, SFO_LOG_INFO, "%s: %s", vf->info.name, vf->reason);
		/* Held at once: nothing else may configure a device with our MAC. */
		if (vf_prepare(e, p, vf))
			sfo_edge_log(e, SFO_LOG_WARN, "%s: cannot take hold of spare %s: error %d",
				     sby_name(p), vf->info.name, vf->prepare_err);
		return;
	}
	vf->role = SFO_ROLE_VF;
	sfo_fmt(vf->reason, sizeof(vf->reason), "VF of %s", sby_name(p));
	p->vf = vf;
	sfo_ctr_track_restart(&p->ctr_vf);
	sfo_edge_log(e, SFO_LOG_INFO, "%s: %s is its VF", sby_name(p), vf->info.name);
	sfo_fmt(why, sizeof(why), "%s appeared", vf->info.name);
	sfo_pair_reconcile(e, p, why);
}

/* --- a VF leaves --- */

/* Forget what we did to a VF, give it back if we held it. */
static void vf_give_back(struct sfo_engine *e, struct pair *p, struct adapter *vf)
{
	if (vf->prepared)
		e->ops->vf_release(e->ctx, p->standby->info.id, vf->info.id);
	sfo_edge_free(e, vf->rx_mc);
	vf->rx_mc = NULL;
	vf->rx_mc_count = 0;
	vf->prepared = vf->opened = vf->going_down = vf->served = false;
	vf->rx_applied = vf->rx_failed = vf->off_applied = vf->off_failed = false;
	vf->prepare_err = 0;
	vf->refused_mtu = 0;
	vf->pair = NULL;
	vf->role = SFO_ROLE_CANDIDATE;
	sfo_fmt(vf->reason, sizeof(vf->reason), "given back by %s", sby_name(p));
}

void sfo_pair_drop_vf(struct sfo_engine *e, struct pair *p, struct adapter *a, bool gone)
{
	char why[SFO_REASON_MAX];

	sfo_fmt(why, sizeof(why), "%s %s", a->info.name, gone ? "removed" : "no longer a VF");
	if (a != p->vf) {
		vf_give_back(e, p, a);
		return;
	}
	/* Traffic leaves first (a surprise removal lands here with the VF
	 * already gone), then the last counters, then the VF itself. */
	pair_steer(e, p, 0, why);
	pair_probe_forget(e, p);
	if (!gone && a->prepared)
		vf_sample_counters(e, p, a);
	vf_give_back(e, p, a);
	p->vf = NULL;
	p->ready_at = 0;
	p->held = false; /* a release is for the VF that leaves, not the next one */
	sfo_pair_reconcile(e, p, why);
}

/*
 * A standby that stays but is no longer managed (renamed out of the
 * configuration, or a reload) keeps what its VFs counted with the engine:
 * managed again, its pair's merged counters go on from there. The VF was
 * given back meanwhile: its next reading is a baseline (no VF to resume).
 */
static void pair_keep_tally(struct sfo_engine *e, struct pair *p)
{
	struct sfo_vf_tally t = { 0 };

	memcpy(t.total, p->ctr_vf.total, sizeof(t.total));
	if (sfo_engine_restore_tally(e, p->standby->info.id, &t) < 0)
		sfo_edge_log(e, SFO_LOG_WARN, "%s: VF counters dropped: out of memory",
			     sby_name(p));
}

void sfo_pair_teardown(struct sfo_engine *e, struct pair *p, bool standby_gone, const char *why)
{
	if (p->datapath && !standby_gone)
		pair_steer(e, p, 0, "standby no longer managed");
	pair_probe_forget(e, p);
	if (why && !standby_gone && p->vf && p->vf->prepared)
		vf_sample_counters(e, p, p->vf); /* the VF's last count is the pair's */
	for (size_t i = 0; i < e->n_adapters; i++) {
		struct adapter *a = e->adapters[i];

		if (a->pair == p && a != p->standby)
			vf_give_back(e, p, a);
	}
	if (p->attached)
		e->ops->datapath_detach(e->ctx, p->standby->info.id);
	if (why) {
		pair_record(e, p, SFO_PAIR_NO_VF, why); /* the pair's last entry */
		if (!standby_gone)
			pair_keep_tally(e, p);
	}
	sfo_edge_free(e, p->want_mc);
	sfo_edge_free(e, p);
}

/* --- timer and queries --- */

#define MIN(a, b) ((a) < (b) ? (a) : (b))

static uint64_t probe_bound(const struct pair *p)
{
	return p->probe_since + p->probe_timeout_ms * NS_PER_MS;
}

uint64_t sfo_pair_deadline(const struct pair *p)
{
	uint64_t d = 0;

	if (p->announce_left)
		d = p->announce_at;
	if (p->ready_at && (!d || p->ready_at < d))
		d = p->ready_at;
	if (p->steer_retry) {
		uint64_t r = p->datapath_since + STEER_RETRY_NS;

		if (!d || r < d)
			d = r;
	}
	if (p->probing_vf) {
		uint64_t r = p->probe_next;

		if (p->state == SFO_PAIR_PROBING) /* the bound may come before the next probe */
			r = MIN(r, probe_bound(p));
		if (!d || r < d)
			d = r;
	}
	return d;
}

void sfo_pair_timer(struct sfo_engine *e, struct pair *p)
{
	uint64_t now = sfo_edge_now(e);

	if ((p->ready_at && now >= p->ready_at) ||
	    (p->steer_retry && now >= p->datapath_since + STEER_RETRY_NS)) {
		if (p->steer_retry)
			p->datapath_since = now; /* next retry one period later */
		sfo_pair_reconcile(e, p,
				   p->steer_retry ? "retrying steering" : "bring-up delay over");
	} else if (p->probing_vf && (now >= p->probe_next ||
				     (p->state == SFO_PAIR_PROBING && now >= probe_bound(p)))) {
		sfo_pair_reconcile(e, p, "probe due");
	}
	pair_announce_due(e, p);
}

void sfo_pair_get_status(struct sfo_engine *e, struct pair *p, struct sfo_pair_status *out)
{
	struct sfo_counters c;
	uint64_t spent = sfo_edge_now(e) - p->datapath_since;

	if (e->ops->read_counters(e->ctx, p->standby->info.id, &c) == 0)
		sfo_ctr_track_sample(&p->ctr_standby, &c);
	if (p->vf && p->vf->prepared)
		vf_sample_counters(e, p, p->vf);

	memset(out, 0, sizeof(*out));
	out->standby_id = p->standby->info.id;
	sfo_fmt(out->standby_name, sizeof(out->standby_name), "%s", sby_name(p));
	if (p->vf) {
		out->vf_id = p->vf->info.id;
		sfo_fmt(out->vf_name, sizeof(out->vf_name), "%s", p->vf->info.name);
	}
	out->datapath_id = p->datapath ? p->datapath : p->standby->info.id;
	out->state = p->state;
	sfo_fmt(out->reason, sizeof(out->reason), "%s", p->reason);
	out->since_ns = p->since_ns;
	for (size_t i = 0; i < e->n_adapters; i++)
		if (e->adapters[i]->role == SFO_ROLE_SPARE && e->adapters[i]->pair == p)
			out->spares++;
	out->counters.width = 64;
	for (int i = 0; i < SFO_CTR_MAX; i++)
		out->counters.v[i] = p->ctr_standby.total[i] + p->ctr_vf.total[i];
	out->failover = p->fo;
	if (p->datapath)
		out->failover.ns_on_vf += spent;
	else
		out->failover.ns_on_standby += spent;
}
