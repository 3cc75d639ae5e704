// SPDX-License-Identifier: BSD-2-Clause
/*
 * RSS in the emulation: OID_GEN_RECEIVE_SCALE_PARAMETERS set on an adapter
 * (an NDIS_RECEIVE_SCALE_PARAMETERS, revision 1: 28 bytes, then the
 * indirection table and the hash key wherever its offsets say, within the
 * buffer). A buffer that does not hold what its header says is a broken
 * rule; an adapter without RSS answers NDIS_STATUS_NOT_SUPPORTED. What an
 * adapter was given last is kept for the tests to compare.
 */
#include <string.h>

#include "emu_internal.h"
#include "ndis_field.h"

#define RSS_HEAD     28 /* NDIS_SIZEOF_RECEIVE_SCALE_PARAMETERS_REVISION_1 */
#define HASH_INFO    8	/* HashInformation */
#define TABLE_SIZE   12 /* IndirectionTableSize (USHORT) */
#define TABLE_OFFSET 16 /* IndirectionTableOffset */
#define KEY_SIZE     20 /* HashSecretKeySize (USHORT) */
#define KEY_OFFSET   24 /* HashSecretKeyOffset */

NDIS_STATUS emu_rss_apply(struct emu_adapter *a, const NDIS_OID_REQUEST *req, const char *call)
{
	const UCHAR *p = req->DATA.SET_INFORMATION.InformationBuffer;
	UINT len = req->DATA.SET_INFORMATION.InformationBufferLength;
	const NDIS_OBJECT_HEADER *h = (const NDIS_OBJECT_HEADER *)p;

	if (!p || len < RSS_HEAD || len > sizeof(a->rss) ||
	    h->Type != NDIS_OBJECT_TYPE_RSS_PARAMETERS || h->Size > len ||
	    (ULONG64)ndis_field_u32(p, TABLE_OFFSET) + ndis_field_u16(p, TABLE_SIZE) > len ||
	    (ULONG64)ndis_field_u32(p, KEY_OFFSET) + ndis_field_u16(p, KEY_SIZE) > len) {
		emu_violation("%s: RSS parameters to %s do not hold what their header says", call,
			      a->name);
		return NDIS_STATUS_INVALID_DATA;
	}
	a->rss_requests++;
	if (a->no_rss)
		return NDIS_STATUS_NOT_SUPPORTED;
	memcpy(a->rss, p, len);
	a->rss_len = len;
	a->rss_sets++;
	return NDIS_STATUS_SUCCESS;
}

PVOID emu_rss_caps_locked(struct emu_adapter *a)
{
	NDIS_OBJECT_HEADER h = { 0x88, 1, 16 }; /* NDIS_OBJECT_TYPE_RSS_CAPABILITIES */

	if (a->no_rss)
		return NULL;
	memset(a->rss_caps, 0, sizeof(a->rss_caps));
	memcpy(a->rss_caps, &h, sizeof(h));
	ndis_field_set_u32(a->rss_caps, 4, a->rss_caps_flags);
	ndis_field_set_u32(a->rss_caps, 12, 4); /* NumberOfReceiveQueues */
	return a->rss_caps;
}

void emu_adapter_set_rss_caps(struct emu_adapter *a, ULONG caps_flags)
{
	emu_lock();
	a->rss_caps_flags = caps_flags;
	emu_unlock();
}

void emu_adapter_set_rss_support(struct emu_adapter *a, BOOLEAN supported)
{
	emu_lock();
	a->no_rss = !supported;
	emu_unlock();
}

ULONG emu_rss_build(UCHAR *buf, ULONG hash_info, const UCHAR *key, unsigned key_len,
		    const UCHAR *table, unsigned table_len)
{
	NDIS_OBJECT_HEADER h = { NDIS_OBJECT_TYPE_RSS_PARAMETERS, 1, RSS_HEAD };

	memset(buf, 0, RSS_HEAD);
	memcpy(buf, &h, sizeof(h));
	ndis_field_set_u32(buf, HASH_INFO, hash_info);
	ndis_field_set_u16(buf, TABLE_SIZE, (USHORT)table_len);
	ndis_field_set_u32(buf, TABLE_OFFSET, RSS_HEAD);
	memcpy(buf + RSS_HEAD, table, table_len);
	ndis_field_set_u16(buf, KEY_SIZE, (USHORT)key_len);
	ndis_field_set_u32(buf, KEY_OFFSET, RSS_HEAD + table_len);
	memcpy(buf + RSS_HEAD + table_len, key, key_len);
	return RSS_HEAD + table_len + key_len;
}

BOOLEAN emu_rss(struct emu_adapter *a, struct emu_rss_seen *out)
{
	BOOLEAN have;

	emu_lock();
	have = a->rss_len != 0;
	memset(out, 0, sizeof(*out));
	out->sets = a->rss_sets;
	out->requests = a->rss_requests;
	if (have) {
		const UCHAR *p = a->rss;

		out->hash_info = ndis_field_u32(p, HASH_INFO);
		out->table_len = ndis_field_u16(p, TABLE_SIZE);
		out->key_len = ndis_field_u16(p, KEY_SIZE);
		if (out->table_len <= sizeof(out->table))
			memcpy(out->table, p + ndis_field_u32(p, TABLE_OFFSET), out->table_len);
		if (out->key_len <= sizeof(out->key))
			memcpy(out->key, p + ndis_field_u32(p, KEY_OFFSET), out->key_len);
	}
	emu_unlock();
	return have;
}
