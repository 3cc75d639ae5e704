// SPDX-License-Identifier: BSD-2-Clause
/*
 * The filter side of the emulation: NdisF* exports, the filter module's
 * lifecycle over a standby, and the TCP/IP stand-in above it. The
 * lifecycle calls are PnP (emu_pnp_begin/end: one at a time, as NDIS
 * serializes them); sends, receives and returns come from any thread.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu_internal.h"

static void restart(struct emu_adapter *a);

/* With the emulation's lock held. */
static struct emu_filter_module *module_of(NDIS_HANDLE h, const char *call)
{
	for (struct emu_adapter *a = emu.adapters; a; a = a->next)
		if (h == &a->fm && a->fm.state != FM_DETACHED)
			return &a->fm;
	emu_violation("%s: not a filter module handle", call);
	abort();
}

NDIS_STATUS NTAPI NdisFRegisterFilterDriver(PDRIVER_OBJECT driver, NDIS_HANDLE ctx,
					    PNDIS_FILTER_DRIVER_CHARACTERISTICS fc,
					    PNDIS_HANDLE handle)
{
	(void)driver;
	if (fc->Header.Type != NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS ||
	    fc->Header.Revision != NDIS_FILTER_CHARACTERISTICS_REVISION_2 ||
	    fc->Header.Size != sizeof(*fc))
		emu_violation("NdisFRegisterFilterDriver: bad header");
	if (fc->MajorNdisVersion != 6 || !fc->AttachHandler || !fc->DetachHandler ||
	    !fc->PauseHandler || !fc->RestartHandler || !fc->UniqueName.Length ||
	    !fc->ServiceName.Length)
		emu_violation("NdisFRegisterFilterDriver: a mandatory member is missing");
	emu.fc = *fc;
	emu.fc_ctx = ctx;
	emu.filter_registered = TRUE;
	*handle = &emu.fc;
	return NDIS_STATUS_SUCCESS;
}

VOID NTAPI NdisFDeregisterFilterDriver(NDIS_HANDLE handle)
{
	if (handle != &emu.fc || !emu.filter_registered)
		emu_violation("NdisFDeregisterFilterDriver: not registered");
	emu.filter_registered = FALSE;
}

NDIS_STATUS NTAPI NdisFSetAttributes(NDIS_HANDLE filter, NDIS_HANDLE ctx,
				     NDIS_FILTER_ATTRIBUTES *attr)
{
	struct emu_filter_module *fm;

	emu_lock();
	fm = module_of(filter, "NdisFSetAttributes");
	if (attr->Header.Type != NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES)
		emu_violation("NdisFSetAttributes: bad header");
	fm->ctx = ctx;
	emu_unlock();
	return NDIS_STATUS_SUCCESS;
}

/* With the emulation's lock held. */
static void check_pause_done(struct emu_filter_module *fm, const char *how)
{
	if (fm->indicated)
		emu_violation("%s with %ld indicated NBLs not returned", how, fm->indicated);
	fm->state = FM_PAUSED;
	emu_changed();
}

VOID NTAPI NdisFPauseComplete(NDIS_HANDLE filter)
{
	struct emu_filter_module *fm;

	emu_unlocked("NdisFPauseComplete");
	emu_lock();
	fm = module_of(filter, "NdisFPauseComplete");
	if (fm->state != FM_PAUSING)
		emu_violation("NdisFPauseComplete: no pause pending");
	check_pause_done(fm, "NdisFPauseComplete");
	emu_unlock();
}

VOID NTAPI NdisFSendNetBufferLists(NDIS_HANDLE filter, PNET_BUFFER_LIST l, NDIS_PORT_NUMBER port,
				   ULONG flags)
{
	struct emu_filter_module *fm;

	(void)port;
	(void)flags;
	emu_unlocked("NdisFSendNetBufferLists");
	emu_lock();
	fm = module_of(filter, "NdisFSendNetBufferLists");
	if (fm->state == FM_PAUSED)
		emu_violation("NdisFSendNetBufferLists on a paused filter module");
	emu_unlock();
	for (PNET_BUFFER_LIST n = l, next; n; n = next) {
		struct emu_nbl *e = emu_nbl_of(n, "NdisFSendNetBufferLists");

		next = n->Next;
		n->Next = NULL;
		emu_check_source(e, "NdisFSendNetBufferLists");
		emu_push(e, HOP_FILTER, fm);
		emu_transmit(fm->adapter, e);
	}
}

VOID NTAPI NdisFSendNetBufferListsComplete(NDIS_HANDLE filter, PNET_BUFFER_LIST l, ULONG flags)
{
	struct emu_filter_module *fm;
	struct emu_adapter *a;

	(void)flags;
	emu_unlocked("NdisFSendNetBufferListsComplete");
	emu_lock();
	fm = module_of(filter, "NdisFSendNetBufferListsComplete");
	a = fm->adapter;
	for (PNET_BUFFER_LIST n = l, next; n; n = next) {
		struct emu_nbl *e = emu_nbl_of(n, "NdisFSendNetBufferListsComplete");

		next = n->Next;
		emu_check_source(e, "NdisFSendNetBufferListsComplete");
		if (!emu_pop(e, HOP_STACK, a, "NdisFSendNetBufferListsComplete"))
			continue;
		if (e->nbl.Status == NDIS_STATUS_SUCCESS)
			a->stack_ok++;
		else
			a->stack_failed++;
		emu_nbl_retire(e);
	}
	emu_unlock();
}

VOID NTAPI NdisFIndicateReceiveNetBufferLists(NDIS_HANDLE filter, PNET_BUFFER_LIST l,
					      NDIS_PORT_NUMBER port, ULONG count, ULONG flags)
{
	struct emu_filter_module *fm;
	ULONG n = 0;

	(void)port;
	emu_unlocked("NdisFIndicateReceiveNetBufferLists");
	emu_lock();
	fm = module_of(filter, "NdisFIndicateReceiveNetBufferLists");
	if (fm->state == FM_PAUSED)
		emu_violation("NdisFIndicateReceiveNetBufferLists on a paused filter module");
	for (PNET_BUFFER_LIST nbl = l; nbl; nbl = nbl->Next, n++) {
		struct emu_nbl *e = emu_nbl_of(nbl, "NdisFIndicateReceiveNetBufferLists");

		emu_check_source(e, "NdisFIndicateReceiveNetBufferLists");
		if (emu_nbl_driver_owned(e) && e->nbl.SourceHandle != filter)
			emu_violation("NdisFIndicateReceiveNetBufferLists: the filter's own NBL "
				      "without its filter handle as SourceHandle");
		if (emu_nbl_driver_owned(e) && !NDIS_TEST_RECEIVE_CANNOT_PEND(flags))
			fm->indicated++;
		emu_push(e, HOP_FILTER, fm);
	}
	if (n != count)
		emu_violation("NdisFIndicateReceiveNetBufferLists: count %lu for %lu NBLs",
			      (unsigned long)count, (unsigned long)n);
	emu_unlock();
	emu_stack_deliver(fm->adapter, l, flags);
}

VOID NTAPI NdisFReturnNetBufferLists(NDIS_HANDLE filter, PNET_BUFFER_LIST l, ULONG flags)
{
	struct emu_filter_module *fm;
	struct emu_adapter *a;

	(void)flags;
	emu_unlocked("NdisFReturnNetBufferLists");
	emu_lock();
	fm = module_of(filter, "NdisFReturnNetBufferLists");
	a = fm->adapter;
	for (PNET_BUFFER_LIST n = l, next; n; n = next) {
		struct emu_nbl *e = emu_nbl_of(n, "NdisFReturnNetBufferLists");

		next = n->Next;
		emu_check_source(e, "NdisFReturnNetBufferLists");
		if (e->resources) {
			emu_violation("NdisFReturnNetBufferLists: an NBL indicated with RESOURCES");
			continue;
		}
		if (!emu_pop(e, HOP_MINIPORT, a, "NdisFReturnNetBufferLists"))
			continue;
		a->rx_out--;
		emu_nbl_retire(e);
	}
	emu_changed();
	emu_unlock();
}

/* ---- the stand-in for TCP/IP above the standby's filter */

/* With the emulation's lock held. */
static void stack_take_status(struct emu_adapter *a, const NDIS_STATUS_INDICATION *si)
{
	const NDIS_LINK_STATE *ls = si->StatusBuffer;

	a->stack_statuses++;
	if (si->StatusCode == NDIS_STATUS_LINK_STATE && ls)
		a->stack_link_down = ls->MediaConnectState != MediaConnectStateConnected;
	if (si->StatusCode == NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG)
		emu_stack_take_offload(a, si->StatusBuffer, si->StatusBufferSize);
}

VOID NTAPI NdisFIndicateStatus(NDIS_HANDLE filter, PNDIS_STATUS_INDICATION si)
{
	struct emu_filter_module *fm;

	emu_unlocked("NdisFIndicateStatus");
	emu_lock();
	fm = module_of(filter, "NdisFIndicateStatus");
	if (si->Header.Type != NDIS_OBJECT_TYPE_STATUS_INDICATION)
		emu_violation("NdisFIndicateStatus: bad header");
	stack_take_status(fm->adapter, si);
	emu_unlock();
}

void emu_stack_status(struct emu_adapter *a, PNDIS_STATUS_INDICATION si)
{
	NDIS_HANDLE ctx = NULL;

	if (emu_filter_attached(a) && emu.fc.StatusHandler) {
		emu_lock();
		ctx = a->fm.ctx;
		emu_unlock();
		emu.fc.StatusHandler(ctx, si);
		return;
	}
	emu_lock();
	stack_take_status(a, si);
	emu_unlock();
}

BOOLEAN emu_stack_link_up(struct emu_adapter *a)
{
	BOOLEAN up;

	emu_lock();
	up = !a->stack_link_down;
	emu_unlock();
	return up;
}

unsigned emu_stack_statuses(struct emu_adapter *a)
{
	unsigned n;

	emu_lock();
	n = a->stack_statuses;
	emu_unlock();
	return n;
}

static void stack_return(struct emu_adapter *a, struct emu_nbl *e)
{
	struct emu_filter_module *fm = &a->fm;
	NDIS_HANDLE ctx;

	e->nbl.Next = NULL;
	emu_lock();
	if (!emu_pop(e, HOP_FILTER, fm, "return to the filter")) {
		emu_unlock();
		return;
	}
	if (emu_nbl_driver_owned(e))
		fm->indicated--;
	ctx = fm->ctx;
	fm->calls++;
	emu_unlock();
	emu.fc.ReturnNetBufferListsHandler(ctx, &e->nbl, 0);
	emu_fm_call_done(fm);
}

void emu_fm_call_done(struct emu_filter_module *fm)
{
	emu_lock();
	fm->calls--;
	emu_changed();
	emu_unlock();
}

void emu_stack_deliver(struct emu_adapter *a, PNET_BUFFER_LIST l, ULONG flags)
{
	unsigned n_nbls = 0;

	for (PNET_BUFFER_LIST n = l; n; n = n->Next) {
		n_nbls++;
		if (a->stack_to) {
			ULONG len;
			const UCHAR *frame = emu_nbl_bytes(n, &len);

			a->stack_to(a->stack_to_arg, frame, len);
		}
	}
	emu_lock();
	a->stack_received += n_nbls;
	if (NDIS_TEST_RECEIVE_CANNOT_PEND(flags)) {
		for (PNET_BUFFER_LIST n = l; n; n = n->Next)
			emu_pop((struct emu_nbl *)n, HOP_FILTER, &a->fm, "receive with RESOURCES");
		emu_unlock();
		return;
	}
	/* held while there is room, the rest returned at once */
	while (l && a->stack_hold && a->n_stack_rx < sizeof(a->stack_rx) / sizeof(a->stack_rx[0])) {
		a->stack_rx[a->n_stack_rx++] = (struct emu_nbl *)l;
		l = l->Next;
	}
	emu_unlock();
	for (PNET_BUFFER_LIST n = l, next; n; n = next) {
		next = n->Next;
		stack_return(a, (struct emu_nbl *)n);
	}
}

void emu_stack_hold_rx(struct emu_adapter *a, BOOLEAN hold)
{
	emu_lock();
	a->stack_hold = hold;
	emu_unlock();
}

/* In the order they came. */
void emu_stack_return(struct emu_adapter *a)
{
	for (;;) {
		struct emu_nbl *e = NULL;

		emu_lock();
		if (a->n_stack_rx) {
			e = a->stack_rx[0];
			memmove(a->stack_rx, a->stack_rx + 1, --a->n_stack_rx * sizeof(e));
		}
		emu_unlock();
		if (!e)
			return;
		stack_return(a, e);
	}
}

void emu_stack_send(struct emu_adapter *a, unsigned n)
{
	static const UCHAR peer[6] = { 0x02, 0, 0, 0, 0, 0x99 };

	for (unsigned i = 0; i < n; i++) {
		unsigned seq;

		emu_lock();
		seq = ++a->stack_seq;
		emu_unlock();
		emu_stack_submit(a, emu_nbl_new(&a->stack_pool, &a->stack_pool, seq, peer));
	}
}

/* The stack sends only through a running filter; a pause of the filter
 * waits for the sends inside its handler (the stack above is paused first:
 * it starts no send while the filter pauses). */
void emu_stack_submit(struct emu_adapter *a, struct emu_nbl *e)
{
	NDIS_HANDLE ctx = NULL;

	emu_push(e, HOP_STACK, a);
	emu_lock();
	if (a->fm.state == FM_RUNNING) {
		a->fm.in_send++;
		ctx = a->fm.ctx;
	} else { /* NDIS sends nothing through a filter that is not running */
		e->nbl.Status = NDIS_STATUS_PAUSED;
		e->hops--;
		a->stack_failed++;
		emu_nbl_retire(e);
	}
	emu_unlock();
	if (!ctx)
		return;
	emu.fc.SendNetBufferListsHandler(ctx, &e->nbl, 0, 0);
	emu_lock();
	a->fm.in_send--;
	emu_changed();
	emu_unlock();
}

unsigned emu_stack_sent_ok(struct emu_adapter *a)
{
	unsigned n;

	emu_lock();
	n = a->stack_ok;
	emu_unlock();
	return n;
}

unsigned emu_stack_sent_failed(struct emu_adapter *a)
{
	unsigned n;

	emu_lock();
	n = a->stack_failed;
	emu_unlock();
	return n;
}

unsigned emu_stack_received(struct emu_adapter *a)
{
	unsigned n;

	emu_lock();
	n = a->stack_received;
	emu_unlock();
	return n;
}

/* ---- the filter module's lifecycle */

void emu_filter_attach(struct emu_adapter *a)
{
	NDIS_FILTER_ATTACH_PARAMETERS ap;
	NDIS_STATUS st;

	memset(&ap, 0, sizeof(ap));
	ap.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS;
	ap.Header.Revision = a->attach_revision;
	ap.MiniportMediaType = NdisMedium802_3;
	ap.MediaConnectState =
		a->link_down ? MediaConnectStateDisconnected : MediaConnectStateConnected;
	ap.MacAddressLength = 6;
	memcpy(ap.CurrentMacAddress, a->mac, 6);
	ap.DefaultOffloadConfiguration = a->offload;
	if (a->attach_revision >= 3) {
		ap.Header.Size = sizeof(ap);
		ap.MiniportPhysicalDeviceObject = &a->pdo;
	} else { /* the members of later revisions are not there: garbage */
		ap.Header.Size = (USHORT)offsetof(NDIS_FILTER_ATTACH_PARAMETERS,
						  MiniportPhysicalDeviceObject);
		ap.MiniportPhysicalDeviceObject = (PDEVICE_OBJECT)(uintptr_t)0x5a5a5a5a;
	}
	emu_pnp_begin();
	emu_lock();
	a->fm.adapter = a;
	a->fm.state = FM_PAUSED;
	emu_unlock();
	st = emu.fc.AttachHandler(&a->fm, emu.fc_ctx, &ap);
	if (st != NDIS_STATUS_SUCCESS) {
		emu_lock();
		a->fm.state = FM_DETACHED;
		emu_unlock();
		emu_pnp_end();
		return;
	}
	restart(a);
	emu_pnp_end();
	emu_process_reenumerate();
}

void emu_filter_restart(struct emu_adapter *a)
{
	emu_pnp_begin();
	restart(a);
	emu_pnp_end();
}

static void restart(struct emu_adapter *a)
{
	NDIS_HANDLE ctx;
	NDIS_STATUS st;
	NDIS_FILTER_RESTART_PARAMETERS rp;
	/* the miniport's general attributes, as NDIS hands them to a filter */
	struct {
		NDIS_RESTART_ATTRIBUTES head;
		NDIS_RESTART_GENERAL_ATTRIBUTES general;
	} attrs;

	memset(&rp, 0, sizeof(rp));
	memset(&attrs, 0, sizeof(attrs));
	attrs.head.Oid = OID_GEN_MINIPORT_RESTART_ATTRIBUTES;
	attrs.head.DataLength = sizeof(attrs.general);
	attrs.general.MtuSize = a->mtu;
	memcpy(attrs.head.Data, &attrs.general, sizeof(attrs.general));
	rp.RestartAttributes = &attrs.head;
	rp.Header.Type = NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS;
	emu_lock();
	if (a->fm.state != FM_PAUSED)
		abort(); /* a test error: restart only a paused module */
	ctx = a->fm.ctx;
	a->fm.state = FM_RESTARTING;
	emu_unlock();
	st = emu.fc.RestartHandler(ctx, &rp);
	emu_lock();
	a->fm.state = st == NDIS_STATUS_SUCCESS ? FM_RUNNING : FM_PAUSED;
	emu_unlock();
}

NDIS_STATUS emu_filter_pause(struct emu_adapter *a)
{
	NDIS_FILTER_PAUSE_PARAMETERS pp;
	NDIS_HANDLE ctx;
	NDIS_STATUS st;

	memset(&pp, 0, sizeof(pp));
	emu_pnp_begin();
	emu_lock();
	a->fm.state = FM_PAUSING;
	while (a->fm.in_send) /* the stack above finishes starting its sends */
		emu_wait(10);
	ctx = a->fm.ctx;
	emu_unlock();
	st = emu.fc.PauseHandler(ctx, &pp);
	emu_lock();
	if (st == NDIS_STATUS_SUCCESS)
		check_pause_done(&a->fm, "FilterPause returning success");
	else if (st != NDIS_STATUS_PENDING)
		emu_violation("FilterPause returned %#x", (unsigned)st);
	emu_unlock();
	emu_pnp_end();
	return st;
}

BOOLEAN emu_filter_attached(struct emu_adapter *a)
{
	BOOLEAN attached;

	emu_lock();
	attached = a->fm.adapter == a && a->fm.state != FM_DETACHED;
	emu_unlock();
	return attached;
}

void emu_adapter_set_attach_revision(struct emu_adapter *a, UCHAR revision)
{
	a->attach_revision = revision;
}

BOOLEAN emu_filter_paused(struct emu_adapter *a)
{
	BOOLEAN paused;

	emu_lock();
	paused = a->fm.state == FM_PAUSED;
	emu_unlock();
	return paused;
}

BOOLEAN emu_filter_wait_paused(struct emu_adapter *a, unsigned ms)
{
	BOOLEAN paused;

	emu_lock();
	for (unsigned waited = 0; a->fm.state != FM_PAUSED && waited < ms; waited += 10)
		emu_wait(10);
	paused = a->fm.state == FM_PAUSED;
	emu_unlock();
	return paused;
}

void emu_filter_detach(struct emu_adapter *a)
{
	NDIS_HANDLE ctx;

	emu_pnp_begin();
	emu_lock();
	/* a test error: NDIS detaches only paused modules, once the requests
	 * through them completed */
	if (a->fm.state != FM_PAUSED || a->stack_req_pending)
		abort();
	while (a->fm.calls || a->fm.in_send) /* NDIS's references: none runs */
		emu_wait(10);
	ctx = a->fm.ctx;
	emu_unlock();
	emu.fc.DetachHandler(ctx);
	emu_lock();
	a->fm.state = FM_DETACHED;
	emu_unlock();
	emu_pnp_end();
}
