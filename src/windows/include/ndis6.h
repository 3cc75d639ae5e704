/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The NDIS 6.30 declarations the driver uses, which mingw-w64's ddk/ndis.h
 * lacks (it is NDIS 5 only and does not compile as is; its netpnp.h has
 * NdisDevicePnPEventSurpriseRemoved = 0 where the WDK has 2, so netpnp.h is
 * never included). Never include <ndis.h> with this file.
 *
 * Layouts come from the syntax blocks of the public DDI reference
 * (learn.microsoft.com/windows-hardware/drivers/ddi/ndis/): ns-ndis-net_buffer,
 * ns-ndis-net_buffer_list, ns-ndis-_ndis_filter_driver_characteristics,
 * ns-ndis-_ndis_protocol_driver_characteristics, ns-ndis-_ndis_filter_attach_parameters,
 * ns-ndis-_ndis_bind_parameters, ns-ndis-_ndis_open_parameters,
 * ns-ndis-_ndis_status_indication, ns-ndis-_net_buffer_list_pool_parameters,
 * ns-netpnp-_net_pnp_event; the function prototypes from the nf-ndis-* pages.
 * The x64 offsets of the structures NDIS allocates and the driver reads are
 * pinned with _Static_assert at the end.
 *
 * Two builds: the driver (x86_64-w64-mingw32, on <ntddk.h> and <ntddndis.h>)
 * and the native build against the NDIS emulation (on nt_native.h).
 */
#ifndef SFO_NDIS6_H
#define SFO_NDIS6_H

#ifdef _WIN32
#include <ntddk.h>
#include <ntddndis.h>
typedef unsigned int UINT, *PUINT; /* ndis.h's, which is not included */
#else
#include "nt_native.h"
#endif

typedef int NDIS_STATUS;
typedef PVOID NDIS_HANDLE, *PNDIS_HANDLE;
typedef UNICODE_STRING NDIS_STRING, *PNDIS_STRING;
typedef USHORT NET_FRAME_TYPE;
typedef struct _NDIS_SPIN_LOCK {
	KSPIN_LOCK SpinLock;
	KIRQL OldIrql;
} NDIS_SPIN_LOCK, *PNDIS_SPIN_LOCK;

#define NDIS_STATUS_SUCCESS			((NDIS_STATUS)STATUS_SUCCESS)
#define NDIS_STATUS_PENDING			((NDIS_STATUS)STATUS_PENDING)
#define NDIS_STATUS_FAILURE			((NDIS_STATUS)STATUS_UNSUCCESSFUL)
#define NDIS_STATUS_RESOURCES			((NDIS_STATUS)STATUS_INSUFFICIENT_RESOURCES)
#define NDIS_STATUS_NOT_SUPPORTED		((NDIS_STATUS)STATUS_NOT_SUPPORTED)
#define NDIS_STATUS_PAUSED			((NDIS_STATUS)0xC023002AL)
#define NDIS_STATUS_UNSUPPORTED_MEDIA		((NDIS_STATUS)0xC0230019L)
#define NDIS_STATUS_LINK_STATE			((NDIS_STATUS)0x40010017L)
#define NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG ((NDIS_STATUS)0x40020006L)
#define NDIS_STATUS_INVALID_LENGTH		((NDIS_STATUS)0xC0010014L)
#define NDIS_STATUS_BUFFER_TOO_SHORT		((NDIS_STATUS)0xC0010016L)

#define NDIS_SEND_FLAGS_DISPATCH_LEVEL		0x00000001
#define NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL 0x00000001
#define NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL	0x00000001
#define NDIS_RECEIVE_FLAGS_RESOURCES		0x00000002
#define NDIS_RETURN_FLAGS_DISPATCH_LEVEL	0x00000001
#define NDIS_TEST_RECEIVE_CANNOT_PEND(flags)	(((flags)&NDIS_RECEIVE_FLAGS_RESOURCES) != 0)

/* netpnp.h (ns-netpnp-_net_pnp_event) */
typedef enum _NET_PNP_EVENT_CODE {
	NetEventSetPower,
	NetEventQueryPower,
	NetEventQueryRemoveDevice,
	NetEventCancelRemoveDevice,
	NetEventReconfigure,
	NetEventBindList,
	NetEventBindsComplete,
	NetEventPnPCapabilities,
	NetEventPause,
	NetEventRestart,
	NetEventPortActivation,
	NetEventPortDeactivation,
	NetEventIMReEnableDevice,
	NetEventMaximum,
} NET_PNP_EVENT_CODE;

typedef struct _NET_PNP_EVENT {
	NET_PNP_EVENT_CODE NetEvent;
	PVOID Buffer;
	ULONG BufferLength;
	ULONG_PTR NdisReserved[4];
	ULONG_PTR TransportReserved[4];
	ULONG_PTR TdiReserved[4];
	ULONG_PTR TdiClientReserved[4];
} NET_PNP_EVENT;

typedef struct _NET_PNP_EVENT_NOTIFICATION {
	NDIS_OBJECT_HEADER Header;
	NDIS_PORT_NUMBER PortNumber;
	NET_PNP_EVENT NetPnPEvent;
} NET_PNP_EVENT_NOTIFICATION, *PNET_PNP_EVENT_NOTIFICATION;

/* NET_BUFFER and NET_BUFFER_LIST: NDIS allocates them, never sizeof() one. */
typedef struct _NET_BUFFER NET_BUFFER, *PNET_BUFFER;
typedef struct _NET_BUFFER_LIST NET_BUFFER_LIST, *PNET_BUFFER_LIST;
#define SFO_NDIS_ALIGN16 __attribute__((aligned(16))) /* MEMORY_ALLOCATION_ALIGNMENT */

struct _NET_BUFFER {
	union {
		struct {
			PNET_BUFFER Next;
			PMDL CurrentMdl;
			ULONG CurrentMdlOffset;
			union {
				ULONG DataLength;
				SIZE_T stDataLength;
			};
			PMDL MdlChain;
			ULONG DataOffset;
		};
		SLIST_HEADER Link;
	};
	USHORT ChecksumBias;
	USHORT Reserved;
	NDIS_HANDLE NdisPoolHandle;
	SFO_NDIS_ALIGN16 PVOID NdisReserved[2];
	SFO_NDIS_ALIGN16 PVOID ProtocolReserved[6];
	SFO_NDIS_ALIGN16 PVOID MiniportReserved[4];
	PHYSICAL_ADDRESS DataPhysicalAddress;
	PVOID SharedMemoryInfo; /* union with ScatterGatherList */
};

struct _NET_BUFFER_LIST {
	union {
		struct {
			PNET_BUFFER_LIST Next;
			PNET_BUFFER FirstNetBuffer;
		};
		SLIST_HEADER Link;
	};
	PVOID Context;
	PNET_BUFFER_LIST ParentNetBufferList;
	NDIS_HANDLE NdisPoolHandle;
	SFO_NDIS_ALIGN16 PVOID NdisReserved[2];
	SFO_NDIS_ALIGN16 PVOID ProtocolReserved[4];
	SFO_NDIS_ALIGN16 PVOID MiniportReserved[2];
	PVOID Scratch;
	NDIS_HANDLE SourceHandle;
	ULONG NblFlags;
	LONG ChildRefCount;
	ULONG Flags;
	union {
		NDIS_STATUS Status;
		ULONG NdisReserved2;
	};
	/* NetBufferListInfo[MaxNetBufferListInfo] follows; its length grows
	 * with the NDIS version, so it is not declared. */
};

typedef struct _NET_BUFFER_LIST_POOL_PARAMETERS {
	NDIS_OBJECT_HEADER Header;
	UCHAR ProtocolId;
	BOOLEAN fAllocateNetBuffer;
	USHORT ContextSize;
	ULONG PoolTag;
	ULONG DataSize;
} NET_BUFFER_LIST_POOL_PARAMETERS;
#define NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 1
#define NDIS_PROTOCOL_ID_DEFAULT		   0x00

typedef struct _NDIS_STATUS_INDICATION {
	NDIS_OBJECT_HEADER Header;
	NDIS_HANDLE SourceHandle;
	NDIS_PORT_NUMBER PortNumber;
	NDIS_STATUS StatusCode;
	ULONG Flags;
	NDIS_HANDLE DestinationHandle;
	PVOID RequestId;
	PVOID StatusBuffer;
	ULONG StatusBufferSize;
	GUID Guid;
	PVOID NdisReserved[4];
} NDIS_STATUS_INDICATION, *PNDIS_STATUS_INDICATION;
#define NDIS_STATUS_INDICATION_REVISION_1	 1
#define NDIS_SIZEOF_STATUS_INDICATION_REVISION_1 sizeof(NDIS_STATUS_INDICATION)

/* ns-ndis-_ndis_oid_request, revision 1 (revision 2, NDIS 6.50, appends
 * SwitchId, VPortId, Flags). C11 allows the typedef ntddndis.h may repeat. */
#define NDIS_OID_REQUEST_NDIS_RESERVED_SIZE 16
typedef struct _NDIS_OID_REQUEST NDIS_OID_REQUEST, *PNDIS_OID_REQUEST;
struct _NDIS_OID_REQUEST {
	NDIS_OBJECT_HEADER Header;
	NDIS_REQUEST_TYPE RequestType;
	NDIS_PORT_NUMBER PortNumber;
	UINT Timeout;
	PVOID RequestId;
	NDIS_HANDLE RequestHandle;
	union _REQUEST_DATA {
		struct {
			NDIS_OID Oid;
			PVOID InformationBuffer;
			UINT InformationBufferLength;
			UINT BytesWritten;
			UINT BytesNeeded;
		} QUERY_INFORMATION;
		struct {
			NDIS_OID Oid;
			PVOID InformationBuffer;
			UINT InformationBufferLength;
			UINT BytesRead;
			UINT BytesNeeded;
		} SET_INFORMATION;
		struct {
			NDIS_OID Oid;
			PVOID InformationBuffer;
			ULONG InputBufferLength;
			ULONG OutputBufferLength;
			ULONG MethodId;
			UINT BytesWritten;
			UINT BytesRead;
			UINT BytesNeeded;
		} METHOD_INFORMATION;
	} DATA;
	UCHAR NdisReserved[NDIS_OID_REQUEST_NDIS_RESERVED_SIZE * sizeof(PVOID)];
	UCHAR MiniportReserved[2 * sizeof(PVOID)];
	UCHAR SourceReserved[2 * sizeof(PVOID)];
	UCHAR SupportedRevision;
	UCHAR Reserved1;
	USHORT Reserved2;
};
#define NDIS_OID_REQUEST_REVISION_1	   1
#define NDIS_SIZEOF_OID_REQUEST_REVISION_1 (offsetof(NDIS_OID_REQUEST, Reserved2) + sizeof(USHORT))

/* The filter: ns-ndis-_ndis_filter_attach_parameters (revision 3, NDIS 6.20;
 * later revisions append members the driver does not read). */
typedef struct _NDIS_FILTER_ATTACH_PARAMETERS {
	NDIS_OBJECT_HEADER Header;
	NET_IFINDEX IfIndex;
	NET_LUID NetLuid;
	PNDIS_STRING FilterModuleGuidName;
	NET_IFINDEX BaseMiniportIfIndex;
	PNDIS_STRING BaseMiniportInstanceName;
	PNDIS_STRING BaseMiniportName;
	NET_IF_MEDIA_CONNECT_STATE MediaConnectState;
	NET_IF_MEDIA_DUPLEX_STATE MediaDuplexState;
	ULONG64 XmitLinkSpeed;
	ULONG64 RcvLinkSpeed;
	NDIS_MEDIUM MiniportMediaType;
	NDIS_PHYSICAL_MEDIUM MiniportPhysicalMediaType;
	NDIS_HANDLE MiniportMediaSpecificAttributes;
	PVOID DefaultOffloadConfiguration;
	USHORT MacAddressLength;
	UCHAR CurrentMacAddress[NDIS_MAX_PHYS_ADDRESS_LENGTH];
	NET_LUID BaseMiniportNetLuid;
	NET_IFINDEX LowerIfIndex;
	NET_LUID LowerIfNetLuid;
	ULONG Flags;
	PVOID HDSplitCurrentConfig;
	PVOID ReceiveFilterCapabilities;
	PDEVICE_OBJECT MiniportPhysicalDeviceObject;
	PVOID NicSwitchCapabilities;
} NDIS_FILTER_ATTACH_PARAMETERS, *PNDIS_FILTER_ATTACH_PARAMETERS;

typedef struct _NDIS_FILTER_PAUSE_PARAMETERS {
	NDIS_OBJECT_HEADER Header;
	ULONG Flags;
	ULONG PauseReason;
} NDIS_FILTER_PAUSE_PARAMETERS, *PNDIS_FILTER_PAUSE_PARAMETERS;

typedef struct _NDIS_FILTER_RESTART_PARAMETERS {
	NDIS_OBJECT_HEADER Header;
	NDIS_MEDIUM MiniportMediaType;
	NDIS_PHYSICAL_MEDIUM MiniportPhysicalMediaType;
	PVOID RestartAttributes;
	NET_IFINDEX LowerIfIndex;
	NET_LUID LowerIfNetLuid;
	ULONG Flags;
} NDIS_FILTER_RESTART_PARAMETERS, *PNDIS_FILTER_RESTART_PARAMETERS;

typedef struct _NDIS_FILTER_ATTRIBUTES {
	NDIS_OBJECT_HEADER Header;
	ULONG Flags;
} NDIS_FILTER_ATTRIBUTES;
#define NDIS_FILTER_ATTRIBUTES_REVISION_1 1

/* Handlers. On x64 there is one calling convention; NTAPI keeps the
 * declarations right should an x86 build ever be wanted. */
typedef NDIS_STATUS(NTAPI *FILTER_ATTACH_HANDLER)(NDIS_HANDLE filter, NDIS_HANDLE driver_ctx,
						  PNDIS_FILTER_ATTACH_PARAMETERS params);
typedef VOID(NTAPI *FILTER_DETACH_HANDLER)(NDIS_HANDLE module);
typedef NDIS_STATUS(NTAPI *FILTER_RESTART_HANDLER)(NDIS_HANDLE module,
						   PNDIS_FILTER_RESTART_PARAMETERS params);
typedef NDIS_STATUS(NTAPI *FILTER_PAUSE_HANDLER)(NDIS_HANDLE module,
						 PNDIS_FILTER_PAUSE_PARAMETERS params);
typedef VOID(NTAPI *FILTER_SEND_NET_BUFFER_LISTS_HANDLER)(NDIS_HANDLE module, PNET_BUFFER_LIST nbls,
							  NDIS_PORT_NUMBER port, ULONG flags);
typedef VOID(NTAPI *FILTER_SEND_NET_BUFFER_LISTS_COMPLETE_HANDLER)(NDIS_HANDLE module,
								   PNET_BUFFER_LIST nbls,
								   ULONG flags);
typedef VOID(NTAPI *FILTER_RECEIVE_NET_BUFFER_LISTS_HANDLER)(NDIS_HANDLE module,
							     PNET_BUFFER_LIST nbls,
							     NDIS_PORT_NUMBER port, ULONG count,
							     ULONG flags);
typedef VOID(NTAPI *FILTER_RETURN_NET_BUFFER_LISTS_HANDLER)(NDIS_HANDLE module,
							    PNET_BUFFER_LIST nbls, ULONG flags);

typedef NDIS_STATUS(NTAPI *FILTER_OID_REQUEST_HANDLER)(NDIS_HANDLE module, PNDIS_OID_REQUEST req);
typedef VOID(NTAPI *FILTER_OID_REQUEST_COMPLETE_HANDLER)(NDIS_HANDLE module, PNDIS_OID_REQUEST req,
							 NDIS_STATUS status);
typedef VOID(NTAPI *FILTER_STATUS_HANDLER)(NDIS_HANDLE module, PNDIS_STATUS_INDICATION status);

typedef struct _NDIS_FILTER_DRIVER_CHARACTERISTICS {
	NDIS_OBJECT_HEADER Header;
	UCHAR MajorNdisVersion;
	UCHAR MinorNdisVersion;
	UCHAR MajorDriverVersion;
	UCHAR MinorDriverVersion;
	ULONG Flags;
	NDIS_STRING FriendlyName;
	NDIS_STRING UniqueName;
	NDIS_STRING ServiceName;
	PVOID SetOptionsHandler;
	PVOID SetFilterModuleOptionsHandler;
	FILTER_ATTACH_HANDLER AttachHandler;
	FILTER_DETACH_HANDLER DetachHandler;
	FILTER_RESTART_HANDLER RestartHandler;
	FILTER_PAUSE_HANDLER PauseHandler;
	FILTER_SEND_NET_BUFFER_LISTS_HANDLER SendNetBufferListsHandler;
	FILTER_SEND_NET_BUFFER_LISTS_COMPLETE_HANDLER SendNetBufferListsCompleteHandler;
	PVOID CancelSendNetBufferListsHandler;
	FILTER_RECEIVE_NET_BUFFER_LISTS_HANDLER ReceiveNetBufferListsHandler;
	FILTER_RETURN_NET_BUFFER_LISTS_HANDLER ReturnNetBufferListsHandler;
	FILTER_OID_REQUEST_HANDLER OidRequestHandler;
	FILTER_OID_REQUEST_COMPLETE_HANDLER OidRequestCompleteHandler;
	PVOID CancelOidRequestHandler;
	PVOID DevicePnPEventNotifyHandler;
	PVOID NetPnPEventHandler;
	FILTER_STATUS_HANDLER StatusHandler;
	/* revision 2 (NDIS 6.1) */
	PVOID DirectOidRequestHandler;
	PVOID DirectOidRequestCompleteHandler;
	PVOID CancelDirectOidRequestHandler;
} NDIS_FILTER_DRIVER_CHARACTERISTICS, *PNDIS_FILTER_DRIVER_CHARACTERISTICS;
#define NDIS_FILTER_CHARACTERISTICS_REVISION_2 2

/* The protocol */
typedef struct _NDIS_BIND_PARAMETERS {
	NDIS_OBJECT_HEADER Header;
	PNDIS_STRING ProtocolSection;
	PNDIS_STRING AdapterName;
	PDEVICE_OBJECT PhysicalDeviceObject;
	NDIS_MEDIUM MediaType;
	ULONG MtuSize;
	ULONG64 MaxXmitLinkSpeed;
	ULONG64 XmitLinkSpeed;
	ULONG64 MaxRcvLinkSpeed;
	ULONG64 RcvLinkSpeed;
	NDIS_MEDIA_CONNECT_STATE MediaConnectState;
	NDIS_MEDIA_DUPLEX_STATE MediaDuplexState;
	ULONG LookaheadSize;
	PVOID PowerManagementCapabilities;
	ULONG SupportedPacketFilters;
	ULONG MaxMulticastListSize;
	USHORT MacAddressLength;
	UCHAR CurrentMacAddress[NDIS_MAX_PHYS_ADDRESS_LENGTH];
	NDIS_PHYSICAL_MEDIUM PhysicalMediumType;
	PVOID RcvScaleCapabilities;
	NET_LUID BoundIfNetluid;
	NET_IFINDEX BoundIfIndex;
	NET_LUID LowestIfNetluid;
	NET_IFINDEX LowestIfIndex;
	ULONG AccessType, DirectionType, ConnectionType; /* NET_IF_* enums */
	USHORT IfType;
	BOOLEAN IfConnectorPresent;
	PVOID ActivePorts;
	ULONG DataBackFillSize;
	ULONG ContextBackFillSize;
	ULONG MacOptions;
	ULONG CompartmentId;
	PVOID DefaultOffloadConfiguration; /* NDIS_OFFLOAD: the current one (offload.c) */
	/* later members (TcpConnectionOffloadCapabilities onwards) are not read */
} NDIS_BIND_PARAMETERS, *PNDIS_BIND_PARAMETERS;

typedef struct _NDIS_OPEN_PARAMETERS {
	NDIS_OBJECT_HEADER Header;
	PNDIS_STRING AdapterName;
	NDIS_MEDIUM *MediumArray;
	UINT MediumArraySize;
	PUINT SelectedMediumIndex;
	NET_FRAME_TYPE *FrameTypeArray;
	UINT FrameTypeArraySize;
} NDIS_OPEN_PARAMETERS, *PNDIS_OPEN_PARAMETERS;
#define NDIS_OPEN_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1 \
	(offsetof(NDIS_OPEN_PARAMETERS, FrameTypeArraySize) + sizeof(UINT))

typedef NDIS_STATUS(NTAPI *BIND_HANDLER_EX)(NDIS_HANDLE driver_ctx, NDIS_HANDLE bind_ctx,
					    PNDIS_BIND_PARAMETERS params);
typedef NDIS_STATUS(NTAPI *UNBIND_HANDLER_EX)(NDIS_HANDLE unbind_ctx, NDIS_HANDLE binding);
typedef VOID(NTAPI *OPEN_ADAPTER_COMPLETE_HANDLER_EX)(NDIS_HANDLE binding, NDIS_STATUS status);
typedef VOID(NTAPI *CLOSE_ADAPTER_COMPLETE_HANDLER_EX)(NDIS_HANDLE binding);
typedef NDIS_STATUS(NTAPI *NET_PNP_EVENT_HANDLER)(NDIS_HANDLE binding,
						  PNET_PNP_EVENT_NOTIFICATION event);
typedef VOID(NTAPI *OID_REQUEST_COMPLETE_HANDLER)(NDIS_HANDLE binding, PNDIS_OID_REQUEST req,
						  NDIS_STATUS status);
typedef VOID(NTAPI *STATUS_HANDLER_EX)(NDIS_HANDLE binding, PNDIS_STATUS_INDICATION status);
typedef VOID(NTAPI *RECEIVE_NET_BUFFER_LISTS_HANDLER)(NDIS_HANDLE binding, PNET_BUFFER_LIST nbls,
						      NDIS_PORT_NUMBER port, ULONG count,
						      ULONG flags);
typedef VOID(NTAPI *SEND_NET_BUFFER_LISTS_COMPLETE_HANDLER)(NDIS_HANDLE binding,
							    PNET_BUFFER_LIST nbls, ULONG flags);

typedef struct _NDIS_PROTOCOL_DRIVER_CHARACTERISTICS {
	NDIS_OBJECT_HEADER Header;
	UCHAR MajorNdisVersion;
	UCHAR MinorNdisVersion;
	UCHAR MajorDriverVersion;
	UCHAR MinorDriverVersion;
	ULONG Flags;
	NDIS_STRING Name; /* the Ndi\Service of the protocol's NetTrans INF */
	PVOID SetOptionsHandler;
	BIND_HANDLER_EX BindAdapterHandlerEx;
	UNBIND_HANDLER_EX UnbindAdapterHandlerEx;
	OPEN_ADAPTER_COMPLETE_HANDLER_EX OpenAdapterCompleteHandlerEx;
	CLOSE_ADAPTER_COMPLETE_HANDLER_EX CloseAdapterCompleteHandlerEx;
	NET_PNP_EVENT_HANDLER NetPnPEventHandler;
	PVOID UninstallHandler;
	OID_REQUEST_COMPLETE_HANDLER OidRequestCompleteHandler;
	STATUS_HANDLER_EX StatusHandlerEx;
	RECEIVE_NET_BUFFER_LISTS_HANDLER ReceiveNetBufferListsHandler;
	SEND_NET_BUFFER_LISTS_COMPLETE_HANDLER SendNetBufferListsCompleteHandler;
	/* revision 2 (NDIS 6.1) */
	PVOID DirectOidRequestCompleteHandler;
} NDIS_PROTOCOL_DRIVER_CHARACTERISTICS, *PNDIS_PROTOCOL_DRIVER_CHARACTERISTICS;
#define NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2 2

/* ndis.sys exports the driver imports (nf-ndis-*). */
NDIS_STATUS NTAPI NdisFRegisterFilterDriver(PDRIVER_OBJECT, NDIS_HANDLE,
					    PNDIS_FILTER_DRIVER_CHARACTERISTICS, PNDIS_HANDLE);
VOID NTAPI NdisFDeregisterFilterDriver(NDIS_HANDLE);
NDIS_STATUS NTAPI NdisFSetAttributes(NDIS_HANDLE, NDIS_HANDLE, NDIS_FILTER_ATTRIBUTES *);
VOID NTAPI NdisFPauseComplete(NDIS_HANDLE);
VOID NTAPI NdisFSendNetBufferLists(NDIS_HANDLE, PNET_BUFFER_LIST, NDIS_PORT_NUMBER, ULONG);
VOID NTAPI NdisFSendNetBufferListsComplete(NDIS_HANDLE, PNET_BUFFER_LIST, ULONG);
VOID NTAPI NdisFIndicateReceiveNetBufferLists(NDIS_HANDLE, PNET_BUFFER_LIST, NDIS_PORT_NUMBER,
					      ULONG, ULONG);
VOID NTAPI NdisFReturnNetBufferLists(NDIS_HANDLE, PNET_BUFFER_LIST, ULONG);
VOID NTAPI NdisFIndicateStatus(NDIS_HANDLE, PNDIS_STATUS_INDICATION);
NDIS_STATUS NTAPI NdisFOidRequest(NDIS_HANDLE, PNDIS_OID_REQUEST);
VOID NTAPI NdisFOidRequestComplete(NDIS_HANDLE, PNDIS_OID_REQUEST, NDIS_STATUS);
NDIS_STATUS NTAPI NdisAllocateCloneOidRequest(NDIS_HANDLE, PNDIS_OID_REQUEST, ULONG,
					      PNDIS_OID_REQUEST *);
VOID NTAPI NdisFreeCloneOidRequest(NDIS_HANDLE, PNDIS_OID_REQUEST);

NDIS_STATUS NTAPI NdisRegisterProtocolDriver(NDIS_HANDLE, PNDIS_PROTOCOL_DRIVER_CHARACTERISTICS,
					     PNDIS_HANDLE);
VOID NTAPI NdisDeregisterProtocolDriver(NDIS_HANDLE);
NDIS_STATUS NTAPI NdisOpenAdapterEx(NDIS_HANDLE, NDIS_HANDLE, PNDIS_OPEN_PARAMETERS, NDIS_HANDLE,
				    PNDIS_HANDLE);
NDIS_STATUS NTAPI NdisCloseAdapterEx(NDIS_HANDLE);
VOID NTAPI NdisCompleteBindAdapterEx(NDIS_HANDLE, NDIS_STATUS);
VOID NTAPI NdisCompleteUnbindAdapterEx(NDIS_HANDLE);
VOID NTAPI NdisCompleteNetPnPEvent(NDIS_HANDLE, PNET_PNP_EVENT_NOTIFICATION, NDIS_STATUS);
VOID NTAPI NdisReEnumerateProtocolBindings(NDIS_HANDLE);
VOID NTAPI NdisSendNetBufferLists(NDIS_HANDLE, PNET_BUFFER_LIST, NDIS_PORT_NUMBER, ULONG);
VOID NTAPI NdisReturnNetBufferLists(NDIS_HANDLE, PNET_BUFFER_LIST, ULONG);
NDIS_STATUS NTAPI NdisOidRequest(NDIS_HANDLE, PNDIS_OID_REQUEST);

NDIS_HANDLE NTAPI NdisAllocateNetBufferListPool(NDIS_HANDLE, NET_BUFFER_LIST_POOL_PARAMETERS *);
VOID NTAPI NdisFreeNetBufferListPool(NDIS_HANDLE);
PNET_BUFFER_LIST NTAPI NdisAllocateCloneNetBufferList(PNET_BUFFER_LIST, NDIS_HANDLE, NDIS_HANDLE,
						      ULONG);
VOID NTAPI NdisFreeCloneNetBufferList(PNET_BUFFER_LIST, ULONG);
NDIS_STATUS NTAPI NdisCopySendNetBufferListInfo(PNET_BUFFER_LIST, PNET_BUFFER_LIST);
NDIS_STATUS NTAPI NdisCopyReceiveNetBufferListInfo(PNET_BUFFER_LIST, PNET_BUFFER_LIST);
PVOID NTAPI NdisGetDataBuffer(PNET_BUFFER, ULONG, PVOID, UINT, UINT);
/* NBLs of the driver's own (nf-ndis-ndisallocatenetbufferandnetbufferlist,
 * from a pool with fAllocateNetBuffer; nf-ndis-ndisallocatemdl over
 * non-paged memory, nf-ndis-ndisfreemdl, nf-ndis-ndisfreenetbufferlist):
 * IRQL <= DISPATCH_LEVEL. */
PNET_BUFFER_LIST NTAPI NdisAllocateNetBufferAndNetBufferList(NDIS_HANDLE, USHORT, USHORT, PMDL,
							     ULONG, SIZE_T);
VOID NTAPI NdisFreeNetBufferList(PNET_BUFFER_LIST);
PMDL NTAPI NdisAllocateMdl(NDIS_HANDLE, PVOID, UINT);
VOID NTAPI NdisFreeMdl(PMDL);

PVOID NTAPI NdisAllocateMemoryWithTagPriority(NDIS_HANDLE, UINT, ULONG, int);
VOID NTAPI NdisFreeMemory(PVOID, UINT, UINT);
VOID NTAPI NdisAllocateSpinLock(PNDIS_SPIN_LOCK);
VOID NTAPI NdisFreeSpinLock(PNDIS_SPIN_LOCK);
VOID NTAPI NdisAcquireSpinLock(PNDIS_SPIN_LOCK);
VOID NTAPI NdisReleaseSpinLock(PNDIS_SPIN_LOCK);
#define SFO_NDIS_PRIORITY_NORMAL 16 /* EX_POOL_PRIORITY NormalPoolPriority */

/* Timer objects (ns-ndis-_ndis_timer_characteristics, nf-ndis-ndisallocatetimerobject,
 * nf-ndis-ndissettimerobject): the function runs as a DPC. A negative DueTime is
 * relative, in 100 ns units. Set and cancel are allowed at IRQL <= DISPATCH_LEVEL. */
typedef VOID(NTAPI *NDIS_TIMER_FUNCTION)(PVOID system1, PVOID ctx, PVOID system2, PVOID system3);
typedef struct _NDIS_TIMER_CHARACTERISTICS {
	NDIS_OBJECT_HEADER Header;
	ULONG AllocationTag;
	NDIS_TIMER_FUNCTION TimerFunction;
	PVOID FunctionContext;
} NDIS_TIMER_CHARACTERISTICS, *PNDIS_TIMER_CHARACTERISTICS;
#define NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS	     0x97
#define NDIS_TIMER_CHARACTERISTICS_REVISION_1	     1
#define NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1 sizeof(NDIS_TIMER_CHARACTERISTICS)
NDIS_STATUS NTAPI NdisAllocateTimerObject(NDIS_HANDLE, PNDIS_TIMER_CHARACTERISTICS, PNDIS_HANDLE);
BOOLEAN NTAPI NdisSetTimerObject(NDIS_HANDLE, LARGE_INTEGER, ULONG, PVOID);
BOOLEAN NTAPI NdisCancelTimerObject(NDIS_HANDLE);
VOID NTAPI NdisFreeTimerObject(NDIS_HANDLE);
/* nf-ndis-ndismsleep: waits, PASSIVE_LEVEL only */
VOID NTAPI NdisMSleep(ULONG microseconds);

/* A filter's restart attributes (ns-ndis-_ndis_restart_attributes,
 * ns-ndis-_ndis_restart_general_attributes): a list whose entry for
 * OID_GEN_MINIPORT_RESTART_ATTRIBUTES holds the general attributes, of which
 * the driver reads the MTU (the frame's payload, without the header). */
#define SFO_DPFLTR_IHVNETWORK_ID 80 /* dpfilter.h: DPFLTR_IHVNETWORK_ID */
typedef struct _NDIS_RESTART_ATTRIBUTES {
	struct _NDIS_RESTART_ATTRIBUTES *Next;
	NDIS_OID Oid;
	ULONG DataLength;
	__attribute__((aligned(16))) UCHAR Data[1]; /* MEMORY_ALLOCATION_ALIGNMENT */
} NDIS_RESTART_ATTRIBUTES, *PNDIS_RESTART_ATTRIBUTES;
typedef struct _NDIS_RESTART_GENERAL_ATTRIBUTES {
	NDIS_OBJECT_HEADER Header;
	ULONG MtuSize;
	/* later members are not read */
} NDIS_RESTART_GENERAL_ATTRIBUTES;

/* A protocol binding's NetEventRestart: NET_PNP_EVENT's Buffer points to
 * these (ns-ndis-_ndis_protocol_restart_parameters), with the miniport's
 * restart attributes (its MTU may have changed while the binding was paused). */
typedef struct _NDIS_PROTOCOL_RESTART_PARAMETERS {
	NDIS_OBJECT_HEADER Header;
	PUCHAR FilterModuleNameBuffer;
	ULONG FilterModuleNameBufferLength;
	PNDIS_RESTART_ATTRIBUTES RestartAttributes;
	NET_IFINDEX BoundIfIndex;
	NET_LUID BoundIfNetluid;
	ULONG Flags;
} NDIS_PROTOCOL_RESTART_PARAMETERS, *PNDIS_PROTOCOL_RESTART_PARAMETERS;

/* x64 layouts: the offsets follow from the DDI reference's declarations
 * (ns-ndis-net_buffer_list, ns-ndis-net_buffer) and are the ones the
 * ndis-edge prototype recorded from a public debugger dump; they were not
 * checked against the WDK's own headers. */
#if defined(__x86_64__)
_Static_assert(offsetof(NET_BUFFER_LIST, FirstNetBuffer) == 0x08, "NBL.FirstNetBuffer");
_Static_assert(offsetof(NET_BUFFER_LIST, ParentNetBufferList) == 0x18, "NBL.Parent");
_Static_assert(offsetof(NET_BUFFER_LIST, NdisPoolHandle) == 0x20, "NBL.NdisPoolHandle");
_Static_assert(offsetof(NET_BUFFER_LIST, ProtocolReserved) == 0x40, "NBL.ProtocolReserved");
_Static_assert(offsetof(NET_BUFFER_LIST, MiniportReserved) == 0x60, "NBL.MiniportReserved");
_Static_assert(offsetof(NET_BUFFER_LIST, SourceHandle) == 0x78, "NBL.SourceHandle");
_Static_assert(offsetof(NET_BUFFER_LIST, Flags) == 0x88, "NBL.Flags");
_Static_assert(offsetof(NET_BUFFER_LIST, Status) == 0x8c, "NBL.Status");
_Static_assert(sizeof(NET_BUFFER_LIST) == 0x90, "NBL up to NetBufferListInfo");
_Static_assert(offsetof(NET_BUFFER, CurrentMdl) == 0x08, "NB.CurrentMdl");
_Static_assert(offsetof(NET_BUFFER, CurrentMdlOffset) == 0x10, "NB.CurrentMdlOffset");
_Static_assert(offsetof(NET_BUFFER, DataLength) == 0x18, "NB.DataLength");
_Static_assert(offsetof(NET_BUFFER, DataOffset) == 0x28, "NB.DataOffset");
_Static_assert(offsetof(NET_BUFFER, ChecksumBias) == 0x30, "NB.ChecksumBias");
_Static_assert(offsetof(NET_BUFFER, ProtocolReserved) == 0x50, "NB.ProtocolReserved");
_Static_assert(offsetof(NET_BUFFER, MiniportReserved) == 0x80, "NB.MiniportReserved");
_Static_assert(offsetof(NET_BUFFER, SharedMemoryInfo) == 0xa8, "NB.SharedMemoryInfo");
_Static_assert(sizeof(NDIS_STATUS_INDICATION) == 0x70, "NDIS_STATUS_INDICATION");
_Static_assert(offsetof(NDIS_STATUS_INDICATION, Guid) == 0x3c, "NDIS_STATUS_INDICATION.Guid");
_Static_assert(offsetof(NDIS_FILTER_ATTACH_PARAMETERS, MacAddressLength) == 0x60,
	       "attach.MacAddressLength");
_Static_assert(offsetof(NDIS_BIND_PARAMETERS, CurrentMacAddress) == 0x6a, "bind.CurrentMacAddress");
_Static_assert(offsetof(NDIS_BIND_PARAMETERS, DefaultOffloadConfiguration) == 0xe0,
	       "bind.DefaultOffloadConfiguration");
_Static_assert(offsetof(NET_PNP_EVENT_NOTIFICATION, NetPnPEvent) == 0x08, "pnp.NetPnPEvent");
_Static_assert(offsetof(NDIS_RESTART_ATTRIBUTES, Data) == 0x10, "restart.Data");
_Static_assert(offsetof(NDIS_PROTOCOL_RESTART_PARAMETERS, RestartAttributes) == 0x18,
	       "protocol restart.RestartAttributes");
_Static_assert(offsetof(NDIS_TIMER_CHARACTERISTICS, TimerFunction) == 0x08, "timer.TimerFunction");
_Static_assert(sizeof(NDIS_STATISTICS_INFO) == 0x98, "NDIS_STATISTICS_INFO");
_Static_assert(offsetof(NDIS_STATISTICS_INFO, ifInDiscards) == 0x08, "stats.ifInDiscards");
#endif

#endif
