/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * How sriov-failover.exe reaches sriovfo.sys's control device: on Windows
 * DeviceIoControl (transport_win.c); in the native tests, the driver's
 * request handling called in-process (tests/transport_inproc.c).
 */
#ifndef SFO_WIN_TRANSPORT_H
#define SFO_WIN_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ctl_result {
	CTL_OK,
	CTL_NO_DRIVER,	 /* no control device: the driver is not loaded */
	CTL_DENIED,	 /* the device's ACL refused us (not an Administrator) */
	CTL_MISMATCH,	 /* the driver speaks another SFO_CTL_VERSION */
	CTL_NOT_READY,	 /* the driver has no engine running */
	CTL_NO_MORE,	 /* no entry at that index */
	CTL_NOT_FOUND,	 /* no adapter of that name */
	CTL_NOT_MANAGED, /* the adapter is neither a managed standby nor its VF */
	CTL_FAILED,	 /* anything else: see the detail code */
};

struct ctl;

/* Open the control device, for writing (release, resume) or reading only. */
enum ctl_result ctl_open(bool write, struct ctl **out, unsigned long *detail);
/* One request; @detail gets the OS's error code when CTL_FAILED. */
enum ctl_result ctl_call(struct ctl *c, uint32_t code, const void *in, size_t in_len, void *out,
			 size_t out_len, unsigned long *detail);
void ctl_close(struct ctl *c);

#endif
