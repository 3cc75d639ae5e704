// SPDX-License-Identifier: BSD-2-Clause
/* Statistics merge: wrap and reset handling, and the pair's totals. */
#include "sim_fixture.h"

/* The core's internal accumulator, tested directly. */
#include "../src/core/core.h"

static struct sfo_counters reading(uint8_t width, uint64_t rx)
{
	struct sfo_counters c = { .width = width };

	c.v[SFO_CTR_RX_PACKETS] = rx;
	return c;
}

static void test_wrap_32(void **state)
{
	struct ctr_track t;
	struct sfo_counters c;

	(void)state;
	sfo_ctr_track_init(&t, false);
	c = reading(32, 0xfffffff0u);
	sfo_ctr_track_sample(&t, &c); /* baseline */
	c = reading(32, 0x10);
	sfo_ctr_track_sample(&t, &c);
	assert_int_equal(t.total[SFO_CTR_RX_PACKETS], 0x20);
	/* garbage in the upper half of a 32-bit reading is ignored */
	c = reading(32, 0xabcd000000000020ull);
	sfo_ctr_track_sample(&t, &c);
	assert_int_equal(t.total[SFO_CTR_RX_PACKETS], 0x30);
}

static void test_reset_64(void **state)
{
	struct ctr_track t;
	struct sfo_counters c;

	(void)state;
	sfo_ctr_track_init(&t, true);
	c = reading(64, 1000);
	sfo_ctr_track_sample(&t, &c); /* counted from zero */
	assert_int_equal(t.total[SFO_CTR_RX_PACKETS], 1000);
	c = reading(64, 5); /* device re-created: counts from zero again */
	sfo_ctr_track_sample(&t, &c);
	assert_int_equal(t.total[SFO_CTR_RX_PACKETS], 1005);
	sfo_ctr_track_restart(&t); /* a new VF: baseline, totals kept */
	t.count_first = false;
	c = reading(64, 77);
	sfo_ctr_track_sample(&t, &c);
	assert_int_equal(t.total[SFO_CTR_RX_PACKETS], 1005);
	c = reading(64, 80);
	sfo_ctr_track_sample(&t, &c);
	assert_int_equal(t.total[SFO_CTR_RX_PACKETS], 1008);
}

/* A VF with 32-bit counters wrapping under traffic, removed and re-added. */
static void test_pair_totals_with_32bit_vf(void **state)
{
	struct sim *s = sim_with(NULL);
	uint32_t sby = sim_add(s, "eth0", "virtio_net", MAC_A, true);
	struct sim_nic_spec spec = { .name = "vf0",
				     .driver = "iavf",
				     .mac = MAC_A,
				     .width = 32,
				     .counters_start = 0xffffff00u }; /* close to wrapping */
	struct sfo_pair_status st;
	uint64_t sent = 0;

	(void)state;
	for (int round = 0; round < 3; round++) {
		uint32_t vf = sim_add_spec(s, &spec);

		sim_traffic(s, sby, 0, 0);
		assert_sim_ok(s); /* takes the baseline */
		for (int i = 0; i < 4; i++) {
			sim_traffic(s, sby, 1, 100);
			assert_sim_ok(s);
		}
		sent += 400;
		sim_remove(s, vf);
		assert_sim_ok(s);
	}
	assert_true(sim_pair(s, sby, &st));
	assert_int_equal(st.counters.v[SFO_CTR_RX_BYTES], sent);
	assert_int_equal(st.counters.v[SFO_CTR_RX_PACKETS], 12);
	sim_done(s);
}

static void test_counter_names(void **state)
{
	(void)state;
	for (int i = 0; i < SFO_CTR_MAX; i++)
		assert_string_not_equal(sfo_counter_name(i), "?");
	assert_string_equal(sfo_counter_name(SFO_CTR_MAX), "?");
	assert_string_equal(sfo_pair_state_name(SFO_PAIR_FALLBACK), "fallback");
	assert_string_equal(sfo_role_name(SFO_ROLE_SPARE), "spare");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap_32),
		cmocka_unit_test(test_reset_64),
		cmocka_unit_test(test_pair_totals_with_32bit_vf),
		cmocka_unit_test(test_counter_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
