/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Per-interface IPv6 sysctls (/proc/sys/net/ipv6/conf/IF/KEY) of the
 * caller's network namespace. Kernels without IPv6 are tolerated: switching
 * IPv6 things off there succeeds.
 */
#ifndef SFO_NETDEV_SYSCTL_H
#define SFO_NETDEV_SYSCTL_H

#include <stdbool.h>

/* Write @value to KEY ("disable_ipv6", "accept_ra", "autoconf"...). Returns
 * 0, -EAFNOSUPPORT if the kernel has no IPv6, -ENODEV if @ifname has no
 * IPv6 configuration, -EINVAL for a bad name or key, another -errno. */
int sfo_sysctl_ipv6_write(const char *ifname, const char *key, const char *value);
/* Read an integer KEY. Same errors. */
int sfo_sysctl_ipv6_read(const char *ifname, const char *key, int *value);

/* disable_ipv6, accept_ra and autoconf as booleans ("1"/"0"). Turning IPv6
 * or one of its automatisms off succeeds on a kernel without IPv6. */
int sfo_ipv6_set_disabled(const char *ifname, bool disabled);
int sfo_ipv6_set_accept_ra(const char *ifname, bool on);
int sfo_ipv6_set_autoconf(const char *ifname, bool on);

#endif /* SFO_NETDEV_SYSCTL_H */
