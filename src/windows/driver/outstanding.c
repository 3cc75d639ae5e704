// SPDX-License-Identifier: BSD-2-Clause
/*
 * The clones and OIDs still out: on a VF binding (our sends, receives the
 * stack holds, mirrored OIDs) and through a filter module. A VF's pause and a
 * filter's pause pend until theirs are back. Where the traffic goes is the
 * engine's (edge_ops.c, steer).
 */
#include "sriovfo.h"

/* @n clones or OIDs on @vf are done: a pause that waited for them completes
 * when the last one is. */
void sfo_vf_io_done(struct sfo_vf *vf, LONG n)
{
	PNET_PNP_EVENT_NOTIFICATION pause = NULL;
	BOOLEAN last_count = FALSE;

	NdisAcquireSpinLock(&sfo_drv.lock);
	vf->outstanding -= n;
	if (vf->outstanding == 0 && vf->pending_pause) {
		/* everything is back: the VF's last statistics, then the pause */
		last_count = sfo_stats_last_locked(vf);
		if (!last_count) {
			pause = vf->pending_pause;
			vf->pending_pause = NULL;
		}
	}
	NdisReleaseSpinLock(&sfo_drv.lock);
	if (last_count)
		sfo_stats_due();
	if (pause)
		NdisCompleteNetPnPEvent(vf->binding, pause, NDIS_STATUS_SUCCESS);
}

/* @n clones of @sb (on @vf, if any) came home, or an indication of the
 * standby's own was handed on: a pause that waited for them completes when
 * the last one does. */
void sfo_clones_done(struct sfo_standby *sb, struct sfo_vf *vf, LONG n)
{
	BOOLEAN filter_paused = FALSE;

	NdisAcquireSpinLock(&sfo_drv.lock);
	sb->outstanding -= n;
	if (sb->outstanding == 0 && sb->state == SFO_FILTER_PAUSING) {
		sb->state = SFO_FILTER_PAUSED;
		filter_paused = TRUE;
	}
	NdisReleaseSpinLock(&sfo_drv.lock);
	if (vf)
		sfo_vf_io_done(vf, n);
	if (filter_paused)
		NdisFPauseComplete(sb->filter);
}
