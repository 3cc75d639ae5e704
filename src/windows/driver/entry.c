// SPDX-License-Identifier: BSD-2-Clause
/*
 * DriverEntry: registers the filter (over the standbys), makes the engine,
 * registers the protocol (binding the VFs) and the control device of
 * sriovfo.sys; the unload routine undoes all four.
 */
#include "control_device.h"
#include "sriovfo.h"
#include "sriovfo_names.h"

struct sfo_driver sfo_drv;

/* Counted UTF-16 string from a "" literal or a macro naming one. */
#define SFO_WIDE(s) u##s
#define SFO_USTR(s) SFO_USTR_W(SFO_WIDE(s))
#define SFO_USTR_W(w)                                                  \
	{                                                              \
		(USHORT)(sizeof(w) - 2), (USHORT)sizeof(w), (PWSTR)(w) \
	}

static NDIS_STATUS register_filter(PDRIVER_OBJECT driver)
{
	NDIS_FILTER_DRIVER_CHARACTERISTICS fc;

	__builtin_memset(&fc, 0, sizeof(fc));
	fc.Header.Type = NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS;
	fc.Header.Revision = NDIS_FILTER_CHARACTERISTICS_REVISION_2;
	fc.Header.Size = sizeof(fc);
	fc.MajorNdisVersion = 6;
	fc.MinorNdisVersion = 30;
	fc.MajorDriverVersion = 0;
	fc.MinorDriverVersion = 1;
	fc.FriendlyName = (NDIS_STRING)SFO_USTR(SFO_WIN_FILTER_FRIENDLY_NAME);
	fc.UniqueName = (NDIS_STRING)SFO_USTR(SFO_WIN_FILTER_UNIQUE_NAME);
	fc.ServiceName = (NDIS_STRING)SFO_USTR(SFO_WIN_FILTER_SERVICE);
	fc.AttachHandler = sfo_filter_attach;
	fc.DetachHandler = sfo_filter_detach;
	fc.PauseHandler = sfo_filter_pause;
	fc.RestartHandler = sfo_filter_restart;
	fc.SendNetBufferListsHandler = sfo_filter_send;
	fc.SendNetBufferListsCompleteHandler = sfo_filter_send_complete;
	fc.ReceiveNetBufferListsHandler = sfo_filter_receive;
	fc.ReturnNetBufferListsHandler = sfo_filter_return;
	fc.OidRequestHandler = sfo_filter_oid_request;
	fc.OidRequestCompleteHandler = sfo_filter_oid_complete;
	fc.StatusHandler = sfo_filter_status;
	/* No PnP handlers: NDIS passes those by the filter. */
	return NdisFRegisterFilterDriver(driver, (NDIS_HANDLE)driver, &fc, &sfo_drv.filter_driver);
}

static NDIS_STATUS register_protocol(void)
{
	NDIS_PROTOCOL_DRIVER_CHARACTERISTICS pc;

	__builtin_memset(&pc, 0, sizeof(pc));
	pc.Header.Type = NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS;
	pc.Header.Revision = NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2;
	pc.Header.Size = sizeof(pc);
	pc.MajorNdisVersion = 6;
	pc.MinorNdisVersion = 30;
	pc.MajorDriverVersion = 0;
	pc.MinorDriverVersion = 1;
	pc.Name = (NDIS_STRING)SFO_USTR(SFO_WIN_PROTOCOL_NAME);
	pc.BindAdapterHandlerEx = sfo_vf_bind;
	pc.UnbindAdapterHandlerEx = sfo_vf_unbind;
	pc.OpenAdapterCompleteHandlerEx = sfo_vf_open_complete;
	pc.CloseAdapterCompleteHandlerEx = sfo_vf_close_complete;
	pc.NetPnPEventHandler = sfo_vf_pnp_event;
	pc.StatusHandlerEx = sfo_vf_status;
	pc.OidRequestCompleteHandler = sfo_vf_oid_complete;
	pc.ReceiveNetBufferListsHandler = sfo_vf_receive;
	pc.SendNetBufferListsCompleteHandler = sfo_vf_send_complete;
	return NdisRegisterProtocolDriver(NULL, &pc, &sfo_drv.protocol);
}

static VOID NTAPI sfo_unload(PDRIVER_OBJECT driver)
{
	(void)driver;
	sfo_control_device_deregister();
	NdisDeregisterProtocolDriver(sfo_drv.protocol);
	NdisFDeregisterFilterDriver(sfo_drv.filter_driver);
	sfo_drv_engine_stop();
	NdisFreeSpinLock(&sfo_drv.lock);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path)
{
	NDIS_STATUS st;

	__builtin_memset(&sfo_drv, 0, sizeof(sfo_drv));
	NdisAllocateSpinLock(&sfo_drv.lock);
	st = register_filter(driver);
	if (st != NDIS_STATUS_SUCCESS)
		goto fail;
	/* The filter's handle serves the engine's memory and timer; a filter
	 * module NDIS would attach before the engine exists is refused. */
	st = sfo_drv_engine_start(registry_path);
	if (st != NDIS_STATUS_SUCCESS) {
		NdisFDeregisterFilterDriver(sfo_drv.filter_driver);
		goto fail;
	}
	st = register_protocol();
	if (st != NDIS_STATUS_SUCCESS) {
		NdisFDeregisterFilterDriver(sfo_drv.filter_driver);
		sfo_drv_engine_stop();
		goto fail;
	}
	/* \\.\sriovfo, for sriov-failover.exe */
	st = sfo_control_device_register(sfo_drv.filter_driver);
	if (st != NDIS_STATUS_SUCCESS) {
		NdisDeregisterProtocolDriver(sfo_drv.protocol);
		NdisFDeregisterFilterDriver(sfo_drv.filter_driver);
		sfo_drv_engine_stop();
		goto fail;
	}
	driver->DriverUnload = sfo_unload;
	return STATUS_SUCCESS;
fail:
	NdisFreeSpinLock(&sfo_drv.lock);
	return st;
}
