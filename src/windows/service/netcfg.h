/* SPDX-License-Identifier: BSD-2-Clause */
/* The binding policy (bind_policy.h) applied with INetCfg (Windows only). */
#ifndef SFO_WIN_NETCFG_H
#define SFO_WIN_NETCFG_H

#include <stddef.h>

#include "sriovfo_control.h"

struct netcfg_result {
	unsigned enabled, disabled; /* binding paths changed */
	unsigned unmatched;	    /* adapters of the driver's not found in INetCfg */
	long hr;		    /* the first failure (an HRESULT), 0 if none */
	char what[160];		    /* which step failed, for the log */
};

/*
 * Bring the binding paths above each of the driver's @n adapters in line
 * with its role. The driver's adapter id is the NDIS interface index
 * (NET_IFINDEX), which gives the adapter's interface GUID, INetCfg's
 * instance GUID of the adapter. Takes INetCfg's write lock for the time of
 * the change; applies only when a path changed. COM must be initialized on
 * the calling thread (apartment-threaded).
 */
void sfo_netcfg_apply(const struct sfo_ctl_adapter *a, size_t n, struct netcfg_result *res);

#endif
