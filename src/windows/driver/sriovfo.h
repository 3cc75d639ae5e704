/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sriovfo.sys: an NDIS 6.30 lightweight filter over each standby (the
 * paravirtual adapter) that is also an NDIS protocol binding the VF with the
 * standby's MAC. The stack sees only the standby; while a VF carries the
 * traffic, the stack's sends go out through the VF as clones and the VF's
 * receives are indicated up as the standby's.
 *
 * Every decision is the engine's (libsfo-core, include/sfo/engine.h): the
 * driver tells it the facts (report.c) and carries out what it asks through
 * the ops table (edge_ops.c). One spin lock (sfo_drv.lock) guards the
 * engine, the pairing, the datapath choice and the outstanding counts. NDIS
 * calls that may call back into the driver or need PASSIVE_LEVEL (sends,
 * indications, completions, OID requests, opens and closes, device
 * properties) are never made while it is held; memory, timer objects and
 * DbgPrintEx, which NDIS and the kernel allow at DISPATCH_LEVEL and which
 * never call back, are. What the engine asks that needs such a call (the
 * VF's receive settings) is left as work for after the lock
 * (sfo_mirror_due()).
 */
#ifndef SFO_WIN_DRIVER_H
#define SFO_WIN_DRIVER_H

#include "ndis6.h"

#include <sfo/engine.h>

#define SFO_WIN_MAC_LEN	 6
#define SFO_WIN_POOL_TAG 0x6f467253u /* 'SrFo' */
/* The "driver" a standby reports to the engine (standby.c), which the
 * engine's standby-drivers list names (config.c): a virtio-net PCI function,
 * NetKVM's device; one of Parameters\StandbyPciIds. */
#define SFO_WIN_VIRTIO_DRIVER  "netkvm"
#define SFO_WIN_LISTED_STANDBY "StandbyPciIds"

enum sfo_filter_state {
	SFO_FILTER_PAUSED,
	SFO_FILTER_RUNNING,
	SFO_FILTER_PAUSING, /* pause pended until the last clone is back */
};

struct sfo_standby;

/* The receive settings the stack gave the standby, mirrored onto its VF. */
#define SFO_WIN_MCAST_MAX 32
enum sfo_mirror {
	SFO_MIRROR_FILTER,  /* OID_GEN_CURRENT_PACKET_FILTER */
	SFO_MIRROR_MCAST,   /* OID_802_3_MULTICAST_LIST */
	SFO_MIRROR_RSS,	    /* OID_GEN_RECEIVE_SCALE_PARAMETERS */
	SFO_MIRROR_OFFLOAD, /* OID_TCP_OFFLOAD_PARAMETERS */
	SFO_MIRROR_MAX,
};
/* NDIS_RECEIVE_SCALE_PARAMETERS with its indirection table, hash key and
 * processor masks (offsets from its start): a larger one is not mirrored. */
#define SFO_WIN_RSS_MAX 1024
/* NDIS_OFFLOAD_PARAMETERS, revision 1 (NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1) */
#define SFO_WIN_OFFLOAD_PARAMS_LEN 20

struct sfo_win_rx_mode {
	BOOLEAN have[SFO_MIRROR_MAX]; /* the stack has set it */
	ULONG packet_filter;
	BOOLEAN mcast_overflow; /* more addresses than the VF is given: all-multicast */
	ULONG n_mcast;
	UCHAR mcast[SFO_WIN_MCAST_MAX][SFO_WIN_MAC_LEN];
	ULONG rss_len;
	UCHAR rss[SFO_WIN_RSS_MAX];
	/* the checksum and LSO settings of every OID_TCP_OFFLOAD_PARAMETERS the
	 * standby accepted, each a later one changed (offload_params.c) */
	UCHAR offload_params[SFO_WIN_OFFLOAD_PARAMS_LEN];
};

/* One mirrored OID to a VF: at most one in flight, the latest value again
 * when the stack changed it meanwhile. */
struct sfo_vf_oid {
	NDIS_OID_REQUEST req;
	union {
		ULONG packet_filter;
		UCHAR mcast[SFO_WIN_MCAST_MAX][SFO_WIN_MAC_LEN];
		UCHAR rss[SFO_WIN_RSS_MAX];
		UCHAR offload_params[SFO_WIN_OFFLOAD_PARAMS_LEN];
	} buf;
	BOOLEAN busy, again;
	NDIS_STATUS status; /* of the last one */
};

/* NDIS_STATISTICS_INFO's counters (ifInDiscards to ifHCOutBroadcastOctets),
 * as an array: what stats.c merges. */
#define SFO_WIN_STATS_N 18

/* The VF's statistics (stats.c): one OID_GEN_STATISTICS query in flight,
 * the last answer, and the stack's query on the standby waiting for it. */
struct sfo_vf_stats {
	NDIS_OID_REQUEST req;
	NDIS_STATISTICS_INFO buf;
	BOOLEAN busy;	   /* the query is out (counted in outstanding) */
	BOOLEAN due;	   /* reserved under the lock, to send after it */
	BOOLEAN have_last; /* last[] holds an answer */
	BOOLEAN last_due;  /* paused: one more query once nothing else is out */
	ULONG64 last[SFO_WIN_STATS_N];
	PNDIS_OID_REQUEST waiting; /* the stack's query, completed with the answer */
	struct sfo_standby *waiting_sb;
};

/* The send offloads an NBL may ask for, which a VF must have to carry it
 * (offload.c). */
enum sfo_tx_offload {
	SFO_TXO_V4_TCP_CSUM = 1u << 0,
	SFO_TXO_V4_UDP_CSUM = 1u << 1,
	SFO_TXO_V4_IP_CSUM = 1u << 2,
	SFO_TXO_V6_TCP_CSUM = 1u << 3,
	SFO_TXO_V6_UDP_CSUM = 1u << 4,
	SFO_TXO_LSO1_V4 = 1u << 5,
	SFO_TXO_LSO2_V4 = 1u << 6,
	SFO_TXO_LSO2_V6 = 1u << 7,
};

/* NDIS_OFFLOAD as kept (offload_config.c): the standby's whole (its
 * revisions up to this size), a VF's up to LsoV2's end. */
#define SFO_WIN_OFFLOAD_MAX  512
#define SFO_WIN_OFFLOAD_HEAD 108

/* Our protocol's binding to a VF. */
struct sfo_vf {
	struct sfo_vf *next;	/* in sfo_drv.vfs, while the engine knows it */
	uint32_t id;		/* its adapter id in the engine */
	NDIS_HANDLE binding;	/* from NdisOpenAdapterEx */
	NDIS_HANDLE bind_ctx;	/* to complete a pended bind */
	NDIS_HANDLE unbind_ctx; /* to complete a pended unbind */
	PDEVICE_OBJECT pdo;
	UCHAR mac[SFO_WIN_MAC_LEN];
	ULONG mtu;			     /* MtuSize of its bind */
	ULONG tx_offloads;		     /* enum sfo_tx_offload: its current configuration */
	UCHAR offload[SFO_WIN_OFFLOAD_HEAD]; /* that NDIS_OFFLOAD, zero if too short */
	ULONG rss_hash_types;		     /* NDIS_HASH_* its RSS can (0: no RSS) */
	BOOLEAN rss_skip_logged;	     /* why RSS is not mirrored to it, told once */
	USHORT pci_vendor, pci_device;	     /* from its hardware ID, 0 if not PCI */
	struct sfo_standby *standby;	     /* the pair (the engine's vf_prepare), or NULL */
	BOOLEAN open;			     /* NdisOpenAdapterEx succeeded */
	BOOLEAN link_up;
	BOOLEAN paused;	    /* NetEventPause until NetEventRestart */
	BOOLEAN rx_given;   /* the engine gave it the standby's receive settings */
	BOOLEAN mirror_due; /* work for after the lock: send it those settings */
	LONG outstanding;   /* our clones and mirrored OIDs on this binding */
	LONG sending;	    /* sends that chose it, not yet handed to NDIS */
	PNET_PNP_EVENT_NOTIFICATION pending_pause;
	struct sfo_vf_oid oid[SFO_MIRROR_MAX];
	struct sfo_vf_stats stats;
};

/* The standby's addresses, learned from the stack's own ARP and neighbour
 * discovery sends (addr_learn.c), announced after each switch (announce.c). */
#define SFO_WIN_ADDRS_MAX 8
struct sfo_win_addrs {
	UCHAR v4[SFO_WIN_ADDRS_MAX][4];
	UCHAR v6[SFO_WIN_ADDRS_MAX][16];
	ULONG n4, n6;	    /* in use */
	ULONG next4, next6; /* the slot a new address takes when all are in use */
};

/* The filter module over one standby. */
struct sfo_standby {
	struct sfo_standby *next;
	uint32_t id;	    /* its adapter id in the engine */
	NDIS_HANDLE filter; /* NdisFilterHandle */
	NDIS_HANDLE pool;   /* clone NBLs, both directions */
	PDEVICE_OBJECT pdo;
	USHORT pci_vendor, pci_device; /* of its miniport's device */
	const char *driver;	       /* what it reports as its driver (standby.c) */
	UCHAR mac[SFO_WIN_MAC_LEN];
	ULONG mtu;	  /* from the restart attributes, 0 before the first */
	BOOLEAN reported; /* the engine knows it (from its first restart) */
	BOOLEAN link_up;  /* its miniport's media connect state: the carrier */
	enum sfo_filter_state state;
	LONG outstanding;    /* our clones (sent on the VF or indicated up), and
				receive indications being handed up */
	struct sfo_vf *vf;   /* the paired VF binding (the engine's vf_prepare), if any */
	struct sfo_vf *path; /* where the engine steers the traffic: the VF, or NULL */
	struct sfo_win_rx_mode rx_mode;
	/* stats.c: what every VF of the pair counted (monotonic), the
	 * standby's own last answer */
	ULONG64 vf_total[SFO_WIN_STATS_N];
	BOOLEAN have_own;
	ULONG64 own[SFO_WIN_STATS_N];
	/* offload_config.c: the standby's own NDIS_OFFLOAD (0 bytes: not known),
	 * and the stack to be told what it may use (after the lock) */
	ULONG own_offload_len;
	UCHAR own_offload[SFO_WIN_OFFLOAD_MAX];
	BOOLEAN offload_due;
	struct sfo_win_addrs addrs;
	NDIS_HANDLE frame_pool;	    /* NBLs with NET_BUFFERs: the announcements */
	NDIS_HANDLE announce_timer; /* sends them after a restart */
	BOOLEAN announce_due;	    /* the engine's announce, to send after the lock */
};

struct sfo_driver {
	NDIS_HANDLE filter_driver;
	NDIS_HANDLE protocol;
	NDIS_SPIN_LOCK lock;
	struct sfo_standby *standbys;
	struct sfo_vf *vfs;
	/* the engine and what it runs on, from DriverEntry to unload */
	struct sfo_engine *engine;
	struct sfo_config cfg;
	NDIS_HANDLE timer;
	struct sfo_pci_id *standby_ids; /* Parameters\StandbyPciIds, or NULL */
	size_t n_standby_ids;
	uint32_t last_id; /* adapter ids are never reused while the driver runs */
};

extern struct sfo_driver sfo_drv;

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);

static inline ULONG sfo_nbl_count(PNET_BUFFER_LIST nbl)
{
	ULONG n = 0;

	for (; nbl; nbl = nbl->Next)
		n++;
	return n;
}

/*
 * The engine, for a control path (the control device, sriov-failover.exe's
 * status, adapters, events, release and resume). Every sfo_engine_*() call is
 * made between these two, at IRQL <= DISPATCH_LEVEL:
 *
 *	struct sfo_engine *eng = sfo_drv_engine_lock();
 *	if (eng)
 *		err = sfo_engine_release(eng, id);   (or _resume, _pair_status...)
 *	sfo_drv_engine_unlock();
 *
 * sfo_drv_engine_lock() takes the driver's spin lock (raising to
 * DISPATCH_LEVEL) and returns the engine, NULL before DriverEntry made it and
 * after unload (call unlock anyway). In between: no NDIS call, no pageable
 * memory (copy results into a non-paged buffer, e.g. on the stack, and into a
 * user's buffer only after unlock). sfo_drv_engine_unlock() drops the lock and
 * carries out the NDIS work the engine's calls left (the VF's receive
 * settings): call it at IRQL <= DISPATCH_LEVEL, never with the lock held
 * otherwise. Adapter ids are the driver's, one per filter module and per VF
 * binding, never reused while the driver is loaded.
 */
struct sfo_engine *sfo_drv_engine_lock(void);
void sfo_drv_engine_unlock(void);
/* The engine's clock (ops->now_ns): KeQueryUnbiasedInterruptTime in ns,
 * monotonic, the time asleep left out. Any IRQL, with or without the lock. */
uint64_t sfo_drv_now_ns(void);

/* engine_edge.c: the engine's life, its timer */
/* After the filter's registration (its handle serves memory and the timer),
 * with the registry path DriverEntry was given. */
NDIS_STATUS sfo_drv_engine_start(PUNICODE_STRING registry_path);
void sfo_drv_engine_stop(void);
uint32_t sfo_drv_new_id_locked(void);

/* edge_ops.c: what the engine asks of the driver */
extern const struct sfo_ops sfo_drv_ops;

/* config.c: the engine's configuration in the driver: the defaults and
 * the registry's additions (PASSIVE_LEVEL); free what it allocated */
void sfo_win_load_config(struct sfo_config *cfg, PUNICODE_STRING registry_path);
void sfo_win_free_config(struct sfo_config *cfg);

/* standby.c: which adapters are standbys, by PCI vendor:device; the ids
 * the registry adds are read in DriverEntry and freed at unload */
void sfo_win_load_standby_ids(PUNICODE_STRING registry_path);
void sfo_win_free_standby_ids(void);
/* The driver name a standby with these ids reports, NULL if it is none. */
const char *sfo_win_standby_driver(USHORT vendor, USHORT device);

/* pci_list.c: @defaults and the ids of the registry's REG_MULTI_SZ @value
 * (PASSIVE_LEVEL; bad entries logged), allocated, their count in *@n; NULL
 * if the registry has none */
struct sfo_pci_id *sfo_win_registry_pci_ids(PUNICODE_STRING registry_path, const WCHAR *value,
					    const struct sfo_pci_id *defaults, size_t n_defaults,
					    size_t *n);
BOOLEAN sfo_win_pci_id_listed(const struct sfo_pci_id *ids, size_t n, USHORT vendor, USHORT device);

/* registry.c: the REG_MULTI_SZ @value of the service key's Parameters
 * subkey, with an empty string after the last (sfo_win_free it), or NULL
 * if there is none (PASSIVE_LEVEL) */
WCHAR *sfo_win_registry_multi_sz(PUNICODE_STRING service_key, const WCHAR *value);

/* report.c: the facts, to the engine (lock held) */
void sfo_report_standby_locked(const struct sfo_standby *sb);
void sfo_report_vf_locked(const struct sfo_vf *vf);
void sfo_report_rx_mode_locked(const struct sfo_standby *sb);
void sfo_report_gone_locked(uint32_t id);

/* pci_id.c: a device's PCI vendor:device from its hardware ID (PASSIVE_LEVEL) */
BOOLEAN sfo_win_pci_id(PDEVICE_OBJECT pdo, USHORT *vendor, USHORT *device);

/* restart_mtu.c: a miniport's MTU among restart attributes (@mtu if none) */
ULONG sfo_restart_mtu(PNDIS_RESTART_ATTRIBUTES attrs, ULONG mtu);

/* mem.c: non-paged memory, zeroed */
void *sfo_win_alloc(SIZE_T size);
void sfo_win_free(void *p);

/* filter.c: the filter module's lifecycle */
NDIS_STATUS NTAPI sfo_filter_attach(NDIS_HANDLE filter, NDIS_HANDLE driver_ctx,
				    PNDIS_FILTER_ATTACH_PARAMETERS params);
VOID NTAPI sfo_filter_detach(NDIS_HANDLE module);
NDIS_STATUS NTAPI sfo_filter_pause(NDIS_HANDLE module, PNDIS_FILTER_PAUSE_PARAMETERS params);
NDIS_STATUS NTAPI sfo_filter_restart(NDIS_HANDLE module, PNDIS_FILTER_RESTART_PARAMETERS params);

/* filter_status.c: the standby's status indications */
VOID NTAPI sfo_filter_status(NDIS_HANDLE module, PNDIS_STATUS_INDICATION status);

/* vf_binding.c: the protocol's bindings to VFs */
NDIS_STATUS NTAPI sfo_vf_bind(NDIS_HANDLE driver_ctx, NDIS_HANDLE bind_ctx,
			      PNDIS_BIND_PARAMETERS params);
VOID NTAPI sfo_vf_open_complete(NDIS_HANDLE binding, NDIS_STATUS status);
NDIS_STATUS NTAPI sfo_vf_unbind(NDIS_HANDLE unbind_ctx, NDIS_HANDLE binding);
VOID NTAPI sfo_vf_close_complete(NDIS_HANDLE binding);
NDIS_STATUS NTAPI sfo_vf_pnp_event(NDIS_HANDLE binding, PNET_PNP_EVENT_NOTIFICATION event);
VOID NTAPI sfo_vf_status(NDIS_HANDLE binding, PNDIS_STATUS_INDICATION status);

/* outstanding.c: the clones and OIDs still out, which pauses wait for */
void sfo_clones_done(struct sfo_standby *sb, struct sfo_vf *vf, LONG n);
void sfo_vf_io_done(struct sfo_vf *vf, LONG n);

/* oid.c: the stack's OIDs on the standby, the receive settings (packet
 * filter, multicast list, RSS and offload parameters) mirrored to the VF */
NDIS_STATUS NTAPI sfo_filter_oid_request(NDIS_HANDLE module, PNDIS_OID_REQUEST req);
VOID NTAPI sfo_filter_oid_complete(NDIS_HANDLE module, PNDIS_OID_REQUEST clone, NDIS_STATUS status);
VOID NTAPI sfo_vf_oid_complete(NDIS_HANDLE binding, PNDIS_OID_REQUEST req, NDIS_STATUS status);
/* Send the standby's receive settings to each VF they are due to (the
 * deferred work of vf_set_rx_mode); call without the lock. */
void sfo_mirror_due(void);
/* offload_params.c: an NDIS_OFFLOAD_PARAMETERS the standby accepted, its
 * checksum and LSO changes added to @kept; FALSE if it is not one */
BOOLEAN sfo_offload_params_merge(UCHAR *kept, const void *buf, UINT len);
/* rss_caps.c: the NDIS_HASH_* types a VF's bind-time RcvScaleCapabilities
 * can hash (0: no RSS), and those the stack's RSS parameters ask for that a
 * VF lacks (all for a VF without RSS) */
ULONG sfo_rss_hash_types(const void *rcv_scale_caps);
ULONG sfo_rss_missing(ULONG vf_hash_types, const UCHAR *rss_params);

/* stats.c: OID_GEN_STATISTICS on the standby answered as standby + every VF */
/* The standby answered the stack's @req with @st: whether the driver keeps
 * it (pending) until the VF's statistics are in. */
BOOLEAN sfo_stats_hold(struct sfo_standby *sb, PNDIS_OID_REQUEST req, NDIS_STATUS st);
/* Ask a paired VF that opened for its statistics after the lock (the
 * baseline: what it counted before is not the pair's). */
void sfo_stats_baseline_locked(struct sfo_vf *vf);
/* At the VF's pause: its last count is due once nothing else is out
 * (sfo_stats_last_locked() reserves it then: whether the pause waits). */
void sfo_stats_pause_locked(struct sfo_vf *vf);
BOOLEAN sfo_stats_last_locked(struct sfo_vf *vf);
/* Send the queries reserved under the lock; call without it. */
void sfo_stats_due(void);
BOOLEAN sfo_stats_is_ours(struct sfo_vf *vf, PNDIS_OID_REQUEST req);
void sfo_stats_vf_complete(struct sfo_vf *vf, NDIS_STATUS status);
/* stats_oids.c: the NDIS_STATISTICS_INFO counters a single counter OID sums
 * (bit i: the i-th from ifInDiscards), 0 for any other OID */
ULONG sfo_stats_single_counters(NDIS_OID oid);
/* The engine's read_counters: the last answer of @id's adapter. */
int sfo_stats_read_locked(uint32_t id, struct sfo_counters *out);

/* addr_learn.c: the standby's addresses from the stack's sends */
void sfo_addr_learn(struct sfo_standby *sb, PNET_BUFFER_LIST nbls);

/* announce.c: gratuitous ARP / unsolicited NA (RARP with no address known)
 * through the path in use, after the engine's announce */
/* The module's pool of frames and its timer (at attach; FALSE: none), freed
 * with sfo_announce_fini() */
BOOLEAN sfo_announce_init(struct sfo_standby *sb);
void sfo_announce_fini(struct sfo_standby *sb);
void sfo_announce_after_restart(struct sfo_standby *sb);
void sfo_announce_request_locked(struct sfo_standby *sb);
/* Send what was requested; call without the lock. */
void sfo_announce_due(void);
/* Take the driver's announcements out of @nbls (sent through @vf, or down
 * the standby when NULL): freed and counted; the rest is returned. */
PNET_BUFFER_LIST sfo_announce_completed(struct sfo_standby *sb, struct sfo_vf *vf,
					PNET_BUFFER_LIST nbls);

/* offload.c: what a VF's NDIS_OFFLOAD configuration covers, what an NBL asks */
ULONG sfo_offload_caps(const void *ndis_offload);
ULONG sfo_offload_needs(PNET_BUFFER_LIST nbl);

/* offload_config.c: what the stack on the standby is told it may offload:
 * the standby's own configuration, while a VF is paired only what both
 * have (NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, OID_TCP_OFFLOAD_CURRENT_CONFIG) */
/* Keep an NDIS_OFFLOAD of @size bytes (the standby's own, a VF's). */
void sfo_offload_keep_own_locked(struct sfo_standby *sb, const void *ndis_offload, ULONG size);
void sfo_offload_keep_vf_locked(struct sfo_vf *vf, const void *ndis_offload, ULONG size);
/* The pairing of @sb changed (or its VF's configuration): tell the stack. */
void sfo_offload_changed_locked(struct sfo_standby *sb);
/* What the stack may use into @out (SFO_WIN_OFFLOAD_MAX bytes): its length,
 * 0 if the standby's own is not known. */
ULONG sfo_offload_advertised_locked(const struct sfo_standby *sb, UCHAR *out);
/* The standby's indication of its configuration, on its way up. */
void sfo_offload_status(struct sfo_standby *sb, PNDIS_STATUS_INDICATION status);
/* The standby answered the stack's OID_TCP_OFFLOAD_CURRENT_CONFIG query. */
void sfo_offload_answer(struct sfo_standby *sb, PNDIS_OID_REQUEST req);
/* Indicate what was marked, to modules not paused (the rest at their
 * restart); call without the lock. */
void sfo_offload_due(void);

/* tx.c */
VOID NTAPI sfo_filter_send(NDIS_HANDLE module, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port,
			   ULONG flags);
VOID NTAPI sfo_filter_send_complete(NDIS_HANDLE module, PNET_BUFFER_LIST nbls, ULONG flags);
VOID NTAPI sfo_vf_send_complete(NDIS_HANDLE binding, PNET_BUFFER_LIST clones, ULONG flags);

/* rx.c */
VOID NTAPI sfo_filter_receive(NDIS_HANDLE module, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port,
			      ULONG count, ULONG flags);
VOID NTAPI sfo_filter_return(NDIS_HANDLE module, PNET_BUFFER_LIST nbls, ULONG flags);
VOID NTAPI sfo_vf_receive(NDIS_HANDLE binding, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port,
			  ULONG count, ULONG flags);

#endif
