// SPDX-License-Identifier: BSD-2-Clause
/*
 * What each emulated miniport counts, in NDIS_STATISTICS_INFO's terms: the
 * frames it transmitted (those that failed as errors) and indicated, by
 * destination class, with their bytes, and the frames it discarded. A
 * miniport answers OID_GEN_STATISTICS with these.
 */
#include <string.h>

#include "emu_internal.h"

#define ALL_STATS 0x003f87ffu /* every NDIS_STATISTICS_FLAGS_VALID_* of revision 1 */

static int dst_class(const UCHAR *frame, ULONG len)
{
	static const UCHAR bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (!frame || len < 6 || !(frame[0] & 1))
		return 0;
	return memcmp(frame, bcast, 6) ? 1 : 2;
}

void emu_stats_tx(struct emu_adapter *a, const NET_BUFFER_LIST *nbl, NDIS_STATUS st)
{
	NDIS_STATISTICS_INFO *s = &a->stats;
	ULONG len;
	const UCHAR *frame = emu_nbl_bytes(nbl, &len);

	if (st != NDIS_STATUS_SUCCESS) {
		s->ifOutErrors++;
		return;
	}
	s->ifHCOutOctets += len;
	switch (dst_class(frame, len)) {
	case 0:
		s->ifHCOutUcastPkts++;
		s->ifHCOutUcastOctets += len;
		break;
	case 1:
		s->ifHCOutMulticastPkts++;
		s->ifHCOutMulticastOctets += len;
		break;
	default:
		s->ifHCOutBroadcastPkts++;
		s->ifHCOutBroadcastOctets += len;
	}
}

void emu_stats_rx(struct emu_adapter *a, const NET_BUFFER_LIST *nbl)
{
	NDIS_STATISTICS_INFO *s = &a->stats;
	ULONG len;
	const UCHAR *frame = emu_nbl_bytes(nbl, &len);

	s->ifHCInOctets += len;
	switch (dst_class(frame, len)) {
	case 0:
		s->ifHCInUcastPkts++;
		s->ifHCInUcastOctets += len;
		break;
	case 1:
		s->ifHCInMulticastPkts++;
		s->ifHCInMulticastOctets += len;
		break;
	default:
		s->ifHCInBroadcastPkts++;
		s->ifHCInBroadcastOctets += len;
	}
}

void emu_miniport_discard(struct emu_adapter *a, unsigned n)
{
	emu_lock();
	a->stats.ifInDiscards += n;
	emu_unlock();
}

void emu_miniport_discard_tx(struct emu_adapter *a, unsigned n)
{
	emu_lock();
	a->stats.ifOutDiscards += n;
	emu_unlock();
}

void emu_adapter_statistics(struct emu_adapter *a, NDIS_STATISTICS_INFO *out)
{
	emu_lock();
	*out = a->stats;
	emu_unlock();
}

/* A query of OID_GEN_STATISTICS: the buffer must hold revision 1. */
NDIS_STATUS emu_stats_query(struct emu_adapter *a, NDIS_OID_REQUEST *req)
{
	UINT len = req->DATA.QUERY_INFORMATION.InformationBufferLength;
	NDIS_STATISTICS_INFO *out = req->DATA.QUERY_INFORMATION.InformationBuffer;

	req->DATA.QUERY_INFORMATION.BytesWritten = 0;
	if (!out || len < sizeof(*out)) {
		req->DATA.QUERY_INFORMATION.BytesNeeded = sizeof(*out);
		return NDIS_STATUS_BUFFER_TOO_SHORT;
	}
	*out = a->stats;
	out->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	out->Header.Revision = NDIS_STATISTICS_INFO_REVISION_1;
	out->Header.Size = NDIS_SIZEOF_STATISTICS_INFO_REVISION_1;
	out->SupportedStatistics = ALL_STATS;
	req->DATA.QUERY_INFORMATION.BytesWritten = sizeof(*out);
	return NDIS_STATUS_SUCCESS;
}

/* A miniport's single counter OIDs, from the same counters: 8 bytes, or 4
 * (the low half) when the buffer holds only a ULONG. */
NDIS_STATUS emu_stats_query_single(struct emu_adapter *a, NDIS_OID_REQUEST *req)
{
	const NDIS_STATISTICS_INFO *s = &a->stats;
	UINT len = req->DATA.QUERY_INFORMATION.InformationBufferLength;
	PVOID out = req->DATA.QUERY_INFORMATION.InformationBuffer;
	ULONG64 v;

	switch (req->DATA.QUERY_INFORMATION.Oid) {
	case OID_GEN_XMIT_OK:
		v = s->ifHCOutUcastPkts + s->ifHCOutMulticastPkts + s->ifHCOutBroadcastPkts;
		break;
	case OID_GEN_RCV_OK:
		v = s->ifHCInUcastPkts + s->ifHCInMulticastPkts + s->ifHCInBroadcastPkts;
		break;
	case OID_GEN_XMIT_ERROR:
		v = s->ifOutErrors;
		break;
	case OID_GEN_RCV_ERROR:
		v = s->ifInErrors;
		break;
	case OID_GEN_DIRECTED_FRAMES_XMIT:
		v = s->ifHCOutUcastPkts;
		break;
	case OID_GEN_MULTICAST_FRAMES_XMIT:
		v = s->ifHCOutMulticastPkts;
		break;
	case OID_GEN_BROADCAST_FRAMES_XMIT:
		v = s->ifHCOutBroadcastPkts;
		break;
	case OID_GEN_DIRECTED_FRAMES_RCV:
		v = s->ifHCInUcastPkts;
		break;
	case OID_GEN_MULTICAST_FRAMES_RCV:
		v = s->ifHCInMulticastPkts;
		break;
	case OID_GEN_BROADCAST_FRAMES_RCV:
		v = s->ifHCInBroadcastPkts;
		break;
	case OID_GEN_BYTES_XMIT:
		v = s->ifHCOutOctets;
		break;
	case OID_GEN_BYTES_RCV:
		v = s->ifHCInOctets;
		break;
	case OID_GEN_RCV_DISCARDS:
	case OID_GEN_RCV_NO_BUFFER: /* no counter of its own: the discards */
		v = s->ifInDiscards;
		break;
	case OID_GEN_XMIT_DISCARDS:
		v = s->ifOutDiscards;
		break;
	default:
		return NDIS_STATUS_NOT_SUPPORTED;
	}
	req->DATA.QUERY_INFORMATION.BytesWritten = 0;
	if (!out || len < 4) {
		req->DATA.QUERY_INFORMATION.BytesNeeded = 8;
		return NDIS_STATUS_BUFFER_TOO_SHORT;
	}
	len = len >= 8 ? 8 : 4;
	memcpy(out, &v, len); /* little-endian: the low half first */
	req->DATA.QUERY_INFORMATION.BytesWritten = len;
	return NDIS_STATUS_SUCCESS;
}
