// SPDX-License-Identifier: BSD-2-Clause
/*
 * Seeded random event sequences against the engine, with every invariant
 * checked after every step: the datapath only ever points at a present,
 * held VF with carrier and the standby's MTU; engine and edge agree on
 * the datapath; one VF per standby; counters never decrease; every
 * prepare is released once the engine is done; no leak (ASan); a VF the
 * administrator released is never used again, also across daemon restarts;
 * traffic never moves onto a VF whose host port does not forward unless
 * there is nothing to probe or probing is off; probes are stopped before
 * their VF is given back.
 *
 * SFO_SEED=N replays one sequence; SFO_RANDOM_RUNS=N changes how many.
 */
#include <inttypes.h>

#include "sim_fixture.h"

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	/* xorshift64*: deterministic across platforms */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 33) % n;
}

static const char *const macs[] = { MAC_A, MAC_B, "02:00:00:00:00:0c" };
static const char *const vf_drivers[] = { "iavf", "mlx5_core", "e1000", "veth" };

static uint32_t pick_present(struct sim *s)
{
	uint32_t ids[SIM_MAX_NICS], n = 0;

	for (uint32_t i = 1; i <= SIM_MAX_NICS; i++)
		if (s->nic[i].present)
			ids[n++] = i;
	return n ? ids[rnd(n)] : 0;
}

static uint32_t pick_standby(struct sim *s)
{
	uint32_t id = pick_present(s);

	return id && strcmp(s->nic[id].info.driver, "virtio_net") == 0 ? id : 0;
}

static void step(struct sim *s, char *what, size_t len)
{
	uint32_t id;
	char name[16];

	switch (rnd(21)) {
	case 0:
		snprintf(name, sizeof(name), "eth%u", rnd(3));
		snprintf(what, len, "add standby %s", name);
		sim_add(s, name, "virtio_net", macs[rnd(3)], rnd(4) != 0);
		break;
	case 1:
	case 2: {
		struct sim_nic_spec spec = { .driver = vf_drivers[rnd(4)],
					     .mac = macs[rnd(3)],
					     .up = rnd(3) == 0 };

		snprintf(name, sizeof(name), "vf%u", rnd(5));
		spec.name = name;
		spec.mtu_limit = rnd(4) == 0 ? 1500 : 0;
		spec.max_mtu = rnd(6) == 0 ? 4000 : 0;
		spec.fail_prepare = rnd(12) == 0 ? -SFO_EBUSY : 0;
		spec.width = rnd(2) ? 32 : 64;
		spec.counters_start = rnd(2) ? 0xfffffff0u : 0;
		snprintf(what, len, "add %s %s", spec.driver, name);
		sim_add_spec(s, &spec);
		break;
	}
	case 3:
		id = pick_present(s);
		snprintf(what, len, "remove %u", id);
		sim_remove(s, id);
		break;
	case 4:
		id = pick_present(s);
		snprintf(what, len, "unplug %u", id);
		sim_unplug(s, id);
		break;
	case 5:
	case 6:
		id = pick_present(s);
		snprintf(what, len, "link toggle %u", id);
		if (id)
			sim_set_link(s, id, !s->nic[id].link);
		break;
	case 7:
		id = pick_present(s);
		snprintf(what, len, "admin toggle %u", id);
		if (id)
			sim_set_admin(s, id, !(s->nic[id].info.flags & SFO_AF_UP));
		break;
	case 8:
		id = pick_present(s);
		snprintf(what, len, "mtu %u", id);
		if (id)
			sim_set_mtu(s, id, rnd(2) ? 9000 : 1500);
		break;
	case 9:
		id = pick_standby(s);
		snprintf(what, len, "rx mode %u", id);
		if (id)
			sim_set_rx_mode(s, id, rnd(2), rnd(2), rnd(9));
		break;
	case 10:
		id = pick_standby(s);
		snprintf(what, len, "offloads %u", id);
		if (id)
			sim_set_offloads(s, id, rnd(SFO_OFF_ALL + 1));
		break;
	case 11:
		id = pick_present(s);
		snprintf(what, len, "%s %u", rnd(2) ? "release" : "resume", id);
		if (rnd(2))
			sfo_engine_release(s->eng, id);
		else
			sfo_engine_resume(s->eng, id);
		break;
	case 12:
		snprintf(what, len, "advance");
		sim_advance_ms(s, rnd(300));
		break;
	case 13:
		id = pick_standby(s);
		snprintf(what, len, "traffic %u", id);
		sim_traffic(s, id, rnd(1000), 1 + rnd(1500));
		break;
	case 14:
		snprintf(what, len, "steer failures %s", s->fail_steer_to_vf ? "off" : "on");
		s->fail_steer_to_vf = s->fail_steer_to_vf ? 0 : -SFO_ENOMEM;
		break;
	case 15:
		id = pick_present(s);
		snprintf(name, sizeof(name), rnd(2) ? "eth%u" : "vf%u", rnd(5));
		snprintf(what, len, "rename %u to %s", id, name);
		sim_rename(s, id, name);
		break;
	case 16:
		id = pick_present(s);
		snprintf(what, len, "vf going down %u", id);
		sfo_engine_vf_going_down(s->eng, id);
		break;
	case 17: {
		static const char *const confs[] = {
			"",
			"vf-drivers = e1000 veth\n",
			"manage = listed\n[standby eth1]\n[standby eth2]\n",
			"bringup-delay-ms = 50\n[standby eth0]\nmanaged = no\n",
			"probe-timeout-ms = 100\nprobe-interval-ms = 20\n",
			"[standby eth1]\nprobe-path = no\n",
		};
		int c = (int)rnd(6);

		snprintf(what, len, "reload config %d", c);
		sim_reload(s, confs[c]);
		break;
	}
	case 18:
		id = rnd(2) ? pick_present(s) : 0;
		snprintf(what, len, "daemon crash and restart%s%s",
			 id ? ", meanwhile removed " : "", id ? s->nic[id].info.name : "");
		sim_crash(s);
		sim_remove(s, id);
		sim_start(s);
		break;
	case 19:
		id = pick_present(s);
		snprintf(what, len, "host port toggle %u", id);
		if (id)
			sim_set_port(s, id, s->nic[id].port_blocked);
		break;
	case 20:
		id = pick_standby(s);
		snprintf(what, len, "neighbours toggle %u", id);
		if (id)
			s->nic[id].no_neighbour = !s->nic[id].no_neighbour;
		break;
	}
}

static void run_sequence(uint64_t seed, int steps)
{
	struct sim *s;
	char what[64] = "start";

	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	s = sim_with(rnd(2) ? "bringup-delay-ms = 30\nannounce-count = 2\n" : NULL);
	for (int i = 0; i < steps; i++) {
		step(s, what, sizeof(what));
		if (!sim_check(s))
			fail_msg("seed %" PRIu64 " step %d (%s): %s", seed, i, what, s->violation);
	}
	if (!sim_finish(s))
		fail_msg("seed %" PRIu64 " at shutdown: %s", seed, s->violation);
	sim_free(s);
}

static void test_random_sequences(void **state)
{
	const char *one = getenv("SFO_SEED");
	const char *runs_env = getenv("SFO_RANDOM_RUNS");
	int runs = runs_env ? atoi(runs_env) : 3000;

	(void)state;
	if (one) {
		run_sequence(strtoull(one, NULL, 10), 200);
		return;
	}
	for (int seed = 1; seed <= runs; seed++)
		run_sequence((uint64_t)seed, 200);
}

/* The checker itself must catch a broken engine: steer behind its back. */
static void test_checker_catches_stale_datapath(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t vf = sim_add(s, "vf0", "iavf", MAC_A, false);

	(void)state;
	assert_true(sim_check(s));
	s->nic[vf].info.flags &= ~(uint32_t)SFO_AF_CARRIER; /* world changed, engine not told */
	assert_false(sim_check(s));
	assert_non_null(strstr(s->violation, "without carrier"));
	s->violation[0] = 0;
	s->nic[vf].info.flags |= SFO_AF_CARRIER;
	s->nic[sby].steer = 0;
	assert_false(sim_check(s));
	assert_non_null(strstr(s->violation, "engine believes datapath"));
	s->nic[sby].steer = vf;
	s->violation[0] = 0;
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_sequences),
		cmocka_unit_test(test_checker_catches_stale_datapath),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
