// SPDX-License-Identifier: BSD-2-Clause
/*
 * The filter module over a standby: attach, detach, pause, restart. The
 * engine learns of the standby at its first restart, when its MTU is known
 * (the restart attributes), and of its leaving at detach. A pause completes
 * only once every clone the module sent or indicated is back.
 */
#include "sriovfo.h"

static NDIS_HANDLE clone_pool(NDIS_HANDLE filter)
{
	NET_BUFFER_LIST_POOL_PARAMETERS pp;

	__builtin_memset(&pp, 0, sizeof(pp));
	pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	pp.Header.Size = sizeof(pp);
	pp.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
	pp.fAllocateNetBuffer = FALSE; /* clones share the parent's NET_BUFFERs */
	pp.PoolTag = SFO_WIN_POOL_TAG;
	return NdisAllocateNetBufferListPool(filter, &pp);
}

/* Attach at PASSIVE_LEVEL: the miniport's PCI ids from its device say
 * whether it is a standby (standby.c); the filter is optional (its INF), so
 * NDIS leaves it out of any other stack whose attach it declines. */
static const char *standby_driver(PNDIS_FILTER_ATTACH_PARAMETERS params, USHORT *vendor,
				  USHORT *device)
{
	const char *driver = NULL;

	/* MiniportPhysicalDeviceObject is there from revision 3 (NDIS 6.20) */
	if (params->Header.Revision < 3 || !params->MiniportPhysicalDeviceObject) {
		DbgPrintEx(SFO_DPFLTR_IHVNETWORK_ID, 1,
			   "sriovfo: filter attach declined: no physical device object "
			   "(attach parameters revision %u), so no PCI ids to tell a standby\n",
			   (unsigned)params->Header.Revision);
		return NULL;
	}
	if (!sfo_win_pci_id(params->MiniportPhysicalDeviceObject, vendor, device)) {
		DbgPrintEx(SFO_DPFLTR_IHVNETWORK_ID, 3,
			   "sriovfo: filter attach declined: not a PCI function\n");
		return NULL;
	}
	if (!sfo_drv_engine_lock()) { /* before DriverEntry made the engine */
		sfo_drv_engine_unlock();
		return NULL;
	}
	driver = sfo_win_standby_driver(*vendor, *device);
	sfo_drv_engine_unlock();
	if (!driver)
		DbgPrintEx(SFO_DPFLTR_IHVNETWORK_ID, 3,
			   "sriovfo: filter attach declined: PCI %04x:%04x is not a standby "
			   "(virtio-net or Parameters\\StandbyPciIds)\n",
			   *vendor, *device);
	return driver;
}

static void free_module(struct sfo_standby *sb)
{
	sfo_announce_fini(sb);
	if (sb->pool)
		NdisFreeNetBufferListPool(sb->pool);
	sfo_win_free(sb);
}

NDIS_STATUS NTAPI sfo_filter_attach(NDIS_HANDLE filter, NDIS_HANDLE driver_ctx,
				    PNDIS_FILTER_ATTACH_PARAMETERS params)
{
	NDIS_FILTER_ATTRIBUTES attr;
	struct sfo_standby *sb;
	USHORT vendor = 0, device = 0;
	const char *driver;

	(void)driver_ctx;
	if (params->MiniportMediaType != NdisMedium802_3 ||
	    params->MacAddressLength != SFO_WIN_MAC_LEN)
		return NDIS_STATUS_NOT_SUPPORTED;
	driver = standby_driver(params, &vendor, &device);
	if (!driver)
		return NDIS_STATUS_NOT_SUPPORTED;
	sb = sfo_win_alloc(sizeof(*sb));
	if (!sb)
		return NDIS_STATUS_RESOURCES;
	sb->filter = filter;
	sb->state = SFO_FILTER_PAUSED;
	__builtin_memcpy(sb->mac, params->CurrentMacAddress, SFO_WIN_MAC_LEN);
	sb->pdo = params->MiniportPhysicalDeviceObject;
	sb->pci_vendor = vendor;
	sb->pci_device = device;
	sb->driver = driver;
	sb->link_up = params->MediaConnectState == MediaConnectStateConnected;
	sfo_offload_keep_own_locked(sb, params->DefaultOffloadConfiguration,
				    SFO_WIN_OFFLOAD_MAX); /* not yet shared: no lock needed */
	sb->pool = clone_pool(filter);
	if (!sb->pool || !sfo_announce_init(sb)) {
		free_module(sb);
		return NDIS_STATUS_RESOURCES;
	}
	__builtin_memset(&attr, 0, sizeof(attr));
	attr.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES;
	attr.Header.Revision = NDIS_FILTER_ATTRIBUTES_REVISION_1;
	attr.Header.Size = sizeof(attr);
	if (NdisFSetAttributes(filter, sb, &attr) != NDIS_STATUS_SUCCESS) {
		free_module(sb);
		return NDIS_STATUS_FAILURE;
	}
	if (!sfo_drv_engine_lock()) { /* attached before DriverEntry made the engine */
		sfo_drv_engine_unlock();
		free_module(sb);
		return NDIS_STATUS_FAILURE;
	}
	sb->id = sfo_drv_new_id_locked();
	sb->next = sfo_drv.standbys;
	sfo_drv.standbys = sb;
	sfo_drv_engine_unlock();
	return NDIS_STATUS_SUCCESS;
}

VOID NTAPI sfo_filter_detach(NDIS_HANDLE module)
{
	struct sfo_standby *sb = module;

	sfo_drv_engine_lock();
	/* Paused, so nothing of ours is out: the engine gives the VF back
	 * (vf_release), its binding stays for a standby with its MAC. */
	if (sb->reported)
		sfo_report_gone_locked(sb->id);
	for (struct sfo_standby **p = &sfo_drv.standbys; *p; p = &(*p)->next)
		if (*p == sb) {
			*p = sb->next;
			break;
		}
	sfo_drv_engine_unlock();
	free_module(sb);
}

NDIS_STATUS NTAPI sfo_filter_pause(NDIS_HANDLE module, PNDIS_FILTER_PAUSE_PARAMETERS params)
{
	struct sfo_standby *sb = module;
	NDIS_STATUS st = NDIS_STATUS_SUCCESS;

	(void)params;
	NdisAcquireSpinLock(&sfo_drv.lock);
	sb->state = SFO_FILTER_PAUSING;
	if (sb->outstanding == 0)
		sb->state = SFO_FILTER_PAUSED;
	else
		st = NDIS_STATUS_PENDING; /* sfo_clones_done() completes it */
	NdisReleaseSpinLock(&sfo_drv.lock);
	return st;
}

NDIS_STATUS NTAPI sfo_filter_restart(NDIS_HANDLE module, PNDIS_FILTER_RESTART_PARAMETERS params)
{
	struct sfo_standby *sb = module;
	BOOLEAN first;

	sfo_drv_engine_lock();
	sb->mtu = sfo_restart_mtu(params->RestartAttributes, sb->mtu);
	first = !sb->reported;
	sb->reported = TRUE;
	sfo_report_standby_locked(sb);
	sfo_drv_engine_unlock();
	/* Running from here: the module sends and indicates nothing of its own
	 * before; the announcements a switch in the report asked follow. */
	NdisAcquireSpinLock(&sfo_drv.lock);
	sb->state = SFO_FILTER_RUNNING;
	NdisReleaseSpinLock(&sfo_drv.lock);
	sfo_offload_due(); /* a pairing change while it was paused */
	sfo_announce_after_restart(sb);
	/* A VF offered before the engine knew its standby gets offered again. */
	if (first)
		NdisReEnumerateProtocolBindings(sfo_drv.protocol);
	return NDIS_STATUS_SUCCESS;
}
