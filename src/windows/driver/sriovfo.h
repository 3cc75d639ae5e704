/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sriovfo.sys: an NDIS 6.30 lightweight filter over each standby (the
 * paravirtual adapter) that is also an NDIS protocol binding the VF with the
 * standby's MAC. The stack sees only the standby; while a VF carries the
 * traffic, the stack's sends go out through the VF as clones and the VF's
 * receives are indicated up as the standby's.
 *
 * One spin lock (sfo_drv.lock) guards the pairing, the datapath choice and
 * the outstanding counts; NDIS is never called while it is held.
 */
#ifndef SFO_WIN_DRIVER_H
#define SFO_WIN_DRIVER_H

#include "ndis6.h"

#define SFO_WIN_MAC_LEN	 6
#define SFO_WIN_POOL_TAG 0x6f467253u /* 'SrFo' */

enum sfo_filter_state {
	SFO_FILTER_PAUSED,
	SFO_FILTER_RUNNING,
	SFO_FILTER_PAUSING, /* pause pended until the last clone is back */
};

struct sfo_standby;

/* The receive settings the stack gave the standby, mirrored onto its VF. */
#define SFO_WIN_MCAST_MAX 32
enum sfo_mirror {
	SFO_MIRROR_FILTER, /* OID_GEN_CURRENT_PACKET_FILTER */
	SFO_MIRROR_MCAST,  /* OID_802_3_MULTICAST_LIST */
	SFO_MIRROR_MAX,
};

struct sfo_rx_mode {
	BOOLEAN have[SFO_MIRROR_MAX]; /* the stack has set it */
	ULONG packet_filter;
	BOOLEAN mcast_overflow; /* more addresses than the VF is given: all-multicast */
	ULONG n_mcast;
	UCHAR mcast[SFO_WIN_MCAST_MAX][SFO_WIN_MAC_LEN];
};

/* One mirrored OID to a VF: at most one in flight, the latest value again
 * when the stack changed it meanwhile. */
struct sfo_vf_oid {
	NDIS_OID_REQUEST req;
	union {
		ULONG packet_filter;
		UCHAR mcast[SFO_WIN_MCAST_MAX][SFO_WIN_MAC_LEN];
	} buf;
	BOOLEAN busy, again;
	NDIS_STATUS status; /* of the last one */
};

/* Our protocol's binding to a VF. */
struct sfo_vf {
	NDIS_HANDLE binding;	/* from NdisOpenAdapterEx */
	NDIS_HANDLE bind_ctx;	/* to complete a pended bind */
	NDIS_HANDLE unbind_ctx; /* to complete a pended unbind */
	PDEVICE_OBJECT pdo;
	UCHAR mac[SFO_WIN_MAC_LEN];
	struct sfo_standby *standby; /* the pair, NULL once unpaired */
	BOOLEAN open;		     /* NdisOpenAdapterEx succeeded */
	BOOLEAN link_up;
	BOOLEAN paused;	  /* NetEventPause until NetEventRestart */
	LONG outstanding; /* our clones and mirrored OIDs on this binding */
	PNET_PNP_EVENT_NOTIFICATION pending_pause;
	struct sfo_vf_oid oid[SFO_MIRROR_MAX];
};

/* The filter module over one standby. */
struct sfo_standby {
	struct sfo_standby *next;
	NDIS_HANDLE filter; /* NdisFilterHandle */
	NDIS_HANDLE pool;   /* clone NBLs, both directions */
	PDEVICE_OBJECT pdo;
	UCHAR mac[SFO_WIN_MAC_LEN];
	enum sfo_filter_state state;
	LONG outstanding;    /* our clones: sent on the VF or indicated up */
	struct sfo_vf *vf;   /* the paired VF binding, if any */
	struct sfo_vf *path; /* where the traffic goes: the VF, or NULL for the standby */
	struct sfo_rx_mode rx_mode;
};

struct sfo_driver {
	NDIS_HANDLE filter_driver;
	NDIS_HANDLE protocol;
	NDIS_SPIN_LOCK lock;
	struct sfo_standby *standbys;
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

/* entry.c */
void *sfo_win_alloc(UINT size);
void sfo_win_free(void *p);

/* filter.c: the filter module's lifecycle */
NDIS_STATUS NTAPI sfo_filter_attach(NDIS_HANDLE filter, NDIS_HANDLE driver_ctx,
				    PNDIS_FILTER_ATTACH_PARAMETERS params);
VOID NTAPI sfo_filter_detach(NDIS_HANDLE module);
NDIS_STATUS NTAPI sfo_filter_pause(NDIS_HANDLE module, PNDIS_FILTER_PAUSE_PARAMETERS params);
NDIS_STATUS NTAPI sfo_filter_restart(NDIS_HANDLE module, PNDIS_FILTER_RESTART_PARAMETERS params);

/* vf_binding.c: the protocol's bindings to VFs */
NDIS_STATUS NTAPI sfo_vf_bind(NDIS_HANDLE driver_ctx, NDIS_HANDLE bind_ctx,
			      PNDIS_BIND_PARAMETERS params);
VOID NTAPI sfo_vf_open_complete(NDIS_HANDLE binding, NDIS_STATUS status);
NDIS_STATUS NTAPI sfo_vf_unbind(NDIS_HANDLE unbind_ctx, NDIS_HANDLE binding);
VOID NTAPI sfo_vf_close_complete(NDIS_HANDLE binding);
NDIS_STATUS NTAPI sfo_vf_pnp_event(NDIS_HANDLE binding, PNET_PNP_EVENT_NOTIFICATION event);
VOID NTAPI sfo_vf_status(NDIS_HANDLE binding, PNDIS_STATUS_INDICATION status);

/* steering.c: the pairing, the datapath choice, the outstanding clones */
struct sfo_standby *sfo_standby_by_mac_locked(const UCHAR *mac);
void sfo_steer_locked(struct sfo_standby *sb);
void sfo_clones_done(struct sfo_standby *sb, struct sfo_vf *vf, LONG n);
void sfo_vf_io_done(struct sfo_vf *vf, LONG n);

/* oid.c: the stack's OIDs on the standby, the receive settings mirrored to the VF */
NDIS_STATUS NTAPI sfo_filter_oid_request(NDIS_HANDLE module, PNDIS_OID_REQUEST req);
VOID NTAPI sfo_filter_oid_complete(NDIS_HANDLE module, PNDIS_OID_REQUEST clone, NDIS_STATUS status);
VOID NTAPI sfo_vf_oid_complete(NDIS_HANDLE binding, PNDIS_OID_REQUEST req, NDIS_STATUS status);
/* Send the standby's receive settings to its VF (after bind and restart). */
void sfo_mirror_rx_mode(struct sfo_vf *vf);

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
