/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The driver's control device in the emulation: NdisRegisterDeviceEx and
 * NdisDeregisterDeviceEx, and the I/O manager's side of a METHOD_BUFFERED
 * device: opening it through its ACL, the access check of each control code
 * against the handle, one system buffer for input and output, the IRPs
 * given to the driver's dispatch routines. The rules checked: the device
 * registered once, by the filter driver, with a name under \Device, a
 * \DosDevices link, an ACL and the dispatch routines it is opened with;
 * every IRP completed exactly once, before its dispatch returns, with the
 * status the dispatch returns, no more output than asked for, and without
 * the driver's spin lock held; deregistered before unload. Handles are
 * used from any thread; registering and deregistering is the driver's, at
 * load and unload.
 */
#ifndef SFO_WIN_EMU_CTL_DEVICE_H
#define SFO_WIN_EMU_CTL_DEVICE_H

#include "ndis6.h"

struct emu_handle;

/* The device exists (registered, not deregistered). */
BOOLEAN emu_ctl_registered(void);
/* Its name and symbolic link, as UTF-8. */
const char *emu_ctl_name(void);
const char *emu_ctl_link(void);
/*
 * CreateFile: an Administrator (@admin) or not, for reading or also for
 * writing. STATUS_OBJECT_NAME_NOT_FOUND without the device,
 * STATUS_ACCESS_DENIED if its ACL refuses, else the IRP_MJ_CREATE's status.
 */
NTSTATUS emu_ctl_open(BOOLEAN admin, BOOLEAN write, struct emu_handle **out);
/*
 * DeviceIoControl: STATUS_ACCESS_DENIED if the handle lacks the code's
 * access (no IRP then), else the IRP's status; *@got the bytes copied to
 * @out (METHOD_BUFFERED: IoStatus.Information).
 */
NTSTATUS emu_ctl_ioctl(struct emu_handle *h, ULONG code, const void *in, ULONG in_len, void *out,
		       ULONG out_len, ULONG *got);
/* CloseHandle: IRP_MJ_CLOSE. */
void emu_ctl_close(struct emu_handle *h);
/* Handles open now. */
unsigned emu_ctl_handles(void);

#endif
