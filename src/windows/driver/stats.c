// SPDX-License-Identifier: BSD-2-Clause
/*
 * OID_GEN_STATISTICS on the standby, answered as the standby's own counters
 * plus what every VF of the pair counted, so that the stack's ifHC counters
 * never go backwards when a VF comes or goes and include the traffic, the
 * errors and the discards of the VFs.
 *
 * A VF's counters come from OID_GEN_STATISTICS queries to its binding (one
 * in flight): a baseline when it opens (what it counted before is not the
 * pair's), one for each of the stack's queries (the stack's answer waits for
 * it), and a last one when its binding pauses, after everything else on it
 * is back (what NDIS does before an unbind: the VF's count is complete).
 * Each answer's increase over the VF's previous one joins the pair's total;
 * a reading below the previous means the VF's counters restarted (64-bit:
 * no wrap), and it counts from zero: the rule of the engine's merge
 * (src/core/counters.c). The engine is given every reading too
 * (sfo_engine_counters_sampled, read_counters), so the pair's counters in
 * its status are the same merge over its own portable set; the NDIS answer
 * keeps all 18 of NDIS's fields, which the portable set does not have
 * (unicast, multicast and broadcast apart, in each direction). The single
 * counter OIDs (OID_GEN_XMIT_OK...) are answered the same way, each the sum
 * of the counters it stands for (stats_oids.c).
 */
#include "sriovfo.h"

static void as_array(const NDIS_STATISTICS_INFO *s, ULONG64 v[SFO_WIN_STATS_N])
{
	__builtin_memcpy(v, &s->ifInDiscards, SFO_WIN_STATS_N * sizeof(ULONG64));
}

/* The engine's portable counters of one NDIS reading. */
static void portable(const ULONG64 v[SFO_WIN_STATS_N], struct sfo_counters *c)
{
	NDIS_STATISTICS_INFO s;

	__builtin_memcpy(&s.ifInDiscards, v, SFO_WIN_STATS_N * sizeof(ULONG64));
	__builtin_memset(c, 0, sizeof(*c));
	c->width = 64;
	c->v[SFO_CTR_RX_PACKETS] =
		s.ifHCInUcastPkts + s.ifHCInMulticastPkts + s.ifHCInBroadcastPkts;
	c->v[SFO_CTR_TX_PACKETS] =
		s.ifHCOutUcastPkts + s.ifHCOutMulticastPkts + s.ifHCOutBroadcastPkts;
	c->v[SFO_CTR_RX_BYTES] = s.ifHCInOctets;
	c->v[SFO_CTR_TX_BYTES] = s.ifHCOutOctets;
	c->v[SFO_CTR_RX_ERRORS] = s.ifInErrors;
	c->v[SFO_CTR_TX_ERRORS] = s.ifOutErrors;
	c->v[SFO_CTR_RX_DROPPED] = s.ifInDiscards;
	c->v[SFO_CTR_TX_DROPPED] = s.ifOutDiscards;
	c->v[SFO_CTR_MULTICAST] = s.ifHCInMulticastPkts;
}

static void tell_engine_locked(uint32_t id, const ULONG64 v[SFO_WIN_STATS_N])
{
	struct sfo_counters c;

	if (!sfo_drv.engine || !id)
		return;
	portable(v, &c);
	sfo_engine_counters_sampled(sfo_drv.engine, id, &c);
}

/* The stack's query of the statistics, answered by the standby. */
static NDIS_STATISTICS_INFO *stats_answer(PNDIS_OID_REQUEST req)
{
	if ((req->RequestType != NdisRequestQueryInformation &&
	     req->RequestType != NdisRequestQueryStatistics) ||
	    req->DATA.QUERY_INFORMATION.Oid != OID_GEN_STATISTICS ||
	    req->DATA.QUERY_INFORMATION.BytesWritten < NDIS_SIZEOF_STATISTICS_INFO_REVISION_1 ||
	    req->DATA.QUERY_INFORMATION.InformationBufferLength <
		    NDIS_SIZEOF_STATISTICS_INFO_REVISION_1)
		return NULL;
	return req->DATA.QUERY_INFORMATION.InformationBuffer;
}

static void fill_locked(struct sfo_vf_stats *s)
{
	__builtin_memset(&s->req, 0, sizeof(s->req));
	__builtin_memset(&s->buf, 0, sizeof(s->buf));
	s->req.Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
	s->req.Header.Revision = NDIS_OID_REQUEST_REVISION_1;
	s->req.Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
	s->req.RequestType = NdisRequestQueryInformation;
	s->req.DATA.QUERY_INFORMATION.Oid = OID_GEN_STATISTICS;
	s->req.DATA.QUERY_INFORMATION.InformationBuffer = &s->buf;
	s->req.DATA.QUERY_INFORMATION.InformationBufferLength = sizeof(s->buf);
}

/* Take the query slot of @vf (nothing may be in flight): a pause waits for it. */
static void take_locked(struct sfo_vf *vf)
{
	vf->stats.busy = TRUE;
	vf->outstanding++;
	fill_locked(&vf->stats);
}

void sfo_stats_baseline_locked(struct sfo_vf *vf)
{
	if (!vf->standby || vf->stats.busy || vf->stats.have_last)
		return;
	take_locked(vf);
	vf->stats.due = TRUE;
}

void sfo_stats_pause_locked(struct sfo_vf *vf)
{
	vf->stats.last_due = vf->standby && vf->stats.have_last;
}

BOOLEAN sfo_stats_last_locked(struct sfo_vf *vf)
{
	if (!vf->stats.last_due || vf->stats.busy)
		return FALSE;
	vf->stats.last_due = FALSE;
	take_locked(vf);
	vf->stats.due = TRUE;
	return TRUE;
}

/* A single counter OID the standby answered (4 or 8 bytes): the counters
 * it sums (stats_oids.c), 0 if it is none. */
static ULONG single_answer(PNDIS_OID_REQUEST req)
{
	UINT written = req->DATA.QUERY_INFORMATION.BytesWritten;

	if ((req->RequestType != NdisRequestQueryInformation &&
	     req->RequestType != NdisRequestQueryStatistics) ||
	    (written != sizeof(ULONG) && written != sizeof(ULONG64)) ||
	    req->DATA.QUERY_INFORMATION.InformationBufferLength < written ||
	    !req->DATA.QUERY_INFORMATION.InformationBuffer)
		return 0;
	return sfo_stats_single_counters(req->DATA.QUERY_INFORMATION.Oid);
}

/* The stack's answer: the standby's counters plus every VF's. */
static void add_totals_locked(struct sfo_standby *sb, PNDIS_OID_REQUEST req)
{
	NDIS_STATISTICS_INFO *info = stats_answer(req);
	ULONG counters = info ? 0 : single_answer(req);
	PVOID buf = req->DATA.QUERY_INFORMATION.InformationBuffer;
	ULONG64 v[SFO_WIN_STATS_N], sum = 0;

	if (info) {
		as_array(info, v);
		for (int i = 0; i < SFO_WIN_STATS_N; i++)
			v[i] += sb->vf_total[i];
		__builtin_memcpy(&info->ifInDiscards, v, sizeof(v));
		return;
	}
	for (int i = 0; i < SFO_WIN_STATS_N; i++)
		if (counters & (1u << i))
			sum += sb->vf_total[i];
	if (req->DATA.QUERY_INFORMATION.BytesWritten == sizeof(ULONG64)) {
		ULONG64 n;

		__builtin_memcpy(&n, buf, sizeof(n));
		n += sum;
		__builtin_memcpy(buf, &n, sizeof(n));
	} else { /* a 32-bit answer wraps, as the miniport's own does */
		ULONG n;

		__builtin_memcpy(&n, buf, sizeof(n));
		n += (ULONG)sum;
		__builtin_memcpy(buf, &n, sizeof(n));
	}
}

/* The VF answered: its increase joins its pair's total. The stack's query
 * waiting for it, its answer complete, is returned for completing. */
static PNDIS_OID_REQUEST answered(struct sfo_vf *vf, NDIS_STATUS st, struct sfo_standby **sb_out)
{
	struct sfo_vf_stats *s = &vf->stats;
	PNDIS_OID_REQUEST waiting;

	NdisAcquireSpinLock(&sfo_drv.lock);
	s->busy = FALSE;
	if (st == NDIS_STATUS_SUCCESS &&
	    s->req.DATA.QUERY_INFORMATION.BytesWritten >= NDIS_SIZEOF_STATISTICS_INFO_REVISION_1) {
		ULONG64 now[SFO_WIN_STATS_N];

		as_array(&s->buf, now);
		for (int i = 0; i < SFO_WIN_STATS_N && s->have_last && vf->standby; i++)
			vf->standby->vf_total[i] +=
				now[i] >= s->last[i] ? now[i] - s->last[i] : now[i];
		__builtin_memcpy(s->last, now, sizeof(now));
		s->have_last = TRUE;
		tell_engine_locked(vf->id, now);
	}
	waiting = s->waiting;
	s->waiting = NULL;
	*sb_out = s->waiting_sb;
	if (waiting)
		add_totals_locked(s->waiting_sb, waiting);
	NdisReleaseSpinLock(&sfo_drv.lock);
	sfo_vf_io_done(vf, 1);
	return waiting;
}

BOOLEAN sfo_stats_hold(struct sfo_standby *sb, PNDIS_OID_REQUEST req, NDIS_STATUS st)
{
	NDIS_STATISTICS_INFO *info = st == NDIS_STATUS_SUCCESS ? stats_answer(req) : NULL;
	struct sfo_standby *ignored;
	struct sfo_vf *vf;

	if (!info && (st != NDIS_STATUS_SUCCESS || !single_answer(req)))
		return FALSE;
	NdisAcquireSpinLock(&sfo_drv.lock);
	if (info) {
		as_array(info, sb->own);
		sb->have_own = TRUE;
		if (sb->reported)
			tell_engine_locked(sb->id, sb->own);
	}
	vf = sb->vf;
	/* Not a paused VF: its pause took its last counters, and an unbind
	 * that may follow must find nothing of ours out on it. */
	if (vf && vf->open && !vf->paused && !vf->stats.busy) {
		take_locked(vf);
		vf->stats.waiting = req;
		vf->stats.waiting_sb = sb;
	} else {
		add_totals_locked(sb, req); /* the VF's last answer counted */
		vf = NULL;
	}
	NdisReleaseSpinLock(&sfo_drv.lock);
	if (!vf)
		return FALSE;
	st = NdisOidRequest(vf->binding, &vf->stats.req);
	if (st == NDIS_STATUS_PENDING)
		return TRUE; /* sfo_stats_vf_complete() completes the stack's */
	answered(vf, st, &ignored);
	return FALSE;
}

void sfo_stats_due(void)
{
	for (;;) {
		struct sfo_standby *ignored;
		struct sfo_vf *vf;
		NDIS_STATUS st;

		NdisAcquireSpinLock(&sfo_drv.lock);
		for (vf = sfo_drv.vfs; vf && !vf->stats.due; vf = vf->next)
			;
		if (vf)
			vf->stats.due = FALSE;
		NdisReleaseSpinLock(&sfo_drv.lock);
		if (!vf)
			return;
		st = NdisOidRequest(vf->binding, &vf->stats.req);
		if (st != NDIS_STATUS_PENDING)
			answered(vf, st, &ignored);
	}
}

BOOLEAN sfo_stats_is_ours(struct sfo_vf *vf, PNDIS_OID_REQUEST req)
{
	return req == &vf->stats.req;
}

void sfo_stats_vf_complete(struct sfo_vf *vf, NDIS_STATUS status)
{
	struct sfo_standby *sb;
	PNDIS_OID_REQUEST waiting = answered(vf, status, &sb);

	if (waiting)
		NdisFOidRequestComplete(sb->filter, waiting, NDIS_STATUS_SUCCESS);
}

int sfo_stats_read_locked(uint32_t id, struct sfo_counters *out)
{
	for (struct sfo_standby *sb = sfo_drv.standbys; sb; sb = sb->next)
		if (sb->id == id) {
			if (!sb->have_own)
				return -SFO_ENOENT;
			portable(sb->own, out);
			return 0;
		}
	for (struct sfo_vf *vf = sfo_drv.vfs; vf; vf = vf->next)
		if (vf->id == id) {
			if (!vf->stats.have_last)
				return -SFO_ENOENT;
			portable(vf->stats.last, out);
			return 0;
		}
	return -SFO_ENOENT;
}
