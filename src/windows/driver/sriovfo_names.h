/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The names sriovfo.sys registers with NDIS. Its INFs (src/windows/inf/) must
 * repeat them exactly; the test inf-check reads this file and compares.
 */
#ifndef SFO_WIN_NAMES_H
#define SFO_WIN_NAMES_H

/* The filter: UniqueName is the NetCfgInstanceId of sriovfo.inf, ServiceName
 * its Ndi\Service and the kernel service it adds. */
#define SFO_WIN_FILTER_FRIENDLY_NAME "SR-IOV failover filter"
#define SFO_WIN_FILTER_UNIQUE_NAME   "{5f1c8a2e-6b0d-4c57-9e36-2a8d7b41c0f3}"
#define SFO_WIN_FILTER_SERVICE	     "sriovfo"

/* The protocol: its Name is the Ndi\Service of sriovfo_protocol.inf (NDIS
 * offers a protocol the bindings of the NetTrans component of that name). */
#define SFO_WIN_PROTOCOL_NAME "sriovfop"

#endif
