// SPDX-License-Identifier: BSD-2-Clause
/*
 * The protocol side of the emulation: Ndis* protocol exports, the adapters
 * and their wire, binding offers, link status and PnP removal. Binds,
 * pauses, restarts, unbinds and link changes are PnP (one at a time, as
 * NDIS serializes them, emu_pnp_begin); sends, completions, receives and
 * returns come from any thread. A binding is unbound only once no call of
 * the emulation into its handlers is under way (NDIS's references on it).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu_ctl_device.h"
#include "emu_internal.h"

static void restart_binding(struct emu_adapter *a);

#define STATUS_DEVICE_REMOVED ((NDIS_STATUS)0xC00002B6L) /* what a removed VF's sends get */

static pthread_mutex_t pnp_mu;
static pthread_once_t pnp_once = PTHREAD_ONCE_INIT;

static void pnp_init(void)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&pnp_mu, &attr);
	pthread_mutexattr_destroy(&attr);
}

void emu_pnp_begin(void)
{
	pthread_once(&pnp_once, pnp_init);
	pthread_mutex_lock(&pnp_mu);
}

void emu_pnp_end(void)
{
	pthread_mutex_unlock(&pnp_mu);
}

/* With the emulation's lock held. */
static struct emu_open *open_of(NDIS_HANDLE h, const char *call)
{
	for (struct emu_adapter *a = emu.adapters; a; a = a->next)
		if (a->open && h == a->open)
			return a->open;
	emu_violation("%s: not an open binding", call);
	abort();
}

NDIS_STATUS NTAPI NdisRegisterProtocolDriver(NDIS_HANDLE ctx,
					     PNDIS_PROTOCOL_DRIVER_CHARACTERISTICS pc,
					     PNDIS_HANDLE handle)
{
	if (pc->Header.Type != NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS ||
	    pc->Header.Revision != NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2 ||
	    pc->Header.Size != sizeof(*pc))
		emu_violation("NdisRegisterProtocolDriver: bad header");
	if (pc->MajorNdisVersion != 6 || !pc->Name.Length || !pc->BindAdapterHandlerEx ||
	    !pc->UnbindAdapterHandlerEx || !pc->OpenAdapterCompleteHandlerEx ||
	    !pc->CloseAdapterCompleteHandlerEx || !pc->NetPnPEventHandler ||
	    !pc->ReceiveNetBufferListsHandler || !pc->SendNetBufferListsCompleteHandler ||
	    !pc->OidRequestCompleteHandler)
		emu_violation("NdisRegisterProtocolDriver: a mandatory member is missing");
	emu.pc = *pc;
	emu.pc_ctx = ctx;
	emu.protocol_registered = TRUE;
	*handle = &emu.pc;
	return NDIS_STATUS_SUCCESS;
}

VOID NTAPI NdisDeregisterProtocolDriver(NDIS_HANDLE handle)
{
	if (handle != &emu.pc || !emu.protocol_registered)
		emu_violation("NdisDeregisterProtocolDriver: not registered");
	emu_lock();
	for (struct emu_adapter *a = emu.adapters; a; a = a->next)
		if (a->open)
			emu_violation("NdisDeregisterProtocolDriver with %s still bound", a->name);
	emu_unlock();
	emu.protocol_registered = FALSE;
}

NDIS_STATUS NTAPI NdisOpenAdapterEx(NDIS_HANDLE protocol, NDIS_HANDLE ctx, PNDIS_OPEN_PARAMETERS op,
				    NDIS_HANDLE bind_ctx, PNDIS_HANDLE binding)
{
	struct emu_adapter *a = bind_ctx;
	struct emu_open *o;
	BOOLEAN ethernet = FALSE;

	emu_unlocked("NdisOpenAdapterEx");
	if (protocol != &emu.pc)
		emu_violation("NdisOpenAdapterEx: not our protocol handle");
	if (op->Header.Type != NDIS_OBJECT_TYPE_OPEN_PARAMETERS ||
	    op->Header.Size != NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1)
		emu_violation("NdisOpenAdapterEx: bad header");
	for (UINT i = 0; i < op->MediumArraySize; i++)
		if (op->MediumArray[i] == NdisMedium802_3) {
			*op->SelectedMediumIndex = i;
			ethernet = TRUE;
		}
	if (!ethernet)
		return NDIS_STATUS_UNSUPPORTED_MEDIA;
	o = calloc(1, sizeof(*o));
	if (!o)
		abort();
	o->adapter = a;
	o->ctx = ctx;
	o->paused = TRUE; /* Paused once open: NDIS restarts it after the bind */
	emu_lock();
	if (a->open)
		emu_violation("NdisOpenAdapterEx: %s already bound", a->name);
	o->opening = emu.pend_open_close; /* then emu_complete_open() finishes it */
	a->open = o;
	emu_unlock();
	*binding = o;
	return o->opening ? NDIS_STATUS_PENDING : NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NTAPI NdisCloseAdapterEx(NDIS_HANDLE binding)
{
	struct emu_open *o;

	emu_unlocked("NdisCloseAdapterEx");
	emu_lock();
	o = open_of(binding, "NdisCloseAdapterEx");
	if (o->tx_out || o->adapter->rx_out || o->n_held_oids)
		emu_violation("NdisCloseAdapterEx on %s with %ld sends, %u receives, %u OIDs out",
			      o->adapter->name, o->tx_out, o->adapter->rx_out, o->n_held_oids);
	if (emu.pend_open_close) /* completed by the unplug */
		o->closing = TRUE;
	else
		o->closed = TRUE;
	emu_unlock();
	return o->closing ? NDIS_STATUS_PENDING : NDIS_STATUS_SUCCESS;
}

VOID NTAPI NdisCompleteBindAdapterEx(NDIS_HANDLE bind_ctx, NDIS_STATUS status)
{
	struct emu_adapter *a = bind_ctx;

	emu_unlocked("NdisCompleteBindAdapterEx");
	emu_lock();
	if (!a->bind_pending) {
		emu_violation("NdisCompleteBindAdapterEx: no bind of %s pending", a->name);
	} else {
		a->bind_pending = FALSE;
		a->bind_status = status;
	}
	emu_unlock();
}

VOID NTAPI NdisCompleteUnbindAdapterEx(NDIS_HANDLE unbind_ctx)
{
	struct emu_open *o;

	emu_unlocked("NdisCompleteUnbindAdapterEx");
	emu_lock();
	o = open_of(unbind_ctx, "NdisCompleteUnbindAdapterEx");
	if (!o->adapter->unbind_pending)
		emu_violation("NdisCompleteUnbindAdapterEx: no unbind of %s pending",
			      o->adapter->name);
	o->adapter->unbind_pending = FALSE;
	emu_unlock();
}

/* With the emulation's lock held. The receives of calls under way may
 * still reach the driver: they count once those calls returned. */
static void check_binding_paused(struct emu_open *o, const char *how)
{
	struct emu_adapter *a = o->adapter;

	if (o->tx_out || a->rx_out - a->rx_in_call)
		emu_violation("%s on %s with %ld sends and %u receives out", how, a->name,
			      o->tx_out, a->rx_out - a->rx_in_call);
	o->paused = TRUE;
	emu_changed();
}

VOID NTAPI NdisCompleteNetPnPEvent(NDIS_HANDLE binding, PNET_PNP_EVENT_NOTIFICATION event,
				   NDIS_STATUS status)
{
	struct emu_open *o;

	(void)event;
	(void)status;
	emu_unlocked("NdisCompleteNetPnPEvent");
	emu_lock();
	o = open_of(binding, "NdisCompleteNetPnPEvent");
	if (!o->pausing || o->paused)
		emu_violation("NdisCompleteNetPnPEvent: no pause pending on %s", o->adapter->name);
	check_binding_paused(o, "NdisCompleteNetPnPEvent");
	emu_unlock();
}

/* Re-enumeration happens after the call that asked for it, as in NDIS
 * (asynchronously, never inside the driver's own handler). */
VOID NTAPI NdisReEnumerateProtocolBindings(NDIS_HANDLE protocol)
{
	if (protocol != &emu.pc)
		emu_violation("NdisReEnumerateProtocolBindings: not our protocol handle");
	emu_lock();
	emu.reenumerate = TRUE;
	emu_unlock();
}

void emu_process_reenumerate(void)
{
	emu_pnp_begin();
	for (;;) {
		struct emu_adapter *offer = NULL;

		emu_lock();
		if (emu.reenumerate) {
			emu.reenumerate = FALSE;
			for (struct emu_adapter *a = emu.adapters; a; a = a->next)
				a->offer_due = a->kind == EMU_VF && !a->open && !a->gone;
		}
		for (struct emu_adapter *a = emu.adapters; a && !offer; a = a->next)
			if (a->offer_due)
				offer = a;
		if (offer)
			offer->offer_due = FALSE;
		emu_unlock();
		if (!offer)
			break;
		emu_offer(offer);
	}
	emu_pnp_end();
}

VOID NTAPI NdisSendNetBufferLists(NDIS_HANDLE binding, PNET_BUFFER_LIST l, NDIS_PORT_NUMBER port,
				  ULONG flags)
{
	struct emu_open *o;

	(void)port;
	(void)flags;
	emu_unlocked("NdisSendNetBufferLists");
	emu_lock();
	o = open_of(binding, "NdisSendNetBufferLists");
	/* A send that crosses the pause handler's call is the driver's to
	 * wait for there: once the handler returned, none may start. */
	if (o->pause_told || o->paused || o->closed || o->opening || o->closing)
		emu_violation("NdisSendNetBufferLists on %s binding of %s",
			      o->closed || o->closing ? "a closed"
			      : o->opening	      ? "a not yet open"
						      : "a paused",
			      o->adapter->name);
	for (PNET_BUFFER_LIST n = l; n; n = n->Next)
		o->tx_out++;
	emu_unlock();
	for (PNET_BUFFER_LIST n = l, next; n; n = next) {
		struct emu_nbl *e = emu_nbl_of(n, "NdisSendNetBufferLists");

		next = n->Next;
		n->Next = NULL;
		if (!emu_nbl_driver_owned(e))
			emu_violation("NdisSendNetBufferLists: an NBL the driver does not own");
		if (e->nbl.SourceHandle != binding)
			emu_violation("NdisSendNetBufferLists: SourceHandle is not the binding");
		emu_push(e, HOP_BINDING, o);
		emu_transmit(o->adapter, e);
	}
}

VOID NTAPI NdisReturnNetBufferLists(NDIS_HANDLE binding, PNET_BUFFER_LIST l, ULONG flags)
{
	struct emu_open *o;

	(void)flags;
	emu_unlocked("NdisReturnNetBufferLists");
	emu_lock();
	o = open_of(binding, "NdisReturnNetBufferLists");
	for (PNET_BUFFER_LIST n = l, next; n; n = next) {
		struct emu_nbl *e = emu_nbl_of(n, "NdisReturnNetBufferLists");

		next = n->Next;
		emu_check_source(e, "NdisReturnNetBufferLists");
		if (e->resources) {
			emu_violation("NdisReturnNetBufferLists: an NBL indicated with RESOURCES");
			continue;
		}
		if (!emu_pop(e, HOP_MINIPORT, o->adapter, "NdisReturnNetBufferLists"))
			continue;
		o->adapter->rx_out--;
		if (e->in_call) { /* its call ends it (emu_indicate) */
			o->adapter->rx_in_call--;
			e->returned = TRUE;
			continue;
		}
		emu_nbl_retire(e);
	}
	emu_changed();
	emu_unlock();
}

/* ---- the wire */

/* A completion to a binding counts as a call into it until its handler
 * returned: the binding is not unbound under it. */
void emu_complete_transmit(struct emu_adapter *a, struct emu_nbl *e, NDIS_STATUS st)
{
	struct emu_open *o = NULL;
	struct emu_filter_module *fm = NULL;
	NDIS_HANDLE ctx = NULL;

	emu_lock();
	e->nbl.Status = st;
	if (st == NDIS_STATUS_SUCCESS && !emu_nbl_own_frame(e))
		a->tx_frames++; /* the stack's: announcements are counted apart */
	emu_stats_tx(a, &e->nbl, st);
	if (e->hops && e->hop[e->hops - 1].kind == HOP_FILTER) {
		fm = e->hop[e->hops - 1].who;
		e->hops--;
		fm->calls++;
		ctx = fm->ctx;
	} else if (e->hops && e->hop[e->hops - 1].kind == HOP_BINDING) {
		o = e->hop[e->hops - 1].who;
		e->hops--;
		o->tx_out--;
		o->calls++;
		ctx = o->ctx;
	} else {
		emu_violation("a send with no sender to complete to");
	}
	emu_unlock();
	if (fm) {
		emu.fc.SendNetBufferListsCompleteHandler(ctx, &e->nbl, 0);
		emu_fm_call_done(fm);
	} else if (o) {
		emu.pc.SendNetBufferListsCompleteHandler(ctx, &e->nbl, 0);
		emu_lock();
		o->calls--;
		emu_changed();
		emu_unlock();
	}
}

void emu_transmit(struct emu_adapter *a, struct emu_nbl *e)
{
	NDIS_STATUS st = NDIS_STATUS_SUCCESS;
	emu_tx_fn wire;
	void *wire_arg;

	emu_lock();
	if (emu_nbl_own_frame(e))
		emu_check_own_frame(a, e);
	emu_check_offloads(a, e);
	if (a->gone || a->surprise) {
		st = STATUS_DEVICE_REMOVED;
	} else if (a->hold_tx && a->n_in_flight < sizeof(a->in_flight) / sizeof(a->in_flight[0])) {
		/* held while there is room; the rest goes out at once */
		a->in_flight[a->n_in_flight++] = e;
		emu_unlock();
		return;
	}
	wire = st == NDIS_STATUS_SUCCESS ? a->wire_tx : NULL;
	wire_arg = a->wire_arg;
	emu_unlock();
	if (wire) { /* a real wire: it took the frame or says why not */
		ULONG len;
		const UCHAR *frame = emu_nbl_bytes(&e->nbl, &len);

		st = wire(wire_arg, frame, len);
	}
	emu_complete_transmit(a, e, st);
}

/* Complete what @a holds in flight, in order, with @st. */
static void flush_tx(struct emu_adapter *a, NDIS_STATUS st)
{
	for (;;) {
		struct emu_nbl *e = NULL;

		emu_lock();
		if (a->n_in_flight) {
			e = a->in_flight[0];
			memmove(a->in_flight, a->in_flight + 1, --a->n_in_flight * sizeof(e));
		}
		emu_unlock();
		if (!e)
			return;
		emu_complete_transmit(a, e, st);
	}
}

void emu_hold_tx(struct emu_adapter *a, BOOLEAN hold)
{
	emu_lock();
	a->hold_tx = hold;
	emu_unlock();
	if (!hold)
		flush_tx(a, NDIS_STATUS_SUCCESS);
}

unsigned emu_tx_frames(struct emu_adapter *a)
{
	unsigned n;

	emu_lock();
	n = a->tx_frames;
	emu_unlock();
	return n;
}

unsigned emu_tx_in_flight(struct emu_adapter *a)
{
	unsigned n = 0;

	emu_lock();
	for (unsigned i = 0; i < a->n_in_flight; i++)
		n += !emu_nbl_own_frame(a->in_flight[i]); /* the stack's */
	emu_unlock();
	return n;
}

unsigned emu_rx_outstanding(struct emu_adapter *a)
{
	unsigned n;

	emu_lock();
	n = a->rx_out;
	emu_unlock();
	return n;
}

void emu_receive_burst(struct emu_adapter *a, const UCHAR (*dst)[6], unsigned n, BOOLEAN resources)
{
	struct emu_nbl *e[EMU_MAX_BURST];

	if (n == 0 || n > EMU_MAX_BURST)
		abort(); /* a test error */
	for (unsigned i = 0; i < n; i++)
		e[i] = emu_nbl_new(&a->rx_pool, a, 0, dst[i]);
	emu_indicate(a, e, n, resources);
}

/* The NBLs of a receive with RESOURCES are the miniport's again when the
 * handler returned: counted out (rx_out) only those that may pend. The
 * filter module's receive handler may run while it pauses (NDIS calls it
 * then, the driver returns them); a binding's only while it is not paused,
 * and a call into it keeps it from being unbound. */
void emu_indicate(struct emu_adapter *a, struct emu_nbl **e, unsigned n, BOOLEAN resources)
{
	ULONG flags = resources ? NDIS_RECEIVE_FLAGS_RESOURCES : 0;
	BOOLEAN keep = resources;
	struct emu_open *o = NULL;
	NDIS_HANDLE fctx = NULL;

	emu_lock();
	if (a->kind == EMU_STANDBY && a->fm.state == FM_RUNNING) {
		fctx = a->fm.ctx;
		a->fm.calls++;
	} else if (a->kind == EMU_STANDBY) { /* no filter: straight to the stack */
		a->stack_received += n;
		keep = TRUE;
	} else if (a->open && !a->open->opening && !a->open->paused && !a->open->closed) {
		o = a->open;
		o->calls++;
		for (unsigned i = 0; i < n && !resources; i++)
			e[i]->in_call = TRUE;
		a->rx_in_call += resources ? 0 : n;
	} else {
		keep = TRUE; /* nobody above: the miniport keeps them */
	}
	for (unsigned i = 0; i < n; i++) {
		emu_push(e[i], HOP_MINIPORT, a);
		emu_stats_rx(a, &e[i]->nbl);
		e[i]->resources = resources;
		if (!keep) /* handed on, may pend */
			a->rx_out++;
		if (i)
			e[i - 1]->nbl.Next = &e[i]->nbl;
	}
	emu_unlock();
	if (fctx) {
		emu.fc.ReceiveNetBufferListsHandler(fctx, &e[0]->nbl, 0, n, flags);
		emu_fm_call_done(&a->fm);
	}
	if (o)
		emu.pc.ReceiveNetBufferListsHandler(o->ctx, &e[0]->nbl, 0, n, flags);
	emu_lock();
	for (unsigned i = 0; o && !resources && i < n; i++) {
		e[i]->in_call = FALSE;
		if (e[i]->returned) {
			emu_nbl_retire(e[i]);
			continue;
		}
		a->rx_in_call--; /* kept: out like any other */
		if (o->paused)	 /* the pause completed meanwhile */
			emu_violation("%s: a receive kept after its pause completed", a->name);
	}
	if (o) {
		o->calls--;
		emu_changed();
	}
	for (unsigned i = 0; keep && i < n; i++) {
		if (e[i]->nbl.Next != (i + 1 < n ? &e[i + 1]->nbl : NULL))
			emu_violation("receive with RESOURCES: the chain was not restored");
		if (e[i]->hops != 1 || e[i]->hop[0].kind != HOP_MINIPORT)
			emu_violation("receive with RESOURCES: an NBL was kept or returned");
		e[i]->hops = 0;
		e[i]->nbl.Next = NULL;
		emu_nbl_retire(e[i]);
	}
	emu_unlock();
}

void emu_receive(struct emu_adapter *a, const UCHAR dst[6], BOOLEAN resources)
{
	emu_receive_burst(a, (const UCHAR(*)[6])dst, 1, resources);
}

/* ---- adapters, bindings, PnP */

struct emu_adapter *emu_adapter_new(const char *name, const UCHAR mac[6], enum emu_kind kind)
{
	static WCHAR ifname[] = u"\\DEVICE\\{emu}";
	struct emu_adapter *a = calloc(1, sizeof(*a));

	if (!a)
		abort();
	a->name = name;
	a->kind = kind;
	memcpy(a->mac, mac, 6);
	a->pci_vendor = kind == EMU_STANDBY ? 0x1af4 : 0x8086;
	a->pci_device = kind == EMU_STANDBY ? 0x1041 : 0x1889;
	a->attach_revision = 3;
	a->mtu = 1500;
	emu_offload_init(a);
	a->rss_caps_flags = 0x700; /* NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV4, _IPV6, _IPV6_EX */
	a->ifname.Buffer = ifname;
	a->ifname.Length = sizeof(ifname) - 2;
	a->ifname.MaximumLength = sizeof(ifname);
	emu_lock();
	a->next = emu.adapters;
	emu.adapters = a;
	emu_unlock();
	return a;
}

void emu_adapter_set_mtu(struct emu_adapter *a, ULONG mtu)
{
	emu_lock();
	a->mtu = mtu;
	emu_unlock();
}

/* Nothing may use @a any more (a test's duty). */
void emu_adapter_free(struct emu_adapter *a)
{
	emu_lock();
	for (struct emu_adapter **p = &emu.adapters; *p; p = &(*p)->next)
		if (*p == a) {
			*p = a->next;
			break;
		}
	emu_unlock();
	free(a->open);
	free(a);
}

NDIS_STATUS emu_offer(struct emu_adapter *a)
{
	NDIS_BIND_PARAMETERS bp;
	NDIS_STATUS st;

	memset(&bp, 0, sizeof(bp));
	bp.Header.Type = NDIS_OBJECT_TYPE_BIND_PARAMETERS;
	bp.Header.Size = sizeof(bp);
	bp.AdapterName = &a->ifname;
	bp.PhysicalDeviceObject = &a->pdo;
	bp.MediaType = NdisMedium802_3;
	bp.MacAddressLength = 6;
	memcpy(bp.CurrentMacAddress, a->mac, 6);
	emu_pnp_begin();
	emu_lock();
	bp.MtuSize = a->mtu;
	bp.DefaultOffloadConfiguration = a->offload;
	bp.RcvScaleCapabilities = emu_rss_caps_locked(a);
	bp.MediaConnectState =
		a->link_down ? MediaConnectStateDisconnected : MediaConnectStateConnected;
	emu_unlock();
	st = emu.pc.BindAdapterHandlerEx(emu.pc_ctx, a, &bp);
	if (st == NDIS_STATUS_PENDING) {
		emu_lock();
		if (!a->open || !a->open->opening)
			emu_violation("bind of %s pended without a pended open", a->name);
		a->bind_pending = TRUE;
		emu_unlock();
		emu_pnp_end();
		return st;
	}
	emu_lock();
	if (st == NDIS_STATUS_SUCCESS && !a->open)
		emu_violation("bind of %s succeeded without NdisOpenAdapterEx", a->name);
	if (st != NDIS_STATUS_SUCCESS && a->open) {
		emu_violation("bind of %s failed but left the adapter open", a->name);
	}
	emu_unlock();
	if (st == NDIS_STATUS_SUCCESS && a->open)
		restart_binding(a);
	emu_pnp_end();
	return st;
}

BOOLEAN emu_bound(struct emu_adapter *a)
{
	BOOLEAN bound;

	emu_lock();
	bound = a->open && !a->open->opening && !a->open->closed;
	emu_unlock();
	return bound;
}

void emu_pend_open_close(BOOLEAN pend)
{
	emu_lock();
	emu.pend_open_close = pend;
	emu_unlock();
}

BOOLEAN emu_open_pending(struct emu_adapter *a)
{
	BOOLEAN pending;

	emu_lock();
	pending = a->open && a->open->opening;
	emu_unlock();
	return pending;
}

void emu_complete_open(struct emu_adapter *a, NDIS_STATUS st)
{
	struct emu_open *o;

	emu_pnp_begin();
	emu_lock();
	o = a->open;
	if (!o || !o->opening)
		abort(); /* a test error: no open pending */
	o->opening = FALSE;
	emu_unlock();
	emu.pc.OpenAdapterCompleteHandlerEx(o->ctx, st);
	emu_lock();
	if (a->bind_pending)
		emu_violation("the open of %s completed, its bind did not", a->name);
	else if (a->bind_status != st)
		emu_violation("the bind of %s completed with %#x, its open with %#x", a->name,
			      (unsigned)a->bind_status, (unsigned)st);
	if (st != NDIS_STATUS_SUCCESS)
		a->open = NULL;
	emu_unlock();
	if (st != NDIS_STATUS_SUCCESS)
		free(o);
	else
		restart_binding(a);
	emu_pnp_end();
}

void emu_link(struct emu_adapter *a, BOOLEAN up)
{
	NDIS_LINK_STATE ls;
	NDIS_STATUS_INDICATION si;
	NDIS_HANDLE ctx = NULL;

	emu_pnp_begin();
	emu_lock();
	a->link_down = !up;
	if (a->open && !a->open->closed)
		ctx = a->open->ctx;
	emu_unlock();
	memset(&ls, 0, sizeof(ls));
	memset(&si, 0, sizeof(si));
	ls.MediaConnectState = up ? MediaConnectStateConnected : MediaConnectStateDisconnected;
	si.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
	si.Header.Size = sizeof(si);
	si.SourceHandle = a;
	si.StatusCode = NDIS_STATUS_LINK_STATE;
	si.StatusBuffer = &ls;
	si.StatusBufferSize = sizeof(ls);
	if (ctx)
		emu.pc.StatusHandlerEx(ctx, &si);
	if (a->kind == EMU_STANDBY)
		emu_stack_status(a, &si);
	emu_pnp_end();
}

/* While a pause pends: the miniport completes its sends and OID requests,
 * the stacks return the receives they hold, */
static void finish_outstanding(struct emu_adapter *a)
{
	/* and what the driver asks when those are back (the VF's last statistics) */
	for (int round = 0; round < 2; round++) {
		struct emu_adapter *standbys[16];
		unsigned n = 0;

		flush_tx(a, NDIS_STATUS_SUCCESS);
		emu_complete_oids(a);
		emu_lock();
		for (struct emu_adapter *sb = emu.adapters; sb && n < 16; sb = sb->next)
			if (sb->kind == EMU_STANDBY)
				standbys[n++] = sb;
		emu_unlock();
		for (unsigned i = 0; i < n; i++)
			emu_stack_return(standbys[i]);
	}
}

/* How long a pause may take to complete once what it waits for came back
 * (another thread may still be inside a handler of the driver's). */
#define PAUSE_WAIT_MS 5000

/* NetEventPause on @a's binding; while it pends, what it waits for comes
 * back, until it completes (in any thread) or PAUSE_WAIT_MS pass. */
static void pause_binding(struct emu_adapter *a)
{
	struct emu_open *o;
	NET_PNP_EVENT_NOTIFICATION ev;
	NDIS_STATUS st;
	BOOLEAN paused;

	memset(&ev, 0, sizeof(ev));
	ev.NetPnPEvent.NetEvent = NetEventPause;
	emu_lock();
	o = a->open;
	o->pausing = TRUE;
	emu_unlock();
	st = emu.pc.NetPnPEventHandler(o->ctx, &ev);
	emu_lock();
	o->pause_told = TRUE;
	if (st == NDIS_STATUS_SUCCESS)
		check_binding_paused(o, "NetEventPause returning success");
	else if (st != NDIS_STATUS_PENDING)
		emu_violation("NetEventPause returned %#x", (unsigned)st);
	for (unsigned waited = 0; !o->paused && waited < PAUSE_WAIT_MS; waited += 10) {
		emu_unlock();
		finish_outstanding(a);
		emu_lock();
		if (!o->paused)
			emu_wait(10);
	}
	paused = o->paused;
	emu_unlock();
	if (!paused)
		emu_violation("the pause of %s never completed", a->name);
}

void emu_binding_pause(struct emu_adapter *a)
{
	BOOLEAN running;

	emu_pnp_begin();
	emu_lock();
	running = a->open && !a->open->closed && !a->open->pausing;
	emu_unlock();
	if (!running)
		abort(); /* a test error: pause a running binding */
	pause_binding(a);
	emu_pnp_end();
}

void emu_binding_restart(struct emu_adapter *a)
{
	emu_pnp_begin();
	restart_binding(a);
	emu_pnp_end();
}

/* NetEventRestart: after each bind, and after a pause that is not an unbind. */
static void restart_binding(struct emu_adapter *a)
{
	struct emu_open *o;
	NET_PNP_EVENT_NOTIFICATION ev;
	NDIS_PROTOCOL_RESTART_PARAMETERS rp;
	struct {
		NDIS_RESTART_ATTRIBUTES head;
		NDIS_RESTART_GENERAL_ATTRIBUTES general;
	} attrs; /* the miniport's, with its MTU now */

	emu_lock();
	o = a->open;
	if (!o || !o->paused || o->closed)
		abort(); /* a test error: restart a paused binding */
	o->pausing = o->paused = o->pause_told = FALSE;
	memset(&rp, 0, sizeof(rp));
	memset(&attrs, 0, sizeof(attrs));
	attrs.head.Oid = OID_GEN_MINIPORT_RESTART_ATTRIBUTES;
	attrs.head.DataLength = sizeof(attrs.general);
	attrs.general.MtuSize = a->mtu;
	memcpy(attrs.head.Data, &attrs.general, sizeof(attrs.general));
	rp.RestartAttributes = &attrs.head;
	emu_unlock();
	memset(&ev, 0, sizeof(ev));
	ev.NetPnPEvent.NetEvent = NetEventRestart;
	ev.NetPnPEvent.Buffer = &rp;
	ev.NetPnPEvent.BufferLength = sizeof(rp);
	if (emu.pc.NetPnPEventHandler(o->ctx, &ev) != NDIS_STATUS_SUCCESS)
		emu_violation("NetEventRestart of %s did not succeed", a->name);
}

BOOLEAN emu_binding_paused(struct emu_adapter *a)
{
	BOOLEAN paused;

	emu_lock();
	paused = a->open && a->open->paused && !a->open->closed;
	emu_unlock();
	return paused;
}

void emu_unplug(struct emu_adapter *a, BOOLEAN surprise)
{
	struct emu_open *o;
	NDIS_STATUS st;

	emu_pnp_begin();
	if (surprise) { /* the device is gone: what it had in flight fails */
		emu_lock();
		a->surprise = TRUE;
		emu_unlock();
		flush_tx(a, STATUS_DEVICE_REMOVED);
	}
	emu_lock();
	o = a->open && !a->open->closed ? a->open : NULL;
	emu_unlock();
	if (o) {
		emu_lock();
		if (!o->paused) {
			emu_unlock();
			pause_binding(a);
			emu_lock();
		}
		while (o->calls) /* NDIS's references: no handler of it runs */
			emu_wait(10);
		emu_unlock();
		st = emu.pc.UnbindAdapterHandlerEx(o, o->ctx);
		emu_lock();
		if (st == NDIS_STATUS_PENDING && o->closing) { /* the close completes now */
			a->unbind_pending = TRUE;
			o->closing = FALSE;
			o->closed = TRUE;
			emu_unlock();
			emu.pc.CloseAdapterCompleteHandlerEx(o->ctx);
			emu_lock();
			if (a->unbind_pending)
				emu_violation("the close of %s completed, its unbind did not",
					      a->name);
		} else if (st != NDIS_STATUS_SUCCESS || !o->closed) {
			emu_violation("unbind of %s did not close the binding", a->name);
		}
		a->open = NULL;
		emu_unlock();
		free(o);
	}
	emu_lock();
	a->gone = TRUE;
	emu_unlock();
	emu_pnp_end();
	emu_process_reenumerate();
}

/* ---- the driver */

NTSTATUS emu_load_driver(void)
{
	static WCHAR path[] = u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\sriovfo";
	static UNICODE_STRING registry = { sizeof(path) - 2, sizeof(path), path };

	memset(&emu.driver, 0, sizeof(emu.driver));
	emu.registry_path = &registry;
	emu.pend_open_close = FALSE;
	return DriverEntry(&emu.driver, &registry);
}

void emu_unload_driver(void)
{
	if (!emu.driver.DriverUnload)
		emu_violation("DriverEntry set no unload routine");
	else
		emu.driver.DriverUnload(&emu.driver);
	if (emu.filter_registered || emu.protocol_registered)
		emu_violation("unload left the filter or the protocol registered");
	if (emu_ctl_registered())
		emu_violation("unload left the control device registered");
	emu_free_graveyard();
}
