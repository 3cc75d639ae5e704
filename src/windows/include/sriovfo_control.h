/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control device of sriovfo.sys, shared by the driver (control.c,
 * control_device.c) and sriov-failover.exe: its names, the IOCTL codes and
 * the fixed-size structures they carry. Every request and answer starts with
 * the ABI version; the driver refuses any other (STATUS_REVISION_MISMATCH),
 * so an exe and a driver of different layouts never misread each other.
 * The answers carry the engine's own report structures (include/sfo/engine.h)
 * as they are: their x64 layout is pinned below, and a change to one of them
 * must come with a new SFO_CTL_VERSION.
 *
 * All codes are METHOD_BUFFERED. The queries need FILE_READ_ACCESS,
 * release/resume FILE_WRITE_ACCESS; the device's ACL (SFO_CTL_SDDL) lets only
 * SYSTEM and the Administrators open it at all.
 *
 * No OS header: the driver, the exe and the native tests include it alike.
 */
#ifndef SFO_WIN_CONTROL_H
#define SFO_WIN_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include <sfo/engine.h>

/* Names (UTF-16 literals for the driver, the Win32 path for the exe). */
#define SFO_CTL_DEVICE_NT   u"\\Device\\sriovfo"
#define SFO_CTL_DEVICE_LINK u"\\DosDevices\\sriovfo"
#define SFO_CTL_DEVICE_PATH "\\\\.\\sriovfo"
/* SDDL_DEVOBJ_SYS_ALL_ADM_ALL: all access for SYSTEM and Administrators, none else. */
#define SFO_CTL_SDDL u"D:P(A;;GA;;;SY)(A;;GA;;;BA)"

#define SFO_CTL_VERSION 1u

/* winioctl.h's CTL_CODE with FILE_DEVICE_NETWORK and METHOD_BUFFERED; the
 * function numbers are in the range left to vendors (0x800 and up). */
#define SFO_CTL_FILE_DEVICE_NETWORK 0x12u
#define SFO_CTL_FILE_READ_ACCESS    0x1u
#define SFO_CTL_FILE_WRITE_ACCESS   0x2u
#define SFO_CTL_CODE(function, access) \
	((SFO_CTL_FILE_DEVICE_NETWORK << 16) | ((access) << 14) | ((function) << 2))

/* in: struct sfo_ctl_query (index: the pair's); out: struct sfo_ctl_pair */
#define SFO_IOCTL_PAIR SFO_CTL_CODE(0x800u, SFO_CTL_FILE_READ_ACCESS)
/* in: struct sfo_ctl_query (index: the adapter's); out: struct sfo_ctl_adapter */
#define SFO_IOCTL_ADAPTER SFO_CTL_CODE(0x801u, SFO_CTL_FILE_READ_ACCESS)
/* in: struct sfo_ctl_query (index 0); out: struct sfo_ctl_events */
#define SFO_IOCTL_EVENTS SFO_CTL_CODE(0x802u, SFO_CTL_FILE_READ_ACCESS)
/* in: struct sfo_ctl_target; no output */
#define SFO_IOCTL_RELEASE SFO_CTL_CODE(0x803u, SFO_CTL_FILE_WRITE_ACCESS)
#define SFO_IOCTL_RESUME  SFO_CTL_CODE(0x804u, SFO_CTL_FILE_WRITE_ACCESS)

/* The NTSTATUS of a refused request (the exe sees the Win32 error in brackets). */
#define SFO_CTL_ST_BUFFER_TOO_SMALL  ((int32_t)0xC0000023) /* ERROR_INSUFFICIENT_BUFFER */
#define SFO_CTL_ST_REVISION_MISMATCH ((int32_t)0xC0000059) /* ERROR_REVISION_MISMATCH */
#define SFO_CTL_ST_INVALID_REQUEST   ((int32_t)0xC0000010) /* ERROR_INVALID_FUNCTION */
#define SFO_CTL_ST_INVALID_PARAMETER ((int32_t)0xC000000D) /* ERROR_INVALID_PARAMETER */
#define SFO_CTL_ST_NO_MORE_ENTRIES   ((int32_t)0x8000001A) /* ERROR_NO_MORE_ITEMS */
#define SFO_CTL_ST_NOT_FOUND	     ((int32_t)0xC0000225) /* ERROR_NOT_FOUND: no such adapter */
/* ERROR_BAD_COMMAND: the adapter is neither a managed standby nor the VF of one */
#define SFO_CTL_ST_NOT_MANAGED ((int32_t)0xC0000184)
#define SFO_CTL_ST_NOT_READY   ((int32_t)0xC00000A3) /* ERROR_NOT_READY: no engine (yet) */

struct sfo_ctl_query {
	uint32_t version;
	uint32_t index;
};

/* The times in the answers are the engine's clock; now_ns is that clock when
 * the answer was made, so "how long ago" is now_ns - since_ns / ts_ns. */
struct sfo_ctl_pair {
	uint32_t version;
	uint32_t count; /* pairs the engine has now */
	uint64_t now_ns;
	struct sfo_pair_status pair;
};

struct sfo_ctl_adapter {
	uint32_t version;
	uint32_t count; /* adapters the engine knows now */
	struct sfo_adapter_status adapter;
};

struct sfo_ctl_events {
	uint32_t version;
	uint32_t count; /* entries of ev[] filled, oldest first */
	uint64_t now_ns;
	struct sfo_event ev[SFO_EVENT_RING_SIZE];
};

/* An adapter by name: a standby or the VF of one (release, resume). */
struct sfo_ctl_target {
	uint32_t version;
	char name[SFO_NAME_MAX]; /* NUL-terminated */
};

#if defined(__x86_64__)
/* x64 layouts (the same in the driver, the exe and the native build). */
_Static_assert(sizeof(struct sfo_pair_status) == 448, "sfo_pair_status");
_Static_assert(offsetof(struct sfo_pair_status, counters) == 192, "sfo_pair_status.counters");
_Static_assert(offsetof(struct sfo_pair_status, failover) == 280, "sfo_pair_status.failover");
_Static_assert(sizeof(struct sfo_adapter_status) == 224, "sfo_adapter_status");
_Static_assert(sizeof(struct sfo_adapter_info) == 120, "sfo_adapter_info");
_Static_assert(sizeof(struct sfo_event) == 152, "sfo_event");
_Static_assert(SFO_EVENT_RING_SIZE == 256, "sfo_ctl_events.ev");
_Static_assert(sizeof(struct sfo_ctl_query) == 8, "sfo_ctl_query");
_Static_assert(offsetof(struct sfo_ctl_pair, pair) == 16, "sfo_ctl_pair.pair");
_Static_assert(sizeof(struct sfo_ctl_pair) == 464, "sfo_ctl_pair");
_Static_assert(offsetof(struct sfo_ctl_adapter, adapter) == 8, "sfo_ctl_adapter.adapter");
_Static_assert(sizeof(struct sfo_ctl_adapter) == 232, "sfo_ctl_adapter");
_Static_assert(offsetof(struct sfo_ctl_events, ev) == 16, "sfo_ctl_events.ev");
_Static_assert(sizeof(struct sfo_ctl_events) == 16 + 256 * 152, "sfo_ctl_events");
_Static_assert(sizeof(struct sfo_ctl_target) == 36, "sfo_ctl_target");
#endif

#endif
