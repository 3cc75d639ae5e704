// SPDX-License-Identifier: BSD-2-Clause
/*
 * The single counter OIDs (OID_GEN_XMIT_OK, OID_GEN_BYTES_RCV...), each a
 * sum of NDIS_STATISTICS_INFO's counters: stats.c adds the pair's VF totals
 * of those counters to the standby's answer, as it does for
 * OID_GEN_STATISTICS. Indexes into the 18 counters from ifInDiscards on.
 * The discard OIDs: OID_GEN_RCV_DISCARDS is ifInDiscards and
 * OID_GEN_XMIT_DISCARDS ifOutDiscards (their DDI pages: "identical to the
 * ifInDiscards/ifOutDiscards counter described in RFC 2863");
 * OID_GEN_RCV_NO_BUFFER (frames lost for lack of receive buffers, obsolete
 * since NDIS 6) has no counter of its own in NDIS_STATISTICS_INFO: it is
 * answered as ifInDiscards, where a miniport counts the receives it dropped
 * without an error.
 */
#include "sriovfo.h"

enum {
	IN_DISCARDS,
	IN_ERRORS,
	IN_OCTETS,
	IN_UCAST,
	IN_MCAST,
	IN_BCAST,
	OUT_OCTETS,
	OUT_UCAST,
	OUT_MCAST,
	OUT_BCAST,
	OUT_ERRORS,
	OUT_DISCARDS,
	IN_UCAST_OCTETS,
	IN_MCAST_OCTETS,
	IN_BCAST_OCTETS,
	OUT_UCAST_OCTETS,
	OUT_MCAST_OCTETS,
	OUT_BCAST_OCTETS,
};

#define F(c) (1u << (c))

static const struct {
	NDIS_OID oid;
	ULONG counters;
} single[] = {
	{ OID_GEN_XMIT_OK, F(OUT_UCAST) | F(OUT_MCAST) | F(OUT_BCAST) },
	{ OID_GEN_RCV_OK, F(IN_UCAST) | F(IN_MCAST) | F(IN_BCAST) },
	{ OID_GEN_XMIT_ERROR, F(OUT_ERRORS) },
	{ OID_GEN_RCV_ERROR, F(IN_ERRORS) },
	{ OID_GEN_DIRECTED_BYTES_XMIT, F(OUT_UCAST_OCTETS) },
	{ OID_GEN_DIRECTED_FRAMES_XMIT, F(OUT_UCAST) },
	{ OID_GEN_MULTICAST_BYTES_XMIT, F(OUT_MCAST_OCTETS) },
	{ OID_GEN_MULTICAST_FRAMES_XMIT, F(OUT_MCAST) },
	{ OID_GEN_BROADCAST_BYTES_XMIT, F(OUT_BCAST_OCTETS) },
	{ OID_GEN_BROADCAST_FRAMES_XMIT, F(OUT_BCAST) },
	{ OID_GEN_DIRECTED_BYTES_RCV, F(IN_UCAST_OCTETS) },
	{ OID_GEN_DIRECTED_FRAMES_RCV, F(IN_UCAST) },
	{ OID_GEN_MULTICAST_BYTES_RCV, F(IN_MCAST_OCTETS) },
	{ OID_GEN_MULTICAST_FRAMES_RCV, F(IN_MCAST) },
	{ OID_GEN_BROADCAST_BYTES_RCV, F(IN_BCAST_OCTETS) },
	{ OID_GEN_BROADCAST_FRAMES_RCV, F(IN_BCAST) },
	{ OID_GEN_BYTES_RCV, F(IN_OCTETS) },
	{ OID_GEN_BYTES_XMIT, F(OUT_OCTETS) },
	{ OID_GEN_RCV_DISCARDS, F(IN_DISCARDS) },
	{ OID_GEN_XMIT_DISCARDS, F(OUT_DISCARDS) },
	{ OID_GEN_RCV_NO_BUFFER, F(IN_DISCARDS) },
};

ULONG sfo_stats_single_counters(NDIS_OID oid)
{
	for (ULONG i = 0; i < sizeof(single) / sizeof(single[0]); i++)
		if (single[i].oid == oid)
			return single[i].counters;
	return 0;
}
