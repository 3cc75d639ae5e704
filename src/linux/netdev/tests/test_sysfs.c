/* SPDX-License-Identifier: BSD-2-Clause */
/* sysfs.c and sysctl.c, on real links and on fake trees mounted privately. */
#include "nd_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netdev/sysctl.h"
#include "netdev/sysfs.h"

static void test_soft_devices(void **state)
{
	uint16_t v = 1, d = 1;
	int a;
	(void)state;

	a = ndt_veth("ndt-h0", "ndt-h1");
	/* Our own /sys shows our namespace's links. */
	assert_int_equal(sfo_sysfs_ifindex("ndt-h0"), a);
	assert_int_equal(sfo_sysfs_ifindex("lo"), 1);
	assert_false(sfo_sysfs_has_device("ndt-h0"));
	assert_false(sfo_sysfs_is_pci("ndt-h0"));
	assert_int_equal(sfo_sysfs_pci_ids("ndt-h0", &v, &d), -ENOENT);
	assert_int_equal(v, 1); /* untouched on failure */
	assert_int_equal(sfo_sysfs_ifindex("ndt-nope"), -ENOENT);
	assert_int_equal(sfo_sysfs_ifindex("../ndt-h0"), -EINVAL);
	assert_int_equal(sfo_sysfs_ifindex(".."), -EINVAL);
	NDT_SH("ip link del ndt-h0");
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_fake_pci_tree(void **state)
{
	uint16_t v = 0, d = 0;
	(void)state;

	/* A made-up /sys in our private mount namespace: a PCI VF, a
	 * virtio-net whose device has ids but sits on the virtio bus. */
	assert_int_equal(mount("tmpfs", "/sys", "tmpfs", 0, "mode=0755"), 0);
	NDT_SH("mkdir -p /sys/bus/pci /sys/bus/virtio /sys/class/net/vf0/device "
	       "/sys/class/net/virt0/device /sys/class/net/soft0");
	write_text("/sys/class/net/vf0/ifindex", "42\n");
	write_text("/sys/class/net/vf0/device/vendor", "0x8086\n");
	write_text("/sys/class/net/vf0/device/device", "0x154c\n");
	assert_int_equal(symlink("../../../../bus/pci", "/sys/class/net/vf0/device/subsystem"), 0);
	write_text("/sys/class/net/virt0/device/vendor", "0x1af4\n");
	write_text("/sys/class/net/virt0/device/device", "0x0001\n");
	assert_int_equal(symlink("../../../../bus/virtio", "/sys/class/net/virt0/device/subsystem"),
			 0);
	write_text("/sys/class/net/soft0/ifindex", "7\n");

	assert_int_equal(sfo_sysfs_ifindex("vf0"), 42);
	assert_true(sfo_sysfs_has_device("vf0"));
	assert_true(sfo_sysfs_is_pci("vf0"));
	assert_int_equal(sfo_sysfs_pci_ids("vf0", &v, &d), 0);
	assert_int_equal(v, 0x8086);
	assert_int_equal(d, 0x154c);

	assert_true(sfo_sysfs_has_device("virt0"));
	assert_false(sfo_sysfs_is_pci("virt0"));
	assert_int_equal(sfo_sysfs_pci_ids("virt0", &v, &d), -ENOENT);

	assert_false(sfo_sysfs_has_device("soft0"));
	assert_int_equal(sfo_sysfs_pci_ids("soft0", &v, &d), -ENOENT);

	/* Garbage is reported, not misread. */
	write_text("/sys/class/net/vf0/device/device", "0x1ffff\n");
	assert_int_equal(sfo_sysfs_pci_ids("vf0", &v, &d), -EINVAL);
	write_text("/sys/class/net/vf0/device/device", "pony\n");
	assert_int_equal(sfo_sysfs_pci_ids("vf0", &v, &d), -EINVAL);
	assert_int_equal(umount("/sys"), 0);
	assert_int_equal(sfo_sysfs_ifindex("lo"), 1); /* the real one is back */
}

static void test_ipv6_sysctls(void **state)
{
	int v = -1;
	(void)state;

	ndt_veth("ndt-i0", "ndt-i1");
	assert_int_equal(sfo_ipv6_set_disabled("ndt-i0", true), 0);
	assert_int_equal(sfo_sysctl_ipv6_read("ndt-i0", "disable_ipv6", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(sfo_ipv6_set_disabled("ndt-i0", false), 0);
	assert_int_equal(sfo_sysctl_ipv6_read("ndt-i0", "disable_ipv6", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sfo_ipv6_set_accept_ra("ndt-i0", false), 0);
	assert_int_equal(sfo_sysctl_ipv6_read("ndt-i0", "accept_ra", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sfo_ipv6_set_autoconf("ndt-i0", false), 0);
	assert_int_equal(sfo_sysctl_ipv6_read("ndt-i0", "autoconf", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sfo_ipv6_set_autoconf("ndt-i0", true), 0);
	assert_int_equal(sfo_sysctl_ipv6_read("ndt-i0", "autoconf", &v), 0);
	assert_int_equal(v, 1);
	/* The peer is untouched. */
	assert_int_equal(sfo_sysctl_ipv6_read("ndt-i1", "accept_ra", &v), 0);
	assert_int_equal(v, 1);

	assert_int_equal(sfo_ipv6_set_disabled("ndt-nope", true), -ENODEV);
	assert_int_equal(sfo_sysctl_ipv6_write("ndt-i0", "no_such_key", "1"), -ENOENT);
	assert_int_equal(sfo_sysctl_ipv6_write("ndt-i0", "../../ipv4/ip_forward", "1"), -EINVAL);
	assert_int_equal(sfo_sysctl_ipv6_write("../all", "forwarding", "1"), -EINVAL);
	assert_int_equal(sfo_sysctl_ipv6_write("ndt-i0", "accept_ra", "pony"), -EINVAL);
	NDT_SH("ip link del ndt-i0");
}

static void test_ipv6_absent(void **state)
{
	int v;
	(void)state;

	/* Hide /proc/sys/net/ipv6 as on a kernel booted with ipv6.disable=1. */
	assert_int_equal(mount("tmpfs", "/proc/sys/net/ipv6", "tmpfs", 0, NULL), 0);
	assert_int_equal(sfo_ipv6_set_disabled("lo", true), 0);
	assert_int_equal(sfo_ipv6_set_accept_ra("lo", false), 0);
	assert_int_equal(sfo_ipv6_set_autoconf("lo", false), 0);
	assert_int_equal(sfo_ipv6_set_disabled("lo", false), -EAFNOSUPPORT);
	assert_int_equal(sfo_sysctl_ipv6_read("lo", "disable_ipv6", &v), -EAFNOSUPPORT);
	assert_int_equal(umount("/proc/sys/net/ipv6"), 0);
	assert_int_equal(sfo_sysctl_ipv6_read("lo", "disable_ipv6", &v), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_soft_devices),
		cmocka_unit_test(test_fake_pci_tree),
		cmocka_unit_test(test_ipv6_sysctls),
		cmocka_unit_test(test_ipv6_absent),
	};

	return NDT_RUN("netdev-sysfs", tests);
}
