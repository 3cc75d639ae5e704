// SPDX-License-Identifier: BSD-2-Clause
/*
 * The stack's OID_TCP_OFFLOAD_PARAMETERS on the standby (an
 * NDIS_OFFLOAD_PARAMETERS: per offload, 0 "no change" or a value to set),
 * kept to be mirrored to the VF (oid.c). Each set the standby accepts
 * changes only the fields it names, so what is kept is every earlier set
 * with the later ones' changes on top: one such set, replayed to a new VF,
 * leaves it where the stack left the standby. Kept and sent: the checksum
 * and LSO fields of revision 1 (IPsec v1, connection offload, the Flags and
 * the later revisions' fields are not mirrored: 0, no change). The VF then
 * indicates its new configuration (NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG,
 * which the DDI asks of a miniport after this OID), which vf_binding.c
 * keeps and offload_config.c advertises.
 *
 * x64 offsets (ns-ntddndis-_ndis_offload_parameters): IPv4Checksum at 4,
 * then one byte each up to LsoV1 at 9, IPsecV1 10, LsoV2IPv4 11, LsoV2IPv6
 * 12, TcpConnection 13-14, Flags at 16; revision 1 is 20 bytes.
 */
#include "sriovfo.h"

#define P_IPV4_CSUM 4  /* IPv4Checksum .. UDPIPv6Checksum: 4..8 */
#define P_LSO1	    9  /* LsoV1 */
#define P_LSO2_V4   11 /* LsoV2IPv4 */
#define P_LSO2_V6   12 /* LsoV2IPv6 */

#ifdef _WIN32
_Static_assert(offsetof(NDIS_OFFLOAD_PARAMETERS, IPv4Checksum) == P_IPV4_CSUM, "IPv4Checksum");
_Static_assert(offsetof(NDIS_OFFLOAD_PARAMETERS, LsoV1) == P_LSO1, "LsoV1");
_Static_assert(offsetof(NDIS_OFFLOAD_PARAMETERS, LsoV2IPv4) == P_LSO2_V4, "LsoV2IPv4");
_Static_assert(offsetof(NDIS_OFFLOAD_PARAMETERS, LsoV2IPv6) == P_LSO2_V6, "LsoV2IPv6");
_Static_assert(NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1 == SFO_WIN_OFFLOAD_PARAMS_LEN,
	       "NDIS_OFFLOAD_PARAMETERS revision 1");
#endif

static const UCHAR mirrored[] = { P_IPV4_CSUM,	   P_IPV4_CSUM + 1, P_IPV4_CSUM + 2,
				  P_IPV4_CSUM + 3, P_IPV4_CSUM + 4, P_LSO1,
				  P_LSO2_V4,	   P_LSO2_V6 };

BOOLEAN sfo_offload_params_merge(UCHAR *kept, const void *buf, UINT len)
{
	const NDIS_OBJECT_HEADER *h = buf;
	NDIS_OBJECT_HEADER mine;
	const UCHAR *p = buf;

	if (!buf || len < SFO_WIN_OFFLOAD_PARAMS_LEN || h->Type != NDIS_OBJECT_TYPE_DEFAULT ||
	    h->Revision < 1 || h->Size < SFO_WIN_OFFLOAD_PARAMS_LEN)
		return FALSE;
	mine.Type = NDIS_OBJECT_TYPE_DEFAULT;
	mine.Revision = 1; /* NDIS_OFFLOAD_PARAMETERS_REVISION_1 */
	mine.Size = SFO_WIN_OFFLOAD_PARAMS_LEN;
	__builtin_memcpy(kept, &mine, sizeof(mine));
	for (unsigned i = 0; i < sizeof(mirrored); i++)
		if (p[mirrored[i]])
			kept[mirrored[i]] = p[mirrored[i]];
	return TRUE;
}
