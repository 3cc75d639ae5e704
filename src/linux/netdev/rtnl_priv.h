/* SPDX-License-Identifier: BSD-2-Clause */
/* Internal: request/ack on the handle's request socket. Not installed. */
#ifndef SFO_RTNL_PRIV_H
#define SFO_RTNL_PRIV_H

#include <stddef.h>

struct nlmsghdr;
struct sfo_rtnl;

/* Called for each data message of a reply; return 0 or a negative errno
 * (the first error is returned by nd_rtnl_talk() after the reply is read). */
typedef int (*nd_msg_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Send @nlh (NLM_F_REQUEST is added, and NLM_F_ACK unless it is a dump; seq
 * is assigned) and read the reply to its end: the ack, the error or
 * NLMSG_DONE. Returns 0, the callback's first error, or the kernel's
 * negative errno with its extack message (else strerror()) in @err.
 * -EINTR if a dump was marked inconsistent. -ETIMEDOUT if the kernel did
 * not answer in time.
 */
int nd_rtnl_talk(struct sfo_rtnl *rt, struct nlmsghdr *nlh, nd_msg_cb cb, void *data, char *err,
		 size_t errlen);

#endif /* SFO_RTNL_PRIV_H */
