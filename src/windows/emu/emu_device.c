// SPDX-License-Identifier: BSD-2-Clause
/*
 * The kernel's device and debug services the driver imports: an adapter's
 * hardware ID (IoGetDeviceProperty, PASSIVE_LEVEL: never with the driver's
 * spin lock held) and DbgPrintEx, whose lines the tests can look for
 * (printed too with SFO_EMU_LOG=1).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu_internal.h"

#define STATUS_INVALID_PARAMETER_2 ((NTSTATUS)0xC00000F0L)

#define LOG_LINES 64
static char log_lines[LOG_LINES][256];
static unsigned n_log; /* lines written so far; the last LOG_LINES are kept */

void emu_adapter_set_pci(struct emu_adapter *a, USHORT vendor, USHORT device)
{
	emu_lock();
	a->pci_vendor = vendor;
	a->pci_device = device;
	emu_unlock();
}

NTSTATUS NTAPI IoGetDeviceProperty(PDEVICE_OBJECT pdo, DEVICE_REGISTRY_PROPERTY property, ULONG len,
				   PVOID buf, PULONG result)
{
	char ids[128];
	struct emu_adapter *a;
	int n;

	USHORT vendor = 0, device = 0;

	emu_unlocked("IoGetDeviceProperty");
	emu_lock();
	for (a = emu.adapters; a && &a->pdo != pdo; a = a->next)
		;
	if (a) {
		vendor = a->pci_vendor;
		device = a->pci_device;
	}
	emu_unlock();
	if (!a) {
		emu_violation("IoGetDeviceProperty: not a physical device object");
		return STATUS_INVALID_PARAMETER_2;
	}
	if (property != DevicePropertyHardwareID)
		return STATUS_INVALID_PARAMETER_2;
	if (!vendor)
		return STATUS_OBJECT_NAME_NOT_FOUND; /* not a PCI function */
	/* REG_MULTI_SZ: the most specific ID first, an empty string last */
	n = snprintf(ids, sizeof(ids),
		     "PCI\\VEN_%04X&DEV_%04X&SUBSYS_00000000&REV_01%cPCI\\VEN_%04X&DEV_%04X%c",
		     vendor, device, 0, vendor, device, 0);
	*result = (ULONG)(n + 1) * sizeof(WCHAR);
	if (len < *result)
		return STATUS_BUFFER_TOO_SMALL;
	for (int i = 0; i <= n; i++)
		((WCHAR *)buf)[i] = (WCHAR)(unsigned char)ids[i];
	return STATUS_SUCCESS;
}

ULONG DbgPrintEx(ULONG component, ULONG level, const char *format, ...)
{
	char *line;
	va_list ap;

	(void)component;
	emu_lock();
	line = log_lines[n_log++ % LOG_LINES];
	va_start(ap, format);
	vsnprintf(line, sizeof(log_lines[0]), format, ap);
	va_end(ap);
	if (getenv("SFO_EMU_LOG"))
		fprintf(stderr, "[%lu] %s", (unsigned long)level, line);
	emu_unlock();
	return 0;
}

unsigned emu_log_count(const char *text)
{
	unsigned n = 0;

	emu_lock();
	for (unsigned i = n_log > LOG_LINES ? n_log - LOG_LINES : 0; i < n_log; i++)
		n += strstr(log_lines[i % LOG_LINES], text) != NULL;
	emu_unlock();
	return n;
}

BOOLEAN emu_log_has(const char *text)
{
	return emu_log_count(text) != 0;
}
