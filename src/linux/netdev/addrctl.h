/* SPDX-License-Identifier: BSD-2-Clause */
/* IPv4/IPv6 addresses of one interface: list (for announcements) and flush. */
#ifndef SFO_NETDEV_ADDRCTL_H
#define SFO_NETDEV_ADDRCTL_H

#include <stddef.h>

#include "addr.h"

struct sfo_rtnl;

/*
 * List the addresses of @ifindex of @family (AF_INET, AF_INET6 or AF_UNSPEC
 * for both) into @addrs (up to @max; @addrs may be NULL when @max is 0).
 * Returns how many the interface has, which may exceed @max (then only @max
 * were stored), or a negative errno. Tentative and DAD-failed IPv6
 * addresses are included; their @flags say so.
 */
int sfo_addr_list(struct sfo_rtnl *rt, int ifindex, int family, struct sfo_addr *addrs, size_t max,
		  char *err, size_t errlen);

/*
 * Delete every address of @family (AF_INET, AF_INET6, AF_UNSPEC) from
 * @ifindex, including IPv6 link-local ones. Addresses that vanish on their
 * own meanwhile (an IPv4 primary's secondaries) are not errors. Returns 0
 * or the first failure's negative errno with the kernel's text in @err.
 */
int sfo_addr_flush(struct sfo_rtnl *rt, int ifindex, int family, char *err, size_t errlen);

#endif /* SFO_NETDEV_ADDRCTL_H */
