// SPDX-License-Identifier: BSD-2-Clause
/*
 * Send offloads in the emulation: an adapter's current configuration (an
 * NDIS_OFFLOAD given at bind and indicated with
 * NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG when it changes), the stack's NBLs
 * asking for checksum or LSO offloads, and the rule a miniport holds a
 * sender to: it is never handed an NBL asking for an offload it does not
 * have (it would send a wrong checksum or a frame larger than the wire's).
 */
#include <string.h>

#include "emu_internal.h"

#define ENCAP_802_3 0x2

static void put(UCHAR *p, unsigned off, ULONG v)
{
	memcpy(p + off, &v, sizeof(v));
}

/* The NDIS_OFFLOAD of @caps at its x64 offsets (offload.c reads them). */
static void build(struct emu_adapter *a)
{
	unsigned c = a->tx_offloads;
	NDIS_OBJECT_HEADER h = { 0xa7, 1, sizeof(a->offload) }; /* NDIS_OBJECT_TYPE_OFFLOAD */

	memset(a->offload, 0, sizeof(a->offload));
	memcpy(a->offload, &h, sizeof(h));
	put(a->offload, 4, ENCAP_802_3);
	put(a->offload, 8,
	    (c & EMU_TXO_V4_TCP_CSUM ? 1u << 4 : 0) | (c & EMU_TXO_V4_UDP_CSUM ? 1u << 6 : 0) |
		    (c & EMU_TXO_V4_IP_CSUM ? 1u << 8 : 0));
	put(a->offload, 20, ENCAP_802_3);
	put(a->offload, 24,
	    (c & EMU_TXO_V6_TCP_CSUM ? 1u << 4 : 0) | (c & EMU_TXO_V6_UDP_CSUM ? 1u << 6 : 0));
	if (c & EMU_TXO_LSO1_V4) {
		put(a->offload, 36, ENCAP_802_3);
		put(a->offload, 40, 65536);
	}
	if (c & EMU_TXO_LSO2_V4) {
		put(a->offload, 80, ENCAP_802_3);
		put(a->offload, 84, 65536);
	}
	if (c & EMU_TXO_LSO2_V6) {
		put(a->offload, 92, ENCAP_802_3);
		put(a->offload, 96, 65536);
	}
}

void emu_offload_init(struct emu_adapter *a)
{
	a->tx_offloads = EMU_TXO_ALL;
	build(a);
}

void emu_adapter_set_offloads(struct emu_adapter *a, unsigned offloads)
{
	NDIS_STATUS_INDICATION si;
	NDIS_HANDLE ctx = NULL;

	emu_pnp_begin();
	emu_lock();
	a->tx_offloads = offloads;
	build(a);
	if (a->open && !a->open->closed)
		ctx = a->open->ctx;
	emu_unlock();
	memset(&si, 0, sizeof(si));
	si.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
	si.Header.Size = sizeof(si);
	si.SourceHandle = a;
	si.StatusCode = NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG;
	si.StatusBuffer = a->offload;
	si.StatusBufferSize = sizeof(a->offload);
	if (ctx)
		emu.pc.StatusHandlerEx(ctx, &si);
	emu_pnp_end();
}

/* What an NBL asks for (TcpIpChecksumNetBufferListInfo 0, TcpLargeSend 2). */
static unsigned needs(const struct emu_nbl *e)
{
	ULONG_PTR c = (ULONG_PTR)e->info[0], l = (ULONG_PTR)e->info[2];
	unsigned n = 0;

	if (c & 1)
		n |= (c & 4 ? EMU_TXO_V4_TCP_CSUM : 0) | (c & 8 ? EMU_TXO_V4_UDP_CSUM : 0) |
		     (c & 16 ? EMU_TXO_V4_IP_CSUM : 0);
	else if (c & 2)
		n |= (c & 4 ? EMU_TXO_V6_TCP_CSUM : 0) | (c & 8 ? EMU_TXO_V6_UDP_CSUM : 0);
	if (l & 0xfffff)
		n |= ((l >> 30) & 3) != 1 ? EMU_TXO_LSO1_V4
		     : (l >> 32) & 3	  ? EMU_TXO_LSO2_V6
					  : EMU_TXO_LSO2_V4;
	return n;
}

void emu_check_offloads(struct emu_adapter *a, const struct emu_nbl *e)
{
	unsigned missing = needs(e) & ~a->tx_offloads;

	if (missing)
		emu_violation("%s was handed a send asking for offloads %#x it does not have",
			      a->name, missing);
}

void emu_stack_send_offloaded(struct emu_adapter *standby, unsigned n, ULONG_PTR csum,
			      ULONG_PTR lso)
{
	static const UCHAR peer[6] = { 0x02, 0, 0, 0, 0, 0x99 };

	for (unsigned i = 0; i < n; i++) {
		struct emu_nbl *e;
		unsigned seq;

		emu_lock();
		seq = ++standby->stack_seq;
		emu_unlock();
		e = emu_nbl_new(&standby->stack_pool, &standby->stack_pool, seq, peer);
		e->info[0] = (PVOID)csum;
		e->info[2] = (PVOID)lso;
		emu_stack_submit(standby, e);
	}
}
