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

/* What Windows says of a network adapter (GetIfTable2, its PnP device id). */
struct bind_nic {
	uint8_t mac[SFO_MAC_LEN], perm_mac[SFO_MAC_LEN];
	uint16_t pci_vendor, pci_device; /* 0: not a PCI function */
};

/*
 * Which of the driver's @n adapters @nic is: the index of the best match,
 * -1 if none. The driver's ids are its own (not interface indexes), so the
 * match is by facts: the adapter's MAC equal to the NIC's current or
 * permanent one, and its PCI vendor:device, when it has them, equal to the
 * NIC's (a VF and its standby share the MAC, not the PCI ids; the driver
 * reports both). An adapter without PCI ids matches by MAC alone, less well;
 * among equal matches a standby wins.
 */
int sfo_bind_match(const struct sfo_adapter_status *a, size_t n, const struct bind_nic *nic);

/* The vendor and device of a PnP device id ("PCI\VEN_8086&DEV_154C&..."); false if not PCI. */
bool sfo_bind_pci_ids(const char *pnp_id, uint16_t *vendor, uint16_t *device);

#endif
