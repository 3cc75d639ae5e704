// SPDX-License-Identifier: BSD-2-Clause
/*
 * INetCfg from C (COBJMACROS): for each adapter the driver reports, every
 * binding path above it is enabled or disabled as bind_policy.c decides for
 * the path's owner (TCP/IP, another protocol, our filter, our protocol).
 * Not exercised anywhere: there is no Windows machine to run it on.
 */
#define COBJMACROS
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

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

/* The driver's adapter whose interface GUID is @g, or NULL. */
static const struct sfo_ctl_adapter *adapter_of(const struct sfo_ctl_adapter *a, const GUID *guids,
						size_t n, const GUID *g)
{
	for (size_t i = 0; i < n; i++)
		if (IsEqualGUID(&guids[i], g))
			return &a[i];
	return NULL;
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

/* Every network adapter INetCfg knows, matched to the driver's by GUID. */
static void apply_all(INetCfg *nc, const struct sfo_ctl_adapter *a, const GUID *guids, size_t n,
		      struct netcfg_result *res)
{
	INetCfgClass *cls = NULL;
	IEnumNetCfgComponent *en = NULL;
	INetCfgComponent *comp;
	unsigned matched = 0;
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
		const struct sfo_ctl_adapter *ad;
		GUID g;

		if (INetCfgComponent_GetInstanceGuid(comp, &g) == S_OK &&
		    (ad = adapter_of(a, guids, n, &g))) {
			matched++;
			apply_adapter(comp, ad->adapter.role, res);
		}
		INetCfgComponent_Release(comp);
	}
	IEnumNetCfgComponent_Release(en);
	INetCfgClass_Release(cls);
	res->unmatched = (unsigned)n - matched;
}

void sfo_netcfg_apply(const struct sfo_ctl_adapter *a, size_t n, struct netcfg_result *res)
{
	GUID *guids = calloc(n ? n : 1, sizeof(*guids));
	INetCfg *nc = NULL;
	INetCfgLock *lock = NULL;
	LPWSTR holder = NULL;
	HRESULT hr;

	*res = (struct netcfg_result){ 0 };
	if (!guids) {
		failed(res, E_OUTOFMEMORY, "memory for the adapters");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		NET_LUID luid;

		/* an adapter gone meanwhile keeps a zero GUID: it matches nothing */
		if (ConvertInterfaceIndexToLuid(a[i].adapter.info.id, &luid) == NO_ERROR)
			ConvertInterfaceLuidToGuid(&luid, &guids[i]);
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
		apply_all(nc, a, guids, n, res);
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
	free(guids);
}
