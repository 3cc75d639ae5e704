// SPDX-License-Identifier: BSD-2-Clause
/*
 * The protocol's side: bind the VF with a standby's MAC (never the standby
 * itself, one VF per standby), follow its pause/restart and link, unbind it.
 * NDIS pauses a binding before unbinding it (the host's hot-unplug, a
 * surprise removal): the pause moves the traffic to the standby and
 * completes only when every send (and mirrored OID) on the VF is back, so an
 * orderly unplug loses nothing.
 */
#include "sriovfo.h"

static NDIS_MEDIUM ethernet = NdisMedium802_3;

/* Pair @vf with the standby that has its MAC, or say why not. */
static NDIS_STATUS pair_locked(struct sfo_vf *vf)
{
	struct sfo_standby *sb = sfo_standby_by_mac_locked(vf->mac);

	if (!sb)
		return NDIS_STATUS_NOT_SUPPORTED; /* attach re-enumerates the bindings */
	if (sb->pdo && sb->pdo == vf->pdo)
		return NDIS_STATUS_NOT_SUPPORTED; /* the standby itself */
	if (sb->vf)
		return NDIS_STATUS_NOT_SUPPORTED; /* one VF per standby */
	sb->vf = vf;
	vf->standby = sb;
	return NDIS_STATUS_SUCCESS;
}

static void unpair(struct sfo_vf *vf)
{
	NdisAcquireSpinLock(&sfo_drv.lock);
	if (vf->standby) {
		vf->standby->vf = NULL;
		sfo_steer_locked(vf->standby);
		vf->standby = NULL;
	}
	NdisReleaseSpinLock(&sfo_drv.lock);
}

static void opened(struct sfo_vf *vf)
{
	NdisAcquireSpinLock(&sfo_drv.lock);
	vf->open = TRUE;
	if (vf->standby)
		sfo_steer_locked(vf->standby);
	NdisReleaseSpinLock(&sfo_drv.lock);
}

NDIS_STATUS NTAPI sfo_vf_bind(NDIS_HANDLE driver_ctx, NDIS_HANDLE bind_ctx,
			      PNDIS_BIND_PARAMETERS params)
{
	NDIS_OPEN_PARAMETERS op;
	UINT selected = 0;
	struct sfo_vf *vf;
	NDIS_STATUS st;

	(void)driver_ctx;
	if (params->MediaType != NdisMedium802_3 || params->MacAddressLength != SFO_WIN_MAC_LEN)
		return NDIS_STATUS_NOT_SUPPORTED;
	vf = sfo_win_alloc(sizeof(*vf));
	if (!vf)
		return NDIS_STATUS_RESOURCES;
	__builtin_memcpy(vf->mac, params->CurrentMacAddress, SFO_WIN_MAC_LEN);
	vf->pdo = params->PhysicalDeviceObject;
	vf->bind_ctx = bind_ctx;
	vf->link_up = params->MediaConnectState == MediaConnectStateConnected;
	NdisAcquireSpinLock(&sfo_drv.lock);
	st = pair_locked(vf);
	NdisReleaseSpinLock(&sfo_drv.lock);
	if (st != NDIS_STATUS_SUCCESS) {
		sfo_win_free(vf);
		return st;
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
	if (st == NDIS_STATUS_SUCCESS) {
		opened(vf);
		sfo_mirror_rx_mode(vf);
		return st;
	}
	unpair(vf);
	sfo_win_free(vf);
	return st;
}

VOID NTAPI sfo_vf_open_complete(NDIS_HANDLE binding, NDIS_STATUS status)
{
	struct sfo_vf *vf = binding;
	NDIS_HANDLE bind_ctx = vf->bind_ctx;

	if (status == NDIS_STATUS_SUCCESS) {
		opened(vf);
		sfo_mirror_rx_mode(vf);
	} else {
		unpair(vf);
		sfo_win_free(vf);
	}
	NdisCompleteBindAdapterEx(bind_ctx, status);
}

static void closed(struct sfo_vf *vf)
{
	unpair(vf);
	sfo_win_free(vf);
	/* A same-MAC VF refused while this one was bound gets offered again. */
	NdisReEnumerateProtocolBindings(sfo_drv.protocol);
}

NDIS_STATUS NTAPI sfo_vf_unbind(NDIS_HANDLE unbind_ctx, NDIS_HANDLE binding)
{
	struct sfo_vf *vf = binding;
	NDIS_STATUS st;

	/* The binding is paused: the traffic is on the standby, nothing is out. */
	unpair(vf);
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

static NDIS_STATUS vf_pause(struct sfo_vf *vf, PNET_PNP_EVENT_NOTIFICATION event)
{
	NDIS_STATUS st = NDIS_STATUS_SUCCESS;

	NdisAcquireSpinLock(&sfo_drv.lock);
	vf->paused = TRUE;
	if (vf->standby)
		sfo_steer_locked(vf->standby); /* new sends go to the standby */
	if (vf->outstanding) {
		vf->pending_pause = event; /* sfo_clones_done() completes it */
		st = NDIS_STATUS_PENDING;
	}
	NdisReleaseSpinLock(&sfo_drv.lock);
	return st;
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
		NdisAcquireSpinLock(&sfo_drv.lock);
		vf->paused = FALSE;
		if (vf->standby)
			sfo_steer_locked(vf->standby);
		NdisReleaseSpinLock(&sfo_drv.lock);
		sfo_mirror_rx_mode(vf); /* what changed while it was paused */
		return NDIS_STATUS_SUCCESS;
	default:
		return NDIS_STATUS_SUCCESS;
	}
}

VOID NTAPI sfo_vf_status(NDIS_HANDLE binding, PNDIS_STATUS_INDICATION status)
{
	struct sfo_vf *vf = binding;
	const NDIS_LINK_STATE *ls = status->StatusBuffer;

	if (status->StatusCode != NDIS_STATUS_LINK_STATE || !ls ||
	    status->StatusBufferSize < sizeof(*ls))
		return;
	NdisAcquireSpinLock(&sfo_drv.lock);
	vf->link_up = ls->MediaConnectState == MediaConnectStateConnected;
	if (vf->standby)
		sfo_steer_locked(vf->standby);
	NdisReleaseSpinLock(&sfo_drv.lock);
}
