// SPDX-License-Identifier: BSD-2-Clause
/*
 * INetCfg from C (COBJMACROS): for each network adapter that is one of the
 * driver's (bind_policy.c's match), every binding path above it is enabled
 * or disabled as bind_policy.c decides for the path's owner (TCP/IP, another
 * protocol, our filter, our protocol).
 * Not exercised anywhere: there is no Windows machine to run it on.
 */
#define COBJMACROS
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* winsock2.h before windows.h, ws2ipdef.h for netioapi.h's GetIfTable2 */
#include <winsock2.h>

#include <windows.h>
#include <ws2ipdef.h>

#include <iphlpapi.h>
#include <netioapi.h>
#include <objbase.h>
/* instantiate the IIDs and CLSID of netcfgx.h and GUID_DEVCLASS_NET here:
 * mingw-w64's libuuid lacks them */
#include <initguid.h>

#include <devguid.h>
#include <netcfgx.h>

#include "bind_policy.h"
#include "netcfg.h"

#define LOCK_WAIT_MS 5000

static void failed(struct netcfg_result *res, HRESULT hr, const char *what)
{
	if (res->hr)
		return;
	res->hr = hr;
	snprintf(res->what, sizeof(res->what), "%s", what);
}

/* What Windows says of the adapter of instance GUID @g (its MAC from
 * GetIfTable2, PCI ids from its PnP device id); false if nothing. */
static bool nic_facts(INetCfgComponent *comp, const MIB_IF_TABLE2 *ifs, const GUID *g,
		      struct bind_nic *nic)
{
	LPWSTR pnp = NULL;
	bool found = false;

	*nic = (struct bind_nic){ 0 };
	for (ULONG i = 0; i < ifs->NumEntries && !found; i++) {
		const MIB_IF_ROW2 *r = &ifs->Table[i];

		if (!IsEqualGUID(&r->InterfaceGuid, g) || r->PhysicalAddressLength != SFO_MAC_LEN)
			continue;
		memcpy(nic->mac, r->PhysicalAddress, SFO_MAC_LEN);
		memcpy(nic->perm_mac, r->PermanentPhysicalAddress, SFO_MAC_LEN);
		found = true;
	}
	if (found && INetCfgComponent_GetPnpDevNodeId(comp, &pnp) == S_OK) {
		char id[200];
		size_t i = 0;

		for (; pnp[i] && i + 1 < sizeof(id); i++)
			id[i] = pnp[i] < 0x80 ? (char)pnp[i] : '?';
		id[i] = 0;
		sfo_bind_pci_ids(id, &nic->pci_vendor, &nic->pci_device);
	}
	if (pnp)
		CoTaskMemFree(pnp);
	return found;
}

/* The component id of the path's owner, in ASCII (ids are), or "" if unknown. */
static void owner_id(INetCfgBindingPath *path, char *id, size_t len)
{
	INetCfgComponent *owner = NULL;
	LPWSTR wid = NULL;

	id[0] = 0;
	if (INetCfgBindingPath_GetOwner(path, &owner) == S_OK &&
	    INetCfgComponent_GetId(owner, &wid) == S_OK) {
		size_t i = 0;

		for (; wid[i] && i + 1 < len; i++)
			id[i] = wid[i] < 0x80 ? (char)wid[i] : '?';
		id[i] = 0;
	}
	if (wid)
		CoTaskMemFree(wid);
	if (owner)
		INetCfgComponent_Release(owner);
}

static void apply_adapter(INetCfgComponent *comp, enum sfo_role role, struct netcfg_result *res)
{
	INetCfgComponentBindings *b = NULL;
	IEnumNetCfgBindingPath *paths = NULL;
	INetCfgBindingPath *path;
	HRESULT hr;

	hr = INetCfgComponent_QueryInterface(comp, &IID_INetCfgComponentBindings, (void **)&b);
	if (FAILED(hr)) {
		failed(res, hr, "INetCfgComponent::QueryInterface(INetCfgComponentBindings)");
		return;
	}
	hr = INetCfgComponentBindings_EnumBindingPaths(b, EBP_ABOVE, &paths);
	if (hr != S_OK) {
		failed(res, hr, "INetCfgComponentBindings::EnumBindingPaths");
		INetCfgComponentBindings_Release(b);
		return;
	}
	while (IEnumNetCfgBindingPath_Next(paths, 1, &path, NULL) == S_OK) {
		char id[64];
		enum bind_want want;
		BOOL on;

		owner_id(path, id, sizeof(id));
		want = id[0] ? sfo_bind_want(role, id) : BIND_LEAVE;
		on = INetCfgBindingPath_IsEnabled(path) == S_OK;
		if (want != BIND_LEAVE && on != (want == BIND_ENABLE)) {
			hr = INetCfgBindingPath_Enable(path, want == BIND_ENABLE);
			if (FAILED(hr))
				failed(res, hr, "INetCfgBindingPath::Enable");
			else if (want == BIND_ENABLE)
				res->enabled++;
			else
				res->disabled++;
		}
		INetCfgBindingPath_Release(path);
	}
	IEnumNetCfgBindingPath_Release(paths);
	INetCfgComponentBindings_Release(b);
}

/* Every network adapter INetCfg knows, matched to the driver's (sfo_bind_match). */
static void apply_all(INetCfg *nc, const struct sfo_adapter_status *a, size_t n,
		      const MIB_IF_TABLE2 *ifs, bool *matched, struct netcfg_result *res)
{
	INetCfgClass *cls = NULL;
	IEnumNetCfgComponent *en = NULL;
	INetCfgComponent *comp;
	HRESULT hr;

	hr = INetCfg_QueryNetCfgClass(nc, &GUID_DEVCLASS_NET, &IID_INetCfgClass, (void **)&cls);
	if (hr != S_OK) {
		failed(res, hr, "INetCfg::QueryNetCfgClass(GUID_DEVCLASS_NET)");
		return;
	}
	hr = INetCfgClass_EnumComponents(cls, &en);
	if (hr != S_OK) {
		failed(res, hr, "INetCfgClass::EnumComponents");
		INetCfgClass_Release(cls);
		return;
	}
	while (IEnumNetCfgComponent_Next(en, 1, &comp, NULL) == S_OK) {
		struct bind_nic nic;
		GUID g;
		int i;

		if (INetCfgComponent_GetInstanceGuid(comp, &g) == S_OK &&
		    nic_facts(comp, ifs, &g, &nic) && (i = sfo_bind_match(a, n, &nic)) >= 0) {
			matched[i] = true;
			apply_adapter(comp, a[i].role, res);
		}
		INetCfgComponent_Release(comp);
	}
	IEnumNetCfgComponent_Release(en);
	INetCfgClass_Release(cls);
}

void sfo_netcfg_apply(const struct sfo_adapter_status *a, size_t n, struct netcfg_result *res)
{
	bool *matched = calloc(n ? n : 1, sizeof(*matched));
	MIB_IF_TABLE2 *ifs = NULL;
	INetCfg *nc = NULL;
	INetCfgLock *lock = NULL;
	LPWSTR holder = NULL;
	HRESULT hr;

	*res = (struct netcfg_result){ 0 };
	if (!matched) {
		failed(res, E_OUTOFMEMORY, "memory for the adapters");
		return;
	}
	if (GetIfTable2(&ifs) != NO_ERROR) {
		failed(res, E_FAIL, "GetIfTable2");
		goto out;
	}
	hr = CoCreateInstance(&CLSID_CNetCfg, NULL, CLSCTX_INPROC_SERVER, &IID_INetCfg,
			      (void **)&nc);
	if (FAILED(hr)) {
		failed(res, hr, "CoCreateInstance(CLSID_CNetCfg)");
		goto out;
	}
	hr = INetCfg_QueryInterface(nc, &IID_INetCfgLock, (void **)&lock);
	if (FAILED(hr)) {
		failed(res, hr, "INetCfg::QueryInterface(INetCfgLock)");
		goto out;
	}
	hr = INetCfgLock_AcquireWriteLock(lock, LOCK_WAIT_MS, L"sriov-failover service", &holder);
	if (hr != S_OK) {
		char what[160];

		snprintf(what, sizeof(what), "INetCfg write lock (held by %ls)",
			 holder ? holder : L"another program");
		failed(res, hr == S_FALSE ? HRESULT_FROM_WIN32(ERROR_LOCK_VIOLATION) : hr, what);
		goto out;
	}
	hr = INetCfg_Initialize(nc, NULL);
	if (FAILED(hr)) {
		failed(res, hr, "INetCfg::Initialize");
	} else {
		apply_all(nc, a, n, ifs, matched, res);
		if (res->enabled || res->disabled) {
			hr = INetCfg_Apply(nc);
			if (FAILED(hr))
				failed(res, hr, "INetCfg::Apply");
		}
		INetCfg_Uninitialize(nc);
	}
	INetCfgLock_ReleaseWriteLock(lock);
out:
	if (holder)
		CoTaskMemFree(holder);
	if (lock)
		INetCfgLock_Release(lock);
	if (nc)
		INetCfg_Release(nc);
	if (ifs)
		FreeMibTable(ifs);
	for (size_t i = 0; i < n; i++)
		res->unmatched += !matched[i];
	free(matched);
}
