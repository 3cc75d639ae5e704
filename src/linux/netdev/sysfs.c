/* SPDX-License-Identifier: BSD-2-Clause */
/* /sys/class/net/IF: device presence, bus, PCI ids. */
#include "sysfs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nd_util.h"

#define SYSFS_NET "/sys/class/net/"

static int net_path(char *buf, size_t len, const char *ifname, const char *rest)
{
	int n;

	if (!nd_ifname_ok(ifname))
		return -EINVAL;
	n = snprintf(buf, len, SYSFS_NET "%s/%s", ifname, rest);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int read_ulong(const char *ifname, const char *attr, unsigned long *val)
{
	char path[PATH_MAX], buf[64], *end;
	ssize_t n;
	int ret;

	ret = net_path(path, sizeof(path), ifname, attr);
	if (ret < 0)
		return ret;
	n = nd_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	errno = 0;
	*val = strtoul(buf, &end, 0);
	if (errno || end == buf || (*end && *end != '\n'))
		return -EINVAL;
	return 0;
}

int sfo_sysfs_ifindex(const char *ifname)
{
	unsigned long v;
	int ret = read_ulong(ifname, "ifindex", &v);

	if (ret < 0)
		return ret;
	return v > 0 && v <= INT_MAX ? (int)v : -EINVAL;
}

bool sfo_sysfs_has_device(const char *ifname)
{
	char path[PATH_MAX];
	struct stat st;

	return net_path(path, sizeof(path), ifname, "device") == 0 && stat(path, &st) == 0;
}

bool sfo_sysfs_is_pci(const char *ifname)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	if (net_path(path, sizeof(path), ifname, "device/subsystem") < 0)
		return false;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	return !strcmp(base, "pci");
}

int sfo_sysfs_pci_ids(const char *ifname, uint16_t *vendor, uint16_t *device)
{
	unsigned long v, d;
	int ret;

	if (!sfo_sysfs_is_pci(ifname))
		return -ENOENT;
	ret = read_ulong(ifname, "device/vendor", &v);
	if (ret == 0)
		ret = read_ulong(ifname, "device/device", &d);
	if (ret < 0)
		return ret;
	if (v > UINT16_MAX || d > UINT16_MAX)
		return -EINVAL;
	*vendor = (uint16_t)v;
	*device = (uint16_t)d;
	return 0;
}
