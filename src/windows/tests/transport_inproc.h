/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sriov-failover.exe's transport (service/transport.h) in-process, for the
 * native tests: the driver's request handling (driver/control.c) on the
 * engine the test sets, with what the I/O manager does around it: the
 * device's ACL, the access check of each code against the handle's access,
 * one system buffer for input and output (METHOD_BUFFERED).
 */
#ifndef SFO_WIN_TRANSPORT_INPROC_H
#define SFO_WIN_TRANSPORT_INPROC_H

#include <stdbool.h>
#include <stdint.h>

struct sfo_engine;

struct inproc_driver {
	bool loaded;		/* the control device exists */
	bool admin;		/* the caller passes its ACL */
	struct sfo_engine *eng; /* NULL: no engine running */
	uint64_t now_ns;	/* the engine's clock */
	unsigned opens, calls;	/* handles opened, requests made */
	unsigned open_handles;
};

extern struct inproc_driver inproc;

#endif
