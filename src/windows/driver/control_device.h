/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control device of sriovfo.sys (\Device\sriovfo, \\.\sriovfo to user
 * mode; ABI in sriovfo_control.h): registered with NdisRegisterDeviceEx,
 * its IRPs answered by control.c from the driver's engine.
 */
#ifndef SFO_WIN_CONTROL_DEVICE_H
#define SFO_WIN_CONTROL_DEVICE_H

#include "ndis6.h"

/* Create the device, owned by the filter driver @filter_driver. */
NDIS_STATUS sfo_control_device_register(NDIS_HANDLE filter_driver);
/* Remove it (unload); nothing if it was not created. */
void sfo_control_device_deregister(void);

#endif
