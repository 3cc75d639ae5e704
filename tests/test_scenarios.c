// SPDX-License-Identifier: BSD-2-Clause
/* Scenario tests of the failover engine through the simulated edge. */
#include "sim_fixture.h"

static struct sim *active_pair(uint32_t *sby, uint32_t *vf)
{
	struct sim *s = sim_with(NULL);

	*sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	*vf = sim_add(s, "vf0", "iavf", MAC_A, false);
	assert_state(s, *sby, SFO_PAIR_ACTIVE);
	assert_int_equal(s->nic[*sby].steer, *vf);
	assert_sim_ok(s);
	return s;
}

/* --- arrival orders --- */

static void check_arrival_order(const int order[3])
{
	struct sim *s = sim_with(NULL);
	uint32_t id[3] = { 0 };
	struct sfo_pair_status st;

	for (int i = 0; i < 3; i++) {
		switch (order[i]) {
		case 0:
			id[0] = sim_add(s, "eth0", "virtio_net", MAC_A, true);
			break;
		case 1:
			id[1] = sim_add(s, "vf0", "iavf", MAC_A, false);
			break;
		case 2:
			id[2] = sim_add(s, "vf1", "ixgbevf", MAC_A, false);
			break;
		}
		assert_sim_ok(s);
	}
	assert_state(s, id[0], SFO_PAIR_ACTIVE);
	assert_true(sim_pair(s, id[0], &st));
	assert_int_equal(st.spares, 1);
	/* both VFs are held: nothing else may configure a device with our MAC */
	assert_int_equal(s->nic[id[1]].held_by, id[0]);
	assert_int_equal(s->nic[id[2]].held_by, id[0]);
	assert_true(st.vf_id == id[1] || st.vf_id == id[2]);
	assert_int_equal(s->nic[id[0]].steer, st.vf_id);
	sim_done(s);
}

static void test_every_arrival_order(void **state)
{
	static const int orders[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
					  { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };

	(void)state;
	for (int i = 0; i < 6; i++)
		check_arrival_order(orders[i]);
}

static void test_vf_waits_as_candidate(void **state)
{
	struct sim *s = sim_with(NULL);
	struct sfo_adapter_status st;
	uint32_t vf = sim_add(s, "vf0", "iavf", MAC_A, false);

	(void)state;
	assert_non_null(adapter_named(s, "vf0", &st));
	assert_int_equal(st.role, SFO_ROLE_CANDIDATE);
	assert_non_null(strstr(st.reason, "no standby with MAC 02:00:00:00:00:0a"));
	/* not touched until a standby claims it */
	assert_int_equal(s->nic[vf].held_by, 0);
	assert_false(s->nic[vf].info.flags & SFO_AF_UP);
	sim_done(s);
}

/* --- leaving --- */

static void test_orderly_release_moves_traffic_first(void **state)
{
	uint32_t sby, vf;
	struct sim *s = active_pair(&sby, &vf);
	struct sfo_pair_status st;

	(void)state;
	sfo_engine_vf_going_down(s->eng, vf);
	/* still present, but traffic already left it */
	assert_int_equal(s->nic[sby].steer, 0);
	assert_state(s, sby, SFO_PAIR_DRAINING);
	assert_int_equal(s->nic[vf].held_by, sby);
	sim_set_admin(s, vf, false);
	assert_state(s, sby, SFO_PAIR_DRAINING);
	sim_remove(s, vf); /* would flag a steering left on the removed VF */
	assert_sim_ok(s);
	assert_state(s, sby, SFO_PAIR_NO_VF);
	assert_int_equal(s->nic[vf].releases, 1);
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.failover.to_vf, 1);
	assert_int_equal(st.failover.to_standby, 1);
	assert_non_null(strstr(st.failover.last_switch_reason, "vf0 going down"));
	sim_done(s);
}

static void test_admin_release_and_resume(void **state)
{
	uint32_t sby, vf;
	struct sim *s = active_pair(&sby, &vf);

	(void)state;
	assert_int_equal(sfo_engine_release(s->eng, sby), 0);
	assert_state(s, sby, SFO_PAIR_DRAINING);
	assert_int_equal(s->nic[sby].steer, 0);
	/* held: carrier changes do not bring it back */
	sim_set_link(s, vf, false);
	sim_set_link(s, vf, true);
	assert_state(s, sby, SFO_PAIR_DRAINING);
	assert_int_equal(sfo_engine_resume(s->eng, vf), 0);
	sim_settle(s); /* the path through it is proven again */
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_int_equal(s->nic[sby].steer, vf);
	assert_int_equal(sfo_engine_release(s->eng, 99), -SFO_ENOENT);
	sim_remove(s, vf);
	/* nothing to release: the next VF is used as usual */
	assert_int_equal(sfo_engine_release(s->eng, sby), 0);
	vf = sim_add(s, "vf1", "iavf", MAC_A, false);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_sim_ok(s);
	sim_done(s);
}

static void test_release_applies_to_leaving_vf_only(void **state)
{
	uint32_t sby, vf;
	struct sim *s = active_pair(&sby, &vf);
	uint32_t vf2;

	(void)state;
	sfo_engine_release(s->eng, sby);
	sim_remove(s, vf);
	/* the VF hot-added after migration is used at once */
	vf2 = sim_add(s, "vf1", "iavf", MAC_A, false);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_int_equal(s->nic[sby].steer, vf2);
	assert_sim_ok(s);
	sim_done(s);
}

/* The daemon restarts between the host's release and the VF's removal: the
 * successor must not move traffic back onto the released VF. */
static void test_release_survives_restart(void **state)
{
	uint32_t sby, vf, vf2;
	struct sim *s = active_pair(&sby, &vf);
	unsigned int steers;

	(void)state;
	assert_int_equal(sfo_engine_release(s->eng, sby), 0);
	assert_true(s->nic[vf].released);
	steers = s->steers;
	sim_crash(s);
	sim_start(s);
	assert_state(s, sby, SFO_PAIR_DRAINING);
	assert_int_equal(s->nic[sby].steer, 0);
	assert_int_equal(s->nic[vf].held_by, sby); /* still isolated */
	assert_int_equal(s->steers, steers);	   /* never steered anywhere */
	assert_sim_ok(s);
	/* the host unplugs it; the next VF is used at once */
	sim_remove(s, vf);
	assert_state(s, sby, SFO_PAIR_NO_VF);
	vf2 = sim_add(s, "vf1", "iavf", MAC_A, false);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_int_equal(s->nic[sby].steer, vf2);
	assert_sim_ok(s);
	sim_done(s);
}

static void test_resume_after_restart(void **state)
{
	uint32_t sby, vf;
	struct sim *s = active_pair(&sby, &vf);

	(void)state;
	sfo_engine_release(s->eng, vf);
	sim_crash(s);
	sim_start(s);
	assert_state(s, sby, SFO_PAIR_DRAINING);
	assert_int_equal(sfo_engine_resume(s->eng, sby), 0);
	assert_false(s->nic[vf].released);
	sim_settle(s);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_int_equal(s->nic[sby].steer, vf);
	assert_sim_ok(s);
	sim_done(s);
}

/* The released VF left while no daemon ran: its successor device (same id in
 * the sim, as an ifindex could be) is not held back. */
static void test_restored_release_forgotten_when_vf_left(void **state)
{
	uint32_t sby, vf, vf2;
	struct sim *s = active_pair(&sby, &vf);

	(void)state;
	sfo_engine_release(s->eng, sby);
	sim_crash(s);
	sim_remove(s, vf);
	sim_start(s);
	assert_state(s, sby, SFO_PAIR_NO_VF);
	vf2 = sim_add(s, "vf1", "iavf", MAC_A, false);
	assert_int_equal(vf2, vf);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_sim_ok(s);
	sim_done(s);
}

/* Restored before the restart's dump, the release also holds for a VF that
 * pairs as a spare first and serves later. */
static void test_restored_release_of_a_spare(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby, vf, spare;

	(void)state;
	sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	vf = sim_add(s, "vf0", "iavf", MAC_A, false);
	spare = sim_add(s, "vf1", "iavf", MAC_A, false);
	/* a restart that finds vf1 released: as if an earlier run had released it */
	sim_crash(s);
	s->nic[spare].released = true;
	sim_start(s);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_int_equal(s->nic[sby].steer, vf);
	sim_remove(s, vf);
	assert_state(s, sby, SFO_PAIR_DRAINING); /* the spare serves, released */
	assert_int_equal(s->nic[sby].steer, 0);
	assert_sim_ok(s);
	sim_done(s);
}

static void test_surprise_removal(void **state)
{
	uint32_t sby, vf;
	struct sim *s = active_pair(&sby, &vf);

	(void)state;
	sim_remove(s, vf);
	assert_sim_ok(s);
	assert_state(s, sby, SFO_PAIR_NO_VF);
	assert_int_equal(s->nic[sby].steer, 0);
	assert_int_equal(s->nic[vf].releases, 1);
	sim_done(s);
}

static void test_vf_admin_down_and_up(void **state)
{
	uint32_t sby, vf;
	struct sim *s = active_pair(&sby, &vf);

	(void)state;
	sim_set_admin(s, vf, false);
	assert_state(s, sby, SFO_PAIR_DRAINING);
	assert_int_equal(s->nic[sby].steer, 0);
	sim_set_admin(s, vf, true);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_sim_ok(s);
	sim_done(s);
}

/* --- carrier --- */

static void test_carrier_loss_and_return(void **state)
{
	uint32_t sby, vf;
	struct sim *s = active_pair(&sby, &vf);
	struct sfo_pair_status st;

	(void)state;
	sim_set_link(s, vf, false);
	assert_state(s, sby, SFO_PAIR_FALLBACK);
	assert_int_equal(s->nic[sby].steer, 0);
	assert_sim_ok(s);
	sim_advance_ms(s, 250);
	sim_set_link(s, vf, true);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.failover.to_vf, 2);
	assert_int_equal(st.failover.to_standby, 1);
	assert_int_equal(st.failover.vf_bound, 1);
	assert_true(st.failover.ns_on_standby >= 250000000ull);
	/* carrier is not enough: the switch waited for the answer through it */
	assert_non_null(strstr(st.failover.last_switch_reason, "path through vf0 proven"));
	sim_done(s);
}

static void test_vf_without_carrier_waits(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	struct sim_nic_spec spec = {
		.name = "vf0", .driver = "iavf", .mac = MAC_A, .no_link = true
	};
	uint32_t vf = sim_add_spec(s, &spec);

	(void)state;
	/* brought up by us, but no carrier: binding, traffic on standby */
	assert_true(s->nic[vf].info.flags & SFO_AF_UP);
	assert_state(s, sby, SFO_PAIR_BINDING);
	assert_int_equal(s->nic[sby].steer, 0);
	sim_set_link(s, vf, true);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_sim_ok(s);
	sim_done(s);
}

/* --- MTU --- */

static void test_mtu_propagated_before_use(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t vf;

	(void)state;
	sim_set_mtu(s, sby, 9000);
	vf = sim_add(s, "vf0", "iavf", MAC_A, false);
	assert_int_equal(s->nic[vf].info.mtu, 9000);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	/* and follows the standby while active */
	sim_set_mtu(s, sby, 4000);
	assert_int_equal(s->nic[vf].info.mtu, 4000);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	/* someone changes the VF behind our back: put right again */
	sim_set_mtu(s, vf, 1500);
	assert_int_equal(s->nic[vf].info.mtu, 4000);
	assert_sim_ok(s);
	sim_done(s);
}

static void test_mtu_refused(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t vf = sim_add(s, "vf0", "iavf", MAC_A, false);
	struct sfo_pair_status st;

	(void)state;
	s->nic[vf].mtu_limit = 1500;
	sim_set_mtu(s, sby, 9000);
	assert_state(s, sby, SFO_PAIR_UNUSABLE);
	assert_int_equal(s->nic[sby].steer, 0);
	assert_int_equal(s->nic[vf].info.mtu, 1500); /* kept, not half-changed */
	assert_true(sim_pair(s, sby, &st));
	assert_non_null(strstr(st.reason, "vf0 refused MTU 9000"));
	assert_non_null(strstr(st.reason, "kept 1500"));
	assert_int_equal(s->nic[vf].held_by, sby); /* still held, unused */
	assert_sim_ok(s);
	/* back to what the VF takes: used again */
	sim_set_mtu(s, sby, 1500);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_sim_ok(s);
	sim_done(s);
}

static void test_mtu_above_max_not_tried(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	struct sim_nic_spec spec = {
		.name = "vf0", .driver = "iavf", .mac = MAC_A, .max_mtu = 3000
	};
	struct sfo_pair_status st;
	uint32_t vf;

	(void)state;
	sim_set_mtu(s, sby, 9000);
	vf = sim_add_spec(s, &spec);
	assert_state(s, sby, SFO_PAIR_UNUSABLE);
	assert_true(sim_pair(s, sby, &st));
	assert_string_equal(st.reason, "vf0 refused MTU 9000: its maximum is 3000");
	assert_int_equal(s->nic[vf].info.mtu, 1500);
	assert_sim_ok(s);
	sim_done(s);
}

/* --- RX mode and offloads --- */

static void test_rx_mode_while_absent_and_active(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t vf;

	(void)state;
	sim_set_rx_mode(s, sby, false, true, 3); /* before any VF */
	vf = sim_add(s, "vf0", "iavf", MAC_A, false);
	assert_true(s->nic[vf].allmulti);
	assert_false(s->nic[vf].promisc);
	assert_int_equal(s->nic[vf].mc_count, 3);
	assert_int_equal(s->nic[vf].mc[2][5], 3);
	sim_set_rx_mode(s, sby, true, false, 5); /* while active */
	assert_true(s->nic[vf].promisc);
	assert_false(s->nic[vf].allmulti);
	assert_int_equal(s->nic[vf].mc_count, 5);
	sim_set_rx_mode(s, sby, false, false, 0);
	assert_int_equal(s->nic[vf].mc_count, 0);
	assert_false(s->nic[vf].promisc);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	sim_done(s);
}

static void test_rx_mode_refused_keeps_traffic(void **state)
{
	uint32_t sby, vf;
	struct sim *s = active_pair(&sby, &vf);

	(void)state;
	s->nic[vf].refuse_rx_mode = true;
	sim_set_rx_mode(s, sby, true, false, 0);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	s->nic[vf].refuse_rx_mode = false;
	sim_set_rx_mode(s, sby, true, false, 1); /* retried on the next change */
	assert_true(s->nic[vf].promisc);
	sim_done(s);
}

static void test_offloads_trimmed(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	struct sim_nic_spec spec = { .name = "vf0",
				     .driver = "iavf",
				     .mac = MAC_A,
				     .offloads_supported =
					     SFO_OFF_TX_CSUM | SFO_OFF_SG | SFO_OFF_TSO4 };
	uint32_t vf;

	(void)state;
	sim_set_offloads(s, sby, SFO_OFF_TSO4 | SFO_OFF_TX_CSUM | SFO_OFF_LRO);
	vf = sim_add_spec(s, &spec);
	assert_int_equal(s->nic[vf].offloads_set, SFO_OFF_TSO4 | SFO_OFF_TX_CSUM);
	sim_set_offloads(s, sby, SFO_OFF_SG);
	assert_int_equal(s->nic[vf].offloads_set, SFO_OFF_SG);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	sim_done(s);
}

/* A VF that comes up takes the traffic before its offloads are set: nothing
 * slow stands between its carrier and the switch. */
static void test_steer_before_offloads(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	const char *steer, *offloads;
	FILE *trace = s->trace;
	char *log = NULL;
	size_t len = 0;

	(void)state;
	sim_set_offloads(s, sby, SFO_OFF_TSO4 | SFO_OFF_TX_CSUM);
	s->trace = open_memstream(&log, &len);
	assert_non_null(s->trace);
	sim_add(s, "vf0", "iavf", MAC_A, false);
	fclose(s->trace);
	s->trace = trace;
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	steer = strstr(log, "datapath of eth0 -> vf0");
	offloads = strstr(log, "set offloads of vf0");
	assert_non_null(steer);
	assert_non_null(offloads);
	assert_true(steer < offloads);
	free(log);
	sim_done(s);
}

/* A VF arriving on a standby whose stack asked for an RX mode has it before
 * the traffic moves, proven or not (the sim also checks it at every steer). */
static void check_rx_mode_before_steer(const char *conf)
{
	struct sim *s = sim_with(conf);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	const char *rx, *steer;
	FILE *trace = s->trace;
	char *log = NULL;
	size_t len = 0;

	sim_set_rx_mode(s, sby, true, false, 2);
	s->trace = open_memstream(&log, &len);
	assert_non_null(s->trace);
	sim_add(s, "vf0", "iavf", MAC_A, false);
	fclose(s->trace);
	s->trace = trace;
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	rx = strstr(log, "set RX mode of vf0: promisc 1 allmulti 0, 2 multicast");
	steer = strstr(log, "datapath of eth0 -> vf0");
	assert_non_null(rx);
	assert_non_null(steer);
	assert_true(rx < steer);
	free(log);
	sim_done(s);
}

static void test_rx_mode_before_steer(void **state)
{
	(void)state;
	check_rx_mode_before_steer(NULL);
	check_rx_mode_before_steer("probe-path = no\n");
}

/* --- statistics --- */

static void test_stats_monotonic_across_three_removals(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	struct sfo_pair_status st;
	uint64_t sent = 0;

	(void)state;
	for (int round = 0; round < 3; round++) {
		uint32_t vf = sim_add(s, "vf0", "iavf", MAC_A, false);

		sim_traffic(s, sby, 100, 1000); /* through the VF */
		sim_traffic(s, sby, 0, 0);
		assert_sim_ok(s); /* includes the never-decreasing check */
		sim_remove(s, vf);
		assert_sim_ok(s);
		sim_traffic(s, sby, 10, 1000); /* through the standby */
		sent += 110;
	}
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.counters.v[SFO_CTR_RX_PACKETS], sent);
	assert_int_equal(st.counters.v[SFO_CTR_TX_BYTES], sent * 1000);
	assert_int_equal(st.failover.vf_bound, 3);
	sim_done(s);
}

static void test_stats_count_vf_from_hold(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t vf = sim_add(s, "vf0", "iavf", MAC_A, false);
	uint32_t sby;
	struct sfo_pair_status st;

	(void)state;
	s->nic[vf].ctr[SFO_CTR_RX_PACKETS] = 500; /* before we held it */
	sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	s->nic[sby].ctr[SFO_CTR_RX_PACKETS] = 7; /* the stack's own, since boot */
	sim_traffic(s, sby, 20, 100);
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.counters.v[SFO_CTR_RX_PACKETS], 27);
	sim_done(s);
}

/* The merged counters go on across a daemon crash: what the VF counted after
 * the last reading before the crash is counted too, and a VF removed while no
 * daemon ran keeps what it had counted until that reading. */
static void test_stats_survive_restart(void **state)
{
	uint32_t sby, vf, vf2;
	struct sim *s = active_pair(&sby, &vf);
	struct sfo_pair_status st;

	(void)state;
	sim_traffic(s, sby, 30, 100); /* through the VF */
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.counters.v[SFO_CTR_RX_PACKETS], 30);
	sim_traffic(s, sby, 12, 100); /* counted by the VF after the last reading */
	sim_crash(s);
	sim_traffic(s, sby, 5, 100); /* no daemon: the datapath still uses the VF */
	sim_start(s);
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.counters.v[SFO_CTR_RX_PACKETS], 47);
	sim_crash(s);
	sim_traffic(s, sby, 8, 100); /* lost with the VF: read by nobody */
	sim_remove(s, vf);
	sim_start(s);
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.counters.v[SFO_CTR_RX_PACKETS], 47);
	vf2 = sim_add(s, "vf1", "iavf", MAC_A, false);
	assert_int_equal(s->nic[sby].steer, vf2);
	sim_traffic(s, sby, 3, 100);
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.counters.v[SFO_CTR_RX_PACKETS], 50);
	assert_sim_ok(s);
	sim_done(s);
}

/* --- names, spares, policy --- */

static void test_rename_during_binding(void **state)
{
	struct sim *s = sim_with("bringup-delay-ms = 100\n");
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t vf = sim_add(s, "eth1", "iavf", MAC_A, false);
	struct sfo_pair_status st;

	(void)state;
	assert_state(s, sby, SFO_PAIR_BINDING);
	sim_advance_ms(s, 40);
	sim_rename(s, vf, "enp7s0v0"); /* udev renames it mid-binding */
	assert_state(s, sby, SFO_PAIR_BINDING);
	assert_int_equal(s->nic[vf].prepares, 1);
	sim_advance_ms(s, 59);
	assert_state(s, sby, SFO_PAIR_BINDING);
	sim_advance_ms(s, 2);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_true(sim_pair(s, sby, &st));
	assert_string_equal(st.vf_name, "enp7s0v0");
	assert_sim_ok(s);
	sim_done(s);
}

static void test_standby_renamed_into_config(void **state)
{
	struct sim *s = sim_with("manage = listed\n[standby enp1s0]\nannounce-count = 3\n");
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t vf = sim_add(s, "vf0", "iavf", MAC_A, false);

	(void)state;
	assert_int_equal(sim_state(s, sby), SFO_PAIR_STATE_MAX); /* not listed yet */
	assert_int_equal(s->nic[vf].held_by, 0);
	sim_rename(s, sby, "enp1s0");
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_int_equal(s->nic[sby].announces, 1);
	sim_advance_ms(s, 1000);
	assert_int_equal(s->nic[sby].announces, 3);
	sim_rename(s, sby, "eth9"); /* out of the list: VF given back */
	assert_int_equal(sim_state(s, sby), SFO_PAIR_STATE_MAX);
	assert_int_equal(s->nic[vf].held_by, 0);
	assert_int_equal(s->nic[sby].steer, 0);
	assert_false(s->nic[sby].attached);
	sim_done(s);
}

/* Renamed out of the configuration, the pair ends with an entry in the
 * event ring; renamed back, its merged counters go on from where they were. */
static void test_standby_renamed_out_and_back(void **state)
{
	struct sim *s = sim_with("manage = listed\n[standby eth0]\n");
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t vf = sim_add(s, "vf0", "iavf", MAC_A, false);
	struct sfo_event ev[SFO_EVENT_RING_SIZE];
	struct sfo_pair_status st;
	size_t n0, n;

	(void)state;
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	sim_traffic(s, sby, 100, 1000); /* through the VF */
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.counters.v[SFO_CTR_RX_PACKETS], 100);
	sim_traffic(s, sby, 20, 1000); /* counted by the VF, not read yet */
	n0 = sfo_engine_events(s->eng, ev, SFO_EVENT_RING_SIZE);
	sim_rename(s, sby, "eth9");
	assert_int_equal(sim_state(s, sby), SFO_PAIR_STATE_MAX);
	assert_int_equal(s->nic[vf].held_by, 0);
	n = sfo_engine_events(s->eng, ev, SFO_EVENT_RING_SIZE);
	assert_int_equal(n, n0 + 1);
	assert_int_equal(ev[n - 1].standby_id, sby);
	assert_int_equal(ev[n - 1].from, SFO_PAIR_ACTIVE);
	assert_int_equal(ev[n - 1].to, SFO_PAIR_NO_VF);
	assert_string_equal(ev[n - 1].reason, "eth0 renamed to eth9: no longer managed");
	s->nic[vf].ctr[SFO_CTR_RX_PACKETS] += 7; /* given back: not the pair's */
	sim_rename(s, sby, "eth0");
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.counters.v[SFO_CTR_RX_PACKETS], 120);
	sim_traffic(s, sby, 5, 1000);
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.counters.v[SFO_CTR_RX_PACKETS], 125);
	assert_sim_ok(s);
	sim_done(s);
}

static void test_spare_takes_over(void **state)
{
	uint32_t sby, vf;
	struct sim *s = active_pair(&sby, &vf);
	uint32_t spare = sim_add(s, "vf1", "iavf", MAC_A, false);
	struct sfo_adapter_status as;

	(void)state;
	assert_non_null(adapter_named(s, "vf1", &as));
	assert_int_equal(as.role, SFO_ROLE_SPARE);
	assert_int_equal(s->nic[sby].steer, vf);
	sim_remove(s, vf);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_int_equal(s->nic[sby].steer, spare);
	assert_non_null(adapter_named(s, "vf1", &as));
	assert_int_equal(as.role, SFO_ROLE_VF);
	assert_sim_ok(s);
	sim_done(s);
}

static void test_same_mac_not_allowlisted_ignored(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t e1000 = sim_add(s, "eth1", "e1000", MAC_A, true);
	uint32_t br = sim_add(s, "br0", "bridge", MAC_A, true);
	struct sfo_adapter_status as;

	(void)state;
	assert_state(s, sby, SFO_PAIR_NO_VF);
	assert_int_equal(s->nic[e1000].held_by, 0);
	assert_int_equal(s->nic[br].held_by, 0);
	assert_non_null(adapter_named(s, "eth1", &as));
	assert_int_equal(as.role, SFO_ROLE_UNMANAGED);
	assert_string_equal(as.reason, "driver 'e1000' not in VF allowlist");
	assert_non_null(adapter_named(s, "br0", &as));
	assert_string_equal(as.reason, "bridge device cannot be a VF");
	sim_done(s);
}

/* Nothing of ours on it: no datapath, never held, never steered. */
static void assert_untouched(struct sim *s, uint32_t id)
{
	assert_false(s->nic[id].attached);
	assert_int_equal(s->nic[id].held_by, 0);
	assert_int_equal(s->nic[id].prepares, 0);
	assert_int_equal(s->nic[id].steer, 0);
}

static void assert_held(struct sim *s, const char *name, const char *reason)
{
	struct sfo_adapter_status as;

	assert_non_null(adapter_named(s, name, &as));
	assert_string_equal(sfo_role_name(as.role), "held");
	assert_string_equal(as.reason, reason);
}

#define HELD_BY_ETH0 \
	"held by net_failover eth0 (QEMU failover=on): the kernel's failover, not touched"

/* QEMU's failover=on: the guest kernel's net_failover makes a master (eth0)
 * and enslaves the virtio-net standby and the VF to it. Ours to leave alone. */
static void test_net_failover_pair_left_alone(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t master = sim_add(s, "eth0", "net_failover", MAC_A, true);
	struct sim_nic_spec sby_spec = { .name = "eth0nsby",
					 .driver = "virtio_net",
					 .mac = MAC_A,
					 .up = true,
					 .master = master };
	struct sim_nic_spec vf_spec = {
		.name = "eth0npri", .driver = "iavf", .mac = MAC_A, .up = true, .master = master
	};
	uint32_t sby = sim_add_spec(s, &sby_spec), vf = sim_add_spec(s, &vf_spec);
	struct sfo_pair_status ps;

	(void)state;
	assert_false(sim_pair(s, sby, &ps));
	assert_held(s, "eth0",
		    "net_failover master (QEMU failover=on): the kernel pairs its "
		    "standby and VF");
	assert_held(s, "eth0nsby", HELD_BY_ETH0);
	assert_held(s, "eth0npri", HELD_BY_ETH0);
	sim_unplug(s, vf); /* the host takes the VF for a migration: still not ours */
	vf = sim_add_spec(s, &vf_spec);
	assert_held(s, "eth0npri", HELD_BY_ETH0);
	for (uint32_t id = 1; id <= 3; id++)
		assert_untouched(s, id);
	assert_int_equal(s->steers, 0);
	assert_sim_ok(s);
	sim_done(s);
}

/* Events as virtio-net sends them: the standby registers, then net_failover
 * enslaves it; a standby that was ours is given back at once. And a slave
 * whose master is reported after it waits for the master's verdict. */
static void test_net_failover_takes_a_standby(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0nsby", "virtio_net", MAC_A, true);
	uint32_t master, vf;
	struct sim_nic_spec vf_spec = {
		.name = "eth0npri", .driver = "iavf", .mac = MAC_A, .up = true, .master = 3
	};
	struct sfo_pair_status ps;

	(void)state;
	assert_state(s, sby, SFO_PAIR_NO_VF);
	assert_true(s->nic[sby].attached);
	vf = sim_add_spec(s, &vf_spec); /* enslaved to id 3, not known yet: a stacked device */
	assert_int_equal(vf, 2);
	assert_int_equal(s->nic[vf].held_by, 0);
	master = sim_add(s, "eth0", "net_failover", MAC_A, true);
	assert_int_equal(master, 3);
	assert_held(s, "eth0npri", HELD_BY_ETH0);
	sim_set_master(s, sby, master);
	assert_false(sim_pair(s, sby, &ps));
	assert_held(s, "eth0nsby", HELD_BY_ETH0);
	assert_false(s->nic[sby].attached);
	assert_untouched(s, vf);
	/* net_failover gone (its master unregistered, the standby let go): ours again */
	sim_remove(s, vf);
	sim_remove(s, master);
	sim_set_master(s, sby, 0);
	assert_state(s, sby, SFO_PAIR_NO_VF);
	assert_sim_ok(s);
	sim_done(s);
}

static void test_allowlist_extended_by_config(void **state)
{
	struct sim *s = sim_with("vf-drivers = e1000e\n");
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);

	(void)state;
	sim_add(s, "eth1", "e1000e", MAC_A, false);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	sim_done(s);
}

static void test_duplicate_standby_mac(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t a = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t b = sim_add(s, "eth1", "virtio_net", MAC_A, true);
	struct sfo_adapter_status as;

	(void)state;
	assert_non_null(adapter_named(s, "eth1", &as));
	assert_string_equal(as.reason, "standby eth0 already has MAC 02:00:00:00:00:0a");
	sim_remove(s, a); /* the other one takes over */
	assert_state(s, b, SFO_PAIR_NO_VF);
	sim_done(s);
}

static void test_four_pairs(void **state)
{
	struct sim *s = sim_with(NULL);
	const char *macs[4] = { "02:00:00:00:01:01", "02:00:00:00:01:02", "02:00:00:00:01:03",
				"02:00:00:00:01:04" };
	uint32_t sby[4], vf[4];

	(void)state;
	for (int i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "vf%d", i);
		vf[i] = sim_add(s, name, "mlx5_core", macs[3 - i], false);
	}
	for (int i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "eth%d", i);
		sby[i] = sim_add(s, name, "virtio_net", macs[i], true);
	}
	assert_int_equal(sfo_engine_pair_count(s->eng), 4);
	for (int i = 0; i < 4; i++) {
		assert_state(s, sby[i], SFO_PAIR_ACTIVE);
		assert_int_equal(s->nic[sby[i]].steer, vf[3 - i]);
	}
	sim_remove(s, vf[0]);
	assert_state(s, sby[3], SFO_PAIR_NO_VF);
	assert_state(s, sby[0], SFO_PAIR_ACTIVE);
	assert_sim_ok(s);
	sim_done(s);
}

/* --- failures of the edge --- */

static void test_prepare_failure(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	struct sfo_pair_status st;
	uint32_t vf;

	(void)state;
	struct sim_nic_spec spec = {
		.name = "vf0", .driver = "iavf", .mac = MAC_A, .fail_prepare = -SFO_EBUSY
	};

	vf = sim_add_spec(s, &spec);
	assert_state(s, sby, SFO_PAIR_UNUSABLE);
	assert_true(sim_pair(s, sby, &st));
	assert_string_equal(st.reason, "cannot take hold of vf0: error -16");
	s->nic[vf].fail_prepare = 0;
	sim_set_link(s, vf, true); /* any change of the VF: try again */
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_sim_ok(s);
	sim_done(s);
}

static void test_steer_failure(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t vf;

	(void)state;
	s->fail_steer_to_vf = -SFO_ENOMEM;
	vf = sim_add(s, "vf0", "iavf", MAC_A, false);
	assert_state(s, sby, SFO_PAIR_UNUSABLE);
	assert_int_equal(s->nic[sby].steer, 0);
	s->fail_steer_to_vf = 0;
	sim_set_link(s, vf, true);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_sim_ok(s);
	sim_done(s);
}

/* --- proving the path through a VF: carrier is not a working host port --- */

/* A VF with carrier whose host switch port does not forward yet. */
static uint32_t add_vf_port_blocked(struct sim *s, const char *name)
{
	struct sim_nic_spec spec = {
		.name = name, .driver = "iavf", .mac = MAC_A, .no_link = true
	};
	uint32_t vf = sim_add_spec(s, &spec);

	sim_set_port(s, vf, false);
	sim_set_link(s, vf, true);
	return vf;
}

static bool has_event(struct sim *s, enum sfo_pair_state from, enum sfo_pair_state to,
		      const char *reason_part)
{
	struct sfo_event ev[SFO_EVENT_RING_SIZE];
	size_t n = sfo_engine_events(s->eng, ev, SFO_EVENT_RING_SIZE);

	for (size_t i = 0; i < n; i++)
		if (ev[i].from == from && ev[i].to == to && strstr(ev[i].reason, reason_part))
			return true;
	return false;
}

static void test_late_host_port_waits_for_the_path(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t vf = add_vf_port_blocked(s, "vf0");
	struct sfo_pair_status st;

	(void)state;
	assert_state(s, sby, SFO_PAIR_PROBING);
	assert_int_equal(s->nic[sby].steer, 0);
	assert_true(sim_pair(s, sby, &st));
	assert_non_null(strstr(st.reason, "waiting for the path through vf0"));
	/* probes at 0, 1, 3, 7, 15, 31, 63 ms, then every 50 ms: none answered */
	sim_advance_ms(s, 800);
	assert_state(s, sby, SFO_PAIR_PROBING);
	assert_int_equal(s->nic[vf].probes, 21);
	assert_int_equal(s->nic[vf].probe_prepares, 1); /* once, when brought up */
	assert_int_equal(s->nic[sby].steer, 0);
	assert_int_equal(s->nic[sby].announces, 0);
	assert_sim_ok(s);
	sim_set_port(s, vf, true); /* the next probe, at 813 ms, is answered */
	sim_advance_ms(s, 12);
	assert_state(s, sby, SFO_PAIR_PROBING);
	sim_advance_ms(s, 1);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_int_equal(s->nic[sby].steer, vf);
	assert_false(s->nic[vf].probing);	    /* stopped listening once proven */
	assert_int_equal(s->nic[sby].announces, 1); /* announced after the switch */
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.failover.probes, 22);
	assert_int_equal(st.failover.to_vf, 1);
	assert_non_null(strstr(st.failover.last_switch_reason, "path through vf0 proven"));
	assert_true(has_event(s, SFO_PAIR_BINDING, SFO_PAIR_PROBING, "waiting for the path"));
	assert_true(has_event(s, SFO_PAIR_PROBING, SFO_PAIR_ACTIVE, "path through vf0 proven"));
	sim_advance_ms(s, 5000);
	assert_int_equal(s->nic[vf].probes, 22); /* no probe once proven */
	assert_sim_ok(s);
	sim_done(s);
}

static void test_probe_bound_then_slow_retries(void **state)
{
	struct sim *s = sim_with("probe-interval-ms = 100\nprobe-timeout-ms = 1000\n");
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t vf = add_vf_port_blocked(s, "vf0");
	struct sfo_pair_status st;
	unsigned int probes;

	(void)state;
	sim_advance_ms(s, 999);
	assert_state(s, sby, SFO_PAIR_PROBING);
	sim_advance_ms(s, 1);
	/* the bound: the VF stays unused, the reason says why */
	assert_state(s, sby, SFO_PAIR_FALLBACK);
	assert_int_equal(s->nic[sby].steer, 0);
	assert_true(sim_pair(s, sby, &st));
	assert_string_equal(st.reason, "no answer through vf0 in 1000 ms; probing every 1000 ms");
	assert_int_equal(st.failover.probe_timeouts, 1);
	assert_true(has_event(s, SFO_PAIR_PROBING, SFO_PAIR_FALLBACK, "no answer through vf0"));
	probes = s->nic[vf].probes;
	assert_int_equal(probes, 16); /* 0, 1, 3, ... 63, 127, 227, ... 927 ms */
	sim_advance_ms(s, 3000);      /* one probe a second */
	assert_int_equal(s->nic[vf].probes, probes + 3);
	assert_state(s, sby, SFO_PAIR_FALLBACK);
	sim_set_port(s, vf, true);
	sim_advance_ms(s, 1000);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_int_equal(s->nic[sby].steer, vf);
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.failover.probe_timeouts, 1);
	assert_sim_ok(s);
	sim_done(s);
}

static void test_no_neighbour_uses_vf_unproven(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t vf;
	struct sfo_pair_status st;

	(void)state;
	s->nic[sby].no_neighbour = true;
	vf = add_vf_port_blocked(s, "vf0");
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_int_equal(s->nic[sby].steer, vf);
	assert_false(s->nic[vf].probing);
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.failover.unproven, 1);
	assert_non_null(strstr(st.reason, "no neighbour known to prove the path through vf0"));
	assert_sim_ok(s);
	sim_done(s);
}

static void test_probe_path_off(void **state)
{
	struct sim *s = sim_with("[standby eth0]\nprobe-path = no\n");
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t vf = add_vf_port_blocked(s, "vf0");

	(void)state;
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_int_equal(s->nic[sby].steer, vf);
	assert_int_equal(s->nic[vf].probes, 0);
	assert_int_equal(s->nic[vf].probe_prepares, 0);
	/* turned on by a reload: the VF serving now keeps serving */
	assert_true(sim_reload(s, ""));
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_int_equal(s->nic[vf].probes, 0);
	sim_done(s);
}

static void test_flap_with_late_port(void **state)
{
	uint32_t sby, vf;
	struct sim *s = active_pair(&sby, &vf);

	(void)state;
	sim_set_link(s, vf, false);
	assert_state(s, sby, SFO_PAIR_FALLBACK);
	sim_set_port(s, vf, false);
	sim_set_link(s, vf, true); /* carrier back, port not forwarding yet */
	assert_state(s, sby, SFO_PAIR_PROBING);
	assert_int_equal(s->nic[sby].steer, 0);
	sim_set_link(s, vf, false); /* flaps again while probed: it served, so fallback */
	assert_state(s, sby, SFO_PAIR_FALLBACK);
	assert_false(s->nic[vf].probing);
	sim_set_link(s, vf, true);
	sim_advance_ms(s, 500);
	assert_state(s, sby, SFO_PAIR_PROBING);
	sim_set_port(s, vf, true);
	sim_advance_ms(s, 50);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_int_equal(s->nic[sby].steer, vf);
	assert_sim_ok(s);
	sim_done(s);
}

static void test_vf_leaves_while_probed(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t vf = add_vf_port_blocked(s, "vf0");

	(void)state;
	assert_state(s, sby, SFO_PAIR_PROBING);
	sim_remove(s, vf); /* the sim flags a VF given back while still probed */
	assert_sim_ok(s);
	assert_state(s, sby, SFO_PAIR_NO_VF);
	assert_false(s->nic[vf].probing);
	assert_int_equal(s->timer_ns, 0); /* no probe left to send */
	sim_done(s);
}

static void test_restart_keeps_the_serving_vf(void **state)
{
	uint32_t sby, vf;
	struct sim *s = active_pair(&sby, &vf);
	unsigned int probes = s->nic[vf].probes;

	(void)state;
	sim_crash(s);
	sim_start(s);
	/* it served before: no new probe, no detour through the standby */
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	assert_int_equal(s->nic[sby].steer, vf);
	assert_int_equal(s->nic[vf].probes, probes);
	assert_sim_ok(s);
	/* the next spell is proven as any other */
	sim_set_link(s, vf, false);
	sim_set_link(s, vf, true);
	assert_int_equal(s->nic[vf].probes, probes + 1);
	assert_state(s, sby, SFO_PAIR_ACTIVE);
	sim_done(s);
}

/* --- announcements and the event log --- */

static void test_announce_after_each_switch(void **state)
{
	struct sim *s = sim_with("announce-count = 2\nannounce-interval-ms = 50\n");
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t vf = sim_add(s, "vf0", "iavf", MAC_A, false);
	struct sfo_pair_status st;

	(void)state;
	assert_int_equal(s->nic[sby].announces, 1);
	sim_advance_ms(s, 49);
	assert_int_equal(s->nic[sby].announces, 1);
	sim_advance_ms(s, 1);
	assert_int_equal(s->nic[sby].announces, 2);
	sim_advance_ms(s, 500);
	assert_int_equal(s->nic[sby].announces, 2);
	sim_remove(s, vf);
	assert_int_equal(s->nic[sby].announces, 3);
	sim_advance_ms(s, 100);
	assert_int_equal(s->nic[sby].announces, 4);
	assert_int_equal(s->timer_ns, 0); /* nothing left to do: no wakeups */
	/* the count is what the edge reported sent, not the rounds asked for */
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.failover.announcements, 4);
	sfo_engine_announced(s->eng, sby, 3);
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.failover.announcements, 7);
	sfo_engine_announced(s->eng, vf, 5); /* not a standby: ignored */
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.failover.announcements, 7);
	sim_done(s);
}

static void test_event_ring(void **state)
{
	uint32_t sby, vf;
	struct sim *s = active_pair(&sby, &vf);
	struct sfo_event ev[SFO_EVENT_RING_SIZE];
	size_t n;

	(void)state;
	sim_advance_ms(s, 5);
	sim_set_link(s, vf, false);
	n = sfo_engine_events(s->eng, ev, SFO_EVENT_RING_SIZE);
	assert_true(n >= 2);
	assert_int_equal(ev[n - 1].from, SFO_PAIR_ACTIVE);
	assert_int_equal(ev[n - 1].to, SFO_PAIR_FALLBACK);
	assert_string_equal(ev[n - 1].reason, "vf0 carrier lost");
	assert_string_equal(ev[n - 1].standby_name, "eth0");
	for (size_t i = 1; i < n; i++)
		assert_true(ev[i].ts_ns >= ev[i - 1].ts_ns);
	/* bounded: the oldest go first */
	for (int i = 0; i < 200; i++) {
		sim_set_link(s, vf, true);
		sim_set_link(s, vf, false);
	}
	n = sfo_engine_events(s->eng, ev, SFO_EVENT_RING_SIZE);
	assert_int_equal(n, SFO_EVENT_RING_SIZE);
	assert_int_equal(ev[n - 1].to, SFO_PAIR_FALLBACK);
	assert_int_equal(sfo_engine_events(s->eng, ev, 3), 3);
	assert_int_equal(ev[2].to, SFO_PAIR_FALLBACK);
	sim_done(s);
}

static void test_config_reload(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	uint32_t e1000e = sim_add(s, "eth1", "e1000e", MAC_A, false);

	(void)state;
	assert_state(s, sby, SFO_PAIR_NO_VF);
	assert_false(sim_reload(s, "vf-drivers = e1000e\nbogus = 1\n"));
	assert_state(s, sby, SFO_PAIR_NO_VF);
	assert_true(sim_reload(s, "vf-drivers = e1000e\n"));
	assert_state(s, sby, SFO_PAIR_ACTIVE); /* newly allowed: paired and used */
	assert_int_equal(s->nic[sby].steer, e1000e);
	assert_true(sim_reload(s, "manage = listed\n"));
	/* no longer managed: VF given back, datapath gone */
	assert_int_equal(sfo_engine_pair_count(s->eng), 0);
	assert_int_equal(s->nic[e1000e].held_by, 0);
	assert_false(s->nic[sby].attached);
	assert_sim_ok(s);
	sim_done(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_arrival_order),
		cmocka_unit_test(test_vf_waits_as_candidate),
		cmocka_unit_test(test_orderly_release_moves_traffic_first),
		cmocka_unit_test(test_admin_release_and_resume),
		cmocka_unit_test(test_release_applies_to_leaving_vf_only),
		cmocka_unit_test(test_release_survives_restart),
		cmocka_unit_test(test_resume_after_restart),
		cmocka_unit_test(test_restored_release_forgotten_when_vf_left),
		cmocka_unit_test(test_restored_release_of_a_spare),
		cmocka_unit_test(test_surprise_removal),
		cmocka_unit_test(test_vf_admin_down_and_up),
		cmocka_unit_test(test_carrier_loss_and_return),
		cmocka_unit_test(test_vf_without_carrier_waits),
		cmocka_unit_test(test_mtu_propagated_before_use),
		cmocka_unit_test(test_mtu_refused),
		cmocka_unit_test(test_mtu_above_max_not_tried),
		cmocka_unit_test(test_rx_mode_while_absent_and_active),
		cmocka_unit_test(test_rx_mode_refused_keeps_traffic),
		cmocka_unit_test(test_offloads_trimmed),
		cmocka_unit_test(test_steer_before_offloads),
		cmocka_unit_test(test_rx_mode_before_steer),
		cmocka_unit_test(test_stats_monotonic_across_three_removals),
		cmocka_unit_test(test_stats_count_vf_from_hold),
		cmocka_unit_test(test_stats_survive_restart),
		cmocka_unit_test(test_rename_during_binding),
		cmocka_unit_test(test_standby_renamed_into_config),
		cmocka_unit_test(test_standby_renamed_out_and_back),
		cmocka_unit_test(test_spare_takes_over),
		cmocka_unit_test(test_same_mac_not_allowlisted_ignored),
		cmocka_unit_test(test_net_failover_pair_left_alone),
		cmocka_unit_test(test_net_failover_takes_a_standby),
		cmocka_unit_test(test_allowlist_extended_by_config),
		cmocka_unit_test(test_duplicate_standby_mac),
		cmocka_unit_test(test_four_pairs),
		cmocka_unit_test(test_prepare_failure),
		cmocka_unit_test(test_steer_failure),
		cmocka_unit_test(test_late_host_port_waits_for_the_path),
		cmocka_unit_test(test_probe_bound_then_slow_retries),
		cmocka_unit_test(test_no_neighbour_uses_vf_unproven),
		cmocka_unit_test(test_probe_path_off),
		cmocka_unit_test(test_flap_with_late_port),
		cmocka_unit_test(test_vf_leaves_while_probed),
		cmocka_unit_test(test_restart_keeps_the_serving_vf),
		cmocka_unit_test(test_announce_after_each_switch),
		cmocka_unit_test(test_event_ring),
		cmocka_unit_test(test_config_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
