// SPDX-License-Identifier: BSD-2-Clause
/* The simulated edge: see sim_edge.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim_edge.h"

#define NS_PER_MS    UINT64_C(1000000)
#define SIM_START_NS (1000 * NS_PER_MS) /* a monotonic clock does not start at 0 */

__attribute__((format(printf, 2, 3))) static void trace(struct sim *s, const char *fmt, ...)
{
	uint64_t t = s->now_ns - SIM_START_NS;
	va_list ap;

	if (!s->trace)
		return;
	fprintf(s->trace, "[%4" PRIu64 ".%03" PRIu64 "] ", t / UINT64_C(1000000000),
		t / NS_PER_MS % UINT64_C(1000));
	va_start(ap, fmt);
	vfprintf(s->trace, fmt, ap);
	va_end(ap);
	fputc('\n', s->trace);
}

void sim_note(struct sim *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	trace(s, "%s", line);
}

__attribute__((format(printf, 2, 3))) static void violate(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (s->violation[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->violation, sizeof(s->violation), fmt, ap);
	va_end(ap);
}

static struct sim_nic *nic(struct sim *s, uint32_t id)
{
	return id && id <= SIM_MAX_NICS && s->nic[id].present ? &s->nic[id] : NULL;
}

/* The engine changed a NIC: report it once the engine call has returned. */
static void mark_changed(struct sim *s, uint32_t id)
{
	for (size_t i = 0; i < s->n_pending; i++)
		if (s->pending[i] == id)
			return;
	if (s->n_pending < sizeof(s->pending) / sizeof(s->pending[0]))
		s->pending[s->n_pending++] = id;
}

static void refresh_carrier(struct sim_nic *n)
{
	if ((n->info.flags & SFO_AF_UP) && n->link) {
		n->info.flags |= SFO_AF_CARRIER;
	} else {
		n->info.flags &= ~(uint32_t)SFO_AF_CARRIER;
		n->proven = false; /* a proof is for one spell of carrier */
	}
}

/* An answer to a probe, if one is on its way (and the edge still listens). */
static bool deliver_answer(struct sim *s)
{
	for (uint32_t i = 1; i <= SIM_MAX_NICS; i++) {
		struct sim_nic *n = nic(s, i);

		if (!n || !n->answer_due)
			continue;
		n->answer_due = false;
		if (!n->probing)
			continue; /* the edge stopped listening: dropped */
		trace(s, "  answer through %s", n->info.name);
		n->proven = true;
		sfo_engine_path_proven(s->eng, i, "the neighbour answered");
		return true;
	}
	return false;
}

/* Deliver the consequences of the engine's own actions until quiet. */
static void deliver(struct sim *s)
{
	if (s->delivering || s->crashed)
		return;
	s->delivering = true;
	for (;;) {
		if (s->n_pending) {
			uint32_t id = s->pending[0];
			struct sim_nic *n = nic(s, id);

			memmove(&s->pending[0], &s->pending[1],
				--s->n_pending * sizeof(s->pending[0]));
			if (n)
				sfo_engine_adapter_update(s->eng, &n->info);
		} else if (!deliver_answer(s)) {
			break;
		}
	}
	s->delivering = false;
}

void sim_settle(struct sim *s)
{
	deliver(s);
}

/* --- the ops the engine calls --- */

static uint64_t op_now(void *ctx)
{
	return ((struct sim *)ctx)->now_ns;
}

static void op_timer_set(void *ctx, uint64_t deadline)
{
	struct sim *s = ctx;

	if (!s->crashed)
		s->timer_ns = deadline;
}

static int op_attach(void *ctx, uint32_t sby)
{
	struct sim *s = ctx;
	struct sim_nic *n = nic(s, sby);

	if (!n)
		return -SFO_ENOENT;
	if (n->attached)
		violate(s, "datapath of %s attached twice", n->info.name);
	n->attached = true;
	n->steer = 0;
	return 0;
}

static void op_detach(void *ctx, uint32_t sby)
{
	struct sim *s = ctx;

	if (s->crashed)
		return;
	if (sby <= SIM_MAX_NICS) {
		s->nic[sby].have_tally = false; /* goes with the pinned pair */
		s->nic[sby].attached = false;
		s->nic[sby].steer = 0;
	}
}

/* Whether the configuration lets @sby use a VF without proof. */
static bool probing_off(struct sim *s, const struct sim_nic *sby)
{
	const struct sfo_standby_options *o = sfo_config_standby(s->cfg, sby->info.name);

	return o && o->probe_path >= 0 ? !o->probe_path : !s->cfg->probe_path;
}

static int op_steer(void *ctx, uint32_t sby, uint32_t vf)
{
	struct sim *s = ctx;
	struct sim_nic *n = nic(s, sby);

	if (s->crashed)
		return 0;
	if (!n || !n->attached)
		return -SFO_ENOENT;
	if (vf && s->fail_steer_to_vf)
		return s->fail_steer_to_vf;
	if (vf && !nic(s, vf))
		return -SFO_ENOENT;
	if (vf && !s->nic[vf].proven && !s->nic[vf].served_before_crash && !probing_off(s, n))
		violate(s, "%s steered to %s before an answer came back through it", n->info.name,
			s->nic[vf].info.name);
	if (vf && !s->nic[vf].rx_given)
		violate(s, "%s steered to %s before it was given the standby's RX mode",
			n->info.name, s->nic[vf].info.name);
	n->steer = vf;
	s->steers++;
	trace(s, "  datapath of %s -> %s", n->info.name, vf ? s->nic[vf].info.name : "standby");
	return 0;
}

static int op_prepare(void *ctx, uint32_t sby, uint32_t vf)
{
	struct sim *s = ctx;
	struct sim_nic *n = nic(s, vf);

	if (!n)
		return -SFO_ENOENT;
	if (n->fail_prepare)
		return n->fail_prepare;
	if (n->held_by)
		violate(s, "%s prepared twice without release", n->info.name);
	trace(s, "  take hold of %s (no address, no autoconf)", n->info.name);
	n->held_by = sby;
	n->rx_given = false;
	n->prepares++;
	s->prepares++;
	return 0;
}

static void op_release(void *ctx, uint32_t sby, uint32_t vf)
{
	struct sim *s = ctx;

	if (vf > SIM_MAX_NICS || s->crashed)
		return;
	if (s->nic[vf].probing)
		violate(s, "%s released while still probed (no probe_stop)", s->nic[vf].info.name);
	if (nic(s, sby) && s->nic[sby].steer == vf)
		violate(s, "%s released while it carries the datapath", s->nic[vf].info.name);
	if (!s->nic[vf].held_by)
		violate(s, "%s released but not held", s->nic[vf].info.name);
	trace(s, "  give back %s", s->nic[vf].info.name);
	s->nic[vf].held_by = 0;
	s->nic[vf].proven = false;
	s->nic[vf].released = false; /* kept with the hold (Linux: the pinned pair) */
	s->nic[vf].releases++;
	s->releases++;
}

static void op_vf_released(void *ctx, uint32_t sby, uint32_t vf, bool released)
{
	struct sim *s = ctx;

	if (vf > SIM_MAX_NICS || s->crashed)
		return;
	/* the Linux edge writes the mark into the pinned pair: only while
	 * nothing is steered to the VF (a close hook may flip it meanwhile) */
	if (nic(s, sby) && s->nic[sby].steer == vf)
		violate(s, "%s marked %s while it carries the datapath", s->nic[vf].info.name,
			released ? "released" : "resumed");
	trace(s, "  %s (#%u) %s", s->nic[vf].info.name, vf,
	      released ? "marked released" : "no longer released");
	s->nic[vf].released = released;
}

static void op_vf_tally(void *ctx, uint32_t sby, const struct sfo_vf_tally *t)
{
	struct sim *s = ctx;

	if (sby > SIM_MAX_NICS || s->crashed)
		return;
	s->nic[sby].tally = *t;
	s->nic[sby].have_tally = true;
}

static int op_open(void *ctx, uint32_t vf)
{
	struct sim *s = ctx;
	struct sim_nic *n = nic(s, vf);

	if (!n)
		return -SFO_ENOENT;
	if (n->fail_open)
		return n->fail_open;
	trace(s, "  bring %s up", n->info.name);
	n->info.flags |= SFO_AF_UP;
	refresh_carrier(n);
	mark_changed(s, vf);
	return 0;
}

static int op_set_mtu(void *ctx, uint32_t vf, uint32_t mtu)
{
	struct sim *s = ctx;
	struct sim_nic *n = nic(s, vf);

	if (!n)
		return -SFO_ENOENT;
	if (n->mtu_limit && mtu > n->mtu_limit) {
		trace(s, "  %s refuses MTU %u", n->info.name, mtu);
		return -SFO_EINVAL;
	}
	trace(s, "  set MTU of %s to %u", n->info.name, mtu);
	n->info.mtu = mtu;
	mark_changed(s, vf);
	return 0;
}

static int op_set_rx_mode(void *ctx, uint32_t vf, const struct sfo_rx_mode *m)
{
	struct sim *s = ctx;
	struct sim_nic *n = nic(s, vf);

	if (!n)
		return -SFO_ENOENT;
	n->rx_given = true;
	if (n->refuse_rx_mode)
		return -SFO_EINVAL;
	trace(s, "  set RX mode of %s: promisc %d allmulti %d, %zu multicast", n->info.name,
	      m->promisc, m->allmulti, m->mc_count);
	n->promisc = m->promisc;
	n->allmulti = m->allmulti;
	n->mc_count = m->mc_count < 8 ? m->mc_count : 8;
	if (n->mc_count)
		memcpy(n->mc, m->mc_list, n->mc_count * SFO_MAC_LEN);
	return 0;
}

static int op_set_offloads(void *ctx, uint32_t vf, uint32_t off)
{
	struct sim *s = ctx;
	struct sim_nic *n = nic(s, vf);

	if (!n)
		return -SFO_ENOENT;
	if (n->refuse_offloads)
		return -SFO_EINVAL;
	trace(s, "  set offloads of %s to %#x", n->info.name, off);
	n->offloads_set = off;
	return 0;
}

static int op_read_counters(void *ctx, uint32_t id, struct sfo_counters *out)
{
	struct sim *s = ctx;
	struct sim_nic *n = nic(s, id);

	if (!n)
		return -SFO_ENOENT;
	memcpy(out->v, n->ctr, sizeof(out->v));
	out->width = n->width;
	return 0;
}

static void op_announce(void *ctx, uint32_t sby)
{
	struct sim *s = ctx;
	struct sim_nic *n = nic(s, sby);

	if (!n)
		return;
	n->announces++;
	trace(s, "  announce MAC of %s", n->info.name);
	sfo_engine_announced(s->eng, sby, 1); /* one frame: the simulated edge sends at once */
}

/* A probe through the VF: answered, after the call returns, when its host
 * port forwards. */
static int op_probe_path(void *ctx, uint32_t sby, uint32_t vf)
{
	struct sim *s = ctx;
	struct sim_nic *st = nic(s, sby);
	struct sim_nic *n = nic(s, vf);

	if (s->crashed)
		return 0;
	if (!st || !n)
		return -SFO_ENOENT;
	if (st->no_neighbour) {
		trace(s, "  %s knows no neighbour to probe", st->info.name);
		n->proven = true; /* nothing can prove it: the engine may take it */
		return -SFO_ENOENT;
	}
	if (n->held_by != sby)
		violate(s, "%s probed but not held by %s", n->info.name, st->info.name);
	if (!(n->info.flags & SFO_AF_CARRIER))
		violate(s, "%s probed without carrier", n->info.name);
	trace(s, "  probe through %s%s", n->info.name, n->port_blocked ? " (port blocked)" : "");
	n->probing = true;
	n->probes++;
	if (!n->port_blocked)
		n->answer_due = true;
	return 0;
}

static void op_probe_prepare(void *ctx, uint32_t sby, uint32_t vf)
{
	struct sim *s = ctx;
	struct sim_nic *st = nic(s, sby);
	struct sim_nic *n = nic(s, vf);

	if (s->crashed || !st || !n)
		return;
	if (n->held_by != sby)
		violate(s, "%s prepared for probing but not held by %s", n->info.name,
			st->info.name);
	if (!(n->info.flags & SFO_AF_UP))
		violate(s, "%s prepared for probing before it was brought up", n->info.name);
	if (probing_off(s, st))
		violate(s, "%s prepared for probing with probe-path off", n->info.name);
	trace(s, "  get ready to probe through %s", n->info.name);
	n->probe_prepares++;
}

static void op_probe_stop(void *ctx, uint32_t sby, uint32_t vf)
{
	struct sim *s = ctx;

	(void)sby;
	if (vf > SIM_MAX_NICS || s->crashed)
		return;
	if (!s->nic[vf].probing)
		violate(s, "probe of %s stopped but not started", s->nic[vf].info.name);
	s->nic[vf].probing = false;
	s->nic[vf].answer_due = false;
}

/* The engine's memory comes from the C library, counted, and runs out when
 * a test says so. */
static void *op_alloc(void *ctx, size_t size)
{
	struct sim *s = ctx;
	void *ptr;

	if (s->alloc_budget == 0) {
		trace(s, "  alloc of %zu bytes fails", size);
		return NULL;
	}
	ptr = calloc(1, size);
	if (ptr) {
		s->allocs_live++;
		if (s->alloc_budget > 0)
			s->alloc_budget--;
	}
	return ptr;
}

static void op_free(void *ctx, void *ptr)
{
	struct sim *s = ctx;

	s->allocs_live--;
	free(ptr);
}

static void op_log(void *ctx, enum sfo_log_level lvl, const char *msg)
{
	static const char *const lvls[] = { "error", "warn", "info", "debug" };

	trace(ctx, "%s: %s", lvls[lvl], msg);
}

static const struct sfo_ops sim_ops = {
	.alloc = op_alloc,
	.free = op_free,
	.now_ns = op_now,
	.timer_set = op_timer_set,
	.datapath_attach = op_attach,
	.datapath_detach = op_detach,
	.steer = op_steer,
	.vf_prepare = op_prepare,
	.vf_release = op_release,
	.vf_open = op_open,
	.vf_set_mtu = op_set_mtu,
	.vf_set_rx_mode = op_set_rx_mode,
	.vf_set_offloads = op_set_offloads,
	.read_counters = op_read_counters,
	.announce = op_announce,
	.vf_released = op_vf_released,
	.vf_tally = op_vf_tally,
	.probe_path = op_probe_path,
	.probe_prepare = op_probe_prepare,
	.probe_stop = op_probe_stop,
	.log = op_log,
};

/* --- the world --- */

struct sim *sim_new(struct sfo_config *cfg, FILE *trace_to)
{
	struct sim *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cfg = cfg;
	s->trace = trace_to;
	s->now_ns = SIM_START_NS;
	s->alloc_budget = -1;
	s->eng = sfo_engine_new(&sim_ops, s, cfg);
	if (!s->eng) {
		free(s);
		return NULL;
	}
	return s;
}

bool sim_finish(struct sim *s)
{
	sfo_engine_free(s->eng);
	s->eng = NULL;
	for (uint32_t i = 1; i <= SIM_MAX_NICS; i++) {
		struct sim_nic *n = nic(s, i);

		if (n && n->held_by)
			violate(s, "%s still held after the engine is gone", n->info.name);
		if (n && n->attached)
			violate(s, "datapath of %s still attached after the engine is gone",
				n->info.name);
	}
	if (s->prepares != s->releases)
		violate(s, "%u prepares but %u releases", s->prepares, s->releases);
	if (s->allocs_live)
		violate(s, "%zu blocks of the engine's memory not freed", s->allocs_live);
	return !s->violation[0];
}

void sim_free(struct sim *s)
{
	if (!s)
		return;
	sfo_engine_free(s->eng);
	sfo_config_free(s->cfg);
	free(s);
}

static void parse_mac(const char *str, uint8_t *mac)
{
	unsigned int b[SFO_MAC_LEN] = { 0 };

	sscanf(str, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]);
	for (int i = 0; i < SFO_MAC_LEN; i++)
		mac[i] = (uint8_t)b[i];
}

static void update(struct sim *s, uint32_t id)
{
	if (s->crashed)
		return; /* the successor learns it when it starts */
	sfo_engine_adapter_update(s->eng, &s->nic[id].info);
	deliver(s);
}

uint32_t sim_add_spec(struct sim *s, const struct sim_nic_spec *spec)
{
	uint32_t id = 1;
	struct sim_nic *n;

	while (id <= SIM_MAX_NICS && s->nic[id].present)
		id++;
	if (id > SIM_MAX_NICS)
		return 0;
	n = &s->nic[id];
	memset(n, 0, sizeof(*n));
	n->present = true;
	n->link = !spec->no_link;
	n->width = spec->width ? spec->width : 64;
	n->mtu_limit = spec->mtu_limit;
	for (int i = 0; i < SFO_CTR_MAX; i++)
		n->ctr[i] = spec->counters_start;
	n->fail_prepare = spec->fail_prepare;
	n->info.id = id;
	snprintf(n->info.name, sizeof(n->info.name), "%s", spec->name);
	snprintf(n->info.driver, sizeof(n->info.driver), "%s", spec->driver);
	if (strcmp(spec->driver, "bridge") == 0 || strcmp(spec->driver, "bond") == 0)
		snprintf(n->info.kind, sizeof(n->info.kind), "%s", spec->driver);
	parse_mac(spec->mac, n->info.perm_mac);
	n->info.flags = spec->up ? SFO_AF_UP : 0;
	if (spec->master)
		n->info.flags |= SFO_AF_STACKED;
	n->info.master_id = spec->master;
	refresh_carrier(n);
	n->info.mtu = 1500;
	n->info.max_mtu = spec->max_mtu;
	n->info.offloads_supported =
		spec->offloads_supported ? spec->offloads_supported : SFO_OFF_ALL;
	n->info.offloads_active = n->info.offloads_supported;
	trace(s, "%s appears (%s, %s%s)", spec->name, spec->driver, spec->mac,
	      spec->up ? ", up" : "");
	update(s, id);
	return id;
}

uint32_t sim_add(struct sim *s, const char *name, const char *driver, const char *mac, bool up)
{
	struct sim_nic_spec spec = { .name = name, .driver = driver, .mac = mac, .up = up };

	return sim_add_spec(s, &spec);
}

void sim_crash(struct sim *s)
{
	trace(s, "the daemon crashes");
	for (uint32_t i = 1; i <= SIM_MAX_NICS; i++) {
		/* what listens for answers goes with the process */
		s->nic[i].probing = s->nic[i].answer_due = false;
		if (s->nic[i].present && s->nic[i].steer)
			s->nic[s->nic[i].steer].served_before_crash = true;
	}
	s->crashed = true;
	sfo_engine_free(s->eng); /* the ops ignore it: nothing is given back */
	s->eng = NULL;
	s->timer_ns = 0;
}

void sim_start(struct sim *s)
{
	trace(s, "a new daemon starts");
	s->crashed = false;
	for (uint32_t i = 1; i <= SIM_MAX_NICS; i++) {
		struct sim_nic *n = &s->nic[i];

		/* the successor's attach and prepare adopt what is pinned */
		n->attached = false;
		if (n->held_by) {
			n->held_by = 0;
			n->prepares--;
			s->prepares--;
		}
	}
	s->eng = sfo_engine_new(&sim_ops, s, s->cfg);
	if (!s->eng) {
		violate(s, "no engine after the restart");
		return;
	}
	for (uint32_t i = 1; i <= SIM_MAX_NICS; i++) {
		if (s->nic[i].released)
			sfo_engine_restore_release(s->eng, i);
		if (s->nic[i].have_tally)
			sfo_engine_restore_tally(s->eng, i, &s->nic[i].tally);
		/* Linux: the pinned pairs steered to a VF */
		if (s->nic[i].present && s->nic[i].steer)
			sfo_engine_restore_steering(s->eng, s->nic[i].steer);
	}
	for (uint32_t i = 1; i <= SIM_MAX_NICS; i++)
		if (nic(s, i))
			update(s, i);
	sfo_engine_restore_done(s->eng);
	/* what the successor did not take over is removed (Linux: fix_adopted_pair
	 * detaches the pinned pairs of standbys it does not manage, and with them
	 * their VFs' released marks) */
	for (uint32_t i = 1; i <= SIM_MAX_NICS; i++) {
		if (!s->nic[i].attached) {
			s->nic[i].steer = 0;
			s->nic[i].have_tally = false;
		}
		if (!s->nic[i].held_by)
			s->nic[i].released = false;
		s->nic[i].served_before_crash = false; /* adopted, or probed as any other */
	}
}

void sim_set_port(struct sim *s, uint32_t id, bool forwarding)
{
	struct sim_nic *n = nic(s, id);

	if (!n)
		return;
	trace(s, "%s: host port %s", n->info.name, forwarding ? "forwards" : "blocked");
	n->port_blocked = !forwarding;
}

void sim_remove(struct sim *s, uint32_t id)
{
	struct sim_nic *n = nic(s, id);
	struct sfo_counters last;

	if (!n)
		return;
	trace(s, "%s removed", n->info.name);
	n->present = false;
	if (s->crashed) {
		/* nobody to tell; what the edge kept of it goes with the device,
		 * and no successor will owe it a release */
		if (n->held_by) {
			n->held_by = 0;
			s->prepares--;
		}
		n->released = false;
		return;
	}
	/* The removal message carries the final counters (Linux: DELLINK). */
	memcpy(last.v, n->ctr, sizeof(last.v));
	last.width = n->width;
	sfo_engine_counters_sampled(s->eng, id, &last);
	sfo_engine_adapter_removed(s->eng, id);
	deliver(s);
	/* A steering that still points here would now blackhole traffic. */
	for (uint32_t i = 1; i <= SIM_MAX_NICS; i++)
		if (s->nic[i].present && s->nic[i].steer == id)
			violate(s, "%s still steers to removed %s", s->nic[i].info.name,
				n->info.name);
	if (n->held_by)
		violate(s, "%s removed while held and never released", n->info.name);
	n->held_by = 0;
}

void sim_unplug(struct sim *s, uint32_t id)
{
	struct sim_nic *n = nic(s, id);

	if (!n)
		return;
	trace(s, "%s: unplug requested", n->info.name);
	sfo_engine_vf_going_down(s->eng, id);
	deliver(s);
	sim_set_admin(s, id, false);
	sim_remove(s, id);
}

void sim_set_link(struct sim *s, uint32_t id, bool link)
{
	struct sim_nic *n = nic(s, id);

	if (!n)
		return;
	trace(s, "%s: link %s", n->info.name, link ? "up" : "down");
	n->link = link;
	refresh_carrier(n);
	update(s, id);
}

void sim_set_admin(struct sim *s, uint32_t id, bool up)
{
	struct sim_nic *n = nic(s, id);

	if (!n)
		return;
	trace(s, "%s: set %s", n->info.name, up ? "up" : "down");
	if (up)
		n->info.flags |= SFO_AF_UP;
	else
		n->info.flags &= ~(uint32_t)SFO_AF_UP;
	refresh_carrier(n);
	update(s, id);
}

void sim_set_mtu(struct sim *s, uint32_t id, uint32_t mtu)
{
	struct sim_nic *n = nic(s, id);

	if (!n)
		return;
	trace(s, "%s: MTU %u", n->info.name, mtu);
	n->info.mtu = mtu;
	update(s, id);
}

void sim_rename(struct sim *s, uint32_t id, const char *name)
{
	struct sim_nic *n = nic(s, id);

	if (!n)
		return;
	trace(s, "%s: renamed to %s", n->info.name, name);
	snprintf(n->info.name, sizeof(n->info.name), "%s", name);
	update(s, id);
}

void sim_set_master(struct sim *s, uint32_t id, uint32_t master)
{
	struct sim_nic *n = nic(s, id);

	if (!n)
		return;
	if (master)
		trace(s, "%s: enslaved to %s", n->info.name, s->nic[master].info.name);
	else
		trace(s, "%s: released by its master", n->info.name);
	n->info.master_id = master;
	n->info.flags = master ? n->info.flags | SFO_AF_STACKED : n->info.flags & ~SFO_AF_STACKED;
	update(s, id);
}

void sim_set_rx_mode(struct sim *s, uint32_t id, bool promisc, bool allmulti, size_t mc_count)
{
	uint8_t list[8][SFO_MAC_LEN];
	struct sfo_rx_mode m = { promisc, allmulti, mc_count < 8 ? mc_count : 8,
				 (const uint8_t(*)[SFO_MAC_LEN])list };

	for (size_t i = 0; i < m.mc_count; i++) {
		static const uint8_t base[SFO_MAC_LEN] = { 0x01, 0x00, 0x5e, 0, 0, 0 };

		memcpy(list[i], base, SFO_MAC_LEN);
		list[i][5] = (uint8_t)(i + 1);
	}
	trace(s, "stack sets RX mode of %s: promisc %d allmulti %d, %zu multicast",
	      s->nic[id].info.name, promisc, allmulti, m.mc_count);
	sfo_engine_standby_rx_mode(s->eng, id, &m);
	deliver(s);
}

void sim_set_offloads(struct sim *s, uint32_t id, uint32_t requested)
{
	trace(s, "stack requests offloads 0x%x on %s", requested, s->nic[id].info.name);
	sfo_engine_standby_offloads(s->eng, id, requested);
	deliver(s);
}

bool sim_reload(struct sim *s, const char *text)
{
	struct sfo_config *cfg = NULL, *old;
	char err[256];

	if (sfo_config_parse(text, strlen(text), "reload.conf", &cfg, err, sizeof(err)) < 0) {
		trace(s, "reload refused: %s", err);
		return false;
	}
	trace(s, "configuration reloaded");
	old = s->cfg;
	s->cfg = cfg; /* the edge's view of the options, as the engine's */
	sfo_engine_set_config(s->eng, cfg);
	sfo_config_free(old);
	deliver(s);
	return true;
}

void sim_advance_ms(struct sim *s, uint64_t ms)
{
	uint64_t end = s->now_ns + ms * NS_PER_MS;

	while (s->timer_ns && s->timer_ns <= end) {
		if (s->timer_ns > s->now_ns)
			s->now_ns = s->timer_ns;
		s->timer_ns = 0;
		sfo_engine_timer_expired(s->eng);
		deliver(s);
	}
	s->now_ns = end;
}

static void count(struct sim_nic *n, uint64_t frames, uint64_t bytes)
{
	if (n->width == 32) {
		n->ctr[SFO_CTR_RX_PACKETS] = (uint32_t)(n->ctr[SFO_CTR_RX_PACKETS] + frames);
		n->ctr[SFO_CTR_TX_PACKETS] = (uint32_t)(n->ctr[SFO_CTR_TX_PACKETS] + frames);
		n->ctr[SFO_CTR_RX_BYTES] = (uint32_t)(n->ctr[SFO_CTR_RX_BYTES] + frames * bytes);
		n->ctr[SFO_CTR_TX_BYTES] = (uint32_t)(n->ctr[SFO_CTR_TX_BYTES] + frames * bytes);
		return;
	}
	n->ctr[SFO_CTR_RX_PACKETS] += frames;
	n->ctr[SFO_CTR_TX_PACKETS] += frames;
	n->ctr[SFO_CTR_RX_BYTES] += frames * bytes;
	n->ctr[SFO_CTR_TX_BYTES] += frames * bytes;
}

void sim_traffic(struct sim *s, uint32_t sby, uint64_t n, uint64_t bytes)
{
	struct sim_nic *st = nic(s, sby);
	struct sim_nic *vf;

	if (!st)
		return;
	vf = st->steer ? nic(s, st->steer) : NULL;
	count(vf ? vf : st, n, bytes);
}

bool sim_pair(struct sim *s, uint32_t sby, struct sfo_pair_status *out)
{
	size_t n = sfo_engine_pair_count(s->eng);

	for (size_t i = 0; i < n; i++) {
		if (sfo_engine_pair_status(s->eng, i, out) == 0 && out->standby_id == sby)
			return true;
	}
	return false;
}

enum sfo_pair_state sim_state(struct sim *s, uint32_t sby)
{
	struct sfo_pair_status st;

	return sim_pair(s, sby, &st) ? st.state : SFO_PAIR_STATE_MAX;
}

static void check_pair(struct sim *s, const struct sfo_pair_status *st)
{
	struct sim_nic *sb = nic(s, st->standby_id);
	struct sim_nic *vf;

	if (!sb) {
		violate(s, "pair of a standby that is gone (id %u)", st->standby_id);
		return;
	}
	if (sb->steer != (st->datapath_id == st->standby_id ? 0 : st->datapath_id))
		violate(s, "%s: engine believes datapath %u, edge has %u", sb->info.name,
			st->datapath_id, sb->steer);
	if ((st->state == SFO_PAIR_ACTIVE) != (sb->steer != 0))
		violate(s, "%s: state %s with datapath on %s", sb->info.name,
			sfo_pair_state_name(st->state), sb->steer ? "VF" : "standby");
	for (int i = 0; i < SFO_CTR_MAX; i++) {
		if (st->counters.v[i] < sb->last_merged[i])
			violate(s, "%s: counter %s went back from %llu to %llu", sb->info.name,
				sfo_counter_name(i), (unsigned long long)sb->last_merged[i],
				(unsigned long long)st->counters.v[i]);
		sb->last_merged[i] = st->counters.v[i];
	}
	if (!sb->steer)
		return;
	vf = nic(s, sb->steer);
	if (!vf)
		violate(s, "%s: datapath on a VF that is gone", sb->info.name);
	else if (vf->held_by != st->standby_id)
		violate(s, "%s: datapath on %s which it does not hold", sb->info.name,
			vf->info.name);
	else if (!(vf->info.flags & SFO_AF_CARRIER))
		violate(s, "%s: datapath on %s without carrier", sb->info.name, vf->info.name);
	else if (vf->info.mtu != sb->info.mtu)
		violate(s, "%s: datapath on %s with MTU %u, standby has %u", sb->info.name,
			vf->info.name, vf->info.mtu, sb->info.mtu);
}

bool sim_check(struct sim *s)
{
	size_t n = sfo_engine_pair_count(s->eng);
	bool paired[SIM_MAX_NICS + 1] = { false };
	struct sfo_pair_status st;

	for (size_t i = 0; i < n; i++) {
		if (sfo_engine_pair_status(s->eng, i, &st) == 0) {
			check_pair(s, &st);
			if (st.standby_id <= SIM_MAX_NICS)
				paired[st.standby_id] = true;
		}
	}
	/* a pair's counters never go back while it lives; a new pair starts afresh */
	for (uint32_t i = 1; i <= SIM_MAX_NICS; i++)
		if (!paired[i])
			memset(s->nic[i].last_merged, 0, sizeof(s->nic[i].last_merged));
	for (uint32_t i = 1; i <= SIM_MAX_NICS; i++) {
		struct sim_nic *a = nic(s, i);

		if (!a)
			continue;
		if (a->steer && a->steer == i)
			violate(s, "%s steers to itself", a->info.name);
		if (a->steer && s->nic[a->steer].released)
			violate(s, "%s steers to %s (#%u), which the administrator released",
				a->info.name, s->nic[a->steer].info.name, a->steer);
		for (uint32_t j = i + 1; j <= SIM_MAX_NICS; j++)
			if (a->steer && nic(s, j) && s->nic[j].steer == a->steer)
				violate(s, "%s and %s steer to the same VF", a->info.name,
					s->nic[j].info.name);
	}
	return !s->violation[0];
}
