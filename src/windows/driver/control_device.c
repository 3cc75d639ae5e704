// SPDX-License-Identifier: BSD-2-Clause
/*
 * The control device: NdisRegisterDeviceEx with an ACL for SYSTEM and the
 * Administrators only (sriovfo_control.h's SFO_CTL_SDDL); IRP_MJ_CREATE and
 * IRP_MJ_CLOSE succeed, IRP_MJ_DEVICE_CONTROL is answered by control.c under
 * the engine's lock (sfo_drv_engine_lock: the driver's spin lock), every IRP
 * completed here, once, before returning, after the lock is dropped. The
 * answer is written into the system buffer under the lock: METHOD_BUFFERED's
 * buffer is non-paged pool, copied to the caller by the I/O manager later. The
 * I/O manager has checked the handle's access against the code's (read for
 * the queries, write for release/resume) before the IRP comes here.
 */
#include "control.h"
#include "control_device.h"
#include "ndis_device.h"
#include "sriovfo.h"

/* Counted UTF-16 string from a u"" literal. */
#define CTL_USTR(lit)                                                        \
	{                                                                    \
		(USHORT)(sizeof(lit) - 2), (USHORT)sizeof(lit), (PWSTR)(lit) \
	}

#define CTL_METHOD_MASK 3u /* METHOD_BUFFERED is 0 */

static struct {
	NDIS_HANDLE handle; /* NdisRegisterDeviceEx's; NULL when not registered */
	PDEVICE_OBJECT device;
} ctl;

static NTSTATUS complete(PIRP irp, NTSTATUS st, ULONG_PTR information)
{
	irp->IoStatus.Status = st;
	irp->IoStatus.Information = information;
	IoCompleteRequest(irp, IO_NO_INCREMENT);
	return st;
}

static NTSTATUS NTAPI ctl_create_close(PDEVICE_OBJECT device, PIRP irp)
{
	(void)device;
	return complete(irp, STATUS_SUCCESS, 0);
}

static NTSTATUS NTAPI ctl_device_control(PDEVICE_OBJECT device, PIRP irp)
{
	PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(irp);
	ULONG code = sl->Parameters.DeviceIoControl.IoControlCode;
	ULONG in_len = sl->Parameters.DeviceIoControl.InputBufferLength;
	ULONG out_len = sl->Parameters.DeviceIoControl.OutputBufferLength;
	void *buf = irp->AssociatedIrp.SystemBuffer;
	struct sfo_engine *eng;
	ULONG written = 0;
	NTSTATUS st;

	(void)device;
	/* the buffers below are the I/O manager's copy only with METHOD_BUFFERED */
	if ((code & CTL_METHOD_MASK) != 0)
		return complete(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
	eng = sfo_drv_engine_lock();
	st = sfo_control_request(eng, sfo_drv_now_ns(), code, in_len ? buf : NULL, in_len,
				 out_len ? buf : NULL, out_len, &written);
	sfo_drv_engine_unlock();
	/* IoCompleteRequest with no lock held */
	return complete(irp, st, written);
}

NDIS_STATUS sfo_control_device_register(NDIS_HANDLE filter_driver)
{
	static PDRIVER_DISPATCH major[IRP_MJ_MAXIMUM_FUNCTION + 1];
	static NDIS_STRING name = CTL_USTR(SFO_CTL_DEVICE_NT);
	static NDIS_STRING link = CTL_USTR(SFO_CTL_DEVICE_LINK);
	static UNICODE_STRING sddl = CTL_USTR(SFO_CTL_SDDL);
	NDIS_DEVICE_OBJECT_ATTRIBUTES attrs;
	NDIS_STATUS st;

	major[IRP_MJ_CREATE] = ctl_create_close;
	major[IRP_MJ_CLOSE] = ctl_create_close;
	major[IRP_MJ_DEVICE_CONTROL] = ctl_device_control;
	__builtin_memset(&attrs, 0, sizeof(attrs));
	attrs.Header.Type = NDIS_OBJECT_TYPE_DEVICE_OBJECT_ATTRIBUTES;
	attrs.Header.Revision = NDIS_DEVICE_OBJECT_ATTRIBUTES_REVISION_1;
	attrs.Header.Size = NDIS_SIZEOF_DEVICE_OBJECT_ATTRIBUTES_REVISION_1;
	attrs.DeviceName = &name;
	attrs.SymbolicName = &link;
	attrs.MajorFunctions = major;
	attrs.DefaultSDDLString = &sddl;
	st = NdisRegisterDeviceEx(filter_driver, &attrs, &ctl.device, &ctl.handle);
	if (st != NDIS_STATUS_SUCCESS)
		ctl.handle = NULL;
	return st;
}

void sfo_control_device_deregister(void)
{
	if (!ctl.handle)
		return;
	NdisDeregisterDeviceEx(ctl.handle);
	ctl.handle = NULL;
	ctl.device = NULL;
}
