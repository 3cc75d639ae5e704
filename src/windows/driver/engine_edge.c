// SPDX-License-Identifier: BSD-2-Clause
/*
 * The driver's one engine: made in DriverEntry with the engine's defaults
 * and the registry's additions (config.c), its timer an NDIS timer object whose function runs the engine
 * under the lock, and the lock a control path takes to call it (sriovfo.h).
 */
#include "sriovfo.h"

struct sfo_engine *sfo_drv_engine_lock(void)
{
	NdisAcquireSpinLock(&sfo_drv.lock);
	return sfo_drv.engine;
}

void sfo_drv_engine_unlock(void)
{
	NdisReleaseSpinLock(&sfo_drv.lock);
	sfo_mirror_due();
	sfo_stats_due();
	sfo_announce_due();
	sfo_offload_due();
}

uint32_t sfo_drv_new_id_locked(void)
{
	return ++sfo_drv.last_id;
}

static VOID NTAPI timer_fired(PVOID system1, PVOID ctx, PVOID system2, PVOID system3)
{
	struct sfo_engine *eng;

	(void)system1;
	(void)ctx;
	(void)system2;
	(void)system3;
	eng = sfo_drv_engine_lock();
	if (eng)
		sfo_engine_timer_expired(eng);
	sfo_drv_engine_unlock();
}

NDIS_STATUS sfo_drv_engine_start(PUNICODE_STRING registry_path)
{
	NDIS_TIMER_CHARACTERISTICS tc;
	struct sfo_engine *eng;
	NDIS_STATUS st;

	sfo_win_load_config(&sfo_drv.cfg, registry_path);
	sfo_win_load_standby_ids(registry_path);
	__builtin_memset(&tc, 0, sizeof(tc));
	tc.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
	tc.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
	tc.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
	tc.AllocationTag = SFO_WIN_POOL_TAG;
	tc.TimerFunction = timer_fired;
	st = NdisAllocateTimerObject(sfo_drv.filter_driver, &tc, &sfo_drv.timer);
	if (st != NDIS_STATUS_SUCCESS) {
		sfo_win_free_standby_ids();
		sfo_win_free_config(&sfo_drv.cfg);
		return st;
	}
	eng = sfo_engine_new(&sfo_drv_ops, NULL, &sfo_drv.cfg);
	if (!eng) {
		NdisFreeTimerObject(sfo_drv.timer);
		sfo_win_free_standby_ids();
		sfo_win_free_config(&sfo_drv.cfg);
		return NDIS_STATUS_RESOURCES;
	}
	NdisAcquireSpinLock(&sfo_drv.lock);
	sfo_drv.engine = eng;
	NdisReleaseSpinLock(&sfo_drv.lock);
	return NDIS_STATUS_SUCCESS;
}

/* After both registrations are gone: no adapter is left, nothing is due
 * (PASSIVE_LEVEL: the unload routine). */
void sfo_drv_engine_stop(void)
{
	NdisAcquireSpinLock(&sfo_drv.lock);
	sfo_engine_free(sfo_drv.engine);
	sfo_drv.engine = NULL;
	NdisReleaseSpinLock(&sfo_drv.lock);
	/* The cancel dequeues the timer, but a timer function already running
	 * on another processor runs on (KeCancelTimer's remarks); it finds no
	 * engine. Wait for it before the timer object and the image go. */
	NdisCancelTimerObject(sfo_drv.timer);
	KeFlushQueuedDpcs();
	NdisFreeTimerObject(sfo_drv.timer);
	sfo_win_free_standby_ids();
	sfo_win_free_config(&sfo_drv.cfg);
}
