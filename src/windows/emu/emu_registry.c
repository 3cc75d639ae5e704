// SPDX-License-Identifier: BSD-2-Clause
/*
 * The registry in the emulation: the driver's service key (the path given to
 * DriverEntry) with its Parameters subkey, holding what a test put there
 * (emu_registry_set_multi_sz). Rules: PASSIVE_LEVEL only (never with the
 * driver's spin lock held), kernel handles only (OBJ_KERNEL_HANDLE: a
 * driver's handle in a user process's table is that process's to close),
 * every handle closed (counted as an allocation).
 */
#include <stdlib.h>
#include <string.h>

#include "emu_internal.h"

#define MAX_VALUE 1024 /* WCHARs */

enum key { KEY_SERVICE = 1, KEY_PARAMETERS };

static struct {
	char name[32];
	WCHAR data[MAX_VALUE];
	ULONG bytes; /* 0: no such value */
} value;
static int handles[8];
static unsigned n_handles;

void emu_registry_set_multi_sz(const char *name, const char *strings, size_t len)
{
	value.bytes = 0;
	if (!name || len > MAX_VALUE)
		return;
	strncpy(value.name, name, sizeof(value.name) - 1);
	for (size_t i = 0; i < len; i++)
		value.data[i] = (WCHAR)(unsigned char)strings[i];
	value.bytes = (ULONG)(len * sizeof(WCHAR));
}

/* @u equals the ASCII @s, ignoring case (the registry's names do). */
static BOOLEAN same(const UNICODE_STRING *u, const char *s)
{
	size_t n = strlen(s);

	if (!u || u->Length != n * sizeof(WCHAR))
		return FALSE;
	for (size_t i = 0; i < n; i++) {
		WCHAR c = u->Buffer[i];

		if (c >= 'A' && c <= 'Z')
			c = (WCHAR)(c - 'A' + 'a');
		if (c != (WCHAR)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]))
			return FALSE;
	}
	return TRUE;
}

static HANDLE new_handle(enum key k)
{
	handles[n_handles] = k;
	emu_count_allocation(1);
	return &handles[n_handles++];
}

static int *handle_of(HANDLE h, const char *call)
{
	for (unsigned i = 0; i < n_handles; i++)
		if (h == &handles[i] && handles[i])
			return &handles[i];
	emu_violation("%s: not an open registry handle", call);
	abort();
}

NTSTATUS NTAPI ZwOpenKey(PHANDLE key, ACCESS_MASK access, POBJECT_ATTRIBUTES oa)
{
	emu_unlocked("ZwOpenKey");
	(void)access;
	if (!(oa->Attributes & OBJ_KERNEL_HANDLE))
		emu_violation("ZwOpenKey without OBJ_KERNEL_HANDLE");
	if (oa->Length != sizeof(*oa))
		emu_violation("ZwOpenKey: OBJECT_ATTRIBUTES not initialized");
	if (n_handles == sizeof(handles) / sizeof(handles[0]))
		abort(); /* more than the driver ever opens */
	if (!oa->RootDirectory) {
		if (!emu.registry_path || oa->ObjectName->Length != emu.registry_path->Length ||
		    memcmp(oa->ObjectName->Buffer, emu.registry_path->Buffer,
			   emu.registry_path->Length) != 0)
			return STATUS_OBJECT_NAME_NOT_FOUND;
		*key = new_handle(KEY_SERVICE);
		return STATUS_SUCCESS;
	}
	if (*handle_of(oa->RootDirectory, "ZwOpenKey") != KEY_SERVICE ||
	    !same(oa->ObjectName, "Parameters") || !value.bytes)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	*key = new_handle(KEY_PARAMETERS);
	return STATUS_SUCCESS;
}

NTSTATUS NTAPI ZwQueryValueKey(HANDLE key, PUNICODE_STRING name, KEY_VALUE_INFORMATION_CLASS class,
			       PVOID buf, ULONG len, PULONG result)
{
	PKEY_VALUE_PARTIAL_INFORMATION info = buf;

	emu_unlocked("ZwQueryValueKey");
	if (class != KeyValuePartialInformation)
		emu_violation("ZwQueryValueKey: only KeyValuePartialInformation is emulated");
	if (*handle_of(key, "ZwQueryValueKey") != KEY_PARAMETERS || !same(name, value.name))
		return STATUS_OBJECT_NAME_NOT_FOUND;
	*result = (ULONG)offsetof(KEY_VALUE_PARTIAL_INFORMATION, Data) + value.bytes;
	if (len < *result)
		return STATUS_BUFFER_TOO_SMALL;
	info->TitleIndex = 0;
	info->Type = REG_MULTI_SZ;
	info->DataLength = value.bytes;
	memcpy(info->Data, value.data, value.bytes);
	return STATUS_SUCCESS;
}

NTSTATUS NTAPI ZwClose(HANDLE h)
{
	int *k = handle_of(h, "ZwClose");

	emu_unlocked("ZwClose");
	*k = 0;
	emu_count_allocation(-1);
	while (n_handles && !handles[n_handles - 1])
		n_handles--;
	return STATUS_SUCCESS;
}
