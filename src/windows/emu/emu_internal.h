/* SPDX-License-Identifier: BSD-2-Clause */
/* The emulation's own state, shared by its files (not by the driver). */
#ifndef SFO_WIN_EMU_INTERNAL_H
#define SFO_WIN_EMU_INTERNAL_H

#include <stdatomic.h>

#include "emu.h"

#define EMU_MAX_HOPS  6
#define EMU_FRAME_LEN 64
#define EMU_MAX_BURST 16
#define EMU_ANN_ADDRS 32

enum emu_hop {
	HOP_MINIPORT, /* received by an adapter; goes back to it */
	HOP_STACK,    /* sent by the TCP/IP stand-in; completes to it */
	HOP_FILTER,   /* handed on by a filter module; back to it */
	HOP_BINDING,  /* sent by a protocol binding; completes to it */
};

struct emu_pool {
	NDIS_HANDLE owner; /* the filter module that allocated it, or NULL */
	BOOLEAN with_nb;   /* made with fAllocateNetBuffer */
	atomic_long live;
};

struct emu_nbl {
	NET_BUFFER_LIST nbl; /* first: the driver sees only this */
	PVOID info[32];	     /* NetBufferListInfo, past the declared part */
	NET_BUFFER nb;
	MDL mdl;
	unsigned magic;
	struct emu_pool *pool;
	NDIS_HANDLE source; /* SourceHandle as its owner set it */
	int hops;
	struct {
		enum emu_hop kind;
		void *who;
	} hop[EMU_MAX_HOPS];
	UCHAR frame[EMU_FRAME_LEN];
	UCHAR *data;	   /* a real frame's bytes (emu_wire.c), freed when retired */
	BOOLEAN resources; /* indicated with NDIS_RECEIVE_FLAGS_RESOURCES */
	BOOLEAN in_call;   /* its receive call to a binding is under way */
	BOOLEAN returned;  /* returned during that call: retired when it ends */
};

struct emu_open { /* the driver's protocol binding to an adapter */
	struct emu_adapter *adapter;
	NDIS_HANDLE ctx;
	BOOLEAN pausing, paused, closed;
	BOOLEAN opening, closing; /* NdisOpenAdapterEx/NdisCloseAdapterEx pended */
	BOOLEAN pause_told;	  /* its NetEventPause handler returned: no send after */
	unsigned calls;		  /* the emulation's calls into its handlers under way */
	long tx_out;
	PNDIS_OID_REQUEST held_oids[16]; /* pended by emu_hold_oids() */
	unsigned n_held_oids;
};

struct emu_filter_module {
	struct emu_adapter *adapter;
	NDIS_HANDLE ctx;
	/* Restarting: from the call of FilterRestart to its return (the
	 * module may send and indicate from then on, as in NDIS) */
	enum { FM_DETACHED, FM_PAUSED, FM_RESTARTING, FM_RUNNING, FM_PAUSING } state;
	long indicated;	  /* driver-owned NBLs indicated up, not yet returned */
	unsigned in_send; /* the stack's sends inside the filter's send handler */
	unsigned calls;	  /* other calls of the emulation into its handlers under way */
};

struct emu_adapter {
	struct emu_adapter *next;
	const char *name;
	enum emu_kind kind;
	UCHAR mac[6];
	DEVICE_OBJECT pdo;
	USHORT pci_vendor, pci_device; /* its hardware ID; 0: not a PCI function */
	UCHAR attach_revision;	       /* of its filter attach parameters */
	ULONG mtu;
	NDIS_STRING ifname;
	struct emu_pool rx_pool, stack_pool;
	BOOLEAN gone, surprise, hold_tx;
	BOOLEAN offer_due; /* to be offered again (a re-enumeration) */
	BOOLEAN link_down; /* its media state, reported at bind and by emu_link() */
	struct emu_nbl *in_flight[256];
	unsigned n_in_flight, tx_frames, rx_out;
	unsigned rx_in_call;	     /* of rx_out: in a receive call to a binding under way */
	struct emu_filter_module fm; /* standby */
	struct emu_open *open;	     /* VF (or any adapter the driver bound) */
	BOOLEAN bind_pending, unbind_pending; /* the driver's handler returned PENDING */
	NDIS_STATUS bind_status;	      /* as NdisCompleteBindAdapterEx said */
	/* the receive settings the adapter was given */
	ULONG packet_filter;
	unsigned n_multicast;
	BOOLEAN hold_oids;
	NDIS_STATISTICS_INFO stats;   /* what the miniport counted (emu_stats.c) */
	unsigned tx_offloads;	      /* enum emu_tx_offload (emu_offload.c) */
	UCHAR offload[128];	      /* the same as an NDIS_OFFLOAD */
	ULONG lso_max, lso_min_segs;  /* its LSO v1/v2 MaxOffLoadSize, MinSegmentCount */
	unsigned hw_offloads;	      /* what OID_TCP_OFFLOAD_PARAMETERS may enable */
	BOOLEAN offload_due;	      /* changed by an OID: indicate it after the lock */
	unsigned offload_params_sets; /* OID_TCP_OFFLOAD_PARAMETERS it accepted */
	BOOLEAN no_offload_params;    /* it answers that OID NDIS_STATUS_NOT_SUPPORTED */
	/* a standby: what the stack above was told it may offload (at first the
	 * adapter's own, then each NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG), and
	 * what it was told before the last of those */
	unsigned stack_offloads, stack_offloads_before;
	ULONG stack_lso_max[2], stack_lso_min_segs[2]; /* LSO v2 IPv4, IPv6 */
	unsigned stack_offload_told;		       /* indications that reached it */
	/* RSS (emu_rss.c): the parameters it was given last, how many times */
	BOOLEAN no_rss;
	ULONG rss_caps_flags; /* its RcvScaleCapabilities' CapabilitiesFlags */
	UCHAR rss_caps[16];   /* the NDIS_RECEIVE_SCALE_CAPABILITIES of its bind */
	ULONG rss_len;
	unsigned rss_sets, rss_requests;
	UCHAR rss[1024];
	/* the driver's announcements it transmitted (emu_announce.c) */
	unsigned announced[EMU_ANN_KINDS];
	struct {
		UCHAR addr[16];
		unsigned len;
	} ann_addrs[EMU_ANN_ADDRS];
	unsigned n_ann_addrs;
	/* a standby: the filter's OID clones held, the stack's request pending */
	PNDIS_OID_REQUEST filter_held[16];
	unsigned n_filter_held;
	NDIS_OID_REQUEST stack_req;
	UCHAR stack_buf[1024];
	BOOLEAN stack_req_pending;
	NDIS_STATUS stack_req_status;
	/* the TCP/IP stand-in (standby) */
	BOOLEAN stack_link_down; /* the link the stack was told of last */
	unsigned stack_statuses; /* status indications that reached it */
	BOOLEAN stack_hold;
	struct emu_nbl *stack_rx[256];
	unsigned n_stack_rx, stack_ok, stack_failed, stack_received, stack_seq;
	/* real frames (emu_wire.c): the adapter's wire, the stack's receive */
	emu_tx_fn wire_tx;
	void *wire_arg;
	emu_rx_fn stack_to;
	void *stack_to_arg;
};

extern struct emu_state {
	NDIS_FILTER_DRIVER_CHARACTERISTICS fc;
	NDIS_HANDLE fc_ctx;
	NDIS_PROTOCOL_DRIVER_CHARACTERISTICS pc;
	NDIS_HANDLE pc_ctx;
	BOOLEAN filter_registered, protocol_registered, reenumerate;
	DRIVER_OBJECT driver;
	struct emu_adapter *adapters;
	BOOLEAN pend_open_close;       /* NdisOpenAdapterEx/NdisCloseAdapterEx pend */
	PUNICODE_STRING registry_path; /* given to DriverEntry */
} emu;

/* The emulation's own lock (emu_nbl.c): its state, the adapters and their
 * bindings and filter modules, the timers, the log; held only for that
 * bookkeeping, never while a driver's handler runs (so never under the
 * driver's spin lock the other way round: the driver's lock may be held
 * when the emulation takes its own, in the NDIS calls made under it).
 * Waits: emu_wait() sleeps (lock held on entry and return) until
 * emu_changed() or @ms pass; FALSE on the timeout. */
void emu_lock(void);
void emu_unlock(void);
void emu_changed(void);
BOOLEAN emu_wait(unsigned ms);

/* The driver's entry point, which the I/O manager would call. */
NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);

/* Memory the emulation hands the driver, counted (emu_live_allocations). */
void emu_count_allocation(long n);
void emu_violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An NDIS call the driver must not make with its spin lock held. */
void emu_unlocked(const char *call);

struct emu_nbl *emu_nbl_new(struct emu_pool *pool, NDIS_HANDLE source, unsigned seq,
			    const UCHAR dst[6]);
struct emu_nbl *emu_nbl_of(PNET_BUFFER_LIST nbl, const char *call);
void emu_nbl_retire(struct emu_nbl *e);
BOOLEAN emu_nbl_driver_owned(const struct emu_nbl *e);
void emu_push(struct emu_nbl *e, enum emu_hop kind, void *who);
/* Pop the top hop if it is (@kind, @who); a violation naming @call if not. */
BOOLEAN emu_pop(struct emu_nbl *e, enum emu_hop kind, void *who, const char *call);
void emu_check_source(struct emu_nbl *e, const char *call);

/* Transmit on an adapter's wire (or hold); completes to the sender. */
void emu_transmit(struct emu_adapter *a, struct emu_nbl *e);
void emu_complete_transmit(struct emu_adapter *a, struct emu_nbl *e, NDIS_STATUS st);
/* Indicate @n NBLs made by the adapter @a as one chain, up to whoever is
 * above it; with RESOURCES they are retired when the call returns. */
void emu_indicate(struct emu_adapter *a, struct emu_nbl **e, unsigned n, BOOLEAN resources);
/* The stack's NBL into the filter over @a (failed if it is not running). */
void emu_stack_submit(struct emu_adapter *a, struct emu_nbl *e);
/* The bytes of an NBL's first NET_BUFFER (one mapped MDL in the emulation). */
const UCHAR *emu_nbl_bytes(const NET_BUFFER_LIST *nbl, ULONG *len);
/* A status indication of the standby @a's miniport, up through the filter
 * (its FilterStatus handler) if one is attached, else straight to the stack. */
void emu_stack_status(struct emu_adapter *a, PNDIS_STATUS_INDICATION si);
/* Up the standby's stack: counts, keeps or returns. */
void emu_stack_deliver(struct emu_adapter *a, PNET_BUFFER_LIST l, ULONG flags);
void emu_process_reenumerate(void);
/* A call into a filter module's handler (counted in fm->calls) returned. */
void emu_fm_call_done(struct emu_filter_module *fm);
/* PnP: binds, pauses, restarts, unbinds, attaches, detaches and link
 * changes, one at a time (NDIS serializes them); may nest in one thread. */
void emu_pnp_begin(void);
void emu_pnp_end(void);
/* The miniport @a carries out a set request. */
NDIS_STATUS emu_apply_oid(struct emu_adapter *a, const NDIS_OID_REQUEST *req, const char *call);
void emu_check_oid_header(const NDIS_OID_REQUEST *req, const char *call);
/* emu_stats.c: the miniport's counters, and its answer to OID_GEN_STATISTICS */
void emu_stats_tx(struct emu_adapter *a, const NET_BUFFER_LIST *nbl, NDIS_STATUS st);
void emu_stats_rx(struct emu_adapter *a, const NET_BUFFER_LIST *nbl);
NDIS_STATUS emu_stats_query(struct emu_adapter *a, NDIS_OID_REQUEST *req);
NDIS_STATUS emu_stats_query_single(struct emu_adapter *a, NDIS_OID_REQUEST *req);
/* emu_announce.c: an NBL the driver allocated with its own NET_BUFFER, and
 * the check of such a frame on @a's wire (an announcement, well-formed) */
BOOLEAN emu_nbl_own_frame(const struct emu_nbl *e);
void emu_check_own_frame(struct emu_adapter *a, const struct emu_nbl *e);
/* emu_offload.c: an adapter's offloads (all, at creation); the check of a
 * send handed to it */
void emu_offload_init(struct emu_adapter *a);
void emu_check_offloads(struct emu_adapter *a, const struct emu_nbl *e);
/* An NDIS_OFFLOAD indicated to the stack above @a (lock held). */
void emu_stack_take_offload(struct emu_adapter *a, const void *ndis_offload, ULONG size);
void emu_offload_parse(const void *ndis_offload, ULONG size, unsigned *offloads, ULONG *lso_max,
		       ULONG *min_segs);
/* OID_GEN_RECEIVE_SCALE_PARAMETERS set on @a, its buffer checked. */
NDIS_STATUS emu_rss_apply(struct emu_adapter *a, const NDIS_OID_REQUEST *req, const char *call);
/* A query of OID_TCP_OFFLOAD_CURRENT_CONFIG to @a's miniport. */
/* what a miniport answers a set whose buffer is not what the OID takes */
#define NDIS_STATUS_INVALID_DATA ((NDIS_STATUS)0xC0010015L)
/* OID_TCP_OFFLOAD_PARAMETERS set on @a (under the lock): its configuration
 * changes, indicated by emu_offload_indicate_due() after the lock. */
NDIS_STATUS emu_offload_params_apply(struct emu_adapter *a, const NDIS_OID_REQUEST *req,
				     const char *call);
void emu_offload_indicate_due(struct emu_adapter *a);
/* The NDIS_RECEIVE_SCALE_CAPABILITIES an adapter's bind gives (NULL without
 * RSS), under the lock. */
PVOID emu_rss_caps_locked(struct emu_adapter *a);
NDIS_STATUS emu_offload_query(struct emu_adapter *a, NDIS_OID_REQUEST *req);
/* Free the retired NBLs (at unload). */
void emu_free_graveyard(void);

#endif
