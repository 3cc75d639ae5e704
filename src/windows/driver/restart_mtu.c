// SPDX-License-Identifier: BSD-2-Clause
/*
 * The MTU a miniport restarts with, for a filter's restart (the standby)
 * and a protocol binding's (a VF): the general attributes among the
 * restart attributes (OID_GEN_MINIPORT_RESTART_ATTRIBUTES).
 */
#include "sriovfo.h"

ULONG sfo_restart_mtu(PNDIS_RESTART_ATTRIBUTES attrs, ULONG mtu)
{
	for (PNDIS_RESTART_ATTRIBUTES a = attrs; a; a = a->Next) {
		const NDIS_RESTART_GENERAL_ATTRIBUTES *g = (const void *)a->Data;

		if (a->Oid == OID_GEN_MINIPORT_RESTART_ATTRIBUTES &&
		    a->DataLength >=
			    offsetof(NDIS_RESTART_GENERAL_ATTRIBUTES, MtuSize) + sizeof(g->MtuSize))
			return g->MtuSize;
	}
	return mtu;
}
