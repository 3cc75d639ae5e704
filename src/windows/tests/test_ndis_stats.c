// SPDX-License-Identifier: BSD-2-Clause
/*
 * OID_GEN_STATISTICS on the standby, on the emulation: the stack's answer is
 * the standby's counters plus every VF's the pair has had, equal to what the
 * emulated miniports moved (sends, failed sends, receives, discards; by
 * class, with bytes) and never decreasing across VF changes; the engine's
 * pair counters agree; the single counter OIDs (OID_GEN_XMIT_OK...) and the
 * discard OIDs the same.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ndis_fixture.h"

static const UCHAR MAC_A[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const UCHAR UNICAST[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const UCHAR BROADCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const UCHAR MULTICAST[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };

#define N_COUNTERS 18 /* ifInDiscards to ifHCOutBroadcastOctets */

static const ULONG64 *counters(const NDIS_STATISTICS_INFO *s)
{
	return &s->ifInDiscards;
}

/* What the miniports of @a (n of them) counted, summed. */
static NDIS_STATISTICS_INFO moved(struct emu_adapter **a, int n)
{
	NDIS_STATISTICS_INFO sum, one;
	ULONG64 *v = &sum.ifInDiscards;

	memset(&sum, 0, sizeof(sum));
	for (int i = 0; i < n; i++) {
		emu_adapter_statistics(a[i], &one);
		for (int c = 0; c < N_COUNTERS; c++)
			v[c] += counters(&one)[c];
	}
	return sum;
}

static NDIS_STATISTICS_INFO stack_statistics(struct emu_adapter *sb)
{
	NDIS_STATISTICS_INFO s;

	assert_int_equal(emu_stack_query_statistics(sb), NDIS_STATUS_SUCCESS);
	assert_true(emu_stack_statistics(sb, &s));
	return s;
}

/* The stack's answer is what was moved, and no counter went down since @prev. */
static void assert_merged(const NDIS_STATISTICS_INFO *got, const NDIS_STATISTICS_INFO *want,
			  const NDIS_STATISTICS_INFO *prev)
{
	for (int c = 0; c < N_COUNTERS; c++) {
		assert_int_equal(counters(got)[c], counters(want)[c]);
		assert_true(counters(got)[c] >= counters(prev)[c]);
	}
	assert_int_equal(got->Header.Revision, NDIS_STATISTICS_INFO_REVISION_1);
}

/* The engine's pair counters: the same merge over its portable set. */
static void assert_engine_agrees(const NDIS_STATISTICS_INFO *s)
{
	struct sfo_pair_status st = fixture_pair0();

	assert_int_equal(st.counters.v[SFO_CTR_TX_PACKETS],
			 s->ifHCOutUcastPkts + s->ifHCOutMulticastPkts + s->ifHCOutBroadcastPkts);
	assert_int_equal(st.counters.v[SFO_CTR_RX_PACKETS],
			 s->ifHCInUcastPkts + s->ifHCInMulticastPkts + s->ifHCInBroadcastPkts);
	assert_int_equal(st.counters.v[SFO_CTR_TX_BYTES], s->ifHCOutOctets);
	assert_int_equal(st.counters.v[SFO_CTR_TX_ERRORS], s->ifOutErrors);
	assert_int_equal(st.counters.v[SFO_CTR_RX_DROPPED], s->ifInDiscards);
	assert_int_equal(st.counters.v[SFO_CTR_MULTICAST], s->ifHCInMulticastPkts);
}

static void traffic(struct emu_adapter *sb, struct emu_adapter *on, unsigned sends)
{
	emu_stack_send(sb, sends);
	emu_receive(on, UNICAST, FALSE);
	emu_receive(on, MULTICAST, TRUE);
	emu_receive(on, BROADCAST, FALSE);
	emu_receive(sb, BROADCAST, FALSE); /* the standby's copy, dropped while on a VF */
}

static void test_statistics_monotonic_across_three_vf_changes(void **state)
{
	struct emu_adapter *all[4];
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	NDIS_STATISTICS_INFO prev, now, want;

	(void)state;
	memset(&prev, 0, sizeof(prev));
	all[0] = sb;
	all[1] = fixture_vf("vf1", MAC_A);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	traffic(sb, all[1], 5);
	emu_miniport_discard(all[1], 2);
	now = stack_statistics(sb);
	want = moved(all, 2);
	assert_true(want.ifHCOutUcastPkts == 5 && want.ifInDiscards == 2); /* the VF's are in */
	assert_merged(&now, &want, &prev);
	assert_engine_agrees(&now);

	/* 1: an orderly unplug with 3 sends in flight: they count, on the VF */
	prev = now;
	emu_hold_tx(all[1], TRUE);
	emu_stack_send(sb, 3);
	emu_unplug(all[1], FALSE);
	emu_stack_send(sb, 2); /* on the standby */
	now = stack_statistics(sb);
	want = moved(all, 2);
	assert_int_equal(want.ifHCOutUcastPkts, 10);
	assert_merged(&now, &want, &prev);
	assert_engine_agrees(&now);

	/* 2: a new VF; then a surprise removal: its failed sends are errors
	 * (on the VF) and go again on the standby */
	prev = now;
	all[2] = fixture_vf("vf2", MAC_A);
	traffic(sb, all[2], 4);
	emu_hold_tx(all[2], TRUE);
	emu_stack_send(sb, 2);
	emu_unplug(all[2], TRUE);
	now = stack_statistics(sb);
	want = moved(all, 3);
	assert_int_equal(want.ifOutErrors, 2);
	assert_merged(&now, &want, &prev);
	assert_engine_agrees(&now);

	/* 3: a third VF, whose statistics answer pends: the stack's waits */
	prev = now;
	all[3] = fixture_vf("vf3", MAC_A);
	traffic(sb, all[3], 6);
	emu_hold_oids(all[3], TRUE);
	assert_int_equal(emu_stack_query_statistics(sb), NDIS_STATUS_PENDING);
	assert_true(emu_stack_oid_pending(sb));
	emu_stack_send(sb, 1); /* on vf3, counted by its answer */
	emu_hold_oids(all[3], FALSE);
	emu_complete_oids(all[3]);
	assert_false(emu_stack_oid_pending(sb));
	assert_true(emu_stack_statistics(sb, &now));
	want = moved(all, 4);
	assert_merged(&now, &want, &prev);
	assert_engine_agrees(&now);
}

static ULONG64 stack_counter(struct emu_adapter *sb, NDIS_OID oid, unsigned len)
{
	ULONG64 v = 0;

	assert_int_equal(emu_stack_query_counter(sb, oid, len), NDIS_STATUS_SUCCESS);
	assert_true(emu_stack_counter(sb, &v));
	return v;
}

/* The single counter OIDs: the same merge, in 8 or 4 bytes. */
static void test_single_counter_oids_merged(void **state)
{
	struct emu_adapter *all[3];
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	NDIS_STATISTICS_INFO want;
	ULONG64 v;

	(void)state;
	all[0] = sb;
	all[1] = fixture_vf("vf1", MAC_A);
	traffic(sb, all[1], 5);
	emu_hold_tx(all[1], TRUE);
	emu_stack_send(sb, 2);
	emu_unplug(all[1], TRUE); /* 2 errors on vf1, sent again on the standby */
	all[2] = fixture_vf("vf2", MAC_A);
	traffic(sb, all[2], 3);
	want = moved(all, 3);
	assert_int_equal(stack_counter(sb, OID_GEN_XMIT_OK, 8), want.ifHCOutUcastPkts +
									want.ifHCOutMulticastPkts +
									want.ifHCOutBroadcastPkts);
	assert_int_equal(stack_counter(sb, OID_GEN_RCV_OK, 8), want.ifHCInUcastPkts +
								       want.ifHCInMulticastPkts +
								       want.ifHCInBroadcastPkts);
	assert_int_equal(stack_counter(sb, OID_GEN_XMIT_ERROR, 8), want.ifOutErrors);
	assert_int_equal(stack_counter(sb, OID_GEN_DIRECTED_FRAMES_XMIT, 4), want.ifHCOutUcastPkts);
	assert_int_equal(stack_counter(sb, OID_GEN_BROADCAST_FRAMES_RCV, 4),
			 want.ifHCInBroadcastPkts);
	assert_int_equal(stack_counter(sb, OID_GEN_BYTES_RCV, 4), (ULONG)want.ifHCInOctets);
	/* the VF's answer pends: so does the stack's */
	emu_hold_oids(all[2], TRUE);
	assert_int_equal(emu_stack_query_counter(sb, OID_GEN_BYTES_XMIT, 8), NDIS_STATUS_PENDING);
	emu_stack_send(sb, 1);
	emu_hold_oids(all[2], FALSE);
	emu_complete_oids(all[2]);
	assert_true(emu_stack_counter(sb, &v));
	want = moved(all, 3);
	assert_int_equal(v, want.ifHCOutOctets);
}

/* The discard OIDs: ifInDiscards (OID_GEN_RCV_DISCARDS, and
 * OID_GEN_RCV_NO_BUFFER, which has no counter of its own) and ifOutDiscards
 * (OID_GEN_XMIT_DISCARDS) of the standby and every VF, never going down. */
static void test_discard_oids_merged(void **state)
{
	struct emu_adapter *all[3];
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	NDIS_STATISTICS_INFO want;
	ULONG64 rcv, xmit;

	(void)state;
	all[0] = sb;
	emu_miniport_discard(sb, 1);
	emu_miniport_discard_tx(sb, 2);
	all[1] = fixture_vf("vf1", MAC_A);
	emu_miniport_discard(all[1], 3);
	emu_miniport_discard_tx(all[1], 4);
	rcv = stack_counter(sb, OID_GEN_RCV_DISCARDS, 8);
	xmit = stack_counter(sb, OID_GEN_XMIT_DISCARDS, 8);
	assert_int_equal(rcv, 1 + 3);
	assert_int_equal(xmit, 2 + 4);
	emu_unplug(all[1], FALSE);
	all[2] = fixture_vf("vf2", MAC_A);
	emu_miniport_discard(all[2], 5);
	emu_miniport_discard_tx(all[2], 6);
	want = moved(all, 3);
	assert_int_equal(want.ifInDiscards, 1 + 3 + 5);
	assert_int_equal(stack_counter(sb, OID_GEN_RCV_DISCARDS, 8), want.ifInDiscards);
	assert_int_equal(stack_counter(sb, OID_GEN_RCV_NO_BUFFER, 4), want.ifInDiscards);
	assert_int_equal(stack_counter(sb, OID_GEN_XMIT_DISCARDS, 4), want.ifOutDiscards);
	assert_true(want.ifInDiscards >= rcv && want.ifOutDiscards >= xmit);
}

/* The standby's own answer passes up unchanged while no VF ever counted. */
static void test_statistics_of_a_standby_alone(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	NDIS_STATISTICS_INFO now, want, zero;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	emu_stack_send(sb, 4);
	emu_receive(sb, UNICAST, FALSE);
	emu_miniport_discard(sb, 1);
	now = stack_statistics(sb);
	emu_adapter_statistics(sb, &want);
	assert_merged(&now, &want, &zero);
	assert_int_equal(now.ifHCOutUcastPkts, 4);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_statistics_monotonic_across_three_vf_changes),
		T(test_statistics_of_a_standby_alone),
		T(test_single_counter_oids_merged),
		T(test_discard_oids_merged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
