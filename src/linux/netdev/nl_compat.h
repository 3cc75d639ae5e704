/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtnetlink constants newer than the build's kernel headers. Their values are
 * kernel ABI; a kernel that does not know them refuses or never sends them,
 * which callers tolerate at run time.
 */
#ifndef SFO_NL_COMPAT_H
#define SFO_NL_COMPAT_H

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "netdev_config.h"

#if !HAVE_IFLA_PERM_ADDRESS
#define IFLA_PERM_ADDRESS 54 /* Linux 5.6 */
#endif
#if !HAVE_IFLA_PARENT_DEV_NAME
#define IFLA_PARENT_DEV_NAME 56 /* Linux 5.16 */
#endif
#if !HAVE_IFLA_PARENT_DEV_BUS_NAME
#define IFLA_PARENT_DEV_BUS_NAME 57
#endif

/* IP multicast group notifications (Linux 6.13). */
#ifndef RTM_NEWMULTICAST
#define RTM_NEWMULTICAST 56
#endif
#ifndef RTM_DELMULTICAST
#define RTM_DELMULTICAST 57
#endif
#ifndef RTNLGRP_IPV4_MCADDR
#define RTNLGRP_IPV4_MCADDR 37
#endif
#ifndef RTNLGRP_IPV6_MCADDR
#define RTNLGRP_IPV6_MCADDR 38
#endif

#endif /* SFO_NL_COMPAT_H */
