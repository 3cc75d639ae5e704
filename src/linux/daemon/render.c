// SPDX-License-Identifier: BSD-2-Clause
/*
 * What the control socket answers: status, adapters, events. The engine's
 * reports are printed by src/common/report.c (shared with the Windows
 * edge's sriov-failover.exe); this adds what only the Linux daemon has: its
 * own facts and the datapath's counters.
 */
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "datapath.h"
#include "json_print.h"
#include "report.h"

#define NS_PER_MS 1000000ull

static void print_dp_counters(struct printer *pr, const struct sfo_dp_stats *s)
{
	print_obj_open(pr, "datapath_counters");
	print_u64(pr, PRINT_ANY, "tx_vf_packets", "  datapath: %llu frames out", s->tx_vf_packets);
	print_u64(pr, PRINT_JSON, "tx_vf_bytes", NULL, s->tx_vf_bytes);
	print_u64(pr, PRINT_JSON, "tx_standby_packets", NULL, s->tx_standby_packets);
	print_u64(pr, PRINT_JSON, "tx_nodev", NULL, s->tx_nodev);
	print_u64(pr, PRINT_ANY, "rx_vf_packets", " and %llu in through the VF", s->rx_vf_packets);
	print_u64(pr, PRINT_JSON, "rx_vf_bytes", NULL, s->rx_vf_bytes);
	print_u64(pr, PRINT_ANY, "rx_dup_dropped", ", %llu duplicates dropped\n",
		  s->rx_dup_dropped);
	print_u64(pr, PRINT_JSON, "close_hook_flips", NULL, s->close_hook_flips);
	print_obj_close(pr);
}

bool render_status(struct daemon *d, struct printer *pr, const char *only)
{
	bool found = false;
	size_t n = sfo_engine_pair_count(d->eng);
	uint64_t now = mono_ns();

	print_obj_open(pr, NULL);
	print_obj_open(pr, "daemon");
	print_i64(pr, PRINT_JSON, "pid", NULL, getpid());
	print_str(pr, PRINT_JSON, "version", NULL, SFO_VERSION);
	print_u64(pr, PRINT_JSON, "uptime_ms", NULL, (now - d->start_ns) / NS_PER_MS);
	print_bool(pr, PRINT_JSON, "close_hook", NULL, sfo_dp_has_close_hook(d->dp));
	print_u64(pr, PRINT_JSON, "resyncs", NULL, d->resyncs);
	print_obj_close(pr);
	if (!n)
		print_text(pr, "no standby managed\n");
	print_arr_open(pr, "pairs");
	for (size_t i = 0; i < n; i++) {
		struct sfo_pair_status p;
		struct sfo_dp_stats dps = { 0 };

		if (sfo_engine_pair_status(d->eng, i, &p) < 0)
			continue;
		if (only && strcmp(only, p.standby_name) != 0 && strcmp(only, p.vf_name) != 0)
			continue;
		found = true;
		sfo_dp_read_stats(d->dp, (int)p.standby_id, &dps);
		report_pair_open(pr, &p, now);
		print_dp_counters(pr, &dps);
		print_obj_close(pr);
	}
	print_arr_close(pr);
	print_obj_close(pr);
	return found || !only;
}

void render_adapters(struct daemon *d, struct printer *pr)
{
	size_t n = sfo_engine_adapter_count(d->eng);

	report_adapters_head(pr);
	print_obj_open(pr, NULL);
	print_arr_open(pr, "adapters");
	for (size_t i = 0; i < n; i++) {
		struct sfo_adapter_status st;

		if (sfo_engine_adapter_status(d->eng, i, &st) == 0)
			report_adapter(pr, &st);
	}
	print_arr_close(pr);
	print_obj_close(pr);
}

void render_events(struct daemon *d, struct printer *pr, size_t max)
{
	static struct sfo_event ev[SFO_EVENT_RING_SIZE];
	size_t n = sfo_engine_events(d->eng, ev,
				     max < SFO_EVENT_RING_SIZE ? max : SFO_EVENT_RING_SIZE);
	uint64_t now = mono_ns();

	print_obj_open(pr, NULL);
	print_arr_open(pr, "events");
	for (size_t i = 0; i < n; i++)
		report_event(pr, &ev[i], now);
	print_arr_close(pr);
	print_obj_close(pr);
}
