/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sriov-failover.exe's transport (service/transport.h) in-process, for the
 * native tests: the control device of the driver loaded on the NDIS
 * emulation, opened and called through the emulation's I/O manager
 * (emu_ctl_device.h: the ACL, the access check of each code,
 * METHOD_BUFFERED's one system buffer, the IRPs).
 */
#ifndef SFO_WIN_TRANSPORT_INPROC_H
#define SFO_WIN_TRANSPORT_INPROC_H

#include <stdbool.h>

struct inproc_caller {
	bool admin;	/* the caller passes the device's ACL */
	unsigned calls; /* requests made */
};

extern struct inproc_caller inproc;

#endif
