/* SPDX-License-Identifier: BSD-2-Clause */
/* /proc/sys/net/ipv6/conf/IF/KEY helpers. */
#include "sysctl.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nd_util.h"

#define IPV6_CONF "/proc/sys/net/ipv6/conf/"

static bool key_ok(const char *key)
{
	return key && *key && !strchr(key, '/') && strcmp(key, ".") && strcmp(key, "..");
}

static int conf_path(char *buf, size_t len, const char *ifname, const char *key)
{
	int n;

	if (!nd_ifname_ok(ifname) || !key_ok(key))
		return -EINVAL;
	n = snprintf(buf, len, IPV6_CONF "%s/%s", ifname, key);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Tell "no IPv6 at all" and "no such interface" apart from a missing file. */
static int explain_enoent(const char *ifname)
{
	char path[PATH_MAX];

	if (access(IPV6_CONF, F_OK) != 0)
		return -EAFNOSUPPORT;
	snprintf(path, sizeof(path), IPV6_CONF "%s", ifname);
	if (access(path, F_OK) != 0)
		return -ENODEV;
	return -ENOENT;
}

int sfo_sysctl_ipv6_write(const char *ifname, const char *key, const char *value)
{
	char path[PATH_MAX];
	int ret;

	if (!value)
		return -EINVAL;
	ret = conf_path(path, sizeof(path), ifname, key);
	if (ret < 0)
		return ret;
	ret = nd_write_file(path, value);
	return ret == -ENOENT ? explain_enoent(ifname) : ret;
}

int sfo_sysctl_ipv6_read(const char *ifname, const char *key, int *value)
{
	char path[PATH_MAX], buf[64], *end;
	ssize_t n;
	long v;
	int ret;

	ret = conf_path(path, sizeof(path), ifname, key);
	if (ret < 0)
		return ret;
	n = nd_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return n == -ENOENT ? explain_enoent(ifname) : (int)n;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || v < INT_MIN || v > INT_MAX)
		return -EINVAL;
	*value = (int)v;
	return 0;
}

/* Set a boolean; @off_value is the value meaning "less IPv6". */
static int set_bool(const char *ifname, const char *key, bool value, bool off_value)
{
	int ret = sfo_sysctl_ipv6_write(ifname, key, value ? "1" : "0");

	if (ret == -EAFNOSUPPORT && value == off_value)
		return 0;
	return ret;
}

int sfo_ipv6_set_disabled(const char *ifname, bool disabled)
{
	return set_bool(ifname, "disable_ipv6", disabled, true);
}

int sfo_ipv6_set_accept_ra(const char *ifname, bool on)
{
	return set_bool(ifname, "accept_ra", on, false);
}

int sfo_ipv6_set_autoconf(const char *ifname, bool on)
{
	return set_bool(ifname, "autoconf", on, false);
}
