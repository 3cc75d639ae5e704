// SPDX-License-Identifier: BSD-2-Clause
/*
 * The stack's OID requests on the standby pass down as clones. When the
 * standby accepts a packet filter or a multicast list, the setting is kept
 * and told to the engine; the engine decides which VF gets the standby's
 * receive settings and when (vf_set_rx_mode: a VF it pairs, a change), and
 * they are sent here, after the lock, in NDIS's own values. The engine's
 * summary (promiscuous, all-multicast, the list) does not see every bit of
 * the packet filter (directed, broadcast...): a change of those goes to the
 * VF the engine gave the settings to as well, and so does everything after
 * a VF's restart. A multicast list longer than the VF is given turns into
 * all-multicast on the VF: it receives at least what the stack asked.
 * The RSS parameters (OID_GEN_RECEIVE_SCALE_PARAMETERS) go to the VF as the
 * stack gave them, hash type, key and indirection table (and a revision 2's
 * processor masks): the processors named are the stack's for the standby,
 * which the VF may not serve with (its own RSS processor set); a VF whose
 * bind shows no RSS, or not a hash type asked for, is not sent them
 * (rss_caps.c; logged once), and one that refuses them is logged: receives
 * on the VF are indicated up whatever queue they came from. A larger set
 * than the driver keeps is not mirrored (the VF keeps the previous).
 * The stack's OID_TCP_OFFLOAD_PARAMETERS go to the VF the same way, all its
 * changes so far in one set (offload_params.c); the VF indicates its new
 * configuration, which the sends and the stack's offer follow.
 */
#include "sriovfo.h"

/* Keep what the standby accepted; whether it is a mirrored setting. */
static BOOLEAN record_locked(struct sfo_win_rx_mode *rx, const NDIS_OID_REQUEST *req)
{
	const void *buf = req->DATA.SET_INFORMATION.InformationBuffer;
	UINT len = req->DATA.SET_INFORMATION.InformationBufferLength;

	if (req->RequestType != NdisRequestSetInformation)
		return FALSE;
	switch (req->DATA.SET_INFORMATION.Oid) {
	case OID_GEN_CURRENT_PACKET_FILTER:
		if (len < sizeof(ULONG))
			return FALSE;
		__builtin_memcpy(&rx->packet_filter, buf, sizeof(ULONG));
		rx->have[SFO_MIRROR_FILTER] = TRUE;
		return TRUE;
	case OID_802_3_MULTICAST_LIST:
		if (len % SFO_WIN_MAC_LEN)
			return FALSE;
		rx->mcast_overflow = len / SFO_WIN_MAC_LEN > SFO_WIN_MCAST_MAX;
		rx->n_mcast = rx->mcast_overflow ? 0 : len / SFO_WIN_MAC_LEN;
		__builtin_memcpy(rx->mcast, buf, rx->n_mcast * SFO_WIN_MAC_LEN);
		rx->have[SFO_MIRROR_MCAST] = TRUE;
		return TRUE;
	case OID_GEN_RECEIVE_SCALE_PARAMETERS:
		if (!len || len > SFO_WIN_RSS_MAX)
			return FALSE;
		__builtin_memcpy(rx->rss, buf, len);
		rx->rss_len = len;
		rx->have[SFO_MIRROR_RSS] = TRUE;
		return TRUE;
	case OID_TCP_OFFLOAD_PARAMETERS:
		if (!sfo_offload_params_merge(rx->offload_params, buf, len))
			return FALSE;
		rx->have[SFO_MIRROR_OFFLOAD] = TRUE;
		return TRUE;
	default:
		return FALSE;
	}
}

static void fill_locked(struct sfo_vf_oid *o, enum sfo_mirror which,
			const struct sfo_win_rx_mode *rx)
{
	__builtin_memset(&o->req, 0, sizeof(o->req));
	o->req.Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
	o->req.Header.Revision = NDIS_OID_REQUEST_REVISION_1;
	o->req.Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
	o->req.RequestType = NdisRequestSetInformation;
	o->req.DATA.SET_INFORMATION.InformationBuffer = &o->buf;
	if (which == SFO_MIRROR_FILTER) {
		o->buf.packet_filter = rx->packet_filter;
		if (rx->mcast_overflow && (rx->packet_filter & NDIS_PACKET_TYPE_MULTICAST))
			o->buf.packet_filter |= NDIS_PACKET_TYPE_ALL_MULTICAST;
		o->req.DATA.SET_INFORMATION.Oid = OID_GEN_CURRENT_PACKET_FILTER;
		o->req.DATA.SET_INFORMATION.InformationBufferLength = sizeof(ULONG);
	} else if (which == SFO_MIRROR_MCAST) {
		__builtin_memcpy(o->buf.mcast, rx->mcast, rx->n_mcast * SFO_WIN_MAC_LEN);
		o->req.DATA.SET_INFORMATION.Oid = OID_802_3_MULTICAST_LIST;
		o->req.DATA.SET_INFORMATION.InformationBufferLength = rx->n_mcast * SFO_WIN_MAC_LEN;
	} else if (which == SFO_MIRROR_OFFLOAD) {
		__builtin_memcpy(o->buf.offload_params, rx->offload_params,
				 SFO_WIN_OFFLOAD_PARAMS_LEN);
		o->req.DATA.SET_INFORMATION.Oid = OID_TCP_OFFLOAD_PARAMETERS;
		o->req.DATA.SET_INFORMATION.InformationBufferLength = SFO_WIN_OFFLOAD_PARAMS_LEN;
	} else {
		/* as the stack gave it: the offsets are from its start */
		__builtin_memcpy(o->buf.rss, rx->rss, rx->rss_len);
		o->req.DATA.SET_INFORMATION.Oid = OID_GEN_RECEIVE_SCALE_PARAMETERS;
		o->req.DATA.SET_INFORMATION.InformationBufferLength = rx->rss_len;
	}
}

/* The OID @which on @vf is done: whether to send it again (changed meanwhile). */
static BOOLEAN mirror_done(struct sfo_vf *vf, enum sfo_mirror which, NDIS_STATUS st)
{
	struct sfo_vf_oid *o = &vf->oid[which];
	BOOLEAN again;

	NdisAcquireSpinLock(&sfo_drv.lock);
	o->status = st;
	o->busy = FALSE;
	again = o->again;
	o->again = FALSE;
	NdisReleaseSpinLock(&sfo_drv.lock);
	if (which == SFO_MIRROR_RSS && st != NDIS_STATUS_SUCCESS)
		DbgPrintEx(SFO_DPFLTR_IHVNETWORK_ID, 1,
			   "sriovfo: vf%u refused the stack's RSS parameters (%#x): it spreads "
			   "its receives by its own, the traffic goes on\n",
			   (unsigned)vf->id, (unsigned)st);
	if (which == SFO_MIRROR_OFFLOAD && st != NDIS_STATUS_SUCCESS)
		DbgPrintEx(SFO_DPFLTR_IHVNETWORK_ID, 1,
			   "sriovfo: vf%u refused the stack's offload parameters (%#x): it "
			   "keeps its own, the stack is offered only what both have\n",
			   (unsigned)vf->id, (unsigned)st);
	sfo_vf_io_done(vf, 1);
	return again;
}

/* RSS parameters the VF cannot hash as asked are not sent (rss_caps.c);
 * the first time, why is logged. Under the lock; the log after it. */
static BOOLEAN rss_unfit_locked(struct sfo_vf *vf, const struct sfo_win_rx_mode *rx, ULONG *missing,
				BOOLEAN *log)
{
	*missing = sfo_rss_missing(vf->rss_hash_types, rx->rss);
	*log = *missing && !vf->rss_skip_logged;
	vf->rss_skip_logged |= *log;
	return *missing != 0;
}

static void mirror(struct sfo_vf *vf, enum sfo_mirror which)
{
	struct sfo_vf_oid *o = &vf->oid[which];

	for (;;) {
		struct sfo_standby *sb;
		BOOLEAN log = FALSE;
		ULONG missing = 0;
		NDIS_STATUS st;

		NdisAcquireSpinLock(&sfo_drv.lock);
		sb = vf->standby;
		if (!sb || !vf->open || vf->paused || !sb->rx_mode.have[which] ||
		    (which == SFO_MIRROR_RSS &&
		     rss_unfit_locked(vf, &sb->rx_mode, &missing, &log))) {
			NdisReleaseSpinLock(&sfo_drv.lock);
			if (log)
				DbgPrintEx(SFO_DPFLTR_IHVNETWORK_ID, 1,
					   "sriovfo: vf%u: the stack's RSS parameters are not "
					   "mirrored to it: %s (hash types %#x)\n",
					   (unsigned)vf->id,
					   vf->rss_hash_types ? "its RSS lacks hash types"
							      : "no RSS at its bind",
					   (unsigned)missing);
			return;
		}
		if (o->busy) {
			o->again = TRUE; /* its completion sends the latest */
			NdisReleaseSpinLock(&sfo_drv.lock);
			return;
		}
		o->busy = TRUE;
		fill_locked(o, which, &sb->rx_mode);
		vf->outstanding++; /* a pause waits for it */
		NdisReleaseSpinLock(&sfo_drv.lock);
		st = NdisOidRequest(vf->binding, &o->req);
		if (st == NDIS_STATUS_PENDING || !mirror_done(vf, which, st))
			return;
	}
}

void sfo_mirror_due(void)
{
	for (;;) {
		struct sfo_vf *vf;

		NdisAcquireSpinLock(&sfo_drv.lock);
		for (vf = sfo_drv.vfs; vf; vf = vf->next)
			if (vf->mirror_due && vf->standby && vf->open && !vf->paused)
				break;
		if (vf) {
			vf->mirror_due = FALSE;
			vf->outstanding++; /* holds the VF: its pause, then unbind, wait */
		}
		NdisReleaseSpinLock(&sfo_drv.lock);
		if (!vf)
			return;
		for (int which = 0; which < SFO_MIRROR_MAX; which++)
			mirror(vf, (enum sfo_mirror)which);
		sfo_vf_io_done(vf, 1);
	}
}

VOID NTAPI sfo_vf_oid_complete(NDIS_HANDLE binding, PNDIS_OID_REQUEST req, NDIS_STATUS status)
{
	struct sfo_vf *vf = binding;
	enum sfo_mirror which = SFO_MIRROR_FILTER;

	while (which < SFO_MIRROR_MAX - 1 && req != &vf->oid[which].req)
		which++;
	if (sfo_stats_is_ours(vf, req))
		sfo_stats_vf_complete(vf, status);
	else if (mirror_done(vf, which, status))
		mirror(vf, which);
}

/* The standby answered the clone: the stack's request gets the answer, and
 * an accepted setting goes to the VF. */
static PNDIS_OID_REQUEST finish(struct sfo_standby *sb, PNDIS_OID_REQUEST clone, NDIS_STATUS st)
{
	PNDIS_OID_REQUEST orig;

	__builtin_memcpy(&orig, clone->SourceReserved, sizeof(orig));
	orig->DATA = clone->DATA; /* BytesRead, BytesWritten, BytesNeeded */
	NdisFreeCloneOidRequest(sb->filter, clone);
	if (st != NDIS_STATUS_SUCCESS)
		return orig;
	sfo_offload_answer(sb, orig); /* OID_TCP_OFFLOAD_CURRENT_CONFIG: what both have */
	sfo_drv_engine_lock();
	if (record_locked(&sb->rx_mode, orig)) {
		if (sb->reported)
			sfo_report_rx_mode_locked(sb);
		if (sb->vf && sb->vf->rx_given)
			sb->vf->mirror_due = TRUE; /* the bits the engine does not see */
	}
	sfo_drv_engine_unlock(); /* the mirror, and whatever else the engine asked */
	return orig;
}

NDIS_STATUS NTAPI sfo_filter_oid_request(NDIS_HANDLE module, PNDIS_OID_REQUEST req)
{
	struct sfo_standby *sb = module;
	PNDIS_OID_REQUEST clone;
	NDIS_STATUS st;

	st = NdisAllocateCloneOidRequest(sb->filter, req, SFO_WIN_POOL_TAG, &clone);
	if (st != NDIS_STATUS_SUCCESS)
		return st;
	__builtin_memcpy(clone->SourceReserved, &req, sizeof(req));
	st = NdisFOidRequest(sb->filter, clone);
	if (st != NDIS_STATUS_PENDING && sfo_stats_hold(sb, finish(sb, clone, st), st))
		return NDIS_STATUS_PENDING; /* the VF's statistics to add */
	return st;
}

VOID NTAPI sfo_filter_oid_complete(NDIS_HANDLE module, PNDIS_OID_REQUEST clone, NDIS_STATUS status)
{
	struct sfo_standby *sb = module;
	PNDIS_OID_REQUEST orig = finish(sb, clone, status);

	if (!sfo_stats_hold(sb, orig, status))
		NdisFOidRequestComplete(sb->filter, orig, status);
}
