/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which binding paths above an adapter the service keeps, from the role the
 * driver's engine gave the adapter (the decision only; netcfg.c applies it
 * with INetCfg):
 *   - a VF (or a spare VF): only our protocol; TCP/IP v4 and v6 and every
 *     other protocol, service or filter off, so nothing but sriovfo.sys
 *     uses the VF and the stack sees the standby alone;
 *   - a standby: our filter on; the rest as the administrator left it;
 *   - any other adapter: our filter off; the rest as it is.
 */
#ifndef SFO_WIN_BIND_POLICY_H
#define SFO_WIN_BIND_POLICY_H

#include <sfo/engine.h>

/* The INetCfg component ids of sriovfo.sys's two halves (the ids its INFs
 * install: netcfg -i SFO_SRIOVFO, netcfg -i SFO_SRIOVFOP). Compared
 * without regard to case, as INetCfg's ids are. */
#define SFO_BIND_FILTER_ID   "sfo_sriovfo"
#define SFO_BIND_PROTOCOL_ID "sfo_sriovfop"

enum bind_want {
	BIND_LEAVE,   /* not ours to decide */
	BIND_ENABLE,  /* the path must be enabled */
	BIND_DISABLE, /* the path must be disabled */
};

/* The path owned by the component @owner_id, above an adapter of role @role. */
enum bind_want sfo_bind_want(enum sfo_role role, const char *owner_id);

#endif
