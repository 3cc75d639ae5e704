// SPDX-License-Identifier: BSD-2-Clause
/*
 * sfo-simulate: the failover engine through a live migration, simulated.
 *
 * Runs the real engine against the simulated edge with a virtual clock and
 * prints a timeline: what the host does, what the engine does in reply,
 * and where each millisecond's frames went. No root, no network needed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_edge.h"

#define GUEST_MAC "52:54:00:12:34:56"

enum path { VIA_VF, VIA_STANDBY, LOST, PAUSED, PATH_MAX };

struct phase {
	const char *name;
	uint64_t frames[PATH_MAX];
};

struct run {
	struct sim *s;
	uint32_t sby;
	unsigned int rate_per_ms;
	struct phase phases[8];
	int n_phases;
	bool paused; /* the VM is stopped for the migration's downtime */
};

static void phase(struct run *r, const char *name)
{
	r->phases[r->n_phases++].name = name;
	sim_note(r->s, "--- %s ---", name);
}

/* Where the datapath sends a frame right now. */
static enum path frame_path(struct run *r)
{
	struct sim_nic *sb = &r->s->nic[r->sby];
	struct sim_nic *vf = sb->steer ? &r->s->nic[sb->steer] : NULL;

	if (r->paused)
		return PAUSED;
	if (vf)
		return vf->present && (vf->info.flags & SFO_AF_CARRIER) ? VIA_VF : LOST;
	return sb->info.flags & SFO_AF_CARRIER ? VIA_STANDBY : LOST;
}

static void run_traffic(struct run *r, unsigned int ms)
{
	struct phase *ph = &r->phases[r->n_phases - 1];

	for (unsigned int i = 0; i < ms; i++) {
		enum path p = frame_path(r);

		ph->frames[p] += r->rate_per_ms;
		if (p == VIA_VF || p == VIA_STANDBY)
			sim_traffic(r->s, r->sby, r->rate_per_ms, 1000);
		sim_advance_ms(r->s, 1);
	}
}

static uint32_t hotplug_vf(struct run *r, const char *name)
{
	sim_note(r->s, "host: hot-plug %s", name);
	return sim_add(r->s, name, "iavf", GUEST_MAC, false);
}

static void scenario_migrate(struct run *r, bool surprise, bool cancel)
{
	uint32_t vf;

	phase(r, "boot");
	r->sby = sim_add(r->s, "eth0", "virtio_net", GUEST_MAC, true);
	vf = hotplug_vf(r, "enp7s0");
	run_traffic(r, 300);

	phase(r, "release");
	if (surprise) {
		sim_note(r->s, "host: VF yanked without notice");
		sim_remove(r->s, vf);
	} else {
		sim_note(r->s, "host agent: sriov-failover release eth0");
		sfo_engine_release(r->s->eng, r->sby);
		run_traffic(r, 20);
		sim_note(r->s, "host: unplug %s", r->s->nic[vf].info.name);
		sim_unplug(r->s, vf);
	}
	run_traffic(r, 200);

	if (cancel) {
		phase(r, "cancel");
		sim_note(r->s, "host: migration cancelled, VF returns on host A");
	} else {
		phase(r, "blackout");
		sim_note(r->s, "host: migration stop-and-copy, guest paused 100 ms");
		r->paused = true;
		run_traffic(r, 100);
		r->paused = false;
		sim_note(r->s, "host B: guest resumed, RARP for %s", GUEST_MAC);
		run_traffic(r, 50);
	}

	phase(r, "return");
	vf = hotplug_vf(r, cancel ? "enp7s0" : "enp8s0");
	run_traffic(r, 300);
	(void)vf;
}

static void scenario_carrier(struct run *r)
{
	uint32_t vf;

	phase(r, "boot");
	r->sby = sim_add(r->s, "eth0", "virtio_net", GUEST_MAC, true);
	vf = hotplug_vf(r, "enp7s0");
	run_traffic(r, 300);
	phase(r, "carrier-loss");
	sim_note(r->s, "host: VF's switch port goes down");
	sim_set_link(r->s, vf, false);
	run_traffic(r, 200);
	phase(r, "carrier-return");
	sim_set_link(r->s, vf, true);
	run_traffic(r, 300);
}

static void print_table(const struct run *r, FILE *out)
{
	static const char *const cols[PATH_MAX] = { "via VF", "via standby", "lost", "paused" };

	fprintf(out, "\n%-14s", "phase");
	for (int c = 0; c < PATH_MAX; c++)
		fprintf(out, "%12s", cols[c]);
	fputc('\n', out);
	for (int i = 0; i < r->n_phases; i++) {
		fprintf(out, "%-14s", r->phases[i].name);
		for (int c = 0; c < PATH_MAX; c++)
			fprintf(out, "%12llu", (unsigned long long)r->phases[i].frames[c]);
		fputc('\n', out);
	}
}

static void print_json(struct run *r)
{
	static const char *const keys[PATH_MAX] = { "via_vf", "via_standby", "lost", "paused" };
	struct sfo_pair_status st;

	printf("{\"phases\":[");
	for (int i = 0; i < r->n_phases; i++) {
		printf("%s{\"name\":\"%s\"", i ? "," : "", r->phases[i].name);
		for (int c = 0; c < PATH_MAX; c++)
			printf(",\"%s\":%llu", keys[c], (unsigned long long)r->phases[i].frames[c]);
		printf("}");
	}
	printf("]");
	if (sim_pair(r->s, r->sby, &st))
		printf(",\"state\":\"%s\",\"to_vf\":%llu,\"to_standby\":%llu,\"announcements\":%llu",
		       sfo_pair_state_name(st.state), (unsigned long long)st.failover.to_vf,
		       (unsigned long long)st.failover.to_standby,
		       (unsigned long long)st.failover.announcements);
	printf("}\n");
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: sfo-simulate [OPTIONS] [SCENARIO]\n"
		     "Run the sriov-failover engine through a simulated live migration and print\n"
		     "a timeline of what the host did and how the engine answered.\n\n"
		     "Scenarios:\n"
		     "  migrate   orderly: release, unplug, migrate, new VF on host B (default)\n"
		     "  surprise  the VF is yanked without notice, then migration\n"
		     "  cancel    released and unplugged, migration cancelled, VF back on host A\n"
		     "  carrier   the VF loses carrier and gets it back\n\n"
		     "Options:\n"
		     "  -r, --rate PPS     frames per second through the guest (default 20000)\n"
		     "  -c, --config FILE  engine configuration (sriov-failover.conf(5))\n"
		     "  -j, --json         print a JSON summary instead of the timeline\n"
		     "  -h, --help         this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run r = { .rate_per_ms = 20 };
	const char *scenario = "migrate", *conf = NULL;
	struct sfo_config *cfg = NULL;
	bool json = false;
	char err[256];
	int c;

	while ((c = getopt_long(argc, argv, "r:c:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': {
			char *end;
			unsigned long pps = strtoul(optarg, &end, 10);

			if (*end || pps < 1000 || pps > 10000000) {
				fprintf(stderr,
					"sfo-simulate: --rate must be 1000..10000000, got '%s'\n",
					optarg);
				return 2;
			}
			r.rate_per_ms = (unsigned int)(pps / 1000);
			break;
		}
		case 'c':
			conf = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		scenario = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "sfo-simulate: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (strcmp(scenario, "migrate") != 0 && strcmp(scenario, "surprise") != 0 &&
	    strcmp(scenario, "cancel") != 0 && strcmp(scenario, "carrier") != 0) {
		fprintf(stderr, "sfo-simulate: unknown scenario '%s' (see --help)\n", scenario);
		return 2;
	}
	if (conf ? sfo_config_load(conf, &cfg, err, sizeof(err)) : !(cfg = sfo_config_new())) {
		fprintf(stderr, "sfo-simulate: %s\n", conf ? err : "out of memory");
		return 2;
	}
	r.s = sim_new(cfg, json ? NULL : stdout);
	if (!r.s) {
		sfo_config_free(cfg);
		fprintf(stderr, "sfo-simulate: out of memory\n");
		return 2;
	}
	if (!json)
		printf("sriov-failover simulated run: scenario %s, %u frames/s\n\n", scenario,
		       r.rate_per_ms * 1000);
	if (strcmp(scenario, "migrate") == 0)
		scenario_migrate(&r, false, false);
	else if (strcmp(scenario, "surprise") == 0)
		scenario_migrate(&r, true, false);
	else if (strcmp(scenario, "cancel") == 0)
		scenario_migrate(&r, false, true);
	else
		scenario_carrier(&r);
	if (json)
		print_json(&r);
	else
		print_table(&r, stdout);
	r.s->trace = NULL; /* the shutdown that follows is not part of the story */
	if (!sim_check(r.s)) {
		fprintf(stderr, "sfo-simulate: invariant broken: %s\n", r.s->violation);
		sim_free(r.s);
		return 1;
	}
	sim_free(r.s);
	return 0;
}
