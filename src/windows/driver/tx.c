// SPDX-License-Identifier: BSD-2-Clause
/*
 * The stack's sends on a standby. While a VF carries the traffic each NBL
 * goes out through the VF as a clone (same NET_BUFFERs and MDLs): the
 * originals are not ours, so their SourceHandle is never touched, and each is
 * completed when its clone completes. A clone the VF fails (surprise
 * removal) sends its original on the standby instead. Otherwise the NBLs go
 * down to the standby miniport unchanged.
 */
#include "sriovfo.h"

static void complete_up(struct sfo_standby *sb, PNET_BUFFER_LIST nbls, NDIS_STATUS st, ULONG flags)
{
	for (PNET_BUFFER_LIST nbl = nbls; nbl; nbl = nbl->Next)
		nbl->Status = st;
	NdisFSendNetBufferListsComplete(sb->filter, nbls, flags);
}

VOID NTAPI sfo_filter_send(NDIS_HANDLE module, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port,
			   ULONG flags)
{
	struct sfo_standby *sb = module;
	ULONG dispatch = flags & NDIS_SEND_FLAGS_DISPATCH_LEVEL;
	PNET_BUFFER_LIST clones = NULL, *clones_tail = &clones;
	PNET_BUFFER_LIST standby = NULL, *standby_tail = &standby;
	LONG n = (LONG)sfo_nbl_count(nbls), not_cloned = 0;
	ULONG vf_offloads = 0;
	BOOLEAN running;
	struct sfo_vf *vf;

	sfo_addr_learn(sb, nbls); /* the addresses announce.c announces */
	/* Count the clones out before the first one leaves, under the lock
	 * that a pause takes: a pause cannot complete under them. */
	NdisAcquireSpinLock(&sfo_drv.lock);
	running = sb->state == SFO_FILTER_RUNNING;
	vf = running ? sb->path : NULL;
	if (vf && vf->paused)
		vf = NULL; /* never a send once its pause began */
	if (vf) {
		sb->outstanding += n;
		vf->outstanding += n;
		vf->sending++; /* its pause waits until the clones are with NDIS */
		vf_offloads = vf->tx_offloads;
	}
	NdisReleaseSpinLock(&sfo_drv.lock);
	if (!running) {
		complete_up(sb, nbls, NDIS_STATUS_PAUSED, dispatch);
		return;
	}
	if (!vf) {
		NdisFSendNetBufferLists(sb->filter, nbls, port, flags);
		return;
	}
	for (PNET_BUFFER_LIST nbl = nbls, next; nbl; nbl = next) {
		PNET_BUFFER_LIST clone;

		next = nbl->Next;
		nbl->Next = NULL;
		/* an offload the VF lacks: the standby, whose the stack saw (offload.c) */
		clone = sfo_offload_needs(nbl) & ~vf_offloads
				? NULL
				: NdisAllocateCloneNetBufferList(nbl, sb->pool, NULL, 0);
		if (!clone) {
			*standby_tail = nbl;
			standby_tail = &nbl->Next;
			not_cloned++;
			continue;
		}
		NdisCopySendNetBufferListInfo(clone, nbl); /* checksum, LSO, VLAN */
		clone->ParentNetBufferList = nbl;
		clone->SourceHandle = vf->binding; /* ours: the binding sends it */
		*clones_tail = clone;
		clones_tail = &clone->Next;
	}
	if (clones)
		NdisSendNetBufferLists(vf->binding, clones, port, dispatch);
	NdisAcquireSpinLock(&sfo_drv.lock);
	vf->sending--;
	NdisReleaseSpinLock(&sfo_drv.lock);
	if (standby) {
		NdisFSendNetBufferLists(sb->filter, standby, port, flags);
		sfo_clones_done(sb, vf, not_cloned);
	}
}

/* Only NBLs that went down the standby come back here: the stack's, and
 * the driver's own announcements. */
VOID NTAPI sfo_filter_send_complete(NDIS_HANDLE module, PNET_BUFFER_LIST nbls, ULONG flags)
{
	struct sfo_standby *sb = module;

	nbls = sfo_announce_completed(sb, NULL, nbls);
	if (nbls)
		NdisFSendNetBufferListsComplete(sb->filter, nbls, flags);
}

VOID NTAPI sfo_vf_send_complete(NDIS_HANDLE binding, PNET_BUFFER_LIST clones, ULONG flags)
{
	struct sfo_vf *vf = binding;
	struct sfo_standby *sb = vf->standby; /* paired while clones are out */
	ULONG dispatch = flags & NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL;
	PNET_BUFFER_LIST done = NULL, *done_tail = &done;
	PNET_BUFFER_LIST resend = NULL, *resend_tail = &resend;
	LONG n = 0;
	BOOLEAN running;

	clones = sfo_announce_completed(sb, vf, clones); /* the driver's own frames */
	if (!clones)
		return;
	NdisAcquireSpinLock(&sfo_drv.lock);
	running = sb->state == SFO_FILTER_RUNNING;
	NdisReleaseSpinLock(&sfo_drv.lock);
	for (PNET_BUFFER_LIST clone = clones, next; clone; clone = next) {
		PNET_BUFFER_LIST parent = clone->ParentNetBufferList;

		next = clone->Next;
		parent->Status = clone->Status;
		parent->Next = NULL;
		NdisFreeCloneNetBufferList(clone, 0);
		if (parent->Status != NDIS_STATUS_SUCCESS && running) {
			*resend_tail = parent;
			resend_tail = &parent->Next;
		} else {
			*done_tail = parent;
			done_tail = &parent->Next;
		}
		n++;
	}
	if (resend)
		NdisFSendNetBufferLists(sb->filter, resend, 0, dispatch);
	if (done)
		NdisFSendNetBufferListsComplete(sb->filter, done, dispatch);
	sfo_clones_done(sb, vf, n);
}
