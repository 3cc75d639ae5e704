/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The few wdm.h / ntddndis.h types ndis6.h builds on, for the native (Linux)
 * build of the driver against the NDIS emulation (src/windows/emu/). Every
 * type has its Windows x64 (LLP64) size and alignment: ULONG is 32 bits,
 * WCHAR 16, pointers 64, so the _Static_assert'ed layouts of ndis6.h hold in
 * both builds. Never included by the Windows build, which uses mingw-w64's
 * <ntddk.h> and <ntddndis.h>.
 */
#ifndef SFO_NT_NATIVE_H
#define SFO_NT_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#define VOID void
#define NTAPI
typedef void *PVOID;
typedef uint8_t UCHAR, *PUCHAR, BOOLEAN;
typedef uint16_t USHORT, *PUSHORT, WCHAR, *PWSTR, UINT16;
typedef int16_t CSHORT;
typedef uint32_t ULONG, *PULONG, UINT, *PUINT;
typedef int32_t LONG, NTSTATUS;
typedef uint64_t ULONG64, ULONGLONG;
typedef int64_t LONGLONG;
typedef uintptr_t ULONG_PTR, SIZE_T, KSPIN_LOCK;
typedef UCHAR KIRQL;

#define TRUE  1
#define FALSE 0

#define STATUS_SUCCESS		      ((NTSTATUS)0x00000000)
#define STATUS_PENDING		      ((NTSTATUS)0x00000103)
#define STATUS_UNSUCCESSFUL	      ((NTSTATUS)0xC0000001)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009A)
#define STATUS_NOT_SUPPORTED	      ((NTSTATUS)0xC00000BB)

typedef union _LARGE_INTEGER {
	struct {
		ULONG LowPart;
		LONG HighPart;
	} u;
	LONGLONG QuadPart;
} LARGE_INTEGER, PHYSICAL_ADDRESS;

typedef struct _GUID {
	ULONG Data1;
	USHORT Data2, Data3;
	UCHAR Data4[8];
} GUID;

typedef struct _UNICODE_STRING {
	USHORT Length, MaximumLength;
	PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;

typedef struct __attribute__((aligned(16))) _SLIST_HEADER {
	ULONGLONG Alignment, Region;
} SLIST_HEADER;

/* wdm.h's MDL; the emulation maps every MDL (MappedSystemVa). */
typedef struct _MDL {
	struct _MDL *Next;
	CSHORT Size;
	CSHORT MdlFlags;
	void *Process;
	PVOID MappedSystemVa;
	PVOID StartVa;
	ULONG ByteCount;
	ULONG ByteOffset;
} MDL, *PMDL;

typedef struct _DEVICE_OBJECT {
	int opaque;
} DEVICE_OBJECT, *PDEVICE_OBJECT;

struct _DRIVER_OBJECT;
typedef VOID DRIVER_UNLOAD(struct _DRIVER_OBJECT *);
/* Only the member the driver sets; NDIS never sees this type's size. */
typedef struct _DRIVER_OBJECT {
	DRIVER_UNLOAD *DriverUnload;
} DRIVER_OBJECT, *PDRIVER_OBJECT;

/* wdm.h's I/O request packet: the members a dispatch routine of a
 * METHOD_BUFFERED control device uses (the emulation makes the IRPs). */
typedef char CCHAR;
#define IRP_MJ_CREATE		      0x00
#define IRP_MJ_CLOSE		      0x02
#define IRP_MJ_DEVICE_CONTROL	      0x0e
#define IRP_MJ_MAXIMUM_FUNCTION	      0x1b
#define IO_NO_INCREMENT		      0
#define STATUS_INVALID_DEVICE_REQUEST ((NTSTATUS)0xC0000010)

typedef struct _IO_STATUS_BLOCK {
	union {
		NTSTATUS Status;
		PVOID Pointer;
	};
	ULONG_PTR Information;
} IO_STATUS_BLOCK;

typedef struct _IO_STACK_LOCATION {
	UCHAR MajorFunction;
	UCHAR MinorFunction;
	UCHAR Flags;
	UCHAR Control;
	union {
		struct {
			ULONG OutputBufferLength;
			ULONG InputBufferLength;
			ULONG IoControlCode;
			PVOID Type3InputBuffer;
		} DeviceIoControl;
	} Parameters;
} IO_STACK_LOCATION, *PIO_STACK_LOCATION;

typedef struct _IRP {
	IO_STATUS_BLOCK IoStatus;
	union {
		PVOID SystemBuffer;
	} AssociatedIrp;
} IRP, *PIRP;

typedef NTSTATUS(NTAPI DRIVER_DISPATCH)(PDEVICE_OBJECT device, PIRP irp);
typedef DRIVER_DISPATCH *PDRIVER_DISPATCH;

/* An inline function of wdm.h; the emulation's here. */
PIO_STACK_LOCATION IoGetCurrentIrpStackLocation(PIRP irp);
/* wdm.h: IoCompleteRequest is IofCompleteRequest, which ntoskrnl.exe exports. */
VOID NTAPI IofCompleteRequest(PIRP irp, CCHAR priority_boost);
#define IoCompleteRequest IofCompleteRequest

/* ntddndis.h */
typedef struct _NDIS_OBJECT_HEADER {
	UCHAR Type;
	UCHAR Revision;
	USHORT Size;
} NDIS_OBJECT_HEADER, *PNDIS_OBJECT_HEADER;

#define NDIS_OBJECT_TYPE_DEFAULT			 0x80
#define NDIS_OBJECT_TYPE_BIND_PARAMETERS		 0x86
#define NDIS_OBJECT_TYPE_OPEN_PARAMETERS		 0x87
#define NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS	 0x8b
#define NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES		 0x8d
#define NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS 0x95
#define NDIS_OBJECT_TYPE_OID_REQUEST			 0x96
#define NDIS_OBJECT_TYPE_STATUS_INDICATION		 0x98
#define NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS	 0x99
#define NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS	 0x9a
#define NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS	 0x9b

typedef ULONG NDIS_OID, NDIS_PORT_NUMBER, NET_IFINDEX;
typedef union _NET_LUID {
	ULONG64 Value;
} NET_LUID;
typedef enum _NDIS_MEDIUM { NdisMedium802_3 = 0 } NDIS_MEDIUM;
typedef enum _NDIS_PHYSICAL_MEDIUM { NdisPhysicalMediumUnspecified = 0 } NDIS_PHYSICAL_MEDIUM;
typedef enum _NET_IF_MEDIA_CONNECT_STATE {
	MediaConnectStateUnknown,
	MediaConnectStateConnected,
	MediaConnectStateDisconnected,
} NET_IF_MEDIA_CONNECT_STATE,
	NDIS_MEDIA_CONNECT_STATE;
typedef enum _NET_IF_MEDIA_DUPLEX_STATE {
	MediaDuplexStateUnknown,
	MediaDuplexStateHalf,
	MediaDuplexStateFull,
} NET_IF_MEDIA_DUPLEX_STATE,
	NDIS_MEDIA_DUPLEX_STATE;
typedef enum _NDIS_REQUEST_TYPE {
	NdisRequestQueryInformation,
	NdisRequestSetInformation,
	NdisRequestQueryStatistics,
	NdisRequestOpen,
	NdisRequestClose,
	NdisRequestSend,
	NdisRequestTransferData,
	NdisRequestReset,
	NdisRequestGeneric1,
	NdisRequestGeneric2,
	NdisRequestGeneric3,
	NdisRequestGeneric4,
	NdisRequestMethod,
} NDIS_REQUEST_TYPE;

#define NDIS_MAX_PHYS_ADDRESS_LENGTH 32

#define OID_GEN_CURRENT_PACKET_FILTER 0x0001010E
/* RSS: an NDIS_RECEIVE_SCALE_PARAMETERS with its table and key after it */
#define OID_GEN_RECEIVE_SCALE_PARAMETERS    0x00010204
#define NDIS_OBJECT_TYPE_RSS_PARAMETERS	    0x89
#define OID_GEN_MINIPORT_RESTART_ATTRIBUTES 0x0001021D
#define OID_802_3_MULTICAST_LIST	    0x01010103
#define NDIS_PACKET_TYPE_DIRECTED	    0x00000001
#define NDIS_PACKET_TYPE_MULTICAST	    0x00000002
#define NDIS_PACKET_TYPE_ALL_MULTICAST	    0x00000004
#define NDIS_PACKET_TYPE_BROADCAST	    0x00000008
#define NDIS_PACKET_TYPE_PROMISCUOUS	    0x00000020

/* ntddndis.h: the statistics the stack queries (ns-ntddndis-_ndis_statistics_info) */
#define OID_GEN_STATISTICS 0x00020106
/* the current task offload configuration (an NDIS_OFFLOAD) */
#define OID_TCP_OFFLOAD_CURRENT_CONFIG 0xfc01020b
/* the stack enabling offloads: an NDIS_OFFLOAD_PARAMETERS */
#define OID_TCP_OFFLOAD_PARAMETERS 0xfc01020c
#define NDIS_OBJECT_TYPE_DEFAULT   0x80
/* the single counters (ULONG or ULONG64 answers) */
#define OID_GEN_XMIT_OK			       0x00020101
#define OID_GEN_RCV_OK			       0x00020102
#define OID_GEN_XMIT_ERROR		       0x00020103
#define OID_GEN_RCV_ERROR		       0x00020104
#define OID_GEN_RCV_NO_BUFFER		       0x00020105
#define OID_GEN_DIRECTED_BYTES_XMIT	       0x00020201
#define OID_GEN_DIRECTED_FRAMES_XMIT	       0x00020202
#define OID_GEN_MULTICAST_BYTES_XMIT	       0x00020203
#define OID_GEN_MULTICAST_FRAMES_XMIT	       0x00020204
#define OID_GEN_BROADCAST_BYTES_XMIT	       0x00020205
#define OID_GEN_BROADCAST_FRAMES_XMIT	       0x00020206
#define OID_GEN_DIRECTED_BYTES_RCV	       0x00020207
#define OID_GEN_DIRECTED_FRAMES_RCV	       0x00020208
#define OID_GEN_MULTICAST_BYTES_RCV	       0x00020209
#define OID_GEN_MULTICAST_FRAMES_RCV	       0x0002020a
#define OID_GEN_BROADCAST_BYTES_RCV	       0x0002020b
#define OID_GEN_BROADCAST_FRAMES_RCV	       0x0002020c
#define OID_GEN_BYTES_RCV		       0x00020219
#define OID_GEN_BYTES_XMIT		       0x0002021a
#define OID_GEN_RCV_DISCARDS		       0x0002021b
#define OID_GEN_XMIT_DISCARDS		       0x0002021c
#define NDIS_STATISTICS_INFO_REVISION_1	       1
#define NDIS_SIZEOF_STATISTICS_INFO_REVISION_1 sizeof(NDIS_STATISTICS_INFO)
typedef struct _NDIS_STATISTICS_INFO {
	NDIS_OBJECT_HEADER Header;
	ULONG SupportedStatistics;
	ULONG64 ifInDiscards;
	ULONG64 ifInErrors;
	ULONG64 ifHCInOctets;
	ULONG64 ifHCInUcastPkts;
	ULONG64 ifHCInMulticastPkts;
	ULONG64 ifHCInBroadcastPkts;
	ULONG64 ifHCOutOctets;
	ULONG64 ifHCOutUcastPkts;
	ULONG64 ifHCOutMulticastPkts;
	ULONG64 ifHCOutBroadcastPkts;
	ULONG64 ifOutErrors;
	ULONG64 ifOutDiscards;
	ULONG64 ifHCInUcastOctets;
	ULONG64 ifHCInMulticastOctets;
	ULONG64 ifHCInBroadcastOctets;
	ULONG64 ifHCOutUcastOctets;
	ULONG64 ifHCOutMulticastOctets;
	ULONG64 ifHCOutBroadcastOctets;
} NDIS_STATISTICS_INFO, *PNDIS_STATISTICS_INFO;

typedef struct _NDIS_LINK_STATE {
	NDIS_OBJECT_HEADER Header;
	NET_IF_MEDIA_CONNECT_STATE MediaConnectState;
	NET_IF_MEDIA_DUPLEX_STATE MediaDuplexState;
	ULONG64 XmitLinkSpeed;
	ULONG64 RcvLinkSpeed;
	ULONG PauseFunctions;
	ULONG AutoNegotiationFlags;
} NDIS_LINK_STATE;

/* wdm.h: the ntoskrnl.exe exports the driver imports besides NDIS's
 * (nf-wdm-iogetdeviceproperty: PASSIVE_LEVEL only; nf-wdm-kequeryunbiasedinterrupttime:
 * the time since boot without the time asleep, in 100 ns units; nf-wdm-dbgprintex;
 * nf-wdm-keflushqueueddpcs: returns once every DPC queued or running on any
 * processor has run, PASSIVE_LEVEL) */
typedef enum _DEVICE_REGISTRY_PROPERTY {
	DevicePropertyHardwareID = 1, /* REG_MULTI_SZ */
} DEVICE_REGISTRY_PROPERTY;
NTSTATUS NTAPI IoGetDeviceProperty(PDEVICE_OBJECT, DEVICE_REGISTRY_PROPERTY, ULONG, PVOID, PULONG);
ULONGLONG NTAPI KeQueryUnbiasedInterruptTime(VOID);
VOID NTAPI KeFlushQueuedDpcs(VOID);
ULONG DbgPrintEx(ULONG component, ULONG level, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* wdm.h and ntdef.h: the registry (nf-wdm-zwopenkey, nf-wdm-zwqueryvaluekey,
 * nf-wdm-zwclose; PASSIVE_LEVEL) */
typedef PVOID HANDLE, *PHANDLE;
typedef ULONG ACCESS_MASK;
typedef struct _OBJECT_ATTRIBUTES {
	ULONG Length;
	HANDLE RootDirectory;
	PUNICODE_STRING ObjectName;
	ULONG Attributes;
	PVOID SecurityDescriptor;
	PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;
#define OBJ_CASE_INSENSITIVE 0x00000040
#define OBJ_KERNEL_HANDLE    0x00000200
#define InitializeObjectAttributes(p, n, a, r, s)        \
	{                                                \
		(p)->Length = sizeof(OBJECT_ATTRIBUTES); \
		(p)->RootDirectory = (r);                \
		(p)->Attributes = (a);                   \
		(p)->ObjectName = (n);                   \
		(p)->SecurityDescriptor = (s);           \
		(p)->SecurityQualityOfService = NULL;    \
	}
#define KEY_READ     0x00020019
#define REG_MULTI_SZ 7
typedef enum _KEY_VALUE_INFORMATION_CLASS {
	KeyValuePartialInformation = 2,
} KEY_VALUE_INFORMATION_CLASS;
typedef struct _KEY_VALUE_PARTIAL_INFORMATION {
	ULONG TitleIndex;
	ULONG Type;
	ULONG DataLength;
	UCHAR Data[1];
} KEY_VALUE_PARTIAL_INFORMATION, *PKEY_VALUE_PARTIAL_INFORMATION;
NTSTATUS NTAPI ZwOpenKey(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES);
NTSTATUS NTAPI ZwQueryValueKey(HANDLE, PUNICODE_STRING, KEY_VALUE_INFORMATION_CLASS, PVOID, ULONG,
			       PULONG);
NTSTATUS NTAPI ZwClose(HANDLE);
#define STATUS_BUFFER_TOO_SMALL	     ((NTSTATUS)0xC0000023)
#define STATUS_OBJECT_NAME_NOT_FOUND ((NTSTATUS)0xC0000034)

#endif
