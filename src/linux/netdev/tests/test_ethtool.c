/* SPDX-License-Identifier: BSD-2-Clause */
/* ethtool.c: driver info, permanent address, offloads round trip. */
#include "nd_test.h"

#include <errno.h>
#include <string.h>

#include "netdev/ethtool.h"

static void test_drvinfo(void **state)
{
	char drv[SFO_DRIVER_MAX], bus[64];
	(void)state;

	ndt_veth("ndt-t0", "ndt-t1");
	assert_int_equal(sfo_ethtool_drvinfo("ndt-t0", drv, sizeof(drv), bus, sizeof(bus)), 0);
	assert_string_equal(drv, "veth");
	assert_string_equal(bus, "");
	/* Short buffers truncate; NULL buffers are skipped. */
	assert_int_equal(sfo_ethtool_drvinfo("ndt-t0", drv, 3, NULL, 0), 0);
	assert_string_equal(drv, "ve");
	assert_int_equal(sfo_ethtool_drvinfo("ndt-nope", drv, sizeof(drv), NULL, 0), -ENODEV);
	assert_int_equal(sfo_ethtool_drvinfo("", drv, sizeof(drv), NULL, 0), -EINVAL);
	assert_int_equal(sfo_ethtool_drvinfo("0123456789abcdef", drv, sizeof(drv), NULL, 0),
			 -EINVAL);
	NDT_SH("ip link del ndt-t0");
}

static void test_perm_addr(void **state)
{
	uint8_t mac[6];
	(void)state;

	ndt_veth("ndt-q0", "ndt-q1");
	/* veth has no permanent address: all zeroes. */
	assert_int_equal(sfo_ethtool_perm_addr("ndt-q0", mac), -ENOENT);
	assert_int_equal(sfo_ethtool_perm_addr("ndt-nope", mac), -ENODEV);
	NDT_SH("ip link del ndt-q0");
}

static void test_offloads_round_trip(void **state)
{
	uint32_t sup = 0, act = 0, after = 0, orig;
	(void)state;

	ndt_veth("ndt-o0", "ndt-o1");
	assert_int_equal(sfo_ethtool_get_offloads("ndt-o0", &sup, &act), 0);
	/* What veth offers (see "ethtool -k"). */
	assert_true(sup & SFO_OFF_TX_CSUM);
	assert_true(sup & SFO_OFF_SG);
	assert_true(sup & SFO_OFF_TSO4);
	assert_true(sup & SFO_OFF_TSO6);
	assert_true(sup & SFO_OFF_GSO);
	assert_true(sup & SFO_OFF_GRO);
	assert_true(sup & SFO_OFF_RX_CSUM);
	assert_false(sup & SFO_OFF_LRO); /* off [fixed] */
	assert_false(sup & SFO_OFF_RX_HASH);
	assert_true(act & SFO_OFF_TX_CSUM);
	assert_true(act & SFO_OFF_TSO4);
	assert_int_equal(act & ~sup, 0);
	orig = act;

	/* TX checksumming off: the kernel also drops TSO, which needs it. */
	assert_int_equal(sfo_ethtool_set_offloads("ndt-o0", SFO_OFF_TX_CSUM, 0, &after), 0);
	assert_false(after & SFO_OFF_TX_CSUM);
	assert_false(after & SFO_OFF_TSO4);
	assert_true(after & SFO_OFF_SG); /* untouched */
	assert_int_equal(ndt_sh("ethtool -k ndt-o0 | grep -q 'tx-checksum-ip-generic: off'"), 0);
	assert_int_equal(sfo_ethtool_get_offloads("ndt-o0", NULL, &act), 0);
	assert_int_equal(act, after);

	/* Back on, TSO with it (requested features stayed on). */
	assert_int_equal(
		sfo_ethtool_set_offloads("ndt-o0", SFO_OFF_TX_CSUM, SFO_OFF_TX_CSUM, &after), 0);
	assert_true(after & SFO_OFF_TX_CSUM);
	assert_true(after & SFO_OFF_TSO4);
	assert_int_equal(ndt_sh("ethtool -k ndt-o0 | grep -q 'tx-checksum-ip-generic: on'"), 0);

	/* GRO on (veth default off), then everything as it was. */
	assert_int_equal(sfo_ethtool_set_offloads("ndt-o0", SFO_OFF_GRO, SFO_OFF_GRO, &after), 0);
	assert_true(after & SFO_OFF_GRO);
	assert_int_equal(sfo_ethtool_set_offloads("ndt-o0", SFO_OFF_ALL, orig, &after), 0);
	assert_int_equal(after, orig);
	/* Unsupported bits in the mask are ignored. */
	assert_int_equal(sfo_ethtool_set_offloads("ndt-o0", SFO_OFF_LRO, SFO_OFF_LRO, &after), 0);
	assert_false(after & SFO_OFF_LRO);
	assert_int_equal(sfo_ethtool_get_offloads("ndt-nope", &sup, &act), -ENODEV);
	NDT_SH("ip link del ndt-o0");
}

/* The feature names are read once for all devices: what a device of another
 * kind then reports is its own, not the first device's. (This guards against
 * caching a device's values with the names; a wrong name table would show in
 * test_offloads above, not here.) */
static void test_offloads_of_another_kind(void **state)
{
	uint32_t sup = 0, act = 0;
	(void)state;

	ndt_veth("ndt-k0", "ndt-k1");
	assert_int_equal(sfo_ethtool_get_offloads("ndt-k0", &sup, &act), 0);
	assert_true(sup & SFO_OFF_RX_CSUM);
	assert_false(act & SFO_OFF_GRO); /* veth's default */
	NDT_SH("ip link add ndt-kb type bridge");
	assert_int_equal(sfo_ethtool_get_offloads("ndt-kb", &sup, &act), 0);
	assert_false(sup & SFO_OFF_RX_CSUM); /* "rx-checksumming: off [fixed]" */
	assert_true(act & SFO_OFF_GRO);
	assert_true(act & SFO_OFF_TX_CSUM);
	NDT_SH("ip link del ndt-kb");
	NDT_SH("ip link del ndt-k0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drvinfo),
		cmocka_unit_test(test_perm_addr),
		cmocka_unit_test(test_offloads_round_trip),
		cmocka_unit_test(test_offloads_of_another_kind),
	};

	return NDT_RUN("netdev-ethtool", tests);
}
