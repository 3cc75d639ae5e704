/* SPDX-License-Identifier: BSD-2-Clause */
/* adapter.c: struct sfo_adapter_info and counters from real links. */
#include "nd_test.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>

#include "netdev/adapter.h"
#include "netdev/linkctl.h"

static struct sfo_adapter_info info_of(struct sfo_rtnl *rt, const char *name)
{
	struct sfo_adapter_info info;
	struct sfo_link l;

	assert_int_equal(sfo_rtnl_get_link(rt, 0, name, &l, NULL, 0), 0);
	assert_int_equal(sfo_adapter_info_from_link(&l, &info), 0);
	return info;
}

static void test_veth(void **state)
{
	struct sfo_rtnl *rt = NULL;
	struct sfo_adapter_info info;
	struct sfo_link l;
	uint8_t mac[6];
	int a;
	(void)state;

	assert_int_equal(sfo_rtnl_open(&rt, NULL, NULL, SFO_RTNL_NO_MONITOR), 0);
	a = ndt_veth("ndt-v0", "ndt-v1");
	NDT_SH("ip link set ndt-v0 address 02:00:5e:00:53:01 mtu 9000");
	ndt_mac(mac, "02:00:5e:00:53:01");

	info = info_of(rt, "ndt-v0");
	assert_int_equal(info.id, a);
	assert_string_equal(info.name, "ndt-v0");
	assert_string_equal(info.driver, "veth");
	assert_string_equal(info.kind, "veth");
	assert_int_equal(info.pci_vendor, 0);
	assert_int_equal(info.pci_device, 0);
	assert_memory_equal(info.perm_mac, mac, 6); /* no permanent MAC: the current one */
	assert_int_equal(info.flags, 0);
	assert_int_equal(info.mtu, 9000);
	assert_int_equal(info.max_mtu, 65535);
	assert_true(info.offloads_supported & SFO_OFF_TX_CSUM);
	assert_true(info.offloads_active & SFO_OFF_TSO4);
	assert_int_equal(info.offloads_active & ~info.offloads_supported, 0);

	NDT_SH("ip link set ndt-v0 up");
	info = info_of(rt, "ndt-v0");
	assert_int_equal(info.flags, SFO_AF_UP); /* no carrier while the peer is down */
	NDT_SH("ip link set ndt-v1 up");
	assert_int_equal(sfo_link_set_promisc(rt, a, true, NULL, 0), 0);
	assert_int_equal(sfo_link_set_allmulti(rt, a, true, NULL, 0), 0);
	info = info_of(rt, "ndt-v0");
	assert_int_equal(info.flags, SFO_AF_UP | SFO_AF_CARRIER | SFO_AF_PROMISC | SFO_AF_ALLMULTI);

	/* Invalid input. */
	memset(&l, 0, sizeof(l));
	assert_int_equal(sfo_adapter_info_from_link(&l, &info), -EINVAL);
	sfo_rtnl_close(rt);
	NDT_SH("ip link del ndt-v0");
}

static void test_stacked(void **state)
{
	struct sfo_rtnl *rt = NULL;
	struct sfo_adapter_info info;
	(void)state;

	assert_int_equal(sfo_rtnl_open(&rt, NULL, NULL, SFO_RTNL_NO_MONITOR), 0);
	NDT_SH("ip link add ndt-br0 type bridge");
	ndt_veth("ndt-b0", "ndt-b1");

	info = info_of(rt, "ndt-br0");
	assert_string_equal(info.kind, "bridge");
	assert_string_equal(info.driver, "bridge");
	assert_true(info.flags & SFO_AF_STACKED);
	assert_int_equal(info.pci_vendor, 0);

	assert_false(info_of(rt, "ndt-b0").flags & SFO_AF_STACKED);
	assert_int_equal(info_of(rt, "ndt-b0").master_id, 0);
	NDT_SH("ip link set ndt-b0 master ndt-br0");
	assert_true(info_of(rt, "ndt-b0").flags & SFO_AF_STACKED); /* enslaved */
	/* to whom: the engine tells net_failover's slaves by their master */
	assert_int_equal(info_of(rt, "ndt-b0").master_id, info_of(rt, "ndt-br0").id);
	assert_false(info_of(rt, "ndt-b1").flags & SFO_AF_STACKED);

	NDT_SH("ip link add ndt-mv0 link ndt-b1 type macvlan");
	info = info_of(rt, "ndt-mv0");
	assert_string_equal(info.kind, "macvlan");
	assert_true(info.flags & SFO_AF_STACKED);

	info = info_of(rt, "lo");
	assert_string_equal(info.kind, "");
	assert_false(info.flags & SFO_AF_STACKED);
	assert_true(info.flags & SFO_AF_UP);

	assert_true(sfo_link_kind_is_stacked("bond"));
	assert_true(sfo_link_kind_is_stacked("vlan"));
	assert_false(sfo_link_kind_is_stacked("veth"));
	assert_false(sfo_link_kind_is_stacked(""));
	assert_false(sfo_link_kind_is_stacked(NULL));
	sfo_rtnl_close(rt);
	NDT_SH("ip link del ndt-mv0");
	NDT_SH("ip link del ndt-b0");
	NDT_SH("ip link del ndt-br0");
}

static void test_counters(void **state)
{
	struct sfo_rtnl *rt = NULL;
	struct sfo_counters c;
	struct sfo_link l;
	int a, b;
	(void)state;

	assert_int_equal(sfo_rtnl_open(&rt, NULL, NULL, SFO_RTNL_NO_MONITOR), 0);
	a = ndt_veth("ndt-r0", "ndt-r1");
	b = ndt_ifindex("ndt-r1");
	/* No IPv6 chatter (MLD, DAD) to disturb the exact counts. */
	NDT_SH("sysctl -qw net.ipv6.conf.ndt-r0.disable_ipv6=1 net.ipv6.conf.ndt-r1.disable_ipv6=1");
	NDT_SH("ip link set ndt-r0 up && ip link set ndt-r1 up");
	assert_int_equal(sfo_adapter_read_counters(rt, a, &c), 0);
	uint64_t tx0 = c.v[SFO_CTR_TX_PACKETS], txb0 = c.v[SFO_CTR_TX_BYTES];

	ndt_send_frames(a, 11, 200);
	assert_int_equal(sfo_adapter_read_counters(rt, a, &c), 0);
	assert_int_equal(c.width, 64);
	assert_int_equal(c.v[SFO_CTR_TX_PACKETS] - tx0, 11);
	assert_int_equal(c.v[SFO_CTR_TX_BYTES] - txb0, 11 * 200);
	assert_int_equal(sfo_adapter_read_counters(rt, b, &c), 0);
	assert_true(c.v[SFO_CTR_RX_PACKETS] >= 11);
	assert_int_equal(c.v[SFO_CTR_RX_ERRORS], 0);
	assert_int_equal(c.v[SFO_CTR_COLLISIONS], 0);

	memset(&l, 0, sizeof(l));
	assert_int_equal(sfo_counters_from_link(&l, &c), -ENODATA);
	assert_int_equal(c.width, 64);
	assert_int_equal(sfo_adapter_read_counters(rt, 99999, &c), -ENODEV);
	sfo_rtnl_close(rt);
	NDT_SH("ip link del ndt-r0");
}

static void test_counter_mapping(void **state)
{
	struct sfo_link l;
	struct sfo_counters c;
	(void)state;

	/* Distinct values show each field lands where it belongs. */
	memset(&l, 0, sizeof(l));
	l.has_stats64 = true;
	l.stats64.rx_packets = 1;
	l.stats64.tx_packets = 2;
	l.stats64.rx_bytes = 3;
	l.stats64.tx_bytes = 4;
	l.stats64.rx_errors = 5;
	l.stats64.tx_errors = 6;
	l.stats64.rx_dropped = 7;
	l.stats64.tx_dropped = 8;
	l.stats64.multicast = 9;
	l.stats64.collisions = 10;
	l.stats64.rx_missed_errors = 99;
	assert_int_equal(sfo_counters_from_link(&l, &c), 0);
	assert_int_equal(c.width, 64);
	assert_int_equal(c.v[SFO_CTR_RX_PACKETS], 1);
	assert_int_equal(c.v[SFO_CTR_TX_PACKETS], 2);
	assert_int_equal(c.v[SFO_CTR_RX_BYTES], 3);
	assert_int_equal(c.v[SFO_CTR_TX_BYTES], 4);
	assert_int_equal(c.v[SFO_CTR_RX_ERRORS], 5);
	assert_int_equal(c.v[SFO_CTR_TX_ERRORS], 6);
	assert_int_equal(c.v[SFO_CTR_RX_DROPPED], 7);
	assert_int_equal(c.v[SFO_CTR_TX_DROPPED], 8);
	assert_int_equal(c.v[SFO_CTR_MULTICAST], 9);
	assert_int_equal(c.v[SFO_CTR_COLLISIONS], 10);
	l.stats64.tx_bytes = UINT64_MAX; /* full 64-bit width */
	assert_int_equal(sfo_counters_from_link(&l, &c), 0);
	assert_true(c.v[SFO_CTR_TX_BYTES] == UINT64_MAX);
}

/* A known device's later messages: the message's facts, ethtool's kept. */
static void test_refresh(void **state)
{
	struct sfo_adapter_info known, info;
	struct sfo_rtnl *rt = NULL;
	struct sfo_link l;
	(void)state;

	assert_int_equal(sfo_rtnl_open(&rt, NULL, NULL, SFO_RTNL_NO_MONITOR), 0);
	ndt_veth("ndt-r0", "ndt-r1");
	NDT_SH("ip link set ndt-r0 address 02:00:5e:00:53:02");
	known = info_of(rt, "ndt-r0");

	NDT_SH("ip link set ndt-r1 up");
	NDT_SH("ip link set ndt-r0 mtu 4000 up promisc on");
	assert_int_equal(sfo_rtnl_get_link(rt, 0, "ndt-r0", &l, NULL, 0), 0);
	info = known;
	assert_int_equal(sfo_adapter_info_refresh(&l, &info), 0);
	known = info_of(rt, "ndt-r0"); /* what the full read says now */
	assert_memory_equal(&info, &known, sizeof(info));
	assert_int_equal(info.flags, SFO_AF_UP | SFO_AF_CARRIER | SFO_AF_PROMISC);
	assert_int_equal(info.mtu, 4000);

	/* another identity: only a full read can tell */
	NDT_SH("ip link set ndt-r0 address 02:00:5e:00:53:03");
	assert_int_equal(sfo_rtnl_get_link(rt, 0, "ndt-r0", &l, NULL, 0), 0);
	info = known;
	assert_int_equal(sfo_adapter_info_refresh(&l, &info), -ESTALE);
	NDT_SH("ip link set ndt-r0 down");
	NDT_SH("ip link set ndt-r0 name ndt-r2");
	assert_int_equal(sfo_rtnl_get_link(rt, 0, "ndt-r2", &l, NULL, 0), 0);
	info = known;
	assert_int_equal(sfo_adapter_info_refresh(&l, &info), -ESTALE);
	sfo_rtnl_close(rt);
	NDT_SH("ip link del ndt-r2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_veth),	 cmocka_unit_test(test_stacked),
		cmocka_unit_test(test_counters), cmocka_unit_test(test_counter_mapping),
		cmocka_unit_test(test_refresh),
	};

	return NDT_RUN("netdev-adapter", tests);
}
