// SPDX-License-Identifier: BSD-2-Clause
/*
 * The driver's settings in the registry: values of the Parameters subkey of
 * its service key (HKLM\SYSTEM\CurrentControlSet\Services\sriovfo\Parameters),
 * read in DriverEntry, at PASSIVE_LEVEL.
 */
#include "sriovfo.h"

#define VALUE_MAX (64 * 1024) /* bytes: more is not a list of PCI ids */

static NTSTATUS open_key(PHANDLE key, HANDLE root, PUNICODE_STRING name)
{
	OBJECT_ATTRIBUTES oa;

	InitializeObjectAttributes(&oa, name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, root, NULL);
	return ZwOpenKey(key, KEY_READ, &oa);
}

/* The REG_MULTI_SZ value @name of @key, copied with two NULs after it. */
static WCHAR *query_multi_sz(HANDLE key, PUNICODE_STRING name)
{
	PKEY_VALUE_PARTIAL_INFORMATION info = NULL;
	ULONG len = 0;
	WCHAR *list = NULL;
	NTSTATUS st;

	st = ZwQueryValueKey(key, name, KeyValuePartialInformation, NULL, 0, &len);
	if (st != STATUS_BUFFER_TOO_SMALL || len > VALUE_MAX)
		return NULL;
	info = sfo_win_alloc(len);
	if (!info)
		return NULL;
	st = ZwQueryValueKey(key, name, KeyValuePartialInformation, info, len, &len);
	if (st == STATUS_SUCCESS && info->Type == REG_MULTI_SZ) {
		list = sfo_win_alloc(info->DataLength + 2 * sizeof(WCHAR));
		if (list)
			__builtin_memcpy(list, info->Data, info->DataLength);
	}
	sfo_win_free(info);
	return list;
}

WCHAR *sfo_win_registry_multi_sz(PUNICODE_STRING service_key, const WCHAR *value)
{
	static WCHAR parameters[] = u"Parameters";
	UNICODE_STRING sub = { sizeof(parameters) - 2, sizeof(parameters), parameters };
	UNICODE_STRING name;
	HANDLE service, params;
	WCHAR *list = NULL;
	USHORT n = 0;

	while (value[n])
		n++;
	name.Length = name.MaximumLength = (USHORT)(n * sizeof(WCHAR));
	name.Buffer = (PWSTR)value;
	if (open_key(&service, NULL, service_key) != STATUS_SUCCESS)
		return NULL;
	if (open_key(&params, service, &sub) == STATUS_SUCCESS) {
		list = query_multi_sz(params, &name);
		ZwClose(params);
	}
	ZwClose(service);
	return list;
}
