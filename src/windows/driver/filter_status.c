// SPDX-License-Identifier: BSD-2-Clause
/*
 * The standby's status indications, which reach the filter on their way up
 * (FilterStatus, IRQL <= DISPATCH_LEVEL): its link state is a fact for the
 * engine (the standby's carrier, from its attach on); every indication then
 * goes on up unchanged, after the lock, for the stack above.
 */
#include "sriovfo.h"

VOID NTAPI sfo_filter_status(NDIS_HANDLE module, PNDIS_STATUS_INDICATION status)
{
	struct sfo_standby *sb = module;
	const NDIS_LINK_STATE *ls = status->StatusBuffer;

	if (status->StatusCode == NDIS_STATUS_LINK_STATE && ls &&
	    status->StatusBufferSize >= sizeof(*ls)) {
		sfo_drv_engine_lock();
		sb->link_up = ls->MediaConnectState == MediaConnectStateConnected;
		if (sb->reported)
			sfo_report_standby_locked(sb);
		sfo_drv_engine_unlock();
	}
	NdisFIndicateStatus(sb->filter, status);
}
