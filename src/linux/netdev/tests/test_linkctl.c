/* SPDX-License-Identifier: BSD-2-Clause */
/* linkctl.c and addrctl.c: MTU, up/down, promisc/allmulti, addrgen, addresses. */
#include "nd_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netdev/addrctl.h"
#include "netdev/linkctl.h"

static struct sfo_rtnl *open_req(void)
{
	struct sfo_rtnl *rt = NULL;

	assert_int_equal(sfo_rtnl_open(&rt, NULL, NULL, SFO_RTNL_NO_MONITOR), 0);
	return rt;
}

static struct sfo_link get(struct sfo_rtnl *rt, int ifindex)
{
	struct sfo_link l;

	assert_int_equal(sfo_rtnl_get_link(rt, ifindex, NULL, &l, NULL, 0), 0);
	return l;
}

static void test_mtu(void **state)
{
	struct sfo_rtnl *rt = open_req();
	char err[256];
	int a;
	(void)state;

	a = ndt_veth("ndt-u0", "ndt-u1");
	assert_int_equal(sfo_link_set_mtu(rt, a, 9000, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(get(rt, a).mtu, 9000);

	/* Above max_mtu: refused, with the kernel's own explanation. */
	assert_int_equal(get(rt, a).max_mtu, 65535);
	assert_int_equal(sfo_link_set_mtu(rt, a, 70000, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "mtu greater than device maximum"));
	assert_int_equal(get(rt, a).mtu, 9000);
	/* Below min_mtu too. */
	assert_int_equal(sfo_link_set_mtu(rt, a, 60, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "mtu less than device minimum"));
	/* A small error buffer is truncated, not overrun; NULL is allowed. */
	char small[8];

	assert_int_equal(sfo_link_set_mtu(rt, a, 70000, small, sizeof(small)), -EINVAL);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(sfo_link_set_mtu(rt, a, 70000, NULL, 0), -EINVAL);
	/* No such link. */
	assert_int_equal(sfo_link_set_mtu(rt, 99999, 1500, err, sizeof(err)), -ENODEV);
	assert_true(strlen(err) > 0);
	assert_int_equal(sfo_link_set_mtu(rt, 0, 1500, err, sizeof(err)), -EINVAL);
	sfo_rtnl_close(rt);
	NDT_SH("ip link del ndt-u0");
}

static void test_up_down(void **state)
{
	struct sfo_rtnl *rt = open_req();
	int a;
	(void)state;

	a = ndt_veth("ndt-s0", "ndt-s1");
	assert_int_equal(sfo_link_set_up(rt, a, true, NULL, 0), 0);
	assert_true(get(rt, a).flags & IFF_UP);
	assert_int_equal(sfo_link_set_up(rt, a, true, NULL, 0), 0); /* idempotent */
	assert_int_equal(sfo_link_set_up(rt, a, false, NULL, 0), 0);
	assert_false(get(rt, a).flags & IFF_UP);
	sfo_rtnl_close(rt);
	NDT_SH("ip link del ndt-s0");
}

static void test_promisc_allmulti(void **state)
{
	struct sfo_rtnl *rt = open_req();
	int a;
	(void)state;

	a = ndt_veth("ndt-f0", "ndt-f1");
	assert_int_equal(sfo_link_set_promisc(rt, a, true, NULL, 0), 0);
	assert_true(get(rt, a).flags & IFF_PROMISC);
	assert_false(get(rt, a).flags & IFF_ALLMULTI);
	/* Our flag is one reference: setting it twice, clearing once, clears. */
	assert_int_equal(sfo_link_set_promisc(rt, a, true, NULL, 0), 0);
	assert_int_equal(sfo_link_set_promisc(rt, a, false, NULL, 0), 0);
	assert_false(get(rt, a).flags & IFF_PROMISC);

	assert_int_equal(sfo_link_set_allmulti(rt, a, true, NULL, 0), 0);
	assert_true(get(rt, a).flags & IFF_ALLMULTI);
	assert_false(get(rt, a).flags & IFF_PROMISC);
	assert_int_equal(sfo_link_set_allmulti(rt, a, false, NULL, 0), 0);
	assert_false(get(rt, a).flags & IFF_ALLMULTI);
	sfo_rtnl_close(rt);
	NDT_SH("ip link del ndt-f0");
}

static bool has_link_local(struct sfo_rtnl *rt, int ifindex)
{
	struct sfo_addr addrs[16];
	int n, i;

	n = sfo_addr_list(rt, ifindex, AF_INET6, addrs, 16, NULL, 0);
	assert_true(n >= 0 && n <= 16);
	for (i = 0; i < n; i++) {
		if (IN6_IS_ADDR_LINKLOCAL(&addrs[i].in6))
			return true;
	}
	return false;
}

static void test_addrgen_none(void **state)
{
	struct sfo_rtnl *rt = open_req();
	long long end;
	int a, b;
	(void)state;

	a = ndt_veth("ndt-n0", "ndt-n1");
	b = ndt_ifindex("ndt-n1");
	assert_int_equal(sfo_link_set_addrgen_none(rt, a, NULL, 0), 0);
	assert_int_equal(sfo_link_set_up(rt, a, true, NULL, 0), 0);
	assert_int_equal(sfo_link_set_up(rt, b, true, NULL, 0), 0);
	/* The control end gets its fe80 address as soon as the carrier is up... */
	end = ndt_now_ms() + 3000;
	while (!has_link_local(rt, b) && ndt_now_ms() < end)
		usleep(10000);
	assert_true(has_link_local(rt, b));
	assert_true(get(rt, a).flags & SFO_IFF_LOWER_UP);
	/* ...ours never does. */
	usleep(100000);
	assert_false(has_link_local(rt, a));
	assert_int_equal(sfo_addr_list(rt, a, AF_INET6, NULL, 0, NULL, 0), 0);
	/* Still true after a down/up cycle. */
	assert_int_equal(sfo_link_set_up(rt, a, false, NULL, 0), 0);
	assert_int_equal(sfo_link_set_up(rt, a, true, NULL, 0), 0);
	usleep(100000);
	assert_false(has_link_local(rt, a));
	sfo_rtnl_close(rt);
	NDT_SH("ip link del ndt-n0");
}

static int count_family(const struct sfo_addr *a, int n, int family)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		c += a[i].family == family;
	return c;
}

static void test_list_and_flush(void **state)
{
	struct sfo_rtnl *rt = open_req();
	struct sfo_addr addrs[16];
	char buf[INET6_ADDRSTRLEN], err[256];
	int a, b, n, i;
	(void)state;

	a = ndt_veth("ndt-l0", "ndt-l1");
	b = ndt_ifindex("ndt-l1");
	NDT_SH("ip link set ndt-l0 up && ip link set ndt-l1 up");
	NDT_SH("ip addr add 192.0.2.1/24 dev ndt-l0");
	NDT_SH("ip addr add 192.0.2.2/24 dev ndt-l0"); /* secondary */
	NDT_SH("ip addr add 198.51.100.1/24 dev ndt-l0");
	NDT_SH("ip addr add 2001:db8::1/64 dev ndt-l0 nodad");
	NDT_SH("ip addr add 2001:db8::2/64 dev ndt-l0"); /* tentative while DAD runs */
	NDT_SH("ip addr add 192.0.2.9/24 dev ndt-l1");

	n = sfo_addr_list(rt, a, AF_INET, addrs, 16, err, sizeof(err));
	assert_int_equal(n, 3);
	assert_string_equal(sfo_addr_str(&addrs[0], buf, sizeof(buf)), "192.0.2.1");
	assert_int_equal(addrs[0].prefixlen, 24);
	n = sfo_addr_list(rt, a, AF_UNSPEC, addrs, 16, err, sizeof(err));
	assert_true(n >= 5); /* + fe80:: once it is there */
	assert_int_equal(count_family(addrs, n, AF_INET), 3);
	for (i = 0; i < n; i++) {
		if (addrs[i].family == AF_INET6 &&
		    !strcmp(sfo_addr_str(&addrs[i], buf, sizeof(buf)), "2001:db8::1"))
			assert_false(addrs[i].flags & IFA_F_TENTATIVE);
	}
	/* Too small an array: the count says how many there are. */
	assert_int_equal(sfo_addr_list(rt, a, AF_UNSPEC, addrs, 2, NULL, 0), n);

	assert_int_equal(sfo_addr_flush(rt, a, AF_INET, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(sfo_addr_list(rt, a, AF_INET, NULL, 0, NULL, 0), 0);
	assert_true(sfo_addr_list(rt, a, AF_INET6, NULL, 0, NULL, 0) >= 2);
	assert_int_equal(sfo_addr_flush(rt, a, AF_UNSPEC, err, sizeof(err)), 0);
	assert_int_equal(sfo_addr_list(rt, a, AF_UNSPEC, NULL, 0, NULL, 0), 0);
	/* The other interface keeps its address. */
	assert_int_equal(sfo_addr_list(rt, b, AF_INET, NULL, 0, NULL, 0), 1);
	/* Flushing nothing is fine; bad arguments are not. */
	assert_int_equal(sfo_addr_flush(rt, a, AF_UNSPEC, NULL, 0), 0);
	assert_int_equal(sfo_addr_flush(rt, a, AF_PACKET, NULL, 0), -EAFNOSUPPORT);
	assert_int_equal(sfo_addr_list(rt, 0, AF_INET, NULL, 0, NULL, 0), -EINVAL);
	sfo_rtnl_close(rt);
	NDT_SH("ip link del ndt-l0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mtu),
		cmocka_unit_test(test_up_down),
		cmocka_unit_test(test_promisc_allmulti),
		cmocka_unit_test(test_addrgen_none),
		cmocka_unit_test(test_list_and_flush),
	};

	return NDT_RUN("netdev-linkctl", tests);
}
