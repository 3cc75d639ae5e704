/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control device's requests (sriovfo_control.h) answered from the
 * engine: what control_device.c calls for IRP_MJ_DEVICE_CONTROL, and what
 * the native tests call directly. No NDIS or I/O manager call in here.
 */
#ifndef SFO_WIN_CONTROL_REQUEST_H
#define SFO_WIN_CONTROL_REQUEST_H

#include "ndis6.h"
#include "sriovfo_control.h"

/*
 * Answer the request @code with input @in (@in_len bytes) into @out
 * (@out_len bytes; the same buffer as @in may be passed, as METHOD_BUFFERED
 * does: the input is read before the output is written). The caller holds
 * the engine's lock; @now_ns is the engine's clock. Returns STATUS_SUCCESS
 * with *@written set, or one of sriovfo_control.h's SFO_CTL_ST_* statuses
 * (*@written 0).
 */
NTSTATUS sfo_control_request(struct sfo_engine *eng, uint64_t now_ns, ULONG code, const void *in,
			     ULONG in_len, void *out, ULONG out_len, ULONG *written);

#endif
