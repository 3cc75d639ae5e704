/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Changes to one link over the handle's request socket (RTM_SETLINK, with
 * ack). Each returns 0 or the kernel's negative errno; on failure @err
 * receives the kernel's extack message (e.g. "mtu greater than device
 * maximum"), else strerror(). @err may be NULL.
 */
#ifndef SFO_NETDEV_LINKCTL_H
#define SFO_NETDEV_LINKCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sfo_rtnl;

int sfo_link_set_mtu(struct sfo_rtnl *rt, int ifindex, uint32_t mtu, char *err, size_t errlen);
/* Administrative state (IFF_UP). */
int sfo_link_set_up(struct sfo_rtnl *rt, int ifindex, bool up, char *err, size_t errlen);
/* IFF_PROMISC / IFF_ALLMULTI as "ip link set promisc|allmulti on|off" sets
 * them: one reference of ours, idempotent. */
int sfo_link_set_promisc(struct sfo_rtnl *rt, int ifindex, bool on, char *err, size_t errlen);
int sfo_link_set_allmulti(struct sfo_rtnl *rt, int ifindex, bool on, char *err, size_t errlen);
/*
 * IPv6 address generation mode "none" (IFLA_INET6_ADDR_GEN_MODE): the link
 * gets no automatic link-local address when it next goes up. Set it while
 * the link is down. -EAFNOSUPPORT if the link has no IPv6 state.
 */
int sfo_link_set_addrgen_none(struct sfo_rtnl *rt, int ifindex, char *err, size_t errlen);

#endif /* SFO_NETDEV_LINKCTL_H */
