/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtnetlink handle: a monitor socket for link/address events and a separate
 * request socket for dumps and changes, so replies never interleave with
 * events.
 *
 * Typical use: sfo_rtnl_open(), sfo_rtnl_dump() to learn the current state,
 * then poll(sfo_rtnl_fd()) and sfo_rtnl_receive() on POLLIN. When
 * sfo_rtnl_receive() returns -ENOBUFS events were lost: sfo_rtnl_discard()
 * what is still backed up, run sfo_rtnl_dump() again and treat links not
 * reported by it as gone; the events received after that are newer than
 * what was discarded, so applied in order they end at the current state.
 *
 * Every function returns 0 (or a count) or a negative errno and never
 * prints. Functions taking @err/@errlen write the kernel's extended ack
 * message there on failure (else strerror()), "" on success; @err may be
 * NULL. A handle is not thread-safe.
 */
#ifndef SFO_NETDEV_RTNL_H
#define SFO_NETDEV_RTNL_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "link.h"

struct sfo_rtnl;

/*
 * Event handlers; any may be NULL. @is_new is true for RTM_NEW*, false for
 * RTM_DEL*. A DELLINK's @link carries the final stats64. Pointers are valid
 * during the call only. Handlers may issue requests on the same handle
 * (sfo_link_set_*, sfo_addr_list...) but must not call sfo_rtnl_receive()
 * or sfo_rtnl_dump*().
 */
struct sfo_rtnl_handlers {
	void (*link)(void *ctx, bool is_new, const struct sfo_link *link);
	void (*addr)(void *ctx, bool is_new, int ifindex, const struct sfo_addr *addr);
	/* IP multicast group joined/left on @ifindex (kernel >= 6.13 sends
	 * these; see sfo_rtnl_has_mcast_events()). Not part of dumps. */
	void (*mcast)(void *ctx, bool is_new, int ifindex, const struct sfo_addr *group);
};

enum sfo_rtnl_open_flags {
	SFO_RTNL_NO_MONITOR = 1u << 0, /* request socket only (tools, one-shot queries) */
};

#define SFO_RTNL_RCVBUF_DEFAULT (8 << 20)

/*
 * Open a handle. @h is copied and may be NULL with SFO_RTNL_NO_MONITOR.
 * The monitor socket joins RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
 * RTNLGRP_IPV6_IFADDR and, when the kernel has them, RTNLGRP_IPV4_MCADDR
 * and RTNLGRP_IPV6_MCADDR; its receive buffer is SFO_RTNL_RCVBUF_DEFAULT.
 */
int sfo_rtnl_open(struct sfo_rtnl **out, const struct sfo_rtnl_handlers *h, void *ctx,
		  unsigned int flags);
void sfo_rtnl_close(struct sfo_rtnl *rt);

/* The monitor socket (non-blocking) to poll for POLLIN; -1 without monitor. */
int sfo_rtnl_fd(const struct sfo_rtnl *rt);

/* True if the kernel accepted the multicast-address groups. */
bool sfo_rtnl_has_mcast_events(const struct sfo_rtnl *rt);

/*
 * Set the monitor socket's receive buffer (SO_RCVBUFFORCE, falling back to
 * SO_RCVBUF, which rmem_max caps). Returns the size the kernel reports
 * (it doubles the request) or -errno.
 */
int sfo_rtnl_set_rcvbuf(struct sfo_rtnl *rt, int bytes);

/*
 * Read pending events without blocking and call the handlers. Returns the
 * number of messages handled (0 if none), -ENOBUFS if the kernel dropped
 * events (receive buffer overrun, or a truncated message): resynchronise
 * with sfo_rtnl_dump(). Other errors are negative errno. Reads at most a
 * bounded batch; poll again for the rest.
 */
int sfo_rtnl_receive(struct sfo_rtnl *rt);

/*
 * Read and drop every event queued on the monitor socket, without calling
 * the handlers. After an overrun the queue holds events older than the ones
 * the kernel dropped, and until it is empty the kernel drops every new
 * event: discard before the dump that resynchronises, never after. Returns
 * the number of datagrams dropped or a negative errno.
 */
int sfo_rtnl_discard(struct sfo_rtnl *rt);

/*
 * Dump the current state through the handlers (is_new = true), over the
 * request socket: every link, then every IPv4/IPv6 address. The whole
 * reply is read before the handlers run. A dump the kernel marks as
 * inconsistent (NLM_F_DUMP_INTR) is retried; -EINTR if it stays so.
 */
int sfo_rtnl_dump(struct sfo_rtnl *rt);
int sfo_rtnl_dump_links(struct sfo_rtnl *rt);
int sfo_rtnl_dump_addrs(struct sfo_rtnl *rt);

/*
 * Query one link by @ifindex, or by @name when @ifindex is 0. Returns 0,
 * -ENODEV if there is no such link, or another negative errno.
 */
int sfo_rtnl_get_link(struct sfo_rtnl *rt, int ifindex, const char *name, struct sfo_link *out,
		      char *err, size_t errlen);

#endif /* SFO_NETDEV_RTNL_H */
