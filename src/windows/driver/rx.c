// SPDX-License-Identifier: BSD-2-Clause
/*
 * Receives. The VF's are indicated up through the filter as the standby's,
 * as clones; the stack returns them to the filter, which gives the originals
 * back to the VF. With NDIS_RECEIVE_FLAGS_RESOURCES the originals must be
 * back with their owner when the handler returns: the clones are indicated
 * with the flag and freed at once, and the originals' chain is left as it
 * came. While the VF carries the traffic the standby's own copies of
 * broadcast and multicast frames are dropped (the host floods them to both
 * ports: the Linux datapath's rule); its unicast is always delivered.
 */
#include "sriovfo.h"

static BOOLEAN group_addressed(PNET_BUFFER_LIST nbl)
{
	UCHAR first;
	const UCHAR *dst = NdisGetDataBuffer(nbl->FirstNetBuffer, 1, &first, 1, 0);

	return dst && (dst[0] & 1);
}

VOID NTAPI sfo_filter_receive(NDIS_HANDLE module, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port,
			      ULONG count, ULONG flags)
{
	struct sfo_standby *sb = module;
	BOOLEAN running, on_vf, resources = NDIS_TEST_RECEIVE_CANNOT_PEND(flags);
	ULONG ret_flags =
		flags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL : 0;

	/* NDIS calls this while the module pauses too: then the NBLs go back
	 * at once (its rule for a pausing filter). While running, the
	 * indication counts as out until handed on, so that a pause arriving
	 * meanwhile completes only after it (never an indication up through
	 * a paused module). */
	NdisAcquireSpinLock(&sfo_drv.lock);
	running = sb->state == SFO_FILTER_RUNNING;
	on_vf = running && sb->path != NULL;
	if (running)
		sb->outstanding++;
	NdisReleaseSpinLock(&sfo_drv.lock);
	if (!running) {
		if (!resources)
			NdisFReturnNetBufferLists(sb->filter, nbls, ret_flags);
		return;
	}
	if (!on_vf) {
		NdisFIndicateReceiveNetBufferLists(sb->filter, nbls, port, count, flags);
		sfo_clones_done(sb, NULL, 1);
		return;
	}
	/* Runs of delivered and dropped NBLs, each cut off the chain while it
	 * is handed on; with RESOURCES the cut is mended afterwards. */
	for (PNET_BUFFER_LIST run = nbls, last, rest; run; run = rest) {
		BOOLEAN drop = group_addressed(run);
		ULONG n = 1;

		for (last = run; last->Next && group_addressed(last->Next) == drop;
		     last = last->Next)
			n++;
		rest = last->Next;
		last->Next = NULL;
		if (!drop)
			NdisFIndicateReceiveNetBufferLists(sb->filter, run, port, n, flags);
		else if (!resources)
			NdisFReturnNetBufferLists(sb->filter, run, ret_flags);
		if (resources)
			last->Next = rest;
	}
	sfo_clones_done(sb, NULL, 1);
}

VOID NTAPI sfo_filter_return(NDIS_HANDLE module, PNET_BUFFER_LIST nbls, ULONG flags)
{
	struct sfo_standby *sb = module;
	PNET_BUFFER_LIST parents = NULL, *parents_tail = &parents;
	PNET_BUFFER_LIST theirs = NULL, *theirs_tail = &theirs;
	struct sfo_vf *vf;
	LONG n = 0;

	for (PNET_BUFFER_LIST nbl = nbls, next; nbl; nbl = next) {
		next = nbl->Next;
		nbl->Next = NULL;
		if (nbl->NdisPoolHandle == sb->pool) { /* our clone of a VF receive */
			PNET_BUFFER_LIST parent = nbl->ParentNetBufferList;

			NdisFreeCloneNetBufferList(nbl, 0);
			parent->Next = NULL;
			*parents_tail = parent;
			parents_tail = &parent->Next;
			n++;
		} else {
			*theirs_tail = nbl;
			theirs_tail = &nbl->Next;
		}
	}
	if (theirs)
		NdisFReturnNetBufferLists(sb->filter, theirs, flags);
	if (!parents)
		return;
	/* The VF stays paired while its receives are out (its pause waits). */
	NdisAcquireSpinLock(&sfo_drv.lock);
	vf = sb->vf;
	NdisReleaseSpinLock(&sfo_drv.lock);
	NdisReturnNetBufferLists(vf->binding, parents, flags & NDIS_RETURN_FLAGS_DISPATCH_LEVEL);
	sfo_clones_done(sb, vf, n);
}

VOID NTAPI sfo_vf_receive(NDIS_HANDLE binding, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port,
			  ULONG count, ULONG flags)
{
	struct sfo_vf *vf = binding;
	BOOLEAN resources = NDIS_TEST_RECEIVE_CANNOT_PEND(flags);
	ULONG ret_flags =
		flags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL : 0;
	PNET_BUFFER_LIST clones = NULL, *clones_tail = &clones;
	PNET_BUFFER_LIST back = NULL, *back_tail = &back;
	LONG n = (LONG)sfo_nbl_count(nbls), cloned = 0;
	struct sfo_standby *sb;

	(void)count;
	/* Counted on the VF even when they go straight back: NDIS may call
	 * this while the binding pauses, and the pause must not complete (nor
	 * the unbind follow) before they are back. */
	NdisAcquireSpinLock(&sfo_drv.lock);
	sb = vf->standby;
	if (sb && (sb->state != SFO_FILTER_RUNNING || !vf->open || vf->paused))
		sb = NULL;
	if (sb)
		sb->outstanding += n;
	vf->outstanding += n;
	NdisReleaseSpinLock(&sfo_drv.lock);
	if (!sb) {
		if (!resources)
			NdisReturnNetBufferLists(vf->binding, nbls, ret_flags);
		sfo_vf_io_done(vf, n);
		return;
	}
	for (PNET_BUFFER_LIST nbl = nbls, next; nbl; nbl = next) {
		PNET_BUFFER_LIST clone = NdisAllocateCloneNetBufferList(nbl, sb->pool, NULL, 0);

		next = nbl->Next;
		if (!clone) {
			if (!resources) { /* ours until returned: the chain may change */
				nbl->Next = NULL;
				*back_tail = nbl;
				back_tail = &nbl->Next;
			}
			continue;
		}
		NdisCopyReceiveNetBufferListInfo(clone, nbl);
		clone->ParentNetBufferList = nbl;
		clone->SourceHandle = sb->filter; /* indicated by our filter module */
		*clones_tail = clone;
		clones_tail = &clone->Next;
		cloned++;
	}
	if (back)
		NdisReturnNetBufferLists(vf->binding, back, ret_flags);
	if (clones)
		NdisFIndicateReceiveNetBufferLists(sb->filter, clones, port, (ULONG)cloned, flags);
	if (resources) {
		for (PNET_BUFFER_LIST clone = clones, next; clone; clone = next) {
			next = clone->Next;
			NdisFreeCloneNetBufferList(clone, 0);
		}
		sfo_clones_done(sb, vf, n);
	} else if (n > cloned) {
		sfo_clones_done(sb, vf, n - cloned);
	}
}
