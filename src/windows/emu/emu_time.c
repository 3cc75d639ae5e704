// SPDX-License-Identifier: BSD-2-Clause
/*
 * Time in the emulation: a clock that stands still until a test advances it
 * (KeQueryUnbiasedInterruptTime), and NDIS timer objects that fire, as DPCs
 * with no lock held, when the clock passes their due time. Rules: the
 * characteristics' header right, relative due times only (the emulation has
 * no wall clock), no periodic timers (the driver sets none), no timer freed
 * while set or while its function runs on another processor
 * (emu_timer_fire_elsewhere(): it runs to its end when the driver waits for
 * it, KeFlushQueuedDpcs), every timer freed by unload (counted as an
 * allocation).
 */
#include <stdlib.h>

#include "emu_internal.h"

#define TICKS_PER_MS 10000ull /* 100 ns units */

struct emu_timer {
	struct emu_timer *next;
	NDIS_TIMER_CHARACTERISTICS tc;
	PVOID ctx;
	BOOLEAN set;
	BOOLEAN running; /* its function started on another processor */
	ULONGLONG due;
};

static ULONGLONG now = 1000 * TICKS_PER_MS;
static struct emu_timer *timers;

ULONGLONG NTAPI KeQueryUnbiasedInterruptTime(VOID)
{
	return now;
}

static struct emu_timer *timer_of(NDIS_HANDLE h, const char *call)
{
	for (struct emu_timer *t = timers; t; t = t->next)
		if (t == h)
			return t;
	emu_violation("%s: not a timer object", call);
	abort();
}

NDIS_STATUS NTAPI NdisAllocateTimerObject(NDIS_HANDLE owner, PNDIS_TIMER_CHARACTERISTICS tc,
					  PNDIS_HANDLE handle)
{
	struct emu_timer *t;

	if (owner != &emu.fc && owner != &emu.pc)
		emu_violation("NdisAllocateTimerObject: not a driver handle of NDIS's");
	if (tc->Header.Type != NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS ||
	    tc->Header.Revision != NDIS_TIMER_CHARACTERISTICS_REVISION_1 ||
	    tc->Header.Size != NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1 || !tc->TimerFunction)
		emu_violation("NdisAllocateTimerObject: bad characteristics");
	t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	t->tc = *tc;
	t->next = timers;
	timers = t;
	emu_count_allocation(1);
	*handle = t;
	return NDIS_STATUS_SUCCESS;
}

BOOLEAN NTAPI NdisSetTimerObject(NDIS_HANDLE h, LARGE_INTEGER due, ULONG period, PVOID ctx)
{
	struct emu_timer *t = timer_of(h, "NdisSetTimerObject");
	BOOLEAN was = t->set;

	if (due.QuadPart >= 0)
		emu_violation("NdisSetTimerObject: an absolute due time (not emulated)");
	if (period)
		emu_violation("NdisSetTimerObject: a periodic timer (not emulated)");
	t->set = TRUE;
	t->due = now + (ULONGLONG)(-due.QuadPart);
	t->ctx = ctx ? ctx : t->tc.FunctionContext;
	return was;
}

BOOLEAN NTAPI NdisCancelTimerObject(NDIS_HANDLE h)
{
	struct emu_timer *t = timer_of(h, "NdisCancelTimerObject");
	BOOLEAN was = t->set;

	t->set = FALSE;
	return was;
}

VOID NTAPI NdisFreeTimerObject(NDIS_HANDLE h)
{
	struct emu_timer *t = timer_of(h, "NdisFreeTimerObject");

	if (t->set)
		emu_violation("NdisFreeTimerObject: the timer is still set");
	if (t->running)
		emu_violation("NdisFreeTimerObject: its function still runs on another processor");
	for (struct emu_timer **p = &timers; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			break;
		}
	free(t);
	emu_count_allocation(-1);
}

void emu_advance_ms(unsigned ms)
{
	ULONGLONG end = now + ms * TICKS_PER_MS;

	for (;;) {
		struct emu_timer *first = NULL;

		for (struct emu_timer *t = timers; t; t = t->next)
			if (t->set && t->due <= end && (!first || t->due < first->due))
				first = t;
		if (!first)
			break;
		if (first->due > now)
			now = first->due;
		first->set = FALSE;
		first->tc.TimerFunction(NULL, first->ctx, NULL, NULL);
	}
	now = end;
}

BOOLEAN emu_timer_set(void)
{
	for (struct emu_timer *t = timers; t; t = t->next)
		if (t->set)
			return TRUE;
	return FALSE;
}

BOOLEAN emu_timer_fire_elsewhere(void)
{
	for (struct emu_timer *t = timers; t; t = t->next)
		if (t->set) {
			t->set = FALSE;
			t->running = TRUE;
			return TRUE;
		}
	return FALSE;
}

unsigned emu_timer_running(void)
{
	unsigned n = 0;

	for (struct emu_timer *t = timers; t; t = t->next)
		n += t->running;
	return n;
}

VOID NTAPI KeFlushQueuedDpcs(VOID)
{
	emu_unlocked("KeFlushQueuedDpcs");
	for (struct emu_timer *t = timers; t; t = t->next)
		if (t->running) {
			t->running = FALSE;
			t->tc.TimerFunction(NULL, t->ctx, NULL, NULL);
		}
}
