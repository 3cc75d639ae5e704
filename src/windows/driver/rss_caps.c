// SPDX-License-Identifier: BSD-2-Clause
/*
 * Whether a VF can take the stack's RSS parameters. Its bind parameters'
 * RcvScaleCapabilities (an NDIS_RECEIVE_SCALE_CAPABILITIES, NULL without
 * RSS) name the TCP hash types it can compute (NDIS_RSS_CAPS_HASH_TYPE_*);
 * the IPv4 and IPv6 address hashes need no flag. Parameters asking for a
 * hash type the VF lacks, or any to a VF without RSS, are not mirrored
 * (oid.c): the VF would refuse them, or hash differently from what the
 * stack set. The hash function (Toeplitz) and the processors are not
 * compared.
 */
#include "sriovfo.h"

#define OBJ_RSS_CAPS	 0x88 /* NDIS_OBJECT_TYPE_RSS_CAPABILITIES */
#define CAPS_FLAGS	 4    /* CapabilitiesFlags */
#define CAPS_LEN	 16   /* through NumberOfReceiveQueues */
#define CAPS_TCP_IPV4	 0x100
#define CAPS_TCP_IPV6	 0x200
#define CAPS_TCP_IPV6_EX 0x400
#define HASH_IPV4	 0x100
#define HASH_TCP_IPV4	 0x200
#define HASH_IPV6	 0x400
#define HASH_IPV6_EX	 0x800
#define HASH_TCP_IPV6	 0x1000
#define HASH_TCP_IPV6_EX 0x2000
#define HASH_TYPES	 0x00ffff00 /* NDIS_HASH_TYPE_MASK */
#define RSS_HASH_INFO	 8	    /* NDIS_RECEIVE_SCALE_PARAMETERS.HashInformation */

ULONG sfo_rss_hash_types(const void *rcv_scale_caps)
{
	const NDIS_OBJECT_HEADER *h = rcv_scale_caps;
	ULONG flags;

	if (!h || h->Type != OBJ_RSS_CAPS || h->Size < CAPS_LEN)
		return 0;
	__builtin_memcpy(&flags, (const UCHAR *)rcv_scale_caps + CAPS_FLAGS, sizeof(flags));
	return HASH_IPV4 | HASH_IPV6 | HASH_IPV6_EX | (flags & CAPS_TCP_IPV4 ? HASH_TCP_IPV4 : 0) |
	       (flags & CAPS_TCP_IPV6 ? HASH_TCP_IPV6 : 0) |
	       (flags & CAPS_TCP_IPV6_EX ? HASH_TCP_IPV6_EX : 0);
}

ULONG sfo_rss_missing(ULONG vf_hash_types, const UCHAR *rss_params)
{
	ULONG info;

	__builtin_memcpy(&info, rss_params + RSS_HASH_INFO, sizeof(info));
	return vf_hash_types ? info & HASH_TYPES & ~vf_hash_types : HASH_TYPES;
}
