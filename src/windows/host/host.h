/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sfo-ndis-host's state: the standby's interface, the VFs' interfaces as
 * they come and go (links with the standby's MAC, seen on rtnetlink), the
 * TAP device of the stack, and the emulated miniports over them. Every
 * descriptor is registered in the caller's epoll set with a watch tag.
 */
#ifndef SFO_NDIS_HOST_HOST_H
#define SFO_NDIS_HOST_HOST_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "json.h"
#include "miniports.h"
#include "sockets.h"

#define HOST_MAX_VFS 4

/* epoll tags: the kind in the high half, an index in the low half (a port:
 * 0 the standby, 1.. the VFs; a control client: its descriptor). */
enum watch { W_RTNL = 1, W_TAP, W_PORT, W_SIGNAL, W_CONTROL, W_CLIENT };
#define WATCH(kind, idx) ((uint64_t)(kind) << 32 | (uint32_t)(idx))

struct host;

struct port { /* an interface standing for a miniport */
	struct host *host;
	struct mp *mp;
	int fd; /* AF_PACKET; -1 for a free VF slot */
	int ifindex;
	char name[IF_NAMESIZE];
	bool released; /* the engine released it (drained): its removal is orderly */
	bool removed;  /* PnP removal done: the device goes next */
	uint64_t tx, tx_failed, rx, rx_filtered, rx_dropped;
	int last_error; /* errno of the last failed send */
};

struct host {
	uint8_t mac[6];
	uint32_t mtu;
	struct port standby;
	struct port vfs[HOST_MAX_VFS];
	const struct port *last_tx; /* where the stack's last frame left */
	int tap_fd, tap_ifindex;
	char tap_name[IF_NAMESIZE];
	uint64_t tap_rx, tap_tx, tap_dropped;
	struct mp_stats last_stats; /* the stack's last statistics query */
	bool stats_decreased;	    /* a counter of it went down */
	struct sfo_rtnl *rt;
	int epfd;
	char fatal[256]; /* set by a handler: the loop ends with this error */
	uint8_t buf[FRAME_MAX];
};

/* Takes @standby, creates the TAP @tap, loads the driver, attaches the
 * filter and takes the VFs present. 0, or -1 with @err set. */
int host_open(struct host *h, const char *standby, const char *tap, int epfd, char *err,
	      size_t errlen);
void host_rtnl_readable(struct host *h);
void host_tap_readable(struct host *h);
void host_port_readable(struct host *h, unsigned idx, uint32_t events);
/* The host's release request before an unplug: the engine drains the VF
 * (mp_release); its deletion later is an orderly PnP removal. The VFs'
 * names, comma-separated, in @names; returns how many, or -1 with the
 * reason in @names. */
int host_release(struct host *h, char *names, size_t len);
/* The orderly hot-unplug itself, now: every VF's binding paused and unbound
 * (PnP removal) while its device is still there. Same result. */
int host_unplug(struct host *h, char *names, size_t len);
void host_status_json(struct host *h, struct json *j);
/* Removes the VFs (orderly), unloads the driver, closes everything; @t gets
 * the stack's counters and what the emulation found. */
void host_close(struct host *h, struct mp_totals *t);

#endif
