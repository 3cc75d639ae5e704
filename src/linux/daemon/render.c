// SPDX-License-Identifier: BSD-2-Clause
/* What the control socket answers: status, adapters, events; JSON or text. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "datapath.h"
#include "json.h"

#define NS_PER_MS 1000000ull

static const char *datapath_name(const struct sfo_pair_status *p)
{
	return p->datapath_id == p->standby_id ? p->standby_name : p->vf_name;
}

static void json_counters(struct json *j, const struct sfo_counters *c)
{
	json_obj_open(j, "counters");
	for (int i = 0; i < SFO_CTR_MAX; i++)
		json_u64(j, sfo_counter_name(i), c->v[i]);
	json_obj_close(j);
}

static void json_dp_counters(struct json *j, const struct sfo_dp_stats *s)
{
	json_obj_open(j, "datapath_counters");
	json_u64(j, "tx_vf_packets", s->tx_vf_packets);
	json_u64(j, "tx_vf_bytes", s->tx_vf_bytes);
	json_u64(j, "tx_standby_packets", s->tx_standby_packets);
	json_u64(j, "tx_nodev", s->tx_nodev);
	json_u64(j, "rx_vf_packets", s->rx_vf_packets);
	json_u64(j, "rx_vf_bytes", s->rx_vf_bytes);
	json_u64(j, "rx_dup_dropped", s->rx_dup_dropped);
	json_u64(j, "close_hook_flips", s->close_hook_flips);
	json_obj_close(j);
}

static void json_pair(struct json *j, const struct sfo_pair_status *p,
		      const struct sfo_dp_stats *dps, uint64_t now)
{
	const struct sfo_failover_stats *f = &p->failover;

	json_obj_open(j, NULL);
	json_str(j, "standby", p->standby_name);
	json_u64(j, "standby_ifindex", p->standby_id);
	json_str(j, "vf", p->vf_id ? p->vf_name : NULL);
	if (p->vf_id)
		json_u64(j, "vf_ifindex", p->vf_id);
	else
		json_null(j, "vf_ifindex");
	json_str(j, "state", sfo_pair_state_name(p->state));
	json_str(j, "datapath", datapath_name(p));
	json_str(j, "reason", p->reason);
	json_u64(j, "since_ms", (now - p->since_ns) / NS_PER_MS);
	json_u64(j, "spares", p->spares);
	json_counters(j, &p->counters);
	json_obj_open(j, "failover");
	json_u64(j, "to_vf", f->to_vf);
	json_u64(j, "to_standby", f->to_standby);
	json_u64(j, "ms_on_vf", f->ns_on_vf / NS_PER_MS);
	json_u64(j, "ms_on_standby", f->ns_on_standby / NS_PER_MS);
	json_u64(j, "announcements", f->announcements);
	json_u64(j, "vfs_bound", f->vf_bound);
	json_str(j, "last_switch_reason", f->last_switch_reason);
	json_obj_close(j);
	json_dp_counters(j, dps);
	json_obj_close(j);
}

static void text_pair(FILE *out, const struct sfo_pair_status *p, const struct sfo_dp_stats *dps,
		      uint64_t now)
{
	const struct sfo_failover_stats *f = &p->failover;
	const struct sfo_counters *c = &p->counters;

	fprintf(out, "%s: %s, datapath on %s (%s, %.1f s ago)\n", p->standby_name,
		sfo_pair_state_name(p->state), datapath_name(p), p->reason,
		(double)(now - p->since_ns) / 1e9);
	fprintf(out, "  vf %s%s", p->vf_id ? p->vf_name : "none", p->spares ? "" : "\n");
	if (p->spares)
		fprintf(out, ", %u spare(s)\n", p->spares);
	fprintf(out,
		"  rx %llu packets %llu bytes, tx %llu packets %llu bytes, "
		"errors %llu/%llu, dropped %llu/%llu\n",
		(unsigned long long)c->v[SFO_CTR_RX_PACKETS],
		(unsigned long long)c->v[SFO_CTR_RX_BYTES],
		(unsigned long long)c->v[SFO_CTR_TX_PACKETS],
		(unsigned long long)c->v[SFO_CTR_TX_BYTES],
		(unsigned long long)c->v[SFO_CTR_RX_ERRORS],
		(unsigned long long)c->v[SFO_CTR_TX_ERRORS],
		(unsigned long long)c->v[SFO_CTR_RX_DROPPED],
		(unsigned long long)c->v[SFO_CTR_TX_DROPPED]);
	fprintf(out,
		"  switches: %llu to VF, %llu to standby; %.1f s on VF, %.1f s on standby; "
		"%llu announcements\n",
		(unsigned long long)f->to_vf, (unsigned long long)f->to_standby,
		(double)f->ns_on_vf / 1e9, (double)f->ns_on_standby / 1e9,
		(unsigned long long)f->announcements);
	if (f->last_switch_reason[0])
		fprintf(out, "  last switch: %s\n", f->last_switch_reason);
	fprintf(out,
		"  datapath: %llu frames out and %llu in through the VF, %llu duplicates dropped\n",
		(unsigned long long)dps->tx_vf_packets, (unsigned long long)dps->rx_vf_packets,
		(unsigned long long)dps->rx_dup_dropped);
}

bool render_status(struct daemon *d, bool as_json, const char *only, FILE *out)
{
	bool found = false;
	size_t n = sfo_engine_pair_count(d->eng);
	uint64_t now = mono_ns();
	struct json j;

	if (as_json) {
		json_begin(&j, out);
		json_obj_open(&j, NULL);
		json_obj_open(&j, "daemon");
		json_i64(&j, "pid", getpid());
		json_str(&j, "version", SFO_VERSION);
		json_u64(&j, "uptime_ms", (now - d->start_ns) / NS_PER_MS);
		json_bool(&j, "close_hook", sfo_dp_has_close_hook(d->dp));
		json_u64(&j, "resyncs", d->resyncs);
		json_obj_close(&j);
		json_arr_open(&j, "pairs");
	} else if (!n) {
		fprintf(out, "no standby managed\n");
	}
	for (size_t i = 0; i < n; i++) {
		struct sfo_pair_status p;
		struct sfo_dp_stats dps = { 0 };

		if (sfo_engine_pair_status(d->eng, i, &p) < 0)
			continue;
		if (only && strcmp(only, p.standby_name) != 0 && strcmp(only, p.vf_name) != 0)
			continue;
		found = true;
		sfo_dp_read_stats(d->dp, (int)p.standby_id, &dps);
		if (as_json)
			json_pair(&j, &p, &dps, now);
		else
			text_pair(out, &p, &dps, now);
	}
	if (as_json) {
		json_arr_close(&j);
		json_obj_close(&j);
		json_end(&j);
	}
	return found || !only;
}

void render_adapters(struct daemon *d, bool as_json, FILE *out)
{
	size_t n = sfo_engine_adapter_count(d->eng);
	struct json j;

	if (as_json) {
		json_begin(&j, out);
		json_obj_open(&j, NULL);
		json_arr_open(&j, "adapters");
	} else {
		fprintf(out, "%-16s %7s %-10s %-12s %-17s %s\n", "NAME", "IFINDEX", "ROLE",
			"DRIVER", "MAC", "WHY");
	}
	for (size_t i = 0; i < n; i++) {
		struct sfo_adapter_status st;
		const uint8_t *m;
		char mac[18];

		if (sfo_engine_adapter_status(d->eng, i, &st) < 0)
			continue;
		m = st.info.perm_mac;
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
			 m[4], m[5]);
		if (!as_json) {
			fprintf(out, "%-16s %7u %-10s %-12s %-17s %s\n", st.info.name, st.info.id,
				sfo_role_name(st.role), st.info.driver[0] ? st.info.driver : "-",
				mac, st.reason);
			continue;
		}
		json_obj_open(&j, NULL);
		json_str(&j, "name", st.info.name);
		json_u64(&j, "ifindex", st.info.id);
		json_str(&j, "role", sfo_role_name(st.role));
		json_str(&j, "driver", st.info.driver);
		json_str(&j, "kind", st.info.kind);
		json_str(&j, "mac", mac);
		json_str(&j, "reason", st.reason);
		json_obj_close(&j);
	}
	if (as_json) {
		json_arr_close(&j);
		json_obj_close(&j);
		json_end(&j);
	}
}

void render_events(struct daemon *d, bool as_json, size_t max, FILE *out)
{
	static struct sfo_event ev[SFO_EVENT_RING_SIZE];
	size_t n = sfo_engine_events(d->eng, ev,
				     max < SFO_EVENT_RING_SIZE ? max : SFO_EVENT_RING_SIZE);
	uint64_t now = mono_ns();
	struct json j;

	if (as_json) {
		json_begin(&j, out);
		json_obj_open(&j, NULL);
		json_arr_open(&j, "events");
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t ago = (now - ev[i].ts_ns) / NS_PER_MS;

		if (!as_json) {
			fprintf(out, "%10.3f s ago  %-12s %-9s -> %-9s %s\n", (double)ago / 1e3,
				ev[i].standby_name, sfo_pair_state_name(ev[i].from),
				sfo_pair_state_name(ev[i].to), ev[i].reason);
			continue;
		}
		json_obj_open(&j, NULL);
		json_u64(&j, "ms_ago", ago);
		json_u64(&j, "mono_ns", ev[i].ts_ns); /* CLOCK_MONOTONIC, for tools on this host */
		json_str(&j, "standby", ev[i].standby_name);
		json_str(&j, "from", sfo_pair_state_name(ev[i].from));
		json_str(&j, "to", sfo_pair_state_name(ev[i].to));
		json_str(&j, "reason", ev[i].reason);
		json_obj_close(&j);
	}
	if (as_json) {
		json_arr_close(&j);
		json_obj_close(&j);
		json_end(&j);
	}
}
