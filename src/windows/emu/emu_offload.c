// SPDX-License-Identifier: BSD-2-Clause
/*
 * Send offloads in the emulation: an adapter's current configuration (an
 * NDIS_OFFLOAD given at bind and indicated with
 * NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG when it changes), the stack's NBLs
 * asking for checksum or LSO offloads, and two rules: a miniport is never
 * handed an NBL asking for an offload it does not have (it would send a wrong
 * checksum or a frame larger than the wire's), and the stack above a standby
 * asks only for offloads it was offered: the last configuration that reached
 * it (the standby's at first, then each indication through the filter), or,
 * for an NBL built before that indication, the one before.
 */
#include <string.h>

#include "emu_internal.h"
#include "ndis_field.h"

#define ENCAP_802_3 0x2

/* An LSO block: Encapsulation, MaxOffLoadSize, MinSegmentCount. */
static void lso(struct emu_adapter *a, unsigned off)
{
	ndis_field_set_u32(a->offload, off, ENCAP_802_3);
	ndis_field_set_u32(a->offload, off + 4, a->lso_max);
	ndis_field_set_u32(a->offload, off + 8, a->lso_min_segs);
}

/* The NDIS_OFFLOAD of the adapter's offloads at its x64 offsets (offload.c
 * reads them): the checksums each way (receive as transmit), the LSOs. */
static void build(struct emu_adapter *a)
{
	unsigned c = a->tx_offloads;
	NDIS_OBJECT_HEADER h = { 0xa7, 1, sizeof(a->offload) }; /* NDIS_OBJECT_TYPE_OFFLOAD */
	ULONG v4 = (c & EMU_TXO_V4_TCP_CSUM ? 1u << 4 : 0) |
		   (c & EMU_TXO_V4_UDP_CSUM ? 1u << 6 : 0) | (c & EMU_TXO_V4_IP_CSUM ? 1u << 8 : 0);
	ULONG v6 =
		(c & EMU_TXO_V6_TCP_CSUM ? 1u << 4 : 0) | (c & EMU_TXO_V6_UDP_CSUM ? 1u << 6 : 0);

	memset(a->offload, 0, sizeof(a->offload));
	memcpy(a->offload, &h, sizeof(h));
	for (unsigned at = 4; at < 36; at += 8) {
		ndis_field_set_u32(a->offload, at, ENCAP_802_3);
		ndis_field_set_u32(a->offload, at + 4, at < 20 ? v4 : v6);
	}
	if (c & EMU_TXO_LSO1_V4)
		lso(a, 36);
	if (c & EMU_TXO_LSO2_V4)
		lso(a, 80);
	if (c & EMU_TXO_LSO2_V6)
		lso(a, 92);
}

/* What an NDIS_OFFLOAD of @size bytes offers for sending; LSO v2's
 * MaxOffLoadSize (IPv4, IPv6) and MinSegmentCount if asked. */
void emu_offload_parse(const void *ndis_offload, ULONG size, unsigned *offloads, ULONG *lso_max,
		       ULONG *min_segs)
{
	const UCHAR *p = ndis_offload;
	unsigned o = 0;

	if (!p || size < 108) {
		*offloads = 0;
		return;
	}
	if (ndis_field_u32(p, 4) & ENCAP_802_3) {
		ULONG f = ndis_field_u32(p, 8);

		o |= ((f >> 4) & 3) == 1 ? EMU_TXO_V4_TCP_CSUM : 0;
		o |= ((f >> 6) & 3) == 1 ? EMU_TXO_V4_UDP_CSUM : 0;
		o |= ((f >> 8) & 3) == 1 ? EMU_TXO_V4_IP_CSUM : 0;
	}
	if (ndis_field_u32(p, 20) & ENCAP_802_3) {
		ULONG f = ndis_field_u32(p, 24);

		o |= ((f >> 4) & 3) == 1 ? EMU_TXO_V6_TCP_CSUM : 0;
		o |= ((f >> 6) & 3) == 1 ? EMU_TXO_V6_UDP_CSUM : 0;
	}
	o |= (ndis_field_u32(p, 36) & ENCAP_802_3) && ndis_field_u32(p, 40) ? EMU_TXO_LSO1_V4 : 0;
	o |= (ndis_field_u32(p, 80) & ENCAP_802_3) && ndis_field_u32(p, 84) ? EMU_TXO_LSO2_V4 : 0;
	o |= (ndis_field_u32(p, 92) & ENCAP_802_3) && ndis_field_u32(p, 96) ? EMU_TXO_LSO2_V6 : 0;
	*offloads = o;
	if (lso_max) {
		lso_max[0] = ndis_field_u32(p, 84);
		lso_max[1] = ndis_field_u32(p, 96);
	}
	if (min_segs) {
		min_segs[0] = ndis_field_u32(p, 88);
		min_segs[1] = ndis_field_u32(p, 100);
	}
}

void emu_stack_take_offload(struct emu_adapter *a, const void *ndis_offload, ULONG size)
{
	a->stack_offloads_before = a->stack_offloads;
	emu_offload_parse(ndis_offload, size, &a->stack_offloads, a->stack_lso_max,
			  a->stack_lso_min_segs);
	a->stack_offload_told++;
}

void emu_offload_init(struct emu_adapter *a)
{
	a->tx_offloads = a->hw_offloads = EMU_TXO_ALL;
	a->lso_max = 65536;
	a->lso_min_segs = 2;
	build(a);
	/* the stack above a standby is offered its own at first */
	emu_stack_take_offload(a, a->offload, sizeof(a->offload));
	a->stack_offload_told = 0;
}

/* The adapter's configuration changed: indicated to its binding (a VF) or
 * through the filter to the stack (a standby). */
static void indicate(struct emu_adapter *a)
{
	NDIS_STATUS_INDICATION si;
	NDIS_HANDLE ctx = NULL;

	emu_pnp_begin();
	emu_lock();
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
	else if (a->kind == EMU_STANDBY)
		emu_stack_status(a, &si);
	emu_pnp_end();
}

static void changed(struct emu_adapter *a, unsigned offloads, ULONG lso_max, ULONG lso_min_segs)
{
	emu_lock();
	a->tx_offloads = offloads;
	a->lso_max = lso_max;
	a->lso_min_segs = lso_min_segs;
	build(a);
	emu_unlock();
	indicate(a);
}

void emu_adapter_set_offloads(struct emu_adapter *a, unsigned offloads)
{
	emu_lock();
	a->hw_offloads = offloads; /* what it has: the parameters enable no more */
	emu_unlock();
	changed(a, offloads, a->lso_max, a->lso_min_segs);
}

/* NDIS_OFFLOAD_PARAMETERS, revision 1 at least: from IPv4Checksum (4) one
 * byte per offload, in this order (IPsecV1, 10, not modelled). */
static const unsigned param_field[] = {
	EMU_TXO_V4_IP_CSUM,
	EMU_TXO_V4_TCP_CSUM,
	EMU_TXO_V4_UDP_CSUM,
	EMU_TXO_V6_TCP_CSUM,
	EMU_TXO_V6_UDP_CSUM,
	EMU_TXO_LSO1_V4,
	0,
	EMU_TXO_LSO2_V4,
	EMU_TXO_LSO2_V6,
};

NDIS_STATUS emu_offload_params_apply(struct emu_adapter *a, const NDIS_OID_REQUEST *req,
				     const char *call)
{
	const UCHAR *p = req->DATA.SET_INFORMATION.InformationBuffer;
	UINT len = req->DATA.SET_INFORMATION.InformationBufferLength;
	const NDIS_OBJECT_HEADER *h = (const NDIS_OBJECT_HEADER *)p;
	unsigned o = a->tx_offloads;

	/* NDIS_OBJECT_TYPE_DEFAULT, revisions 1 to 3, at least revision 1's 20 bytes */
	if (!p || len < 20 || h->Type != NDIS_OBJECT_TYPE_DEFAULT || h->Revision < 1 ||
	    h->Revision > 3 || h->Size < 20 || h->Size > len) {
		emu_violation("%s: offload parameters to %s: not an NDIS_OFFLOAD_PARAMETERS", call,
			      a->name);
		return NDIS_STATUS_INVALID_DATA;
	}
	if (a->no_offload_params)
		return NDIS_STATUS_NOT_SUPPORTED;
	for (unsigned i = 0; i < sizeof(param_field) / sizeof(param_field[0]); i++) {
		UCHAR v = p[4 + i];
		BOOLEAN lso = i >= 5;

		if (v > (lso ? 2 : 4)) {
			emu_violation("%s: offload parameters to %s: value %u at %u", call, a->name,
				      v, 4 + i);
			return NDIS_STATUS_INVALID_DATA;
		}
		/* checksums: TX_ENABLED_RX_DISABLED 2, TX_RX_ENABLED 4; LSO: ENABLED 2 */
		if (v && (lso ? v == 2 : v == 2 || v == 4))
			o |= param_field[i] & a->hw_offloads;
		else if (v)
			o &= ~param_field[i];
	}
	a->tx_offloads = o;
	build(a);
	a->offload_params_sets++;
	a->offload_due = TRUE; /* a miniport indicates its configuration after this OID */
	return NDIS_STATUS_SUCCESS;
}

void emu_offload_indicate_due(struct emu_adapter *a)
{
	BOOLEAN due;

	emu_lock();
	due = a->offload_due;
	a->offload_due = FALSE;
	emu_unlock();
	if (due)
		indicate(a);
}

void emu_adapter_set_offload_params_support(struct emu_adapter *a, BOOLEAN supported)
{
	emu_lock();
	a->no_offload_params = !supported;
	emu_unlock();
}

unsigned emu_adapter_offloads(struct emu_adapter *a, unsigned *params_sets)
{
	unsigned o;

	emu_lock();
	o = a->tx_offloads;
	*params_sets = a->offload_params_sets;
	emu_unlock();
	return o;
}

void emu_adapter_set_lso(struct emu_adapter *a, ULONG max_size, ULONG min_segs)
{
	changed(a, a->tx_offloads, max_size, min_segs);
}

unsigned emu_stack_offloads(struct emu_adapter *standby, ULONG lso_max[2], ULONG lso_min_segs[2])
{
	unsigned o;

	emu_lock();
	o = standby->stack_offloads;
	memcpy(lso_max, standby->stack_lso_max, sizeof(standby->stack_lso_max));
	memcpy(lso_min_segs, standby->stack_lso_min_segs, sizeof(standby->stack_lso_min_segs));
	emu_unlock();
	return o;
}

unsigned emu_stack_offload_indications(struct emu_adapter *standby)
{
	unsigned n;

	emu_lock();
	n = standby->stack_offload_told;
	emu_unlock();
	return n;
}

NDIS_STATUS emu_offload_query(struct emu_adapter *a, NDIS_OID_REQUEST *req)
{
	req->DATA.QUERY_INFORMATION.BytesWritten = 0;
	if (req->DATA.QUERY_INFORMATION.InformationBufferLength < sizeof(a->offload)) {
		req->DATA.QUERY_INFORMATION.BytesNeeded = sizeof(a->offload);
		return NDIS_STATUS_BUFFER_TOO_SHORT;
	}
	memcpy(req->DATA.QUERY_INFORMATION.InformationBuffer, a->offload, sizeof(a->offload));
	req->DATA.QUERY_INFORMATION.BytesWritten = sizeof(a->offload);
	return NDIS_STATUS_SUCCESS;
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

static void send_offloaded(struct emu_adapter *standby, unsigned n, ULONG_PTR csum, ULONG_PTR lso,
			   BOOLEAN built_before)
{
	static const UCHAR peer[6] = { 0x02, 0, 0, 0, 0, 0x99 };

	for (unsigned i = 0; i < n; i++) {
		struct emu_nbl *e;
		unsigned seq, missing;

		emu_lock();
		seq = ++standby->stack_seq;
		emu_unlock();
		e = emu_nbl_new(&standby->stack_pool, &standby->stack_pool, seq, peer);
		e->info[0] = (PVOID)csum;
		e->info[2] = (PVOID)lso;
		emu_lock();
		missing = needs(e) & ~(built_before ? standby->stack_offloads_before
						    : standby->stack_offloads);
		emu_unlock();
		if (missing)
			emu_violation(
				"the stack above %s asked for offloads %#x it was not offered",
				standby->name, missing);
		emu_stack_submit(standby, e);
	}
}

void emu_stack_send_offloaded(struct emu_adapter *standby, unsigned n, ULONG_PTR csum,
			      ULONG_PTR lso)
{
	send_offloaded(standby, n, csum, lso, FALSE);
}

void emu_stack_send_built_before(struct emu_adapter *standby, unsigned n, ULONG_PTR csum,
				 ULONG_PTR lso)
{
	send_offloaded(standby, n, csum, lso, TRUE);
}
