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
 * The timers are under the emulation's lock; a timer function runs
 * without it, in the thread that advanced the clock or flushes the DPCs.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

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

static _Atomic ULONGLONG now = 1000 * TICKS_PER_MS;
static struct emu_timer *timers;

ULONGLONG NTAPI KeQueryUnbiasedInterruptTime(VOID)
{
	return now;
}

/* With the emulation's lock held. */
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
	emu_lock();
	t->next = timers;
	timers = t;
	emu_unlock();
	emu_count_allocation(1);
	*handle = t;
	return NDIS_STATUS_SUCCESS;
}

BOOLEAN NTAPI NdisSetTimerObject(NDIS_HANDLE h, LARGE_INTEGER due, ULONG period, PVOID ctx)
{
	struct emu_timer *t;
	BOOLEAN was;

	emu_lock();
	t = timer_of(h, "NdisSetTimerObject");
	was = t->set;
	if (due.QuadPart >= 0)
		emu_violation("NdisSetTimerObject: an absolute due time (not emulated)");
	if (period)
		emu_violation("NdisSetTimerObject: a periodic timer (not emulated)");
	t->set = TRUE;
	t->due = now + (ULONGLONG)(-due.QuadPart);
	t->ctx = ctx ? ctx : t->tc.FunctionContext;
	emu_unlock();
	return was;
}

BOOLEAN NTAPI NdisCancelTimerObject(NDIS_HANDLE h)
{
	struct emu_timer *t;
	BOOLEAN was;

	emu_lock();
	t = timer_of(h, "NdisCancelTimerObject");
	was = t->set;
	t->set = FALSE;
	emu_unlock();
	return was;
}

VOID NTAPI NdisFreeTimerObject(NDIS_HANDLE h)
{
	struct emu_timer *t;

	emu_lock();
	t = timer_of(h, "NdisFreeTimerObject");
	if (t->set)
		emu_violation("NdisFreeTimerObject: the timer is still set");
	if (t->running)
		emu_violation("NdisFreeTimerObject: its function still runs on another processor");
	for (struct emu_timer **p = &timers; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			break;
		}
	emu_unlock();
	free(t);
	emu_count_allocation(-1);
}

void emu_advance_ms(unsigned ms)
{
	ULONGLONG end = now + ms * TICKS_PER_MS;

	for (;;) {
		struct emu_timer *first = NULL;
		NDIS_TIMER_FUNCTION fn;
		PVOID ctx;

		emu_lock();
		for (struct emu_timer *t = timers; t; t = t->next)
			if (t->set && t->due <= end && (!first || t->due < first->due))
				first = t;
		if (!first) {
			emu_unlock();
			break;
		}
		if (first->due > now)
			now = first->due;
		first->set = FALSE;
		fn = first->tc.TimerFunction;
		ctx = first->ctx;
		emu_unlock();
		fn(NULL, ctx, NULL, NULL);
	}
	now = end;
}

/* Real time passes (the emulation's clock does not): another thread runs. */
VOID NTAPI NdisMSleep(ULONG microseconds)
{
	struct timespec ts = { microseconds / 1000000, (long)(microseconds % 1000000) * 1000 };

	emu_unlocked("NdisMSleep");
	nanosleep(&ts, NULL);
}

BOOLEAN emu_timer_set(void)
{
	BOOLEAN set = FALSE;

	emu_lock();
	for (struct emu_timer *t = timers; t && !set; t = t->next)
		set = t->set;
	emu_unlock();
	return set;
}

BOOLEAN emu_timer_fire_elsewhere(void)
{
	BOOLEAN fired = FALSE;

	emu_lock();
	for (struct emu_timer *t = timers; t && !fired; t = t->next)
		if (t->set) {
			t->set = FALSE;
			t->running = fired = TRUE;
		}
	emu_unlock();
	return fired;
}

unsigned emu_timer_running(void)
{
	unsigned n = 0;

	emu_lock();
	for (struct emu_timer *t = timers; t; t = t->next)
		n += t->running;
	emu_unlock();
	return n;
}

VOID NTAPI KeFlushQueuedDpcs(VOID)
{
	emu_unlocked("KeFlushQueuedDpcs");
	for (;;) {
		struct emu_timer *run = NULL;
		NDIS_TIMER_FUNCTION fn = NULL;
		PVOID ctx = NULL;

		emu_lock();
		for (struct emu_timer *t = timers; t && !run; t = t->next)
			if (t->running)
				run = t;
		if (run) {
			fn = run->tc.TimerFunction;
			ctx = run->ctx;
		}
		emu_unlock();
		if (!run)
			return;
		fn(NULL, ctx, NULL, NULL);
		emu_lock();
		run->running = FALSE; /* done: it may be freed now */
		emu_unlock();
	}
}
