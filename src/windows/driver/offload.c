// SPDX-License-Identifier: BSD-2-Clause
/*
 * Send offloads. The stack on the standby asks, per NBL, for what it was
 * offered: checksums (TCP, UDP, IPv4 header) and large sends (LSO v1, v2).
 * A VF may lack some. The rule: an NBL
 * goes to the VF only if the VF's offload configuration covers every
 * offload it asks for; any other goes down the standby unchanged, whose
 * capabilities the stack used. The VF's configuration is the one NDIS gives
 * at bind (DefaultOffloadConfiguration) and then with each
 * NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG. While a VF is paired the stack
 * is told only what both have (offload_config.c); this rule covers the NBLs
 * it built before it was told. It does not compare the IP/TCP options and
 * IPv6 extension header support of the offloads (a VF that supports an
 * offload only without options is taken at its word for all packets).
 *
 * NDIS_OFFLOAD is read at its x64 offsets (ns-ntddndis-_ndis_offload and
 * the structures it holds: Checksum at 4, LsoV1 at 36, IPsecV1 at 52, LsoV2
 * at 80), pinned against the Windows headers in the cross build.
 */
#include "sriovfo.h"
#include "ndis_field.h"

#define OFFLOAD_HEAD_LEN 108 /* NDIS_OFFLOAD up to LsoV2's end */
#define CSUM_V4_TX	 4   /* Checksum.IPv4Transmit */
#define CSUM_V6_TX	 20  /* Checksum.IPv6Transmit */
#define LSO1_V4		 36  /* LsoV1.IPv4 */
#define LSO2_V4		 80  /* LsoV2.IPv4 */
#define LSO2_V6		 92  /* LsoV2.IPv6 */
#define ENCAP_802_3	 0x2 /* NDIS_ENCAPSULATION_IEEE_802_3 */

#ifdef _WIN32
_Static_assert(offsetof(NDIS_OFFLOAD, Checksum) == CSUM_V4_TX, "NDIS_OFFLOAD.Checksum");
_Static_assert(offsetof(NDIS_OFFLOAD, Checksum.IPv6Transmit) == CSUM_V6_TX, "IPv6Transmit");
_Static_assert(offsetof(NDIS_OFFLOAD, LsoV1) == LSO1_V4, "NDIS_OFFLOAD.LsoV1");
_Static_assert(offsetof(NDIS_OFFLOAD, LsoV2) == LSO2_V4, "NDIS_OFFLOAD.LsoV2");
_Static_assert(offsetof(NDIS_OFFLOAD, LsoV2.IPv6) == LSO2_V6, "LsoV2.IPv6");
#endif

/* A 2-bit field of a checksum block's flags word is NDIS_OFFLOAD_SUPPORTED. */
static BOOLEAN csum(const UCHAR *p, ULONG block, unsigned shift)
{
	return (ndis_field_u32(p, block) & ENCAP_802_3) &&
	       ((ndis_field_u32(p, block + 4) >> shift) & 3) == 1;
}

ULONG sfo_offload_caps(const void *ndis_offload)
{
	const UCHAR *p = ndis_offload;
	const NDIS_OBJECT_HEADER *h = ndis_offload;
	ULONG caps = 0;

	if (!p || h->Size < OFFLOAD_HEAD_LEN)
		return 0;
	caps |= csum(p, CSUM_V4_TX, 4) ? SFO_TXO_V4_TCP_CSUM : 0;
	caps |= csum(p, CSUM_V4_TX, 6) ? SFO_TXO_V4_UDP_CSUM : 0;
	caps |= csum(p, CSUM_V4_TX, 8) ? SFO_TXO_V4_IP_CSUM : 0;
	caps |= csum(p, CSUM_V6_TX, 4) ? SFO_TXO_V6_TCP_CSUM : 0;
	caps |= csum(p, CSUM_V6_TX, 6) ? SFO_TXO_V6_UDP_CSUM : 0;
	caps |= (ndis_field_u32(p, LSO1_V4) & ENCAP_802_3) ? SFO_TXO_LSO1_V4 : 0;
	caps |= (ndis_field_u32(p, LSO2_V4) & ENCAP_802_3) && ndis_field_u32(p, LSO2_V4 + 4)
			? SFO_TXO_LSO2_V4
			: 0;
	caps |= (ndis_field_u32(p, LSO2_V6) & ENCAP_802_3) && ndis_field_u32(p, LSO2_V6 + 4)
			? SFO_TXO_LSO2_V6
			: 0;
	return caps;
}

/* NET_BUFFER_LIST_INFO(nbl, id): the array that follows the declared part. */
static ULONG_PTR nbl_info(PNET_BUFFER_LIST nbl, unsigned id)
{
	PVOID v;

	__builtin_memcpy(&v, (const UCHAR *)nbl + sizeof(NET_BUFFER_LIST) + id * sizeof(PVOID),
			 sizeof(v));
	return (ULONG_PTR)v;
}

#define INFO_CHECKSUM 0 /* TcpIpChecksumNetBufferListInfo */
#define INFO_LSO      2 /* TcpLargeSendNetBufferListInfo */

ULONG sfo_offload_needs(PNET_BUFFER_LIST nbl)
{
	ULONG_PTR c = nbl_info(nbl, INFO_CHECKSUM), l = nbl_info(nbl, INFO_LSO);
	ULONG needs = 0;

	/* Transmit: IsIPv4, IsIPv6, TcpChecksum, UdpChecksum, IpHeaderChecksum */
	if (c & 1) {
		needs |= c & 4 ? SFO_TXO_V4_TCP_CSUM : 0;
		needs |= c & 8 ? SFO_TXO_V4_UDP_CSUM : 0;
		needs |= c & 16 ? SFO_TXO_V4_IP_CSUM : 0;
	} else if (c & 2) {
		needs |= c & 4 ? SFO_TXO_V6_TCP_CSUM : 0;
		needs |= c & 8 ? SFO_TXO_V6_UDP_CSUM : 0;
	}
	/* MSS in the low 20 bits; Type (bits 30-31) 1: LSO v2, whose IPVersion
	 * (the next word's low bits) is 1 for IPv6 */
	if (l & 0xfffff) {
		if (((l >> 30) & 3) != 1)
			needs |= SFO_TXO_LSO1_V4;
		else
			needs |= (l >> 32) & 3 ? SFO_TXO_LSO2_V6 : SFO_TXO_LSO2_V4;
	}
	return needs;
}
