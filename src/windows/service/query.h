/* SPDX-License-Identifier: BSD-2-Clause */
/* Reading whole reports from the control device (the command line and the service). */
#ifndef SFO_WIN_QUERY_H
#define SFO_WIN_QUERY_H

#include "sriovfo_control.h"
#include "transport.h"

/*
 * Every entry of a query (SFO_IOCTL_PAIR or SFO_IOCTL_ADAPTER, answers of
 * @size bytes) by index, until the driver has no more: the count may change
 * between requests. *@got: how many; free() *@all. A failure leaves nothing
 * to free (CTL_FAILED with *@detail 0: out of memory).
 */
enum ctl_result ctl_read_all(struct ctl *c, uint32_t code, size_t size, void **all, size_t *got,
			     unsigned long *detail);

#endif
