/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NdisRegisterDeviceEx and its attributes (ns-ndis-_ndis_device_object_attributes,
 * nf-ndis-ndisregisterdeviceex, nf-ndis-ndisderegisterdeviceex), which
 * mingw-w64's NDIS 5 headers lack: the control device of sriovfo.sys.
 */
#ifndef SFO_NDIS_DEVICE_H
#define SFO_NDIS_DEVICE_H

#include "ndis6.h"

#define NDIS_OBJECT_TYPE_DEVICE_OBJECT_ATTRIBUTES 0x85
#define NDIS_DEVICE_OBJECT_ATTRIBUTES_REVISION_1  1

typedef struct _NDIS_DEVICE_OBJECT_ATTRIBUTES {
	NDIS_OBJECT_HEADER Header;
	PNDIS_STRING DeviceName;
	PNDIS_STRING SymbolicName;
	PDRIVER_DISPATCH *MajorFunctions; /* IRP_MJ_MAXIMUM_FUNCTION + 1 entries */
	ULONG ExtensionSize;
	const UNICODE_STRING *DefaultSDDLString;
	const GUID *DeviceClassGuid;
} NDIS_DEVICE_OBJECT_ATTRIBUTES, *PNDIS_DEVICE_OBJECT_ATTRIBUTES;
/* NDIS_SIZEOF_DEVICE_OBJECT_ATTRIBUTES_REVISION_1: through DeviceClassGuid */
#define NDIS_SIZEOF_DEVICE_OBJECT_ATTRIBUTES_REVISION_1 \
	(offsetof(NDIS_DEVICE_OBJECT_ATTRIBUTES, DeviceClassGuid) + sizeof(const GUID *))

NDIS_STATUS NTAPI NdisRegisterDeviceEx(NDIS_HANDLE driver, PNDIS_DEVICE_OBJECT_ATTRIBUTES attrs,
				       PDEVICE_OBJECT *device, PNDIS_HANDLE device_handle);
VOID NTAPI NdisDeregisterDeviceEx(NDIS_HANDLE device_handle);

#if defined(__x86_64__)
_Static_assert(offsetof(NDIS_DEVICE_OBJECT_ATTRIBUTES, MajorFunctions) == 0x18,
	       "device attributes.MajorFunctions");
_Static_assert(offsetof(NDIS_DEVICE_OBJECT_ATTRIBUTES, DefaultSDDLString) == 0x28,
	       "device attributes.DefaultSDDLString");
_Static_assert(NDIS_SIZEOF_DEVICE_OBJECT_ATTRIBUTES_REVISION_1 == 0x38,
	       "NDIS_SIZEOF_DEVICE_OBJECT_ATTRIBUTES_REVISION_1");
#endif

#endif
