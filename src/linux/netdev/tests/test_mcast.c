/* SPDX-License-Identifier: BSD-2-Clause */
/* mcast.c: read /proc/net/dev_mcast, add/delete, sync with ownership. */
#include "nd_test.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netdev/mcast.h"

static bool proc_has(int ifindex, const char *hex)
{
	char line[256], h[64];
	bool found = false;
	FILE *f = fopen("/proc/net/dev_mcast", "r");
	int idx;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%d %*s %*d %*d %63s", &idx, h) == 2 && idx == ifindex &&
		    !strcmp(h, hex))
			found = true;
	}
	fclose(f);
	return found;
}

static bool list_has(uint8_t (*list)[6], int n, const uint8_t *mac)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!memcmp(list[i], mac, 6))
			return true;
	}
	return false;
}

static void test_read(void **state)
{
	uint8_t list[32][6], all_hosts[6], all_nodes[6];
	int a, n;
	(void)state;

	a = ndt_veth("ndt-c0", "ndt-c1");
	NDT_SH("ip link set ndt-c0 up");
	ndt_mac(all_hosts, "01:00:5e:00:00:01");
	ndt_mac(all_nodes, "33:33:00:00:00:01");
	n = sfo_mcast_read(a, list, 32);
	assert_true(n >= 2 && n <= 32);
	assert_true(list_has(list, n, all_hosts));
	assert_true(list_has(list, n, all_nodes));
	/* Counting only. */
	assert_int_equal(sfo_mcast_read(a, NULL, 0), n);
	assert_int_equal(sfo_mcast_read(a, list, 1), n);
	assert_int_equal(sfo_mcast_read(99999, list, 32), 0);
	assert_int_equal(sfo_mcast_read(0, list, 32), -EINVAL);
	NDT_SH("ip link del ndt-c0");
}

static void test_add_del(void **state)
{
	uint8_t m[6], unicast[6];
	int a;
	(void)state;

	a = ndt_veth("ndt-k0", "ndt-k1");
	ndt_mac(m, "01:00:5e:01:02:03");
	ndt_mac(unicast, "02:00:00:00:00:01");
	assert_int_equal(sfo_mcast_add(a, m), 0);
	assert_true(proc_has(a, "01005e010203"));
	assert_int_equal(sfo_mcast_del(a, m), 0);
	assert_false(proc_has(a, "01005e010203"));
	assert_int_equal(sfo_mcast_del(a, m), -ENOENT);
	assert_int_equal(sfo_mcast_add(a, unicast), -EINVAL);
	assert_int_equal(sfo_mcast_add(99999, m), -ENODEV);
	NDT_SH("ip link del ndt-k0");
}

static void test_sync(void **state)
{
	struct sfo_mcast_tracker *t;
	uint8_t want[4][6];
	int a;
	(void)state;

	a = ndt_veth("ndt-y0", "ndt-y1");
	NDT_SH("ip link set ndt-y0 up");
	/* Someone else's address, added the way "ip maddr" does. */
	NDT_SH("ip maddr add 01:00:5e:0a:0b:0c dev ndt-y0");
	t = sfo_mcast_tracker_new();
	assert_non_null(t);

	ndt_mac(want[0], "01:00:5e:01:01:01");
	ndt_mac(want[1], "33:33:ff:00:00:02");
	ndt_mac(want[2], "01:00:5e:00:00:01"); /* the IPv4 stack's own */
	ndt_mac(want[3], "01:00:5e:0a:0b:0c"); /* the other user's */
	assert_int_equal(sfo_mcast_sync(t, a, (const uint8_t(*)[6])want, 4), 0);
	assert_true(proc_has(a, "01005e010101"));
	assert_true(proc_has(a, "3333ff000002"));
	assert_int_equal(sfo_mcast_owned_count(t), 2);
	assert_memory_equal(sfo_mcast_owned(t, 0), want[0], 6);
	assert_null(sfo_mcast_owned(t, 2));

	/* Same list again: nothing changes. */
	assert_int_equal(sfo_mcast_sync(t, a, (const uint8_t(*)[6])want, 4), 0);
	assert_int_equal(sfo_mcast_owned_count(t), 2);

	/* Replace one of ours. */
	ndt_mac(want[0], "01:00:5e:02:02:02");
	assert_int_equal(sfo_mcast_sync(t, a, (const uint8_t(*)[6])want, 2), 0);
	assert_false(proc_has(a, "01005e010101"));
	assert_true(proc_has(a, "01005e020202"));
	assert_true(proc_has(a, "3333ff000002"));
	assert_int_equal(sfo_mcast_owned_count(t), 2);

	/* Empty list: ours go, the others' stay. */
	assert_int_equal(sfo_mcast_sync(t, a, NULL, 0), 0);
	assert_false(proc_has(a, "01005e020202"));
	assert_false(proc_has(a, "3333ff000002"));
	assert_true(proc_has(a, "01005e000001"));
	assert_true(proc_has(a, "01005e0a0b0c"));
	assert_int_equal(sfo_mcast_owned_count(t), 0);

	/* Duplicates in the wanted list are added once. */
	ndt_mac(want[1], "01:00:5e:02:02:02");
	assert_int_equal(sfo_mcast_sync(t, a, (const uint8_t(*)[6])want, 2), 0);
	assert_int_equal(sfo_mcast_owned_count(t), 1);

	/* Release gives everything back. */
	assert_int_equal(sfo_mcast_release(t), 0);
	assert_false(proc_has(a, "01005e020202"));
	assert_int_equal(sfo_mcast_owned_count(t), 0);
	sfo_mcast_tracker_free(t);
	NDT_SH("ip link del ndt-y0");
}

static void test_sync_follows_interface(void **state)
{
	struct sfo_mcast_tracker *t = sfo_mcast_tracker_new();
	uint8_t want[1][6];
	int a, b;
	(void)state;

	a = ndt_veth("ndt-z0", "ndt-z1");
	b = ndt_ifindex("ndt-z1");
	ndt_mac(want[0], "01:00:5e:03:03:03");
	assert_int_equal(sfo_mcast_sync(t, a, (const uint8_t(*)[6])want, 1), 0);
	assert_true(proc_has(a, "01005e030303"));
	/* A new VF: the old one is cleaned up. */
	assert_int_equal(sfo_mcast_sync(t, b, (const uint8_t(*)[6])want, 1), 0);
	assert_false(proc_has(a, "01005e030303"));
	assert_true(proc_has(b, "01005e030303"));
	/* The VF disappears: forget, nothing to delete. */
	NDT_SH("ip link del ndt-z0");
	sfo_mcast_forget(t);
	assert_int_equal(sfo_mcast_owned_count(t), 0);
	assert_int_equal(sfo_mcast_release(t), 0);
	sfo_mcast_tracker_free(t);
	sfo_mcast_tracker_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_add_del),
		cmocka_unit_test(test_sync),
		cmocka_unit_test(test_sync_follows_interface),
	};

	return NDT_RUN("netdev-mcast", tests);
}
