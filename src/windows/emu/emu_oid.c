// SPDX-License-Identifier: BSD-2-Clause
/*
 * OID requests in the emulation: the filter's (down to the standby, as
 * clones) and the protocol's (to a bound adapter, pended on demand), the
 * adapters' receive settings, and the stack setting them.
 */
#include <stdlib.h>
#include <string.h>

#include "emu_internal.h"

#define MAX_MULTICAST 64

void emu_check_oid_header(const NDIS_OID_REQUEST *req, const char *call)
{
	if (req->Header.Type != NDIS_OBJECT_TYPE_OID_REQUEST ||
	    req->Header.Revision < NDIS_OID_REQUEST_REVISION_1 ||
	    req->Header.Size < NDIS_SIZEOF_OID_REQUEST_REVISION_1)
		emu_violation("%s: bad OID request header", call);
}

NDIS_STATUS emu_apply_oid(struct emu_adapter *a, const NDIS_OID_REQUEST *req, const char *call)
{
	UINT len = req->DATA.SET_INFORMATION.InformationBufferLength;

	emu_check_oid_header(req, call);
	if (req->RequestType == NdisRequestQueryInformation &&
	    req->DATA.QUERY_INFORMATION.Oid == OID_GEN_STATISTICS)
		return emu_stats_query(a, (NDIS_OID_REQUEST *)req);
	if (req->RequestType == NdisRequestQueryInformation &&
	    req->DATA.QUERY_INFORMATION.Oid == OID_TCP_OFFLOAD_CURRENT_CONFIG)
		return emu_offload_query(a, (NDIS_OID_REQUEST *)req);
	if (req->RequestType == NdisRequestQueryInformation)
		return emu_stats_query_single(a, (NDIS_OID_REQUEST *)req);
	if (req->RequestType != NdisRequestSetInformation)
		return NDIS_STATUS_NOT_SUPPORTED;
	switch (req->DATA.SET_INFORMATION.Oid) {
	case OID_GEN_CURRENT_PACKET_FILTER:
		if (len != sizeof(ULONG))
			return NDIS_STATUS_FAILURE;
		memcpy(&a->packet_filter, req->DATA.SET_INFORMATION.InformationBuffer, len);
		return NDIS_STATUS_SUCCESS;
	case OID_802_3_MULTICAST_LIST:
		if (len % 6 || len / 6 > MAX_MULTICAST)
			return NDIS_STATUS_FAILURE;
		a->n_multicast = len / 6;
		return NDIS_STATUS_SUCCESS;
	case OID_GEN_RECEIVE_SCALE_PARAMETERS:
		return emu_rss_apply(a, req, call);
	case OID_TCP_OFFLOAD_PARAMETERS:
		return emu_offload_params_apply(a, req, call);
	default:
		return NDIS_STATUS_NOT_SUPPORTED;
	}
}

/* NDIS's rules for a request handed down: not one still out (it completes
 * once), and one at a time per OID from one driver. */
static void check_in_flight(PNDIS_OID_REQUEST const *held, unsigned n, const NDIS_OID_REQUEST *req,
			    const char *call)
{
	for (unsigned i = 0; i < n; i++)
		if (held[i] == req)
			emu_violation("%s: a request still in flight issued again", call);
		else if (held[i]->DATA.QUERY_INFORMATION.Oid == req->DATA.QUERY_INFORMATION.Oid)
			emu_violation("%s: a second request for OID %#x in flight", call,
				      (unsigned)req->DATA.QUERY_INFORMATION.Oid);
}

NDIS_STATUS NTAPI NdisAllocateCloneOidRequest(NDIS_HANDLE filter, PNDIS_OID_REQUEST req, ULONG tag,
					      PNDIS_OID_REQUEST *clone)
{
	(void)filter;
	(void)tag;
	*clone = malloc(sizeof(**clone));
	if (!*clone)
		return NDIS_STATUS_RESOURCES;
	**clone = *req;
	emu_count_allocation(1);
	return NDIS_STATUS_SUCCESS;
}

VOID NTAPI NdisFreeCloneOidRequest(NDIS_HANDLE filter, PNDIS_OID_REQUEST clone)
{
	(void)filter;
	free(clone);
	emu_count_allocation(-1);
}

/* The standby's miniport answers at once. */
NDIS_STATUS NTAPI NdisFOidRequest(NDIS_HANDLE filter, PNDIS_OID_REQUEST req)
{
	struct emu_filter_module *fm = filter;
	NDIS_STATUS st;

	emu_unlocked("NdisFOidRequest");
	emu_lock();
	check_in_flight(fm->adapter->filter_held, fm->adapter->n_filter_held, req,
			"NdisFOidRequest");
	if (fm->adapter->hold_oids) {
		emu_check_oid_header(req, "NdisFOidRequest");
		fm->adapter->filter_held[fm->adapter->n_filter_held++] = req;
		st = NDIS_STATUS_PENDING;
	} else {
		st = emu_apply_oid(fm->adapter, req, "NdisFOidRequest");
	}
	emu_unlock();
	emu_offload_indicate_due(fm->adapter);
	return st;
}

VOID NTAPI NdisFOidRequestComplete(NDIS_HANDLE filter, PNDIS_OID_REQUEST req, NDIS_STATUS status)
{
	struct emu_filter_module *fm = filter;
	struct emu_adapter *a = fm->adapter;

	emu_unlocked("NdisFOidRequestComplete");
	emu_lock();
	if (!a->stack_req_pending || req != &a->stack_req) {
		emu_violation("NdisFOidRequestComplete: not the stack's pending request");
	} else {
		a->stack_req_pending = FALSE;
		a->stack_req_status = status;
	}
	emu_unlock();
}

NDIS_STATUS NTAPI NdisOidRequest(NDIS_HANDLE binding, PNDIS_OID_REQUEST req)
{
	struct emu_open *o = binding;
	NDIS_STATUS st;

	emu_unlocked("NdisOidRequest");
	emu_lock();
	if (o->adapter->open != o || o->closed)
		emu_violation("NdisOidRequest on a closed binding");
	check_in_flight(o->held_oids, o->n_held_oids, req, "NdisOidRequest");
	if (o->adapter->hold_oids) {
		emu_check_oid_header(req, "NdisOidRequest");
		o->held_oids[o->n_held_oids++] = req;
		st = NDIS_STATUS_PENDING;
	} else {
		st = emu_apply_oid(o->adapter, req, "NdisOidRequest");
	}
	emu_unlock();
	emu_offload_indicate_due(o->adapter);
	return st;
}

void emu_hold_oids(struct emu_adapter *a, BOOLEAN hold)
{
	emu_lock();
	a->hold_oids = hold;
	emu_unlock();
}

/* One at a time, in order: carried out under the lock, completed after it
 * (a completion to a binding is a call into it, as a send's). */
void emu_complete_oids(struct emu_adapter *a)
{
	for (;;) {
		PNDIS_OID_REQUEST req = NULL;
		struct emu_open *o = NULL;
		NDIS_HANDLE ctx = NULL;
		NDIS_STATUS st = NDIS_STATUS_SUCCESS;

		emu_lock();
		if (a->n_filter_held) {
			req = a->filter_held[0];
			memmove(a->filter_held, a->filter_held + 1,
				--a->n_filter_held * sizeof(req));
			ctx = a->fm.ctx;
		} else if (a->open && a->open->n_held_oids) {
			o = a->open;
			req = o->held_oids[0];
			memmove(o->held_oids, o->held_oids + 1, --o->n_held_oids * sizeof(req));
			ctx = o->ctx;
			o->calls++;
		}
		if (req)
			st = emu_apply_oid(a, req, "held OID");
		emu_unlock();
		if (!req)
			return;
		emu_offload_indicate_due(a);
		if (!o) {
			emu.fc.OidRequestCompleteHandler(ctx, req, st);
			continue;
		}
		emu.pc.OidRequestCompleteHandler(ctx, req, st);
		emu_lock();
		o->calls--;
		emu_changed();
		emu_unlock();
	}
}

unsigned emu_oids_in_flight(struct emu_adapter *a)
{
	unsigned n;

	emu_lock();
	n = a->n_filter_held + (a->open ? a->open->n_held_oids : 0);
	emu_unlock();
	return n;
}

BOOLEAN emu_stack_oid_pending(struct emu_adapter *a)
{
	BOOLEAN pending;

	emu_lock();
	pending = a->stack_req_pending;
	emu_unlock();
	return pending;
}

NDIS_STATUS emu_stack_oid_status(struct emu_adapter *a)
{
	NDIS_STATUS st;

	emu_lock();
	st = a->stack_req_status;
	emu_unlock();
	return st;
}

ULONG emu_packet_filter(struct emu_adapter *a)
{
	ULONG filter;

	emu_lock();
	filter = a->packet_filter;
	emu_unlock();
	return filter;
}

unsigned emu_multicast_count(struct emu_adapter *a)
{
	unsigned n;

	emu_lock();
	n = a->n_multicast;
	emu_unlock();
	return n;
}

/* The stack's request in a->stack_req, prepared with the lock held (and
 * still held): to the filter, or to the miniport with no filter. Pending
 * from before the call: it may complete in another thread first. */
static NDIS_STATUS stack_issue_locked(struct emu_adapter *a)
{
	NDIS_OID_REQUEST *req = &a->stack_req;
	NDIS_HANDLE ctx = NULL;
	NDIS_STATUS st = NDIS_STATUS_PENDING;

	if (a->fm.state == FM_DETACHED) {
		st = a->stack_req_status = emu_apply_oid(a, req, "stack's OID");
	} else {
		ctx = a->fm.ctx;
		a->stack_req_pending = TRUE;
		a->stack_req_status = NDIS_STATUS_PENDING;
	}
	emu_unlock();
	if (!ctx) {
		emu_offload_indicate_due(a);
		return st;
	}
	st = emu.fc.OidRequestHandler(ctx, req);
	emu_lock();
	if (st != NDIS_STATUS_PENDING) {
		a->stack_req_pending = FALSE;
		a->stack_req_status = st;
	}
	emu_unlock();
	return st;
}

static void stack_req_header(NDIS_OID_REQUEST *req, NDIS_REQUEST_TYPE type)
{
	memset(req, 0, sizeof(*req));
	req->Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
	req->Header.Revision = NDIS_OID_REQUEST_REVISION_1;
	req->Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
	req->RequestType = type;
}

/* One request of the stack at a time, kept until it completes. */
static NDIS_STATUS stack_set(struct emu_adapter *a, NDIS_OID oid, const void *buf, UINT len)
{
	NDIS_OID_REQUEST *req = &a->stack_req;

	emu_lock();
	if (a->stack_req_pending || len > sizeof(a->stack_buf))
		abort(); /* a test error */
	memcpy(a->stack_buf, buf, len);
	stack_req_header(req, NdisRequestSetInformation);
	req->DATA.SET_INFORMATION.Oid = oid;
	req->DATA.SET_INFORMATION.InformationBuffer = a->stack_buf;
	req->DATA.SET_INFORMATION.InformationBufferLength = len;
	return stack_issue_locked(a);
}

NDIS_STATUS emu_stack_set_packet_filter(struct emu_adapter *a, ULONG filter)
{
	return stack_set(a, OID_GEN_CURRENT_PACKET_FILTER, &filter, sizeof(filter));
}

NDIS_STATUS emu_stack_set_rss(struct emu_adapter *a, ULONG hash_info, const UCHAR *key,
			      unsigned key_len, const UCHAR *table, unsigned table_len)
{
	UCHAR buf[1024];
	ULONG len;

	if (28 + key_len + table_len > sizeof(buf))
		abort(); /* a test error */
	len = emu_rss_build(buf, hash_info, key, key_len, table, table_len);
	return stack_set(a, OID_GEN_RECEIVE_SCALE_PARAMETERS, buf, len);
}

NDIS_STATUS emu_stack_set_offload_params(struct emu_adapter *a, unsigned enable, unsigned disable)
{
	static const unsigned field[] = {
		EMU_TXO_V4_IP_CSUM,  EMU_TXO_V4_TCP_CSUM, EMU_TXO_V4_UDP_CSUM,
		EMU_TXO_V6_TCP_CSUM, EMU_TXO_V6_UDP_CSUM, EMU_TXO_LSO1_V4,
		0 /* IPsecV1 */,     EMU_TXO_LSO2_V4,	  EMU_TXO_LSO2_V6,
	};
	NDIS_OBJECT_HEADER h = { NDIS_OBJECT_TYPE_DEFAULT, 1, 20 };
	UCHAR buf[20] = { 0 }; /* NDIS_OFFLOAD_PARAMETERS, revision 1 */

	memcpy(buf, &h, sizeof(h));
	for (unsigned i = 0; i < sizeof(field) / sizeof(field[0]); i++) {
		BOOLEAN lso = i >= 5;

		/* checksums: TX_RX_ENABLED 4, TX_RX_DISABLED 1; LSO: 2, 1 */
		if (field[i] & enable)
			buf[4 + i] = lso ? 2 : 4;
		else if (field[i] & disable)
			buf[4 + i] = 1;
	}
	return stack_set(a, OID_TCP_OFFLOAD_PARAMETERS, buf, sizeof(buf));
}

NDIS_STATUS emu_stack_set_multicast(struct emu_adapter *a, unsigned n)
{
	UCHAR list[MAX_MULTICAST][6];

	if (n > MAX_MULTICAST)
		abort(); /* a test error */
	for (unsigned i = 0; i < n; i++) {
		static const UCHAR base[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x00 };

		memcpy(list[i], base, 6);
		list[i][5] = (UCHAR)i;
	}
	return stack_set(a, OID_802_3_MULTICAST_LIST, list, n * 6);
}

/* The stack's query of @oid into its zeroed buffer, @len bytes of it. */
static NDIS_STATUS stack_query(struct emu_adapter *a, NDIS_OID oid, ULONG len)
{
	NDIS_OID_REQUEST *req = &a->stack_req;

	emu_lock();
	if (a->stack_req_pending || len > sizeof(a->stack_buf))
		abort(); /* a test error */
	memset(a->stack_buf, 0, sizeof(a->stack_buf));
	stack_req_header(req, NdisRequestQueryInformation);
	req->DATA.QUERY_INFORMATION.Oid = oid;
	req->DATA.QUERY_INFORMATION.InformationBuffer = a->stack_buf;
	req->DATA.QUERY_INFORMATION.InformationBufferLength = len;
	return stack_issue_locked(a);
}

/* The stack's statistics query, as the interface's ifHC counters ask it. */
NDIS_STATUS emu_stack_query_statistics(struct emu_adapter *a)
{
	return stack_query(a, OID_GEN_STATISTICS, sizeof(NDIS_STATISTICS_INFO));
}

BOOLEAN emu_stack_statistics(struct emu_adapter *a, NDIS_STATISTICS_INFO *out)
{
	BOOLEAN ok;

	emu_lock();
	ok = !a->stack_req_pending && a->stack_req_status == NDIS_STATUS_SUCCESS &&
	     a->stack_req.DATA.QUERY_INFORMATION.Oid == OID_GEN_STATISTICS &&
	     a->stack_req.DATA.QUERY_INFORMATION.BytesWritten >= sizeof(*out);
	if (ok)
		memcpy(out, a->stack_buf, sizeof(*out));
	emu_unlock();
	return ok;
}

/* The stack's query of a single counter OID, with a buffer of @len bytes
 * (4 or 8), and its answer once complete. */
NDIS_STATUS emu_stack_query_counter(struct emu_adapter *a, NDIS_OID oid, unsigned len)
{
	if (len != 4 && len != 8)
		abort(); /* a test error */
	return stack_query(a, oid, len);
}

BOOLEAN emu_stack_counter(struct emu_adapter *a, ULONG64 *out)
{
	UINT written;
	BOOLEAN ok;

	emu_lock();
	written = a->stack_req.DATA.QUERY_INFORMATION.BytesWritten;
	ok = !a->stack_req_pending && a->stack_req_status == NDIS_STATUS_SUCCESS &&
	     (written == 4 || written == 8);
	if (ok) {
		ULONG v32;

		if (written == 8) {
			memcpy(out, a->stack_buf, 8);
		} else {
			memcpy(&v32, a->stack_buf, 4);
			*out = v32;
		}
	}
	emu_unlock();
	return ok;
}

/* The stack's query of OID_TCP_OFFLOAD_CURRENT_CONFIG, and what its answer
 * offers once complete. */
NDIS_STATUS emu_stack_query_offload(struct emu_adapter *a)
{
	return stack_query(a, OID_TCP_OFFLOAD_CURRENT_CONFIG, sizeof(a->stack_buf));
}

BOOLEAN emu_stack_offload_answer(struct emu_adapter *a, unsigned *offloads, ULONG lso_max[2])
{
	BOOLEAN ok;

	emu_lock();
	ok = !a->stack_req_pending && a->stack_req_status == NDIS_STATUS_SUCCESS &&
	     a->stack_req.DATA.QUERY_INFORMATION.Oid == OID_TCP_OFFLOAD_CURRENT_CONFIG;
	if (ok)
		emu_offload_parse(a->stack_buf, a->stack_req.DATA.QUERY_INFORMATION.BytesWritten,
				  offloads, lso_max, NULL);
	emu_unlock();
	return ok;
}
