/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The emulated NDIS miniports sfo-ndis-host runs the driver over, in plain
 * C types (the emulation's Windows types stay in miniports.c): the standby
 * with the filter and the TCP/IP stand-in above it, the VFs offered to the
 * driver's protocol. A miniport hands each frame it transmits to its tx
 * function (0 or a negative errno: the send fails); the stand-in hands each
 * frame the stack receives to its rx function.
 */
#ifndef SFO_NDIS_HOST_MINIPORTS_H
#define SFO_NDIS_HOST_MINIPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mp;
typedef int (*mp_tx_fn)(void *ctx, const void *frame, size_t len);
typedef void (*mp_rx_fn)(void *ctx, const void *frame, size_t len);

struct mp_totals {
	int violations; /* NDIS rules the driver broke */
	long live_nbls, live_allocations;
	unsigned stack_sent_ok, stack_sent_failed, stack_received;
};

/* The standby's statistics as the stack reads them (OID_GEN_STATISTICS: the
 * driver's merge of the standby and every VF it had), packets of all
 * classes summed. */
struct mp_stats {
	uint64_t in_packets, in_octets, in_discards, in_errors;
	uint64_t out_packets, out_octets, out_discards, out_errors;
	uint64_t announcements; /* the driver's own frames among out_packets */
};

/* DriverEntry; 0, or -1 when it fails. */
int mp_load(void);
/* The standby: its filter attached and running, the stack's packet filter
 * (directed, multicast, broadcast) set through it. NULL if the attach failed. */
struct mp *mp_standby(const char *name, const uint8_t mac[6], uint32_t mtu, mp_tx_fn tx,
		      void *tx_ctx, mp_rx_fn to_stack, void *stack_ctx);
/* A VF (the emulation's default: a PCI function on the driver's allowlist)
 * with @mtu and @link, offered to the driver's protocol. */
struct mp *mp_vf(const char *name, const uint8_t mac[6], uint32_t mtu, bool link, mp_tx_fn tx,
		 void *tx_ctx);
bool mp_bound(const struct mp *m);
bool mp_link_up(const struct mp *m);
void mp_link(struct mp *m, bool up);
/* A frame arrives on @m's wire: indicated if its packet filter takes it
 * (returns whether it did). */
bool mp_receive(struct mp *m, const void *frame, size_t len);
/* The stack sends a frame on the standby. */
void mp_stack_send(struct mp *standby, const void *frame, size_t len);
/* The engine's orderly release of the standby's pair, asked as the
 * service's `release` asks it, through the driver's control device: the
 * datapath moves to the standby, the VF's receives are still indicated, the
 * VF stays unused until it goes. 0, or -1 with @why set. */
int mp_release(char *why, size_t len);
/* The engine's state of the standby's pair ("active", "draining"...), NULL
 * without one. */
const char *mp_pair_state(void);
/* PnP removal: the binding paused and unbound; @surprise: the device is
 * gone first (what it had in flight fails). */
void mp_remove(struct mp *m, bool surprise);
void mp_free(struct mp *m);
/* Pause and detach the standby's filter, unload the driver, free the
 * standby: 0, or -1 if the pause did not complete. */
int mp_unload(struct mp *standby);
void mp_totals(const struct mp *standby, struct mp_totals *t);
/* The stack's OID_GEN_STATISTICS query on the standby: 0, or -1 if it did
 * not complete at once. */
int mp_statistics(struct mp *standby, struct mp_stats *out);
/* The emulation's clock follows CLOCK_MONOTONIC (@now_ns): the driver's
 * timer objects due by then fire. */
void mp_clock(uint64_t now_ns);
/* A timer object of the driver's is set (the loop wakes each millisecond). */
bool mp_timer_pending(void);

#endif
