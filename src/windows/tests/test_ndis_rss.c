// SPDX-License-Identifier: BSD-2-Clause
/*
 * RSS on the emulation: the stack's OID_GEN_RECEIVE_SCALE_PARAMETERS on the
 * standby go to the paired VF with the same hash type, key and indirection
 * table (the emulation checks each buffer against its header), one request
 * in flight with the latest sent after it, replayed to each new VF; a VF
 * whose bind shows no RSS, or not the hash types asked for, is not sent
 * them (logged once); one that refuses them is logged, and serves all the
 * same.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ndis_fixture.h"

static const UCHAR MAC_A[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

#define HASH_TCP_IPV4 0x00000101u /* NdisHashFunctionToeplitz | NDIS_HASH_TCP_IPV4 */

struct rss_set {
	UCHAR key[40];
	UCHAR table[128];
};

static struct rss_set rss_set(UCHAR seed)
{
	struct rss_set r;

	for (unsigned i = 0; i < sizeof(r.key); i++)
		r.key[i] = (UCHAR)(seed + 7 * i);
	for (unsigned i = 0; i < sizeof(r.table); i++)
		r.table[i] = (UCHAR)((seed + i) % 4);
	return r;
}

static void set_rss(struct emu_adapter *sb, const struct rss_set *r, ULONG hash)
{
	assert_int_equal(
		emu_stack_set_rss(sb, hash, r->key, sizeof(r->key), r->table, sizeof(r->table)),
		NDIS_STATUS_SUCCESS);
}

/* @a was given exactly @r (key and table) with @hash. */
static void assert_rss(struct emu_adapter *a, const struct rss_set *r, ULONG hash)
{
	struct emu_rss_seen seen;

	assert_true(emu_rss(a, &seen));
	assert_int_equal(seen.hash_info, hash);
	assert_int_equal(seen.key_len, sizeof(r->key));
	assert_int_equal(seen.table_len, sizeof(r->table));
	assert_memory_equal(seen.key, r->key, sizeof(r->key));
	assert_memory_equal(seen.table, r->table, sizeof(r->table));
}

static unsigned rss_sets(struct emu_adapter *a)
{
	struct emu_rss_seen seen;

	emu_rss(a, &seen);
	return seen.sets;
}

static void test_rss_mirrored_latest_wins_and_replayed(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A), *v1, *v2;
	struct rss_set a = rss_set(1), b = rss_set(2), c = rss_set(3);
	struct emu_rss_seen seen;

	(void)state;
	v1 = fixture_vf("vf1", MAC_A);
	assert_false(emu_rss(v1, &seen)); /* nothing before the stack sets it */
	set_rss(sb, &a, HASH_TCP_IPV4);
	assert_rss(sb, &a, HASH_TCP_IPV4);
	assert_rss(v1, &a, HASH_TCP_IPV4);
	/* two changes while the VF's request is out: one in flight, the latest
	 * after it (the emulation breaks a rule on a second in flight) */
	emu_hold_oids(v1, TRUE);
	set_rss(sb, &b, HASH_TCP_IPV4);
	set_rss(sb, &c, HASH_TCP_IPV4 | 0x4);
	assert_int_equal(emu_oids_in_flight(v1), 1);
	emu_hold_oids(v1, FALSE);
	emu_complete_oids(v1);
	assert_rss(v1, &c, HASH_TCP_IPV4 | 0x4);
	assert_int_equal(rss_sets(v1), 3); /* a, b, then c: not b twice */
	/* a new VF gets the stack's last */
	emu_unplug(v1, FALSE);
	v2 = fixture_vf("vf2", MAC_A);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	assert_rss(v2, &c, HASH_TCP_IPV4 | 0x4);
}

/* A VF that takes RSS at its bind and then refuses the parameters: logged,
 * and it serves all the same. */
static void test_vf_refusing_rss_serves_all_the_same(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A), *v;
	struct rss_set a = rss_set(5);
	struct emu_rss_seen seen;

	(void)state;
	v = fixture_vf("vf0", MAC_A);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	emu_adapter_set_rss_support(v, FALSE);
	set_rss(sb, &a, HASH_TCP_IPV4); /* the standby's answer: success */
	assert_false(emu_rss(v, &seen));
	assert_true(emu_log_has("refused the stack's RSS parameters"));
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	emu_stack_send(sb, 3);
	assert_int_equal(emu_tx_frames(v), 3);
}

/* A VF whose bind shows no RSS (RcvScaleCapabilities NULL) is not sent the
 * parameters at all, at pairing or on a change; why is logged once. */
static void test_vf_without_rss_capabilities_not_mirrored(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A), *v;
	struct rss_set a = rss_set(6), b = rss_set(7);
	unsigned logged = emu_log_count("not mirrored to it: no RSS at its bind");
	unsigned refused = emu_log_count("refused the stack's RSS parameters");
	struct emu_rss_seen seen;

	(void)state;
	set_rss(sb, &a, HASH_TCP_IPV4);
	v = fixture_adapter("vf0", MAC_A, EMU_VF);
	emu_adapter_set_rss_support(v, FALSE);
	emu_offer(v);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	set_rss(sb, &b, HASH_TCP_IPV4);
	assert_false(emu_rss(v, &seen));
	assert_int_equal(seen.requests, 0); /* never sent: nothing refused */
	assert_int_equal(emu_log_count("refused the stack's RSS parameters"), refused);
	assert_int_equal(emu_log_count("not mirrored to it: no RSS at its bind"), logged + 1);
	emu_stack_send(sb, 3);
	assert_int_equal(emu_tx_frames(v), 3);
}

#define RSS_CAPS_TCP_IPV4      0x100u  /* NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV4 */
#define HASH_TOEPLITZ_TCP_IPV4 0x201u  /* NDIS_HASH_TCP_IPV4 | NdisHashFunctionToeplitz */
#define HASH_TOEPLITZ_TCP_IPV6 0x1001u /* NDIS_HASH_TCP_IPV6 | NdisHashFunctionToeplitz */

/* A VF whose RSS lacks a hash type the stack asks for keeps what it had;
 * parameters it can hash go to it. */
static void test_vf_lacking_hash_type_not_mirrored(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A), *v;
	struct rss_set a = rss_set(8), b = rss_set(9);
	unsigned logged = emu_log_count("its RSS lacks hash types (hash types 0x1000)");

	(void)state;
	v = fixture_adapter("vf0", MAC_A, EMU_VF);
	emu_adapter_set_rss_caps(v, RSS_CAPS_TCP_IPV4);
	emu_offer(v);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	set_rss(sb, &a, HASH_TOEPLITZ_TCP_IPV4);
	assert_rss(v, &a, HASH_TOEPLITZ_TCP_IPV4);
	set_rss(sb, &b, HASH_TOEPLITZ_TCP_IPV4 | HASH_TOEPLITZ_TCP_IPV6);
	assert_rss(v, &a, HASH_TOEPLITZ_TCP_IPV4); /* not b */
	set_rss(sb, &a, HASH_TOEPLITZ_TCP_IPV6);
	assert_int_equal(rss_sets(v), 1);
	assert_int_equal(emu_log_count("its RSS lacks hash types (hash types 0x1000)"), logged + 1);
	set_rss(sb, &b, HASH_TOEPLITZ_TCP_IPV4);
	assert_rss(v, &b, HASH_TOEPLITZ_TCP_IPV4);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rss_mirrored_latest_wins_and_replayed),
		T(test_vf_refusing_rss_serves_all_the_same),
		T(test_vf_without_rss_capabilities_not_mirrored),
		T(test_vf_lacking_hash_type_not_mirrored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
