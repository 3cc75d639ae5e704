// SPDX-License-Identifier: BSD-2-Clause
/*
 * The standby's status indications, which reach the filter on their way up
 * (FilterStatus, IRQL <= DISPATCH_LEVEL): its link state is a fact for the
 * engine (the standby's carrier, from its attach on); its offload
 * configuration is kept and goes up as what the stack may use while a VF is
 * paired (offload_config.c); every other indication goes on up unchanged,
 * after the lock, for the stack above.
 */
#include "sriovfo.h"

VOID NTAPI sfo_filter_status(NDIS_HANDLE module, PNDIS_STATUS_INDICATION status)
{
	struct sfo_standby *sb = module;
	const NDIS_LINK_STATE *ls = status->StatusBuffer;

	if (status->StatusCode == NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG) {
		sfo_offload_status(sb, status);
		return;
	}
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
