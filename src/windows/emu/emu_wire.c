// SPDX-License-Identifier: BSD-2-Clause
/*
 * Real frames through the emulation (sfo-ndis-host): each frame is copied
 * into an NBL of the adapter's or the stack's pool, one NET_BUFFER with one
 * mapped MDL over its own buffer, freed when the NBL is retired. What an
 * adapter transmits goes to its wire function, what the stack stand-in
 * receives to its receive function.
 */
#include <stdlib.h>
#include <string.h>

#include "emu_internal.h"

static struct emu_nbl *frame_nbl(struct emu_pool *pool, NDIS_HANDLE source, const UCHAR *frame,
				 ULONG len)
{
	struct emu_nbl *e = emu_nbl_new(pool, source, 0, NULL);

	e->data = malloc(len ? len : 1);
	if (!e->data)
		abort();
	memcpy(e->data, frame, len);
	e->mdl.MappedSystemVa = e->mdl.StartVa = e->data;
	e->mdl.ByteCount = len;
	e->nb.MdlChain = e->nb.CurrentMdl = &e->mdl;
	e->nb.DataLength = len;
	e->nbl.FirstNetBuffer = &e->nb;
	return e;
}

const UCHAR *emu_nbl_bytes(const NET_BUFFER_LIST *nbl, ULONG *len)
{
	const NET_BUFFER *nb = nbl->FirstNetBuffer;

	if (!nb || !nb->CurrentMdl) {
		emu_violation("an NBL without data on the wire");
		*len = 0;
		return NULL;
	}
	*len = nb->DataLength;
	return (const UCHAR *)nb->CurrentMdl->MappedSystemVa + nb->CurrentMdlOffset;
}

void emu_set_wire(struct emu_adapter *a, emu_tx_fn tx, void *arg)
{
	emu_lock();
	a->wire_tx = tx;
	a->wire_arg = arg;
	emu_unlock();
}

void emu_set_stack_rx(struct emu_adapter *a, emu_rx_fn rx, void *arg)
{
	a->stack_to = rx;
	a->stack_to_arg = arg;
}

void emu_receive_frame(struct emu_adapter *a, const UCHAR *frame, ULONG len)
{
	struct emu_nbl *e = frame_nbl(&a->rx_pool, a, frame, len);

	emu_indicate(a, &e, 1, FALSE);
}

void emu_stack_send_frame(struct emu_adapter *a, const UCHAR *frame, ULONG len)
{
	emu_stack_submit(a, frame_nbl(&a->stack_pool, &a->stack_pool, frame, len));
}
