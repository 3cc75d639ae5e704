// SPDX-License-Identifier: BSD-2-Clause
/*
 * The protocol's side: each adapter NDIS offers is told to the engine, and
 * bound only if the engine makes it a standby's VF (its policy: same MAC as
 * a standby, on the VF allowlist by PCI vendor:device; one VF per standby).
 * Anything else is refused at once and forgotten by the engine: a same-MAC
 * adapter that is not an allowed VF is never bound, and NDIS offers the
 * refused again when a standby's filter first runs or a VF's binding goes.
 * Its pause/restart and link are facts for the engine, which moves the
 * traffic. NDIS pauses a binding before unbinding it (the host's hot-unplug,
 * a surprise removal): the pause completes only when every send (and
 * mirrored OID) on the VF is back, so an orderly unplug loses nothing.
 */
#include "sriovfo.h"

static NDIS_MEDIUM ethernet = NdisMedium802_3;

/* The standby itself, offered to the protocol like any adapter. */
static BOOLEAN a_standby_locked(PDEVICE_OBJECT pdo)
{
	for (struct sfo_standby *sb = sfo_drv.standbys; sb; sb = sb->next)
		if (sb->pdo && sb->pdo == pdo)
			return TRUE;
	return FALSE;
}

/* The engine forgets @vf (removed: it gives it back if it held it); what
 * the binding reports after (id 0) the engine ignores. */
static void forget_locked(struct sfo_vf *vf)
{
	sfo_report_gone_locked(vf->id);
	vf->id = 0;
	for (struct sfo_vf **p = &sfo_drv.vfs; *p; p = &(*p)->next)
		if (*p == vf) {
			*p = vf->next;
			break;
		}
}

/* Tell the engine of the offered @vf: whether it paired it (vf_prepare). */
static BOOLEAN offer_locked(struct sfo_vf *vf)
{
	if (!sfo_drv.engine || a_standby_locked(vf->pdo))
		return FALSE;
	vf->id = sfo_drv_new_id_locked();
	vf->next = sfo_drv.vfs;
	sfo_drv.vfs = vf;
	sfo_report_vf_locked(vf);
	if (vf->standby)
		return TRUE;
	/* not allowed, no standby with its MAC, or a spare: its role's
	 * reason is in the engine's log */
	forget_locked(vf);
	return FALSE;
}

static void opened(struct sfo_vf *vf)
{
	sfo_drv_engine_lock();
	vf->open = TRUE;
	sfo_stats_baseline_locked(vf);
	sfo_report_vf_locked(vf);
	sfo_drv_engine_unlock(); /* sends it the receive settings, asks its statistics */
}

static void open_failed(struct sfo_vf *vf)
{
	sfo_drv_engine_lock();
	forget_locked(vf);
	sfo_drv_engine_unlock();
	sfo_win_free(vf);
}

NDIS_STATUS NTAPI sfo_vf_bind(NDIS_HANDLE driver_ctx, NDIS_HANDLE bind_ctx,
			      PNDIS_BIND_PARAMETERS params)
{
	NDIS_OPEN_PARAMETERS op;
	UINT selected = 0;
	struct sfo_vf *vf;
	NDIS_STATUS st;
	BOOLEAN paired;

	(void)driver_ctx;
	if (params->MediaType != NdisMedium802_3 || params->MacAddressLength != SFO_WIN_MAC_LEN)
		return NDIS_STATUS_NOT_SUPPORTED;
	vf = sfo_win_alloc(sizeof(*vf));
	if (!vf)
		return NDIS_STATUS_RESOURCES;
	__builtin_memcpy(vf->mac, params->CurrentMacAddress, SFO_WIN_MAC_LEN);
	vf->pdo = params->PhysicalDeviceObject;
	vf->bind_ctx = bind_ctx;
	vf->mtu = params->MtuSize;
	vf->rss_hash_types = sfo_rss_hash_types(params->RcvScaleCapabilities);
	vf->tx_offloads = sfo_offload_caps(params->DefaultOffloadConfiguration);
	sfo_offload_keep_vf_locked(vf, params->DefaultOffloadConfiguration,
				   SFO_WIN_OFFLOAD_HEAD); /* not yet shared */
	vf->link_up = params->MediaConnectState == MediaConnectStateConnected;
	/* A binding is Paused once bound: nothing may be sent on it before
	 * NDIS restarts it (NetEventRestart), after the bind returned. */
	vf->paused = TRUE;
	sfo_win_pci_id(vf->pdo, &vf->pci_vendor, &vf->pci_device); /* PASSIVE_LEVEL */
	sfo_drv_engine_lock();
	paired = offer_locked(vf);
	sfo_drv_engine_unlock();
	if (!paired) {
		sfo_win_free(vf);
		return NDIS_STATUS_NOT_SUPPORTED;
	}
	__builtin_memset(&op, 0, sizeof(op));
	op.Header.Type = NDIS_OBJECT_TYPE_OPEN_PARAMETERS;
	op.Header.Revision = NDIS_OPEN_PARAMETERS_REVISION_1;
	op.Header.Size = NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1;
	op.AdapterName = params->AdapterName;
	op.MediumArray = &ethernet;
	op.MediumArraySize = 1;
	op.SelectedMediumIndex = &selected;
	st = NdisOpenAdapterEx(sfo_drv.protocol, vf, &op, bind_ctx, &vf->binding);
	if (st == NDIS_STATUS_PENDING)
		return st; /* sfo_vf_open_complete() finishes the bind */
	if (st == NDIS_STATUS_SUCCESS)
		opened(vf);
	else
		open_failed(vf);
	return st;
}

VOID NTAPI sfo_vf_open_complete(NDIS_HANDLE binding, NDIS_STATUS status)
{
	struct sfo_vf *vf = binding;
	NDIS_HANDLE bind_ctx = vf->bind_ctx;

	if (status == NDIS_STATUS_SUCCESS)
		opened(vf);
	else
		open_failed(vf);
	NdisCompleteBindAdapterEx(bind_ctx, status);
}

static void closed(struct sfo_vf *vf)
{
	sfo_win_free(vf);
	/* A same-MAC VF refused while this one was bound gets offered again. */
	NdisReEnumerateProtocolBindings(sfo_drv.protocol);
}

NDIS_STATUS NTAPI sfo_vf_unbind(NDIS_HANDLE unbind_ctx, NDIS_HANDLE binding)
{
	struct sfo_vf *vf = binding;
	NDIS_STATUS st;

	/* The binding is paused: the traffic is on the standby, nothing is out. */
	sfo_drv_engine_lock();
	forget_locked(vf);
	sfo_drv_engine_unlock();
	vf->unbind_ctx = unbind_ctx;
	st = NdisCloseAdapterEx(vf->binding);
	if (st == NDIS_STATUS_PENDING)
		return st; /* sfo_vf_close_complete() finishes the unbind */
	closed(vf);
	return st;
}

VOID NTAPI sfo_vf_close_complete(NDIS_HANDLE binding)
{
	struct sfo_vf *vf = binding;
	NDIS_HANDLE unbind_ctx = vf->unbind_ctx;

	closed(vf);
	NdisCompleteUnbindAdapterEx(unbind_ctx);
}

/* How often a pause looks whether the sends that chose the VF are with NDIS. */
#define SFO_PAUSE_POLL_US 50

/* The engine moves new sends to the standby before this returns; the pause
 * waits for those already on the VF, then for the VF's last statistics
 * (stats.c), asked once nothing else is out. A send that chose the VF just
 * before (another CPU, between its choice and NdisSendNetBufferLists) is
 * handed to NDIS before this returns: after it, the binding is Pausing and
 * a protocol may start no send on it. That wait is short and never on this
 * pause (the send path takes only the lock); NetPnPEvent runs at
 * PASSIVE_LEVEL, where NdisMSleep may wait. */
static NDIS_STATUS vf_pause(struct sfo_vf *vf, PNET_PNP_EVENT_NOTIFICATION event)
{
	sfo_drv_engine_lock();
	vf->paused = TRUE;
	sfo_stats_pause_locked(vf);
	sfo_report_vf_locked(vf);
	while (vf->sending) {
		NdisReleaseSpinLock(&sfo_drv.lock);
		NdisMSleep(SFO_PAUSE_POLL_US);
		NdisAcquireSpinLock(&sfo_drv.lock);
	}
	sfo_drv_engine_unlock();
	for (;;) {
		NdisAcquireSpinLock(&sfo_drv.lock);
		if (vf->outstanding == 0 && !sfo_stats_last_locked(vf)) {
			NdisReleaseSpinLock(&sfo_drv.lock);
			return NDIS_STATUS_SUCCESS;
		}
		if (!vf->stats.due) {
			vf->pending_pause = event; /* sfo_vf_io_done() completes it */
			NdisReleaseSpinLock(&sfo_drv.lock);
			return NDIS_STATUS_PENDING;
		}
		NdisReleaseSpinLock(&sfo_drv.lock);
		sfo_stats_due(); /* the last statistics: answered at once, or pending */
	}
}

/* A miniport's MTU (its *JumboPacket) changes only in a restart: the one
 * the VF comes back with is what the engine compares with the standby's. */
static void vf_restart(struct sfo_vf *vf, const NET_PNP_EVENT *ev)
{
	const NDIS_PROTOCOL_RESTART_PARAMETERS *rp = ev->Buffer;

	sfo_drv_engine_lock();
	if (rp && ev->BufferLength >= sizeof(*rp))
		vf->mtu = sfo_restart_mtu(rp->RestartAttributes, vf->mtu);
	vf->paused = FALSE;
	vf->mirror_due = vf->rx_given; /* what changed while it was paused */
	sfo_report_vf_locked(vf);
	sfo_drv_engine_unlock();
}

NDIS_STATUS NTAPI sfo_vf_pnp_event(NDIS_HANDLE binding, PNET_PNP_EVENT_NOTIFICATION event)
{
	struct sfo_vf *vf = binding;

	if (!vf)
		return NDIS_STATUS_SUCCESS; /* an event for the protocol as a whole */
	switch (event->NetPnPEvent.NetEvent) {
	case NetEventPause:
		return vf_pause(vf, event);
	case NetEventRestart:
		vf_restart(vf, &event->NetPnPEvent);
		return NDIS_STATUS_SUCCESS;
	default:
		return NDIS_STATUS_SUCCESS;
	}
}

VOID NTAPI sfo_vf_status(NDIS_HANDLE binding, PNDIS_STATUS_INDICATION status)
{
	struct sfo_vf *vf = binding;
	const NDIS_LINK_STATE *ls = status->StatusBuffer;

	if (status->StatusCode == NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG) {
		ULONG caps = status->StatusBufferSize >= sizeof(NDIS_OBJECT_HEADER)
				     ? sfo_offload_caps(status->StatusBuffer)
				     : 0;

		sfo_drv_engine_lock();
		vf->tx_offloads = caps; /* the sends after this are checked against it */
		sfo_offload_keep_vf_locked(vf, status->StatusBuffer, status->StatusBufferSize);
		sfo_offload_changed_locked(vf->standby); /* the stack is told */
		sfo_drv_engine_unlock();
		return;
	}
	if (status->StatusCode != NDIS_STATUS_LINK_STATE || !ls ||
	    status->StatusBufferSize < sizeof(*ls))
		return;
	sfo_drv_engine_lock();
	vf->link_up = ls->MediaConnectState == MediaConnectStateConnected;
	sfo_report_vf_locked(vf);
	sfo_drv_engine_unlock();
}
