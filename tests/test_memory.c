// SPDX-License-Identifier: BSD-2-Clause
/*
 * The engine's memory comes from the edge (ops->alloc/free): when it runs
 * out, the engine says so and goes on, and it gives back every block. Every
 * test's sim_done() checks the latter too.
 */
#include "sim_fixture.h"

static void test_vf_dropped_then_learned(void **state)
{
	struct sfo_adapter_status st;
	struct sim *s = sim_with(NULL);
	uint32_t sby, vf;

	(void)state;
	sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	s->alloc_budget = 0;
	vf = sim_add(s, "vf0", "iavf", MAC_A, true);
	assert_null(adapter_named(s, "vf0", &st)); /* dropped: out of memory */
	assert_int_equal(sim_state(s, sby), SFO_PAIR_NO_VF);
	assert_sim_ok(s);

	s->alloc_budget = -1;
	sim_set_link(s, vf, false); /* its next event brings it in */
	assert_non_null(adapter_named(s, "vf0", &st));
	assert_int_equal(st.role, SFO_ROLE_VF);
	assert_sim_ok(s);
	sim_done(s);
}

static void test_standby_without_pair(void **state)
{
	struct sfo_adapter_status st;
	struct sim *s = sim_with(NULL);
	uint32_t sby;

	(void)state;
	sim_add(s, "lo", "", "", true); /* the adapter table has room from now on */
	s->alloc_budget = 1;		/* the adapter, not its pair */
	sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	assert_non_null(adapter_named(s, "eth0", &st));
	assert_int_equal(st.role, SFO_ROLE_UNMANAGED);
	assert_string_equal(st.reason, "out of memory");
	assert_int_equal(sfo_engine_pair_count(s->eng), 0);

	s->alloc_budget = -1;
	sim_rename(s, sby, "eth1"); /* classified again */
	assert_non_null(adapter_named(s, "eth1", &st));
	assert_int_equal(st.role, SFO_ROLE_STANDBY);
	assert_int_equal(sfo_engine_pair_count(s->eng), 1);
	sim_done(s);
}

static void test_multicast_list_kept_when_out_of_memory(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby, vf;

	(void)state;
	sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	vf = sim_add(s, "vf0", "iavf", MAC_A, true);
	sim_set_rx_mode(s, sby, false, false, 2);
	assert_int_equal(s->nic[vf].mc_count, 2);
	s->alloc_budget = 0;
	sim_set_rx_mode(s, sby, false, false, 3); /* dropped: the VF keeps the old list */
	assert_int_equal(s->nic[vf].mc_count, 2);
	s->alloc_budget = -1;
	sim_set_rx_mode(s, sby, false, false, 3);
	assert_int_equal(s->nic[vf].mc_count, 3);
	sim_done(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vf_dropped_then_learned),
		cmocka_unit_test(test_standby_without_pair),
		cmocka_unit_test(test_multicast_list_kept_when_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
