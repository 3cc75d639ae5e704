/* SPDX-License-Identifier: BSD-2-Clause */
/* The binding policy (bind_policy.h) applied with INetCfg (Windows only). */
#ifndef SFO_WIN_NETCFG_H
#define SFO_WIN_NETCFG_H

#include <stddef.h>

#include <sfo/engine.h>

struct netcfg_result {
	unsigned enabled, disabled; /* binding paths changed */
	unsigned unmatched;	    /* adapters of the driver's no INetCfg adapter matched */
	long hr;		    /* the first failure (an HRESULT), 0 if none */
	char what[160];		    /* which step failed, for the log */
};

/*
 * Bring the binding paths above each network adapter INetCfg knows in line
 * with the role of the driver's adapter it is (sfo_bind_match(): by MAC and
 * PCI ids, from GetIfTable2 by the adapter's instance GUID and from its PnP
 * device id); adapters that are none of the driver's are left alone. Takes
 * INetCfg's write lock for the time of the change; applies only when a path
 * changed. COM must be initialized on the calling thread (apartment-threaded).
 */
void sfo_netcfg_apply(const struct sfo_adapter_status *a, size_t n, struct netcfg_result *res);

#endif
