// SPDX-License-Identifier: BSD-2-Clause
/*
 * The protocol side of the emulation: Ndis* protocol exports, the adapters
 * and their wire, binding offers, link status and PnP removal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu_ctl_device.h"
#include "emu_internal.h"

#define STATUS_DEVICE_REMOVED ((NDIS_STATUS)0xC00002B6L) /* what a removed VF's sends get */

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
	for (struct emu_adapter *a = emu.adapters; a; a = a->next)
		if (a->open)
			emu_violation("NdisDeregisterProtocolDriver with %s still bound", a->name);
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
	if (a->open)
		emu_violation("NdisOpenAdapterEx: %s already bound", a->name);
	o = calloc(1, sizeof(*o));
	if (!o)
		abort();
	o->adapter = a;
	o->ctx = ctx;
	a->open = o;
	*binding = o;
	if (emu.pend_open_close) { /* emu_complete_open() finishes it */
		o->opening = TRUE;
		return NDIS_STATUS_PENDING;
	}
	return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NTAPI NdisCloseAdapterEx(NDIS_HANDLE binding)
{
	struct emu_open *o = open_of(binding, "NdisCloseAdapterEx");

	emu_unlocked("NdisCloseAdapterEx");
	if (o->tx_out || o->adapter->rx_out || o->n_held_oids)
		emu_violation("NdisCloseAdapterEx on %s with %ld sends, %u receives, %u OIDs out",
			      o->adapter->name, o->tx_out, o->adapter->rx_out, o->n_held_oids);
	if (emu.pend_open_close) { /* completed by the unplug */
		o->closing = TRUE;
		return NDIS_STATUS_PENDING;
	}
	o->closed = TRUE;
	return NDIS_STATUS_SUCCESS;
}

VOID NTAPI NdisCompleteBindAdapterEx(NDIS_HANDLE bind_ctx, NDIS_STATUS status)
{
	struct emu_adapter *a = bind_ctx;

	emu_unlocked("NdisCompleteBindAdapterEx");
	if (!a->bind_pending) {
		emu_violation("NdisCompleteBindAdapterEx: no bind of %s pending", a->name);
		return;
	}
	a->bind_pending = FALSE;
	a->bind_status = status;
}

VOID NTAPI NdisCompleteUnbindAdapterEx(NDIS_HANDLE unbind_ctx)
{
	struct emu_open *o = open_of(unbind_ctx, "NdisCompleteUnbindAdapterEx");

	emu_unlocked("NdisCompleteUnbindAdapterEx");
	if (!o->adapter->unbind_pending)
		emu_violation("NdisCompleteUnbindAdapterEx: no unbind of %s pending",
			      o->adapter->name);
	o->adapter->unbind_pending = FALSE;
}

static void check_binding_paused(struct emu_open *o, const char *how)
{
	if (o->tx_out || o->adapter->rx_out)
		emu_violation("%s on %s with %ld sends and %u receives out", how, o->adapter->name,
			      o->tx_out, o->adapter->rx_out);
	o->paused = TRUE;
}

VOID NTAPI NdisCompleteNetPnPEvent(NDIS_HANDLE binding, PNET_PNP_EVENT_NOTIFICATION event,
				   NDIS_STATUS status)
{
	struct emu_open *o = open_of(binding, "NdisCompleteNetPnPEvent");

	(void)event;
	(void)status;
	emu_unlocked("NdisCompleteNetPnPEvent");
	if (!o->pausing || o->paused)
		emu_violation("NdisCompleteNetPnPEvent: no pause pending on %s", o->adapter->name);
	check_binding_paused(o, "NdisCompleteNetPnPEvent");
}

/* Re-enumeration happens after the call that asked for it, as in NDIS
 * (asynchronously, never inside the driver's own handler). */
VOID NTAPI NdisReEnumerateProtocolBindings(NDIS_HANDLE protocol)
{
	if (protocol != &emu.pc)
		emu_violation("NdisReEnumerateProtocolBindings: not our protocol handle");
	emu.reenumerate = TRUE;
}

void emu_process_reenumerate(void)
{
	if (!emu.reenumerate)
		return;
	emu.reenumerate = FALSE;
	for (struct emu_adapter *a = emu.adapters; a; a = a->next)
		if (a->kind == EMU_VF && !a->open && !a->gone)
			emu_offer(a);
}

VOID NTAPI NdisSendNetBufferLists(NDIS_HANDLE binding, PNET_BUFFER_LIST l, NDIS_PORT_NUMBER port,
				  ULONG flags)
{
	struct emu_open *o = open_of(binding, "NdisSendNetBufferLists");

	(void)port;
	(void)flags;
	emu_unlocked("NdisSendNetBufferLists");
	if (o->pausing || o->paused || o->closed || o->opening || o->closing)
		emu_violation("NdisSendNetBufferLists on %s binding of %s",
			      o->closed || o->closing ? "a closed"
			      : o->opening	      ? "a not yet open"
						      : "a paused",
			      o->adapter->name);
	for (PNET_BUFFER_LIST n = l, next; n; n = next) {
		struct emu_nbl *e = emu_nbl_of(n, "NdisSendNetBufferLists");

		next = n->Next;
		n->Next = NULL;
		if (!emu_nbl_driver_owned(e))
			emu_violation("NdisSendNetBufferLists: an NBL the driver does not own");
		if (e->nbl.SourceHandle != binding)
			emu_violation("NdisSendNetBufferLists: SourceHandle is not the binding");
		emu_push(e, HOP_BINDING, o);
		o->tx_out++;
		emu_transmit(o->adapter, e);
	}
}

VOID NTAPI NdisReturnNetBufferLists(NDIS_HANDLE binding, PNET_BUFFER_LIST l, ULONG flags)
{
	struct emu_open *o = open_of(binding, "NdisReturnNetBufferLists");

	(void)flags;
	emu_unlocked("NdisReturnNetBufferLists");
	for (PNET_BUFFER_LIST n = l, next; n; n = next) {
		struct emu_nbl *e = emu_nbl_of(n, "NdisReturnNetBufferLists");

		next = n->Next;
		emu_check_source(e, "NdisReturnNetBufferLists");
		if (!emu_pop(e, HOP_MINIPORT, o->adapter, "NdisReturnNetBufferLists"))
			continue;
		o->adapter->rx_out--;
		emu_nbl_retire(e);
	}
}

/* ---- the wire */

void emu_complete_transmit(struct emu_adapter *a, struct emu_nbl *e, NDIS_STATUS st)
{
	e->nbl.Status = st;
	if (st == NDIS_STATUS_SUCCESS && !emu_nbl_own_frame(e))
		a->tx_frames++; /* the stack's: announcements are counted apart */
	emu_stats_tx(a, &e->nbl, st);
	if (e->hops && e->hop[e->hops - 1].kind == HOP_FILTER) {
		struct emu_filter_module *fm = e->hop[e->hops - 1].who;

		e->hops--;
		emu.fc.SendNetBufferListsCompleteHandler(fm->ctx, &e->nbl, 0);
	} else if (e->hops && e->hop[e->hops - 1].kind == HOP_BINDING) {
		struct emu_open *o = e->hop[e->hops - 1].who;

		e->hops--;
		o->tx_out--;
		emu.pc.SendNetBufferListsCompleteHandler(o->ctx, &e->nbl, 0);
	} else {
		emu_violation("a send with no sender to complete to");
	}
}

void emu_transmit(struct emu_adapter *a, struct emu_nbl *e)
{
	if (emu_nbl_own_frame(e))
		emu_check_own_frame(a, e);
	if (a->gone || a->surprise) {
		emu_complete_transmit(a, e, STATUS_DEVICE_REMOVED);
		return;
	}
	if (a->hold_tx) {
		a->in_flight[a->n_in_flight++] = e;
		return;
	}
	if (a->wire_tx) { /* a real wire: it took the frame or says why not */
		ULONG len;
		const UCHAR *frame = emu_nbl_bytes(&e->nbl, &len);

		emu_complete_transmit(a, e, a->wire_tx(a->wire_arg, frame, len));
		return;
	}
	emu_complete_transmit(a, e, NDIS_STATUS_SUCCESS);
}

static void flush_tx(struct emu_adapter *a, NDIS_STATUS st)
{
	while (a->n_in_flight) {
		struct emu_nbl *e = a->in_flight[0];

		memmove(a->in_flight, a->in_flight + 1, --a->n_in_flight * sizeof(e));
		emu_complete_transmit(a, e, st);
	}
}

void emu_hold_tx(struct emu_adapter *a, BOOLEAN hold)
{
	a->hold_tx = hold;
	if (!hold)
		flush_tx(a, NDIS_STATUS_SUCCESS);
}

unsigned emu_tx_frames(struct emu_adapter *a)
{
	return a->tx_frames;
}

unsigned emu_tx_in_flight(struct emu_adapter *a)
{
	unsigned n = 0;

	for (unsigned i = 0; i < a->n_in_flight; i++)
		n += !emu_nbl_own_frame(a->in_flight[i]); /* the stack's */
	return n;
}

unsigned emu_rx_outstanding(struct emu_adapter *a)
{
	return a->rx_out;
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

void emu_indicate(struct emu_adapter *a, struct emu_nbl **e, unsigned n, BOOLEAN resources)
{
	ULONG flags = resources ? NDIS_RECEIVE_FLAGS_RESOURCES : 0;
	BOOLEAN keep = resources;

	for (unsigned i = 0; i < n; i++) {
		emu_push(e[i], HOP_MINIPORT, a);
		emu_stats_rx(a, &e[i]->nbl);
		a->rx_out++;
		if (i)
			e[i - 1]->nbl.Next = &e[i]->nbl;
	}
	if (a->kind == EMU_STANDBY && a->fm.state == FM_RUNNING) {
		emu.fc.ReceiveNetBufferListsHandler(a->fm.ctx, &e[0]->nbl, 0, n, flags);
	} else if (a->kind == EMU_STANDBY) { /* no filter: straight to the stack */
		a->stack_received += n;
		keep = TRUE;
	} else if (a->open && !a->open->opening && !a->open->paused && !a->open->closed) {
		emu.pc.ReceiveNetBufferListsHandler(a->open->ctx, &e[0]->nbl, 0, n, flags);
	} else {
		keep = TRUE; /* nobody above: the miniport keeps them */
	}
	if (!keep)
		return;
	for (unsigned i = 0; i < n; i++) {
		if (e[i]->nbl.Next != (i + 1 < n ? &e[i + 1]->nbl : NULL))
			emu_violation("receive with RESOURCES: the chain was not restored");
		if (e[i]->hops != 1 || e[i]->hop[0].kind != HOP_MINIPORT)
			emu_violation("receive with RESOURCES: an NBL was kept or returned");
		e[i]->hops = 0;
		e[i]->nbl.Next = NULL;
		a->rx_out--;
		emu_nbl_retire(e[i]);
	}
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
	a->ifname.Buffer = ifname;
	a->ifname.Length = sizeof(ifname) - 2;
	a->ifname.MaximumLength = sizeof(ifname);
	a->next = emu.adapters;
	emu.adapters = a;
	return a;
}

void emu_adapter_set_mtu(struct emu_adapter *a, ULONG mtu)
{
	a->mtu = mtu;
}

void emu_adapter_free(struct emu_adapter *a)
{
	for (struct emu_adapter **p = &emu.adapters; *p; p = &(*p)->next)
		if (*p == a) {
			*p = a->next;
			break;
		}
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
	bp.MtuSize = a->mtu;
	bp.MediaConnectState =
		a->link_down ? MediaConnectStateDisconnected : MediaConnectStateConnected;
	bp.MacAddressLength = 6;
	memcpy(bp.CurrentMacAddress, a->mac, 6);
	st = emu.pc.BindAdapterHandlerEx(emu.pc_ctx, a, &bp);
	if (st == NDIS_STATUS_PENDING) {
		if (!a->open || !a->open->opening)
			emu_violation("bind of %s pended without a pended open", a->name);
		a->bind_pending = TRUE;
		return st;
	}
	if (st == NDIS_STATUS_SUCCESS && !a->open)
		emu_violation("bind of %s succeeded without NdisOpenAdapterEx", a->name);
	if (st != NDIS_STATUS_SUCCESS && a->open) {
		emu_violation("bind of %s failed but left the adapter open", a->name);
	}
	return st;
}

BOOLEAN emu_bound(struct emu_adapter *a)
{
	return a->open && !a->open->opening && !a->open->closed;
}

void emu_pend_open_close(BOOLEAN pend)
{
	emu.pend_open_close = pend;
}

void emu_complete_open(struct emu_adapter *a, NDIS_STATUS st)
{
	struct emu_open *o = a->open;

	if (!o || !o->opening)
		abort(); /* a test error: no open pending */
	o->opening = FALSE;
	emu.pc.OpenAdapterCompleteHandlerEx(o->ctx, st);
	if (a->bind_pending)
		emu_violation("the open of %s completed, its bind did not", a->name);
	else if (a->bind_status != st)
		emu_violation("the bind of %s completed with %#x, its open with %#x", a->name,
			      (unsigned)a->bind_status, (unsigned)st);
	if (st != NDIS_STATUS_SUCCESS) {
		free(o);
		a->open = NULL;
	}
}

void emu_link(struct emu_adapter *a, BOOLEAN up)
{
	NDIS_LINK_STATE ls;
	NDIS_STATUS_INDICATION si;

	a->link_down = !up;
	memset(&ls, 0, sizeof(ls));
	memset(&si, 0, sizeof(si));
	ls.MediaConnectState = up ? MediaConnectStateConnected : MediaConnectStateDisconnected;
	si.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
	si.Header.Size = sizeof(si);
	si.SourceHandle = a;
	si.StatusCode = NDIS_STATUS_LINK_STATE;
	si.StatusBuffer = &ls;
	si.StatusBufferSize = sizeof(ls);
	if (a->open && !a->open->closed)
		emu.pc.StatusHandlerEx(a->open->ctx, &si);
	if (a->kind == EMU_STANDBY)
		emu_stack_status(a, &si);
}

/* While a pause pends: the miniport completes its sends and OID requests,
 * the stacks return the receives they hold, */
static void finish_outstanding(struct emu_adapter *a)
{
	/* and what the driver asks when those are back (the VF's last statistics) */
	for (int round = 0; round < 2; round++) {
		flush_tx(a, NDIS_STATUS_SUCCESS);
		emu_complete_oids(a);
		for (struct emu_adapter *sb = emu.adapters; sb; sb = sb->next)
			if (sb->kind == EMU_STANDBY)
				emu_stack_return(sb);
	}
}

/* NetEventPause on @a's binding; while it pends, what it waits for comes back. */
static void pause_binding(struct emu_adapter *a)
{
	struct emu_open *o = a->open;
	NET_PNP_EVENT_NOTIFICATION ev;
	NDIS_STATUS st;

	memset(&ev, 0, sizeof(ev));
	ev.NetPnPEvent.NetEvent = NetEventPause;
	o->pausing = TRUE;
	st = emu.pc.NetPnPEventHandler(o->ctx, &ev);
	if (st == NDIS_STATUS_SUCCESS)
		check_binding_paused(o, "NetEventPause returning success");
	else if (st == NDIS_STATUS_PENDING)
		finish_outstanding(a);
	else
		emu_violation("NetEventPause returned %#x", (unsigned)st);
	if (!o->paused)
		emu_violation("the pause of %s never completed", a->name);
}

void emu_binding_pause(struct emu_adapter *a)
{
	if (!a->open || a->open->closed || a->open->pausing)
		abort(); /* a test error: pause a running binding */
	pause_binding(a);
}

void emu_binding_restart(struct emu_adapter *a)
{
	struct emu_open *o = a->open;
	NET_PNP_EVENT_NOTIFICATION ev;

	if (!o || !o->paused || o->closed)
		abort(); /* a test error: restart a paused binding */
	memset(&ev, 0, sizeof(ev));
	ev.NetPnPEvent.NetEvent = NetEventRestart;
	o->pausing = o->paused = FALSE;
	if (emu.pc.NetPnPEventHandler(o->ctx, &ev) != NDIS_STATUS_SUCCESS)
		emu_violation("NetEventRestart of %s did not succeed", a->name);
}

void emu_unplug(struct emu_adapter *a, BOOLEAN surprise)
{
	struct emu_open *o = a->open;
	NDIS_STATUS st;

	if (surprise) { /* the device is gone: what it had in flight fails */
		a->surprise = TRUE;
		flush_tx(a, STATUS_DEVICE_REMOVED);
	}
	if (o && !o->closed) {
		if (!o->paused)
			pause_binding(a);
		st = emu.pc.UnbindAdapterHandlerEx(o, o->ctx);
		if (st == NDIS_STATUS_PENDING && o->closing) { /* the close completes now */
			a->unbind_pending = TRUE;
			o->closing = FALSE;
			o->closed = TRUE;
			emu.pc.CloseAdapterCompleteHandlerEx(o->ctx);
			if (a->unbind_pending)
				emu_violation("the close of %s completed, its unbind did not",
					      a->name);
		} else if (st != NDIS_STATUS_SUCCESS || !o->closed) {
			emu_violation("unbind of %s did not close the binding", a->name);
		}
		free(o);
		a->open = NULL;
	}
	a->gone = TRUE;
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
