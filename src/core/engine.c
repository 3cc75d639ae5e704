// SPDX-License-Identifier: BSD-2-Clause
/*
 * The engine's front door: the adapter table, classification of adapters
 * into standbys and VFs, the events the edge delivers and the queries it
 * makes. What a pair does with its VF lives in pair.c.
 */
#include "core.h"

/* --- the adapter table, sorted by id --- */

static size_t adapter_slot(const struct sfo_engine *e, uint32_t id)
{
	size_t lo = 0, hi = e->n_adapters;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->adapters[mid]->info.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct adapter *eng_adapter(const struct sfo_engine *e, uint32_t id)
{
	size_t i = adapter_slot(e, id);

	return i < e->n_adapters && e->adapters[i]->info.id == id ? e->adapters[i] : NULL;
}

static bool grow(struct sfo_engine *e, void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *n;

	if (need <= *cap)
		return true;
	ncap = *cap ? *cap * 2 : 8;
	n = sfo_edge_realloc(e, *arr, *cap * elem, ncap * elem);
	if (!n)
		return false;
	*arr = n;
	*cap = ncap;
	return true;
}

static struct adapter *adapter_insert(struct sfo_engine *e, const struct sfo_adapter_info *info)
{
	size_t i = adapter_slot(e, info->id);
	struct adapter *a;

	if (!grow(e, (void **)&e->adapters, &e->cap_adapters, e->n_adapters + 1,
		  sizeof(*e->adapters)))
		return NULL;
	a = sfo_edge_alloc(e, sizeof(*a));
	if (!a)
		return NULL;
	a->info = *info;
	memmove(&e->adapters[i + 1], &e->adapters[i], (e->n_adapters - i) * sizeof(*e->adapters));
	e->adapters[i] = a;
	e->n_adapters++;
	return a;
}

static void adapter_erase(struct sfo_engine *e, struct adapter *a)
{
	size_t i = adapter_slot(e, a->info.id);

	memmove(&e->adapters[i], &e->adapters[i + 1],
		(e->n_adapters - i - 1) * sizeof(*e->adapters));
	e->n_adapters--;
	sfo_edge_free(e, a->rx_mc);
	sfo_edge_free(e, a);
}

/* --- pairs, sorted by standby id --- */

static struct pair *pair_by_mac(const struct sfo_engine *e, const uint8_t *mac)
{
	for (size_t i = 0; i < e->n_pairs; i++)
		if (sfo_mac_equal(e->pairs[i]->standby->info.perm_mac, mac))
			return e->pairs[i];
	return NULL;
}

static bool pair_insert(struct sfo_engine *e, struct pair *p)
{
	size_t i = 0;

	if (!grow(e, (void **)&e->pairs, &e->cap_pairs, e->n_pairs + 1, sizeof(*e->pairs)))
		return false;
	while (i < e->n_pairs && e->pairs[i]->standby->info.id < p->standby->info.id)
		i++;
	memmove(&e->pairs[i + 1], &e->pairs[i], (e->n_pairs - i) * sizeof(*e->pairs));
	e->pairs[i] = p;
	e->n_pairs++;
	return true;
}

static void pair_erase(struct sfo_engine *e, struct pair *p)
{
	for (size_t i = 0; i < e->n_pairs; i++) {
		if (e->pairs[i] == p) {
			memmove(&e->pairs[i], &e->pairs[i + 1],
				(e->n_pairs - i - 1) * sizeof(*e->pairs));
			e->n_pairs--;
			return;
		}
	}
}

/* --- classification --- */

static void set_role(struct adapter *a, enum sfo_role role, const char *fmt, ...) SFO_PRINTF(3, 4);

static void set_role(struct adapter *a, enum sfo_role role, const char *fmt, ...)
{
	va_list ap;

	a->role = role;
	va_start(ap, fmt);
	sfo_vfmt(a->reason, sizeof(a->reason), fmt, ap);
	va_end(ap);
}

static void classify(struct sfo_engine *e, struct adapter *a);
static void eng_rearm_timer(struct sfo_engine *e);

/*
 * The kernel's net_failover (QEMU's failover=on) pairs a standby and a VF
 * itself, under a master of its own: the master and every device enslaved
 * to it are its, never ours. Returns the failover master holding @info (or
 * @a itself if it is one), NULL when none does.
 */
static const struct adapter *failover_holder(const struct sfo_engine *e, const struct adapter *a)
{
	const struct adapter *m;

	if (sfo_policy_is_failover_master(&a->info))
		return a;
	m = a->info.master_id ? eng_adapter(e, a->info.master_id) : NULL;
	return m && sfo_policy_is_failover_master(&m->info) ? m : NULL;
}

static bool become_held(struct sfo_engine *e, struct adapter *a)
{
	const struct adapter *m = failover_holder(e, a);

	if (!m)
		return false;
	if (m == a)
		set_role(
			a, SFO_ROLE_HELD,
			"net_failover master (QEMU failover=on): the kernel pairs its standby and VF");
	else
		set_role(
			a, SFO_ROLE_HELD,
			"held by net_failover %s (QEMU failover=on): the kernel's failover, not touched",
			m->info.name);
	sfo_edge_log(e, SFO_LOG_WARN, "%s: not managed: %s", a->info.name, a->reason);
	return true;
}

static void become_standby(struct sfo_engine *e, struct adapter *a)
{
	char mac[18];
	struct pair *other = pair_by_mac(e, a->info.perm_mac);
	struct pair *p;

	sfo_mac_format(a->info.perm_mac, mac, sizeof(mac));
	if (other) {
		set_role(a, SFO_ROLE_UNMANAGED, "standby %s already has MAC %s",
			 other->standby->info.name, mac);
		sfo_edge_log(e, SFO_LOG_WARN, "%s: not managed: %s", a->info.name, a->reason);
		return;
	}
	p = sfo_pair_new(e, a);
	if (!p || !pair_insert(e, p)) {
		sfo_edge_free(e, p);
		set_role(a, SFO_ROLE_UNMANAGED, "out of memory");
		sfo_edge_log(e, SFO_LOG_ERR, "%s: not managed: out of memory", a->info.name);
		return;
	}
	set_role(a, SFO_ROLE_STANDBY, "standby for MAC %s", mac);
	a->pair = p;
	sfo_edge_log(e, SFO_LOG_INFO, "%s: managing as standby (MAC %s)", a->info.name, mac);
	sfo_pair_reconcile(e, p, "standby appeared");
	/* VFs that arrived first were waiting as candidates. */
	for (size_t i = 0; i < e->n_adapters; i++) {
		struct adapter *c = e->adapters[i];

		if (c->role == SFO_ROLE_CANDIDATE &&
		    sfo_mac_equal(c->info.perm_mac, a->info.perm_mac))
			classify(e, c);
	}
}

static void classify(struct sfo_engine *e, struct adapter *a)
{
	char why[SFO_REASON_MAX], mac[18];
	struct pair *p;

	a->pair = NULL;
	if (become_held(e, a))
		return;
	if (sfo_mac_is_zero(a->info.perm_mac)) {
		set_role(a, SFO_ROLE_UNMANAGED, "no MAC address");
		return;
	}
	if (sfo_policy_is_standby(e->cfg, &a->info)) {
		become_standby(e, a);
		return;
	}
	p = pair_by_mac(e, a->info.perm_mac);
	sfo_mac_format(a->info.perm_mac, mac, sizeof(mac));
	if (!sfo_policy_vf_allowed(e->cfg, &a->info, why, sizeof(why))) {
		set_role(a, SFO_ROLE_UNMANAGED, "%s", why);
		if (p) /* same MAC as a standby: say loudly why it is not used */
			sfo_edge_log(e, SFO_LOG_WARN,
				     "%s: has MAC %s of standby %s but is ignored: %s",
				     a->info.name, mac, p->standby->info.name, why);
		return;
	}
	if (!p) {
		set_role(a, SFO_ROLE_CANDIDATE, "no standby with MAC %s", mac);
		return;
	}
	sfo_pair_add_vf(e, p, a);
}

/* Undo what classify() did, before the adapter changes identity or goes.
 * @why ends a standby's pair in the event ring (NULL: shutting down). */
static void declassify(struct sfo_engine *e, struct adapter *a, bool gone, const char *why)
{
	struct pair *p = a->pair;

	switch (a->role) {
	case SFO_ROLE_STANDBY:
		pair_erase(e, p);
		sfo_pair_teardown(e, p, gone, why);
		a->pair = NULL;
		set_role(a, SFO_ROLE_UNMANAGED, "%s", gone ? "gone" : "reclassified");
		if (e->in_teardown)
			return;
		/* Its VFs wait for a standby again; a standby refused for
		 * having the same MAC may take over. */
		for (size_t i = 0; i < e->n_adapters; i++) {
			struct adapter *v = e->adapters[i];

			if (v != a && !v->pair && sfo_mac_equal(v->info.perm_mac, a->info.perm_mac))
				classify(e, v);
		}
		return;
	case SFO_ROLE_VF:
	case SFO_ROLE_SPARE:
		sfo_pair_drop_vf(e, p, a, gone);
		break;
	default:
		break;
	}
	set_role(a, SFO_ROLE_UNMANAGED, "%s", gone ? "gone" : "reclassified");
}

/* Facts that decide an adapter's role; any change re-runs classification. */
static bool identity_changed(const struct sfo_adapter_info *o, const struct sfo_adapter_info *n)
{
	return !sfo_str_eq(o->name, n->name) || !sfo_str_eq(o->driver, n->driver) ||
	       !sfo_str_eq(o->kind, n->kind) || o->pci_vendor != n->pci_vendor ||
	       o->pci_device != n->pci_device || !sfo_mac_equal(o->perm_mac, n->perm_mac) ||
	       (o->flags & SFO_AF_STACKED) != (n->flags & SFO_AF_STACKED) ||
	       o->master_id != n->master_id;
}

static bool role_still_fits(const struct sfo_engine *e, const struct adapter *a)
{
	char why[SFO_REASON_MAX];

	if (failover_holder(e, a))
		return false; /* net_failover's now */
	switch (a->role) {
	case SFO_ROLE_STANDBY:
		return sfo_policy_is_standby(e->cfg, &a->info);
	case SFO_ROLE_VF:
	case SFO_ROLE_SPARE:
		return !sfo_policy_is_standby(e->cfg, &a->info) &&
		       sfo_policy_vf_allowed(e->cfg, &a->info, why, sizeof(why)) &&
		       sfo_mac_equal(a->info.perm_mac, a->pair->standby->info.perm_mac);
	default:
		return false; /* cheap to classify again */
	}
}

static void describe_change(const struct sfo_adapter_info *o, const struct sfo_adapter_info *n,
			    char *buf, size_t len)
{
	uint32_t d = o->flags ^ n->flags;

	if (!sfo_str_eq(o->name, n->name))
		sfo_fmt(buf, len, "%s renamed to %s", o->name, n->name);
	else if (d & SFO_AF_UP)
		sfo_fmt(buf, len, "%s %s", n->name, n->flags & SFO_AF_UP ? "up" : "down");
	else if (d & SFO_AF_CARRIER)
		sfo_fmt(buf, len, "%s carrier %s", n->name,
			n->flags & SFO_AF_CARRIER ? "up" : "lost");
	else if (o->mtu != n->mtu)
		sfo_fmt(buf, len, "%s MTU %u -> %u", n->name, o->mtu, n->mtu);
	else
		sfo_fmt(buf, len, "%s changed", n->name);
}

/* The devices enslaved to @master_id are net_failover's or ours depending on
 * what their master is: decide again when it appears, changes or goes. */
static void reclassify_slaves(struct sfo_engine *e, uint32_t master_id)
{
	for (size_t i = 0; i < e->n_adapters; i++) {
		struct adapter *s = e->adapters[i];

		if (s->info.master_id == master_id && s->info.id != master_id) {
			declassify(e, s, false, "enslaved to a net_failover master");
			classify(e, s);
		}
	}
}

/* --- events in --- */

void sfo_engine_adapter_update(struct sfo_engine *e, const struct sfo_adapter_info *info)
{
	struct adapter *a = eng_adapter(e, info->id);
	struct sfo_adapter_info old;
	char why[SFO_REASON_MAX];

	if (!info->id)
		return;
	if (!a) {
		a = adapter_insert(e, info);
		if (!a) {
			sfo_edge_log(e, SFO_LOG_ERR, "%s: dropped: out of memory", info->name);
			return;
		}
		a->orig_mtu = info->mtu;
		classify(e, a);
		if (sfo_policy_is_failover_master(info))
			reclassify_slaves(e, info->id);
		eng_rearm_timer(e);
		return;
	}
	old = a->info;
	a->info = *info;
	describe_change(&old, info, why, sizeof(why));
	if (identity_changed(&old, info) &&
	    (sfo_policy_is_failover_master(&old) || sfo_policy_is_failover_master(info)))
		reclassify_slaves(e, info->id);
	if (identity_changed(&old, info) && !role_still_fits(e, a)) {
		sfo_edge_log(e, SFO_LOG_INFO, "%s: re-evaluating role (%s)", info->name, why);
		sfo_fmt(why + sfo_str_len(why), sizeof(why) - sfo_str_len(why),
			": no longer managed");
		declassify(e, a, false, why);
		classify(e, a);
	} else if (a->pair) {
		if (!sfo_str_eq(old.name, info->name)) {
			sfo_edge_log(e, SFO_LOG_INFO, "%s", why);
			if (a->role == SFO_ROLE_STANDBY)
				sfo_pair_resolve_options(e, a->pair);
		}
		if (a->role == SFO_ROLE_VF)
			a->prepare_err = 0; /* a changed VF may accept being held now */
		if (a->role == SFO_ROLE_STANDBY) {
			a->pair->want_promisc = info->flags & SFO_AF_PROMISC;
			a->pair->want_allmulti = info->flags & SFO_AF_ALLMULTI;
		}
		sfo_pair_reconcile(e, a->pair, why);
	} else if (a->role == SFO_ROLE_CANDIDATE || a->role == SFO_ROLE_UNMANAGED) {
		if (identity_changed(&old, info))
			classify(e, a);
	}
	eng_rearm_timer(e);
}

void sfo_engine_adapter_removed(struct sfo_engine *e, uint32_t id)
{
	struct adapter *a = eng_adapter(e, id);
	struct sfo_vf_tally kept;
	char why[SFO_REASON_MAX];
	bool held;

	sfo_restore_take_release(e, id);      /* a release is for the device that leaves */
	sfo_restore_take_tally(e, id, &kept); /* and so is a tally kept for its next pair */
	sfo_restore_take_steering(e, id);
	if (!a)
		return;
	if (a->pair)
		sfo_edge_log(e, SFO_LOG_INFO, "%s: removed", a->info.name);
	sfo_fmt(why, sizeof(why), "%s removed", a->info.name);
	declassify(e, a, true, why);
	held = sfo_policy_is_failover_master(&a->info);
	adapter_erase(e, a);
	if (held)
		reclassify_slaves(e, id);
	eng_rearm_timer(e);
}

void sfo_engine_vf_going_down(struct sfo_engine *e, uint32_t vf_id)
{
	struct adapter *a = eng_adapter(e, vf_id);
	char why[SFO_REASON_MAX];

	if (!a || a->role != SFO_ROLE_VF)
		return;
	a->going_down = true;
	sfo_fmt(why, sizeof(why), "%s going down", a->info.name);
	sfo_pair_reconcile(e, a->pair, why);
	eng_rearm_timer(e);
}

void sfo_engine_path_proven(struct sfo_engine *e, uint32_t vf_id, const char *detail)
{
	struct adapter *a = eng_adapter(e, vf_id);

	if (!a || a->role != SFO_ROLE_VF)
		return;
	sfo_pair_path_proven(e, a->pair, vf_id, detail);
	eng_rearm_timer(e);
}

static struct pair *pair_of_standby(struct sfo_engine *e, uint32_t id)
{
	struct adapter *a = eng_adapter(e, id);

	return a && a->role == SFO_ROLE_STANDBY ? a->pair : NULL;
}

void sfo_engine_standby_rx_mode(struct sfo_engine *e, uint32_t standby_id,
				const struct sfo_rx_mode *mode)
{
	struct pair *p = pair_of_standby(e, standby_id);

	if (!p)
		return;
	sfo_pair_set_rx_mode(e, p, mode);
	sfo_pair_reconcile(e, p, "standby RX mode changed");
	eng_rearm_timer(e);
}

void sfo_engine_standby_offloads(struct sfo_engine *e, uint32_t standby_id, uint32_t requested)
{
	struct pair *p = pair_of_standby(e, standby_id);

	if (!p)
		return;
	p->offloads_known = true;
	p->want_offloads = requested & SFO_OFF_ALL;
	sfo_pair_reconcile(e, p, "standby offloads changed");
	eng_rearm_timer(e);
}

void sfo_engine_announced(struct sfo_engine *e, uint32_t standby_id, uint64_t frames)
{
	struct pair *p = pair_of_standby(e, standby_id);

	if (p)
		p->fo.announcements += frames;
}

void sfo_engine_counters_sampled(struct sfo_engine *e, uint32_t id, const struct sfo_counters *c)
{
	struct adapter *a = eng_adapter(e, id);

	if (!a || !a->pair)
		return;
	if (a->role == SFO_ROLE_STANDBY)
		sfo_ctr_track_sample(&a->pair->ctr_standby, c);
	else if (a->role == SFO_ROLE_VF && a->prepared)
		sfo_pair_vf_counted(e, a->pair, a, c);
}

/* The pair an administrator names by its standby's or its VF's id. */
static struct pair *pair_named(struct sfo_engine *e, uint32_t id)
{
	struct adapter *a = eng_adapter(e, id);

	if (!a || !a->pair)
		return NULL;
	return a->role == SFO_ROLE_STANDBY || a->role == SFO_ROLE_VF ? a->pair : NULL;
}

/* Tell the edge, with traffic already off the VF: the mark is written while
 * nothing can be steered to the VF. */
static void report_released(struct sfo_engine *e, struct pair *p)
{
	if (e->ops->vf_released && p->vf)
		e->ops->vf_released(e->ctx, p->standby->info.id, p->vf->info.id, p->held);
}

int sfo_engine_release(struct sfo_engine *e, uint32_t id)
{
	struct pair *p = pair_named(e, id);
	bool was;

	if (!p)
		return -SFO_ENOENT;
	if (!p->vf)
		return 0; /* nothing to release; the next VF is used as usual */
	was = p->held;
	p->held = true;
	sfo_pair_reconcile(e, p, "released by administrator");
	if (!was)
		report_released(e, p);
	eng_rearm_timer(e);
	return 0;
}

int sfo_engine_resume(struct sfo_engine *e, uint32_t id)
{
	struct pair *p = pair_named(e, id);

	if (!p)
		return -SFO_ENOENT;
	if (p->held) {
		p->held = false;
		report_released(e, p); /* before traffic may return to the VF */
	}
	if (p->vf)
		p->vf->going_down = false;
	sfo_pair_reconcile(e, p, "resumed by administrator");
	eng_rearm_timer(e);
	return 0;
}

void sfo_engine_restore_done(struct sfo_engine *e)
{
	size_t kept = 0;

	/* A restored VF that is present but not (yet) a VF, e.g. a spare, stays
	 * released until it serves or leaves. */
	for (size_t i = 0; i < e->n_restored; i++)
		if (eng_adapter(e, e->restored[i]))
			e->restored[kept++] = e->restored[i];
	e->n_restored = kept;
	/* A steering is taken when its VF serves in the first dump: what is
	 * left did not (a spare, a VF not ready) and is probed as any other. */
	e->n_restored_steering = 0;
	/* Tallies are taken when their standby pairs: what is left has none. */
	sfo_edge_free(e, e->tallies);
	e->tallies = NULL;
	e->n_tallies = 0;
}

void sfo_engine_set_config(struct sfo_engine *e, const struct sfo_config *cfg)
{
	e->cfg = cfg;
	/* the options first: a VF paired below acts on the new ones */
	for (size_t i = 0; i < e->n_pairs; i++)
		sfo_pair_resolve_options(e, e->pairs[i]);
	for (size_t i = 0; i < e->n_adapters; i++) {
		struct adapter *a = e->adapters[i];

		if (role_still_fits(e, a))
			continue;
		if (a->role == SFO_ROLE_STANDBY || a->role == SFO_ROLE_VF ||
		    a->role == SFO_ROLE_SPARE) {
			sfo_edge_log(e, SFO_LOG_INFO,
				     "%s: re-evaluating role (configuration reloaded)",
				     a->info.name);
			declassify(e, a, false, "configuration reloaded: no longer managed");
		}
		classify(e, a);
	}
	for (size_t i = 0; i < e->n_pairs; i++)
		sfo_pair_reconcile(e, e->pairs[i], "configuration reloaded");
	eng_rearm_timer(e);
}

/* --- timer --- */

static void eng_rearm_timer(struct sfo_engine *e)
{
	uint64_t next = 0;

	for (size_t i = 0; i < e->n_pairs; i++) {
		uint64_t d = sfo_pair_deadline(e->pairs[i]);

		if (d && (!next || d < next))
			next = d;
	}
	if (next != e->timer_armed) {
		e->timer_armed = next;
		e->ops->timer_set(e->ctx, next);
	}
}

void sfo_engine_timer_expired(struct sfo_engine *e)
{
	e->timer_armed = 0;
	for (size_t i = 0; i < e->n_pairs; i++)
		sfo_pair_timer(e, e->pairs[i]);
	eng_rearm_timer(e);
}

/* --- life cycle --- */

struct sfo_engine *sfo_engine_new(const struct sfo_ops *ops, void *ctx,
				  const struct sfo_config *cfg)
{
	struct sfo_engine *e = ops->alloc(ctx, sizeof(*e));

	if (!e)
		return NULL;
	e->ops = ops;
	e->ctx = ctx;
	e->cfg = cfg;
	return e;
}

void sfo_engine_free(struct sfo_engine *e)
{
	const struct sfo_ops *ops;

	if (!e)
		return;
	ops = e->ops;
	e->in_teardown = true;
	/* Standbys first: that releases their VFs while both still exist. */
	for (size_t i = e->n_adapters; i-- > 0;)
		if (e->adapters[i]->role == SFO_ROLE_STANDBY)
			declassify(e, e->adapters[i], false, NULL);
	while (e->n_adapters)
		adapter_erase(e, e->adapters[e->n_adapters - 1]);
	if (e->timer_armed)
		e->ops->timer_set(e->ctx, 0);
	sfo_edge_free(e, e->adapters);
	sfo_edge_free(e, e->pairs);
	sfo_edge_free(e, e->restored);
	sfo_edge_free(e, e->restored_steering);
	sfo_edge_free(e, e->tallies);
	ops->free(e->ctx, e);
}

/* --- queries --- */

size_t sfo_engine_pair_count(const struct sfo_engine *e)
{
	return e->n_pairs;
}

int sfo_engine_pair_status(struct sfo_engine *e, size_t index, struct sfo_pair_status *out)
{
	if (index >= e->n_pairs)
		return -SFO_ENOENT;
	sfo_pair_get_status(e, e->pairs[index], out);
	return 0;
}

size_t sfo_engine_adapter_count(const struct sfo_engine *e)
{
	return e->n_adapters;
}

int sfo_engine_adapter_info(const struct sfo_engine *e, uint32_t id, struct sfo_adapter_info *out)
{
	const struct adapter *a = eng_adapter(e, id);

	if (!a)
		return -SFO_ENOENT;
	*out = a->info;
	return 0;
}

enum sfo_role sfo_engine_adapter_role(const struct sfo_engine *e, uint32_t id)
{
	const struct adapter *a = eng_adapter(e, id);

	return a ? a->role : SFO_ROLE_UNMANAGED;
}

int sfo_engine_adapter_status(const struct sfo_engine *e, size_t index,
			      struct sfo_adapter_status *out)
{
	const struct adapter *a;

	if (index >= e->n_adapters)
		return -SFO_ENOENT;
	a = e->adapters[index];
	memset(out, 0, sizeof(*out));
	out->info = a->info;
	out->role = a->role;
	out->standby_id = a->pair && a->role != SFO_ROLE_STANDBY ? a->pair->standby->info.id : 0;
	memcpy(out->reason, a->reason, sizeof(out->reason));
	return 0;
}

size_t sfo_engine_events(const struct sfo_engine *e, struct sfo_event *out, size_t max)
{
	return sfo_event_ring_copy(&e->ring, out, max);
}
