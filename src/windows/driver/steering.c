// SPDX-License-Identifier: BSD-2-Clause
/*
 * Where a standby's traffic goes, and the clones still out. The rule here is
 * the first slice's: the VF carries the traffic while it is paired, open,
 * not paused, has link, and the filter runs; the standby otherwise. It
 * changes at once on every event that affects it (no polling).
 */
#include "sriovfo.h"

struct sfo_standby *sfo_standby_by_mac_locked(const UCHAR *mac)
{
	for (struct sfo_standby *sb = sfo_drv.standbys; sb; sb = sb->next)
		if (__builtin_memcmp(sb->mac, mac, SFO_WIN_MAC_LEN) == 0)
			return sb;
	return NULL;
}

void sfo_steer_locked(struct sfo_standby *sb)
{
	struct sfo_vf *vf = sb->vf;
	BOOLEAN usable =
		vf && vf->open && !vf->paused && vf->link_up && sb->state == SFO_FILTER_RUNNING;

	sb->path = usable ? vf : NULL;
}

/* @n clones or OIDs on @vf are done: a pause that waited for them completes
 * when the last one is. */
void sfo_vf_io_done(struct sfo_vf *vf, LONG n)
{
	PNET_PNP_EVENT_NOTIFICATION pause = NULL;

	NdisAcquireSpinLock(&sfo_drv.lock);
	vf->outstanding -= n;
	if (vf->outstanding == 0) {
		pause = vf->pending_pause;
		vf->pending_pause = NULL;
	}
	NdisReleaseSpinLock(&sfo_drv.lock);
	if (pause)
		NdisCompleteNetPnPEvent(vf->binding, pause, NDIS_STATUS_SUCCESS);
}

/* @n clones of @sb (on @vf, if any) came home: a pause that waited for them
 * completes when the last one does. */
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
