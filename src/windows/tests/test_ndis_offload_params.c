// SPDX-License-Identifier: BSD-2-Clause
/*
 * The stack's OID_TCP_OFFLOAD_PARAMETERS on the standby (checksum and LSO
 * enabled or disabled) on the emulation: the standby's miniport applies it
 * and so does the paired VF's (each checks the NDIS_OFFLOAD_PARAMETERS
 * header and values, then indicates its configuration), one request in
 * flight with the latest sent after it, all the stack's changes replayed to
 * a new VF and after a VF's restart; the stack is offered what both have.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ndis_fixture.h"

static const UCHAR MAC_A[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

#define LSO_ALL (EMU_TXO_LSO1_V4 | EMU_TXO_LSO2_V4 | EMU_TXO_LSO2_V6)

static void set_params(struct emu_adapter *sb, unsigned enable, unsigned disable)
{
	assert_int_equal(emu_stack_set_offload_params(sb, enable, disable), NDIS_STATUS_SUCCESS);
}

/* @a runs @want; the stack above @sb is offered @offered. */
static void assert_offloads(struct emu_adapter *sb, struct emu_adapter *a, unsigned want,
			    unsigned offered)
{
	ULONG max[2], segs[2];
	unsigned sets;

	assert_int_equal(emu_adapter_offloads(a, &sets), want);
	assert_int_equal(emu_stack_offloads(sb, max, segs), offered);
}

static unsigned params_sets(struct emu_adapter *a)
{
	unsigned sets;

	emu_adapter_offloads(a, &sets);
	return sets;
}

static void test_offload_params_mirrored_replayed_latest_wins(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A), *v1, *v2;
	unsigned want = EMU_TXO_ALL & ~LSO_ALL;

	(void)state;
	/* before any VF: the standby alone */
	set_params(sb, 0, LSO_ALL);
	assert_offloads(sb, sb, want, want);
	/* at pairing the VF gets it */
	v1 = fixture_vf("vf1", MAC_A);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	assert_offloads(sb, v1, want, want);
	assert_int_equal(params_sets(v1), 1);
	/* a change while paired, each way */
	set_params(sb, EMU_TXO_LSO2_V4, EMU_TXO_V4_UDP_CSUM);
	want = (want | EMU_TXO_LSO2_V4) & ~EMU_TXO_V4_UDP_CSUM;
	assert_offloads(sb, sb, want, want);
	assert_offloads(sb, v1, want, want);
	/* two changes while the VF's request is out: one in flight, the
	 * latest after it, with both changes */
	emu_hold_oids(v1, TRUE);
	set_params(sb, 0, EMU_TXO_V6_TCP_CSUM);
	set_params(sb, 0, EMU_TXO_V6_UDP_CSUM);
	assert_int_equal(emu_oids_in_flight(v1), 1);
	emu_hold_oids(v1, FALSE);
	emu_complete_oids(v1);
	want &= ~(EMU_TXO_V6_TCP_CSUM | EMU_TXO_V6_UDP_CSUM);
	assert_offloads(sb, v1, want, want);
	assert_int_equal(params_sets(v1), 4); /* pairing, change, held one, latest */
	/* a new VF: every change of the stack in one request */
	emu_unplug(v1, FALSE);
	v2 = fixture_vf("vf2", MAC_A);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	assert_offloads(sb, v2, want, want);
	assert_int_equal(params_sets(v2), 1);
	/* a VF that comes back from a restart with its defaults gets them again */
	emu_binding_pause(v2);
	emu_adapter_set_offloads(v2, EMU_TXO_ALL);
	emu_binding_restart(v2);
	assert_offloads(sb, v2, want, want);
	assert_int_equal(params_sets(v2), 2);
}

/* The stack enables what the VF has not got: the VF keeps it off, and the
 * stack is offered only what both run. */
static void test_offload_params_vf_lacking_one(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A), *v;
	unsigned vf_has = EMU_TXO_ALL & ~EMU_TXO_LSO2_V6;

	(void)state;
	set_params(sb, 0, EMU_TXO_LSO2_V6 | EMU_TXO_LSO2_V4);
	v = fixture_adapter("vf0", MAC_A, EMU_VF);
	emu_adapter_set_offloads(v, vf_has);
	emu_offer(v);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	assert_offloads(sb, v, vf_has & ~EMU_TXO_LSO2_V4, vf_has & ~EMU_TXO_LSO2_V4);
	set_params(sb, EMU_TXO_LSO2_V6 | EMU_TXO_LSO2_V4, 0);
	assert_offloads(sb, sb, EMU_TXO_ALL, vf_has);
	assert_offloads(sb, v, vf_has, vf_has);
	/* sends the stack builds now go to the VF */
	emu_stack_send_offloaded(sb, 2, 0x1 | 0x4, 0);
	assert_int_equal(emu_tx_frames(v), 2);
}

/* A VF that refuses the parameters keeps its own configuration, logged; the
 * stack is offered what both run, and the pair serves. */
static void test_offload_params_refused_by_vf(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A), *v;
	unsigned logged = emu_log_count("refused the stack's offload parameters");

	(void)state;
	v = fixture_vf("vf0", MAC_A);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	emu_adapter_set_offload_params_support(v, FALSE);
	set_params(sb, 0, EMU_TXO_LSO2_V4);
	assert_offloads(sb, sb, EMU_TXO_ALL & ~EMU_TXO_LSO2_V4, EMU_TXO_ALL & ~EMU_TXO_LSO2_V4);
	assert_offloads(sb, v, EMU_TXO_ALL, EMU_TXO_ALL & ~EMU_TXO_LSO2_V4);
	assert_int_equal(params_sets(v), 0);
	assert_int_equal(emu_log_count("refused the stack's offload parameters"), logged + 1);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	emu_stack_send(sb, 2);
	assert_int_equal(emu_tx_frames(v), 2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_offload_params_mirrored_replayed_latest_wins),
		T(test_offload_params_vf_lacking_one),
		T(test_offload_params_refused_by_vf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
