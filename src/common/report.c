// SPDX-License-Identifier: BSD-2-Clause
/*
 * The engine's reports as text or JSON (report.h), from the structures the
 * engine fills: the same on every edge.
 */
#include "report.h"

#define NS_PER_MS 1000000ull

static const char *datapath_name(const struct sfo_pair_status *p)
{
	return p->datapath_id == p->standby_id ? p->standby_name : p->vf_name;
}

/* Text of the pair's counters: "rx/tx packets 1/2, bytes 3/4, ..."; NULL: JSON only. */
static const char *const counter_text[SFO_CTR_MAX] = {
	[SFO_CTR_RX_PACKETS] = "  rx/tx packets %llu", [SFO_CTR_TX_PACKETS] = "/%llu",
	[SFO_CTR_RX_BYTES] = ", bytes %llu",	       [SFO_CTR_TX_BYTES] = "/%llu",
	[SFO_CTR_RX_ERRORS] = ", errors %llu",	       [SFO_CTR_TX_ERRORS] = "/%llu",
	[SFO_CTR_RX_DROPPED] = ", dropped %llu",       [SFO_CTR_TX_DROPPED] = "/%llu\n",
};

static void print_counters(struct printer *pr, const struct sfo_counters *c)
{
	print_obj_open(pr, "counters");
	for (int i = 0; i < SFO_CTR_MAX; i++)
		print_u64(pr, counter_text[i] ? PRINT_ANY : PRINT_JSON, sfo_counter_name(i),
			  counter_text[i], c->v[i]);
	print_obj_close(pr);
}

static void print_failover(struct printer *pr, const struct sfo_failover_stats *f)
{
	print_obj_open(pr, "failover");
	print_u64(pr, PRINT_ANY, "to_vf", "  switches: %llu to VF, ", f->to_vf);
	print_u64(pr, PRINT_ANY, "to_standby", "%llu to standby; ", f->to_standby);
	print_u64(pr, PRINT_JSON, "ms_on_vf", NULL, f->ns_on_vf / NS_PER_MS);
	print_u64(pr, PRINT_JSON, "ms_on_standby", NULL, f->ns_on_standby / NS_PER_MS);
	print_text(pr, "%.1f s on VF, %.1f s on standby; ", (double)f->ns_on_vf / 1e9,
		   (double)f->ns_on_standby / 1e9);
	print_u64(pr, PRINT_ANY, "announcements", "%llu announcements", f->announcements);
	print_u64(pr, PRINT_ANY, "vfs_bound", ", %llu VF(s) used\n", f->vf_bound);
	/* text only once there is something to say */
	print_u64(pr, f->probes || f->unproven ? PRINT_ANY : PRINT_JSON, "path_probes",
		  "  path probes: %llu sent, ", f->probes);
	print_u64(pr, f->probes || f->unproven ? PRINT_ANY : PRINT_JSON, "path_probe_timeouts",
		  "%llu times no answer in time, ", f->probe_timeouts);
	print_u64(pr, f->probes || f->unproven ? PRINT_ANY : PRINT_JSON, "unproven",
		  "%llu VF(s) used unproven\n", f->unproven);
	print_str(pr, f->last_switch_reason[0] ? PRINT_ANY : PRINT_JSON, "last_switch_reason",
		  "  last switch: %s\n", f->last_switch_reason);
	print_obj_close(pr);
}

void report_pair_open(struct printer *pr, const struct sfo_pair_status *p, uint64_t now_ns)
{
	const char *vf = p->vf_id ? p->vf_name : NULL;

	print_obj_open(pr, NULL);
	print_str(pr, PRINT_ANY, "standby", "%s: ", p->standby_name);
	print_u64(pr, PRINT_JSON, "standby_ifindex", NULL, p->standby_id);
	print_str(pr, PRINT_JSON, "vf", NULL, vf);
	if (vf)
		print_u64(pr, PRINT_JSON, "vf_ifindex", NULL, p->vf_id);
	else
		print_null(pr, "vf_ifindex");
	print_text(pr, "VF %s, ", vf ? vf : "none");
	print_str(pr, PRINT_ANY, "state", "%s, ", sfo_pair_state_name(p->state));
	print_str(pr, PRINT_ANY, "datapath", "datapath on %s ", datapath_name(p));
	print_str(pr, PRINT_ANY, "reason", "(%s, ", p->reason);
	print_u64(pr, PRINT_JSON, "since_ms", NULL, (now_ns - p->since_ns) / NS_PER_MS);
	print_text(pr, "%.1f s ago)\n", (double)(now_ns - p->since_ns) / 1e9);
	print_u64(pr, p->spares ? PRINT_ANY : PRINT_JSON, "spares", "  %llu spare VF(s)\n",
		  p->spares);
	print_counters(pr, &p->counters);
	print_failover(pr, &p->failover);
}

void report_adapters_head(struct printer *pr)
{
	print_text(pr, "%-16s %7s %-10s %-12s %-17s %s\n", "NAME", "IFINDEX", "ROLE", "DRIVER",
		   "MAC", "WHY");
}

void report_adapter(struct printer *pr, const struct sfo_adapter_status *st)
{
	const uint8_t *m = st->info.perm_mac;
	char mac[18];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	print_obj_open(pr, NULL);
	print_str(pr, PRINT_ANY, "name", "%-16s ", st->info.name);
	print_u64(pr, PRINT_ANY, "ifindex", "%7llu ", st->info.id);
	print_str(pr, PRINT_ANY, "role", "%-10s ", sfo_role_name(st->role));
	print_str(pr, PRINT_JSON, "driver", NULL, st->info.driver);
	print_text(pr, "%-12s ", st->info.driver[0] ? st->info.driver : "-");
	print_str(pr, PRINT_JSON, "kind", NULL, st->info.kind);
	print_str(pr, PRINT_ANY, "mac", "%-17s ", mac);
	print_str(pr, PRINT_ANY, "reason", "%s\n", st->reason);
	print_obj_close(pr);
}

void report_event(struct printer *pr, const struct sfo_event *ev, uint64_t now_ns)
{
	uint64_t ago = (now_ns - ev->ts_ns) / NS_PER_MS;

	print_obj_open(pr, NULL);
	print_u64(pr, PRINT_JSON, "ms_ago", NULL, ago);
	print_text(pr, "%10.3f s ago  ", (double)ago / 1e3);
	/* the engine's clock (Linux: CLOCK_MONOTONIC), for tools on this host */
	print_u64(pr, PRINT_JSON, "mono_ns", NULL, ev->ts_ns);
	print_str(pr, PRINT_ANY, "standby", "%-12s ", ev->standby_name);
	print_str(pr, PRINT_ANY, "from", "%-9s -> ", sfo_pair_state_name(ev->from));
	print_str(pr, PRINT_ANY, "to", "%-9s ", sfo_pair_state_name(ev->to));
	print_str(pr, PRINT_ANY, "reason", "%s\n", ev->reason);
	print_obj_close(pr);
}
