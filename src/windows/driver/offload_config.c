// SPDX-License-Identifier: BSD-2-Clause
/*
 * What the stack on the standby is told it may offload. The stack learns a
 * miniport's current task offload configuration from its bind and then from
 * each NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG indication (its StatusBuffer
 * an NDIS_OFFLOAD); a filter passes those up and may change them on the way.
 * While a VF is paired, the stack sees only what both adapters have: the
 * standby's own configuration (the attach parameters'
 * DefaultOffloadConfiguration, then each indication of the standby) with
 *  - each checksum block (IPv4/IPv6, transmit/receive): the encapsulations
 *    both have, and a flag (TCP, UDP, IP checksum, the options) only where
 *    both say NDIS_OFFLOAD_SUPPORTED;
 *  - LSO v1 and v2 (IPv4, IPv6): only if both have it, with the smaller
 *    MaxOffLoadSize and the larger MinSegmentCount (a send must suit both);
 *  - IPsec v1, and everything after the Flags word (IPsec v2, the
 *    encapsulated packet offloads of later revisions): not offered, since
 *    not compared;
 * and the driver indicates it up whenever a VF pairs or leaves or the VF's
 * configuration changes (back to the standby's own once none is paired). A
 * query of OID_TCP_OFFLOAD_CURRENT_CONFIG through the filter is answered the
 * same way (NDIS answers that OID for miniports itself; a filter sees it
 * only if NDIS passes it down). Sends already built under an earlier
 * configuration are still checked per NBL (offload.c).
 *
 * The x64 offsets are those offload.c reads (Checksum 4..36, LsoV1 36..52,
 * IPsecV1 52..80, LsoV2 80..108, Flags 108..112).
 */
#include "sriovfo.h"
#include "ndis_field.h"

#define CSUM_BLOCKS 4	/* IPv4Transmit, IPv4Receive, IPv6Transmit, IPv6Receive */
#define CSUM_AT	    4	/* each 8 bytes: Encapsulation, the flags word */
#define LSO1_V4	    36	/* Encapsulation, MaxOffLoadSize, MinSegmentCount, flags */
#define IPSEC1	    52	/* to LsoV2 */
#define LSO2_V4	    80	/* Encapsulation, MaxOffLoadSize, MinSegmentCount */
#define LSO2_V6	    92	/* the same, then flags */
#define FLAGS_END   112 /* NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_1 */

/* A flags word of 2-bit fields: a field stays NDIS_OFFLOAD_SUPPORTED (1)
 * only where both have it so; any other value becomes not supported. */
static ULONG both_flags(ULONG a, ULONG b)
{
	ULONG out = 0;

	for (unsigned shift = 0; shift < 32; shift += 2)
		if (((a >> shift) & 3) == 1 && ((b >> shift) & 3) == 1)
			out |= 1u << shift;
	return out;
}

/* An LSO block at @off: both have it, or it is cleared (@flags: it has a
 * flags word after MinSegmentCount). */
static void both_lso(UCHAR *out, const UCHAR *vf, ULONG off, BOOLEAN flags)
{
	ULONG encap = ndis_field_u32(out, off) & ndis_field_u32(vf, off);
	ULONG max = ndis_field_u32(out, off + 4), vf_max = ndis_field_u32(vf, off + 4);
	ULONG min_segs = ndis_field_u32(out, off + 8), vf_min_segs = ndis_field_u32(vf, off + 8);

	if (!encap || !max || !vf_max) {
		__builtin_memset(out + off, 0, flags ? 16 : 12);
		return;
	}
	ndis_field_set_u32(out, off, encap);
	ndis_field_set_u32(out, off + 4, max < vf_max ? max : vf_max);
	ndis_field_set_u32(out, off + 8, min_segs > vf_min_segs ? min_segs : vf_min_segs);
	if (flags)
		ndis_field_set_u32(
			out, off + 12,
			both_flags(ndis_field_u32(out, off + 12), ndis_field_u32(vf, off + 12)));
}

static void intersect(UCHAR *out, ULONG len, const UCHAR *vf)
{
	for (ULONG i = 0; i < CSUM_BLOCKS; i++) {
		ULONG at = CSUM_AT + 8 * i,
		      encap = ndis_field_u32(out, at) & ndis_field_u32(vf, at);

		ndis_field_set_u32(out, at, encap);
		ndis_field_set_u32(
			out, at + 4,
			encap ? both_flags(ndis_field_u32(out, at + 4), ndis_field_u32(vf, at + 4))
			      : 0);
	}
	both_lso(out, vf, LSO1_V4, TRUE);
	__builtin_memset(out + IPSEC1, 0, LSO2_V4 - IPSEC1);
	both_lso(out, vf, LSO2_V4, FALSE);
	both_lso(out, vf, LSO2_V6, TRUE);
	if (len > FLAGS_END)
		__builtin_memset(out + FLAGS_END, 0, len - FLAGS_END);
}

void sfo_offload_keep_own_locked(struct sfo_standby *sb, const void *ndis_offload, ULONG size)
{
	const NDIS_OBJECT_HEADER *h = ndis_offload;

	/* one whose revision is larger than kept is passed up unchanged */
	sb->own_offload_len = 0;
	if (!h || size < FLAGS_END || h->Size < FLAGS_END || h->Size > size ||
	    h->Size > SFO_WIN_OFFLOAD_MAX)
		return;
	__builtin_memcpy(sb->own_offload, ndis_offload, h->Size);
	sb->own_offload_len = h->Size;
}

void sfo_offload_keep_vf_locked(struct sfo_vf *vf, const void *ndis_offload, ULONG size)
{
	const NDIS_OBJECT_HEADER *h = ndis_offload;

	__builtin_memset(vf->offload, 0, sizeof(vf->offload)); /* none: nothing offered */
	if (h && size >= SFO_WIN_OFFLOAD_HEAD && h->Size >= SFO_WIN_OFFLOAD_HEAD)
		__builtin_memcpy(vf->offload, ndis_offload, SFO_WIN_OFFLOAD_HEAD);
}

void sfo_offload_changed_locked(struct sfo_standby *sb)
{
	if (sb && sb->own_offload_len)
		sb->offload_due = TRUE;
}

ULONG sfo_offload_advertised_locked(const struct sfo_standby *sb, UCHAR *out)
{
	ULONG len = sb->own_offload_len;

	__builtin_memcpy(out, sb->own_offload, len);
	if (len && sb->vf)
		intersect(out, len, sb->vf->offload);
	return len;
}

static void indicate(struct sfo_standby *sb, const UCHAR *buf, ULONG len)
{
	NDIS_STATUS_INDICATION si;

	__builtin_memset(&si, 0, sizeof(si));
	si.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
	si.Header.Revision = NDIS_STATUS_INDICATION_REVISION_1;
	si.Header.Size = NDIS_SIZEOF_STATUS_INDICATION_REVISION_1;
	si.SourceHandle = sb->filter;
	si.StatusCode = NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG;
	si.StatusBuffer = (PVOID)buf;
	si.StatusBufferSize = len;
	NdisFIndicateStatus(sb->filter, &si);
}

void sfo_offload_status(struct sfo_standby *sb, PNDIS_STATUS_INDICATION status)
{
	UCHAR buf[SFO_WIN_OFFLOAD_MAX];
	ULONG len;

	NdisAcquireSpinLock(&sfo_drv.lock);
	sfo_offload_keep_own_locked(sb, status->StatusBuffer, status->StatusBufferSize);
	len = sb->vf ? sfo_offload_advertised_locked(sb, buf) : 0;
	NdisReleaseSpinLock(&sfo_drv.lock);
	if (len)
		indicate(sb, buf, len); /* what both have, in its place */
	else
		NdisFIndicateStatus(sb->filter, status);
}

void sfo_offload_answer(struct sfo_standby *sb, PNDIS_OID_REQUEST req)
{
	UCHAR buf[SFO_WIN_OFFLOAD_MAX];
	UINT room = req->DATA.QUERY_INFORMATION.InformationBufferLength;
	ULONG len = 0;

	if (req->RequestType != NdisRequestQueryInformation ||
	    req->DATA.QUERY_INFORMATION.Oid != OID_TCP_OFFLOAD_CURRENT_CONFIG)
		return;
	NdisAcquireSpinLock(&sfo_drv.lock);
	/* the standby's answer is its current configuration: keep it */
	sfo_offload_keep_own_locked(sb, req->DATA.QUERY_INFORMATION.InformationBuffer,
				    req->DATA.QUERY_INFORMATION.BytesWritten);
	if (sb->vf)
		len = sfo_offload_advertised_locked(sb, buf);
	NdisReleaseSpinLock(&sfo_drv.lock);
	if (len && len <= room)
		__builtin_memcpy(req->DATA.QUERY_INFORMATION.InformationBuffer, buf, len);
}

void sfo_offload_due(void)
{
	for (;;) {
		UCHAR buf[SFO_WIN_OFFLOAD_MAX];
		struct sfo_standby *sb;
		ULONG len = 0;

		NdisAcquireSpinLock(&sfo_drv.lock);
		/* not a paused module (its detach may come at any time): at its
		 * restart */
		for (sb = sfo_drv.standbys; sb; sb = sb->next)
			if (sb->offload_due && sb->state != SFO_FILTER_PAUSED)
				break;
		if (sb) {
			sb->offload_due = FALSE;
			len = sfo_offload_advertised_locked(sb, buf);
			sb->outstanding++; /* holds the module: its pause, then detach, wait */
		}
		NdisReleaseSpinLock(&sfo_drv.lock);
		if (!sb)
			return;
		if (len)
			indicate(sb, buf, len);
		sfo_clones_done(sb, NULL, 1);
	}
}
