// SPDX-License-Identifier: BSD-2-Clause
/*
 * A device's PCI vendor:device, what the engine's VF allowlist is about,
 * from the first of its hardware IDs: "PCI\VEN_8086&DEV_154C&SUBSYS_...".
 */
#include "sriovfo.h"

#define HWID_BYTES 512 /* the first ID is well under 100 characters */

static BOOLEAN starts(const WCHAR *s, const char *with)
{
	for (; *with; s++, with++)
		if (*s != (WCHAR)*with)
			return FALSE;
	return TRUE;
}

static BOOLEAN hex4(const WCHAR *s, USHORT *out)
{
	USHORT v = 0;

	for (int i = 0; i < 4; i++) {
		WCHAR c = s[i];

		if (c >= '0' && c <= '9')
			v = (USHORT)(v * 16 + (c - '0'));
		else if (c >= 'A' && c <= 'F')
			v = (USHORT)(v * 16 + (c - 'A' + 10));
		else if (c >= 'a' && c <= 'f')
			v = (USHORT)(v * 16 + (c - 'a' + 10));
		else
			return FALSE;
	}
	*out = v;
	return TRUE;
}

static BOOLEAN parse(const WCHAR *id, USHORT *vendor, USHORT *device)
{
	/* PCI\VEN_xxxx&DEV_yyyy: 8 + 4 + 5 + 4 characters */
	return starts(id, "PCI\\VEN_") && hex4(id + 8, vendor) && starts(id + 12, "&DEV_") &&
	       hex4(id + 17, device);
}

BOOLEAN sfo_win_pci_id(PDEVICE_OBJECT pdo, USHORT *vendor, USHORT *device)
{
	WCHAR *buf;
	ULONG len = 0;
	BOOLEAN ok;

	*vendor = *device = 0;
	if (!pdo)
		return FALSE;
	buf = sfo_win_alloc(HWID_BYTES);
	if (!buf)
		return FALSE;
	/* one WCHAR short of the buffer: the zeroed end terminates it */
	ok = IoGetDeviceProperty(pdo, DevicePropertyHardwareID, HWID_BYTES - sizeof(WCHAR), buf,
				 &len) == STATUS_SUCCESS &&
	     parse(buf, vendor, device);
	sfo_win_free(buf);
	if (!ok)
		*vendor = *device = 0;
	return ok;
}
