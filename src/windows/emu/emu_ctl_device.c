// SPDX-License-Identifier: BSD-2-Clause
/* The driver's control device and the I/O manager around it (emu_ctl_device.h). */
#include <stdlib.h>
#include <string.h>

#include "emu_ctl_device.h"
#include "emu_internal.h"
#include "ndis_device.h"

#define FILE_WRITE_ACCESS	     2u
#define METHOD_BUFFERED		     0u
#define STATUS_ACCESS_DENIED	     ((NTSTATUS)0xC0000022)
#define STATUS_OBJECT_NAME_NOT_FOUND ((NTSTATUS)0xC0000034)

struct emu_handle {
	BOOLEAN write;
};

struct emu_irp {
	IRP irp; /* first: the driver sees only this */
	IO_STACK_LOCATION sl;
	unsigned completed;
};

static struct {
	BOOLEAN registered;
	DEVICE_OBJECT device;
	PDRIVER_DISPATCH major[IRP_MJ_MAXIMUM_FUNCTION + 1];
	char name[64], link[64], sddl[128];
	unsigned handles;
} dev;

/* A UNICODE_STRING as ASCII (the names are), "" if absent. */
static void narrow(const UNICODE_STRING *u, char *out, size_t len)
{
	size_t i = 0;

	for (; u && u->Buffer && i < u->Length / 2 && i + 1 < len; i++)
		out[i] = u->Buffer[i] < 0x80 ? (char)u->Buffer[i] : '?';
	out[i] = 0;
}

NDIS_STATUS NTAPI NdisRegisterDeviceEx(NDIS_HANDLE driver, PNDIS_DEVICE_OBJECT_ATTRIBUTES attrs,
				       PDEVICE_OBJECT *device, PNDIS_HANDLE device_handle)
{
	emu_unlocked("NdisRegisterDeviceEx");
	if (!emu.filter_registered || driver != &emu.fc)
		emu_violation("NdisRegisterDeviceEx: not the registered filter driver's handle");
	if (dev.registered) {
		emu_violation("NdisRegisterDeviceEx: a second device of the same name");
		return NDIS_STATUS_FAILURE;
	}
	if (attrs->Header.Type != NDIS_OBJECT_TYPE_DEVICE_OBJECT_ATTRIBUTES ||
	    attrs->Header.Revision != NDIS_DEVICE_OBJECT_ATTRIBUTES_REVISION_1 ||
	    attrs->Header.Size < NDIS_SIZEOF_DEVICE_OBJECT_ATTRIBUTES_REVISION_1)
		emu_violation("NdisRegisterDeviceEx: bad header");
	narrow(attrs->DeviceName, dev.name, sizeof(dev.name));
	narrow(attrs->SymbolicName, dev.link, sizeof(dev.link));
	narrow(attrs->DefaultSDDLString, dev.sddl, sizeof(dev.sddl));
	if (strncmp(dev.name, "\\Device\\", 8) != 0 || strncmp(dev.link, "\\DosDevices\\", 12) != 0)
		emu_violation("NdisRegisterDeviceEx: name '%s' or link '%s' misplaced", dev.name,
			      dev.link);
	if (!dev.sddl[0])
		emu_violation(
			"NdisRegisterDeviceEx: no ACL (DefaultSDDLString): anyone may open it");
	if (!attrs->MajorFunctions) {
		emu_violation("NdisRegisterDeviceEx: no dispatch routines");
		return NDIS_STATUS_FAILURE;
	}
	memcpy(dev.major, attrs->MajorFunctions, sizeof(dev.major));
	emu_lock();
	dev.registered = TRUE;
	emu_unlock();
	*device = &dev.device;
	*device_handle = &dev;
	return NDIS_STATUS_SUCCESS;
}

VOID NTAPI NdisDeregisterDeviceEx(NDIS_HANDLE device_handle)
{
	emu_unlocked("NdisDeregisterDeviceEx");
	if (device_handle != &dev || !dev.registered)
		emu_violation("NdisDeregisterDeviceEx: not a registered device");
	emu_lock();
	dev.registered = FALSE;
	emu_unlock();
}

PIO_STACK_LOCATION IoGetCurrentIrpStackLocation(PIRP irp)
{
	return &((struct emu_irp *)irp)->sl;
}

VOID NTAPI IofCompleteRequest(PIRP irp, CCHAR priority_boost)
{
	(void)priority_boost;
	emu_unlocked("IofCompleteRequest");
	if (((struct emu_irp *)irp)->completed++)
		emu_violation("IofCompleteRequest: an IRP completed twice");
}

BOOLEAN emu_ctl_registered(void)
{
	BOOLEAN registered;

	emu_lock();
	registered = dev.registered;
	emu_unlock();
	return registered;
}

const char *emu_ctl_name(void)
{
	return dev.name;
}

const char *emu_ctl_link(void)
{
	return dev.link;
}

unsigned emu_ctl_handles(void)
{
	unsigned n;

	emu_lock();
	n = dev.handles;
	emu_unlock();
	return n;
}

/* Whether the ACL lets in someone who is not an Administrator: an allow ACE
 * for Everyone, Authenticated Users, Users or Interactive. */
static BOOLEAN acl_lets_anyone(void)
{
	static const char *const anyone[] = { ";;;WD)", ";;;AU)", ";;;BU)", ";;;IU)" };

	for (size_t i = 0; i < sizeof(anyone) / sizeof(anyone[0]); i++)
		if (strstr(dev.sddl, anyone[i]))
			return TRUE;
	return FALSE;
}

/* One IRP through the dispatch routine of @major; its status. */
static NTSTATUS dispatch(struct emu_irp *e, UCHAR major)
{
	PDRIVER_DISPATCH fn = dev.major[major];
	NTSTATUS st;

	if (!fn)
		return STATUS_INVALID_DEVICE_REQUEST; /* NDIS's default */
	e->sl.MajorFunction = major;
	e->irp.IoStatus.Status = (NTSTATUS)0xDEAD0001; /* not set yet */
	st = fn(&dev.device, &e->irp);
	if (e->completed != 1)
		emu_violation("IRP major %#x: completed %u times before its dispatch returned",
			      major, e->completed);
	if (st == STATUS_PENDING)
		emu_violation("IRP major %#x: pended (this device's requests never wait)", major);
	else if (st != e->irp.IoStatus.Status)
		emu_violation("IRP major %#x: returned %#x, completed with %#x", major,
			      (unsigned)st, (unsigned)e->irp.IoStatus.Status);
	return e->irp.IoStatus.Status;
}

NTSTATUS emu_ctl_open(BOOLEAN admin, BOOLEAN write, struct emu_handle **out)
{
	struct emu_irp e = { 0 };
	struct emu_handle *h;
	NTSTATUS st;

	if (!emu_ctl_registered())
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (!admin && !acl_lets_anyone())
		return STATUS_ACCESS_DENIED;
	st = dispatch(&e, IRP_MJ_CREATE);
	if (st != STATUS_SUCCESS)
		return st;
	h = calloc(1, sizeof(*h));
	if (!h)
		abort();
	h->write = write;
	emu_lock();
	dev.handles++;
	emu_unlock();
	*out = h;
	return STATUS_SUCCESS;
}

NTSTATUS emu_ctl_ioctl(struct emu_handle *h, ULONG code, const void *in, ULONG in_len, void *out,
		       ULONG out_len, ULONG *got)
{
	ULONG access = (code >> 14) & 3u, len = in_len > out_len ? in_len : out_len;
	struct emu_irp e = { 0 };
	NTSTATUS st;
	char *sysbuf;

	*got = 0;
	if ((access & FILE_WRITE_ACCESS) && !h->write)
		return STATUS_ACCESS_DENIED;
	/* METHOD_BUFFERED: one buffer of the larger size, the input copied in */
	sysbuf = len ? calloc(1, len) : NULL;
	if (len && !sysbuf)
		abort();
	if (in_len)
		memcpy(sysbuf, in, in_len);
	e.irp.AssociatedIrp.SystemBuffer = sysbuf;
	e.sl.Parameters.DeviceIoControl.IoControlCode = code;
	e.sl.Parameters.DeviceIoControl.InputBufferLength = in_len;
	e.sl.Parameters.DeviceIoControl.OutputBufferLength = out_len;
	st = dispatch(&e, IRP_MJ_DEVICE_CONTROL);
	if (e.irp.IoStatus.Information > out_len)
		emu_violation("IRP_MJ_DEVICE_CONTROL: Information %lu past the output buffer (%u)",
			      (unsigned long)e.irp.IoStatus.Information, (unsigned)out_len);
	else if ((code & 3u) == METHOD_BUFFERED && e.irp.IoStatus.Information)
		memcpy(out, sysbuf, e.irp.IoStatus.Information);
	*got = (ULONG)e.irp.IoStatus.Information;
	free(sysbuf);
	return st;
}

void emu_ctl_close(struct emu_handle *h)
{
	struct emu_irp e = { 0 };

	if (emu_ctl_registered())
		dispatch(&e, IRP_MJ_CLOSE);
	emu_lock();
	dev.handles--;
	emu_unlock();
	free(h);
}
