/* SPDX-License-Identifier: BSD-2-Clause */
/* An IPv4 or IPv6 address of an interface, as rtnetlink reports it. */
#ifndef SFO_NETDEV_ADDR_H
#define SFO_NETDEV_ADDR_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

struct sfo_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t prefixlen;
	uint8_t scope;	/* RT_SCOPE_* */
	uint32_t flags; /* IFA_F_* (IFA_F_TENTATIVE, IFA_F_DADFAILED, ...) */
	union {
		struct in_addr in;
		struct in6_addr in6;
	};
};

/*
 * Decode RTM_NEWADDR / RTM_DELADDR (the local address: IFA_LOCAL, else
 * IFA_ADDRESS) or RTM_NEWMULTICAST / RTM_DELMULTICAST (the group:
 * IFA_MULTICAST) into @ifindex and @addr. Returns 0, -EINVAL for another
 * message type, -EAFNOSUPPORT for a family other than IPv4/IPv6, -EBADMSG
 * for a malformed message.
 */
int sfo_addr_parse(const struct nlmsghdr *nlh, int *ifindex, struct sfo_addr *addr);

/* inet_ntop() of @addr into @buf; returns @buf ("?" on error). */
const char *sfo_addr_str(const struct sfo_addr *addr, char *buf, size_t len);

#endif /* SFO_NETDEV_ADDR_H */
