// SPDX-License-Identifier: BSD-2-Clause
/*
 * The Windows service: applies the binding policy (netcfg.c) to the
 * adapters the driver reports, when it starts and whenever a network
 * adapter arrives (a GUID_DEVINTERFACE_NET interface, announced to the
 * service's control handler by RegisterDeviceNotification with
 * DEVICE_NOTIFY_SERVICE_HANDLE). An arrival is followed by a few more
 * passes, RESCAN_MS apart: the driver's engine may give the new adapter its
 * role only after Windows announced it. Stops on SERVICE_CONTROL_STOP and
 * SHUTDOWN. What it did and what failed goes to the Application event log.
 * Not exercised anywhere: there is no Windows machine to run it on.
 */
#define COBJMACROS
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

#include <dbt.h>
#include <objbase.h>

#include "netcfg.h"
#include "query.h"
#include "service.h"

#define RESCAN_MS     2000
#define RESCANS_AFTER 3 /* passes after an arrival */

/* GUID_DEVINTERFACE_NET (ndisguid.h) */
static const GUID devinterface_net = {
	0xcac88484, 0x7515, 0x4c03, { 0x82, 0xe6, 0x71, 0xa8, 0x7a, 0xba, 0xc3, 0x61 }
};

static struct {
	SERVICE_STATUS_HANDLE handle;
	SERVICE_STATUS status;
	HANDLE stop, arrival; /* events: the control handler sets them */
	HANDLE log;	      /* event source */
} svc;

static void log_event(WORD type, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void log_event(WORD type, const char *fmt, ...)
{
	char msg[512];
	const char *strings[1] = { msg };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (svc.log)
		ReportEventA(svc.log, type, 0, 0, NULL, 1, 0, strings, NULL);
}

static void set_state(DWORD state, DWORD exit_code)
{
	svc.status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
	svc.status.dwCurrentState = state;
	svc.status.dwControlsAccepted =
		state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
	svc.status.dwWin32ExitCode = exit_code;
	svc.status.dwWaitHint = state == SERVICE_RUNNING || state == SERVICE_STOPPED ? 0 : 10000;
	SetServiceStatus(svc.handle, &svc.status);
}

static DWORD WINAPI control(DWORD code, DWORD type, LPVOID data, LPVOID ctx)
{
	(void)data;
	(void)ctx;
	switch (code) {
	case SERVICE_CONTROL_STOP:
	case SERVICE_CONTROL_SHUTDOWN:
		set_state(SERVICE_STOP_PENDING, NO_ERROR);
		SetEvent(svc.stop);
		return NO_ERROR;
	case SERVICE_CONTROL_DEVICEEVENT:
		if (type == DBT_DEVICEARRIVAL)
			SetEvent(svc.arrival);
		return NO_ERROR;
	case SERVICE_CONTROL_INTERROGATE:
		return NO_ERROR;
	default:
		return ERROR_CALL_NOT_IMPLEMENTED;
	}
}

/* One pass: the driver's adapters and their roles, then INetCfg. */
static void apply_policy(void)
{
	struct sfo_ctl_adapter *a = NULL;
	struct sfo_adapter_status *st;
	struct netcfg_result res;
	unsigned long detail = 0;
	struct ctl *c = NULL;
	enum ctl_result r;
	size_t n = 0;

	r = ctl_open(false, &c, &detail);
	if (r == CTL_OK) {
		r = ctl_read_all(c, SFO_IOCTL_ADAPTER, sizeof(*a), (void **)&a, &n, &detail);
		ctl_close(c);
	}
	if (r != CTL_OK) {
		log_event(EVENTLOG_WARNING_TYPE,
			  "sriov-failover: cannot read the adapters from the driver (%s, error "
			  "%lu): bindings unchanged",
			  r == CTL_NO_DRIVER ? "sriovfo.sys is not loaded" : "request refused",
			  detail);
		return;
	}
	/* the statuses alone, in an array of their own for the matching */
	st = calloc(n ? n : 1, sizeof(*st));
	for (size_t i = 0; st && i < n; i++)
		st[i] = a[i].adapter;
	free(a);
	if (!st) {
		log_event(EVENTLOG_ERROR_TYPE, "sriov-failover: out of memory: bindings unchanged");
		return;
	}
	sfo_netcfg_apply(st, n, &res);
	free(st);
	if (res.hr)
		log_event(EVENTLOG_ERROR_TYPE,
			  "sriov-failover: binding policy not applied: %s failed (0x%08lx)",
			  res.what, (unsigned long)res.hr);
	if (res.enabled || res.disabled)
		log_event(EVENTLOG_INFORMATION_TYPE,
			  "sriov-failover: %u binding path(s) enabled, %u disabled (%lu adapters, "
			  "%u not found in INetCfg)",
			  res.enabled, res.disabled, (unsigned long)n, res.unmatched);
}

static void WINAPI service_main(DWORD argc, LPSTR *argv)
{
	DEV_BROADCAST_DEVICEINTERFACE_A filter = {
		.dbcc_size = sizeof(filter),
		.dbcc_devicetype = DBT_DEVTYP_DEVICEINTERFACE,
		.dbcc_classguid = devinterface_net,
	};
	HDEVNOTIFY notify;
	HANDLE events[2];
	int rescans = 0;
	HRESULT hr;

	(void)argc;
	(void)argv;
	svc.handle = RegisterServiceCtrlHandlerExA(SFO_SERVICE_NAME, control, NULL);
	if (!svc.handle)
		return;
	set_state(SERVICE_START_PENDING, NO_ERROR);
	svc.log = RegisterEventSourceA(NULL, SFO_SERVICE_NAME);
	svc.stop = CreateEventA(NULL, TRUE, FALSE, NULL);
	svc.arrival = CreateEventA(NULL, FALSE, FALSE, NULL);
	hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
	if (!svc.stop || !svc.arrival || FAILED(hr)) {
		log_event(EVENTLOG_ERROR_TYPE, "sriov-failover: cannot start (error %lu)",
			  GetLastError());
		set_state(SERVICE_STOPPED, ERROR_SERVICE_SPECIFIC_ERROR);
		return;
	}
	notify = RegisterDeviceNotificationA(svc.handle, &filter, DEVICE_NOTIFY_SERVICE_HANDLE);
	if (!notify)
		log_event(EVENTLOG_WARNING_TYPE,
			  "sriov-failover: no device arrival notifications (error %lu): the "
			  "policy is applied at start only",
			  GetLastError());
	set_state(SERVICE_RUNNING, NO_ERROR);
	apply_policy();
	events[0] = svc.stop;
	events[1] = svc.arrival;
	for (;;) {
		DWORD w = WaitForMultipleObjects(2, events, FALSE, rescans ? RESCAN_MS : INFINITE);

		if (w == WAIT_OBJECT_0 || w == WAIT_FAILED)
			break;
		if (w == WAIT_OBJECT_0 + 1)
			rescans = RESCANS_AFTER;
		else if (rescans)
			rescans--;
		apply_policy();
	}
	if (notify)
		UnregisterDeviceNotification(notify);
	CoUninitialize();
	if (svc.log)
		DeregisterEventSource(svc.log);
	set_state(SERVICE_STOPPED, NO_ERROR);
}

int sfo_service_run(void)
{
	SERVICE_TABLE_ENTRYA table[] = {
		{ (LPSTR)SFO_SERVICE_NAME, service_main },
		{ NULL, NULL },
	};

	if (!StartServiceCtrlDispatcherA(table)) {
		DWORD err = GetLastError();

		if (err == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT)
			fprintf(stderr, "sriov-failover: 'service' is for the service control "
					"manager to start (sc start " SFO_SERVICE_NAME ")\n");
		else
			fprintf(stderr,
				"sriov-failover: StartServiceCtrlDispatcher failed (error "
				"%lu)\n",
				err);
		return 1;
	}
	return 0;
}
