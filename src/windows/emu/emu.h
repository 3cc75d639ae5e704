/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A user-mode NDIS emulation that runs the driver's sources unchanged: the
 * NDIS functions sriovfo.sys imports, the adapters under it (standbys with a
 * stand-in for TCP/IP above, VFs) and the rules NDIS holds a driver to,
 * each broken rule counted as a violation with a message on stderr:
 *   - NBL ownership: a completion or return goes back to the one who handed
 *     the NBL on, once; the driver frees only clones of its own pools;
 *   - SourceHandle: never changed on NBLs the driver does not own; set to
 *     the binding on the clones it sends, to the filter on those it indicates;
 *   - NDIS_RECEIVE_FLAGS_RESOURCES: the NBLs are the indicator's again when
 *     the call returns (chain as it was, never returned later);
 *   - a pause completes only with nothing of the driver's outstanding;
 *   - no send on a paused filter or on a paused or closed binding (nor once
 *     the binding's pause handler returned), no close with I/O outstanding,
 *     no NDIS call with the driver's spin lock held (by the calling thread),
 *     a spin lock never taken twice by one thread nor released by another.
 * Threads: like NDIS, any of it may be called from several threads at once
 * (sends, receives, returns, completions, OIDs, the clock), the PnP calls
 * (attach, pause, restart, detach, offer, link, unplug) too, carried out
 * one at a time as NDIS serializes them. The emulation never holds a lock
 * of its own while it calls the driver. A test frees an adapter only once
 * no thread uses it.
 */
#ifndef SFO_WIN_EMU_H
#define SFO_WIN_EMU_H

#include "ndis6.h"

enum emu_kind {
	EMU_STANDBY, /* the filter attaches; the TCP/IP stand-in binds above */
	EMU_VF,	     /* offered to the driver's protocol */
};

struct emu_adapter;

/* The driver */
NTSTATUS emu_load_driver(void);
/* The REG_MULTI_SZ value @name in the Parameters of the driver's service key
 * (@len bytes of NUL-separated ASCII strings, ending with an empty one), read
 * at the next load; NULL: none. */
void emu_registry_set_multi_sz(const char *name, const char *strings, size_t len);
void emu_unload_driver(void);

/* Adapters */
/* A standby is a virtio-net PCI function (1af4:1041), a VF an Intel
 * Adaptive VF (8086:1889, on the driver's allowlist); both with MTU 1500. */
struct emu_adapter *emu_adapter_new(const char *name, const UCHAR mac[6], enum emu_kind kind);
void emu_adapter_free(struct emu_adapter *a);
/* Its PCI vendor:device (its hardware ID); vendor 0: not a PCI function. */
void emu_adapter_set_pci(struct emu_adapter *a, USHORT vendor, USHORT device);
/* The revision of its filter attach parameters (3 when created); before 3
 * they have no MiniportPhysicalDeviceObject (the member holds garbage). */
void emu_adapter_set_attach_revision(struct emu_adapter *a, UCHAR revision);
/* Its MTU: a VF's in its bind and its binding's next restart, a standby's in
 * its filter's next restart. */
void emu_adapter_set_mtu(struct emu_adapter *a, ULONG mtu);
/* Attach the filter over an adapter (NDIS offers it every Ethernet one) and
 * restart it (may bind waiting VFs); the driver may decline. */
void emu_filter_attach(struct emu_adapter *standby);
BOOLEAN emu_filter_attached(struct emu_adapter *a);
NDIS_STATUS emu_filter_pause(struct emu_adapter *standby); /* SUCCESS or PENDING */
BOOLEAN emu_filter_paused(struct emu_adapter *standby);
/* Wait up to @ms for a pending pause to complete: whether it did. */
BOOLEAN emu_filter_wait_paused(struct emu_adapter *standby, unsigned ms);
void emu_filter_restart(struct emu_adapter *standby);
void emu_filter_detach(struct emu_adapter *standby);
/* Offer a VF (or any adapter) to the driver's protocol: its bind's status. */
NDIS_STATUS emu_offer(struct emu_adapter *a);
BOOLEAN emu_bound(struct emu_adapter *a);
/* From now on (until the next load) NdisOpenAdapterEx and NdisCloseAdapterEx
 * pend: a bind pends until emu_complete_open(), a close is completed by the
 * unplug after the unbind handler returned (the driver must complete the bind
 * and the unbind from its completion handlers). */
void emu_pend_open_close(BOOLEAN pend);
void emu_complete_open(struct emu_adapter *a, NDIS_STATUS st);
BOOLEAN emu_open_pending(struct emu_adapter *a); /* one to complete */
/* The adapter's link (up when created), told to the driver if bound; a
 * standby's goes up through the filter (if attached) to the stack. */
void emu_link(struct emu_adapter *a, BOOLEAN up);
/* The host's hot-unplug: pause the binding (while it pends, the miniport
 * completes its sends and OIDs and the stacks return the receives they
 * hold), unbind, gone. Surprise: the sends in flight fail first. */
void emu_unplug(struct emu_adapter *a, BOOLEAN surprise);
/* A pause of the binding that ends in a restart, not an unbind (a filter
 * added in the VF's stack, a power transition); the pause as in an unplug. */
void emu_binding_pause(struct emu_adapter *a);
void emu_binding_restart(struct emu_adapter *a);
BOOLEAN emu_binding_paused(struct emu_adapter *a);

/* The wire */
void emu_hold_tx(struct emu_adapter *a, BOOLEAN hold); /* keep sends in flight */
unsigned emu_tx_frames(struct emu_adapter *a);	       /* the stack's frames sent on the wire */
unsigned emu_tx_in_flight(struct emu_adapter *a);
/* A frame arrives on @a, to @dst; with NDIS_RECEIVE_FLAGS_RESOURCES if asked. */
void emu_receive(struct emu_adapter *a, const UCHAR dst[6], BOOLEAN resources);
/* @n frames (at most 16) indicated as one chain. */
void emu_receive_burst(struct emu_adapter *a, const UCHAR (*dst)[6], unsigned n, BOOLEAN resources);

/* Receive settings: the stack sets them on a standby; any adapter has them. */
NDIS_STATUS emu_stack_set_packet_filter(struct emu_adapter *standby, ULONG filter);
NDIS_STATUS emu_stack_set_multicast(struct emu_adapter *standby, unsigned n);
/* RSS: the stack's OID_GEN_RECEIVE_SCALE_PARAMETERS on a standby (revision 1:
 * the table of @table_len processor numbers, then the key); what an adapter
 * was given last (FALSE: never), and how many times; an adapter without RSS
 * refuses them (NDIS_STATUS_NOT_SUPPORTED). */
struct emu_rss_seen {
	ULONG hash_info;
	unsigned table_len, key_len, sets;
	unsigned requests; /* sets asked of it, refused ones too */
	UCHAR table[128], key[40];
};
NDIS_STATUS emu_stack_set_rss(struct emu_adapter *standby, ULONG hash_info, const UCHAR *key,
			      unsigned key_len, const UCHAR *table, unsigned table_len);
BOOLEAN emu_rss(struct emu_adapter *a, struct emu_rss_seen *out);
void emu_adapter_set_rss_support(struct emu_adapter *a, BOOLEAN supported);
/* The TCP hash types (NDIS_RSS_CAPS_HASH_TYPE_*) its bind says its RSS can
 * (all three by default), for the bind that follows. */
void emu_adapter_set_rss_caps(struct emu_adapter *a, ULONG caps_flags);
/* The NDIS_RECEIVE_SCALE_PARAMETERS of those into @buf: its length. */
ULONG emu_rss_build(UCHAR *buf, ULONG hash_info, const UCHAR *key, unsigned key_len,
		    const UCHAR *table, unsigned table_len);
ULONG emu_packet_filter(struct emu_adapter *a);
unsigned emu_multicast_count(struct emu_adapter *a);
/* Statistics: what @a's miniport counted (sent, failed sends as errors,
 * indicated; by class, with bytes), @n receives (sends: _tx) it discarded; the stack's
 * OID_GEN_STATISTICS query on a standby (pending until emu_complete_oids()
 * of what it waits for) and its answer once complete (FALSE: none). */
void emu_adapter_statistics(struct emu_adapter *a, NDIS_STATISTICS_INFO *out);
void emu_miniport_discard(struct emu_adapter *a, unsigned n);
void emu_miniport_discard_tx(struct emu_adapter *a, unsigned n);
NDIS_STATUS emu_stack_query_statistics(struct emu_adapter *standby);
BOOLEAN emu_stack_statistics(struct emu_adapter *standby, NDIS_STATISTICS_INFO *out);
/* The same for a single counter OID (OID_GEN_XMIT_OK...), with a buffer of
 * @len bytes (4 or 8). */
NDIS_STATUS emu_stack_query_counter(struct emu_adapter *standby, NDIS_OID oid, unsigned len);
BOOLEAN emu_stack_counter(struct emu_adapter *standby, ULONG64 *out);
/* The driver's own frames @a transmitted: announcements, each checked. */
enum emu_announcement { EMU_GARP, EMU_UNSOLICITED_NA, EMU_RARP, EMU_ANN_KINDS };
unsigned emu_announcements(struct emu_adapter *a, enum emu_announcement kind);
/* Whether @a announced the address (4 bytes: IPv4, 16: IPv6). */
BOOLEAN emu_announced(struct emu_adapter *a, const UCHAR *addr, unsigned len);
/* Send offloads: an adapter's configuration (all by default; a change on a
 * bound adapter is indicated as NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG),
 * and the stack's sends asking for some (TcpIpChecksumNetBufferListInfo and
 * TcpLargeSendNetBufferListInfo values). An adapter handed a send asking for
 * one it does not have is a broken rule. */
enum emu_tx_offload {
	EMU_TXO_V4_TCP_CSUM = 1u << 0,
	EMU_TXO_V4_UDP_CSUM = 1u << 1,
	EMU_TXO_V4_IP_CSUM = 1u << 2,
	EMU_TXO_V6_TCP_CSUM = 1u << 3,
	EMU_TXO_V6_UDP_CSUM = 1u << 4,
	EMU_TXO_LSO1_V4 = 1u << 5,
	EMU_TXO_LSO2_V4 = 1u << 6,
	EMU_TXO_LSO2_V6 = 1u << 7,
	EMU_TXO_ALL = (1u << 8) - 1,
};
void emu_adapter_set_offloads(struct emu_adapter *a, unsigned offloads);
/* Its LSO MaxOffLoadSize and MinSegmentCount (65536 and 2 by default). */
void emu_adapter_set_lso(struct emu_adapter *a, ULONG max_size, ULONG min_segs);
/* The stack's OID_TCP_OFFLOAD_PARAMETERS on a standby: per offload of enum
 * emu_tx_offload in @enable set, in @disable cleared, any other no change.
 * A miniport applies one (an offload it does not have stays off), then
 * indicates its configuration; what an adapter has now (enum
 * emu_tx_offload), how many it accepted. */
NDIS_STATUS emu_stack_set_offload_params(struct emu_adapter *standby, unsigned enable,
					 unsigned disable);
unsigned emu_adapter_offloads(struct emu_adapter *a, unsigned *params_sets);
/* Whether it takes OID_TCP_OFFLOAD_PARAMETERS (or answers NDIS_STATUS_NOT_SUPPORTED). */
void emu_adapter_set_offload_params_support(struct emu_adapter *a, BOOLEAN supported);
/* The stack asks only for what it was offered last (a broken rule
 * otherwise); an NBL it built before the last indication, for what it was
 * offered before. */
void emu_stack_send_offloaded(struct emu_adapter *standby, unsigned n, ULONG_PTR csum,
			      ULONG_PTR lso);
void emu_stack_send_built_before(struct emu_adapter *standby, unsigned n, ULONG_PTR csum,
				 ULONG_PTR lso);
/* What the stack above a standby was offered last (enum emu_tx_offload), with
 * LSO v2's MaxOffLoadSize and MinSegmentCount (IPv4, IPv6); how many
 * offload indications reached it. */
unsigned emu_stack_offloads(struct emu_adapter *standby, ULONG lso_max[2], ULONG lso_min_segs[2]);
unsigned emu_stack_offload_indications(struct emu_adapter *standby);
/* The stack's query of OID_TCP_OFFLOAD_CURRENT_CONFIG on a standby, and what
 * its answer offers (with LSO v2's MaxOffLoadSize, IPv4 and IPv6). */
NDIS_STATUS emu_stack_query_offload(struct emu_adapter *standby);
BOOLEAN emu_stack_offload_answer(struct emu_adapter *standby, unsigned *offloads, ULONG lso_max[2]);
/* Pend the OID requests to @a (a VF: the driver's; a standby: those the
 * filter passes down) until emu_complete_oids(). */
void emu_hold_oids(struct emu_adapter *a, BOOLEAN hold);
void emu_complete_oids(struct emu_adapter *a);
unsigned emu_oids_in_flight(struct emu_adapter *a);
/* The stack's last request on a standby: still pending, and how it ended. */
BOOLEAN emu_stack_oid_pending(struct emu_adapter *standby);
NDIS_STATUS emu_stack_oid_status(struct emu_adapter *standby);

/* The TCP/IP stand-in above a standby */
void emu_stack_send(struct emu_adapter *standby, unsigned n);
unsigned emu_stack_sent_ok(struct emu_adapter *standby);
unsigned emu_stack_sent_failed(struct emu_adapter *standby);
unsigned emu_stack_received(struct emu_adapter *standby);
/* The link the stack above a standby was told of last (up until told), and
 * how many status indications reached it. */
BOOLEAN emu_stack_link_up(struct emu_adapter *standby);
unsigned emu_stack_statuses(struct emu_adapter *standby);
/* Keep received NBLs (not returned) until emu_stack_return(). */
void emu_stack_hold_rx(struct emu_adapter *standby, BOOLEAN hold);
void emu_stack_return(struct emu_adapter *standby);

/* Time: the clock stands still until advanced; timer objects fire then. */
void emu_advance_ms(unsigned ms);
BOOLEAN emu_timer_set(void); /* a timer object of the driver's is set */
/* A set timer expires now on another processor: its function has started
 * there (it takes the driver's lock, say) and ends only when the driver waits
 * for it (KeFlushQueuedDpcs). FALSE: no timer is set. */
BOOLEAN emu_timer_fire_elsewhere(void);
unsigned emu_timer_running(void); /* functions started that way, not yet done */

/* Whether a line the driver printed (DbgPrintEx) lately contains @text. */
BOOLEAN emu_log_has(const char *text);
/* How many of the kept lines hold @text. */
unsigned emu_log_count(const char *text);

/* Real frames (emu_wire.c, for sfo-ndis-host): an adapter given a wire
 * hands each frame it transmits to @tx, whose status completes the send;
 * the stand-in above a standby given @rx hands it each frame it receives. */
typedef NDIS_STATUS (*emu_tx_fn)(void *arg, const UCHAR *frame, ULONG len);
typedef void (*emu_rx_fn)(void *arg, const UCHAR *frame, ULONG len);
void emu_set_wire(struct emu_adapter *a, emu_tx_fn tx, void *arg);
void emu_set_stack_rx(struct emu_adapter *standby, emu_rx_fn rx, void *arg);
/* A frame of @len bytes arrives on @a's wire; the stack sends one on @standby. */
void emu_receive_frame(struct emu_adapter *a, const UCHAR *frame, ULONG len);
void emu_stack_send_frame(struct emu_adapter *standby, const UCHAR *frame, ULONG len);

/* Bookkeeping */
int emu_violations(void);
long emu_live_nbls(void);
long emu_live_allocations(void);
unsigned emu_rx_outstanding(struct emu_adapter *a); /* received, not returned */

#endif
