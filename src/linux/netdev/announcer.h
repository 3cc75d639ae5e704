/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Announcements without blocking the caller's event loop. A request for a
 * standby starts a collection over a non-blocking rtnetlink socket of its
 * own: a dump of the links, then of the addresses, then (when there is a
 * bridge) of the bridges' forwarding entries. When the snapshot is complete,
 * the announcements (announce_plan.h) go out through a non-blocking packet
 * socket and @done reports what was sent. The work is done in small steps,
 * one per sfo_announcer_run() when the caller's poll finds
 * sfo_announcer_fd() readable: one buffer of a dump (up to 32 KiB of
 * messages) or one batch of 16 frames, so other events go in between.
 * Requests made while a collection runs are served by the next one, which
 * sees the state after them.
 */
#ifndef SFO_NETDEV_ANNOUNCER_H
#define SFO_NETDEV_ANNOUNCER_H

#include <stdbool.h>
#include <stddef.h>

#define SFO_ANNOUNCE_MAX 1024 /* announcements per standby and round, at most */

struct sfo_announcer;

/*
 * @sent frames of @planned left for @standby; @err is 0, or the negative
 * errno of the collection (then nothing was sent) or of the first frame
 * that could not be sent. @planned above SFO_ANNOUNCE_MAX means the rest
 * were not sent.
 */
typedef void (*sfo_announced_fn)(void *ctx, int standby, size_t sent, size_t planned, int err);

/* Open the sockets. Returns 0 or -errno. */
int sfo_announcer_open(struct sfo_announcer **out, sfo_announced_fn done, void *ctx);
void sfo_announcer_close(struct sfo_announcer *a);

/* The descriptor to poll for POLLIN (an epoll set: readable while a step
 * is ready to run). */
int sfo_announcer_fd(const struct sfo_announcer *a);

/* Announce for @standby (an ifindex) soon: @done tells how it went, also
 * when the collection fails. Returns 0, -EINVAL, or -ENOSPC when too many
 * standbys are waiting (then @done is not called for it). */
int sfo_announcer_request(struct sfo_announcer *a, int standby);

/* Run one step, without blocking: read one buffer of what the kernel
 * answered, or send one batch; calls @done for each standby whose frames
 * have all gone. Does nothing when no step is ready. */
void sfo_announcer_run(struct sfo_announcer *a);

/* True while a collection runs or requests wait. */
bool sfo_announcer_busy(const struct sfo_announcer *a);

/* Complete what is pending, waiting at most @timeout_ms (at exit). */
void sfo_announcer_flush(struct sfo_announcer *a, int timeout_ms);

#endif /* SFO_NETDEV_ANNOUNCER_H */
